package wordpress

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testUser = "bientap"
	// testPassword is written as WordPress shows it; the adapter sends testPasswordPlain.
	testPassword      = "abcd EFGH ijkl MNOP qrst UV12"
	testPasswordPlain = "abcdEFGHijklMNOPqrstUV12"
	testSiteName      = "Cổng thông tin xã Hòa Bình"
	testUserName      = "Biên tập viên"
)

// recorded is one request as the fake saw it.
type recorded struct {
	method string
	path   string
	// route is the REST route asked for in either URL form, "" for none.
	route  string
	pretty bool
	query  url.Values
	header http.Header
	body   []byte
}

// fakePost is a post the fake holds.
type fakePost struct {
	ID      int
	Title   string
	Content string
	Excerpt string
	Status  string
	Slug    string
	// Extra are fields a plugin adds to the REST post (post_views…).
	Extra map[string]any
}

// fakeWP behaves as channels.md documents WordPress's REST API: both URL
// forms, Basic auth with an Application Password, the error envelope and
// its codes, slugs made unique with "-2".
type fakeWP struct {
	t   *testing.T
	srv *httptest.Server
	// plainPermalinks answers /wp-json/… as a site without pretty
	// permalinks would; nil serves the API there too. Guarded by mu once
	// the server runs.
	plainPermalinks http.HandlerFunc
	// respond answers an API request instead of the fake's own logic when
	// it returns true; it runs after the request was recorded.
	respond func(f *fakeWP, w http.ResponseWriter, r *http.Request, route string, body []byte) bool
	// canPublish is the user's publish_posts capability.
	canPublish bool

	mu    sync.Mutex
	reqs  []recorded
	posts []fakePost
}

func newFakeWP(t *testing.T, configure func(*fakeWP)) *fakeWP {
	t.Helper()
	f := &fakeWP{t: t, canPublish: true}
	if configure != nil {
		configure(f)
	}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("fake: read body: %v", err)
	}
	rec := recorded{method: r.Method, path: r.URL.Path, query: r.URL.Query(), header: r.Header.Clone(), body: body}
	switch {
	case strings.HasPrefix(r.URL.Path, "/wp-json"):
		rec.route, rec.pretty = strings.TrimPrefix(r.URL.Path, "/wp-json"), true
		if rec.route == "" {
			rec.route = "/"
		}
	case r.URL.Path == "/" && r.URL.Query().Has("rest_route"):
		rec.route = r.URL.Query().Get("rest_route")
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, rec)
	plain := f.plainPermalinks
	f.mu.Unlock()

	switch {
	case rec.pretty && plain != nil:
		plain(w, r)
	case rec.route == "":
		homePage(w, r)
	case f.respond != nil && f.respond(f, w, r, rec.route, body):
	default:
		f.api(w, r, rec.route, body)
	}
}

func homePage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	io.WriteString(w, "<!doctype html><html><head><title>Cổng thông tin xã Hòa Bình</title></head><body>Trang chủ</body></html>")
}

func (f *fakeWP) api(w http.ResponseWriter, r *http.Request, route string, body []byte) {
	switch {
	case route == "/" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"name": testSiteName, "url": f.srv.URL, "namespaces": []string{"wp/v2"}})
	case route == "/wp/v2/posts" && r.Method == http.MethodPost:
		if f.authorize(w, r, "rest_cannot_create", "Sorry, you are not allowed to create posts as this user.") {
			f.create(w, body)
		}
	case route == "/wp/v2/posts" && r.Method == http.MethodGet:
		if f.authorize(w, r, "rest_forbidden_context", "Sorry, you are not allowed to edit posts in this post type.") {
			f.list(w, r)
		}
	case strings.HasPrefix(route, "/wp/v2/posts/") && r.Method == http.MethodGet:
		if f.authorize(w, r, "rest_forbidden", "Sorry, you are not allowed to do that.") {
			f.get(w, r, strings.TrimPrefix(route, "/wp/v2/posts/"))
		}
	case route == "/wp/v2/users/me" && r.Method == http.MethodGet:
		if f.authorize(w, r, "rest_not_logged_in", "You are not currently logged in.") {
			f.me(w, r)
		}
	default:
		writeError(w, http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
	}
}

// authorize answers 401 as WordPress does and reports whether the request
// may go on.
func (f *fakeWP) authorize(w http.ResponseWriter, r *http.Request, anonCode, anonMessage string) bool {
	user, pass, ok := r.BasicAuth()
	switch {
	case !ok:
		writeError(w, http.StatusUnauthorized, anonCode, anonMessage)
	case user != testUser:
		writeError(w, http.StatusUnauthorized, "invalid_username",
			"<strong>Error:</strong> The username <strong>"+user+"</strong> is not registered on this site.")
	case pass != testPasswordPlain:
		writeError(w, http.StatusUnauthorized, "incorrect_password", "The provided password is an invalid application password.")
	default:
		return true
	}
	return false
}

