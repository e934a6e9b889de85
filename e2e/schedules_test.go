package e2e

import (
	"fmt"
	"os"
	"testing"
	"time"
)

type scheduleOut struct {
	ID    int64 `json:"id"`
	Posts []struct {
		ID        int64     `json:"id"`
		Status    string    `json:"status"`
		Title     string    `json:"title"`
		PublishAt time.Time `json:"publish_at"`
	} `json:"posts"`
}

func weeklyCount3(chID int64) map[string]any {
	return map[string]any{
		"name": "Bản tin CCHC thứ Hai", "rule": "FREQ=WEEKLY;BYDAY=MO;BYHOUR=7;BYMINUTE=0", "count": 3,
		"timezone":    "Asia/Ho_Chi_Minh",
		"template":    map[string]any{"title": "Bản tin CCHC ngày {{.Date}}", "summary": "Tin tuần"},
		"channel_ids": []int64{chID},
	}
}

// checkThreeMondays asserts exactly three posts, at 07:00 on consecutive Mondays in Hà Nội.
func checkThreeMondays(t *testing.T, c client, id int64) {
	t.Helper()
	var sc scheduleOut
	c.mustDo("GET", fmt.Sprintf("/api/v1/schedules/%d", id), nil, 200, &sc)
	if len(sc.Posts) != 3 {
		t.Fatalf("schedule has %d posts, want exactly 3: %+v", len(sc.Posts), sc.Posts)
	}
	zone, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	for i, p := range sc.Posts {
		local := p.PublishAt.In(zone)
		if local.Weekday() != time.Monday || local.Hour() != 7 || local.Minute() != 0 {
			t.Errorf("occurrence %d at %s local, want Monday 07:00", i, local)
		}
		if i > 0 && p.PublishAt.Sub(sc.Posts[i-1].PublishAt) != 7*24*time.Hour {
			t.Errorf("occurrences %d and %d are not a week apart", i-1, i)
		}
		if want := "Bản tin CCHC ngày " + local.Format("02/01/2006"); p.Title != want {
			t.Errorf("title = %q, want %q", p.Title, want)
		}
	}
}

// TestWeeklyScheduleAcrossRestart: count=3 gives exactly three posts, and
// restarting the process (the materializer runs again at start) adds none.
func TestWeeklyScheduleAcrossRestart(t *testing.T) {
	e := env(t)
	e["LOA_ADDR"] = freeAddr(t)
	loa := start(t, e)
	c := client{t: t, base: "http://" + loa.addr, token: adminToken}
	s := newSink(t)
	webhookID, _ := createChannels(c, s)
	var sc scheduleOut
	c.mustDo("POST", "/api/v1/schedules", weeklyCount3(webhookID), 201, &sc)
	checkThreeMondays(t, c, sc.ID)
	loa.kill()
	loa = start(t, e)
	time.Sleep(time.Second)
	checkThreeMondays(t, c, sc.ID)
}

// TestWeeklyScheduleWithTwoWorkers: with two worker processes materializing
// the same schedule at once, there are still exactly three posts.
func TestWeeklyScheduleWithTwoWorkers(t *testing.T) {
	if os.Getenv("LOA_TEST_REDIS_URL") == "" {
		t.Skip("needs a real Redis (LOA_TEST_REDIS_URL)")
	}
	e := env(t)
	if r := runLoa(t, e, "migrate"); r.err != nil {
		t.Fatalf("migrate: %v\n%s", r.err, r.out)
	}
	api := start(t, copyEnv(e), "api")
	c := client{t: t, base: "http://" + api.addr, token: adminToken}
	s := newSink(t)
	webhookID, _ := createChannels(c, s)
	var sc scheduleOut
	c.mustDo("POST", "/api/v1/schedules", weeklyCount3(webhookID), 201, &sc)
	for i := 0; i < 2; i++ {
		w := copyEnv(e)
		w["LOA_ADDR"] = freeAddr(t)
		start(t, w, "worker")
	}
	time.Sleep(3 * time.Second) // both workers run the materializer at start
	checkThreeMondays(t, c, sc.ID)
}
