package storage_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

// TestClaimDeliveriesBatch claims a mixed batch in one call: each delivery
// gets the outcome a claim of its own would give.
func TestClaimDeliveriesBatch(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	ctx := context.Background()
	a, b := mustChannel(t, st, "a"), mustChannel(t, st, "b")
	_, due := mustPost(t, st, clk.Now(), a.ID, b.ID)
	_, later := mustPost(t, st, clk.Now().Add(time.Hour), a.ID)
	_, stale := mustPost(t, st, clk.Now(), a.ID)
	_, done := mustPost(t, st, clk.Now(), b.ID)

	// stale: claimed by a worker that then vanished; done: already delivered.
	if _, err := st.ClaimDelivery(ctx, stale[0].ID, "gone", time.Minute); err != nil {
		t.Fatal(err)
	}
	c, err := st.ClaimDelivery(ctx, done[0].ID, "x", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishAttempt(ctx, c, storage.Result{Status: storage.DeliveryDelivered, Outcome: storage.OutcomeDelivered}); err != nil {
		t.Fatal(err)
	}
	clk.Add(2 * time.Minute)

	ids := []int64{due[1].ID, later[0].ID, 999999, stale[0].ID, done[0].ID, due[0].ID, due[0].ID}
	out := st.ClaimDeliveries(ctx, ids, "batch", time.Minute)
	var notDue *storage.NotDueError
	for i, check := range []struct {
		name string
		ok   func(storage.ClaimOutcome) bool
	}{
		{"due (second channel)", func(o storage.ClaimOutcome) bool {
			return o.Err == nil && o.Claim.Channel.ID == b.ID && o.Claim.Attempt.ID > 0 && !o.Claim.Uncertain
		}},
		{"scheduled later", func(o storage.ClaimOutcome) bool { return errors.As(o.Err, &notDue) }},
		{"missing", func(o storage.ClaimOutcome) bool { return errors.Is(o.Err, storage.ErrNotFound) }},
		{"lease expired", func(o storage.ClaimOutcome) bool {
			return o.Err == nil && o.Claim.Uncertain && o.Claim.Attempt.Number == 2
		}},
		{"delivered", func(o storage.ClaimOutcome) bool { return errors.Is(o.Err, storage.ErrNothingToDo) }},
		{"due (first channel)", func(o storage.ClaimOutcome) bool {
			return o.Err == nil && o.Claim.Channel.ID == a.ID && o.Claim.Post.ID == due[0].PostID &&
				o.Claim.Delivery.LeaseToken == "batch" && o.Claim.Delivery.Status == storage.DeliverySending
		}},
		{"same delivery again", func(o storage.ClaimOutcome) bool { return errors.As(o.Err, &notDue) }},
	} {
		if !check.ok(out[i]) {
			t.Errorf("%s: outcome = %+v", check.name, out[i])
		}
	}
	if out[0].Claim.Attempt.ID == out[5].Claim.Attempt.ID {
		t.Errorf("two claims share attempt %d", out[0].Claim.Attempt.ID)
	}
	_, attempts, err := st.GetDelivery(ctx, stale[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(attempts) != 2 || attempts[0].Outcome != storage.OutcomeInterrupted || attempts[1].Outcome != storage.OutcomeSending {
		t.Errorf("stale delivery's attempts = %+v", attempts)
	}
}

// TestFinishAttemptsBatch records a mixed batch in one call, and a result
// the batch cannot hold fails alone.
func TestFinishAttemptsBatch(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	ctx := context.Background()
	a, b := mustChannel(t, st, "a"), mustChannel(t, st, "b")
	p1, ds1 := mustPost(t, st, clk.Now(), a.ID, b.ID)
	p2, ds2 := mustPost(t, st, clk.Now(), a.ID)
	_, ds3 := mustPost(t, st, clk.Now(), b.ID)
	var ids []int64
	for _, d := range append(append(ds1, ds2...), ds3...) {
		ids = append(ids, d.ID)
	}
	claims := st.ClaimDeliveries(ctx, ids, "tok", time.Minute)
	for _, c := range claims {
		if c.Err != nil {
			t.Fatal(c.Err)
		}
	}
	lost := claims[3].Claim
	lost.Delivery.LeaseToken = "someone else"
	retryAt := clk.Now().Add(5 * time.Minute)
	errs := st.FinishAttempts(ctx, []storage.Finished{
		{Claim: claims[1].Claim, Result: storage.Result{Status: storage.DeliveryFailed, Outcome: storage.OutcomeFailed, Error: "HTTP 422", HTTPStatus: 422}},
		{Claim: claims[0].Claim, Result: storage.Result{Status: storage.DeliveryDelivered, Outcome: storage.OutcomeDelivered, HTTPStatus: 201, ExternalID: "w-1", Duration: 7 * time.Millisecond}},
		{Claim: claims[2].Claim, Result: storage.Result{Status: storage.DeliveryRetrying, Outcome: storage.OutcomeRetry, Error: "HTTP 503", NextAttemptAt: retryAt, Uncertain: true}},
		{Claim: lost, Result: storage.Result{Status: storage.DeliveryDelivered, Outcome: storage.OutcomeDelivered}},
	})
	for i, want := range []error{nil, nil, nil, storage.ErrLeaseLost} {
		if !errors.Is(errs[i], want) {
			t.Errorf("errs[%d] = %v, want %v", i, errs[i], want)
		}
	}
	for _, check := range []struct {
		id      int64
		status  string
		outcome string
		ok      func(storage.Delivery, storage.Attempt) bool
	}{
		{ds1[0].ID, storage.DeliveryDelivered, storage.OutcomeDelivered, func(d storage.Delivery, a storage.Attempt) bool {
			return d.ExternalID == "w-1" && d.DeliveredAt != nil && d.LeaseToken == "" && a.HTTPStatus == 201 && a.DurationMS == 7 && a.FinishedAt != nil
		}},
		{ds1[1].ID, storage.DeliveryFailed, storage.OutcomeFailed, func(d storage.Delivery, a storage.Attempt) bool {
			return d.LastError == "HTTP 422" && d.DeliveredAt == nil && a.HTTPStatus == 422 && a.Error == "HTTP 422"
		}},
		{ds2[0].ID, storage.DeliveryRetrying, storage.OutcomeRetry, func(d storage.Delivery, a storage.Attempt) bool {
			return d.NextAttemptAt.Equal(retryAt) && d.Uncertain && d.LeaseUntil == nil
		}},
		{ds3[0].ID, storage.DeliverySending, storage.OutcomeSending, func(d storage.Delivery, a storage.Attempt) bool {
			return d.LeaseToken == "tok" && a.FinishedAt == nil
		}},
	} {
		d, as, err := st.GetDelivery(ctx, check.id)
		if err != nil {
			t.Fatal(err)
		}
		last := as[len(as)-1]
		if d.Status != check.status || last.Outcome != check.outcome || !check.ok(d, last) {
			t.Errorf("delivery %d = %+v, attempt %+v; want %s/%s", check.id, d, last, check.status, check.outcome)
		}
	}
	for _, want := range []struct {
		id     int64
		status string
	}{{p1.ID, storage.PostPartial}, {p2.ID, storage.PostScheduled}} {
		got, _, err := st.GetPost(ctx, want.id)
		if err != nil || got.Status != want.status {
			t.Errorf("post %d status = %s (%v), want %s", want.id, got.Status, err, want.status)
		}
	}
}

// TestFinishAttemptsIsolatesARefusedRow: a result the database refuses
// (here a status longer than its column) fails alone; the rest of the
// batch is recorded.
func TestFinishAttemptsIsolatesARefusedRow(t *testing.T) {
	if os.Getenv(storagetest.DatabaseURLEnv) == "" {
		t.Skip("SQLite does not enforce column lengths; PostgreSQL does (set " + storagetest.DatabaseURLEnv + ")")
	}
	st := storagetest.Open(t)
	ctx := context.Background()
	ch := mustChannel(t, st, "a")
	_, ds := mustPost(t, st, time.Now(), ch.ID, mustChannel(t, st, "b").ID)
	claims := st.ClaimDeliveries(ctx, []int64{ds[0].ID, ds[1].ID}, "tok", time.Minute)
	errs := st.FinishAttempts(ctx, []storage.Finished{
		{Claim: claims[0].Claim, Result: storage.Result{Status: strings.Repeat("x", 50), Outcome: storage.OutcomeFailed}},
		{Claim: claims[1].Claim, Result: storage.Result{Status: storage.DeliveryDelivered, Outcome: storage.OutcomeDelivered}},
	})
	if errs[0] == nil || errs[1] != nil {
		t.Fatalf("errs = %v, want the first refused and the second recorded", errs)
	}
	d, _, _ := st.GetDelivery(ctx, ds[1].ID)
	if d.Status != storage.DeliveryDelivered {
		t.Fatalf("second delivery = %s, want delivered", d.Status)
	}
}

// TestReleaseClaims: a released claim can be taken over at once, as an
// attempt that may have landed; a finished one is left alone.
func TestReleaseClaims(t *testing.T) {
	clk := newClock()
	st := storagetest.OpenWithClock(t, clk.Now)
	ctx := context.Background()
	_, ds := mustPost(t, st, clk.Now(), mustChannel(t, st, "a").ID, mustChannel(t, st, "b").ID)
	out := st.ClaimDeliveries(ctx, []int64{ds[0].ID, ds[1].ID}, "tok", time.Hour)
	if err := st.FinishAttempt(ctx, out[1].Claim, storage.Result{Status: storage.DeliveryDelivered, Outcome: storage.OutcomeDelivered}); err != nil {
		t.Fatal(err)
	}
	if err := st.ReleaseClaims(ctx, []storage.Claim{out[0].Claim, out[1].Claim}); err != nil {
		t.Fatal(err)
	}
	c, err := st.ClaimDelivery(ctx, ds[0].ID, "next", time.Hour)
	if err != nil || !c.Uncertain || c.Attempt.Number != 2 {
		t.Fatalf("take-over after release = %+v, %v; want attempt 2, uncertain", c.Attempt, err)
	}
	if d, _, _ := st.GetDelivery(ctx, ds[1].ID); d.Status != storage.DeliveryDelivered || d.Uncertain {
		t.Fatalf("finished delivery after release = %s, uncertain %v", d.Status, d.Uncertain)
	}
}
