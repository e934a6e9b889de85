package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/storage"
)

// The log shows the reach a platform reported, with when it was read, and
// nothing at all for a delivery whose platform reported none.
func TestDeliveriesShowReach(t *testing.T) {
	w := newLogWorld(t)
	ctx := context.Background()
	read := w.post(w.cvA, w.chA2, "Tin có lượt tiếp cận", w.h.now())
	none := w.post(w.cvA, w.chA, "Tin chưa có số liệu", w.h.now())
	for _, d := range []storage.Delivery{read, none} {
		w.finish(d, storage.Result{Status: storage.DeliveryDelivered, Outcome: storage.OutcomeDelivered, ExternalID: "ext"})
	}
	w.h.advance(time.Hour)
	schedule := []time.Duration{time.Hour}
	claims, err := w.h.store.ClaimDueReach(ctx, storage.ReachDue{Kinds: []string{"facebook_page", "webhook"}, Schedule: schedule,
		Limit: 5, Lease: time.Minute, Token: "t"})
	if err != nil || len(claims) != 2 {
		t.Fatalf("claims %+v, %v", claims, err)
	}
	for _, c := range claims {
		r := storage.ReachResult{Unavailable: "no plugin"}
		if c.DeliveryID == read.ID {
			r = storage.ReachResult{Metrics: map[string]int64{"reach": 1234567}}
		}
		if err := w.h.store.RecordReach(ctx, c, r, schedule); err != nil {
			t.Fatal(err)
		}
	}
	p := w.login(w.btA).get("/deliveries")
	if p.status != http.StatusOK {
		t.Fatalf("status %d", p.status)
	}
	want := "<dt>Lượt tiếp cận</dt><dd>1.234.567 <span class=\"muted\">(đọc lúc " + localTime(w.h.now(), w.h.loc) + ")</span></dd>"
	if !strings.Contains(p.body, want) {
		t.Errorf("page lacks %q", want)
	}
	if n := strings.Count(p.body, "Lượt tiếp cận"); n != 1 {
		t.Errorf("reach shown %d times, want once: the delivery without reach shows nothing", n)
	}
	if strings.Contains(p.body, "no plugin") {
		t.Error("the technical reason is shown")
	}
	checkVietnamesePage(t, p.body, allowedTitles...)
}

func TestGroupThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1.000", 1234: "1.234", 1234567: "1.234.567", -4500: "-4.500"} {
		if got := groupThousands(n); got != want {
			t.Errorf("groupThousands(%d) = %q, want %q", n, got, want)
		}
	}
}
