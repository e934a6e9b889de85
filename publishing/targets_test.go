package publishing_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

// province is a tree R → A → A1, R → B with channels in each:
// two webhooks and an rss in A, a webhook in A1, a webhook in B, and a
// disabled webhook in A.
type province struct {
	store            *storage.Store
	pub              *publishing.Service
	sched            *checkingScheduler
	r, a, a1, b      storage.Agency
	aHooks           []int64
	aRSS, a1Hook     int64
	bHook, aDisabled int64
}

func newProvince(t *testing.T, maxDeliveries int) *province {
	t.Helper()
	ctx := context.Background()
	store := storagetest.OpenWithClock(t, func() time.Time { return now })
	p := &province{store: store, sched: &checkingScheduler{t: t, store: store}}
	p.pub = publishing.New(publishing.Options{Store: store, Scheduler: p.sched, Now: func() time.Time { return now },
		Kinds: []string{"rss", "webhook"}, MaxDeliveries: maxDeliveries})
	var err error
	if p.r, err = store.RootAgency(ctx); err != nil {
		t.Fatal(err)
	}
	p.a = agency(t, store, "a", p.r.ID)
	p.a1 = agency(t, store, "a1", p.a.ID)
	p.b = agency(t, store, "b", p.r.ID)
	p.aHooks = []int64{channel(t, store, p.a.ID, "webhook"), channel(t, store, p.a.ID, "webhook")}
	p.aRSS = channel(t, store, p.a.ID, "rss")
	p.a1Hook = channel(t, store, p.a1.ID, "webhook")
	p.bHook = channel(t, store, p.b.ID, "webhook")
	p.aDisabled = channel(t, store, p.a.ID, "webhook")
	if err := store.SetChannelStatus(ctx, p.aDisabled, storage.ChannelDisabled, "", "test"); err != nil {
		t.Fatal(err)
	}
	return p
}

func agency(t testing.TB, store *storage.Store, code string, parent int64) storage.Agency {
	t.Helper()
	a := storage.Agency{Name: "Agency " + code, Code: code, ParentID: &parent}
	if err := store.CreateAgency(context.Background(), &a, "test"); err != nil {
		t.Fatal(err)
	}
	return a
}

func channel(t testing.TB, store *storage.Store, agency int64, kind string) int64 {
	t.Helper()
	ch := storage.Channel{Name: fmt.Sprintf("%s-%d-%d", kind, agency, time.Now().UnixNano()), Kind: kind,
		ConfigSealed: []byte("x"), AgencyID: agency, Status: storage.ChannelActive}
	if kind == "rss" {
		slug := fmt.Sprintf("feed-%d", time.Now().UnixNano())
		ch.FeedSlug = &slug
	}
	if err := store.CreateChannel(context.Background(), &ch, "test"); err != nil {
		t.Fatal(err)
	}
	return ch.ID
}

