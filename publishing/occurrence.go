package publishing

import (
	"fmt"
	"time"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/placeholder"
	"github.com/loa-vn/loa/recurrence"
	"github.com/loa-vn/loa/storage"
)

// OccurrenceFields are the placeholders a schedule's title and summary may
// use, e.g. "Bản tin CCHC tuần {{.Week}} ({{.Date}})".
var OccurrenceFields = []string{"Date", "Time", "Weekday", "Week", "Month", "Year"}

// occurrenceData is what OccurrenceFields name, for one occurrence.
type occurrenceData struct {
	Date    string // 23/11/2026
	Time    string // 07:00
	Weekday string // Thứ Hai
	Week    int    // ISO week number
	Month   int
	Year    int
}

var weekdays = [...]string{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

func newOccurrenceData(at time.Time, loc *time.Location) occurrenceData {
	local := at.In(loc)
	_, week := local.ISOWeek()
	return occurrenceData{Date: local.Format(placeholder.DateLayout), Time: local.Format("15:04"),
		Weekday: weekdays[local.Weekday()], Week: week, Month: int(local.Month()), Year: local.Year()}
}

// OccurrenceText turns a schedule's stored template into the text of each
// occurrence's post. It is safe for concurrent use.
type OccurrenceText struct {
	title, summary *placeholder.Template
	fixed          content.PostText // the fields without placeholders, cleaned once
	loc            *time.Location
}

// NewOccurrenceText checks t's placeholders. Errors wrap a
// content.FieldError naming the template field ("title" or "summary").
func NewOccurrenceText(t storage.PostTemplate, timezone string) (*OccurrenceText, error) {
	if timezone == "" {
		timezone = recurrence.DefaultTimezone
	}
	loc, err := time.LoadLocation(timezone)
	if err != nil {
		return nil, fmt.Errorf("schedule timezone: %w", err)
	}
	o := &OccurrenceText{loc: loc}
	parse := func(field, src string, limit int) (*placeholder.Template, error) {
		return placeholder.Parse(src, placeholder.Options{Field: field, Syntax: placeholder.Text,
			Fields: OccurrenceFields, MaxBytes: limit, Zone: loc})
	}
	if o.title, err = parse("title", t.Title, placeholder.MaxTitleBytes); err != nil {
		return nil, err
	}
	if o.summary, err = parse("summary", t.Summary, placeholder.MaxSummaryBytes); err != nil {
		return nil, err
	}
	// The title stands in for the placeholders' fields, which Post cleans
	// for each occurrence.
	fixed, errs := content.CleanPost(content.PostText{Title: "-", Body: t.Body, Category: t.Category, Audience: t.Audience})
	if len(errs) > 0 {
		return nil, fmt.Errorf("schedule template: %w", errs[0])
	}
	o.fixed = fixed
	return o, nil
}

// Post returns the text of the occurrence at at, cleaned exactly as a
// hand-written post is, with the same limits. Errors wrap a
// content.FieldError naming the field.
func (o *OccurrenceText) Post(at time.Time) (content.PostText, error) {
	data := newOccurrenceData(at, o.loc)
	title, err := o.title.Expand(data)
	if err != nil {
		return content.PostText{}, err
	}
	summary, err := o.summary.Expand(data)
	if err != nil {
		return content.PostText{}, err
	}
	// The body and category were cleaned once; cleaning them again for
	// every occurrence would give the same text.
	text, errs := content.CleanPost(content.PostText{Title: title, Summary: summary})
	if len(errs) > 0 {
		return content.PostText{}, fmt.Errorf("schedule occurrence %s: %w", at.Format(time.RFC3339), errs[0])
	}
	text.Body, text.Category, text.Audience = o.fixed.Body, o.fixed.Category, o.fixed.Audience
	return text, nil
}

// Title is Post's title alone, for previews.
func (o *OccurrenceText) Title(at time.Time) (string, error) {
	title, err := o.title.Expand(newOccurrenceData(at, o.loc))
	if err != nil {
		return "", err
	}
	text, errs := content.CleanPost(content.PostText{Title: title})
	if len(errs) > 0 {
		return "", fmt.Errorf("schedule occurrence %s: %w", at.Format(time.RFC3339), errs[0])
	}
	return text.Title, nil
}
