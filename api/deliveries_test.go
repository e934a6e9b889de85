package api_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/loa-vn/loa/storage"
)

// walk lists every page of /api/v1/deliveries?query with limit and returns
// the ids in the order seen.
func (e *env) walk(t *testing.T, query string, limit int) []int64 {
	t.Helper()
	var ids []int64
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 50 {
			t.Fatalf("pagination does not end: %v", ids)
		}
		q, _ := url.ParseQuery(query)
		q.Set("limit", fmt.Sprint(limit))
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		r := e.get("/api/v1/deliveries?"+q.Encode(), officerToken)
		wantStatus(t, r, http.StatusOK)
		pg := decode[page[deliveryJSON]](t, r)
		if len(pg.Items) > limit {
			t.Fatalf("page has %d items, limit %d", len(pg.Items), limit)
		}
		if pg.NextCursor != "" && len(pg.Items) != limit {
			t.Fatalf("short page of %d items has a next cursor", len(pg.Items))
		}
		for _, d := range pg.Items {
			ids = append(ids, d.ID)
			if d.AttemptLog != nil {
				t.Errorf("list item carries attempt_log: %+v", d)
			}
		}
		if pg.NextCursor == "" {
			return ids
		}
		cursor = pg.NextCursor
	}
}

func TestListDeliveries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, b, c := e.createWebhook("A"), e.createWebhook("B"), e.createWebhook("C")
	p1 := e.createPost(officerToken, postBody(a.ID, b.ID))
	p2 := e.createPost(editorToken, postBody(a.ID, b.ID, c.ID))
	var all []int64
	for _, p := range []postJSON{p1, p2} {
		for _, d := range p.Deliveries {
			all = append(all, d.ID)
		}
	}
	if len(all) != 5 {
		t.Fatalf("fixture has %d deliveries", len(all))
	}
	e.finish(p2.Deliveries[1].ID, storage.DeliveryFailed)
	newestFirst := slices.Clone(all)
	slices.Reverse(newestFirst)

	onChannel := func(ch int64) []int64 {
		var ids []int64
		for _, p := range []postJSON{p2, p1} {
			for _, d := range slices.Backward(p.Deliveries) {
				if d.ChannelID == ch {
					ids = append(ids, d.ID)
				}
			}
		}
		return ids
	}

	walks := []struct {
		name  string
		query string
		limit int
		want  []int64
	}{
		{"all, limit 2", "", 2, newestFirst},
		{"all, limit 1", "", 1, newestFirst},
		{"all, limit 5", "", 5, newestFirst},
		{"all, limit 200", "", 200, newestFirst},
		{"post 1", fmt.Sprintf("post_id=%d", p1.ID), 1, []int64{all[1], all[0]}},
		{"post 2", fmt.Sprintf("post_id=%d", p2.ID), 2, []int64{all[4], all[3], all[2]}},
		{"channel a", fmt.Sprintf("channel_id=%d", a.ID), 1, onChannel(a.ID)},
		{"channel c", fmt.Sprintf("channel_id=%d", c.ID), 2, onChannel(c.ID)},
		{"failed", "status=failed", 2, []int64{p2.Deliveries[1].ID}},
		{"scheduled", "status=scheduled", 2, slices.DeleteFunc(slices.Clone(newestFirst), func(id int64) bool { return id == p2.Deliveries[1].ID })},
		{"post and channel", fmt.Sprintf("post_id=%d&channel_id=%d", p2.ID, b.ID), 2, []int64{p2.Deliveries[1].ID}},
		{"post and status", fmt.Sprintf("post_id=%d&status=failed", p1.ID), 2, nil},
		{"unknown post", "post_id=987654", 2, nil},
		{"delivered", "status=delivered", 2, nil},
	}
	for _, w := range walks {
		t.Run(w.name, func(t *testing.T) {
			got := e.walk(t, w.query, w.limit)
			if fmt.Sprint(got) != fmt.Sprint(w.want) {
				t.Errorf("ids = %v, want %v", got, w.want)
			}
			seen := map[int64]bool{}
			for i, id := range got {
				if seen[id] {
					t.Errorf("id %d listed twice", id)
				}
				seen[id] = true
				if i > 0 && id >= got[i-1] {
					t.Errorf("not newest first: %v", got)
				}
			}
		})
	}

	t.Run("empty page shape", func(t *testing.T) {
		r := e.get("/api/v1/deliveries?status=canceled", officerToken)
		wantStatus(t, r, http.StatusOK)
		if string(r.Body) != "{\"items\":[],\"next_cursor\":\"\"}\n" {
			t.Errorf("empty page = %s", r.Body)
		}
	})

	t.Run("default limit", func(t *testing.T) {
		r := e.get("/api/v1/deliveries", officerToken)
		wantStatus(t, r, http.StatusOK)
		if pg := decode[page[deliveryJSON]](t, r); len(pg.Items) != 5 || pg.NextCursor != "" {
			t.Errorf("default page = %+v", pg)
		}
	})

	cursorOf := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	bad := []struct{ query, field string }{
		{"limit=0", "limit"},
		{"limit=-1", "limit"},
		{"limit=201", "limit"},
		{"limit=abc", "limit"},
		{"limit=1.5", "limit"},
		{"limit=", ""}, // empty means default; checked below as success
		{"cursor=not-a-cursor!", "cursor"},
		{"cursor=" + cursorOf("id:abc"), "cursor"},
		{"cursor=" + cursorOf("id:0"), "cursor"},
		{"cursor=" + cursorOf("id:-4"), "cursor"},
		{"cursor=" + cursorOf("5"), "cursor"},
		{"cursor=" + base64.StdEncoding.EncodeToString([]byte("id:3")), "cursor"},
		{"status=bogus", "status"},
		{"status=SCHEDULED", "status"},
		{"post_id=abc", "post_id"},
		{"post_id=0", "post_id"},
		{"post_id=-2", "post_id"},
		{"channel_id=1.0", "channel_id"},
		{"channel_id=x", "channel_id"},
	}
	for _, tc := range bad {
		t.Run(tc.query, func(t *testing.T) {
			r := e.get("/api/v1/deliveries?"+tc.query, officerToken)
			if tc.field == "" {
				wantStatus(t, r, http.StatusOK)
				return
			}
			wantError(t, r, http.StatusUnprocessableEntity, "invalid_field", tc.field)
		})
	}
}

