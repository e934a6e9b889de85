package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

// A draft has no deliveries and nothing due; it is changed in place, then
// submitted once into a post with deliveries; after that it is no draft:
// UpdateDraft and a second SubmitDraft are refused, and EditPost refuses a
// draft.
func TestDraftLifecycle(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	ctx := context.Background()
	a, b := mustChannel(t, st, "web"), mustChannel(t, st, "loa")
	d := storage.Post{Title: "Nháp", Audience: "all", PublishAt: clk.Now(), CreatedBy: 7}
	if err := st.CreateDraft(ctx, &d, storage.DraftPlan{ChannelIDs: []int64{a.ID}}, "user:7"); err != nil {
		t.Fatal(err)
	}
	got, ds, err := st.GetPost(ctx, d.ID)
	if err != nil || got.Status != storage.PostDraft || len(ds) != 0 || got.DraftPlan == nil || got.DraftPlan.ChannelIDs[0] != a.ID {
		t.Fatalf("draft = %+v %v %v", got, ds, err)
	}
	if due, err := st.UnfinishedDeliveries(ctx, 0, 10); err != nil || len(due) != 0 {
		t.Fatalf("a draft has due deliveries: %+v %v", due, err)
	}
	title := "Sửa"
	if _, _, err := st.EditPost(ctx, d.ID, storage.PostEdit{Title: &title}, "user:7"); !errors.Is(err, storage.ErrWrongState) {
		t.Fatalf("EditPost on a draft: %v", err)
	}
	at := clk.Now().Add(time.Hour)
	changed, err := st.UpdateDraft(ctx, storage.Post{ID: d.ID, Title: "Nháp sửa", Audience: "all", PublishAt: at},
		storage.DraftPlan{ChannelIDs: []int64{a.ID, b.ID}, PublishAt: at.Format(time.RFC3339)}, "user:7")
	if err != nil || changed.Title != "Nháp sửa" || len(changed.DraftPlan.ChannelIDs) != 2 || changed.CreatedBy != 7 {
		t.Fatalf("update = %+v %v", changed, err)
	}
	sub := storage.Post{ID: d.ID, Title: "Gửi", Audience: "all", PublishAt: at, Status: storage.PostPendingApproval}
	ds, err = st.SubmitDraft(ctx, &sub, []int64{a.ID, b.ID}, nil, nil, "user:7")
	if err != nil || len(ds) != 2 || ds[0].Status != storage.DeliveryPendingApproval {
		t.Fatalf("submit = %+v %v", ds, err)
	}
	got, ds, _ = st.GetPost(ctx, d.ID)
	if got.Status != storage.PostPendingApproval || got.DraftPlan != nil || got.Title != "Gửi" || got.CreatedBy != 7 || len(ds) != 2 {
		t.Fatalf("submitted = %+v, %d deliveries", got, len(ds))
	}
	if _, err := st.SubmitDraft(ctx, &sub, []int64{a.ID}, nil, nil, "user:7"); !errors.Is(err, storage.ErrWrongState) {
		t.Fatalf("second submit: %v", err)
	}
	if _, err := st.UpdateDraft(ctx, sub, storage.DraftPlan{}, "user:7"); !errors.Is(err, storage.ErrWrongState) {
		t.Fatalf("update after submit: %v", err)
	}
	events, _ := st.History(ctx, storage.EntityPost, d.ID)
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
	}
	if len(actions) != 3 || actions[0] != "drafted" || actions[1] != "edited" || actions[2] != "submitted" {
		t.Fatalf("history %v", actions)
	}
}

// Canceling a draft drops it (nothing was queued); an editor's submitted
// draft is scheduled at once, approved by its author.
func TestDraftCancelAndEditorSubmit(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	ctx := context.Background()
	ch := mustChannel(t, st, "web")
	for _, name := range []string{"cancel", "submit"} {
		d := storage.Post{Title: name, Audience: "all", PublishAt: clk.Now(), CreatedBy: 3}
		if err := st.CreateDraft(ctx, &d, storage.DraftPlan{}, "user:3"); err != nil {
			t.Fatal(err)
		}
		if name == "cancel" {
			ids, err := st.CancelPost(ctx, d.ID, "user:3")
			got, _, _ := st.GetPost(ctx, d.ID)
			if err != nil || len(ids) != 0 || got.Status != storage.PostCanceled {
				t.Fatalf("cancel draft = %v %v, status %s", ids, err, got.Status)
			}
			continue
		}
		ds, err := st.SubmitDraft(ctx, &d, []int64{ch.ID}, nil, nil, "user:3")
		got, _, _ := st.GetPost(ctx, d.ID)
		if err != nil || ds[0].Status != storage.DeliveryScheduled || got.Status != storage.PostScheduled || got.ApprovedBy != 3 {
			t.Fatalf("editor submit = %+v %v, post %+v", ds, err, got)
		}
	}
}
