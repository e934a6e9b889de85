package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/storage"
)

// The isolation matrix (issue 8): a root R with children A and B; an
// admin, an editor and an officer in each; objects of every kind in A and
// in B. For every route, A's users get for B's objects exactly what they
// get for an id that does not exist, and see none of them in any list;
// R's users reach both; an officer of A approves nothing.

// route says how the matrix exercises one route.
type route struct {
	// public routes (health, log-in, public feeds) are outside scope.
	public bool
	// kind is the object whose id goes in :id.
	kind string
	// gate is the least role the route lets act on someone else's object;
	// a lower role gets the same refusal for every id.
	gate string
	// body builds the request body for agency w; n makes names unique.
	body func(w world, n int) any
	// list: the response lists objects, each with its agency.
	list bool
	// query is added to a list's URL.
	query string
	// listKey is the key holding each listed object's agency.
	listKey string
	// create names the body field that says where the new object goes.
	create string
	// self: the response is about the caller only.
	self bool
	// coveredBy names the test that checks a route the matrix cannot
	// drive: installation-wide lists, records found by activity, routes
	// whose requests are files rather than objects.
	coveredBy string
}

var (
	editorGate, adminGate = storage.RoleEditor, storage.RoleAdmin
	calendarDay           = testNow.In(time.FixedZone("ICT", 7*3600)).Format("2006-01-02")
)

