package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)} }

func mustChannel(t *testing.T, st *storage.Store, name string) storage.Channel {
	t.Helper()
	ch := storage.Channel{Name: name, Kind: "webhook", ConfigSealed: []byte("sealed")}
	if err := st.CreateChannel(context.Background(), &ch, "user:1"); err != nil {
		t.Fatalf("create channel: %v", err)
	}
	return ch
}

func mustPost(t *testing.T, st *storage.Store, at time.Time, chIDs ...int64) (storage.Post, []storage.Delivery) {
	t.Helper()
	p := storage.Post{Title: "Công khai TTHC", Body: "<p>x</p>", Audience: "all", PublishAt: at, CreatedBy: 1}
	ds, err := st.CreatePost(context.Background(), &p, chIDs, nil, "user:1")
	if err != nil {
		t.Fatalf("create post: %v", err)
	}
	return p, ds
}

func TestMigrateIsIdempotent(t *testing.T) {
	st := storagetest.Open(t)
	applied, err := st.Migrate(context.Background())
	if err != nil || len(applied) != 0 {
		t.Fatalf("second migrate applied %v, err %v; want nothing", applied, err)
	}
	pending, err := st.PendingMigrations(context.Background())
	if err != nil || pending != 0 {
		t.Fatalf("pending = %d, %v; want 0", pending, err)
	}
}

func TestCreatePostRejectsUnknownChannelAndWritesNothing(t *testing.T) {
	st := storagetest.Open(t)
	ch := mustChannel(t, st, "web")
	p := storage.Post{Title: "t", Audience: "all", PublishAt: time.Now()}
	_, err := st.CreatePost(context.Background(), &p, []int64{ch.ID, 999}, nil, "user:1")
	var unavailable *storage.ChannelsUnavailableError
	if !errors.As(err, &unavailable) || len(unavailable.Missing) != 1 || unavailable.Missing[0] != 999 {
		t.Fatalf("err = %v, want unknown channel 999", err)
	}
	posts, _ := st.ListPosts(context.Background(), storage.PostFilter{Limit: 10})
	ds, _ := st.ListDeliveries(context.Background(), storage.DeliveryFilter{Limit: 10})
	if len(posts) != 0 || len(ds) != 0 {
		t.Fatalf("rejected post left %d posts and %d deliveries", len(posts), len(ds))
	}
}

func TestDuplicateChannelNameConflicts(t *testing.T) {
	st := storagetest.Open(t)
	mustChannel(t, st, "web")
	ch := storage.Channel{Name: "web", Kind: "webhook", ConfigSealed: []byte("x")}
	if err := st.CreateChannel(context.Background(), &ch, "user:1"); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
}