// from and to bound the scheduled time: a date is the start of that day in
// the server's location (ICT here), an RFC 3339 time is that instant; from
// is inclusive, to exclusive.
func TestListDeliveriesByTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, b := e.createWebhook("A"), e.createWebhook("B")
	at := func(publishAt string, channels ...int64) []int64 {
		body := postBody(channels...)
		body["publish_at"] = publishAt
		p := e.createPost(editorToken, body)
		ids := make([]int64, len(p.Deliveries))
		for i, d := range p.Deliveries {
			ids[i] = d.ID
		}
		return ids
	}
	// 06:00 on the 21st in ICT is still the 20th in UTC; p2 is exactly the
	// start of the 22nd.
	p1 := at("2026-11-21T06:00:00+07:00", a.ID)
	p2 := at("2026-11-22T00:00:00+07:00", a.ID, b.ID)
	p3 := at("2026-11-23T12:00:00+07:00", b.ID)
	if _, err := e.store.CancelDelivery(context.Background(), p2[1], func(int64) error { return nil }, "test"); err != nil {
		t.Fatal(err)
	}
	newest := func(groups ...[]int64) []int64 {
		var ids []int64
		for _, g := range groups {
			ids = append(ids, g...)
		}
		slices.Sort(ids)
		slices.Reverse(ids)
		return ids
	}
	for _, tc := range []struct {
		name, query string
		want        []int64
	}{
		{"from a date includes its whole local day", "from=2026-11-21", newest(p1, p2, p3)},
		{"from a date is local, not UTC", "from=2026-11-20", newest(p1, p2, p3)},
		{"from the next day leaves out the day before", "from=2026-11-22", newest(p2, p3)},
		{"to a date excludes that day", "to=2026-11-22", p1},
		{"one local day", "from=2026-11-21&to=2026-11-22", p1},
		{"two local days", "from=2026-11-21&to=2026-11-23", newest(p1, p2)},
		{"nothing in the window", "from=2026-11-24&to=2026-11-30", nil},
		{"RFC 3339 from is inclusive", "from=2026-11-20T23:00:00Z", newest(p1, p2, p3)},
		{"RFC 3339 from a second later", "from=2026-11-20T23:00:01Z", newest(p2, p3)},
		{"RFC 3339 to is exclusive", "to=2026-11-21T17:00:00Z", p1},
		{"RFC 3339 with an offset", "from=2026-11-22T00:00:00%2B07:00&to=2026-11-22T00:00:01%2B07:00", newest(p2)},
		{"with a status", "from=2026-11-22&status=canceled", []int64{p2[1]}},
		{"with a channel", fmt.Sprintf("from=2026-11-21&to=2026-11-23&channel_id=%d", b.ID), []int64{p2[1]}},
		{"empty bounds are none", "from=&to=", newest(p1, p2, p3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := e.walk(t, tc.query, 1); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("ids = %v, want %v", got, tc.want)
			}
		})
	}

	for _, tc := range []struct{ query, field, message string }{
		{"from=2026-13-01", "from", "must be a date such as 2026-12-01"},
		{"from=21/11/2026", "from", "or an RFC 3339 time"},
		{"from=2026-11-21T06:00", "from", "RFC 3339"},
		{"to=2026-11-22T25:00:00Z", "to", "RFC 3339"},
		{"to=tomorrow", "to", "must be a date"},
		{"from=2026-11-22T00:00:00+07:00", "from", "%2B"}, // + unescaped is a space
		{"from=2026-11-22&to=2026-11-22", "to", "must be after from"},
		{"from=2026-11-23&to=2026-11-22", "to", "must be after from"},
		{"from=2026-11-21T17:00:00Z&to=2026-11-22", "to", "must be after from"}, // the same instant
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := e.get("/api/v1/deliveries?"+tc.query, officerToken)
			got := wantError(t, r, http.StatusUnprocessableEntity, "invalid_field", tc.field)
			if !strings.Contains(got.Message, tc.message) {
				t.Errorf("message %q does not say %q", got.Message, tc.message)
			}
		})
	}
}