// matrix has one entry per route in the route table.
var matrix = map[string]route{
	"GET /healthz":                   {public: true},
	"GET /livez":                     {public: true},
	"GET /readyz":                    {public: true},
	"GET /api/openapi.json":          {public: true},
	"GET /metrics":                   {coveredBy: "TestMetricsEndpoint"},
	"GET /feeds/:name":               {public: true},
	"HEAD /feeds/:name":              {public: true},
	"GET /feeds/:name/items/:id":     {public: true},
	"POST /api/v1/auth/login":        {public: true},
	"GET /api/v1/me":                 {self: true},
	"GET /api/v1/agencies":           {list: true, listKey: "id"},
	"POST /api/v1/agencies":          {create: "parent_id", gate: adminGate, body: agencyBody},
	"GET /api/v1/agencies/:id":       {kind: "agency"},
	"PATCH /api/v1/agencies/:id":     {kind: "agency", gate: adminGate, body: fixed(map[string]any{})},
	"GET /api/v1/users":              {list: true, gate: adminGate},
	"POST /api/v1/users":             {create: "agency_id", gate: adminGate, body: userBody},
	"GET /api/v1/users/:id":          {kind: "user", gate: adminGate},
	"PATCH /api/v1/users/:id":        {kind: "user", gate: adminGate, body: fixed(map[string]any{"role": "officer"})},
	"GET /api/v1/users/:id/tokens":   {kind: "user", gate: adminGate},
	"POST /api/v1/users/:id/tokens":  {kind: "user", gate: adminGate, body: fixed(map[string]any{"name": "máy tính bảng"})},
	"DELETE /api/v1/tokens/:id":      {kind: "token", gate: adminGate},
	"GET /api/v1/channels":           {list: true},
	"POST /api/v1/channels":          {create: "agency_id", gate: editorGate, body: channelBody},
	"GET /api/v1/channels/:id":       {kind: "channel"},
	"PATCH /api/v1/channels/:id":     {kind: "channel", gate: editorGate, body: fixed(map[string]any{"status": "active"})},
	"POST /api/v1/channels/:id/test": {kind: "channel", gate: editorGate},
	// Test servers have no radio channel: R is told "edition not found"
	// where a missing channel is "channel not found".
	"GET /api/v1/channels/:id/editions/:date/:file": {kind: "channel"},
	"POST /api/v1/posts":                            {create: "agency_id", body: func(w world, _ int) any { return postBody(w.ids["channel"]) }},
	"GET /api/v1/posts":                             {list: true},
	"GET /api/v1/posts/:id":                         {kind: "post"},
	"GET /api/v1/posts/:id/history":                 {kind: "post"},
	"GET /api/v1/posts/:id/preview":                 {kind: "post"},
	"POST /api/v1/posts/:id/cancel":                 {kind: "post"},
	"PATCH /api/v1/posts/:id":                       {kind: "post", body: fixed(map[string]any{"summary": "Đã sửa."})},
	"POST /api/v1/posts/:id/approve":                {kind: "post", gate: editorGate},
	"POST /api/v1/posts/:id/reject":                 {kind: "post", gate: editorGate, body: fixed(map[string]any{"reason": "Thiếu số văn bản."})},
	"POST /api/v1/schedules":                        {create: "agency_id", body: func(w world, _ int) any { return weeklyBody(w.ids["channel"]) }},
	"GET /api/v1/schedules":                         {list: true},
	"GET /api/v1/schedules/:id":                     {kind: "schedule"},
	"POST /api/v1/schedules/:id/pause":              {kind: "schedule"},
	"POST /api/v1/schedules/:id/resume":             {kind: "schedule"},
	"POST /api/v1/sources":                          {create: "agency_id", gate: editorGate, body: sourceBody},
	"GET /api/v1/sources":                           {list: true},
	"GET /api/v1/sources/:id":                       {kind: "source"},
	"POST /api/v1/sources/:id/poll":                 {kind: "source", gate: editorGate},
	"POST /api/v1/sources/:id/pause":                {kind: "source", gate: editorGate},
	"POST /api/v1/sources/:id/resume":               {kind: "source", gate: editorGate},
	"GET /api/v1/calendar":                          {list: true, query: "from=" + calendarDay + "&to=" + calendarDay},
	"GET /api/v1/deliveries":                        {list: true},
	"GET /api/v1/deliveries/:id":                    {kind: "delivery"},
	"POST /api/v1/deliveries/:id/retry":             {kind: "delivery"},
	"POST /api/v1/deliveries/:id/cancel":            {kind: "delivery"},
	"GET /api/v1/plans":                             {list: true},
	"POST /api/v1/plans":                            {create: "agency_id", gate: editorGate, body: planBody},
	"GET /api/v1/plans/:id":                         {kind: "plan"},
	"PATCH /api/v1/plans/:id":                       {kind: "plan", gate: editorGate, body: fixed(map[string]any{"reference": "Số 12/KH-UBND"})},
	"GET /api/v1/forms":                             {self: true},
	"GET /api/v1/vocabularies":                      {self: true},
	"POST /api/v1/vocabularies":                     {coveredBy: "TestVocabularies"},
	"PATCH /api/v1/vocabularies/:id":                {coveredBy: "TestVocabularies"},
	"POST /api/v1/activity-records":                 {coveredBy: "TestActivityRecordsIsolation"},
	"GET /api/v1/activity-records":                  {coveredBy: "TestActivityRecordsIsolation"},
	"GET /api/v1/reports":                           {coveredBy: "TestReportAPIRefuses"},
	"GET /api/v1/attachments/:id":                   {kind: "attachment"},
	"POST /api/v1/posts/import":                     {coveredBy: "TestImportIsolation"},
	"GET /api/v1/posts/import/template.xlsx":        {coveredBy: "TestImportIsolation"},
	"GET /api/v1/posts/import/template.csv":         {coveredBy: "TestImportIsolation"},
}

// world is one agency's people and objects.
type world struct {
	name   string
	agency int64
	tokens map[string]string // by role
	ids    map[string]int64  // object kind → id
	sink   string            // webhook endpoint
	feed   string            // feed URL
}

func fixed(body any) func(world, int) any { return func(world, int) any { return body } }

func planBody(_ world, n int) any {
	return map[string]any{"title": fmt.Sprintf("Kế hoạch tuyên truyền CCHC %d", n), "year": 2026,
		"activities": []map[string]any{{"code": "1", "title": "Hội nghị", "timing": "Q4", "forms": []string{"hoi_nghi"}}}}
}

