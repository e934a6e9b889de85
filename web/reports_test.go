package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
)

// reportWorld is a root with two communes; the first has a plan for 2026
// (one activity, target 4), a website with two items delivered and one
// failed in Quý IV/2026 by decree, and a conference recorded.
type reportWorld struct {
	h          *harness
	a, b       storage.Agency
	activity   int64
	editorRoot storage.User
	officerB   storage.User
}

func newReportWorld(t *testing.T) reportWorld {
	t.Helper()
	h := newHarness(t)
	ctx := context.Background()
	root, err := h.store.RootAgency(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w := reportWorld{h: h}
	for i, a := range []*storage.Agency{&w.a, &w.b} {
		*a = storage.Agency{Name: []string{"UBND xã An Hòa", "UBND xã Bình Minh"}[i], Code: fmt.Sprintf("xa-%d", i), ParentID: &root.ID}
		if err := h.store.CreateAgency(ctx, a, "test"); err != nil {
			t.Fatal(err)
		}
	}
	target := int64(4)
	acts, err := h.store.CreatePlan(ctx, &storage.Plan{AgencyID: w.a.ID, Title: "Kế hoạch tuyên truyền CCHC năm 2026", Year: 2026},
		[]storage.PlanActivity{{Code: "2.1", Title: "Tuyên truyền thủ tục hành chính", ContentArea: "tthc", Audience: "nguoi_dan",
			Forms: storage.Forms{"website"}, TimingKind: storage.TimingAllYear, Target: &target}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	w.activity = acts[0].ID
	ch := storage.Channel{Name: "Trang thông tin xã", Kind: "webhook", ConfigSealed: []byte("s"), AgencyID: w.a.ID}
	if err := h.store.CreateChannel(ctx, &ch, "test"); err != nil {
		t.Fatal(err)
	}
	for i, status := range []string{storage.DeliveryDelivered, storage.DeliveryDelivered, storage.DeliveryFailed} {
		p := storage.Post{Title: fmt.Sprintf("Tin %d", i), Body: "Nội dung", Audience: "public", AgencyID: w.a.ID,
			PublishAt: time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC), Classification: storage.Classification{ActivityID: &w.activity}}
		ds, err := h.store.CreatePost(ctx, &p, []int64{ch.ID}, nil, "test")
		if err != nil {
			t.Fatal(err)
		}
		c, err := h.store.ClaimDelivery(ctx, ds[0].ID, fmt.Sprint("lease-", i), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		outcome := map[string]string{storage.DeliveryDelivered: storage.OutcomeDelivered, storage.DeliveryFailed: storage.OutcomeFailed}[status]
		if err := h.store.FinishAttempt(ctx, c, storage.Result{Status: status, Outcome: outcome, Error: "lỗi"}); err != nil {
			t.Fatal(err)
		}
	}
	rec := storage.ActivityRecord{ActivityID: w.activity, AgencyID: w.a.ID, OccurredOn: "2026-11-02", Form: "hoi_nghi",
		Description: "Hội nghị", Count: 1, CreatedBy: 1}
	if err := h.store.CreateActivityRecord(ctx, &rec, nil, "test"); err != nil {
		t.Fatal(err)
	}
	w.editorRoot = h.user("Biên tập tỉnh", storage.RoleEditor, "mật khẩu đủ dài 1", root.ID)
	w.officerB = h.user("Cán bộ Bình Minh", storage.RoleOfficer, "mật khẩu đủ dài 2", w.b.ID)
	return w
}

var styleAttr = regexp.MustCompile(`(?i)<[^>]+\sstyle\s*=`)

// TestReportsPage: Báo cáo shows, for the current quarter by decree by
// default, the compiled report of the user's subtree with a section per
// commune; a commune's report shows its activity's progress as an SVG
// bar and the monthly chart as SVG bars with titles, with the same
// figures in a table; no script, no style attribute; Vietnamese only.
func TestReportsPage(t *testing.T) {
	w := newReportWorld(t)
	b := w.h.browser()
	b.mustLogin("Biên tập tỉnh", "mật khẩu đủ dài 1")
	p := b.get("/reports")
	if p.status != http.StatusOK {
		t.Fatalf("status %d: %s", p.status, p.body)
	}
	for _, want := range []string{
		"Báo cáo kết quả công tác tuyên truyền cải cách hành chính quý IV năm 2026",
		"Từ ngày 15/09/2026 đến ngày 14/12/2026",
		"Tổng hợp các cơ quan, đơn vị", `id="dv-` + fmt.Sprint(w.a.ID) + `"`, `id="dv-` + fmt.Sprint(w.b.ID) + `"`,
		"<title>Tháng 12/2026 – Trang thông tin điện tử: 2 tin đã đăng</title>",
		`href="/reports/export?`, "format=xlsx", "format=docx", "format=csv",
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	checkReportMarkup(t, p)

	p = b.get(fmt.Sprintf("/reports?agency=%d&kind=quarter&year=2026&quarter=4&cutoff=decree", w.a.ID))
	for _, want := range []string{
		"<title>Đạt 75,0% chỉ tiêu (3/4)</title>", "Tuyên truyền thủ tục hành chính",
		"Theo Kế hoạch tuyên truyền CCHC năm 2026", `<svg class="progress"`,
		`<th scope="row">12/2026</th><td>2</td><td>2</td>`,
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the commune's report lacks %q", want)
		}
	}
	if strings.Contains(p.body, "Tổng hợp các cơ quan, đơn vị") {
		t.Error("a commune's own report is shown as a compilation")
	}
	checkReportMarkup(t, p)

	// The calendar quarter starts on 01/10 and has the same items.
	p = b.get(fmt.Sprintf("/reports?agency=%d&kind=quarter&year=2026&quarter=4&cutoff=calendar", w.a.ID))
	if !strings.Contains(p.body, "Từ ngày 01/10/2026 đến ngày 31/12/2026") || !strings.Contains(p.body, "Đạt 75,0% chỉ tiêu") {
		t.Error("the calendar quarter's report is not shown")
	}
}

func checkReportMarkup(t *testing.T, p page) {
	t.Helper()
	checkVietnamesePage(t, p.body, "Zalo OA", "Excel", "Word", "xlsx", "docx", "csv")
	if styleAttr.MatchString(p.body) {
		t.Errorf("a style attribute: %s", styleAttr.FindString(p.body))
	}
	if hasInlineScript(p.body) {
		t.Error("an inline script")
	}
}

// TestReportsPageRefuses: bad input is said in Vietnamese next to the
// field with 422; another commune's report is not found; signed out goes
// to the log-in.
func TestReportsPageRefuses(t *testing.T) {
	w := newReportWorld(t)
	b := w.h.browser()
	b.mustLogin("Cán bộ Bình Minh", "mật khẩu đủ dài 2")
	tests := []struct {
		query  string
		status int
		says   string
	}{
		{"kind=quarter&year=1999&quarter=1", 422, "Năm phải từ 2000 đến 2100."},
		{"kind=quarter&year=20x6&quarter=1", 422, "Năm viết bằng 4 chữ số"},
		{"kind=quarter&year=2026&quarter=5", 422, "Hãy chọn quý I, II, III hoặc IV."},
		{"kind=custom&from=32/13/2026&to=01/01/2027", 422, "Kỳ báo cáo chưa đúng"},
		{"kind=custom&from=2026-01-01&to=01/01/2027", 422, "Ngày viết theo dạng ngày/tháng/năm"},
		{"kind=custom&from=01/01/2026&to=05/01/2027", 422, "dài tối đa 366 ngày"},
		{"kind=custom&from=05/01/2026&to=01/01/2026", 422, "Ngày bắt đầu phải trước"},
		{"kind=week", 422, "Hãy chọn loại kỳ báo cáo"},
		{"cutoff=monthly", 422, "Hãy chọn cách tính kỳ"},
		{fmt.Sprintf("agency=%d", w.a.ID), 404, "Không tìm thấy cơ quan, đơn vị này"},
		{"agency=abc", 422, "Hãy chọn một cơ quan, đơn vị trong danh sách."},
		{"kind=custom&from=01/12/2026&to=07/12/2026", 200, "Từ ngày 01/12/2026 đến ngày 07/12/2026"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p := b.get("/reports?" + tt.query)
			if p.status != tt.status || !strings.Contains(p.body, tt.says) {
				t.Fatalf("status %d, want %d saying %q:\n%s", p.status, tt.status, tt.says, p.body)
			}
			checkVietnamesePage(t, p.body, "Excel", "Word", "xlsx", "docx", "csv")
		})
	}
	if p := w.h.browser().get("/reports"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/login") {
		t.Errorf("signed out: %d %s", p.status, p.header.Get("Location"))
	}
}

// TestReportsExport: the export links download the same report with the
// session, named in ASCII and UTF-8; a bad format or another commune's
// report is refused in Vietnamese.
func TestReportsExport(t *testing.T) {
	w := newReportWorld(t)
	b := w.h.browser()
	b.mustLogin("Biên tập tỉnh", "mật khẩu đủ dài 1")
	q := url.Values{"agency": {fmt.Sprint(w.a.ID)}, "kind": {"quarter"}, "year": {"2026"}, "quarter": {"4"}}
	for format, ct := range map[string]string{
		"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"csv":  "text/csv; charset=utf-8",
	} {
		q.Set("format", format)
		p := b.get("/reports/export?" + q.Encode())
		cd := p.header.Get("Content-Disposition")
		if p.status != http.StatusOK || p.header.Get("Content-Type") != ct || len(p.body) < 100 ||
			!strings.Contains(cd, fmt.Sprintf(`filename="bao-cao-2026-Q4-decree-%d.%s"`, w.a.ID, format)) ||
			!strings.Contains(cd, "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20qu%C3%BD%20IV%20n%C4%83m%202026%20-%20UBND%20x%C3%A3%20An%20H%C3%B2a."+format) {
			t.Errorf("%s: %d %s %q, %d bytes", format, p.status, p.header.Get("Content-Type"), cd, len(p.body))
		}
	}
	q.Set("format", "pdf")
	if p := b.get("/reports/export?" + q.Encode()); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Hãy chọn định dạng tệp") {
		t.Errorf("pdf: %d %s", p.status, p.body)
	}
	o := w.h.browser()
	o.mustLogin("Cán bộ Bình Minh", "mật khẩu đủ dài 2")
	q.Set("format", "xlsx")
	if p := o.get("/reports/export?" + q.Encode()); p.status != http.StatusNotFound || p.header.Get("Content-Disposition") != "" {
		t.Errorf("another commune's export: %d %s", p.status, p.header.Get("Content-Disposition"))
	}
}
