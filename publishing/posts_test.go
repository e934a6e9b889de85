package publishing_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

var now = time.Date(2026, 11, 20, 1, 30, 0, 0, time.UTC)

// checkingScheduler records what is queued and, at each call, checks the
// delivery is already committed: visible, scheduled, to a reader outside
// the transaction that made it.
type checkingScheduler struct {
	t     *testing.T
	store *storage.Store
	mu    sync.Mutex
	ids   []int64
}

func (c *checkingScheduler) Schedule(ctx context.Context, id int64, _ time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	d, _, err := c.store.GetDelivery(ctx, id)
	if err != nil || d.Status != storage.DeliveryScheduled {
		c.t.Errorf("delivery %d queued before its commit: read %+v, %v", id, d, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ids = append(c.ids, id)
	return nil
}
func (c *checkingScheduler) ScheduleMany(ctx context.Context, ids []int64, at time.Time) error {
	for _, id := range ids {
		if err := c.Schedule(ctx, id, at); err != nil {
			return err
		}
	}
	return nil
}
func (c *checkingScheduler) RunNow(ctx context.Context, id int64) error {
	return c.Schedule(ctx, id, now)
}
func (c *checkingScheduler) Unschedule(context.Context, int64) error { return nil }

func (c *checkingScheduler) queued() []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int64(nil), c.ids...)
}

type fixture struct {
	store *storage.Store
	sched *checkingScheduler
	pub   *publishing.Service
	chIDs []int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	store := storagetest.OpenWithClock(t, func() time.Time { return now })
	f := &fixture{store: store, sched: &checkingScheduler{t: t, store: store}}
	f.pub = publishing.New(publishing.Options{Store: store, Scheduler: f.sched, Horizon: 24 * time.Hour,
		Now: func() time.Time { return now }})
	for i := range 2 {
		ch := storage.Channel{Name: fmt.Sprintf("webhook-%d", i), Kind: "webhook", ConfigSealed: []byte("x")}
		if err := store.CreateChannel(context.Background(), &ch, "test"); err != nil {
			t.Fatal(err)
		}
		f.chIDs = append(f.chIDs, ch.ID)
	}
	return f
}

func (f *fixture) user(t *testing.T, role string, disabled bool) storage.User {
	t.Helper()
	u := storage.User{Name: fmt.Sprintf("%s-%d", role, time.Now().UnixNano()), Role: role}
	if err := f.store.CreateUser(context.Background(), &u, "test"); err != nil {
		t.Fatal(err)
	}
	if disabled {
		at := now
		u.DisabledAt = &at
	}
	return u
}

func (f *fixture) draft() publishing.Draft {
	return publishing.Draft{Fields: publishing.Fields{Title: "Thông báo", Body: "<p>Nội dung</p>",
		PublishAt: now.Add(time.Hour).Format(time.RFC3339)}, ChannelIDs: f.chIDs}
}