func agencyBody(w world, n int) any {
	return map[string]any{"name": fmt.Sprintf("Xã mới %d", n), "code": fmt.Sprintf("xa-moi-%d", n), "parent_id": w.agency}
}

func userBody(_ world, n int) any {
	return map[string]any{"name": fmt.Sprintf("Cán bộ mới %d", n), "role": "officer"}
}

func channelBody(w world, n int) any {
	return map[string]any{"name": fmt.Sprintf("Kênh %s %d", w.name, n), "kind": "webhook",
		"config": map[string]any{"url": w.sink, "secret": webhookSecret}}
}

func sourceBody(w world, n int) any {
	return map[string]any{"name": fmt.Sprintf("TTHC %s %d", w.name, n), "url": fmt.Sprintf("%s/rss?agency=%s&n=%d", w.feed, w.name, n),
		"poll_every": "15m", "mode": "review", "template": map[string]any{"title": "[TTHC] {{.Title}}"},
		"channel_ids": []int64{w.ids["channel"]}}
}

var roles = []string{storage.RoleAdmin, storage.RoleEditor, storage.RoleOfficer}

// missingID is an id no object has.
const missingID = 987654321

func TestIsolationMatrix(t *testing.T) {
	e := newEnv(t)
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(sink.Close)
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, fmt.Sprintf(smallFeed, testNow.Format(time.RFC1123Z)))
	}))
	t.Cleanup(feed.Close)

	root := decode[struct{ Items []agencyJSON }](t, e.get("/api/v1/agencies", adminToken)).Items[0]
	r := world{name: "R", agency: root.ID, sink: sink.URL + "/hook", feed: feed.URL,
		tokens: map[string]string{storage.RoleAdmin: adminToken, storage.RoleEditor: editorToken, storage.RoleOfficer: officerToken}}
	a, b := newWorld(t, e, r, "A", sink.URL+"/hook", feed.URL), newWorld(t, e, r, "B", sink.URL+"/hook", feed.URL)

	t.Run("every route has an entry", func(t *testing.T) {
		table := api.RouteTable(api.Options{Logger: slog.New(slog.DiscardHandler)})
		for _, rt := range table {
			if _, ok := matrix[rt]; !ok {
				t.Errorf("route %q has no entry in the isolation matrix", rt)
			}
		}
		for rt := range matrix {
			if !slices.Contains(table, rt) {
				t.Errorf("matrix entry %q is no route", rt)
			}
		}
		t.Logf("%d routes in the matrix", len(table))
	})

	t.Run("an officer of A approves nothing", func(t *testing.T) {
		for _, w := range []world{a, b} {
			res := e.post(fmt.Sprintf("/api/v1/posts/%d/approve", w.ids["post"]), a.tokens[storage.RoleOfficer], nil)
			if res.Status < 400 {
				t.Errorf("A's officer approved %s's post: %s", w.name, res)
			}
			got := decode[postJSON](t, e.get(fmt.Sprintf("/api/v1/posts/%d", w.ids["post"]), adminToken))
			if got.Status != storage.PostPendingApproval {
				t.Errorf("%s's post is %s after A's officer tried to approve it", w.name, got.Status)
			}
		}
	})

	n := 0
	for _, key := range sortedRoutes() {
		rt := matrix[key]
		method, path, _ := strings.Cut(key, " ")
		t.Run(key, func(t *testing.T) {
			call := func(token string, w world, id int64, body any, query string) response {
				t.Helper()
				p := strings.NewReplacer(":id", strconv.FormatInt(id, 10), ":date", calendarDay, ":file", "07-00.txt").Replace(path)
				if query != "" {
					p += "?" + query
				}
				return e.do(req{Method: method, Path: p, Token: token, Body: jsonString(t, body)})
			}
			body := func(w world) any {
				if rt.body == nil {
					return nil
				}
				n++
				return rt.body(w, n)
			}
			switch {
			case rt.public:
				t.Skip("public: outside any agency's scope")
			case rt.coveredBy != "":
				t.Skip("checked by " + rt.coveredBy)
			case rt.kind != "":
				checkObjectRoute(t, rt, call, body, r, a, b)
			case rt.list:
				checkListRoute(t, rt, call, r, a, b)
			case rt.create != "":
				checkCreateRoute(t, rt, call, body, r, a, b)
			case rt.self:
				for _, role := range roles {
					if got := agenciesIn(t, call(a.tokens[role], a, 0, nil, ""), "agency_id"); slices.Contains(got, b.agency) {
						t.Errorf("A's %s sees B in /me", role)
					}
				}
			}
		})
	}
}

