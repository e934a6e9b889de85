package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/loa-vn/loa/storage"
)

func TestApprovals(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	r := e.post("/api/v1/posts", officerToken, postBody(ch.ID))
	wantStatus(t, r, http.StatusCreated)
	p := decode[postJSON](t, r)
	if p.Status != storage.PostPendingApproval || p.Deliveries[0].Status != storage.DeliveryPendingApproval {
		t.Fatalf("officer's post = %s / %s, want pending_approval", p.Status, p.Deliveries[0].Status)
	}
	if calls := e.sched.callsOf("schedule"); len(calls) != 0 {
		t.Fatalf("a post waiting for approval was queued: %v", calls)
	}
	path := fmt.Sprintf("/api/v1/posts/%d", p.ID)

	t.Run("officer cannot approve", func(t *testing.T) {
		wantError(t, e.post(path+"/approve", officerToken, nil), http.StatusForbidden, "forbidden", "")
	})
	t.Run("reject needs a reason", func(t *testing.T) {
		wantError(t, e.post(path+"/reject", editorToken, map[string]any{"reason": "  "}), http.StatusUnprocessableEntity, "invalid_field", "reason")
	})
	t.Run("approve queues the deliveries", func(t *testing.T) {
		r := e.post(path+"/approve", editorToken, nil)
		wantStatus(t, r, http.StatusOK)
		got := decode[postJSON](t, r)
		if got.Status != storage.PostScheduled || got.Deliveries[0].Status != storage.DeliveryScheduled {
			t.Fatalf("approved = %+v", got)
		}
		if calls := e.sched.callsOf("schedule"); len(calls) != 1 || calls[0] != got.Deliveries[0].ID {
			t.Fatalf("schedule calls = %v", calls)
		}
		wantError(t, e.post(path+"/approve", editorToken, nil), http.StatusConflict, "wrong_state", "")
	})
	t.Run("officer's edit sends it back to approval", func(t *testing.T) {
		r := e.patch(path, officerToken, map[string]any{"title": "Lịch tiếp công dân (đã sửa)"})
		wantStatus(t, r, http.StatusOK)
		got := decode[postJSON](t, r)
		if got.Status != storage.PostPendingApproval || got.Title != "Lịch tiếp công dân (đã sửa)" {
			t.Fatalf("after officer edit = %+v", got)
		}
		if calls := e.sched.callsOf("unschedule"); len(calls) != 1 {
			t.Fatalf("unschedule calls = %v", calls)
		}
	})
	t.Run("another officer cannot edit it", func(t *testing.T) {
		wantError(t, e.patch(path, officer2Token, map[string]any{"title": "x"}), http.StatusForbidden, "forbidden", "")
	})
	t.Run("edit cannot change channels", func(t *testing.T) {
		wantError(t, e.patch(path, officerToken, map[string]any{"channel_ids": []int64{ch.ID}}), http.StatusUnprocessableEntity, "invalid_field", "channel_ids")
	})
	t.Run("reject keeps the reason and never sends", func(t *testing.T) {
		r := e.post(path+"/reject", editorToken, map[string]any{"reason": "Cần bổ sung số liệu quý IV"})
		wantStatus(t, r, http.StatusOK)
		got := decode[struct {
			Status       string `json:"status"`
			RejectReason string `json:"reject_reason"`
			Deliveries   []deliveryJSON
		}](t, r)
		if got.Status != storage.PostRejected || got.RejectReason != "Cần bổ sung số liệu quý IV" || got.Deliveries[0].Status != storage.DeliveryCanceled {
			t.Fatalf("rejected = %+v", got)
		}
	})
	t.Run("history shows each step with actor and time", func(t *testing.T) {
		r := e.get(path+"/history", officerToken)
		wantStatus(t, r, http.StatusOK)
		h := decode[page[map[string]any]](t, r)
		var steps []string
		for _, it := range h.Items {
			if it["at"] == nil || it["actor"] == "" {
				t.Errorf("event without time or actor: %v", it)
			}
			steps = append(steps, fmt.Sprintf("%v:%v>%v by %v", it["action"], it["from"], it["to"], it["actor"]))
		}
		lan, bt := e.users[officerToken].ID, e.users[editorToken].ID
		want := []string{
			fmt.Sprintf("created:<nil>>pending_approval by user:%d (Cán bộ Lan)", lan),
			fmt.Sprintf("approved:pending_approval>scheduled by user:%d (Biên tập)", bt),
			fmt.Sprintf("edited:scheduled>pending_approval by user:%d (Cán bộ Lan)", lan),
			fmt.Sprintf("rejected:pending_approval>rejected by user:%d (Biên tập)", bt),
		}
		if fmt.Sprint(steps) != fmt.Sprint(want) {
			t.Fatalf("history =\n%v\nwant\n%v", steps, want)
		}
	})
}

func TestEditorEditKeepsApprovalAndReschedules(t *testing.T) {
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	p := e.createPost(editorToken, postBody(ch.ID))
	later := testNow.Add(48 * 3600e9).Format("2006-01-02T15:04:05Z07:00")
	r := e.patch(fmt.Sprintf("/api/v1/posts/%d", p.ID), editorToken, map[string]any{"publish_at": later})
	wantStatus(t, r, http.StatusOK)
	got := decode[postJSON](t, r)
	if got.Status != storage.PostScheduled || got.Deliveries[0].ScheduledAt.Format("2006-01-02T15:04:05Z07:00") != later {
		t.Fatalf("after editor edit = %+v", got)
	}
	if s := e.sched.callsOf("schedule"); len(s) != 2 {
		t.Fatalf("schedule calls = %v, want the first and the re-schedule", s)
	}
	wantError(t, e.patch(fmt.Sprintf("/api/v1/posts/%d", p.ID), editorToken, map[string]any{"publish_at": "2020-01-01T00:00:00Z"}),
		http.StatusUnprocessableEntity, "invalid_field", "publish_at")
}
