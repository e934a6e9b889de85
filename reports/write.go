package reports

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on what a writer accepts, so one request cannot make a file of
// any size: a report over them is refused with ErrTooLarge before a byte
// is written.
const (
	MaxSections       = 500    // agencies in a province report
	MaxActivities     = 500    // activities in one Results
	MaxMatrixCells    = 5000   // form × content area × audience cells in one Results
	MaxMonthCounts    = 2000   // month × form counts in one Results
	MaxRecipients     = 50     // "Nơi nhận" lines
	MaxTextRunes      = 2000   // any one text of the report (a title, a name)
	MaxCSVRows        = 200000 // deliveries plus records in one CSV
	maxCSVCellRunes   = 32767  // Excel's own limit on a cell's text
	maxSignerPosition = 5      // lines of the signer's position
)

// ErrTooLarge is returned (wrapped) by a writer given more than its limits.
var ErrTooLarge = errors.New("reports: too large to write")

// Texts the writers share: the same words in the workbook, the document
// and the CSV.
const (
	textNoData      = "Không có số liệu"
	textUnsorted    = "Chưa phân loại"
	textReportTitle = "Kết quả công tác tuyên truyền cải cách hành chính"
)

// activityHeadings are the per-activity table's columns in the workbook.
var activityHeadings = []string{
	"Mã", "Hoạt động", "Nội dung", "Đối tượng", "Hình thức", "Thời gian",
	"Chỉ tiêu", "Đã thực hiện", "Tỷ lệ", "Đã đăng", "Không thành công",
	"Chưa xác nhận", "Đúng giờ", "Lượt tiếp cận",
}

// checkReport refuses a report over the writers' limits.
func checkReport(r Report) error {
	if len(r.Sections) > MaxSections {
		return fmt.Errorf("%w: %d sections (at most %d)", ErrTooLarge, len(r.Sections), MaxSections)
	}
	if len(r.Recipients) > MaxRecipients {
		return fmt.Errorf("%w: %d recipients (at most %d)", ErrTooLarge, len(r.Recipients), MaxRecipients)
	}
	if len(r.Signer.Position) > maxSignerPosition {
		return fmt.Errorf("%w: %d position lines (at most %d)", ErrTooLarge, len(r.Signer.Position), maxSignerPosition)
	}
	texts := []string{r.Agency.Name, r.Agency.ParentName, r.Number, r.Place, r.PlanTitle,
		r.PlanReference, r.Period.Label, r.Signer.Name}
	texts = append(texts, r.Recipients...)
	texts = append(texts, r.Signer.Position...)
	if err := checkTexts(texts...); err != nil {
		return err
	}
	if err := checkResults(r.Own); err != nil {
		return err
	}
	for _, s := range r.Sections {
		if err := checkTexts(s.Agency.Name, s.Agency.ParentName); err != nil {
			return err
		}
		if err := checkResults(s.Results); err != nil {
			return fmt.Errorf("section %q: %w", s.Agency.Name, err)
		}
	}
	return nil
}

func checkResults(res Results) error {
	switch {
	case len(res.Activities) > MaxActivities:
		return fmt.Errorf("%w: %d activities (at most %d)", ErrTooLarge, len(res.Activities), MaxActivities)
	case len(res.Matrix) > MaxMatrixCells:
		return fmt.Errorf("%w: %d matrix cells (at most %d)", ErrTooLarge, len(res.Matrix), MaxMatrixCells)
	case len(res.Monthly) > MaxMonthCounts:
		return fmt.Errorf("%w: %d monthly counts (at most %d)", ErrTooLarge, len(res.Monthly), MaxMonthCounts)
	}
	for _, a := range res.Activities {
		if err := checkTexts(a.Code, a.Title, a.ContentArea, a.Audience, a.Timing, a.Unit, a.TargetText); err != nil {
			return err
		}
		if err := checkTexts(a.Forms...); err != nil {
			return err
		}
	}
	for _, c := range res.Matrix {
		if err := checkTexts(c.Form, c.ContentArea, c.Audience); err != nil {
			return err
		}
	}
	return nil
}

func checkTexts(texts ...string) error {
	for _, s := range texts {
		if n := utf8.RuneCountInString(s); n > MaxTextRunes {
			return fmt.Errorf("%w: a text of %d characters (at most %d)", ErrTooLarge, n, MaxTextRunes)
		}
	}
	return nil
}

// cleanText drops the control characters XML 1.0 cannot carry (and Excel
// would show as boxes), keeping tabs and line breaks, and invalid UTF-8.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n':
			return r
		case r == '\r':
			return -1
		case r < 0x20, r == 0x7f, r == utf8.RuneError,
			r >= 0xfffe && r <= 0xffff, r >= 0xd800 && r <= 0xdfff:
			return -1
		}
		return r
	}, s)
}