// checkObjectRoute: for B's object, each of A's users gets exactly what
// an id that does not exist gets; R's users and A's (for A's object) reach
// the object when their role passes the route's gate.
func checkObjectRoute(t *testing.T, rt route, call func(string, world, int64, any, string) response,
	body func(world) any, r, a, b world) {
	for _, role := range roles {
		tok := a.tokens[role]
		missing := call(tok, b, missingID, body(b), "")
		got := call(tok, b, b.ids[rt.kind], body(b), "")
		if got.Status != missing.Status || string(got.Body) != string(missing.Body) {
			t.Errorf("A's %s on B's %s: %s; on a missing id: %s", role, rt.kind, got, missing)
		}
		if got.Status != http.StatusNotFound && got.Status != http.StatusForbidden {
			t.Errorf("A's %s on B's %s: %s, want 404 (or the role gate's 403 for every id)", role, rt.kind, got)
		}
	}
	reach := func(who string, tok string, w world) {
		missing := call(tok, w, missingID, body(w), "")
		got := call(tok, w, w.ids[rt.kind], body(w), "")
		if got.Status == missing.Status && string(got.Body) == string(missing.Body) {
			t.Errorf("%s cannot reach %s's %s: %s", who, w.name, rt.kind, got)
		}
	}
	for _, role := range roles {
		if !passesGate(role, rt.gate) {
			continue
		}
		reach("R's "+role, r.tokens[role], a)
		reach("R's "+role, r.tokens[role], b)
		reach("A's "+role, a.tokens[role], a)
	}
}

// checkListRoute: A's users see only A's objects, nothing when narrowed to
// B; R's users see A's and B's, and only A's when narrowed to A.
func checkListRoute(t *testing.T, rt route, call func(string, world, int64, any, string) response, r, a, b world) {
	key := rt.listKey
	if key == "" {
		key = "agency_id"
	}
	query := func(extra string) string {
		return strings.Trim(rt.query+"&"+extra, "&")
	}
	for _, role := range roles {
		if !passesGate(role, rt.gate) {
			continue
		}
		seen := agenciesIn(t, call(a.tokens[role], a, 0, nil, query("")), key)
		if !slices.Contains(seen, a.agency) || slices.ContainsFunc(seen, func(id int64) bool { return id != a.agency }) {
			t.Errorf("A's %s sees agencies %v, want only A (%d)", role, seen, a.agency)
		}
		if seen := agenciesIn(t, call(a.tokens[role], a, 0, nil, query(fmt.Sprintf("agency_id=%d", b.agency))), key); len(seen) > 0 {
			t.Errorf("A's %s narrowed to B sees agencies %v, want nothing", role, seen)
		}
		seen = agenciesIn(t, call(r.tokens[role], r, 0, nil, query("")), key)
		if !slices.Contains(seen, a.agency) || !slices.Contains(seen, b.agency) {
			t.Errorf("R's %s sees agencies %v, want A (%d) and B (%d)", role, seen, a.agency, b.agency)
		}
		seen = agenciesIn(t, call(r.tokens[role], r, 0, nil, query(fmt.Sprintf("agency_id=%d", a.agency))), key)
		if !slices.Contains(seen, a.agency) || slices.ContainsFunc(seen, func(id int64) bool { return id != a.agency }) {
			t.Errorf("R's %s narrowed to A sees agencies %v, want only A", role, seen)
		}
	}
}

