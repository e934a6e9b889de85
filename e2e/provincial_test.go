package e2e

import (
	"fmt"
	"slices"
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

	sinks := map[int64]*sink{}             // by channel id
	communeChannels := map[int64][]int64{} // by commune agency id
	var communes []int64
	for i := range 3 {
		var commune struct {
			ID int64 `json:"id"`
		}
		admin.mustDo("POST", "/api/v1/agencies", map[string]any{"name": fmt.Sprintf("Xã %d", i+1),
			"code": fmt.Sprintf("xa-%d", i+1), "parent_id": root}, 201, &commune)
		communes = append(communes, commune.ID)
		admin.mustDo("POST", "/api/v1/users", map[string]any{"name": fmt.Sprintf("Cán bộ xã %d", i+1), "role": "officer",
			"password": "mat-khau-du-dai", "agency_id": commune.ID}, 201, nil)
		for j := range 2 {
			s := newSink(t)
			var ch struct {
				ID int64 `json:"id"`
			}
			admin.mustDo("POST", "/api/v1/channels", map[string]any{"name": fmt.Sprintf("Loa xã %d-%d", i+1, j+1),
				"kind": "webhook", "agency_id": commune.ID,
				"config": map[string]string{"url": s.srv.URL, "secret": webhookSecret}}, 201, &ch)
			sinks[ch.ID] = s
			communeChannels[commune.ID] = append(communeChannels[commune.ID], ch.ID)
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
	for _, d := range p.Deliveries {
		var got struct {
			Attempts int `json:"attempts"`
		}
		editor.mustDo("GET", fmt.Sprintf("/api/v1/deliveries/%d", d.ID), nil, 200, &got)
		if got.Attempts != 1 {
			t.Errorf("delivery %d took %d attempts, want 1", d.ID, got.Attempts)
		}
	}
	for id, s := range sinks {
		if total, keys, bad := s.counts(); total != 1 || keys != 1 || bad != 0 {
			t.Errorf("channel %d's sink got %d requests (%d keys, %d bad signatures); want one valid request", id, total, keys, bad)
		}
	}

	// Each commune's officer sees exactly the deliveries to their own two channels.
	for i, commune := range communes {
		n := i + 1
		var tok struct {
			Token string `json:"token"`
		}
		client{t: t, base: admin.base}.mustDo("POST", "/api/v1/auth/login",
			map[string]any{"name": fmt.Sprintf("Cán bộ xã %d", n), "password": "mat-khau-du-dai"}, 200, &tok)
		officer := client{t: t, base: admin.base, token: tok.Token}
		var list struct {
			Items []struct {
				ChannelID int64 `json:"channel_id"`
				AgencyID  int64 `json:"agency_id"`
				PostID    int64 `json:"post_id"`
			} `json:"items"`
		}
		officer.mustDo("GET", "/api/v1/deliveries", nil, 200, &list)
		if len(list.Items) != 2 {
			t.Fatalf("officer of commune %d sees %d deliveries, want their 2: %+v", n, len(list.Items), list.Items)
		}
		for _, d := range list.Items {
			if d.PostID != p.ID || d.AgencyID != commune || !slices.Contains(communeChannels[commune], d.ChannelID) {
				t.Errorf("officer of commune %d sees delivery %+v, not one to their own channels %v", n, d, communeChannels[commune])
			}
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
