package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

func pendingPost(t *testing.T, st *storage.Store, at time.Time, chIDs ...int64) (storage.Post, []storage.Delivery) {
	t.Helper()
	p := storage.Post{Title: "Tin chờ duyệt", Audience: "all", PublishAt: at, CreatedBy: 7, Status: storage.PostPendingApproval}
	ds, err := st.CreatePost(context.Background(), &p, chIDs, nil, "user:7")
	if err != nil {
		t.Fatal(err)
	}
	return p, ds
}

func TestApprovalFlow(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	ctx := context.Background()
	ch := mustChannel(t, st, "web")
	p, ds := pendingPost(t, st, clk.Now().Add(time.Hour), ch.ID)
	if p.Status != storage.PostPendingApproval || ds[0].Status != storage.DeliveryPendingApproval {
		t.Fatalf("created = %s / %s", p.Status, ds[0].Status)
	}
	due, err := st.UnfinishedDeliveries(ctx, 0, 10)
	if err != nil || len(due) != 0 {
		t.Fatalf("a delivery waiting for approval is due: %+v", due)
	}
	clk.Add(2 * time.Hour) // approved after its time: goes out now
	if _, err := st.ClaimDelivery(ctx, ds[0].ID, "x", time.Minute); !errors.Is(err, storage.ErrNothingToDo) {
		t.Fatalf("claim before approval err = %v", err)
	}
	approved, err := st.ApprovePost(ctx, p.ID, 2, "user:2")
	if err != nil || len(approved) != 1 || !approved[0].NextAttemptAt.Equal(clk.Now().Truncate(time.Microsecond)) {
		t.Fatalf("approve = %+v, %v", approved, err)
	}
	if _, err := st.ApprovePost(ctx, p.ID, 2, "user:2"); !errors.Is(err, storage.ErrWrongState) {
		t.Fatalf("second approve err = %v", err)
	}
	got, _, _ := st.GetPost(ctx, p.ID)
	if got.Status != storage.PostScheduled || got.ApprovedBy != 2 || got.ApprovedAt == nil {
		t.Fatalf("after approve = %+v", got)
	}

	// An officer edits the approved post: back to approval.
	title := "Tin đã sửa"
	edited, eds, err := st.EditPost(ctx, p.ID, storage.PostEdit{Title: &title, NeedsApproval: true}, "user:7")
	if err != nil || edited.Status != storage.PostPendingApproval || eds[0].Status != storage.DeliveryPendingApproval || edited.Title != title {
		t.Fatalf("edit = %+v %+v %v", edited, eds, err)
	}
	if err := st.RejectPost(ctx, p.ID, "Sai số liệu", "user:2"); err != nil {
		t.Fatal(err)
	}
	got, gds, _ := st.GetPost(ctx, p.ID)
	if got.Status != storage.PostRejected || got.RejectReason != "Sai số liệu" || gds[0].Status != storage.DeliveryCanceled {
		t.Fatalf("after reject = %+v %+v", got, gds)
	}
	history, _ := st.History(ctx, storage.EntityPost, p.ID)
	var trail []string
	for _, e := range history {
		trail = append(trail, e.Action+":"+e.FromStatus+">"+e.ToStatus)
	}
	want := []string{"created:>pending_approval", "approved:pending_approval>scheduled",
		"edited:scheduled>pending_approval", "rejected:pending_approval>rejected"}
	if len(trail) != len(want) {
		t.Fatalf("history = %v, want %v", trail, want)
	}
	for i := range want {
		if trail[i] != want[i] {
			t.Fatalf("history = %v, want %v", trail, want)
		}
	}
	if history[3].Detail != "Sai số liệu" || history[3].Actor != "user:2" {
		t.Fatalf("reject event = %+v", history[3])
	}
	// A rejected post, edited, is resubmitted.
	if _, eds, err := st.EditPost(ctx, p.ID, storage.PostEdit{Title: &title, NeedsApproval: true}, "user:7"); err != nil || eds[0].Status != storage.DeliveryPendingApproval {
		t.Fatalf("resubmit = %+v, %v", eds, err)
	}
}

func TestEditRefusedOnceSending(t *testing.T) {
	st := storagetest.Open(t)
	ctx := context.Background()
	ch := mustChannel(t, st, "web")
	p, ds := mustPost(t, st, time.Now(), ch.ID)
	if _, err := st.ClaimDelivery(ctx, ds[0].ID, "w", time.Minute); err != nil {
		t.Fatal(err)
	}
	title := "x"
	if _, _, err := st.EditPost(ctx, p.ID, storage.PostEdit{Title: &title}, "user:1"); !errors.Is(err, storage.ErrWrongState) {
		t.Fatalf("edit while sending err = %v", err)
	}
	if err := st.RejectPost(ctx, p.ID, "r", "user:1"); !errors.Is(err, storage.ErrWrongState) {
		t.Fatalf("reject of scheduled post err = %v", err)
	}
}

func TestUsersAndTokens(t *testing.T) {
	st := storagetest.Open(t)
	ctx := context.Background()
	u := storage.User{Name: "lan", Role: storage.RoleOfficer}
	if err := st.CreateUser(ctx, &u, "user:1"); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUser(ctx, &storage.User{Name: "lan", Role: storage.RoleEditor}, "user:1"); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("duplicate name err = %v", err)
	}
	tok, err := st.CreateToken(ctx, u.ID, "laptop", "h1", "user:1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UserByTokenHash(ctx, "h1"); err != nil {
		t.Fatal(err)
	}
	disabled := true
	if _, err := st.UpdateUser(ctx, u.ID, storage.UserChange{Disabled: &disabled}, "user:1"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UserByTokenHash(ctx, "h1"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("disabled user's token err = %v", err)
	}
	enabled := false
	st.UpdateUser(ctx, u.ID, storage.UserChange{Disabled: &enabled}, "user:1")
	if err := st.RevokeToken(ctx, tok.ID, "user:1"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UserByTokenHash(ctx, "h1"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("revoked token err = %v", err)
	}
}