// checkCreateRoute: A's users cannot put anything in B (the refusal reads
// like one for an agency that does not exist); leaving the agency out puts
// it in the caller's own; R's users can put it in B.
func checkCreateRoute(t *testing.T, rt route, call func(string, world, int64, any, string) response,
	body func(world) any, r, a, b world) {
	in := func(w world, agency int64) any {
		m := body(w).(map[string]any)
		m[rt.create] = agency
		return m
	}
	for _, role := range roles {
		tok := a.tokens[role]
		missing := call(tok, b, 0, in(b, missingID), "")
		got := call(tok, b, 0, in(b, b.agency), "")
		want := strings.ReplaceAll(string(missing.Body), strconv.Itoa(missingID), strconv.FormatInt(b.agency, 10))
		if got.Status != missing.Status || string(got.Body) != want {
			t.Errorf("A's %s creating in B: %s; in a missing agency: %s", role, got, missing)
		}
		if !passesGate(role, rt.gate) {
			continue
		}
		if got.Status != http.StatusUnprocessableEntity {
			t.Errorf("A's %s creating in B: %s, want 422 on %s", role, got, rt.create)
		}
		if rt.create == "agency_id" {
			res := call(tok, a, 0, body(a), "")
			if got := agenciesIn(t, res, "agency_id"); res.Status != http.StatusCreated || !slices.Contains(got, a.agency) {
				t.Errorf("A's %s creating without agency_id: %s, want it in A", role, res)
			}
		}
		res := call(r.tokens[role], b, 0, in(b, b.agency), "")
		if res.Status != http.StatusCreated {
			t.Errorf("R's %s creating in B: %s, want 201", role, res)
		}
	}
}

func passesGate(role, gate string) bool {
	rank := map[string]int{"": 0, storage.RoleOfficer: 0, storage.RoleEditor: 1, storage.RoleAdmin: 2}
	return rank[role] >= rank[gate]
}

// agenciesIn collects every value of key anywhere in a 200 response.
func agenciesIn(t *testing.T, r response, key string) []int64 {
	t.Helper()
	if r.Status != http.StatusOK && r.Status != http.StatusCreated {
		t.Fatalf("list: %s", r)
	}
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("list: %v: %s", err, r)
	}
	var out []int64
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if f, ok := x.(float64); ok && k == key {
					out = append(out, int64(f))
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	slices.Sort(out)
	return slices.Compact(out)
}

