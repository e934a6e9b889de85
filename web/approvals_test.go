package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// approvalsWorld is two sibling agencies under the root, with an editor
// and an officer in A, an editor in B and a province editor at the root.
type approvalsWorld struct {
	h        *harness
	a, b     storage.Agency
	edA, cvA storage.User
	chA, chB storage.Channel
	sessions map[string]*browser
}

func newApprovalsWorld(t *testing.T) *approvalsWorld {
	h := newHarness(t)
	ctx := context.Background()
	root, err := h.store.RootAgency(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w := &approvalsWorld{h: h, a: storage.Agency{Name: "Huyện A", Code: "a", ParentID: &root.ID},
		b: storage.Agency{Name: "Huyện B", Code: "b", ParentID: &root.ID}, sessions: map[string]*browser{}}
	for _, ag := range []*storage.Agency{&w.a, &w.b} {
		if err := h.store.CreateAgency(ctx, ag, "test"); err != nil {
			t.Fatal(err)
		}
	}
	w.edA = h.user("bt a", storage.RoleEditor, "mật khẩu đủ dài 1", w.a.ID)
	w.cvA = h.user("Cán bộ Lan", storage.RoleOfficer, "mật khẩu đủ dài 1", w.a.ID)
	h.user("bt b", storage.RoleEditor, "mật khẩu đủ dài 1", w.b.ID)
	h.user("bt tinh", storage.RoleEditor, "mật khẩu đủ dài 1", root.ID)
	w.chA, w.chB = h.calChannel(w.a.ID, "Cổng A"), h.calChannel(w.b.ID, "Cổng B")
	for _, name := range []string{"bt a", "Cán bộ Lan", "bt b", "bt tinh"} {
		w.sessions[name] = h.browser()
		w.sessions[name].mustLogin(name, "mật khẩu đủ dài 1")
	}
	return w
}

// submit has the officer of A submit a post through the application layer
// (it waits for approval).
func (w *approvalsWorld) submit(title, body string) storage.Post {
	w.h.t.Helper()
	p, _, err := w.h.pub.Submit(context.Background(), w.cvA, publishingDraft(title, body, w.h.now().Add(48*time.Hour), w.chA.ID))
	if err != nil {
		w.h.t.Fatal(err)
	}
	if p.Status != storage.PostPendingApproval {
		w.h.t.Fatalf("officer's post is %s", p.Status)
	}
	return p
}

func (w *approvalsWorld) decide(who string, id int64, action string, form url.Values) page {
	b := w.sessions[who]
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", b.csrf("/approvals"))
	return b.do(http.MethodPost, fmt.Sprintf("/approvals/%d/%s", id, action), form)
}

// The queue shows each waiting post with what an editor needs: author,
// agency, channels, time, a sanitised body and its history; it is scoped
// to the user's agency subtree.
func TestApprovalsQueue(t *testing.T) {
	w := newApprovalsWorld(t)
	p := w.submit("Lịch tiếp công dân tháng 12", `<h2>Lịch</h2><p>Thứ Hai <strong>tiếp dân</strong></p><script>alert(1)</script>`)
	// A row written around the application layer keeps its script: the
	// page must not run it.
	raw := storage.Post{Title: "Tin thô", Body: `<p onclick="x()">Thô</p><script>alert(2)</script>`, Audience: "public",
		AgencyID: w.a.ID, Status: storage.PostPendingApproval, PublishAt: w.h.now().Add(time.Hour), CreatedBy: w.cvA.ID}
	if _, err := w.h.store.CreatePost(context.Background(), &raw, []int64{w.chA.ID}, nil, "test"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		who       string
		want, not []string
	}{
		{"bt a", []string{"Lịch tiếp công dân tháng 12", "Cán bộ Lan", "Huyện A", "Cổng A", "<strong>tiếp dân</strong>",
			"Tạo tin", "Chờ duyệt", "Lý do từ chối tin số", ">Duyệt</button>", ">Từ chối</button>", "Thứ Tư 09/12/2026, 09:00",
			"Thô", "2 tin chờ duyệt trên trang này"},
			[]string{"<script>alert", "onclick", "Chỉ Người duyệt hoặc Quản trị"}},
		{"bt tinh", []string{"Lịch tiếp công dân tháng 12", "Huyện A"}, nil},
		{"Cán bộ Lan", []string{"Lịch tiếp công dân tháng 12", "Chỉ Người duyệt hoặc Quản trị mới được duyệt"},
			[]string{">Duyệt</button>", "/approve", "/reject"}},
		{"bt b", []string{"Không có tin nào chờ duyệt", "0 tin chờ duyệt"}, []string{"Lịch tiếp công dân", "Tin thô"}},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			page := w.sessions[tt.who].get("/approvals")
			if page.status != http.StatusOK {
				t.Fatalf("status %d", page.status)
			}
			checkVietnamesePage(t, page.body, tt.who, "Thô", "thô")
			for _, s := range tt.want {
				if !strings.Contains(page.body, s) {
					t.Errorf("queue lacks %q", s)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(page.body, s) {
					t.Errorf("queue shows %q", s)
				}
			}
		})
	}
	if !strings.Contains(w.sessions["bt a"].get("/approvals").body, fmt.Sprintf(`href="/posts/%d"`, p.ID)) {
		t.Error("a waiting post does not link to the post")
	}
}

