package web

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/plans"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// activityRow is one activity's row of the plan form, as typed; its
// fields are named "a<Index>_<field>".
type activityRow struct {
	Index                 int
	ID                    string
	Code, Title           string
	ContentArea, Audience string
	Forms                 map[string]bool
	Timing, From, To      string
	Unit                  string
	Target, TargetText    string
	Remove                bool
	Errors                map[string]string
}

// planForm is a plan's form: the plan's fields and one row per activity,
// with the lists to choose from and the errors to show.
type planForm struct {
	ID                     int64
	Title, Year, Reference string
	Rows                   []activityRow
	Errors                 map[string]string
	// Areas, Audiences, Forms and Timings are the choices.
	Areas, Audiences []plans.Choice
	Forms            []plans.Form
	Timings          []plans.Choice
	// wantsRow is set when the form asked for one more row.
	wantsRow bool
	// rowOf maps the index of an activity sent to the layer to its row.
	rowOf []int
}

// maxFormRows bounds the rows a form may post: the plan's cap and one to
// fill.
const maxFormRows = plans.MaxActivities + 1

func emptyRow(i int) activityRow {
	return activityRow{Index: i, Timing: storage.TimingAllYear, Forms: map[string]bool{}, Errors: map[string]string{}}
}

// formOfPlan is the form filled from a stored plan.
func formOfPlan(pl storage.Plan, acts []storage.PlanActivity) *planForm {
	f := &planForm{ID: pl.ID, Title: pl.Title, Year: strconv.Itoa(pl.Year), Reference: pl.Reference}
	for i, a := range acts {
		r := emptyRow(i)
		r.ID, r.Code, r.Title, r.ContentArea, r.Audience = strconv.FormatInt(a.ID, 10), a.Code, a.Title, a.ContentArea, a.Audience
		for _, form := range a.Forms {
			r.Forms[form] = true
		}
		r.Timing, r.Unit, r.TargetText = a.TimingKind, a.Unit, a.TargetText
		if a.TimingKind == storage.TimingRange {
			r.From, r.To = dayOf(a.TimingFrom), dayOf(a.TimingTo)
		}
		if a.Target != nil {
			r.Target = strconv.FormatInt(*a.Target, 10)
		}
		f.Rows = append(f.Rows, r)
	}
	f.Rows = append(f.Rows, emptyRow(len(acts)))
	return f
}

// dayOf shows a stored day (YYYY-MM-DD) as dd/mm/yyyy.
func dayOf(stored string) string {
	if d, ok := plans.ParseDay(stored); ok {
		return d.Format("02/01/2006")
	}
	return stored
}

// readPlanForm reads the posted form; the "rows" count is bounded.
func readPlanForm(c echo.Context) *planForm {
	f := &planForm{Title: c.FormValue("title"), Year: c.FormValue("year"), Reference: c.FormValue("reference"),
		Errors: map[string]string{}, wantsRow: c.FormValue("action") == "them"}
	n, _ := strconv.Atoi(c.FormValue("rows"))
	n = max(0, min(n, maxFormRows))
	form, _ := c.FormParams()
	for i := range n {
		get := func(field string) string { return c.FormValue(fmt.Sprintf("a%d_%s", i, field)) }
		r := emptyRow(i)
		r.ID, r.Code, r.Title, r.ContentArea, r.Audience = get("id"), get("code"), get("title"), get("content_area"), get("audience")
		r.Timing, r.From, r.To, r.Unit = get("timing"), get("from"), get("to"), get("unit")
		r.Target, r.TargetText, r.Remove = get("target"), get("target_text"), get("remove") != ""
		for _, code := range form[fmt.Sprintf("a%d_forms", i)] {
			r.Forms[code] = true
		}
		f.Rows = append(f.Rows, r)
	}
	return f
}

// addRow appends an empty row when the form asked for one (nothing is
// stored), up to the plan's cap; it reports whether it was asked.
func (f *planForm) addRow() bool {
	if !f.wantsRow {
		return false
	}
	if len(f.Rows) < maxFormRows {
		f.Rows = append(f.Rows, emptyRow(len(f.Rows)))
	} else {
		f.Errors["activities"] = fmt.Sprintf("Một kế hoạch có tối đa %d hoạt động.", plans.MaxActivities)
	}
	return true
}

// blank is a new row the user left empty: it is not an activity.
func (r activityRow) blank() bool {
	return r.ID == "" && strings.TrimSpace(r.Code+r.Title+r.Unit+r.Target+r.TargetText+r.From+r.To) == "" && len(r.Forms) == 0
}

