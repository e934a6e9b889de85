package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A post may name its channels by a selector: it goes to every enabled
// channel of the agency (and beneath it) of the kinds named; the post shows
// the selector, and so does its history. Selectors and channels elsewhere
// are refused like ones that do not exist.
func TestCreatePostWithTargets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.get("/api/v1/agencies", adminToken)
	wantStatus(t, r, http.StatusOK)
	root := decode[page[idJSON]](t, r).Items[0]
	r = e.post("/api/v1/agencies", adminToken, map[string]any{"name": "Xã Một", "code": "xa-mot", "parent_id": root.ID})
	wantStatus(t, r, http.StatusCreated)
	commune := decode[idJSON](t, r)
	inCommune := func(name string) channelJSON {
		r := e.post("/api/v1/channels", adminToken, map[string]any{"name": name, "kind": "webhook",
			"config": webhookConfig(), "agency_id": commune.ID})
		wantStatus(t, r, http.StatusCreated)
		return decode[channelJSON](t, r)
	}
	a, b := inCommune("Loa xã 1"), inCommune("Loa xã 2")
	wantError(t, e.post("/api/v1/channels", adminToken, map[string]any{"name": "Nowhere", "kind": "webhook",
		"config": webhookConfig(), "agency_id": 424242}), http.StatusUnprocessableEntity, "invalid_field", "agency_id")
	rootHook := e.createWebhook("Cổng tỉnh")
	e.createFeed("Bản tin", "ban-tin")

	body := postBody()
	delete(body, "channel_ids")
	body["targets"] = map[string]any{"agency_id": commune.ID, "descendants": true, "kinds": []string{"webhook"}}
	r = e.post("/api/v1/posts", editorToken, body)
	wantStatus(t, r, http.StatusCreated)
	p := decode[targetedPostJSON](t, r)
	if len(p.Deliveries) != 2 || p.Deliveries[0].ChannelID != a.ID || p.Deliveries[1].ChannelID != b.ID {
		t.Errorf("deliveries %+v, want the commune's channels %d and %d (not %d)", p.Deliveries, a.ID, b.ID, rootHook.ID)
	}
	if p.Targets.AgencyID != commune.ID || !p.Targets.Descendants || fmt.Sprint(p.Targets.Kinds) != "[webhook]" {
		t.Errorf("targets in the view = %+v", p.Targets)
	}
	if calls := e.sched.Calls(); len(calls) != 2 {
		t.Errorf("scheduler calls %+v, want one per delivery", calls)
	}
	r = e.get(fmt.Sprintf("/api/v1/posts/%d/history", p.ID), editorToken)
	wantStatus(t, r, http.StatusOK)
	want := fmt.Sprintf(`{"agency_id":%d,"descendants":true,"kinds":["webhook"]}`, commune.ID)
	history := decode[struct {
		Items []struct {
			Detail string `json:"detail"`
		} `json:"items"`
	}](t, r).Items
	if len(history) == 0 || !strings.Contains(history[0].Detail, want) {
		t.Errorf("history %s does not show the selector %s", r.Body, want)
	}
	wantError(t, e.patch(fmt.Sprintf("/api/v1/posts/%d", p.ID), editorToken, map[string]any{"targets": map[string]any{"agency_id": root.ID}}),
		http.StatusUnprocessableEntity, "invalid_field", "targets")

	for _, tt := range []struct {
		name    string
		targets map[string]any
		field   string
	}{
		{"no agency", map[string]any{"descendants": true}, "targets.agency_id"},
		{"unknown agency", map[string]any{"agency_id": 424242}, "targets.agency_id"},
		{"unknown kind", map[string]any{"agency_id": root.ID, "kinds": []string{"radio"}}, "targets.kinds"},
		{"nothing matches", map[string]any{"agency_id": commune.ID, "kinds": []string{"rss"}}, "targets"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := postBody()
			delete(body, "channel_ids")
			body["targets"] = tt.targets
			wantError(t, e.post("/api/v1/posts", editorToken, body), http.StatusUnprocessableEntity, "invalid_field", tt.field)
		})
	}
}

type idJSON struct {
	ID int64 `json:"id"`
}

type targetedPostJSON struct {
	postJSON
	Targets struct {
		AgencyID    int64    `json:"agency_id"`
		Descendants bool     `json:"descendants"`
		Kinds       []string `json:"kinds"`
	} `json:"targets"`
}