func TestGetDelivery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ch := e.createWebhook("A")
	p := e.createPost(officerToken, postBody(ch.ID, e.createWebhook("B").ID))
	fresh, failed := p.Deliveries[0], p.Deliveries[1]
	e.finish(failed.ID, storage.DeliveryFailed)

	t.Run("no attempts yet", func(t *testing.T) {
		r := e.get(fmt.Sprintf("/api/v1/deliveries/%d", fresh.ID), officerToken)
		wantStatus(t, r, http.StatusOK)
		d := decode[deliveryJSON](t, r)
		if d.ID != fresh.ID || d.PostID != p.ID || d.Status != storage.DeliveryScheduled || d.NextAttemptAt == nil {
			t.Errorf("delivery = %+v", d)
		}
		if !strings.Contains(string(r.Body), `"attempt_log":[]`) {
			t.Errorf("attempt_log missing or not an empty array: %s", r.Body)
		}
	})

	t.Run("failed attempt", func(t *testing.T) {
		r := e.get(fmt.Sprintf("/api/v1/deliveries/%d", failed.ID), officerToken)
		wantStatus(t, r, http.StatusOK)
		d := decode[deliveryJSON](t, r)
		if d.Status != storage.DeliveryFailed || d.Attempts != 1 || d.LastError == "" || d.NextAttemptAt != nil {
			t.Errorf("delivery = %+v", d)
		}
		if len(d.AttemptLog) != 1 || d.AttemptLog[0].Number != 1 || d.AttemptLog[0].Outcome != storage.OutcomeFailed ||
			d.AttemptLog[0].HTTPStatus != 400 || d.AttemptLog[0].Error != "platform rejected the message" {
			t.Errorf("attempt_log = %+v", d.AttemptLog)
		}
	})

	t.Run("unknown", func(t *testing.T) {
		wantError(t, e.get("/api/v1/deliveries/987654", officerToken), http.StatusNotFound, "not_found", "")
	})
}

