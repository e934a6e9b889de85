package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestOfficerPostWaitsForApproval: an officer's post is not delivered until
// an editor approves it, a rejected one never is, and the history shows
// each step with its actor and time.
func TestOfficerPostWaitsForApproval(t *testing.T) {
	s := newSink(t)
	loa := start(t, env(t))
	admin := client{t: t, base: "http://" + loa.addr, token: adminToken}
	webhookID, _ := createChannels(admin, s)
	tokens := map[string]string{}
	for _, u := range []struct{ name, role string }{{"Cán bộ Lan", "officer"}, {"Trưởng ban Minh", "editor"}} {
		var created struct {
			ID int64 `json:"id"`
		}
		admin.mustDo("POST", "/api/v1/users", map[string]any{"name": u.name, "role": u.role, "password": "mat-khau-du-dai"}, 201, &created)
		var tok struct {
			Token string `json:"token"`
		}
		c := client{t: t, base: admin.base}
		c.mustDo("POST", "/api/v1/auth/login", map[string]any{"name": u.name, "password": "mat-khau-du-dai"}, 200, &tok)
		tokens[u.role] = tok.Token
	}
	officer := client{t: t, base: admin.base, token: tokens["officer"]}
	editor := client{t: t, base: admin.base, token: tokens["editor"]}

	approved := createPost(officer, "Lịch tiếp công dân tháng 12", time.Now(), webhookID)
	rejected := createPost(officer, "Bản tin chưa đạt", time.Now(), webhookID)
	for _, p := range []post{approved, rejected} {
		if p.Status != "pending_approval" {
			t.Fatalf("officer's post is %s, want pending_approval", p.Status)
		}
	}
	time.Sleep(3 * time.Second)
	if total, _, _ := s.counts(); total != 0 {
		t.Fatalf("%d requests reached the CMS before approval", total)
	}
	editor.mustDo("POST", fmt.Sprintf("/api/v1/posts/%d/reject", rejected.ID), map[string]any{"reason": "Cần số liệu quý IV"}, 200, nil)
	officer.mustDo("POST", fmt.Sprintf("/api/v1/posts/%d/approve", approved.ID), nil, 403, nil)
	editor.mustDo("POST", fmt.Sprintf("/api/v1/posts/%d/approve", approved.ID), nil, 200, nil)
	editor.waitDelivered(approved.ID, 20*time.Second)
	time.Sleep(2 * time.Second)
	if total, keys, bad := s.counts(); total != 1 || keys != 1 || bad != 0 {
		t.Fatalf("CMS got %d requests (%d keys, %d bad); want only the approved post", total, keys, bad)
	}

	type step struct{ action, to, actor string }
	for id, want := range map[int64][]step{
		approved.ID: {{"created", "pending_approval", "Cán bộ Lan"}, {"approved", "scheduled", "Trưởng ban Minh"},
			{"delivery_delivered", "published", "system:worker"}},
		rejected.ID: {{"created", "pending_approval", "Cán bộ Lan"}, {"rejected", "rejected", "Trưởng ban Minh"}},
	} {
		var h struct {
			Items []struct {
				At     time.Time `json:"at"`
				Actor  string    `json:"actor"`
				Action string    `json:"action"`
				To     string    `json:"to"`
				Detail string    `json:"detail"`
			} `json:"items"`
		}
		officer.mustDo("GET", fmt.Sprintf("/api/v1/posts/%d/history", id), nil, 200, &h)
		if len(h.Items) != len(want) {
			t.Fatalf("post %d history = %+v, want %v", id, h.Items, want)
		}
		for i, w := range want {
			it := h.Items[i]
			if it.Action != w.action || it.To != w.to || !strings.Contains(it.Actor, w.actor) || it.At.IsZero() {
				t.Errorf("post %d step %d = %s→%s by %q at %s, want %s→%s by %s", id, i, it.Action, it.To, it.Actor, it.At, w.action, w.to, w.actor)
			}
		}
		if id == rejected.ID && h.Items[1].Detail != "Cần số liệu quý IV" {
			t.Errorf("rejection reason = %q", h.Items[1].Detail)
		}
	}
}