// The queue is paged by id, newest first, and never shows a post twice.
func TestApprovalsPaged(t *testing.T) {
	w := newApprovalsWorld(t)
	for i := range approvalsPageSize + 3 {
		w.submit(fmt.Sprintf("Tin thứ %02d", i), "<p>x</p>")
	}
	first := w.sessions["bt a"].get("/approvals")
	next := regexpNext.FindStringSubmatch(first.body)
	if next == nil || strings.Count(first.body, `<article`) != approvalsPageSize {
		t.Fatalf("first page: %d posts, next link %v", strings.Count(first.body, `<article`), next)
	}
	second := w.sessions["bt a"].get("/approvals?before=" + next[1])
	if n := strings.Count(second.body, `<article`); n != 3 || regexpNext.MatchString(second.body) {
		t.Fatalf("second page: %d posts", n)
	}
	for i := range approvalsPageSize + 3 {
		title := fmt.Sprintf("Tin thứ %02d", i)
		if strings.Contains(first.body, title) == strings.Contains(second.body, title) {
			t.Errorf("%s on both pages or neither", title)
		}
	}
	checkVietnamesePage(t, second.body, "bt a")
}

// Approve and reject go through the application layer: a decision
// redirects back with a Vietnamese confirmation; a rejection needs a
// reason; an officer, a post outside the agency or a post no longer
// waiting is refused and nothing changes.
func TestApprovalsDecisions(t *testing.T) {
	w := newApprovalsWorld(t)
	p := w.submit("Thông báo lịch cắt điện", "<p>Nội dung</p>")
	other := w.submit("Thông báo thứ hai", "<p>Nội dung</p>")
	long := strings.Repeat("ý ", 2001)
	refusals := []struct {
		name, who, action string
		id                int64
		form              url.Values
		status            int
		text              string
	}{
		{"officer cannot approve", "Cán bộ Lan", "approve", p.ID, nil, http.StatusForbidden, "Chỉ Người duyệt hoặc Quản trị"},
		{"officer cannot reject", "Cán bộ Lan", "reject", p.ID, url.Values{"reason": {"Sai"}}, http.StatusForbidden, "Chỉ Người duyệt hoặc Quản trị"},
		{"outside the agency: approve", "bt b", "approve", p.ID, nil, http.StatusNotFound, "Không tìm thấy tin này"},
		{"outside the agency: reject", "bt b", "reject", p.ID, url.Values{"reason": {"Sai"}}, http.StatusNotFound, "Không tìm thấy tin này"},
		{"no such post", "bt a", "approve", 999999, nil, http.StatusNotFound, "Không tìm thấy tin này"},
		{"reject without a reason", "bt a", "reject", p.ID, url.Values{"reason": {"  "}}, http.StatusUnprocessableEntity, "Vui lòng ghi lý do từ chối"},
		{"reject with markup only", "bt a", "reject", p.ID, url.Values{"reason": {"<b></b>"}}, http.StatusUnprocessableEntity, "Vui lòng ghi lý do từ chối"},
		{"reject with a reason too long", "bt a", "reject", p.ID, url.Values{"reason": {long}}, http.StatusUnprocessableEntity, "dài quá 2000 ký tự"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			before := []postState{w.h.postState(p.ID), w.h.postState(other.ID)}
			res := w.decide(tt.who, tt.id, tt.action, tt.form)
			if res.status != tt.status || !strings.Contains(res.body, tt.text) || !strings.Contains(res.body, "Không có thay đổi nào được thực hiện") {
				t.Fatalf("got %d, want %d with %q:\n%s", res.status, tt.status, tt.text, res.body)
			}
			checkVietnamesePage(t, res.body, tt.who, "Thông báo lịch cắt điện")
			after := []postState{w.h.postState(p.ID), w.h.postState(other.ID)}
			if !reflect.DeepEqual(before, after) {
				t.Errorf("a refused decision changed a post:\n%+v\n%+v", before, after)
			}
		})
	}
	t.Run("a refused reason stays in its textarea, marked", func(t *testing.T) {
		res := w.decide("bt a", p.ID, "reject", url.Values{"reason": {"<b></b>"}})
		if !strings.Contains(res.body, "&lt;b&gt;&lt;/b&gt;</textarea>") || !strings.Contains(res.body, fmt.Sprintf(`aria-describedby="loi-ly-do-%d"`, p.ID)) {
			t.Error("the typed reason or its error mark is lost")
		}
	})
	t.Run("editor approves", func(t *testing.T) {
		res := w.decide("bt a", p.ID, "approve", nil)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != fmt.Sprintf("/approvals?done=approved&post=%d", p.ID) {
			t.Fatalf("got %d %q", res.status, res.header.Get("Location"))
		}
		st := w.h.postState(p.ID)
		if st.Post.Status != storage.PostScheduled || st.Post.ApprovedBy != w.edA.ID || st.Deliveries[0].Status != storage.DeliveryScheduled {
			t.Fatalf("approved post = %+v", st.Post)
		}
		if _, queued := w.h.sched.scheduled[st.Deliveries[0].ID]; !queued {
			t.Error("approved delivery not queued")
		}
		page := w.sessions["bt a"].get(res.header.Get("Location"))
		if !strings.Contains(page.body, fmt.Sprintf("Đã duyệt tin số %d.", p.ID)) || strings.Contains(page.body, "Thông báo lịch cắt điện") {
			t.Error("no confirmation, or the approved post is still in the queue")
		}
		checkVietnamesePage(t, page.body, "bt a")
	})
	t.Run("a post no longer waiting", func(t *testing.T) {
		for _, action := range []string{"approve", "reject"} {
			before := w.h.postState(p.ID)
			res := w.decide("bt a", p.ID, action, url.Values{"reason": {"Muộn rồi"}})
			if res.status != http.StatusConflict || !strings.Contains(res.body, "không còn chờ duyệt") {
				t.Fatalf("%s again: %d", action, res.status)
			}
			checkVietnamesePage(t, res.body, "bt a")
			if after := w.h.postState(p.ID); !reflect.DeepEqual(before, after) {
				t.Errorf("%s of an approved post changed it", action)
			}
		}
	})
	t.Run("province editor rejects with a reason", func(t *testing.T) {
		res := w.decide("bt tinh", other.ID, "reject", url.Values{"reason": {"Cần bổ sung số liệu quý IV"}})
		if res.status != http.StatusSeeOther || !strings.Contains(res.header.Get("Location"), "done=rejected") {
			t.Fatalf("got %d %q", res.status, res.header.Get("Location"))
		}
		st := w.h.postState(other.ID)
		if st.Post.Status != storage.PostRejected || st.Post.RejectReason != "Cần bổ sung số liệu quý IV" || st.Deliveries[0].Status != storage.DeliveryCanceled {
			t.Fatalf("rejected post = %+v", st.Post)
		}
		page := w.sessions["bt tinh"].get(res.header.Get("Location"))
		if !strings.Contains(page.body, fmt.Sprintf("Đã từ chối tin số %d.", other.ID)) {
			t.Error("no confirmation of the rejection")
		}
	})
}