// input is the form as the layer takes it; what the form itself gets
// wrong (a year or a target that is no number) is marked here.
func (f *planForm) input() (plans.PlanInput, bool) {
	in := plans.PlanInput{Title: &f.Title, Reference: &f.Reference}
	year, err := strconv.Atoi(strings.TrimSpace(f.Year))
	if err != nil {
		f.Errors["year"] = "Vui lòng nhập năm của kế hoạch, ví dụ 2026."
	}
	in.Year = &year
	acts := []plans.ActivityInput{}
	for _, r := range f.Rows {
		if r.Remove || r.blank() {
			continue
		}
		a := plans.ActivityInput{Code: r.Code, Title: r.Title, ContentArea: r.ContentArea, Audience: r.Audience,
			Unit: r.Unit, TargetText: r.TargetText, TimingKind: r.Timing}
		if r.ID != "" {
			if a.ID, err = strconv.ParseInt(r.ID, 10, 64); err != nil {
				r.Errors["title"] = "Hoạt động này không thuộc kế hoạch. Vui lòng tải lại trang."
			}
		}
		if r.Timing == storage.TimingRange {
			a.TimingKind, a.TimingFrom, a.TimingTo = storage.TimingRange, r.From, r.To
		}
		if t := strings.TrimSpace(r.Target); t != "" {
			n, err := strconv.ParseInt(strings.ReplaceAll(t, ".", ""), 10, 64)
			if err != nil {
				r.Errors["target"] = "Chỉ tiêu phải là một số nguyên, ví dụ 12; có thể ghi thêm mô tả ở ô bên cạnh."
			}
			a.Target = &n
		}
		for _, form := range plans.Forms() {
			if r.Forms[form.Code] {
				a.Forms = append(a.Forms, form.Code)
			}
		}
		acts = append(acts, a)
		f.rowOf = append(f.rowOf, r.Index)
	}
	in.Activities = &acts
	return in, len(f.Errors) == 0 && !f.rowErrors()
}

func (f *planForm) rowErrors() bool {
	for _, r := range f.Rows {
		if len(r.Errors) > 0 {
			return true
		}
	}
	return false
}

var activityField = regexp.MustCompile(`^activities\[(\d+)\]\.(\w+)$`)

// refused puts the layer's refusal next to its field, in Vietnamese, and
// reports whether it was one the form can show.
func (f *planForm) refused(err error) bool {
	var bad *publishing.InvalidError
	var state *publishing.StateError
	switch {
	case errors.As(err, &state) && state.Code == "activity_in_use":
		f.Errors["activities"] = "Không xóa được hoạt động đã có tin bài, lịch định kỳ, nguồn tin hoặc kết quả ghi nhận. " +
			"Vui lòng bỏ chọn “Xóa” ở các hoạt động đó rồi lưu lại. Chưa có gì được lưu."
		return true
	case !errors.As(err, &bad):
		return false
	}
	if m := activityField.FindStringSubmatch(bad.Field); m != nil {
		i, _ := strconv.Atoi(m[1])
		if i < len(f.rowOf) {
			f.Rows[f.rowOf[i]].Errors[m[2]] = activityMessage(m[2])
			return true
		}
	}
	msg, ok := planMessages[bad.Field]
	if !ok {
		return false
	}
	f.Errors[bad.Field] = msg
	return true
}

// planMessages say each plan field's rule in Vietnamese.
var planMessages = map[string]string{
	"title":      "Vui lòng nhập tên kế hoạch (tối đa 1000 ký tự).",
	"year":       "Năm của kế hoạch phải từ 2000 đến 2100.",
	"reference":  "Số, ký hiệu văn bản tối đa 500 ký tự.",
	"activities": fmt.Sprintf("Một kế hoạch có tối đa %d hoạt động.", plans.MaxActivities),
	"agency_id":  "Cơ quan, đơn vị không hợp lệ.",
}

// activityMessage says an activity field's rule in Vietnamese.
func activityMessage(field string) string {
	switch field {
	case "title":
		return "Vui lòng nhập tên hoạt động (tối đa 2000 ký tự)."
	case "code":
		return "Số thứ tự tối đa 20 ký tự, ví dụ 2.4."
	case "timing":
		return "Thời gian không hợp lệ: chọn một mục, hoặc chọn “Khoảng thời gian” và nhập từ ngày, đến ngày (ngày/tháng/năm) trong năm của kế hoạch hoặc năm liền kề."
	case "forms":
		return "Hình thức không hợp lệ. Vui lòng chọn lại."
	case "content_area", "audience":
		return "Mục này không còn trong danh mục. Vui lòng chọn lại."
	case "target":
		return "Chỉ tiêu phải là số từ 0 đến 1.000.000.000."
	case "id":
		return "Hoạt động này không thuộc kế hoạch. Vui lòng tải lại trang."
	}
	return "Giá trị không hợp lệ (quá dài hoặc sai dạng). Vui lòng kiểm tra lại."
}

// recordForm is the offline-record form as typed.
type recordForm struct {
	Date, Form, Description, Count string
	Errors                         map[string]string
}

func newRecordForm(now time.Time) recordForm {
	return recordForm{Date: now.Format("02/01/2006"), Form: plans.FormConference, Count: "1", Errors: map[string]string{}}
}

// recordMessages say the record rules in Vietnamese.
var recordMessages = map[string]string{
	"date":        "Vui lòng nhập ngày thực hiện theo dạng ngày/tháng/năm, không muộn hơn hôm nay.",
	"form":        "Vui lòng chọn hình thức.",
	"description": "Nội dung tối đa 2000 ký tự.",
	"count":       "Số lượng phải là số nguyên từ 0 đến 10.000.000.",
	"attachment":  "Tệp đính kèm phải là PDF, JPEG hoặc PNG, không rỗng, tối đa 10 MB.",
	"activity_id": "Không tìm thấy hoạt động này.",
}
