package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/loa-vn/loa/storage"
)

// postMultipart posts a multipart form with one file to path.
func (b *browser) postMultipart(path string, fields map[string]string, fileName string, file []byte) page {
	b.h.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if file != nil {
		fw, _ := w.CreateFormFile("attachment", fileName)
		fw.Write(file)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.h.url+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := b.c.Do(req)
	if err != nil {
		b.h.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, header: res.Header, body: string(data)}
}

var planLocation = regexp.MustCompile(`^/plans/(\d+)\?da=tao$`)

// TestPlanPages: an editor enters a plan through the plain forms — adds a
// row with "Thêm hoạt động" (nothing stored), sees a bad timing refused in
// Vietnamese next to its field with the values kept, saves; the plan's
// page shows each activity; an officer records offline work with a scanned
// list on an activity and sees it counted in the quarter and listed with
// its file, which downloads; a wrong file is refused. Every page is
// Vietnamese.
func TestPlanPages(t *testing.T) {
	h := newHarness(t)
	h.user("bien tap", storage.RoleEditor, "mật khẩu đủ dài 1", 0)
	h.user("can bo", storage.RoleOfficer, "mật khẩu đủ dài 1", 0)
	ed := h.browser()
	ed.mustLogin("bien tap", "mật khẩu đủ dài 1")
	pageNew := ed.get("/plans/new")
	if pageNew.status != http.StatusOK {
		t.Fatalf("/plans/new: %d", pageNew.status)
	}
	checkVietnamesePage(t, pageNew.body)
	token := ed.csrf("/plans/new")
	form := url.Values{"csrf_token": {token}, "title": {"Kế hoạch tuyên truyền CCHC năm 2026"}, "year": {"2026"},
		"reference": {"Kế hoạch số 12/KH-UBND ngày 05/01/2026"}, "rows": {"1"},
		"a0_code": {"2.1"}, "a0_title": {"Tuyên truyền trên Trang thông tin điện tử"}, "a0_content_area": {"tthc"},
		"a0_audience": {"nguoi_dan"}, "a0_forms": {"website", "zalo_oa"}, "a0_timing": {"thuong_xuyen"}, "a0_unit": {"Văn phòng"},
		"action": {"them"}}
	p := ed.do(http.MethodPost, "/plans", form)
	if p.status != http.StatusOK || !strings.Contains(p.body, `name="a1_title"`) || !strings.Contains(p.body, "Tuyên truyền trên Trang thông tin điện tử") {
		t.Fatalf("Thêm hoạt động: %d", p.status)
	}
	checkVietnamesePage(t, p.body)
	if ps, _ := h.store.ListPlans(context.Background(), storage.PlanFilter{Limit: 10}); len(ps) != 0 {
		t.Fatalf("adding a row stored a plan")
	}
	form.Set("rows", "2")
	form.Set("action", "luu")
	form.Set("a1_title", "Hội nghị tập huấn cho cán bộ thông tin cơ sở")
	form["a1_forms"] = []string{"hoi_nghi", "tap_huan"}
	form.Set("a1_timing", "range")
	form.Set("a1_from", "01/09/2026")
	form.Set("a1_to", "01/08/2026")
	p = ed.do(http.MethodPost, "/plans", form)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="a1_timing-loi"`) ||
		!strings.Contains(p.body, "Hội nghị tập huấn cho cán bộ thông tin cơ sở") || !strings.Contains(p.body, "Chưa có gì được lưu") {
		t.Fatalf("bad timing: %d %s", p.status, p.body)
	}
	checkVietnamesePage(t, p.body)
	form.Set("a1_to", "30/09/2026")
	p = ed.do(http.MethodPost, "/plans", form)
	m := planLocation.FindStringSubmatch(p.header.Get("Location"))
	if p.status != http.StatusSeeOther || m == nil {
		t.Fatalf("save: %d %s", p.status, p.body)
	}
	show := ed.get("/plans/" + m[1] + "?da=tao")
	for _, want := range []string{"Đã tạo kế hoạch.", "Tuyên truyền trên Trang thông tin điện tử", "Thường xuyên",
		"Từ 01/09/2026 đến 30/09/2026", "Sửa kế hoạch", "Trang thông tin điện tử, Zalo OA"} {
		if !strings.Contains(show.body, want) {
			t.Errorf("plan page lacks %q", want)
		}
	}
	checkVietnamesePage(t, show.body, "Zalo", "OA")
	_, acts, err := h.store.GetPlan(context.Background(), mustID(t, m[1]))
	if err != nil || len(acts) != 2 {
		t.Fatalf("stored activities: %v %v", acts, err)
	}

	of := h.browser()
	of.mustLogin("can bo", "mật khẩu đủ dài 1")
	actPath := fmt.Sprintf("/activities/%d", acts[1].ID)
	ap := of.get(actPath)
	if ap.status != http.StatusOK || !strings.Contains(ap.body, "Ghi nhận kết quả thực hiện") {
		t.Fatalf("activity page: %d", ap.status)
	}
	checkVietnamesePage(t, ap.body)
	if strings.Contains(of.get("/plans/"+m[1]).body, "Sửa kế hoạch") {
		t.Error("an officer is offered the plan's form")
	}
	tok := of.csrf(actPath)
	bad := of.postMultipart(actPath+"/records", map[string]string{"csrf_token": tok, "date": "05/12/2026", "form": "hoi_nghi", "count": "80"},
		"ds.pdf", []byte("<html>không phải PDF</html>"))
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="attachment-loi"`) {
		t.Fatalf("a wrong file: %d", bad.status)
	}
	checkVietnamesePage(t, bad.body)
	scan := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 3000)...)
	ok := of.postMultipart(actPath+"/records", map[string]string{"csrf_token": tok, "date": "05/12/2026", "form": "hoi_nghi",
		"count": "80", "description": "Hội nghị tập huấn tại hội trường UBND"}, "Danh sách.pdf", scan)
	if ok.status != http.StatusSeeOther {
		t.Fatalf("record: %d %s", ok.status, ok.body)
	}
	ap = of.get(actPath + "?da=ghi-nhan")
	for _, want := range []string{"Đã ghi nhận kết quả thực hiện.", "05/12/2026", "Hội nghị tập huấn tại hội trường UBND", "Danh sách.pdf", "1 lần ghi nhận (80)"} {
		if !strings.Contains(ap.body, want) {
			t.Errorf("activity page lacks %q", want)
		}
	}
	link := regexp.MustCompile(`href="(/attachments/\d+)"`).FindStringSubmatch(ap.body)
	if link == nil {
		t.Fatal("no attachment link")
	}
	dl := of.get(link[1])
	if dl.status != http.StatusOK || dl.body != string(scan) || !strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d %q", dl.status, dl.header.Get("Content-Disposition"))
	}
	list := of.get("/plans")
	if list.status != http.StatusOK || !strings.Contains(list.body, "Kế hoạch tuyên truyền CCHC năm 2026") || !strings.Contains(list.body, "1 lần ghi nhận (80)") {
		t.Errorf("plans list: %d", list.status)
	}
	checkVietnamesePage(t, list.body)
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscan(s, &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestComposeOffersActivities: the composer offers the current activities
// of the user's agency (not another agency's, not last year's) and the
// lists; a post sent with them keeps them, shown again on its page; a
// crafted form naming another agency's activity is refused in Vietnamese
// with nothing stored.
func TestComposeOffersActivities(t *testing.T) {
	f := newComposeFixture(t)
	ctx := context.Background()
	mk := func(agency int64, year int, title string) int64 {
		t.Helper()
		p := storage.Plan{AgencyID: agency, Title: "Kế hoạch", Year: year}
		acts, err := f.h.store.CreatePlan(ctx, &p, []storage.PlanActivity{{Code: "1", Title: title, TimingKind: "ca_nam"}}, "test")
		if err != nil {
			t.Fatal(err)
		}
		return acts[0].ID
	}
	own := mk(f.district.ID, 2026, "Tuyên truyền thủ tục hành chính mới")
	mk(f.district.ID, 2025, "Hoạt động năm trước")
	foreign := mk(f.other.ID, 2026, "Hoạt động của huyện Tây")
	b := f.login("biên tập đông")
	page := b.get("/posts/new")
	if !strings.Contains(page.body, "1. Tuyên truyền thủ tục hành chính mới") || strings.Contains(page.body, "Hoạt động năm trước") ||
		strings.Contains(page.body, "Hoạt động của huyện Tây") || !strings.Contains(page.body, "Người dân, doanh nghiệp") {
		t.Fatalf("composer's choices: %s", page.body)
	}
	checkVietnamesePage(t, page.body)
	v := composeValues(actionSubmit, f.site.ID)
	v.Set("activity_id", fmt.Sprint(foreign))
	before := f.posts()
	bad := b.send("/posts", v)
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "không thuộc kế hoạch của cơ quan, đơn vị đăng tin") || f.posts() != before {
		t.Fatalf("another agency's activity: %d", bad.status)
	}
	checkVietnamesePage(t, bad.body, "Thông báo lịch tiêm chủng")
	v.Set("activity_id", fmt.Sprint(own))
	v.Set("content_area", "tthc")
	v.Set("audience_code", "nguoi_dan")
	id := created(t, b.send("/posts", v))
	post, _, err := f.h.store.GetPost(ctx, id)
	if err != nil || post.ActivityID == nil || *post.ActivityID != own || post.ContentArea != "tthc" || post.AudienceCode != "nguoi_dan" {
		t.Fatalf("post's classification: %+v %v", post.Classification, err)
	}
	shown := b.get(postURL(id, ""))
	if !strings.Contains(shown.body, fmt.Sprintf(`<option value="%d" selected>`, own)) {
		t.Errorf("the post's page does not keep its activity selected")
	}
}
