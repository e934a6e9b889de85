package reports_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/reports"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

var hcm = time.FixedZone("ICT", 7*3600)

// at is a local time in LOA_TIMEZONE.
func at(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, hcm) }

// clock is the store's and the services' controllable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// nopScheduler queues nothing: the tests drive deliveries themselves.
type nopScheduler struct{}

func (nopScheduler) ScheduleMany(context.Context, []int64, time.Time) error { return nil }
func (nopScheduler) RunNow(context.Context, int64) error                    { return nil }
func (nopScheduler) Unschedule(context.Context, int64) error                { return nil }

type fixture struct {
	t     *testing.T
	ctx   context.Context
	clock *clock
	store *storage.Store
	pub   *publishing.Service
	svc   *reports.Service
	root  storage.Agency
	seq   int
}

func newFixture(t *testing.T, opts ...func(*reports.Options)) *fixture {
	t.Helper()
	c := &clock{now: at(2026, 12, 1, 8, 0)}
	store := storagetest.OpenWithClock(t, c.Now)
	f := &fixture{t: t, ctx: context.Background(), clock: c, store: store}
	f.pub = publishing.New(publishing.Options{Store: store, Scheduler: nopScheduler{}, Location: hcm, Now: c.Now})
	o := reports.Options{Store: store, Publishing: f.pub, Location: hcm, Now: c.Now}
	for _, opt := range opts {
		opt(&o)
	}
	f.svc = reports.New(o)
	root, err := store.RootAgency(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.root = root
	return f
}

func (f *fixture) next() int { f.seq++; return f.seq }

func (f *fixture) agency(name string, parent int64) storage.Agency {
	f.t.Helper()
	a := storage.Agency{Name: name, Code: fmt.Sprintf("dv-%d", f.next()), ParentID: &parent}
	if err := f.store.CreateAgency(f.ctx, &a, "test"); err != nil {
		f.t.Fatal(err)
	}
	return a
}

func (f *fixture) user(agency int64, role string) storage.User {
	f.t.Helper()
	u := storage.User{Name: fmt.Sprintf("Người dùng %d", f.next()), Role: role, AgencyID: agency}
	if err := f.store.CreateUser(f.ctx, &u, "test"); err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *fixture) channel(agency int64, kind string) int64 {
	f.t.Helper()
	ch := storage.Channel{Name: fmt.Sprintf("%s-%d", kind, f.next()), Kind: kind, ConfigSealed: []byte("x"), AgencyID: agency}
	if err := f.store.CreateChannel(f.ctx, &ch, "test"); err != nil {
		f.t.Fatal(err)
	}
	return ch.ID
}

func (f *fixture) plan(agency int64, year int, acts ...storage.PlanActivity) []storage.PlanActivity {
	f.t.Helper()
	p := storage.Plan{AgencyID: agency, Title: fmt.Sprintf("Kế hoạch tuyên truyền CCHC năm %d", year), Year: year,
		Reference: "Kế hoạch số 25/KH-UBND ngày 03/3/2027"}
	out, err := f.store.CreatePlan(f.ctx, &p, acts, "test")
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// post makes a post of agency for activity (0 for none) scheduled at
// when, to channels, and returns its deliveries' ids by channel.
func (f *fixture) post(agency, activity int64, when time.Time, cls storage.Classification, channels ...int64) map[int64]int64 {
	f.t.Helper()
	if activity != 0 {
		cls.ActivityID = &activity
	}
	p := storage.Post{Title: fmt.Sprintf("Tin %d", f.next()), Body: "<p>Nội dung</p>", AgencyID: agency,
		PublishAt: when, Classification: cls}
	ds, err := f.store.CreatePost(f.ctx, &p, channels, nil, "test")
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[int64]int64{}
	for _, d := range ds {
		out[d.ChannelID] = d.ID
	}
	return out
}

// finish drives delivery id through a worker's attempt, lag after its
// scheduled time, to status (delivered, failed, unconfirmed).
func (f *fixture) finish(id int64, scheduled time.Time, lag time.Duration, status string) {
	f.t.Helper()
	f.clock.Set(scheduled.Add(lag))
	c, err := f.store.ClaimDelivery(f.ctx, id, fmt.Sprintf("lease-%d", f.next()), time.Minute)
	if err != nil {
		f.t.Fatalf("claim delivery %d: %v", id, err)
	}
	outcome := map[string]string{storage.DeliveryDelivered: storage.OutcomeDelivered,
		storage.DeliveryFailed: storage.OutcomeFailed, storage.DeliveryUnconfirmed: storage.OutcomeUnconfirmed}[status]
	if err := f.store.FinishAttempt(f.ctx, c, storage.Result{Status: status, Outcome: outcome, Error: "x"}); err != nil {
		f.t.Fatalf("finish delivery %d: %v", id, err)
	}
}

func (f *fixture) record(agency, activity int64, day, form string, count int64) {
	f.t.Helper()
	r := storage.ActivityRecord{ActivityID: activity, AgencyID: agency, OccurredOn: day, Form: form,
		Description: "Hội nghị", Count: count, CreatedBy: 1}
	if err := f.store.CreateActivityRecord(f.ctx, &r, nil, "test"); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) report(actor storage.User, agency int64, period, cutoff string) reports.Report {
	f.t.Helper()
	rep, err := f.svc.Compute(f.ctx, actor, reports.Request{AgencyID: agency, Period: period, Cutoff: cutoff})
	if err != nil {
		f.t.Fatalf("report of agency %d for %s: %v", agency, period, err)
	}
	return rep
}

func i64(n int64) *int64 { return &n }