func sortedRoutes() []string {
	keys := make([]string, 0, len(matrix))
	for k := range matrix {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// newWorld makes agency name under r with an admin, an editor and an
// officer, and one object of every kind: a user and a token to manage, a
// channel, a post waiting for approval, a delivery, a schedule, a source.
func newWorld(t *testing.T, e *env, r world, name, sink, feed string) world {
	t.Helper()
	res := e.post("/api/v1/agencies", adminToken, map[string]any{"name": "Huyện " + name, "code": strings.ToLower(name), "parent_id": r.agency})
	wantStatus(t, res, http.StatusCreated)
	w := world{name: name, agency: decode[agencyJSON](t, res).ID, sink: sink, feed: feed,
		tokens: map[string]string{}, ids: map[string]int64{}}
	w.ids["agency"] = w.agency
	ctx := context.Background()
	for _, role := range roles {
		res := e.post("/api/v1/users", adminToken, map[string]any{"name": role + " " + name, "role": role, "agency_id": w.agency})
		wantStatus(t, res, http.StatusCreated)
		u := decode[struct {
			ID       int64 `json:"id"`
			AgencyID int64 `json:"agency_id"`
		}](t, res)
		if u.AgencyID != w.agency {
			t.Fatalf("user made in %s is in agency %d", name, u.AgencyID)
		}
		w.tokens[role] = fmt.Sprintf("tok-%s-%s-0123456789abcdef", strings.ToLower(name), role)
		if _, err := e.store.CreateToken(ctx, u.ID, "t", api.HashToken(w.tokens[role]), "test"); err != nil {
			t.Fatal(err)
		}
	}
	// The objects are made by the agency's own people, naming no agency.
	res = e.post("/api/v1/users", w.tokens[storage.RoleAdmin], map[string]any{"name": "Cán bộ dự phòng " + name, "role": "officer"})
	wantStatus(t, res, http.StatusCreated)
	w.ids["user"] = decode[userJSON](t, res).ID
	res = e.post(fmt.Sprintf("/api/v1/users/%d/tokens", w.ids["user"]), w.tokens[storage.RoleAdmin], map[string]any{"name": "điện thoại"})
	wantStatus(t, res, http.StatusCreated)
	w.ids["token"] = decode[userJSON](t, res).ID
	res = e.post("/api/v1/channels", w.tokens[storage.RoleEditor], channelBody(w, 0))
	wantStatus(t, res, http.StatusCreated)
	w.ids["channel"] = decode[channelJSON](t, res).ID
	res = e.post("/api/v1/posts", w.tokens[storage.RoleOfficer], postBody(w.ids["channel"]))
	wantStatus(t, res, http.StatusCreated)
	w.ids["post"] = decode[postJSON](t, res).ID
	res = e.post("/api/v1/posts", w.tokens[storage.RoleEditor], postBody(w.ids["channel"]))
	wantStatus(t, res, http.StatusCreated)
	w.ids["delivery"] = decode[postJSON](t, res).Deliveries[0].ID
	res = e.post("/api/v1/schedules", w.tokens[storage.RoleEditor], weeklyBody(w.ids["channel"]))
	wantStatus(t, res, http.StatusCreated)
	sc := decode[struct {
		ID    int64
		Posts []struct {
			AgencyID int64 `json:"agency_id"`
		}
	}](t, res)
	w.ids["schedule"] = sc.ID
	if len(sc.Posts) == 0 {
		t.Fatalf("%s's schedule made no occurrences", name)
	}
	for _, p := range sc.Posts {
		if p.AgencyID != w.agency {
			t.Fatalf("an occurrence of %s's schedule is in agency %d", name, p.AgencyID)
		}
	}
	res = e.post("/api/v1/plans", w.tokens[storage.RoleEditor], planBody(w, 0))
	wantStatus(t, res, http.StatusCreated)
	plan := decode[planJSON](t, res)
	w.ids["plan"] = plan.ID
	res = e.postMultipart("/api/v1/activity-records", w.tokens[storage.RoleOfficer], map[string]string{
		"activity_id": fmt.Sprint(plan.Activities[0].ID), "date": "2026-11-02", "form": "hoi_nghi"}, "ds.pdf", pdfBytes(100))
	wantStatus(t, res, http.StatusCreated)
	w.ids["attachment"] = decode[recordJSON](t, res).Attachment.ID
	res = e.post("/api/v1/sources", w.tokens[storage.RoleEditor], sourceBody(w, 0))
	wantStatus(t, res, http.StatusCreated)
	w.ids["source"] = decode[userJSON](t, res).ID
	// The feed's items become posts of the source's agency.
	wantStatus(t, e.post(fmt.Sprintf("/api/v1/sources/%d/poll", w.ids["source"]), w.tokens[storage.RoleEditor], nil), http.StatusOK)
	res = e.get(fmt.Sprintf("/api/v1/sources/%d", w.ids["source"]), w.tokens[storage.RoleEditor])
	type item struct {
		PostID int64 `json:"post_id"`
	}
	items := decode[struct{ Items []item }](t, res).Items
	if len(items) == 0 {
		t.Fatalf("%s's source took no items", name)
	}
	for _, it := range items {
		p := decode[struct {
			AgencyID int64 `json:"agency_id"`
		}](t, e.get(fmt.Sprintf("/api/v1/posts/%d", it.PostID), w.tokens[storage.RoleEditor]))
		if p.AgencyID != w.agency {
			t.Fatalf("a feed post of %s's source is in agency %d", name, p.AgencyID)
		}
	}
	return w
}