func TestSubmitAppliesTheApprovalRule(t *testing.T) {
	tests := []struct {
		role      string
		disabled  bool
		want      string // post status; "" means refused
		wantQueue int
	}{
		{role: storage.RoleOfficer, want: storage.PostPendingApproval, wantQueue: 0},
		{role: storage.RoleEditor, want: storage.PostScheduled, wantQueue: 2},
		{role: storage.RoleAdmin, want: storage.PostScheduled, wantQueue: 2},
		{role: storage.RoleEditor, disabled: true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s disabled=%v", tt.role, tt.disabled), func(t *testing.T) {
			f := newFixture(t)
			author := f.user(t, tt.role, tt.disabled)
			p, ds, err := f.pub.Submit(context.Background(), author, f.draft())
			if tt.want == "" {
				if !errors.Is(err, publishing.ErrNotAllowed) {
					t.Fatalf("Submit by a disabled author: err = %v, want not allowed", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != tt.want || p.CreatedBy != author.ID || len(ds) != 2 {
				t.Errorf("post %s by %d with %d deliveries, want %s by %d with 2", p.Status, p.CreatedBy, len(ds), tt.want, author.ID)
			}
			if got := f.sched.queued(); len(got) != tt.wantQueue {
				t.Errorf("queued %v, want %d deliveries", got, tt.wantQueue)
			}
		})
	}
}

func TestNeedsApproval(t *testing.T) {
	at := now
	tests := []struct {
		author storage.User
		want   bool
	}{
		{storage.User{Role: storage.RoleOfficer}, true},
		{storage.User{Role: storage.RoleEditor}, false},
		{storage.User{Role: storage.RoleAdmin}, false},
		{storage.User{Role: storage.RoleEditor, DisabledAt: &at}, true},
		{storage.User{Role: storage.RoleAdmin, DisabledAt: &at}, true},
		{storage.User{Role: ""}, true},
	}
	for _, tt := range tests {
		if got := publishing.NeedsApproval(tt.author); got != tt.want {
			t.Errorf("NeedsApproval(%s, disabled=%v) = %v, want %v", tt.author.Role, tt.author.DisabledAt != nil, got, tt.want)
		}
	}
}

// A pending post is queued only when approved, and then after the commit.
func TestApproveQueuesAfterCommit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p, _, err := f.pub.Submit(ctx, f.user(t, storage.RoleOfficer, false), f.draft())
	if err != nil {
		t.Fatal(err)
	}
	if got := f.sched.queued(); len(got) != 0 {
		t.Fatalf("pending post queued %v", got)
	}
	officer := f.user(t, storage.RoleOfficer, false)
	if _, _, err := f.pub.Approve(ctx, officer, p.ID); !errors.Is(err, publishing.ErrNotAllowed) {
		t.Fatalf("officer approved: err = %v", err)
	}
	p, ds, err := f.pub.Approve(ctx, f.user(t, storage.RoleEditor, false), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != storage.PostScheduled || len(f.sched.queued()) != len(ds) {
		t.Errorf("approved post %s, queued %v of %d deliveries", p.Status, f.sched.queued(), len(ds))
	}
	_, _, err = f.pub.Approve(ctx, f.user(t, storage.RoleEditor, false), p.ID)
	var state *publishing.StateError
	if !errors.As(err, &state) || state.Code != "wrong_state" {
		t.Errorf("second approval: err = %v, want wrong_state", err)
	}
}

func TestOperationsReportTypedErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	editor := f.user(t, storage.RoleEditor, false)
	var missing *publishing.NotFoundError
	if _, _, err := f.pub.Cancel(ctx, editor, 999); !errors.As(err, &missing) || missing.What != "post" {
		t.Errorf("Cancel of a missing post: %v", err)
	}
	if _, err := f.pub.Retry(ctx, editor, 999); !errors.As(err, &missing) || missing.What != "delivery" {
		t.Errorf("Retry of a missing delivery: %v", err)
	}
	author := f.user(t, storage.RoleOfficer, false)
	p, ds, err := f.pub.Submit(ctx, author, f.draft())
	if err != nil {
		t.Fatal(err)
	}
	other := f.user(t, storage.RoleOfficer, false)
	if _, _, err := f.pub.Cancel(ctx, other, p.ID); !errors.Is(err, publishing.ErrNotAllowed) {
		t.Errorf("officer canceled another's post: %v", err)
	}
	if _, err := f.pub.Retry(ctx, author, ds[0].ID); err == nil {
		t.Error("retried a delivery that has not failed")
	} else if state := new(publishing.StateError); !errors.As(err, &state) || state.Code != "not_retryable" {
		t.Errorf("Retry of a pending delivery: %v, want not_retryable", err)
	}
	d := f.draft()
	d.ChannelIDs = []int64{f.chIDs[0], 12345}
	var bad *publishing.InvalidError
	if _, _, err := f.pub.Submit(ctx, editor, d); !errors.As(err, &bad) || bad.Field != "channel_ids" {
		t.Errorf("Submit to a missing channel: %v, want invalid channel_ids", err)
	}
	if _, _, err := f.pub.Cancel(ctx, author, p.ID); err != nil {
		t.Fatal(err)
	}
	var state *publishing.StateError
	if _, _, err := f.pub.Cancel(ctx, author, p.ID); !errors.As(err, &state) || state.Code != "nothing_to_cancel" {
		t.Errorf("second cancel: %v, want nothing_to_cancel", err)
	}
}

// editScheduler also records removed tasks.
type editScheduler struct {
	*checkingScheduler
	removed []int64
}

func (e *editScheduler) Unschedule(_ context.Context, id int64) error {
	e.removed = append(e.removed, id)
	return nil
}

// An officer's edit sends an editor's scheduled post back to approval and
// removes its tasks; an editor's edit keeps it scheduled and queues it again.
func TestEditRequeuesOnlyApprovedPosts(t *testing.T) {
	f := newFixture(t)
	sched := &editScheduler{checkingScheduler: f.sched}
	pub := publishing.New(publishing.Options{Store: f.store, Scheduler: sched, Now: func() time.Time { return now }})
	ctx := context.Background()
	officer, editor := f.user(t, storage.RoleOfficer, false), f.user(t, storage.RoleEditor, false)
	p, _, err := pub.Submit(ctx, officer, f.draft())
	if err != nil {
		t.Fatal(err)
	}
	title := "Thông báo đã sửa"
	change := func(storage.Post) (storage.PostEdit, error) { return storage.PostEdit{Title: &title}, nil }
	if _, _, err := pub.Edit(ctx, f.user(t, storage.RoleOfficer, false), p.ID, change); !errors.Is(err, publishing.ErrNotAllowed) {
		t.Fatalf("another officer edited the post: %v", err)
	}
	p, _, err = pub.Edit(ctx, editor, p.ID, change)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != storage.PostScheduled || p.Title != title || len(sched.queued()) != 2 || len(sched.removed) != 2 {
		t.Fatalf("editor's edit: post %s %q, queued %v, removed %v", p.Status, p.Title, sched.queued(), sched.removed)
	}
	p, _, err = pub.Edit(ctx, officer, p.ID, change)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != storage.PostPendingApproval || len(sched.queued()) != 2 || len(sched.removed) != 4 {
		t.Errorf("officer's edit: post %s, queued %v, removed %v; want pending, nothing more queued, tasks removed",
			p.Status, sched.queued(), sched.removed)
	}
	refused := errors.New("bad field")
	if _, _, err := pub.Edit(ctx, officer, p.ID, func(storage.Post) (storage.PostEdit, error) { return storage.PostEdit{}, refused }); !errors.Is(err, refused) {
		t.Errorf("Edit ignored its change's error: %v", err)
	}
}
