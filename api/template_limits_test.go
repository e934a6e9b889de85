package api_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
)

// allocatedDuring runs f and reports how many bytes the process allocated
// meanwhile (the test server runs in-process), logging heap figures.
func allocatedDuring(t *testing.T, what string, f func()) uint64 {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%s: allocated %d KB; heap %d KB → %d KB", what, allocated>>10, before.HeapAlloc>>10, after.HeapAlloc>>10)
	return allocated
}

// Schedule templates are data: loops, printf and the other builtins are
// refused with 422 on the template field, before anything is expanded.
// The 49-byte range/printf template took the process from 48 MB to 356 MB.
func TestScheduleTemplateProgramsAreRefused(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	tests := []struct {
		name, field, title, summary string
	}{
		{"range and printf width", "template.title", `{{range 100000}}{{printf "%01000d" 1}}{{end}}`, ""},
		{"printf smuggling markup", "template.title", `Tin{{printf "%c" 60}}/title{{printf "%c" 62}}{{printf "%c" 60}}script{{printf "%c" 62}}alert(1)`, ""},
		{"printf in summary", "template.summary", "Tin {{.Date}}", `{{printf "%0999999d" 1}}`},
		{"define", "template.title", `{{define "x"}}{{template "x" .}}{{end}}{{template "x" .}}`, ""},
		{"len builtin", "template.title", `Tin {{len .Date}}`, ""},
		{"unknown field", "template.title", `Tin {{.Nope}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := weeklyBody(ch.ID)
			b["template"] = map[string]any{"title": tt.title, "summary": tt.summary, "body": "<p>Nội dung</p>"}
			var r response
			allocated := allocatedDuring(t, tt.name, func() { r = e.post("/api/v1/schedules", editorToken, b) })
			wantError(t, r, http.StatusUnprocessableEntity, "invalid_field", tt.field)
			if allocated > 16<<20 {
				t.Errorf("refusing the template allocated %d MB, want under 16 MB", allocated>>20)
			}
		})
	}
	if n := len(decode[page[scheduleJSON]](t, e.get("/api/v1/schedules", editorToken)).Items); n != 0 {
		t.Fatalf("%d refused schedules were stored", n)
	}
}

// A template whose expansion breaks a post limit on some occurrence is
// refused at creation: the trial expansion goes through the same cleaning
// as a hand-written post.
func TestScheduleTemplateTrialExpansionKeepsPostLimits(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	b := weeklyBody(ch.ID)
	// 227 characters as written; each {{.Date}} is one character longer
	// once expanded, so the title is 252 characters: over the limit.
	b["template"] = map[string]any{"title": "xx" + strings.Repeat("{{.Date}}", 25)}
	r := e.post("/api/v1/schedules", editorToken, b)
	if apiErr := wantError(t, r, http.StatusUnprocessableEntity, "invalid_field", "template.title"); !strings.Contains(apiErr.Message, "250") {
		t.Errorf("message = %q, want the 250-character limit named", apiErr.Message)
	}
}

// starts_at may be at most a day in the past; a rule at most 1,000
// characters.
func TestScheduleStartAndRuleBounds(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	tests := []struct {
		name   string
		edit   func(map[string]any)
		status int
		field  string
	}{
		{"starts in 1970", func(b map[string]any) { b["starts_at"] = "1970-01-01T00:00:00Z" }, 422, "starts_at"},
		{"starts two days ago", func(b map[string]any) { b["starts_at"] = testNow.Add(-48 * time.Hour).Format(time.RFC3339) }, 422, "starts_at"},
		{"rule over 1,000 characters", func(b map[string]any) {
			b["rule"] = "FREQ=WEEKLY;" + strings.Repeat(" ", 1000) + "BYDAY=MO;BYHOUR=7;BYMINUTE=0"
		}, 422, "rule"},
		{"rule of 900 KB", func(b map[string]any) { b["rule"] = "FREQ=WEEKLY;BYDAY=" + strings.Repeat("MO,", 300000) + "MO" }, 422, "rule"},
		{"starts 23 hours ago", func(b map[string]any) { b["starts_at"] = testNow.Add(-23 * time.Hour).Format(time.RFC3339) }, 201, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := weeklyBody(ch.ID)
			tt.edit(b)
			r := e.post("/api/v1/schedules", editorToken, b)
			if tt.status == http.StatusCreated {
				wantStatus(t, r, http.StatusCreated)
				return
			}
			wantError(t, r, tt.status, "invalid_field", tt.field)
		})
	}
}

// storeSchedule inserts a schedule straight into the database, as rows
// written before these checks existed.
func (e *env) storeSchedule(t *testing.T, rule string, startsAt time.Time, tmpl storage.PostTemplate, chID int64) storage.Schedule {
	t.Helper()
	sc := storage.Schedule{Name: "Lịch cũ", Rule: rule, Timezone: "Asia/Ho_Chi_Minh", StartsAt: startsAt,
		Template: tmpl, Targets: storage.Targets{ChannelIDs: []int64{chID}}, CreatedBy: e.users[editorToken].ID}
	if err := e.store.CreateSchedule(context.Background(), &sc, "test"); err != nil {
		t.Fatal(err)
	}
	return sc
}

// A stored schedule whose title is a program (from before templates were
// checked) cannot make GET /calendar big: its occurrences show the
// schedule's name. It once made the calendar return 100 MB to everyone.
func TestStoredTemplateProgramCannotBalloonCalendar(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	e.storeSchedule(t, "FREQ=WEEKLY;BYDAY=MO;BYHOUR=7;BYMINUTE=0", testNow,
		storage.PostTemplate{Title: `{{range 5000}}{{printf "%01000d" 1}}{{end}}`}, ch.ID)
	e.storeSchedule(t, "FREQ=WEEKLY;BYDAY=TU;BYHOUR=7;BYMINUTE=0", testNow,
		storage.PostTemplate{Title: `Tin{{printf "%c" 60}}/title{{printf "%c" 62}}{{printf "%c" 60}}script{{printf "%c" 62}}`}, ch.ID)
	var r response
	allocated := allocatedDuring(t, "GET /calendar", func() { r = e.get("/api/v1/calendar?from=2026-11-20&to=2026-12-17", officerToken) })
	wantStatus(t, r, http.StatusOK)
	t.Logf("calendar response: %d bytes", len(r.Body))
	if len(r.Body) > 64<<10 || allocated > 32<<20 {
		t.Fatalf("calendar response %d bytes, %d MB allocated; want under 64 KB and 32 MB", len(r.Body), allocated>>20)
	}
	cal := decode[calendarJSON](t, r)
	occurrences := 0
	for _, d := range cal.Days {
		for _, it := range d.Items {
			occurrences++
			if it.Title != "Lịch cũ" {
				t.Errorf("occurrence %s titled %q, want the schedule's name", it.At, it.Title)
			}
		}
	}
	if occurrences != 8 {
		t.Errorf("occurrences = %d, want 8 (4 Mondays and 4 Tuesdays)", occurrences)
	}
}

// A schedule stored with a start in 1970 (a row from before starts_at was
// bounded) is viewed without walking 56 years of occurrences: that took
// 2.2 s per GET. The bound is on allocations, which the old walk made on
// every step.
func TestScheduleFrom1970IsViewedCheaply(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	sc := e.storeSchedule(t, "FREQ=MINUTELY;INTERVAL=15", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		storage.PostTemplate{Title: "Tin lúc {{.Time}}"}, ch.ID)
	var r response
	allocated := allocatedDuring(t, "GET /schedules/:id of a 1970 schedule", func() {
		r = e.get(fmt.Sprintf("/api/v1/schedules/%d", sc.ID), officerToken)
	})
	wantStatus(t, r, http.StatusOK)
	got := decode[scheduleJSON](t, r)
	// testNow is 01:30Z, on a quarter hour: the next ones follow it.
	want := []string{"2026-11-20T01:45:00Z", "2026-11-20T02:00:00Z", "2026-11-20T02:15:00Z", "2026-11-20T02:30:00Z", "2026-11-20T02:45:00Z"}
	if len(got.NextAt) != len(want) {
		t.Fatalf("next occurrences = %v, want %v", got.NextAt, want)
	}
	for i, at := range got.NextAt {
		if at.UTC().Format(time.RFC3339) != want[i] {
			t.Errorf("next[%d] = %s, want %s", i, at.UTC().Format(time.RFC3339), want[i])
		}
	}
	if allocated > 16<<20 {
		t.Fatalf("viewing the schedule allocated %d MB, want under 16 MB", allocated>>20)
	}
}

// Source templates refuse printf widths too (a 4.8 KB category template
// took the process to 2.17 GB), and a template whose sample item breaks a
// post limit, with 422 on the template field.
func TestSourceTemplateProgramsAreRefused(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	widths := `{{printf "` + strings.Repeat("%0999999d", 40) + `"` + strings.Repeat(" 1", 40) + `}}`
	tests := []struct {
		name, field string
		template    map[string]any
	}{
		{"printf widths in category", "template.category", map[string]any{"category": widths}},
		{"range in body", "template.body", map[string]any{"body": "{{range 1000000}}<p>x</p>{{end}}"}},
		{"title over 250 characters", "template.title", map[string]any{"title": strings.Repeat("{{.Title}} ", 5)}},
		{"body with nothing safe", "template.body", map[string]any{"body": "<script>{{.Summary}}</script>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := map[string]any{"name": "TTHC tỉnh", "url": "https://dichvucong.example.gov.vn/rss", "mode": "review",
				"template": tt.template, "channel_ids": []int64{ch.ID}}
			var r response
			allocated := allocatedDuring(t, tt.name, func() { r = e.post("/api/v1/sources", editorToken, body) })
			wantError(t, r, http.StatusUnprocessableEntity, "invalid_field", tt.field)
			if allocated > 16<<20 {
				t.Errorf("refusing the template allocated %d MB, want under 16 MB", allocated>>20)
			}
		})
	}
}
