package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestProvinceWidePostReachesEveryCommune: the root agency's editor posts
// once to every webhook of the root and beneath it; the three communes'
// two channels each get the post exactly once, validly signed, and the
// post's history shows the selector it was sent by.
func TestProvinceWidePostReachesEveryCommune(t *testing.T) {
	loa := start(t, env(t))
	admin := client{t: t, base: "http://" + loa.addr, token: adminToken}
	var agencies struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	admin.mustDo("GET", "/api/v1/agencies", nil, 200, &agencies)
	root := agencies.Items[0].ID

	sinks := map[int64]*sink{} // by channel id
	for i := range 3 {
		var commune struct {
			ID int64 `json:"id"`
		}
		admin.mustDo("POST", "/api/v1/agencies", map[string]any{"name": fmt.Sprintf("Xã %d", i+1),
			"code": fmt.Sprintf("xa-%d", i+1), "parent_id": root}, 201, &commune)
		for j := range 2 {
			s := newSink(t)
			var ch struct {
				ID int64 `json:"id"`
			}
			admin.mustDo("POST", "/api/v1/channels", map[string]any{"name": fmt.Sprintf("Loa xã %d-%d", i+1, j+1),
				"kind": "webhook", "agency_id": commune.ID,
				"config": map[string]string{"url": s.srv.URL, "secret": webhookSecret}}, 201, &ch)
			sinks[ch.ID] = s
		}
	}
	admin.mustDo("POST", "/api/v1/users", map[string]any{"name": "Biên tập tỉnh", "role": "editor",
		"password": "mat-khau-du-dai"}, 201, nil)
	var tok struct {
		Token string `json:"token"`
	}
	client{t: t, base: admin.base}.mustDo("POST", "/api/v1/auth/login",
		map[string]any{"name": "Biên tập tỉnh", "password": "mat-khau-du-dai"}, 200, &tok)
	editor := client{t: t, base: admin.base, token: tok.Token}

	var p post
	editor.mustDo("POST", "/api/v1/posts", map[string]any{"title": "Thông báo toàn tỉnh",
		"body":    "<p>Lịch tiếp công dân</p>",
		"targets": map[string]any{"agency_id": root, "descendants": true, "kinds": []string{"webhook"}}}, 201, &p)
	if len(p.Deliveries) != 6 {
		t.Fatalf("post made %d deliveries, want 6: %+v", len(p.Deliveries), p)
	}
	editor.waitDelivered(p.ID, 30*time.Second)
	time.Sleep(time.Second) // a duplicate would arrive now
	for id, s := range sinks {
		if total, keys, bad := s.counts(); total != 1 || keys != 1 || bad != 0 {
			t.Errorf("channel %d's sink got %d requests (%d keys, %d bad signatures); want one valid request", id, total, keys, bad)
		}
	}

	var h struct {
		Items []struct {
			Action string `json:"action"`
			Detail string `json:"detail"`
		} `json:"items"`
	}
	editor.mustDo("GET", fmt.Sprintf("/api/v1/posts/%d/history", p.ID), nil, 200, &h)
	want := fmt.Sprintf(`{"agency_id":%d,"descendants":true,"kinds":["webhook"]}`, root)
	if len(h.Items) == 0 || h.Items[0].Action != "created" || !strings.Contains(h.Items[0].Detail, want) {
		t.Errorf("history %+v; want its creation to show the selector %s", h.Items, want)
	}
}