// The history names each step in Vietnamese, with who and when, and a
// rejection's reason.
func TestApprovalsHistory(t *testing.T) {
	w := newApprovalsWorld(t)
	p := w.submit("Tin sửa lại", "<p>Bản đầu</p>")
	if _, _, err := w.h.pub.Reject(context.Background(), w.edA, p.ID, "Thiếu số liệu"); err != nil {
		t.Fatal(err)
	}
	at := w.h.now().Add(72 * time.Hour)
	if _, _, err := w.h.pub.Reschedule(context.Background(), w.cvA, p.ID, at); err != nil {
		t.Fatal(err)
	}
	page := w.sessions["bt a"].get("/approvals")
	checkVietnamesePage(t, page.body, "bt a", "Cán bộ Lan")
	for _, s := range []string{"Lịch sử của tin (3 bước)", "Tạo tin</strong> (Chờ duyệt) · Cán bộ Lan",
		"Từ chối</strong> (Chờ duyệt → Bị từ chối) · bt a", "Lý do: Thiếu số liệu",
		"Sửa tin</strong> (Bị từ chối → Chờ duyệt) · Cán bộ Lan", "Thứ Hai 07/12/2026, 09:00"} {
		if !strings.Contains(page.body, s) {
			t.Errorf("history lacks %q", s)
		}
	}
}

func TestApprovalActorLabel(t *testing.T) {
	for in, want := range map[string]string{
		"user:12 (Nguyễn Văn (Tư) An)": "Nguyễn Văn (Tư) An", "user:12": "Người dùng số 12",
		"schedule:3": "Lịch định kỳ số 3", "source:4": "Nguồn tin số 4", "system:worker": "Hệ thống", "khác": "khác",
	} {
		if got := approvalActor(in); got != want {
			t.Errorf("approvalActor(%q) = %q, want %q", in, got, want)
		}
	}
}

var regexpNext = regexp.MustCompile(`href="/approvals\?before=(\d+)">Trang sau`)

func publishingDraft(title, body string, at time.Time, channels ...int64) publishing.Draft {
	return publishing.Draft{Fields: publishing.Fields{Title: title, Body: body, PublishAt: at.Format(time.RFC3339)},
		ChannelIDs: channels}
}