// newPost is the body the adapter must send, and nothing more.
type newPost struct {
	Title   string `json:"title"`
	Content string `json:"content"`
	Excerpt string `json:"excerpt"`
	Status  string `json:"status"`
	Slug    string `json:"slug"`
}

func (f *fakeWP) create(w http.ResponseWriter, body []byte) {
	var in newPost
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")
		return
	}
	switch in.Status {
	case "publish", "future", "draft", "pending", "private":
	default:
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": "rest_invalid_param", "message": "Invalid parameter(s): status",
			"data": map[string]any{"status": 400, "params": map[string]string{"status": "status is not one of publish, future, draft, pending, private."}}})
		return
	}
	if in.Title == "" && in.Content == "" && in.Excerpt == "" {
		writeError(w, http.StatusBadRequest, "empty_content", "Content, title, and excerpt are empty.")
		return
	}
	p := f.store(in)
	writeJSON(w, http.StatusCreated, f.postJSON(p))
}

// store keeps in as a new post; a slug already taken gets "-2", "-3"….
func (f *fakeWP) store(in newPost) fakePost {
	f.mu.Lock()
	defer f.mu.Unlock()
	slug := in.Slug
	for n := 2; f.slugTaken(slug); n++ {
		slug = fmt.Sprintf("%s-%d", in.Slug, n)
	}
	p := fakePost{ID: len(f.posts) + 101, Title: in.Title, Content: in.Content, Excerpt: in.Excerpt, Status: in.Status, Slug: slug}
	f.posts = append(f.posts, p)
	return p
}

func (f *fakeWP) slugTaken(slug string) bool {
	for _, p := range f.posts {
		if p.Slug == slug {
			return true
		}
	}
	return false
}

func (f *fakeWP) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("status") != "any" || q.Get("context") != "edit" {
		f.t.Errorf("fake: list query = %s, want status=any and context=edit", r.URL.RawQuery)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []any{}
	for _, p := range f.posts {
		if p.Slug == q.Get("slug") {
			out = append(out, f.postJSON(p))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (f *fakeWP) me(w http.ResponseWriter, r *http.Request) {
	u := map[string]any{"id": 7, "name": testUserName, "slug": testUser}
	if r.URL.Query().Get("context") == "edit" {
		u["username"] = testUser
		u["capabilities"] = map[string]bool{"read": true, "edit_posts": true, "publish_posts": f.canPublish}
	}
	writeJSON(w, http.StatusOK, u)
}

func (f *fakeWP) postJSON(p fakePost) map[string]any {
	return map[string]any{
		"id": p.ID, "slug": p.Slug, "status": p.Status, "link": fmt.Sprintf("%s/?p=%d", f.srv.URL, p.ID),
		"title":   map[string]string{"raw": p.Title, "rendered": p.Title},
		"content": map[string]any{"raw": p.Content, "rendered": p.Content, "protected": false},
		"excerpt": map[string]any{"raw": p.Excerpt, "rendered": p.Excerpt, "protected": false},
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"code": code, "message": message, "data": map[string]int{"status": status}})
}

func (f *fakeWP) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func (f *fakeWP) storedPosts() []fakePost {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakePost(nil), f.posts...)
}

// Answers of sites whose /wp-json/ is not the REST API.
var (
	serverNotFound = func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "<html><body><h1>404 Not Found</h1>nginx</body></html>")
	}
	restNoRoute = func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
	}
	canonicalRedirect = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", r.URL.Path+"/")
		w.WriteHeader(http.StatusMovedPermanently)
	}
)

var wantAuth = "Basic " + base64.StdEncoding.EncodeToString([]byte(testUser+":"+testPasswordPlain))

func newTestWP(t *testing.T, f *fakeWP, timeout time.Duration) *WordPress {
	t.Helper()
	// A transport per test keeps connections from leaking between tests.
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{}}
	w, err := New(Options{BaseURL: f.srv.URL + "/", Username: testUser, AppPassword: testPassword, Client: client, Now: testNow})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// testNow is 2026-01-15T03:00:00Z.
func testNow() time.Time { return time.Unix(1768446000, 0).UTC() }

// get answers GET /wp/v2/posts/{id} as WordPress does: the post with the
// fields plugins add, cut to _fields when asked, or 404 rest_post_invalid_id.
func (f *fakeWP) get(w http.ResponseWriter, r *http.Request, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.posts {
		if fmt.Sprint(p.ID) != id {
			continue
		}
		out := f.postJSON(p)
		for k, v := range p.Extra {
			out[k] = v
		}
		if want := r.URL.Query().Get("_fields"); want != "" {
			cut := map[string]any{}
			for _, k := range strings.Split(want, ",") {
				if v, ok := out[k]; ok {
					cut[k] = v
				}
			}
			out = cut
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	writeError(w, http.StatusNotFound, "rest_post_invalid_id", "Invalid post ID.")
}

// setExtra adds plugin fields to post id.
func (f *fakeWP) setExtra(id int, extra map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.posts {
		if f.posts[i].ID == id {
			f.posts[i].Extra = extra
		}
	}
}