// formatDate is dd/mm/yyyy in the time's own location.
func formatDate(t time.Time) string { return t.Format("02/01/2006") }

// formatDateTime is dd/mm/yyyy HH:MM in the time's own location.
func formatDateTime(t time.Time) string { return t.Format("02/01/2006 15:04") }

// periodDates is "từ ngày 15/12/2026 đến ngày 14/03/2027".
func periodDates(p Period) string {
	return "từ ngày " + formatDate(p.From) + " đến ngày " + formatDate(p.LastDay())
}

// cutoffText names the period's rule.
func cutoffText(p Period) string {
	if p.Cutoff == CutoffCalendar {
		return "theo năm dương lịch"
	}
	return "thời gian chốt số liệu theo Nghị định số 09/2019/NĐ-CP"
}

// formatCount writes 12345 as "12.345", the Vietnamese way.
func formatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatRate writes 0.855 as "85,5%".
func formatRate(r float64) string {
	return strings.Replace(strconv.FormatFloat(r*100, 'f', 1, 64), ".", ",", 1) + "%"
}

// formatOptRate is formatRate, or "" when there is no rate.
func formatOptRate(r *float64) string {
	if r == nil {
		return ""
	}
	return formatRate(*r)
}

// formatReach is the reach, or "Không có số liệu" when no platform
// reported one — never 0.
func formatReach(r *int64) string {
	if r == nil {
		return textNoData
	}
	return formatCount(*r)
}

// targetText is the planned count, or the plan's own words for it.
func targetText(a ActivityResult) string {
	if a.Target != nil {
		return formatCount(*a.Target)
	}
	return a.TargetText
}

// doneOf sums what was done for each activity of res.
func doneOf(res Results) int64 {
	var n int64
	for _, a := range res.Activities {
		n += a.Done
	}
	return n
}

// belowTarget says whether an activity with a target has not reached it.
func belowTarget(a ActivityResult) bool {
	return a.Target != nil && *a.Target > 0 && a.Done < *a.Target
}

// issuedLine is "Bình Định, ngày 05 tháng 02 năm 2027" with the decree's
// zero before a day under 10 and the months 1 and 2; a report not yet
// dated leaves the day and month blank for the signer to fill in.
func issuedLine(place string, on time.Time, year int) string {
	prefix := ""
	if place != "" {
		prefix = place + ", "
	}
	if on.IsZero() {
		return fmt.Sprintf("%sngày     tháng     năm %d", prefix, year)
	}
	day := strconv.Itoa(on.Day())
	if on.Day() < 10 {
		day = "0" + day
	}
	month := strconv.Itoa(int(on.Month()))
	if on.Month() < 3 {
		month = "0" + month
	}
	return fmt.Sprintf("%sngày %s tháng %s năm %d", prefix, day, month, on.Year())
}

// reportYear is the year printed in an undated report's date line.
func reportYear(r Report) int {
	if !r.IssuedOn.IsZero() {
		return r.IssuedOn.Year()
	}
	if !r.GeneratedAt.IsZero() {
		return r.GeneratedAt.In(r.Period.From.Location()).Year()
	}
	return r.Period.LastDay().Year()
}

// monthLabel is "01/2027".
func monthLabel(t time.Time) string { return t.Format("01/2006") }

// monthlyTable arranges monthly counts as months (in time order) ×
// forms (in order of first appearance).
type monthlyTable struct {
	Months []time.Time
	Forms  []string
	Counts [][]int64 // [month][form]
}

func buildMonthly(counts []MonthCount) monthlyTable {
	var t monthlyTable
	formIdx := map[string]int{}
	seen := map[string]bool{}
	for _, c := range counts {
		m := time.Date(c.Month.Year(), c.Month.Month(), 1, 0, 0, 0, 0, c.Month.Location())
		if !seen[monthLabel(m)] {
			seen[monthLabel(m)] = true
			t.Months = append(t.Months, m)
		}
		if _, ok := formIdx[monthForm(c)]; !ok {
			formIdx[monthForm(c)] = len(t.Forms)
			t.Forms = append(t.Forms, monthForm(c))
		}
	}
	slices.SortFunc(t.Months, func(a, b time.Time) int { return a.Compare(b) })
	monthIdx := map[string]int{}
	for i, m := range t.Months {
		monthIdx[monthLabel(m)] = i
	}
	t.Counts = make([][]int64, len(t.Months))
	for i := range t.Counts {
		t.Counts[i] = make([]int64, len(t.Forms))
	}
	for _, c := range counts {
		t.Counts[monthIdx[monthLabel(c.Month)]][formIdx[monthForm(c)]] += c.Count
	}
	return t
}

func monthForm(c MonthCount) string {
	if c.Form == "" {
		return textUnsorted
	}
	return c.Form
}