// The one target check: channels and selectors reach only the post's
// agency and beneath it, and everything elsewhere answers exactly like
// what does not exist.
func TestResolveTargets(t *testing.T) {
	p := newProvince(t, 4)
	sel := func(agency int64, descendants bool, kinds ...string) *storage.Selector {
		return &storage.Selector{AgencyID: agency, Descendants: descendants, Kinds: kinds}
	}
	manyIDs := make([]int64, 51)
	for i := range manyIDs {
		manyIDs[i] = int64(i + 1)
	}
	tests := []struct {
		name    string
		agency  int64
		req     publishing.TargetRequest
		want    []int64
		field   string // of the *InvalidError; "" when resolved
		message string // the error's message, when it must match exactly
	}{
		{name: "selector with descendants, one kind", agency: p.r.ID, req: publishing.TargetRequest{Selector: sel(p.a.ID, true, "webhook")},
			want: append(slices.Clone(p.aHooks), p.a1Hook)},
		{name: "selector of one agency, every kind", agency: p.a.ID, req: publishing.TargetRequest{Selector: sel(p.a.ID, false)},
			want: append(slices.Clone(p.aHooks), p.aRSS)},
		{name: "root selector reaches every agency", agency: p.r.ID, req: publishing.TargetRequest{Selector: sel(p.r.ID, true, "webhook")},
			want: append(slices.Clone(p.aHooks), p.a1Hook, p.bHook)},
		{name: "channel ids and selector together", agency: p.a.ID,
			req:  publishing.TargetRequest{ChannelIDs: []int64{p.aRSS}, Selector: sel(p.a1.ID, false, "webhook")},
			want: []int64{p.aRSS, p.a1Hook}},
		{name: "channel beneath the post's agency", agency: p.a.ID, req: publishing.TargetRequest{ChannelIDs: []int64{p.a1Hook}},
			want: []int64{p.a1Hook}},
		{name: "channel of another agency looks unknown", agency: p.a.ID, req: publishing.TargetRequest{ChannelIDs: []int64{p.bHook}},
			field: "channel_ids", message: fmt.Sprintf("channel_ids: unknown channel ids %d", p.bHook)},
		{name: "channel above the post's agency looks unknown", agency: p.a1.ID, req: publishing.TargetRequest{ChannelIDs: []int64{p.aHooks[0]}},
			field: "channel_ids", message: fmt.Sprintf("channel_ids: unknown channel ids %d", p.aHooks[0])},
		{name: "unknown channel", agency: p.a.ID, req: publishing.TargetRequest{ChannelIDs: []int64{999999}},
			field: "channel_ids", message: "channel_ids: unknown channel ids 999999"},
		{name: "disabled channel named", agency: p.a.ID, req: publishing.TargetRequest{ChannelIDs: []int64{p.aDisabled}},
			field: "channel_ids", message: fmt.Sprintf("channel_ids: disabled channel ids %d", p.aDisabled)},
		{name: "selector of another agency looks unknown", agency: p.a.ID, req: publishing.TargetRequest{Selector: sel(p.b.ID, true)},
			field: "targets.agency_id", message: fmt.Sprintf("targets.agency_id: agency %d does not exist", p.b.ID)},
		{name: "selector of an unknown agency", agency: p.a.ID, req: publishing.TargetRequest{Selector: sel(999999, true)},
			field: "targets.agency_id", message: "targets.agency_id: agency 999999 does not exist"},
		{name: "unregistered kind", agency: p.r.ID, req: publishing.TargetRequest{Selector: sel(p.r.ID, true, "radio")},
			field: "targets.kinds"},
		{name: "kind twice", agency: p.r.ID, req: publishing.TargetRequest{Selector: sel(p.r.ID, true, "rss", "rss")},
			field: "targets.kinds"},
		{name: "selector matching nothing", agency: p.r.ID, req: publishing.TargetRequest{Selector: sel(p.b.ID, false, "rss")},
			field: "targets"},
		{name: "over the delivery cap", agency: p.r.ID, req: publishing.TargetRequest{Selector: sel(p.r.ID, true)},
			field: "targets", message: "targets: match 5 channels; one post goes to at most 4"},
		{name: "no channels at all", agency: p.r.ID, req: publishing.TargetRequest{}, field: "channel_ids"},
		{name: "more than fifty channel ids", agency: p.r.ID, req: publishing.TargetRequest{ChannelIDs: manyIDs}, field: "channel_ids"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.pub.ResolveTargets(context.Background(), tt.agency, tt.req)
			if tt.field == "" {
				if err != nil || !slices.Equal(got, tt.want) {
					t.Fatalf("got %v, %v; want %v", got, err, tt.want)
				}
				return
			}
			var bad *publishing.InvalidError
			if !errors.As(err, &bad) || bad.Field != tt.field {
				t.Fatalf("got %v, %v; want an error on %s", got, err, tt.field)
			}
			if tt.message != "" && err.Error() != tt.message {
				t.Errorf("error %q, want %q", err, tt.message)
			}
		})
	}
}

