package recurrence

import (
	"fmt"
	"strings"
	"text/template"
	"time"
)

// OccurrenceData is what a schedule's template text can use, e.g.
// "Bản tin CCHC tuần {{.Week}} ({{.Date}})".
type OccurrenceData struct {
	Date    string // 23/11/2026
	Time    string // 07:00
	Weekday string // Thứ Hai
	Week    int    // ISO week number
	Month   int
	Year    int
}

var weekdays = [...]string{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

// Expand renders text for the occurrence at `at`, in loc. Text without
// "{{" is returned as it is.
func Expand(text string, at time.Time, loc *time.Location) (string, error) {
	if !strings.Contains(text, "{{") {
		return text, nil
	}
	t, err := template.New("text").Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("recurrence: template: %w", err)
	}
	local := at.In(loc)
	_, week := local.ISOWeek()
	data := OccurrenceData{Date: local.Format("02/01/2006"), Time: local.Format("15:04"),
		Weekday: weekdays[local.Weekday()], Week: week, Month: int(local.Month()), Year: local.Year()}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("recurrence: template: %w", err)
	}
	return b.String(), nil
}