func TestRetryDelivery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var chs []int64
	for _, n := range []string{"A", "B", "C", "D", "E", "F"} {
		chs = append(chs, e.createWebhook(n).ID)
	}
	p := e.createPost(officerToken, postBody(chs...))
	failed, unconfirmed, delivered, scheduled := p.Deliveries[0].ID, p.Deliveries[1].ID, p.Deliveries[2].ID, p.Deliveries[3].ID
	failed2, unconfirmed2 := p.Deliveries[4].ID, p.Deliveries[5].ID
	for _, id := range []int64{failed, failed2} {
		e.finish(id, storage.DeliveryFailed)
	}
	for _, id := range []int64{unconfirmed, unconfirmed2} {
		e.finish(id, storage.DeliveryUnconfirmed)
	}
	e.finish(delivered, storage.DeliveryDelivered)
	retry := func(id int64, token string) response {
		return e.post(fmt.Sprintf("/api/v1/deliveries/%d/retry", id), token, nil)
	}

	// Who may retry: a failed delivery, its post's author or an editor; an
	// unconfirmed one, which the platform may already have, editors only.
	for _, tc := range []struct {
		name  string
		id    int64
		token string
	}{
		{"failed by the post's author", failed, officerToken},
		{"failed by an editor", failed2, editorToken},
		{"unconfirmed by an editor", unconfirmed, editorToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := retry(tc.id, tc.token)
			wantStatus(t, r, http.StatusOK)
			d := decode[deliveryJSON](t, r)
			if d.ID != tc.id || d.Status != storage.DeliveryScheduled || d.NextAttemptAt == nil || !d.NextAttemptAt.Equal(testNow) {
				t.Errorf("retried delivery = %+v", d)
			}
			if runs := e.sched.callsOf("run_now"); len(runs) == 0 || runs[len(runs)-1] != tc.id {
				t.Errorf("run_now calls = %v, want %d last", runs, tc.id)
			}
			// Once re-queued it is no longer retryable.
			wantError(t, retry(tc.id, editorToken), http.StatusConflict, "not_retryable", "")
		})
	}
	e.finish(failed, storage.DeliveryFailed)
	refusedBefore := len(e.sched.Calls())
	for _, tc := range []struct {
		name, token, want string
		id                int64
	}{
		{"unconfirmed by the post's author", officerToken, "only an editor", unconfirmed2},
		{"failed by another officer", officer2Token, "their own posts", failed},
		{"unconfirmed by another officer", officer2Token, "only an editor", unconfirmed2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := wantError(t, retry(tc.id, tc.token), http.StatusForbidden, "forbidden", "")
			if !strings.Contains(got.Message, tc.want) {
				t.Errorf("message %q lacks %q", got.Message, tc.want)
			}
			d := decode[deliveryJSON](t, e.get(fmt.Sprintf("/api/v1/deliveries/%d", tc.id), editorToken))
			if d.Status == storage.DeliveryScheduled {
				t.Errorf("a refused retry re-queued the delivery: %+v", d)
			}
		})
	}
	if len(e.sched.Calls()) != refusedBefore {
		t.Errorf("refused retries reached the scheduler: %+v", e.sched.Calls()[refusedBefore:])
	}

	before := len(e.sched.Calls())
	for _, tc := range []struct {
		name   string
		id     int64
		status int
		code   string
	}{
		{"delivered", delivered, 409, "not_retryable"},
		{"scheduled", scheduled, 409, "not_retryable"},
		{"unknown", 987654, 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := wantError(t, retry(tc.id, editorToken), tc.status, tc.code, "")
			if tc.status == 409 && !strings.Contains(got.Message, tc.name) {
				t.Errorf("message %q does not say the delivery is %s", got.Message, tc.name)
			}
		})
	}
	if len(e.sched.Calls()) != before {
		t.Errorf("refused retries reached the scheduler: %+v", e.sched.Calls()[before:])
	}
	if got := decode[postJSON](t, e.get(fmt.Sprintf("/api/v1/posts/%d", p.ID), officerToken)); got.Status != storage.PostScheduled {
		t.Errorf("post status after retries = %q, want scheduled", got.Status)
	}
}

// One delivery that has not gone out is canceled alone, by its post's
// author or an editor; the post's other deliveries go on.
func TestCancelDelivery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var chs []int64
	for _, n := range []string{"A", "B", "C"} {
		chs = append(chs, e.createWebhook(n).ID)
	}
	p := e.createPost(officerToken, postBody(chs...))
	first, second, sent := p.Deliveries[0].ID, p.Deliveries[1].ID, p.Deliveries[2].ID
	e.finish(sent, storage.DeliveryDelivered)
	cancel := func(id int64, token string) response {
		return e.post(fmt.Sprintf("/api/v1/deliveries/%d/cancel", id), token, nil)
	}
	got := wantError(t, cancel(first, officer2Token), http.StatusForbidden, "forbidden", "")
	if !strings.Contains(got.Message, "their own posts") {
		t.Errorf("refusal %q", got.Message)
	}
	r := cancel(first, officerToken)
	wantStatus(t, r, http.StatusOK)
	if d := decode[deliveryJSON](t, r); d.ID != first || d.Status != storage.DeliveryCanceled {
		t.Errorf("canceled = %+v", d)
	}
	if runs := e.sched.callsOf("unschedule"); len(runs) != 1 || runs[0] != first {
		t.Errorf("unschedule calls = %v", runs)
	}
	wantError(t, cancel(first, editorToken), http.StatusConflict, "not_cancelable", "")
	wantError(t, cancel(sent, editorToken), http.StatusConflict, "not_cancelable", "")
	wantError(t, cancel(987654, editorToken), http.StatusNotFound, "not_found", "")
	if d := decode[deliveryJSON](t, e.get(fmt.Sprintf("/api/v1/deliveries/%d", second), editorToken)); d.Status != storage.DeliveryScheduled {
		t.Errorf("the post's other delivery is %s", d.Status)
	}
}
