package facebook

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testToken   = "EAAGtestPageToken0123456789abcdefZZ"
	testPage    = "104857600123456"
	testVersion = "v25.0"
	testName    = "UBND xã Tân Phú"
	// testUnix is 2026-01-15T03:00:00Z, the adapter's clock in these tests.
	testUnix = 1768446000
)

func testNow() time.Time { return time.Unix(testUnix, 0).UTC() }

// clock is a settable clock shared by a test and the adapter.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: testNow()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// recorded is one request as the fake Graph saw it.
type recorded struct {
	method      string
	path        string
	query       url.Values
	form        url.Values
	contentType string
}

// graphFailure is an error the fake answers with Graph's envelope.
type graphFailure struct {
	status  int
	code    int
	subcode int
	message string
}

// rawAnswer is a response that is not Graph's JSON, e.g. a proxy's page.
type rawAnswer struct {
	status      int
	contentType string
	body        string
	header      map[string]string
}

type fakePost struct {
	id      string
	message string
	created time.Time
}

// fakeGraph reproduces the parts of the Graph API the adapter uses, as
// documented in channels.md: POST feed/photos with a form-encoded token,
// GET posts/page with the token in the query, the error envelope and the
// usage headers.
type fakeGraph struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	reqs     []recorded
	posts    []fakePost // oldest first
	nextID   int
	fail     *graphFailure     // answer every request with this error
	raw      *rawAnswer        // answer every request with this
	headers  map[string]string // added to every answer
	hang     bool              // create the post, then never answer
	stall    bool              // answer nothing at all
	pageSize int               // posts per listing page
	postTime time.Time         // created_time of the next post
	// reach is each post's post_impressions_unique; a post without one
	// gets an empty data list, as Graph answers for a metric it lacks.
	reach map[string]int
	// insightsFail answers GET /{post-id}/insights alone with this error.
	insightsFail *graphFailure
}

func newFakeGraph(t *testing.T) *fakeGraph {
	t.Helper()
	g := &fakeGraph{t: t, pageSize: 2, postTime: testNow().Add(time.Minute)}
	g.srv = httptest.NewServer(g)
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGraph) set(fn func(g *fakeGraph)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	fn(g)
}

func (g *fakeGraph) requests() []recorded {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.reqs)
}

func (g *fakeGraph) postCount() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.posts)
}

// addPost stores a post as if someone had published it at created.
func (g *fakeGraph) addPost(message string, created time.Time) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.createLocked(message, created)
}

func (g *fakeGraph) createLocked(message string, created time.Time) string {
	g.nextID++
	id := fmt.Sprintf("%s_%d", testPage, 900000+g.nextID)
	g.posts = append(g.posts, fakePost{id: id, message: message, created: created})
	return id
}

func (g *fakeGraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		g.t.Errorf("fake: read body: %v", err)
	}
	rec := recorded{method: r.Method, path: r.URL.Path, query: r.URL.Query(), contentType: r.Header.Get("Content-Type")}
	if r.Method == http.MethodPost {
		if rec.form, err = url.ParseQuery(string(body)); err != nil {
			g.t.Errorf("fake: body is not form-encoded: %v", err)
		}
	}
	g.mu.Lock()
	g.reqs = append(g.reqs, rec)
	fail, raw, hang, stall := g.fail, g.raw, g.hang, g.stall
	for k, v := range g.headers {
		w.Header().Set(k, v)
	}
	g.mu.Unlock()

	switch {
	case stall:
		waitForClient(r)
	case raw != nil:
		writeRaw(w, raw)
	case !g.tokenOK(rec):
		writeGraphError(w, graphFailure{status: 400, code: 190, message: "Invalid OAuth access token - Cannot parse access token"})
	case fail != nil:
		writeGraphError(w, *fail)
	default:
		g.route(w, r, rec, hang)
	}
}

// tokenOK checks the token is where Graph takes it: the form for POSTs
// (and not the URL), the query for GETs.
func (g *fakeGraph) tokenOK(rec recorded) bool {
	if rec.method == http.MethodPost {
		if rec.query.Has("access_token") {
			g.t.Errorf("fake: POST %s carries the token in the URL", rec.path)
		}
		if rec.contentType != "application/x-www-form-urlencoded" {
			g.t.Errorf("fake: POST Content-Type = %q, want form-encoded", rec.contentType)
		}
		return rec.form.Get("access_token") == testToken
	}
	return rec.query.Get("access_token") == testToken
}

func (g *fakeGraph) route(w http.ResponseWriter, r *http.Request, rec recorded, hang bool) {
	prefix := "/" + testVersion + "/" + testPage
	switch {
	case r.Method == http.MethodPost && rec.path == prefix+"/feed":
		g.createPost(w, r, rec, []string{"message", "link"}, hang)
	case r.Method == http.MethodPost && rec.path == prefix+"/photos":
		g.createPost(w, r, rec, []string{"message", "url"}, hang)
	case r.Method == http.MethodGet && rec.path == prefix+"/posts":
		g.listPosts(w, rec)
	case r.Method == http.MethodGet && strings.HasPrefix(rec.path, "/"+testVersion+"/") && strings.HasSuffix(rec.path, "/insights"):
		g.insights(w, rec)
	case r.Method == http.MethodGet && rec.path == prefix:
		g.checkFields(rec.query, "id,name")
		writeJSON(w, 200, map[string]string{"id": testPage, "name": testName})
	default:
		g.t.Errorf("fake: unexpected %s %s", r.Method, rec.path)
		writeGraphError(w, graphFailure{status: 400, code: 2500, message: "Unknown path components: " + rec.path})
	}
}

