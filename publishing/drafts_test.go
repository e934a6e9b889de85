package publishing_test

import (
	"context"
	"errors"
	"testing"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// A draft queues nothing and may name no channel yet; submitting it applies
// the approval rule of the one submitting, as Submit does: an officer's
// waits for approval, an editor's is scheduled and queued.
func TestDraftThenSubmit(t *testing.T) {
	for _, tt := range []struct {
		role      string
		want      string
		wantQueue int
	}{
		{storage.RoleOfficer, storage.PostPendingApproval, 0},
		{storage.RoleEditor, storage.PostScheduled, 2},
	} {
		t.Run(tt.role, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			author := f.user(t, tt.role, false)
			d := f.draft()
			d.ChannelIDs = nil
			p, err := f.pub.SaveDraft(ctx, author, 0, d)
			if err != nil || p.Status != storage.PostDraft {
				t.Fatalf("save draft = %+v, %v", p, err)
			}
			d.ChannelIDs, d.Title = f.chIDs[:1], "Thông báo đã sửa"
			if p, err = f.pub.SaveDraft(ctx, author, p.ID, d); err != nil || p.Title != "Thông báo đã sửa" || p.DraftPlan.ChannelIDs[0] != f.chIDs[0] {
				t.Fatalf("change draft = %+v, %v", p, err)
			}
			if q := f.sched.queued(); len(q) != 0 {
				t.Fatalf("a draft queued %v", q)
			}
			d.ChannelIDs = f.chIDs
			sub, ds, err := f.pub.SubmitDraft(ctx, author, p.ID, d)
			if err != nil || sub.Status != tt.want || len(ds) != 2 || sub.ID != p.ID {
				t.Fatalf("submit = %+v %d deliveries, %v", sub, len(ds), err)
			}
			if q := f.sched.queued(); len(q) != tt.wantQueue {
				t.Fatalf("queued %v, want %d", q, tt.wantQueue)
			}
			var state *publishing.StateError
			if _, err := f.pub.SaveDraft(ctx, author, p.ID, d); !errors.As(err, &state) {
				t.Fatalf("save after submit: %v", err)
			}
			if _, _, err := f.pub.SubmitDraft(ctx, author, p.ID, d); !errors.As(err, &state) {
				t.Fatalf("second submit: %v", err)
			}
		})
	}
}

// A draft's rules are a post's: bad text and unknown channels are refused
// and nothing is stored; another officer's draft cannot be changed.
func TestDraftRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	author, other := f.user(t, storage.RoleOfficer, false), f.user(t, storage.RoleOfficer, false)
	tests := []struct {
		name  string
		edit  func(*publishing.Draft)
		field string
	}{
		{"empty title", func(d *publishing.Draft) { d.Title = "" }, "title"},
		{"unknown channel", func(d *publishing.Draft) { d.ChannelIDs = []int64{9999} }, "channel_ids"},
		{"bad time", func(d *publishing.Draft) { d.PublishAt = "mai" }, "publish_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := f.draft()
			tt.edit(&d)
			var inv *publishing.InvalidError
			if _, err := f.pub.SaveDraft(ctx, author, 0, d); !errors.As(err, &inv) || inv.Field != tt.field {
				t.Fatalf("err = %v, want invalid %s", err, tt.field)
			}
		})
	}
	if posts, _ := f.store.ListPosts(ctx, storage.PostFilter{Limit: 10}); len(posts) != 0 {
		t.Fatalf("refused drafts stored: %d", len(posts))
	}
	p, err := f.pub.SaveDraft(ctx, author, 0, f.draft())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.pub.SaveDraft(ctx, other, p.ID, f.draft()); !errors.Is(err, publishing.ErrNotAllowed) {
		t.Fatalf("another officer changed the draft: %v", err)
	}
	if _, _, err := f.pub.SubmitDraft(ctx, other, p.ID, f.draft()); !errors.Is(err, publishing.ErrNotAllowed) {
		t.Fatalf("another officer submitted the draft: %v", err)
	}
	if _, _, err := f.pub.Edit(ctx, author, p.ID, func(storage.Post) (storage.PostEdit, error) { return storage.PostEdit{}, nil }); err == nil {
		t.Fatal("Edit changed a draft")
	}
}
