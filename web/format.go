package web

import (
	"fmt"
	"github.com/loa-vn/loa/reports"
	"html/template"
	"slices"
	"time"

	"github.com/loa-vn/loa/plans"
)

var funcs = template.FuncMap{
	"deliveryStatus": deliveryStatus,
	"roleName":       roleName,
	"roles":          func() any { return roleNames },
	"fieldError":     fieldError,
	"indent":         indent,
	"scheduleStatus": scheduleStatusName,
	"weekdayChoices": func() any { return ruleWeekdays },
	"monthDays":      func() []int { return monthDays },
	"postStatus":     postStatus,
	"rowError":       func(i int, e formError) formError { e.ID = fmt.Sprintf("a%d_%s", i, e.ID); return e },
	"hasRowErrors":   func(rows []activityRow) bool { return (&planForm{Rows: rows}).rowErrors() },
	"choiceHas": func(cs []plans.Choice, code string) bool {
		return slices.ContainsFunc(cs, func(c plans.Choice) bool { return c.Code == code })
	},
}

// deliveryStatus names a delivery's or post's status in Vietnamese, as
// the report files do.
func deliveryStatus(s string) string { return reports.StatusLabel(s) }

// postStatuses name the statuses only a post has; the others it shares
// with deliveries.
var postStatuses = map[string]string{"published": "Đã đăng", "partial": "Đã đăng một phần (có kênh không thành công)"}

func postStatus(s string) string {
	if v, ok := postStatuses[s]; ok {
		return v
	}
	return deliveryStatus(s)
}

// weekdays are Vietnamese weekday names, Sunday first as time.Weekday counts.
var weekdays = [7]string{"Chủ Nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

// localTime is t in loc as "Thứ Hai 07/12/2026, 07:00".
func localTime(t time.Time, loc *time.Location) string {
	l := t.In(loc)
	return fmt.Sprintf("%s %s", weekdays[l.Weekday()], l.Format("02/01/2006, 15:04"))
}

// zoneLabel names loc for the reader: "giờ Asia/Ho_Chi_Minh, UTC+07:00".
func zoneLabel(loc *time.Location, at time.Time) string {
	_, off := at.In(loc).Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return fmt.Sprintf("giờ %s, UTC%s%02d:%02d", loc.String(), sign, off/3600, off%3600/60)
}

// localDate is t's day in loc as "Thứ Hai 07/12/2026".
func localDate(t time.Time, loc *time.Location) string {
	l := t.In(loc)
	return weekdays[l.Weekday()] + " " + l.Format("02/01/2006")
}
