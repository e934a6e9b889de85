package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

// movable is a store clock a test moves forward.
type movable struct {
	mu sync.Mutex
	t  time.Time
}

func (m *movable) now() time.Time { m.mu.Lock(); defer m.mu.Unlock(); return m.t }
func (m *movable) add(d time.Duration) {
	m.mu.Lock()
	m.t = m.t.Add(d)
	m.mu.Unlock()
}

// TestDeliveriesShowReach: a delivery whose platform reported reach shows
// each metric with its value and read time, in the list and alone; one
// never read, or read as unavailable, has no "reach" at all (absent, not 0),
// and the unavailable one says why.
func TestDeliveriesShowReach(t *testing.T) {
	t.Parallel()
	clk := &movable{t: testNow}
	e := newEnvOn(t, storagetest.OpenWithClock(t, clk.now))
	ctx := context.Background()
	a, b, c := e.createWebhook("A"), e.createWebhook("B"), e.createWebhook("C")
	p := e.createPost(officerToken, postBody(a.ID, b.ID, c.ID))
	read, unavailable, never := p.Deliveries[0].ID, p.Deliveries[1].ID, p.Deliveries[2].ID
	for _, d := range p.Deliveries {
		e.finish(d.ID, storage.DeliveryDelivered)
	}
	clk.add(time.Hour)
	schedule := []time.Duration{time.Hour, 24 * time.Hour}
	claims, err := e.store.ClaimDueReach(ctx, storage.ReachDue{Kinds: []string{"webhook"}, Schedule: schedule, Limit: 2, Lease: time.Minute, Token: "t"})
	if err != nil || len(claims) != 2 {
		t.Fatalf("claims %+v, %v", claims, err)
	}
	readAt := clk.now()
	results := map[int64]storage.ReachResult{
		read:        {Metrics: map[string]int64{"reach": 1234, "views": 0}},
		unavailable: {Unavailable: "facebook: the page token may not read insights"},
	}
	for _, cl := range claims {
		if err := e.store.RecordReach(ctx, cl, results[cl.DeliveryID], schedule); err != nil {
			t.Fatal(err)
		}
	}

	type shown struct {
		ID               int64                      `json:"id"`
		Reach            map[string]json.RawMessage `json:"reach"`
		ReachUnavailable string                     `json:"reach_unavailable"`
	}
	check := func(t *testing.T, d shown, raw map[string]json.RawMessage) {
		t.Helper()
		switch d.ID {
		case read:
			var got map[string]struct {
				Value  int64     `json:"value"`
				ReadAt time.Time `json:"read_at"`
			}
			if err := json.Unmarshal(raw["reach"], &got); err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got["reach"].Value != 1234 || !got["reach"].ReadAt.Equal(readAt) || got["views"].Value != 0 {
				t.Errorf("delivery %d reach = %s, want reach 1234 and a real views 0 read at %s", d.ID, raw["reach"], readAt)
			}
		case unavailable, never:
			if _, has := raw["reach"]; has {
				t.Errorf("delivery %d has reach %s, want none", d.ID, raw["reach"])
			}
			if wantWhy := d.ID == unavailable; (d.ReachUnavailable != "") != wantWhy {
				t.Errorf("delivery %d reach_unavailable = %q", d.ID, d.ReachUnavailable)
			}
		}
	}
	r := e.get("/api/v1/deliveries?post_id="+strconv.FormatInt(p.ID, 10), officerToken)
	wantStatus(t, r, http.StatusOK)
	var pg struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(r.Body, &pg); err != nil || len(pg.Items) != 3 {
		t.Fatalf("list: %v %s", err, r.Body)
	}
	for _, item := range pg.Items {
		var d shown
		var raw map[string]json.RawMessage
		json.Unmarshal(item, &d)
		json.Unmarshal(item, &raw)
		check(t, d, raw)
	}
	for _, id := range []int64{read, unavailable, never} {
		r := e.get("/api/v1/deliveries/"+strconv.FormatInt(id, 10), officerToken)
		wantStatus(t, r, http.StatusOK)
		var d shown
		var raw map[string]json.RawMessage
		json.Unmarshal(r.Body, &d)
		json.Unmarshal(r.Body, &raw)
		check(t, d, raw)
	}
}
