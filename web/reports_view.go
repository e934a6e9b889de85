package web

import (
	"fmt"
	"math"
	"strings"

	"github.com/loa-vn/loa/plans"
	"github.com/loa-vn/loa/reports"
)

// reportsView is Báo cáo: the picker, its errors and the report.
type reportsView struct {
	Form     reportForm
	Errors   map[string]string
	Zone     string
	Agencies []option
	Report   *reportPage
	Exports  []exportLink
}

// reportPage is a report laid out for the page: every figure already
// written the Vietnamese way, every chart already measured.
type reportPage struct {
	Title, Agency, Dates, Cutoff, Plan, Generated string
	Own                                           reportResults
	// Sections are the agencies of a compiled report; Own is then their totals.
	Sections []sectionPage
}

type sectionPage struct {
	ID                                                    int64
	Name, Parent                                          string
	Done, Delivered, Failed, Unconfirmed, OnTime, Records string
	Results                                               reportResults
}

type reportResults struct {
	Totals     []reportFact
	Activities []reportActivityRow
	Matrix     []reports.MatrixCell
	Chart      *barChart
	Months     monthTable
}

type reportFact struct{ Label, Value string }

type reportActivityRow struct {
	Code, Title, ContentArea, Audience, Forms, Timing, Unit string
	Target, Done, ByForm, Delivered, Failed, Unconfirmed    string
	OnTime, Reach                                           string
	Bar                                                     *progressBar
}

// progressBar is an activity's progress as SVG: a track and a fill.
type progressBar struct {
	Width, Fill int
	Color       string
	Label       string
}

const progressWidth = 120

// barChart is the delivered items per month, stacked by form, as SVG
// elements with their coordinates; the table beside it says the same.
type barChart struct {
	Width, Height int
	Title         string
	Bars          []chartBar
	XLabels       []chartText
	YLabels       []chartText
	Grid          []chartLine
	Legend        []legendItem
}

type chartBar struct {
	X, Y, W, H int
	Fill       string
	Title      string
}

type chartText struct {
	X, Y int
	Text string
}

type chartLine struct{ X1, Y1, X2, Y2 int }

type legendItem struct{ Fill, Label string }

type monthTable struct {
	Forms []string
	Rows  []monthRow
}

type monthRow struct {
	Month  string
	Counts []string
	Total  string
}

// formColors are the forms' colours in the chart, by their order in
// plans.Forms; chosen to stay apart for common colour blindness.
var formColors = []string{"#0b5cad", "#e07b00", "#2e9e5b", "#b42318", "#7a4cc2", "#8c6d1f",
	"#d45d9e", "#5f6b7a", "#00838f", "#9e9d24", "#6d4c41", "#37474f"}

func formColor(label string) string {
	for i, f := range plans.Forms() {
		if f.Label == label {
			return formColors[i%len(formColors)]
		}
	}
	return formColors[len(formColors)-1]
}

func (p *Pages) reportView(r reports.Report) *reportPage {
	cutoff := "theo thời gian chốt số liệu của Nghị định số 09/2019/NĐ-CP"
	if r.Period.Cutoff == reports.CutoffCalendar {
		cutoff = "theo lịch"
	}
	out := &reportPage{
		Title:  "Báo cáo kết quả công tác tuyên truyền cải cách hành chính " + r.Period.Label,
		Agency: r.Agency.Name, Cutoff: cutoff,
		Dates:     "Từ ngày " + r.Period.From.Format("02/01/2006") + " đến ngày " + r.Period.LastDay().Format("02/01/2006"),
		Plan:      strings.TrimSpace(r.PlanTitle + " " + parenthesised(r.PlanReference)),
		Generated: r.GeneratedAt.In(p.loc).Format("02/01/2006 15:04"),
		Own:       reportResultsView(r.Own),
	}
	for _, s := range r.Sections {
		var done int64
		for _, a := range s.Results.Activities {
			done += a.Done
		}
		res := s.Results
		out.Sections = append(out.Sections, sectionPage{ID: s.Agency.ID, Name: s.Agency.Name, Parent: s.Agency.ParentName,
			Done: reports.FormatCount(done), Delivered: reports.FormatCount(res.Delivered), Failed: reports.FormatCount(res.Failed),
			Unconfirmed: reports.FormatCount(res.Unconfirmed), OnTime: rateText(res.OnTimeRate),
			Records: reports.FormatCount(res.RecordCount), Results: reportResultsView(res)})
	}
	return out
}

