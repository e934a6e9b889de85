package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

type calendarJSON struct {
	Timezone string `json:"timezone"`
	Days     []struct {
		Date  string `json:"date"`
		Items []struct {
			Kind       string    `json:"kind"`
			At         time.Time `json:"at"`
			LocalTime  string    `json:"local_time"`
			Title      string    `json:"title"`
			DeliveryID int64     `json:"delivery_id"`
			ScheduleID int64     `json:"schedule_id"`
		} `json:"items"`
	} `json:"days"`
}

func TestNextSlotAndCalendar(t *testing.T) {
	e := newEnv(t)
	r := e.post("/api/v1/channels", editorToken, map[string]any{"name": "Cổng phường", "kind": "webhook",
		"config": webhookConfig(), "slots": []string{"11:30", "7:00"}})
	wantStatus(t, r, http.StatusCreated)
	ch := decode[struct {
		ID    int64    `json:"id"`
		Slots []string `json:"slots"`
	}](t, r)
	if fmt.Sprint(ch.Slots) != "[07:00 11:30]" {
		t.Fatalf("slots = %v", ch.Slots)
	}
	plain := e.createWebhook("Không có khung giờ")

	// testNow is 08:30 on Friday 20/11/2026 in Hà Nội: the next slots are 11:30 today, then 07:00 tomorrow.
	wantAt := []string{"2026-11-20T04:30:00Z", "2026-11-21T00:00:00Z", "2026-11-21T04:30:00Z"}
	for i, want := range wantAt {
		body := postBody(ch.ID, plain.ID)
		body["publish_at"] = "next_slot"
		p := e.createPost(editorToken, body)
		if got := p.PublishAt.UTC().Format(time.RFC3339); got != want {
			t.Fatalf("post %d placed at %s, want %s (the next free slot)", i, got, want)
		}
	}
	body := postBody(plain.ID)
	body["publish_at"] = "next_slot"
	wantError(t, e.post("/api/v1/posts", editorToken, body), http.StatusUnprocessableEntity, "invalid_field", "publish_at")
	wantError(t, e.post("/api/v1/channels", editorToken, map[string]any{"name": "x", "kind": "webhook",
		"config": webhookConfig(), "slots": []string{"25:00"}}), http.StatusUnprocessableEntity, "invalid_field", "slots")

	// A weekly schedule: occurrences past the 30-day horizon show as such.
	sc := weeklyBody(ch.ID)
	sc["count"] = 10
	wantStatus(t, e.post("/api/v1/schedules", editorToken, sc), http.StatusCreated)

	r = e.get("/api/v1/calendar?from=2026-11-20&to=2026-11-21", officerToken)
	wantStatus(t, r, http.StatusOK)
	cal := decode[calendarJSON](t, r)
	if cal.Timezone == "" || len(cal.Days) != 2 || cal.Days[0].Date != "2026-11-20" {
		t.Fatalf("calendar = %s", r.Body)
	}
	if n := len(cal.Days[0].Items); n != 2 || cal.Days[0].Items[0].LocalTime != "11:30" {
		t.Fatalf("20/11 has %d items: %+v", n, cal.Days[0].Items)
	}
	if n := len(cal.Days[1].Items); n != 4 {
		t.Fatalf("21/11 has %d items, want 4 (two posts × two channels)", n)
	}

	r = e.get("/api/v1/calendar?from=2026-12-21&to=2027-01-31", officerToken)
	wantStatus(t, r, http.StatusOK)
	cal = decode[calendarJSON](t, r)
	kinds := map[string]int{}
	for _, d := range cal.Days {
		for _, it := range d.Items {
			kinds[it.Kind]++
			if it.Kind == "occurrence" && (it.LocalTime != "07:00" || it.ScheduleID == 0) {
				t.Errorf("occurrence = %+v", it)
			}
		}
	}
	// Occurrences 1–4 (23/11–14/12) are posts; 5–10 (21/12–25/01) are not created yet.
	if kinds["occurrence"] != 6 || kinds["delivery"] != 0 {
		t.Fatalf("kinds = %v", kinds)
	}

	for _, q := range []string{"from=2026-11-20", "from=20/11/2026&to=2026-11-21", "from=2026-11-21&to=2026-11-20", "from=2026-01-01&to=2026-12-31"} {
		r := e.get("/api/v1/calendar?"+q, officerToken)
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("calendar?%s = %d, want 422", q, r.Status)
		}
	}
}
