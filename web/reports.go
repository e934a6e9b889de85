package web

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/reports"
	"github.com/loa-vn/loa/storage"
)

// mountReports adds Báo cáo: the report of an agency (or its subtree) for
// a period, with charts, and its exports. The API serves the same report
// to bearer tokens; these routes serve it to the signed-in session, from
// the same reports.Service.
func (p *Pages) mountReports(add adder) {
	add(http.MethodGet, "/reports", p.reportsPage, p.signedIn)
	add(http.MethodGet, "/reports/export", p.exportReport, p.signedIn)
}

func (p *Pages) reportsService() *reports.Service { return p.logins.Reports() }

// reportForm is the period picker as typed.
type reportForm struct {
	Agency, Kind, Year, Quarter, Half, From, To, Cutoff string
}

// Period kinds the picker offers.
const (
	kindQuarter = "quarter"
	kindHalf    = "half"
	kindYear    = "year"
	kindCustom  = "custom"
)

// readReportForm reads the query, filling what is missing with the
// calendar quarter of today and the decree's cut-off.
func (p *Pages) readReportForm(c echo.Context) reportForm {
	q := c.QueryParams()
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	today := p.now().In(p.loc)
	f := reportForm{Agency: get("agency"), Kind: get("kind"), Year: get("year"), Quarter: get("quarter"),
		Half: get("half"), From: get("from"), To: get("to"), Cutoff: get("cutoff")}
	if f.Kind == "" {
		f.Kind = kindQuarter
	}
	if f.Year == "" {
		f.Year = strconv.Itoa(today.Year())
	}
	if f.Quarter == "" {
		f.Quarter = strconv.Itoa((int(today.Month())-1)/3 + 1)
	}
	if f.Half == "" {
		f.Half = strconv.Itoa((int(today.Month())-1)/6 + 1)
	}
	if f.Cutoff == "" {
		f.Cutoff = reports.CutoffDecree
	}
	return f
}