// A post submitted with a selector goes to every channel it matches, each
// delivery in its channel's agency, all queued after the commit; the
// selector is kept on the post and in its history.
func TestSubmitWithSelector(t *testing.T) {
	p := newProvince(t, 0)
	ctx := context.Background()
	editor := storage.User{Name: "editor", Role: storage.RoleEditor}
	if err := p.store.CreateUser(ctx, &editor, "test"); err != nil {
		t.Fatal(err)
	}
	sel := &storage.Selector{AgencyID: p.a.ID, Descendants: true, Kinds: []string{"webhook"}}
	post, ds, err := p.pub.Submit(ctx, editor, publishing.Draft{Fields: publishing.Fields{Title: "Thông báo",
		Body: "<p>Nội dung</p>"}, Selector: sel})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]int64{p.aHooks[0]: p.a.ID, p.aHooks[1]: p.a.ID, p.a1Hook: p.a1.ID}
	got := map[int64]int64{}
	for _, d := range ds {
		got[d.ChannelID] = d.AgencyID
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("deliveries (channel: agency) %v, want %v", got, want)
	}
	if q := p.sched.queued(); len(q) != 3 {
		t.Errorf("queued %v, want the 3 deliveries", q)
	}
	stored, _, err := p.store.GetPost(ctx, post.ID)
	if err != nil || stored.Selector == nil || fmt.Sprint(*stored.Selector) != fmt.Sprint(*sel) {
		t.Fatalf("stored selector %v, %v; want %v", stored.Selector, err, *sel)
	}
	history, err := p.store.History(ctx, storage.EntityPost, post.ID)
	if err != nil || len(history) == 0 || !strings.Contains(history[0].Detail, sel.String()) {
		t.Errorf("history %+v, %v; want the selector %s in its creation", history, err, sel)
	}
}

// A post without a selector keeps none: the column stays NULL.
func TestSubmitWithoutSelectorKeepsNone(t *testing.T) {
	f := newFixture(t)
	p, _, err := f.pub.Submit(context.Background(), f.user(t, storage.RoleEditor, false), f.draft())
	if err != nil {
		t.Fatal(err)
	}
	stored, _, err := f.store.GetPost(context.Background(), p.ID)
	if err != nil || stored.Selector != nil {
		t.Errorf("stored selector %v, %v; want none", stored.Selector, err)
	}
}

// A post to more channels than one batch holds (600 > 500) is created,
// approved, edited and canceled whole: every delivery, in every batch.
func TestProvinceWidePostInBatches(t *testing.T) {
	p := newProvince(t, 0)
	ctx := context.Background()
	for range 600 - 4 { // the province has 4 enabled webhooks already
		channel(t, p.store, p.a1.ID, "webhook")
	}
	users := map[string]storage.User{}
	for _, role := range []string{storage.RoleOfficer, storage.RoleEditor} {
		u := storage.User{Name: role, Role: role}
		if err := p.store.CreateUser(ctx, &u, "test"); err != nil {
			t.Fatal(err)
		}
		users[role] = u
	}
	post, ds, err := p.pub.Submit(ctx, users[storage.RoleOfficer], publishing.Draft{
		Fields:   publishing.Fields{Title: "Thông báo", Body: "<p>Nội dung</p>", PublishAt: now.Add(time.Hour).Format(time.RFC3339)},
		Selector: &storage.Selector{AgencyID: p.r.ID, Descendants: true, Kinds: []string{"webhook"}}})
	if err != nil || len(ds) != 600 || len(p.sched.queued()) != 0 {
		t.Fatalf("submitted %d deliveries, queued %d, %v; want 600 waiting for approval", len(ds), len(p.sched.queued()), err)
	}
	editor := users[storage.RoleEditor]
	if _, _, err := p.pub.Approve(ctx, editor, post.ID); err != nil {
		t.Fatal(err)
	}
	if n := len(p.sched.queued()); n != 600 {
		t.Errorf("approval queued %d deliveries, want 600", n)
	}
	title := "Thông báo đã sửa"
	_, ds, err = p.pub.Edit(ctx, editor, post.ID, func(storage.Post) (storage.PostEdit, error) {
		return storage.PostEdit{Title: &title}, nil
	})
	if err != nil || len(ds) != 600 || ds[599].Status != storage.DeliveryScheduled {
		t.Fatalf("edit: %d deliveries, %v", len(ds), err)
	}
	if n := len(p.sched.queued()); n != 1200 {
		t.Errorf("queued %d after the edit, want 600 more", n)
	}
	if _, _, err := p.pub.Cancel(ctx, editor, post.ID); err != nil {
		t.Fatal(err)
	}
	_, ds, err = p.store.GetPost(ctx, post.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Status != storage.DeliveryCanceled {
			t.Fatalf("delivery %d is %s after cancel", d.ID, d.Status)
		}
	}
}