func parenthesised(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

func rateText(r *float64) string {
	if r == nil {
		return "—"
	}
	return reports.FormatRate(*r)
}

func reportResultsView(r reports.Results) reportResults {
	out := reportResults{Matrix: r.Matrix, Chart: monthlyChart(r.Monthly), Months: monthlyTable(r.Monthly),
		Totals: []reportFact{
			{"Tin đã đăng", reports.FormatCount(r.Delivered)},
			{"Đăng đúng giờ (trong 5 phút)", reports.FormatCount(r.OnTime) + " (" + rateText(r.OnTimeRate) + ")"},
			{"Lượt gửi không thành công", reports.FormatCount(r.Failed)},
			{"Lượt gửi chưa xác nhận", reports.FormatCount(r.Unconfirmed)},
			{"Lượt gửi chưa đến giờ hoặc đang gửi", reports.FormatCount(r.Other)},
			{"Lượt tiếp cận", reports.FormatReach(r.Reach)},
			{"Hoạt động trực tiếp đã ghi nhận", reports.FormatCount(r.Records) + " lần, số lượng " + reports.FormatCount(r.RecordCount)},
		}}
	for _, a := range r.Activities {
		out.Activities = append(out.Activities, reportActivityView(a))
	}
	return out
}

func reportActivityView(a reports.ActivityResult) reportActivityRow {
	row := reportActivityRow{Code: a.Code, Title: a.Title, ContentArea: a.ContentArea, Audience: a.Audience,
		Forms: strings.Join(a.Forms, "; "), Timing: a.Timing, Unit: a.Unit, Target: a.TargetText,
		Done: reports.FormatCount(a.Done), Delivered: reports.FormatCount(a.Delivered), Failed: reports.FormatCount(a.Failed),
		Unconfirmed: reports.FormatCount(a.Unconfirmed), OnTime: rateText(a.OnTimeRate), Reach: reports.FormatReach(a.Reach)}
	if a.Target != nil {
		row.Target = reports.FormatCount(*a.Target)
	}
	var parts []string
	for _, f := range plans.Forms() {
		if n := a.ByForm[f.Code]; n > 0 {
			parts = append(parts, f.Label+": "+reports.FormatCount(n))
		}
	}
	row.ByForm = strings.Join(parts, "; ")
	if a.Progress != nil {
		fill := int(math.Round(math.Min(*a.Progress, 1) * progressWidth))
		color := "#0b5cad"
		if *a.Progress >= 1 {
			color = "#1a7f37"
		}
		row.Bar = &progressBar{Width: progressWidth, Fill: fill, Color: color,
			Label: fmt.Sprintf("Đạt %s chỉ tiêu (%s/%s)", reports.FormatRate(*a.Progress), row.Done, row.Target)}
	}
	return row
}

// Chart geometry, in SVG user units.
const (
	chartWidth, chartHeight = 720, 300
	chartLeft, chartRight   = 56, 16
	chartTop, chartBottom   = 16, 40
)

// monthlyChart stacks each month's delivered items by form; nil when
// nothing was delivered.
func monthlyChart(counts []reports.MonthCount) *barChart {
	t := monthlyTable(counts)
	if len(t.Rows) == 0 || len(t.Forms) == 0 {
		return nil
	}
	totals := make([]int64, len(t.Rows))
	byMonth := map[string]map[string]int64{}
	for _, c := range counts {
		m := c.Month.Format("01/2006")
		if byMonth[m] == nil {
			byMonth[m] = map[string]int64{}
		}
		byMonth[m][c.Form] += c.Count
	}
	var top int64
	for i, r := range t.Rows {
		for _, n := range byMonth[r.Month] {
			totals[i] += n
		}
		top = max(top, totals[i])
	}
	if top == 0 {
		return nil
	}
	scale := niceCeil(top)
	ch := &barChart{Width: chartWidth, Height: chartHeight, Title: "Số tin đã đăng theo tháng và hình thức"}
	plotW, plotH := chartWidth-chartLeft-chartRight, chartHeight-chartTop-chartBottom
	base := chartTop + plotH
	for i := 0; i <= 4; i++ {
		y := base - plotH*i/4
		ch.Grid = append(ch.Grid, chartLine{chartLeft, y, chartWidth - chartRight, y})
		ch.YLabels = append(ch.YLabels, chartText{chartLeft - 6, y + 4, reports.FormatCount(scale * int64(i) / 4)})
	}
	group := plotW / len(t.Rows)
	barW := max(group*3/5, 2)
	for i, r := range t.Rows {
		x := chartLeft + group*i + (group-barW)/2
		y := base
		for _, f := range t.Forms {
			n := byMonth[r.Month][f]
			if n == 0 {
				continue
			}
			h := int(math.Round(float64(n) / float64(scale) * float64(plotH)))
			y -= h
			ch.Bars = append(ch.Bars, chartBar{X: x, Y: y, W: barW, H: max(h, 1), Fill: formColor(f),
				Title: fmt.Sprintf("Tháng %s – %s: %s tin đã đăng", r.Month, f, reports.FormatCount(n))})
		}
		ch.XLabels = append(ch.XLabels, chartText{x + barW/2, base + 18, r.Month})
	}
	for _, f := range t.Forms {
		ch.Legend = append(ch.Legend, legendItem{Fill: formColor(f), Label: f})
	}
	return ch
}

// niceCeil is the chart's top: four equal whole steps of 1, 2, 2.5 or 5
// times a power of ten (2.5 only from 25 up), at or above n.
func niceCeil(n int64) int64 {
	need := (n + 3) / 4
	for p := int64(1); ; p *= 10 {
		for _, step := range []int64{p, 2 * p, 5 * p / 2, 5 * p} {
			if step >= need && (step != 5*p/2 || p >= 10) {
				return 4 * step
			}
		}
	}
}

// monthlyTable is the chart's text: months down, forms across, the forms
// that have any count.
func monthlyTable(counts []reports.MonthCount) monthTable {
	var t monthTable
	cells := map[string]map[string]int64{}
	var months []string
	for _, c := range counts {
		m := c.Month.Format("01/2006")
		if cells[m] == nil {
			cells[m] = map[string]int64{}
			months = append(months, m)
		}
		cells[m][c.Form] += c.Count
		if c.Count > 0 && !containsText(t.Forms, c.Form) {
			t.Forms = append(t.Forms, c.Form)
		}
	}
	for _, m := range months {
		row := monthRow{Month: m}
		var total int64
		for _, f := range t.Forms {
			row.Counts = append(row.Counts, reports.FormatCount(cells[m][f]))
			total += cells[m][f]
		}
		row.Total = reports.FormatCount(total)
		t.Rows = append(t.Rows, row)
	}
	return t
}

func containsText(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