func (g *fakeGraph) createPost(w http.ResponseWriter, r *http.Request, rec recorded, allowed []string, hang bool) {
	for k := range rec.form {
		if k != "access_token" && !slices.Contains(allowed, k) {
			g.t.Errorf("fake: POST %s has unexpected field %q", rec.path, k)
		}
	}
	if rec.form.Get("message") == "" {
		writeGraphError(w, graphFailure{status: 400, code: 100, message: "(#100) Missing message"})
		return
	}
	photo := strings.HasSuffix(rec.path, "/photos")
	if photo && rec.form.Get("url") == "" {
		writeGraphError(w, graphFailure{status: 400, code: 324, message: "(#324) Requires upload file"})
		return
	}
	g.mu.Lock()
	id := g.createLocked(rec.form.Get("message"), g.postTime)
	g.mu.Unlock()
	if hang {
		// The post exists, but the client gives up before hearing so.
		waitForClient(r)
		return
	}
	if photo {
		writeJSON(w, 200, map[string]string{"id": "7700" + strings.TrimPrefix(id, testPage+"_"), "post_id": id})
		return
	}
	writeJSON(w, 200, map[string]string{"id": id})
}

// listPosts answers newest first, g.pageSize at a time, with cursor paging
// whose next link carries the token as Graph's does.
func (g *fakeGraph) listPosts(w http.ResponseWriter, rec recorded) {
	g.checkFields(rec.query, "id,message,created_time")
	var since int64
	if s := rec.query.Get("since"); s != "" {
		var err error
		if since, err = strconv.ParseInt(s, 10, 64); err != nil {
			writeGraphError(w, graphFailure{status: 400, code: 100, message: "(#100) Invalid since"})
			return
		}
	}
	start, _ := strconv.Atoi(rec.query.Get("after"))
	g.mu.Lock()
	var matching []fakePost
	for i := len(g.posts) - 1; i >= 0; i-- {
		if g.posts[i].created.Unix() >= since {
			matching = append(matching, g.posts[i])
		}
	}
	size := g.pageSize
	g.mu.Unlock()

	type item struct {
		ID          string `json:"id"`
		Message     string `json:"message,omitempty"`
		CreatedTime string `json:"created_time"`
	}
	out := struct {
		Data   []item         `json:"data"`
		Paging map[string]any `json:"paging,omitempty"`
	}{Data: []item{}}
	end := min(start+size, len(matching))
	for _, p := range matching[min(start, end):end] {
		out.Data = append(out.Data, item{ID: p.id, Message: p.message, CreatedTime: p.created.Format("2006-01-02T15:04:05-0700")})
	}
	if end < len(matching) {
		next := url.Values{}
		for k, v := range rec.query {
			next[k] = v
		}
		next.Set("after", strconv.Itoa(end))
		out.Paging = map[string]any{
			"cursors": map[string]string{"before": strconv.Itoa(start), "after": strconv.Itoa(end)},
			"next":    "https://graph.facebook.com/" + testVersion + "/" + testPage + "/posts?" + next.Encode(),
		}
	}
	writeJSON(w, 200, out)
}

func (g *fakeGraph) checkFields(q url.Values, want string) {
	if got := q.Get("fields"); got != want {
		g.t.Errorf("fake: fields = %q, want %q", got, want)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeGraphError(w http.ResponseWriter, f graphFailure) {
	e := map[string]any{"message": f.message, "type": "OAuthException", "code": f.code, "fbtrace_id": "AbCdEfTrace"}
	if f.subcode != 0 {
		e["error_subcode"] = f.subcode
	}
	writeJSON(w, f.status, map[string]any{"error": e})
}

func writeRaw(w http.ResponseWriter, a *rawAnswer) {
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	if a.contentType != "" {
		w.Header().Set("Content-Type", a.contentType)
	}
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

// waitForClient returns once the client gave up, or after a bound that
// keeps a broken test from hanging.
func waitForClient(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(2 * time.Second):
	}
}

// insights answers GET /{post-id}/insights?metric=post_impressions_unique
// as Graph does: data[0].values[0].value for a post it knows, (#100) for
// an id that is no post.
func (g *fakeGraph) insights(w http.ResponseWriter, rec recorded) {
	if got := rec.query.Get("metric"); got != "post_impressions_unique" {
		g.t.Errorf("fake: insights metric = %q", got)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(rec.path, "/"+testVersion+"/"), "/insights")
	g.mu.Lock()
	fail := g.insightsFail
	known := slices.ContainsFunc(g.posts, func(p fakePost) bool { return p.id == id })
	value, has := g.reach[id]
	g.mu.Unlock()
	switch {
	case fail != nil:
		writeGraphError(w, *fail)
		return
	case !known:
		writeGraphError(w, graphFailure{status: 400, code: 100, message: "(#100) Object with ID '" + id + "' does not exist"})
		return
	}
	data := []any{}
	if has {
		data = append(data, map[string]any{"name": "post_impressions_unique", "period": "lifetime",
			"values": []any{map[string]any{"value": value}}, "title": "Lifetime Post Total Reach",
			"id": id + "/insights/post_impressions_unique/lifetime"})
	}
	writeJSON(w, 200, map[string]any{"data": data})
}
