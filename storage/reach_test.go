package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

var reachSchedule = []time.Duration{time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}

// deliverAll delivers ds now (the store's clock), each with an external id.
func deliverAll(t *testing.T, st *storage.Store, ds []storage.Delivery) {
	t.Helper()
	for _, d := range ds {
		c, err := st.ClaimDelivery(context.Background(), d.ID, "w", time.Minute)
		if err != nil {
			t.Fatalf("claim %d: %v", d.ID, err)
		}
		err = st.FinishAttempt(context.Background(), c, storage.Result{Status: storage.DeliveryDelivered,
			Outcome: storage.OutcomeDelivered, ExternalID: fmt.Sprintf("ext-%d", d.ID)})
		if err != nil {
			t.Fatalf("finish %d: %v", d.ID, err)
		}
	}
}

func reachChannel(t *testing.T, st *storage.Store, name, kind string, agency int64) storage.Channel {
	t.Helper()
	ch := storage.Channel{Name: name, Kind: kind, ConfigSealed: []byte("sealed"), AgencyID: agency}
	if err := st.CreateChannel(context.Background(), &ch, "user:1"); err != nil {
		t.Fatalf("create channel: %v", err)
	}
	return ch
}

func due(token string, limit int) storage.ReachDue {
	return storage.ReachDue{Kinds: []string{"facebook_page"}, Schedule: reachSchedule, Limit: limit, Lease: 10 * time.Minute, Token: token}
}

func claimIDs(cs []storage.ReachClaim) []int64 {
	var ids []int64
	for _, c := range cs {
		ids = append(ids, c.DeliveryID)
	}
	return ids
}

