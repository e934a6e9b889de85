package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
)

type scheduleJSON struct {
	ID          int64       `json:"id"`
	Status      string      `json:"status"`
	Description string      `json:"description"`
	NextAt      []time.Time `json:"next_occurrences"`
	Posts       []postJSON  `json:"posts"`
}

func weeklyBody(chID int64) map[string]any {
	return map[string]any{
		"name": "Bản tin CCHC đầu tuần", "rule": "FREQ=WEEKLY;BYDAY=MO;BYHOUR=7;BYMINUTE=0", "count": 3,
		"starts_at": testNow.Format(time.RFC3339),
		"template": map[string]any{"title": "Bản tin CCHC tuần {{.Week}} ({{.Date}})", "summary": "Tin cải cách hành chính",
			"body": "<p>Nội dung</p>"},
		"channel_ids": []int64{chID},
	}
}

func TestWeeklyScheduleWithCount(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	r := e.post("/api/v1/schedules", editorToken, weeklyBody(ch.ID))
	wantStatus(t, r, http.StatusCreated)
	sc := decode[scheduleJSON](t, r)
	if len(sc.Posts) != 3 {
		t.Fatalf("posts = %d, want 3: %s", len(sc.Posts), r.Body)
	}
	// testNow is Friday 20/11/2026; Mondays at 07:00 in Hà Nội are 00:00Z.
	want := []string{"2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z"}
	for i, p := range sc.Posts {
		if got := p.PublishAt.UTC().Format(time.RFC3339); got != want[i] || p.Status != storage.PostScheduled {
			t.Errorf("occurrence %d = %s %s, want %s scheduled", i, got, p.Status, want[i])
		}
	}
	if sc.Posts[0].Title != "Bản tin CCHC tuần 48 (23/11/2026)" {
		t.Errorf("title = %q", sc.Posts[0].Title)
	}
	if sc.Description != "Hằng tuần vào Thứ Hai lúc 07:00" {
		t.Errorf("description = %q", sc.Description)
	}
	if n := len(e.sched.callsOf("schedule")); n != 3 {
		t.Errorf("schedule calls = %d, want 3", n)
	}

	t.Run("pausing cancels future occurrences, resuming brings them back once", func(t *testing.T) {
		r := e.post(fmt.Sprintf("/api/v1/schedules/%d/pause", sc.ID), editorToken, nil)
		wantStatus(t, r, http.StatusOK)
		paused := decode[scheduleJSON](t, r)
		for _, p := range paused.Posts {
			if p.Status != storage.PostCanceled {
				t.Errorf("after pause post %d is %s", p.ID, p.Status)
			}
		}
		if n := len(e.sched.callsOf("unschedule")); n != 3 {
			t.Errorf("unschedule calls = %d, want 3", n)
		}
		r = e.post(fmt.Sprintf("/api/v1/schedules/%d/resume", sc.ID), editorToken, nil)
		wantStatus(t, r, http.StatusOK)
		resumed := decode[scheduleJSON](t, r)
		live := 0
		for _, p := range resumed.Posts {
			if p.Status == storage.PostScheduled {
				live++
			}
		}
		if live != 3 || len(resumed.Posts) != 6 {
			t.Fatalf("after resume: %d live of %d posts, want 3 live beside 3 canceled", live, len(resumed.Posts))
		}
	})
}

func TestOfficerScheduleWaitsForApproval(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	r := e.post("/api/v1/schedules", officerToken, weeklyBody(ch.ID))
	wantStatus(t, r, http.StatusCreated)
	sc := decode[scheduleJSON](t, r)
	for _, p := range sc.Posts {
		if p.Status != storage.PostPendingApproval {
			t.Fatalf("officer's occurrence is %s, want pending_approval", p.Status)
		}
	}
	if n := len(e.sched.callsOf("schedule")); n != 0 {
		t.Fatalf("unapproved occurrences were queued: %d", n)
	}
}

func TestScheduleRejectsBadInput(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	tests := []struct {
		name  string
		edit  func(map[string]any)
		field string
	}{
		{"no FREQ", func(b map[string]any) { b["rule"] = "BYDAY=MO" }, "rule"},
		{"garbage rule", func(b map[string]any) { b["rule"] = "FREQ=SOMETIMES" }, "rule"},
		{"too frequent", func(b map[string]any) { b["rule"] = "FREQ=MINUTELY;INTERVAL=1" }, "rule"},
		{"unknown zone", func(b map[string]any) { b["timezone"] = "Asia/Hanoi_Old" }, "timezone"},
		{"count and ends_at", func(b map[string]any) { b["ends_at"] = testNow.Add(time.Hour * 24 * 60).Format(time.RFC3339) }, "ends_at"},
		{"zero count", func(b map[string]any) { b["count"] = 0 }, "count"},
		{"bad placeholder", func(b map[string]any) {
			b["template"] = map[string]any{"title": "Tuần {{.Nope}}"}
		}, "template.title"},
		{"template without title", func(b map[string]any) { b["template"] = map[string]any{"summary": "x"} }, "template.title"},
		{"unknown channel", func(b map[string]any) { b["channel_ids"] = []int64{999} }, "channel_ids"},
		{"no name", func(b map[string]any) { delete(b, "name") }, "name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := weeklyBody(ch.ID)
			tc.edit(b)
			wantError(t, e.post("/api/v1/schedules", editorToken, b), http.StatusUnprocessableEntity, "invalid_field", tc.field)
			r := e.get("/api/v1/schedules", editorToken)
			if n := len(decode[page[scheduleJSON]](t, r).Items); n != 0 {
				t.Fatalf("a rejected schedule was stored (%d)", n)
			}
		})
	}
}
