package notify_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/loa-vn/loa/notify"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

// clock is the tests' time, shared by the store and the notifier.
type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.at = c.at.Add(d)
	c.mu.Unlock()
}

type noQueue struct{}

func (noQueue) ScheduleMany(context.Context, []int64, time.Time) error { return nil }
func (noQueue) RunNow(context.Context, int64) error                    { return nil }
func (noQueue) Unschedule(context.Context, int64) error                { return nil }

// world: root R with A and B beneath; in A two officers, an editor and a
// disabled editor; in B an editor; at R an admin; a channel in A and B.
type world struct {
	t       *testing.T
	clock   *clock
	store   *storage.Store
	pub     *publishing.Service
	a, b    storage.Agency
	chA     storage.Channel
	chB     storage.Channel
	users   map[string]storage.User
	lastRun int
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, clock: &clock{at: time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)}, users: map[string]storage.User{}}
	w.store = storagetest.OpenWithClock(t, w.clock.now)
	w.pub = publishing.New(publishing.Options{Store: w.store, Scheduler: noQueue{}, Now: w.clock.now})
	ctx := context.Background()
	root, err := w.store.RootAgency(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.a = storage.Agency{Name: "Huyện A", Code: "a", ParentID: &root.ID}
	w.b = storage.Agency{Name: "Huyện B", Code: "b", ParentID: &root.ID}
	for _, ag := range []*storage.Agency{&w.a, &w.b} {
		if err := w.store.CreateAgency(ctx, ag, "test"); err != nil {
			t.Fatal(err)
		}
	}
	w.chA = storage.Channel{Name: "Cổng A", Kind: "webhook", ConfigSealed: []byte("s"), AgencyID: w.a.ID}
	w.chB = storage.Channel{Name: "Cổng B", Kind: "webhook", ConfigSealed: []byte("s"), AgencyID: w.b.ID}
	for _, c := range []*storage.Channel{&w.chA, &w.chB} {
		if err := w.store.CreateChannel(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []struct {
		name, role string
		agency     int64
	}{
		{"cv a", storage.RoleOfficer, w.a.ID}, {"cv a2", storage.RoleOfficer, w.a.ID},
		{"bt a", storage.RoleEditor, w.a.ID}, {"bt a nghỉ", storage.RoleEditor, w.a.ID},
		{"bt b", storage.RoleEditor, w.b.ID}, {"qt tỉnh", storage.RoleAdmin, root.ID},
	} {
		usr := storage.User{Name: u.name, Role: u.role, AgencyID: u.agency}
		if err := w.store.CreateUser(ctx, &usr, "test"); err != nil {
			t.Fatal(err)
		}
		w.users[u.name] = usr
	}
	off := true
	if _, err := w.store.UpdateUser(ctx, w.users["bt a nghỉ"].ID, storage.UserChange{Disabled: &off}, "test"); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) post(author string, ch storage.Channel, title, status string) storage.Delivery {
	w.t.Helper()
	p := storage.Post{Title: title, Body: "Nội dung", Audience: "public", AgencyID: ch.AgencyID, Status: status,
		PublishAt: w.clock.now(), CreatedBy: w.users[author].ID}
	ds, err := w.store.CreatePost(context.Background(), &p, []int64{ch.ID}, nil, "test")
	if err != nil {
		w.t.Fatal(err)
	}
	return ds[0]
}

func (w *world) fail(d storage.Delivery, status, outcome string) {
	w.t.Helper()
	ctx := context.Background()
	w.lastRun++
	c, err := w.store.ClaimDelivery(ctx, d.ID, fmt.Sprintf("lease-%d", w.lastRun), time.Minute)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.store.FinishAttempt(ctx, c, storage.Result{Status: status, Outcome: outcome, Error: "webhook: HTTP 400"}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) notifier(o notify.Options) *notify.Notifier {
	o.Store, o.Publishing, o.Now, o.PublicURL = w.store, w.pub, w.clock.now, "https://loa.example.gov.vn"
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return notify.New(o)
}

func (w *world) scan(n *notify.Notifier) {
	w.t.Helper()
	if err := n.Scan(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

// got lists, per user name, the kind:subject of their notifications.
func (w *world) got() map[string][]string {
	w.t.Helper()
	out := map[string][]string{}
	for name, u := range w.users {
		ns, err := w.store.ListNotifications(context.Background(), u.ID, 0, 1000)
		if err != nil {
			w.t.Fatal(err)
		}
		for _, n := range ns {
			out[name] = append(out[name], fmt.Sprintf("%s:%d", n.Kind, n.SubjectID))
		}
		slices.Sort(out[name])
	}
	return out
}

// Each kind of event gives one notification to exactly the users whose
// role and agency cover it: not a sibling agency's, not a disabled user,
// not an officer for what only an editor can do.
func TestEachEventKindNotifiesTheRightUsers(t *testing.T) {
	type want map[string][]string
	tests := []struct {
		name  string
		make  func(w *world) int64
		kind  string
		users []string
	}{
		{"delivery failed", func(w *world) int64 {
			d := w.post("cv a", w.chA, "Tin hỏng", "")
			w.fail(d, storage.DeliveryFailed, storage.OutcomeFailed)
			return d.ID
		}, storage.NotifyDeliveryFailed, []string{"cv a", "bt a", "qt tỉnh"}},
		{"delivery unconfirmed", func(w *world) int64 {
			d := w.post("cv a", w.chA, "Tin chưa rõ", "")
			w.fail(d, storage.DeliveryUnconfirmed, storage.OutcomeUnconfirmed)
			return d.ID
		}, storage.NotifyDeliveryUnconfirmed, []string{"cv a", "bt a", "qt tỉnh"}},
		{"post to approve", func(w *world) int64 {
			return w.post("cv a", w.chA, "Tin chờ duyệt", storage.PostPendingApproval).PostID
		}, storage.NotifyPostPending, []string{"bt a", "qt tỉnh"}},
		{"channel to re-authorise", func(w *world) int64 {
			if err := w.store.SetChannelStatus(context.Background(), w.chA.ID, storage.ChannelNeedsReauth, "token expired", "system:worker"); err != nil {
				w.t.Fatal(err)
			}
			return w.chA.ID
		}, storage.NotifyChannelReauth, []string{"bt a", "qt tỉnh"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			n := w.notifier(notify.Options{})
			w.scan(n) // nothing yet; sets nothing off
			subject := tt.make(w)
			w.clock.advance(notify.DefaultSettle + time.Second)
			w.scan(n)
			expect := want{}
			for _, u := range tt.users {
				expect[u] = []string{fmt.Sprintf("%s:%d", tt.kind, subject)}
			}
			got := w.got()
			for name := range w.users {
				if !slices.Equal(got[name], expect[name]) {
					t.Errorf("%s got %v, want %v", name, got[name], expect[name])
				}
			}
		})
	}
}

// An event is read only once it has settled; a restarted notifier (a new
// one over the same store) neither repeats old notifications nor loses
// events that came while it was down; a lost mark rescans without
// duplicates.
func TestNotifierSurvivesRestarts(t *testing.T) {
	w := newWorld(t)
	first := w.notifier(notify.Options{})
	d1 := w.post("cv a", w.chA, "Tin một", "")
	w.fail(d1, storage.DeliveryFailed, storage.OutcomeFailed)
	w.scan(first)
	if len(w.got()["bt a"]) != 0 {
		t.Fatal("an event was read before it settled")
	}
	w.clock.advance(notify.DefaultSettle + time.Second)
	w.scan(first)
	if got := w.got()["bt a"]; len(got) != 1 {
		t.Fatalf("after the first scan: %v", got)
	}
	// Down: another delivery fails and a post waits for approval.
	d2 := w.post("cv a", w.chA, "Tin hai", "")
	w.fail(d2, storage.DeliveryFailed, storage.OutcomeFailed)
	pending := w.post("cv a", w.chA, "Tin ba", storage.PostPendingApproval)
	w.clock.advance(notify.DefaultSettle + time.Second)
	restarted := w.notifier(notify.Options{})
	w.scan(restarted)
	w.scan(restarted)
	want := []string{
		fmt.Sprintf("%s:%d", storage.NotifyDeliveryFailed, d1.ID),
		fmt.Sprintf("%s:%d", storage.NotifyDeliveryFailed, d2.ID),
		fmt.Sprintf("%s:%d", storage.NotifyPostPending, pending.PostID),
	}
	slices.Sort(want)
	if got := w.got()["bt a"]; !slices.Equal(got, want) {
		t.Fatalf("after restart: %v, want %v", got, want)
	}
	// A notifier reading from further back (its mark lost) adds nothing.
	ctx := context.Background()
	for _, src := range []string{storage.SourceAttempts, storage.SourceAudit} {
		if _, err := w.store.SaveNotifications(ctx, nil, storage.NotifierMark{Source: src, At: w.clock.now().Add(-48 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	w.scan(w.notifier(notify.Options{Lookback: 72 * time.Hour}))
	if got := w.got()["bt a"]; !slices.Equal(got, want) {
		t.Fatalf("after a rescan: %v, want %v", got, want)
	}
}

// Small batches still read every event in one scan, each once; an event
// resolved before it is read (the delivery retried and sent) is skipped.
func TestNotifierBatches(t *testing.T) {
	w := newWorld(t)
	var ids []int64
	for i := range 7 {
		d := w.post("cv a", w.chA, fmt.Sprintf("Tin %d", i), "")
		w.fail(d, storage.DeliveryFailed, storage.OutcomeFailed)
		ids = append(ids, d.ID)
	}
	fixed := w.post("cv a", w.chA, "Tin đã sửa", "")
	w.fail(fixed, storage.DeliveryFailed, storage.OutcomeFailed)
	ctx := context.Background()
	if _, err := w.pub.Retry(ctx, w.users["bt a"], fixed.ID); err != nil {
		t.Fatal(err)
	}
	w.clock.advance(notify.DefaultSettle + time.Second)
	w.scan(w.notifier(notify.Options{Batch: 2}))
	got := w.got()["cv a"]
	if len(got) != len(ids) {
		t.Fatalf("got %v, want one per failed delivery %v", got, ids)
	}
	for _, g := range got {
		if g == fmt.Sprintf("%s:%d", storage.NotifyDeliveryFailed, fixed.ID) {
			t.Error("notified of a delivery retried before the scan")
		}
	}
}

// Run scans at once, then every interval, and returns when its context ends.
func TestRunScansAndStops(t *testing.T) {
	w := newWorld(t)
	d := w.post("cv a", w.chA, "Tin hỏng", "")
	w.fail(d, storage.DeliveryFailed, storage.OutcomeFailed)
	w.clock.advance(notify.DefaultSettle + time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.notifier(notify.Options{Interval: time.Hour}).Run(ctx)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(w.got()["bt a"]) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("Run made no notification")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
}