// TestReachFollowsTheSlowSchedule walks one delivery through its reads:
// due an hour after delivery, then after a day, 7 days and 30 days, then
// never; nothing in between.
func TestReachFollowsTheSlowSchedule(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	ctx := context.Background()
	fb := reachChannel(t, st, "fb", "facebook_page", 0)
	hook := mustChannel(t, st, "hook")
	_, ds := mustPost(t, st, clk.Now(), fb.ID, hook.ID)
	deliverAll(t, st, ds)

	steps := []struct {
		advance  time.Duration
		wantSlot int // -1: nothing due
	}{
		{59 * time.Minute, -1},
		{time.Minute, 0},
		{10 * time.Minute, -1},
		{23 * time.Hour, 1},
		{6 * 24 * time.Hour, 2},
		{23 * 24 * time.Hour, 3},
		{365 * 24 * time.Hour, -1},
	}
	for i, s := range steps {
		clk.Add(s.advance)
		cs, err := st.ClaimDueReach(ctx, due("w1", 10))
		if err != nil {
			t.Fatal(err)
		}
		if s.wantSlot < 0 {
			if len(cs) != 0 {
				t.Fatalf("step %d: claimed %+v, want nothing due", i, cs)
			}
			continue
		}
		if len(cs) != 1 || cs[0].DeliveryID != ds[0].ID || cs[0].Slot != s.wantSlot || cs[0].ExternalID == "" || cs[0].Channel.Kind != "facebook_page" {
			t.Fatalf("step %d: claimed %+v, want delivery %d slot %d (the webhook one never)", i, cs, ds[0].ID, s.wantSlot)
		}
		if err := st.RecordReach(ctx, cs[0], storage.ReachResult{Metrics: map[string]int64{"reach": int64(100 * (i + 1))}}, reachSchedule); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.ReachByDelivery(ctx, []int64{ds[0].ID, ds[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	r := got[ds[0].ID]
	if v := r.Metrics["reach"]; v.Value != 600 || v.ReadAt.IsZero() || r.CheckedAt == nil {
		t.Errorf("reach = %+v, want the latest value 600 with its read time", r)
	}
	if _, ok := got[ds[1].ID]; ok {
		t.Errorf("the webhook delivery has reach %+v; it was never read", got[ds[1].ID])
	}
}

// TestReachLateReadSkipsPassedSlots: a first read made 3 days late stands
// for the 1-day slot too; the next read is at 7 days.
func TestReachLateReadSkipsPassedSlots(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	ctx := context.Background()
	fb := reachChannel(t, st, "fb", "facebook_page", 0)
	_, ds := mustPost(t, st, clk.Now(), fb.ID)
	deliverAll(t, st, ds)
	clk.Add(3 * 24 * time.Hour)
	cs, _ := st.ClaimDueReach(ctx, due("w", 10))
	if len(cs) != 1 || cs[0].Slot != 0 {
		t.Fatalf("claimed %+v", cs)
	}
	if err := st.RecordReach(ctx, cs[0], storage.ReachResult{Metrics: map[string]int64{"reach": 5}}, reachSchedule); err != nil {
		t.Fatal(err)
	}
	clk.Add(3*24*time.Hour + 23*time.Hour)
	if cs, _ := st.ClaimDueReach(ctx, due("w", 10)); len(cs) != 0 {
		t.Fatalf("claimed %+v before the 7-day slot", cs)
	}
	clk.Add(time.Hour)
	if cs, _ := st.ClaimDueReach(ctx, due("w", 10)); len(cs) != 1 || cs[0].Slot != 2 {
		t.Fatalf("claimed %+v, want the 7-day slot", cs)
	}
}

// TestReachOutcomesKeepAbsentAbsent: an unavailable platform or an error
// records no value (absent, never 0) and keeps the reason; an error after
// a value keeps the value read before.
func TestReachOutcomesKeepAbsentAbsent(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	ctx := context.Background()
	fb := reachChannel(t, st, "fb", "facebook_page", 0)
	_, ds := mustPost(t, st, clk.Now(), fb.ID, reachChannel(t, st, "fb2", "facebook_page", 0).ID)
	deliverAll(t, st, ds)
	clk.Add(time.Hour)
	cs, _ := st.ClaimDueReach(ctx, due("w", 10))
	if len(cs) != 2 {
		t.Fatalf("claimed %d, want 2", len(cs))
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.RecordReach(ctx, cs[0], storage.ReachResult{Unavailable: "facebook: no read_insights"}, reachSchedule))
	must(st.RecordReach(ctx, cs[1], storage.ReachResult{Metrics: map[string]int64{"reach": 42}}, reachSchedule))
	clk.Add(23 * time.Hour)
	cs, _ = st.ClaimDueReach(ctx, due("w", 10))
	if len(cs) != 2 {
		t.Fatalf("claimed %d at the 1-day slot, want 2", len(cs))
	}
	must(st.RecordReach(ctx, cs[0], storage.ReachResult{Error: "facebook: HTTP 500"}, reachSchedule))
	must(st.RecordReach(ctx, cs[1], storage.ReachResult{Error: "facebook: HTTP 500"}, reachSchedule))
	got, err := st.ReachByDelivery(ctx, []int64{ds[0].ID, ds[1].ID})
	must(err)
	a, b := got[ds[0].ID], got[ds[1].ID]
	if a.Metrics != nil || a.Unavailable != "facebook: no read_insights" || a.LastError != "facebook: HTTP 500" || a.CheckedAt == nil {
		t.Errorf("unavailable delivery = %+v, want no metrics, the reason kept and the error", a)
	}
	if b.Metrics["reach"].Value != 42 || b.LastError != "facebook: HTTP 500" {
		t.Errorf("read delivery = %+v, want 42 kept through the error", b)
	}
}

// TestReachClaimsAreExclusive: workers claiming at once never hold the
// same read, and a batch never exceeds its limit.
func TestReachClaimsAreExclusive(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	ctx := context.Background()
	var chIDs []int64
	for i := range 12 {
		chIDs = append(chIDs, reachChannel(t, st, fmt.Sprintf("fb%d", i), "facebook_page", 0).ID)
	}
	_, ds := mustPost(t, st, clk.Now(), chIDs...)
	deliverAll(t, st, ds)
	clk.Add(time.Hour)

	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cs, err := st.ClaimDueReach(ctx, due(fmt.Sprintf("w%d", w), 5))
			if err != nil {
				t.Error(err)
			}
			if len(cs) > 5 {
				t.Errorf("worker %d claimed %d, over its limit of 5", w, len(cs))
			}
			mu.Lock()
			for _, c := range cs {
				seen[c.DeliveryID]++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	// A later worker takes what the racing ones left, and nothing they hold.
	rest, err := st.ClaimDueReach(ctx, due("late", 50))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rest {
		seen[c.DeliveryID]++
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("delivery %d claimed %d times", id, n)
		}
	}
	if len(seen) != 12 {
		t.Errorf("%d deliveries claimed, want all 12", len(seen))
	}
	// Held reads are not due again until their lease ends.
	if cs, _ := st.ClaimDueReach(ctx, due("later", 50)); len(cs) != 0 {
		t.Errorf("claimed %v while leased", claimIDs(cs))
	}
	clk.Add(11 * time.Minute)
	if cs, _ := st.ClaimDueReach(ctx, due("late", 50)); len(cs) != 12 {
		t.Errorf("claimed %d after the leases ended, want 12", len(cs))
	}
}

// TestRecordReachNeedsTheLease: a worker whose lease was taken over
// records nothing.
func TestRecordReachNeedsTheLease(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	ctx := context.Background()
	_, ds := mustPost(t, st, clk.Now(), reachChannel(t, st, "fb", "facebook_page", 0).ID)
	deliverAll(t, st, ds)
	clk.Add(time.Hour)
	old, _ := st.ClaimDueReach(ctx, due("slow", 1))
	clk.Add(11 * time.Minute)
	taken, _ := st.ClaimDueReach(ctx, due("fast", 1))
	if len(old) != 1 || len(taken) != 1 {
		t.Fatalf("claims %v and %v", claimIDs(old), claimIDs(taken))
	}
	err := st.RecordReach(ctx, old[0], storage.ReachResult{Metrics: map[string]int64{"reach": 1}}, reachSchedule)
	if !errors.Is(err, storage.ErrLeaseLost) {
		t.Fatalf("late record: %v, want ErrLeaseLost", err)
	}
	got, _ := st.ReachByDelivery(ctx, []int64{ds[0].ID})
	if len(got) != 0 {
		t.Errorf("reach %+v recorded by a lost lease", got)
	}
}

func TestRecordReachRefusesBadResults(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	ctx := context.Background()
	_, ds := mustPost(t, st, clk.Now(), reachChannel(t, st, "fb", "facebook_page", 0).ID)
	deliverAll(t, st, ds)
	clk.Add(time.Hour)
	cs, _ := st.ClaimDueReach(ctx, due("w", 1))
	many := map[string]int64{}
	for i := range 9 {
		many[fmt.Sprintf("m%c", 'a'+i)] = 1
	}
	for name, r := range map[string]storage.ReachResult{
		"negative":     {Metrics: map[string]int64{"reach": -1}},
		"bad name":     {Metrics: map[string]int64{"Reach; DROP": 1}},
		"long name":    {Metrics: map[string]int64{string(make([]byte, 41)): 1}},
		"over 8 names": {Metrics: many},
	} {
		if err := st.RecordReach(ctx, cs[0], r, reachSchedule); !errors.Is(err, storage.ErrBadReach) {
			t.Errorf("%s: %v, want ErrBadReach", name, err)
		}
	}
}

// TestReachNeverReadOldDeliveriesAreLeftAlone: a delivery older than the
// schedule and its grace when reach reading started is never read.
func TestReachNeverReadOldDeliveriesAreLeftAlone(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	_, ds := mustPost(t, st, clk.Now(), reachChannel(t, st, "fb", "facebook_page", 0).ID)
	deliverAll(t, st, ds)
	clk.Add(32 * 24 * time.Hour)
	if cs, _ := st.ClaimDueReach(context.Background(), due("w", 10)); len(cs) != 0 {
		t.Errorf("claimed %v", claimIDs(cs))
	}
}

// TestSumReach sums per metric over an agency's subtree and period, counts
// the deliveries each sum covers, and is nil when nothing was reported.
func TestSumReach(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	ctx := context.Background()
	tr := newTree(t, st)
	start := clk.Now()
	record := func(agency int64, kind string, metrics map[string]int64) {
		t.Helper()
		_, ds := mustPost(t, st, clk.Now(), reachChannel(t, st, fmt.Sprintf("%s-%d", kind, time.Now().UnixNano()), kind, agency).ID)
		deliverAll(t, st, ds)
		clk.Add(time.Hour)
		cs, err := st.ClaimDueReach(ctx, storage.ReachDue{Kinds: []string{kind}, Schedule: reachSchedule, Limit: 10, Lease: time.Minute, Token: "w"})
		if err != nil || len(cs) != 1 {
			t.Fatalf("claim: %v %v", cs, err)
		}
		if err := st.RecordReach(ctx, cs[0], storage.ReachResult{Metrics: metrics}, reachSchedule); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := st.SumReach(ctx, 0, start, start.Add(24*time.Hour)); err != nil || got != nil {
		t.Fatalf("SumReach with nothing read = %v, %v; want nil", got, err)
	}
	record(tr.A1.ID, "facebook_page", map[string]int64{"reach": 1000})
	record(tr.A2.ID, "zalo_oa", map[string]int64{"views": 30})
	record(tr.B.ID, "facebook_page", map[string]int64{"reach": 5})
	// A delivery read as unavailable adds nothing and counts nowhere.
	_, ds := mustPost(t, st, clk.Now(), reachChannel(t, st, "wp", "wordpress", tr.A.ID).ID)
	deliverAll(t, st, ds)

	end := clk.Now().Add(time.Hour)
	for _, tt := range []struct {
		name     string
		agency   int64
		from, to time.Time
		want     map[string]storage.ReachTotal
	}{
		{"whole tree", 0, start, end, map[string]storage.ReachTotal{"reach": {Value: 1005, Deliveries: 2}, "views": {Value: 30, Deliveries: 1}}},
		{"subtree A", tr.A.ID, start, end, map[string]storage.ReachTotal{"reach": {Value: 1000, Deliveries: 1}, "views": {Value: 30, Deliveries: 1}}},
		{"subtree B", tr.B.ID, start, end, map[string]storage.ReachTotal{"reach": {Value: 5, Deliveries: 1}}},
		{"period before", 0, start.Add(-48 * time.Hour), start, nil},
		{"period holding only the first", 0, start, start.Add(time.Minute), map[string]storage.ReachTotal{"reach": {Value: 1000, Deliveries: 1}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.SumReach(ctx, tt.agency, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("SumReach = %v, want %v", got, tt.want)
			}
		})
	}
	byKind, err := st.SumReachByKind(ctx, tr.R.ID, start, end)
	if err != nil || byKind["facebook_page"]["reach"].Value != 1005 || byKind["zalo_oa"]["views"].Value != 30 || len(byKind) != 2 {
		t.Errorf("SumReachByKind = %v, %v", byKind, err)
	}
}

// A report's figures carry the reach of the deliveries that reported any
// (each delivery's largest metric) and how many did; a delivery that
// reported nothing adds to neither.
func TestDeliveryFiguresCarryReach(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	ctx := context.Background()
	tr := newTree(t, st)
	start := clk.Now()
	post := func(ch storage.Channel) []storage.Delivery {
		t.Helper()
		p := storage.Post{Title: "Công khai TTHC", Body: "<p>x</p>", Audience: "all", PublishAt: clk.Now(), CreatedBy: 1, AgencyID: tr.A.ID}
		ds, err := st.CreatePost(ctx, &p, []int64{ch.ID}, nil, "user:1")
		if err != nil {
			t.Fatal(err)
		}
		deliverAll(t, st, ds)
		return ds
	}
	fb := reachChannel(t, st, "fb", "facebook_page", tr.A.ID)
	post(fb)
	post(reachChannel(t, st, "web", "webhook", tr.A.ID))
	clk.Add(time.Hour)
	cs, err := st.ClaimDueReach(ctx, storage.ReachDue{Kinds: []string{"facebook_page"}, Schedule: reachSchedule, Limit: 10, Lease: time.Minute, Token: "w"})
	if err != nil || len(cs) != 1 {
		t.Fatalf("claim: %v %v", cs, err)
	}
	if err := st.RecordReach(ctx, cs[0], storage.ReachResult{Metrics: map[string]int64{"reach": 700, "impressions": 900}}, reachSchedule); err != nil {
		t.Fatal(err)
	}
	figs, err := st.DeliveryFigures(ctx, storage.FigureFilter{Agencies: []int64{tr.A.ID}, ChannelAgencies: []int64{tr.A.ID},
		From: start.Add(-time.Hour), To: clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	var n, reach, reachN int64
	for _, f := range figs {
		n, reach, reachN = n+f.N, reach+f.Reach, reachN+f.ReachN
		if f.ChannelID != fb.ID && f.ReachN != 0 {
			t.Errorf("channel %d reported reach %d it never read", f.ChannelID, f.Reach)
		}
	}
	if n != 2 || reach != 900 || reachN != 1 {
		t.Errorf("figures: %d deliveries, reach %d from %d; want 2, 900 from 1", n, reach, reachN)
	}
}