var (
	yearField = regexp.MustCompile(`^\d{4}$`)
	dmyField  = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})$`)
)

// request turns the form into the service's request, or says in
// Vietnamese, by field, what is wrong.
func (f reportForm) request() (reports.Request, map[string]string) {
	errs := map[string]string{}
	var r reports.Request
	if f.Agency != "" {
		id, err := strconv.ParseInt(f.Agency, 10, 64)
		if err != nil || id <= 0 {
			errs["agency"] = "Hãy chọn một cơ quan, đơn vị trong danh sách."
		}
		r.AgencyID = id
	}
	r.Cutoff = f.Cutoff
	year := f.Year
	if f.Kind != kindCustom && !yearField.MatchString(year) {
		errs["year"] = "Năm viết bằng 4 chữ số, ví dụ 2027."
	}
	switch f.Kind {
	case kindQuarter:
		if !strings.Contains("1234", f.Quarter) || len(f.Quarter) != 1 {
			errs["quarter"] = "Hãy chọn quý I, II, III hoặc IV."
		}
		r.Period = year + "-Q" + f.Quarter
	case kindHalf:
		if f.Half != "1" && f.Half != "2" {
			errs["half"] = "Hãy chọn 6 tháng đầu năm hoặc 6 tháng cuối năm."
		}
		r.Period = year + "-H" + f.Half
	case kindYear:
		r.Period = year
	case kindCustom:
		from, okFrom := isoDay(f.From)
		to, okTo := isoDay(f.To)
		if !okFrom {
			errs["from"] = "Ngày viết theo dạng ngày/tháng/năm, ví dụ 01/01/2027."
		}
		if !okTo {
			errs["to"] = "Ngày viết theo dạng ngày/tháng/năm, ví dụ 31/03/2027."
		}
		r.Period = from + ".." + to
	default:
		errs["kind"] = "Hãy chọn loại kỳ báo cáo: quý, 6 tháng, năm hoặc tùy chọn."
	}
	return r, errs
}

// isoDay turns dd/mm/yyyy into yyyy-mm-dd; the service checks the day exists.
func isoDay(s string) (string, bool) {
	m := dmyField.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	d, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	return m[3] + "-" + pad2(mo) + "-" + pad2(d), true
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// reportRefusal says in Vietnamese why the service refused a report, by
// the form's field, and the status to answer with; ok is false for an
// error that is not the request's fault.
func (f reportForm) refusal(err error) (field, msg string, status int, ok bool) {
	var bad *publishing.InvalidError
	var missing *publishing.NotFoundError
	switch {
	case errors.As(err, &missing):
		return "agency", "Không tìm thấy cơ quan, đơn vị này trong phạm vi của bạn.", http.StatusNotFound, true
	case errors.Is(err, publishing.ErrNotAllowed):
		return "", "Tài khoản của bạn không được xem báo cáo.", http.StatusForbidden, true
	case errors.Is(err, reports.ErrBusy):
		return "", "Đang có nhiều báo cáo được lập cùng lúc. Vui lòng thử lại sau ít phút.", http.StatusServiceUnavailable, true
	case !errors.As(err, &bad):
		return "", "", 0, false
	}
	field = "period"
	if f.Kind == kindCustom {
		field = "from"
	}
	msg = map[string]string{
		reports.RuleYearRange:       "Năm phải từ 2000 đến 2100.",
		reports.RulePeriodOrder:     "Ngày bắt đầu phải trước hoặc trùng ngày kết thúc.",
		reports.RulePeriodLong:      "Khoảng thời gian tùy chọn dài tối đa 366 ngày.",
		reports.RuleBadCutoff:       "Hãy chọn cách tính kỳ: theo Nghị định 09/2019/NĐ-CP hoặc theo lịch.",
		reports.RuleTooManyAgencies: "Cơ quan, đơn vị này có quá nhiều đơn vị trực thuộc để lập một báo cáo; hãy chọn một đơn vị cấp dưới.",
		reports.RuleBadFormat:       "Hãy chọn định dạng tệp: Excel, Word hoặc CSV.",
		reports.RuleTooLarge:        "Báo cáo quá lớn để xuất tệp; hãy chọn kỳ ngắn hơn hoặc một đơn vị cấp dưới.",
	}[bad.Rule]
	switch bad.Rule {
	case reports.RuleBadCutoff:
		field = "cutoff"
	case reports.RuleTooManyAgencies:
		field = "agency"
	case reports.RuleBadFormat, reports.RuleTooLarge:
		field = ""
	}
	if msg == "" {
		msg = "Kỳ báo cáo chưa đúng: hãy kiểm tra năm, quý hoặc các ngày đã nhập."
	}
	return field, msg, http.StatusUnprocessableEntity, true
}

// reportsPage is Báo cáo: the picker and, for a good request, the report.
func (p *Pages) reportsPage(c echo.Context) error {
	u := currentUser(c)
	f := p.readReportForm(c)
	v, err := p.reportPicker(c, u, f)
	if err != nil {
		return p.failed(c, err)
	}
	req, errs := f.request()
	status := http.StatusOK
	if len(errs) == 0 {
		rep, err := p.reportsService().Compute(c.Request().Context(), u, req)
		if err != nil {
			field, msg, st, ok := f.refusal(err)
			if !ok {
				return p.failed(c, err)
			}
			errs[field], status = msg, st
		} else {
			v.Report = p.reportView(rep)
			v.Exports = exportLinks(f)
		}
	} else {
		status = http.StatusUnprocessableEntity
	}
	v.Errors = errs
	return p.render(c, status, "reports", view{Title: "Báo cáo", User: &u, CSRF: currentSession(c).CSRFToken, Data: v})
}

// exportReport downloads the report as .xlsx, .docx or .csv.
func (p *Pages) exportReport(c echo.Context) error {
	u := currentUser(c)
	f := p.readReportForm(c)
	req, errs := f.request()
	if len(errs) > 0 {
		return p.message(c, http.StatusUnprocessableEntity, "Báo cáo", "Kỳ báo cáo chưa đúng: hãy quay lại trang Báo cáo, sửa rồi tải lại.")
	}
	file, err := p.reportsService().Export(c.Request().Context(), u, req, c.QueryParam("format"))
	if err != nil {
		_, msg, status, ok := f.refusal(err)
		if !ok {
			return p.failed(c, err)
		}
		return p.message(c, status, "Báo cáo", msg)
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, file.ContentDisposition())
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, file.ContentType, file.Body)
}

// exportLinks are the download links: the page's own query with format.
func exportLinks(f reportForm) []exportLink {
	base := url.Values{}
	for k, v := range map[string]string{"agency": f.Agency, "kind": f.Kind, "year": f.Year, "quarter": f.Quarter,
		"half": f.Half, "from": f.From, "to": f.To, "cutoff": f.Cutoff} {
		if v != "" {
			base.Set(k, v)
		}
	}
	var out []exportLink
	for _, e := range []exportLink{{Format: reports.FormatXLSX, Label: "Tải bảng tính Excel (.xlsx)"},
		{Format: reports.FormatDOCX, Label: "Tải văn bản Word (.docx)"}, {Format: reports.FormatCSV, Label: "Tải số liệu chi tiết (.csv)"}} {
		base.Set("format", e.Format)
		e.URL = "/reports/export?" + base.Encode()
		out = append(out, e)
	}
	return out
}

type exportLink struct{ Format, Label, URL string }

// reportPicker is the picker with the agencies the user may report on.
func (p *Pages) reportPicker(c echo.Context, u storage.User, f reportForm) (reportsView, error) {
	v := reportsView{Form: f, Zone: zoneLabel(p.loc, p.now())}
	agencies, err := p.store.ListAgencies(c.Request().Context(), u.AgencyID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return v, err
	}
	selected := f.Agency
	if selected == "" {
		selected = strconv.FormatInt(u.AgencyID, 10)
	}
	for _, a := range agencies {
		id := strconv.FormatInt(a.ID, 10)
		v.Agencies = append(v.Agencies, option{Value: id, Label: strings.Repeat("— ", max(len(a.Names)-len(agencies[0].Names), 0)) + a.Name,
			Selected: id == selected})
	}
	return v, nil
}