func TestClaimRespectsScheduleAndLease(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	ctx := context.Background()
	ch := mustChannel(t, st, "web")
	_, ds := mustPost(t, st, clk.Now().Add(time.Minute), ch.ID)
	id := ds[0].ID

	var notDue *storage.NotDueError
	if _, err := st.ClaimDelivery(ctx, id, "a", time.Minute); !errors.As(err, &notDue) {
		t.Fatalf("early claim err = %v, want NotDueError", err)
	}
	clk.Add(time.Minute)
	c, err := st.ClaimDelivery(ctx, id, "a", time.Minute)
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	if c.Delivery.Attempts != 1 || c.Attempt.Number != 1 || c.Uncertain {
		t.Fatalf("claim = attempts %d, number %d, interrupted %v", c.Delivery.Attempts, c.Attempt.Number, c.Uncertain)
	}
	if _, err := st.ClaimDelivery(ctx, id, "b", time.Minute); !errors.As(err, &notDue) {
		t.Fatalf("claim under lease err = %v, want NotDueError", err)
	}
	// The first worker dies; after its lease the next claim knows the attempt was interrupted.
	clk.Add(2 * time.Minute)
	c2, err := st.ClaimDelivery(ctx, id, "b", time.Minute)
	if err != nil || !c2.Uncertain || c2.Attempt.Number != 2 {
		t.Fatalf("reclaim = %+v, %v; want interrupted attempt 2", c2.Attempt, err)
	}
	if err := st.FinishAttempt(ctx, c, storage.Result{Status: storage.DeliveryDelivered, Outcome: storage.OutcomeDelivered}); !errors.Is(err, storage.ErrLeaseLost) {
		t.Fatalf("stale finish err = %v, want ErrLeaseLost", err)
	}
	if err := st.FinishAttempt(ctx, c2, storage.Result{Status: storage.DeliveryDelivered, Outcome: storage.OutcomeDelivered, ExternalID: "42"}); err != nil {
		t.Fatalf("finish: %v", err)
	}
	d, attempts, err := st.GetDelivery(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != storage.DeliveryDelivered || d.ExternalID != "42" || d.DeliveredAt == nil {
		t.Fatalf("delivery = %+v", d)
	}
	if len(attempts) != 2 || attempts[0].Outcome != storage.OutcomeInterrupted || attempts[1].Outcome != storage.OutcomeDelivered {
		t.Fatalf("attempts = %+v", attempts)
	}
	if _, err := st.ClaimDelivery(ctx, id, "c", time.Minute); !errors.Is(err, storage.ErrNothingToDo) {
		t.Fatalf("claim of delivered err = %v, want ErrNothingToDo", err)
	}
}

func TestPostStatusFollowsDeliveries(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	ctx := context.Background()
	a, b := mustChannel(t, st, "a"), mustChannel(t, st, "b")
	p, ds := mustPost(t, st, clk.Now(), a.ID, b.ID)

	finish := func(id int64, status string) {
		t.Helper()
		c, err := st.ClaimDelivery(ctx, id, "tok", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.FinishAttempt(ctx, c, storage.Result{Status: status, Outcome: status}); err != nil {
			t.Fatal(err)
		}
	}
	finish(ds[0].ID, storage.DeliveryDelivered)
	got, _, _ := st.GetPost(ctx, p.ID)
	if got.Status != storage.PostScheduled {
		t.Fatalf("status after one of two = %s", got.Status)
	}
	finish(ds[1].ID, storage.DeliveryFailed)
	got, _, _ = st.GetPost(ctx, p.ID)
	if got.Status != storage.PostPartial {
		t.Fatalf("status = %s, want partial", got.Status)
	}
	if _, err := st.RetryDelivery(ctx, ds[1].ID, allowAll, "user:1"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RetryDelivery(ctx, ds[0].ID, allowAll, "user:1"); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("retry of delivered err = %v, want ErrConflict", err)
	}
	finish(ds[1].ID, storage.DeliveryDelivered)
	got, _, _ = st.GetPost(ctx, p.ID)
	if got.Status != storage.PostPublished {
		t.Fatalf("status = %s, want published", got.Status)
	}
	history, err := st.History(ctx, storage.EntityPost, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var trail []string
	for _, e := range history {
		trail = append(trail, e.FromStatus+">"+e.ToStatus)
	}
	want := []string{">scheduled", "scheduled>partial", "partial>scheduled", "scheduled>published"}
	if len(trail) != len(want) {
		t.Fatalf("history = %v, want %v", trail, want)
	}
	for i := range want {
		if trail[i] != want[i] {
			t.Fatalf("history = %v, want %v", trail, want)
		}
	}
}

func TestCancelPost(t *testing.T) {
	st := storagetest.Open(t)
	ctx := context.Background()
	a := mustChannel(t, st, "a")
	p, ds := mustPost(t, st, time.Now().Add(time.Hour), a.ID)
	ids, err := st.CancelPost(ctx, p.ID, "user:1")
	if err != nil || len(ids) != 1 || ids[0] != ds[0].ID {
		t.Fatalf("cancel = %v, %v", ids, err)
	}
	got, gotDs, _ := st.GetPost(ctx, p.ID)
	if got.Status != storage.PostCanceled || gotDs[0].Status != storage.DeliveryCanceled {
		t.Fatalf("after cancel: post %s, delivery %s", got.Status, gotDs[0].Status)
	}
	if _, err := st.CancelPost(ctx, p.ID, "user:1"); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("second cancel err = %v, want ErrConflict", err)
	}
	if _, err := st.CancelPost(ctx, 12345, "user:1"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("cancel missing err = %v, want ErrNotFound", err)
	}
}

func TestUnfinishedDeliveriesPages(t *testing.T) {
	st := storagetest.Open(t)
	ctx := context.Background()
	a := mustChannel(t, st, "a")
	for i := 0; i < 5; i++ {
		mustPost(t, st, time.Now().Add(time.Hour), a.ID)
	}
	first, err := st.UnfinishedDeliveries(ctx, 0, 3)
	if err != nil || len(first) != 3 {
		t.Fatalf("page 1 = %d, %v", len(first), err)
	}
	second, err := st.UnfinishedDeliveries(ctx, first[2].ID, 3)
	if err != nil || len(second) != 2 || second[0].ID <= first[2].ID {
		t.Fatalf("page 2 = %+v, %v", second, err)
	}
}

func TestTokensAndBootstrap(t *testing.T) {
	storagetest.SkipIfUpgraded(t)
	st := storagetest.Open(t)
	ctx := context.Background()
	created, err := st.CreateFirstAdmin(ctx, "admin", "hash1")
	if err != nil || !created {
		t.Fatalf("first admin = %v, %v", created, err)
	}
	if created, _ := st.CreateFirstAdmin(ctx, "admin", "hash2"); created {
		t.Fatal("second bootstrap created another admin")
	}
	u, err := st.UserByTokenHash(ctx, "hash1")
	if err != nil || u.Role != storage.RoleAdmin {
		t.Fatalf("token user = %+v, %v", u, err)
	}
	if err := st.EnsureEnvAdmin(ctx, "env1"); err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureEnvAdmin(ctx, "env2"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UserByTokenHash(ctx, "env1"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("old env token err = %v, want ErrNotFound", err)
	}
	if _, err := st.UserByTokenHash(ctx, "env2"); err != nil {
		t.Fatalf("new env token: %v", err)
	}
}

// Deliveries of one post finishing at the same moment must still leave the
// post with the status all of them imply.
func TestConcurrentFinishesSettlePostStatus(t *testing.T) {
	st := storagetest.Open(t)
	ctx := context.Background()
	var ids []int64
	for _, name := range []string{"a", "b", "c", "d"} {
		ids = append(ids, mustChannel(t, st, name).ID)
	}
	for round := 0; round < 5; round++ {
		p, ds := mustPost(t, st, time.Now(), ids...)
		claims := make([]storage.Claim, len(ds))
		for i, d := range ds {
			c, err := st.ClaimDelivery(ctx, d.ID, "tok", time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			claims[i] = c
		}
		var wg sync.WaitGroup
		for _, c := range claims {
			wg.Add(1)
			go func(c storage.Claim) {
				defer wg.Done()
				if err := st.FinishAttempt(ctx, c, storage.Result{Status: storage.DeliveryDelivered, Outcome: storage.OutcomeDelivered}); err != nil {
					t.Error(err)
				}
			}(c)
		}
		wg.Wait()
		got, _, _ := st.GetPost(ctx, p.ID)
		if got.Status != storage.PostPublished {
			t.Fatalf("round %d: post status = %s, want published", round, got.Status)
		}
	}
}

func TestEnvAdminTokenRestoresADemotedAdmin(t *testing.T) {
	st := storagetest.Open(t)
	ctx := context.Background()
	if err := st.EnsureEnvAdmin(ctx, "env1"); err != nil {
		t.Fatal(err)
	}
	u, _ := st.UserByTokenHash(ctx, "env1")
	role, disabled := storage.RoleEditor, true
	if _, err := st.UpdateUser(ctx, u.ID, storage.UserChange{Role: &role, Disabled: &disabled}, "user:9"); err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureEnvAdmin(ctx, "env2"); err != nil {
		t.Fatalf("restart with a new LOA_ADMIN_TOKEN: %v", err)
	}
	got, err := st.UserByTokenHash(ctx, "env2")
	if err != nil || got.ID != u.ID || got.Role != storage.RoleAdmin || got.DisabledAt != nil {
		t.Fatalf("env admin = %+v, %v", got, err)
	}
}

// allowAll lets anyone retry; the retry policy is publishing.Allowed's.
func allowAll(string, int64) error { return nil }
