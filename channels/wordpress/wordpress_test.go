package wordpress

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loa-vn/loa/channels"
	"golang.org/x/text/unicode/norm"
)

const (
	testTitle = "Công khai thủ tục hành chính – Quý IV/2026"
	testSlug  = "cong-khai-thu-tuc-hanh-chinh-quy-iv-2026-loa16" // 42 in base 36 is "16"
	testBody  = `<p>Danh mục <strong>thủ tục</strong> &amp; "biểu mẫu" <a href="https://dichvucong.gov.vn" rel="nofollow noopener">tại đây</a>.</p>`
)

func testMessage() channels.Message {
	return channels.Message{
		DeliveryID: 42,
		PostID:     7,
		ChannelID:  3,
		Title:      testTitle,
		Summary:    "Tóm tắt: 12 thủ tục mới.",
		BodyHTML:   testBody,
		Attempt:    1,
	}
}

func decodeBody(t *testing.T, body []byte) newPost {
	t.Helper()
	var p newPost
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("request body %s: %v", body, err)
	}
	return p
}

func TestPublishCreatesPost(t *testing.T) {
	f := newFakeWP(t, nil)
	wp := newTestWP(t, f, time.Second)

	receipt, err := wp.Publish(context.Background(), testMessage())
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	want := channels.Receipt{ExternalID: "101", ExternalURL: f.srv.URL + "/?p=101", HTTPStatus: 201}
	if receipt != want {
		t.Errorf("receipt = %+v, want %+v", receipt, want)
	}
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.method != http.MethodPost || r.path != "/wp-json/wp/v2/posts" || len(r.query) != 0 {
		t.Errorf("request = %s %s?%s, want POST /wp-json/wp/v2/posts", r.method, r.path, r.query.Encode())
	}
	for name, want := range map[string]string{
		"Authorization": wantAuth,
		"Content-Type":  "application/json; charset=utf-8",
		"Accept":        "application/json",
		"User-Agent":    "Loa-WordPress/1",
	} {
		if got := r.header.Get(name); got != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
	wantBody := `{"title":"` + testTitle + `","content":"<p>Danh mục <strong>thủ tục</strong> &amp; \"biểu mẫu\" ` +
		`<a href=\"https://dichvucong.gov.vn\" rel=\"nofollow noopener\">tại đây</a>.</p>",` +
		`"excerpt":"Tóm tắt: 12 thủ tục mới.","status":"publish","slug":"` + testSlug + `"}`
	if string(r.body) != wantBody {
		t.Errorf("body =\n%s\nwant\n%s", r.body, wantBody)
	}
	posts := f.storedPosts()
	if len(posts) != 1 || posts[0].Title != testTitle || posts[0].Slug != testSlug || posts[0].Status != "publish" {
		t.Errorf("stored posts = %+v", posts)
	}
}

func TestPublishSendsNFC(t *testing.T) {
	f := newFakeWP(t, nil)
	wp := newTestWP(t, f, time.Second)
	msg := testMessage()
	msg.Title = norm.NFD.String("Đường dây nóng tiếp nhận phản ánh")
	msg.Summary = norm.NFD.String("Người dân gọi số 1022")
	msg.BodyHTML = norm.NFD.String("<p>Hỗ trợ 24/7</p>")
	if msg.Title == testNFC(msg.Title) {
		t.Fatal("test input is already NFC")
	}
	if _, err := wp.Publish(context.Background(), msg); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	got := decodeBody(t, f.requests()[0].body)
	want := newPost{
		Title:   "Đường dây nóng tiếp nhận phản ánh",
		Content: "<p>Hỗ trợ 24/7</p>",
		Excerpt: "Người dân gọi số 1022",
		Status:  "publish",
		Slug:    "duong-day-nong-tiep-nhan-phan-anh-loa16",
	}
	if got != want {
		t.Errorf("body = %+v, want %+v", got, want)
	}
	for _, s := range []string{got.Title, got.Content, got.Excerpt} {
		if !norm.NFC.IsNormalString(s) {
			t.Errorf("%q is not NFC", s)
		}
	}
}

func TestPublishEscapesAngleBracketsInPlainText(t *testing.T) {
	f := newFakeWP(t, nil)
	wp := newTestWP(t, f, time.Second)
	msg := testMessage()
	msg.Title = `Cảnh báo: tin nhắn "<script>alert(1)</script>" giả mạo & lừa đảo`
	msg.Summary = "Điểm < 5 > 3"
	if _, err := wp.Publish(context.Background(), msg); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	got := decodeBody(t, f.requests()[0].body)
	if want := `Cảnh báo: tin nhắn "&lt;script&gt;alert(1)&lt;/script&gt;" giả mạo & lừa đảo`; got.Title != want {
		t.Errorf("title = %q, want %q", got.Title, want)
	}
	if want := "Điểm &lt; 5 &gt; 3"; got.Excerpt != want {
		t.Errorf("excerpt = %q, want %q", got.Excerpt, want)
	}
	if want := "canh-bao-tin-nhan-script-alert-1-script-gia-mao-lua-dao-loa16"; got.Slug != want {
		t.Errorf("slug = %q, want %q", got.Slug, want)
	}
}

func testNFC(s string) string { return norm.NFC.String(s) }

func TestNFCHTMLKeepsMarkup(t *testing.T) {
	// NFC would turn ">" + U+0338 into "≯" and swallow the tag's end.
	in := "<p>a</p>\u0338b<\u0338i>" + norm.NFD.String("Hà Nội")
	want := "<p>a</p>\u0338b<\u0338i>Hà Nội"
	if got := nfcHTML(in); got != want {
		t.Errorf("nfcHTML = %q, want %q", got, want)
	}
}

func TestPublishFallsBackToRestRoute(t *testing.T) {
	tests := []struct {
		name   string
		answer http.HandlerFunc
	}{
		{name: "web server 404 page", answer: serverNotFound},
		{name: "rest_no_route", answer: restNoRoute},
		{name: "theme home page (plain permalinks)", answer: homePage},
		{name: "canonical redirect", answer: canonicalRedirect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeWP(t, func(f *fakeWP) { f.plainPermalinks = tt.answer })
			wp := newTestWP(t, f, time.Second)

			receipt, err := wp.Publish(context.Background(), testMessage())
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			if receipt.ExternalID != "101" || receipt.HTTPStatus != 201 {
				t.Errorf("receipt = %+v", receipt)
			}
			reqs := f.requests()
			if len(reqs) != 2 {
				t.Fatalf("got %d requests, want pretty then fallback", len(reqs))
			}
			if reqs[0].path != "/wp-json/wp/v2/posts" {
				t.Errorf("first path = %s", reqs[0].path)
			}
			assertFallback(t, reqs[1], http.MethodPost, "/wp/v2/posts")
			if string(reqs[0].body) != string(reqs[1].body) {
				t.Errorf("fallback body differs:\n%s\n%s", reqs[0].body, reqs[1].body)
			}
			if n := len(f.storedPosts()); n != 1 {
				t.Errorf("%d posts stored, want 1", n)
			}

			// The channel remembers the form that works.
			msg := testMessage()
			msg.DeliveryID = 43
			if _, err := wp.Publish(context.Background(), msg); err != nil {
				t.Fatalf("second Publish: %v", err)
			}
			if _, found, err := wp.Find(context.Background(), msg); err != nil || !found {
				t.Fatalf("Find = %v, %v", found, err)
			}
			reqs = f.requests()
			if len(reqs) != 4 {
				t.Fatalf("got %d requests, want 2 more straight to ?rest_route=", len(reqs))
			}
			assertFallback(t, reqs[2], http.MethodPost, "/wp/v2/posts")
			assertFallback(t, reqs[3], http.MethodGet, "/wp/v2/posts")
		})
	}
}

func assertFallback(t *testing.T, r recorded, method, route string) {
	t.Helper()
	if r.method != method || r.path != "/" || r.route != route {
		t.Errorf("request = %s %s rest_route=%q, want %s /?rest_route=%s", r.method, r.path, r.route, method, route)
	}
	if r.header.Get("Authorization") != wantAuth {
		t.Errorf("fallback lost the Authorization header")
	}
}

func TestPublishGoesBackToPrettyRoute(t *testing.T) {
	// A site that turns pretty permalinks on later still works: the
	// remembered form is tried first, the other one after.
	var queryBlocked atomic.Bool
	f := newFakeWP(t, func(f *fakeWP) {
		f.plainPermalinks = serverNotFound
		f.respond = func(f *fakeWP, w http.ResponseWriter, r *http.Request, route string, body []byte) bool {
			if queryBlocked.Load() && r.URL.Query().Has("rest_route") {
				serverNotFound(w, r) // e.g. a proxy that only passes /wp-json/
				return true
			}
			return false
		}
	})
	wp := newTestWP(t, f, time.Second)
	if _, err := wp.Publish(context.Background(), testMessage()); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	queryBlocked.Store(true)
	f.mu.Lock()
	f.plainPermalinks = nil
	f.mu.Unlock()
	msg := testMessage()
	msg.DeliveryID = 43
	if _, err := wp.Publish(context.Background(), msg); err != nil {
		t.Fatalf("second Publish: %v", err)
	}
	reqs := f.requests()
	if len(reqs) != 4 || !reqs[3].pretty {
		t.Fatalf("requests = %d, last pretty = %v; want the pretty form last", len(reqs), reqs[len(reqs)-1].pretty)
	}
}

func TestPublishNoAPI(t *testing.T) {
	tests := []struct {
		name     string
		answer   http.HandlerFunc
		wantText string
	}{
		{name: "404 pages", answer: serverNotFound, wantText: "gave HTTP 404 with a web page instead of JSON"},
		{name: "redirect to https", answer: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "https://xa.example.gov.vn/")
			w.WriteHeader(http.StatusMovedPermanently)
		}, wantText: "gave HTTP 301 redirecting to https://xa.example.gov.vn/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeWP(t, func(f *fakeWP) {
				f.plainPermalinks = tt.answer
				f.respond = func(_ *fakeWP, w http.ResponseWriter, r *http.Request, _ string, _ []byte) bool {
					tt.answer(w, r)
					return true
				}
			})
			wp := newTestWP(t, f, time.Second)
			_, err := wp.Publish(context.Background(), testMessage())
			ce := assertClass(t, err, channels.ClassPermanent)
			if !errors.Is(err, ErrNoAPI) {
				t.Errorf("error does not wrap ErrNoAPI: %v", err)
			}
			for _, part := range []string{f.srv.URL + "/wp-json/wp/v2/posts gave", f.srv.URL + "/?rest_route=/wp/v2/posts gave", tt.wantText, "check that base_url"} {
				if !strings.Contains(ce.Error(), part) {
					t.Errorf("error %q lacks %q", ce.Error(), part)
				}
			}
			if ce.NeedsReauth {
				t.Error("NeedsReauth set for a wrong address")
			}
		})
	}
}

func assertClass(t *testing.T, err error, want channels.Class) *channels.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("error = nil, want %s", want)
	}
	var ce *channels.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *channels.Error", err)
	}
	if ce.Class != want {
		t.Errorf("class = %s, want %s (%v)", ce.Class, want, err)
	}
	if strings.Contains(err.Error(), testPasswordPlain) || strings.Contains(err.Error(), "ijkl") {
		t.Errorf("error reveals the password: %v", err)
	}
	return ce
}

func respondWith(status int, header map[string]string, body string) func(*fakeWP, http.ResponseWriter, *http.Request, string, []byte) bool {
	return func(_ *fakeWP, w http.ResponseWriter, _ *http.Request, _ string, _ []byte) bool {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
		return true
	}
}

func wpError(status int, code, message string) string {
	b, _ := json.Marshal(map[string]any{"code": code, "message": message, "data": map[string]int{"status": status}})
	return string(b)
}

func TestPublishErrors(t *testing.T) {
	retryDate := testNow().Add(3 * time.Minute).Format(http.TimeFormat)
	tests := []struct {
		name           string
		status         int
		header         map[string]string
		body           string
		wantClass      channels.Class
		wantReauth     bool
		wantRetryAfter time.Duration
		wantText       []string
	}{
		{name: "400 rest_invalid_param", status: 400,
			body:      `{"code":"rest_invalid_param","message":"Invalid parameter(s): status","data":{"status":400,"params":{"status":"status is not one of publish, future."}}}`,
			wantClass: channels.ClassPermanent,
			wantText:  []string{"wordpress: HTTP 400 rest_invalid_param: Invalid parameter(s): status (status: status is not one of publish, future.)", "correct it"}},
		{name: "400 empty_content", status: 400, body: wpError(400, "empty_content", "Content, title, and excerpt are empty."),
			wantClass: channels.ClassPermanent, wantText: []string{"HTTP 400 empty_content: Content, title, and excerpt are empty."}},
		{name: "400 rest_invalid_json", status: 400, body: wpError(400, "rest_invalid_json", "Invalid JSON body passed."),
			wantClass: channels.ClassPermanent, wantText: []string{"HTTP 400 rest_invalid_json: Invalid JSON body passed."}},
		{name: "401 incorrect_password", status: 401,
			body:      wpError(401, "incorrect_password", "<strong>Error:</strong> The password you entered for the username <strong>bientap</strong> is incorrect."),
			wantClass: channels.ClassPermanent, wantReauth: true,
			wantText: []string{"HTTP 401 incorrect_password: Error: The password you entered for the username bientap is incorrect.", "Application Passwords"}},
		{name: "401 invalid_username", status: 401, body: wpError(401, "invalid_username", "Unknown username."),
			wantClass: channels.ClassPermanent, wantReauth: true, wantText: []string{"invalid_username"}},
		{name: "401 rest_cannot_create", status: 401, body: wpError(401, "rest_cannot_create", "Sorry, you are not allowed to create posts as this user."),
			wantClass: channels.ClassPermanent, wantReauth: true, wantText: []string{"rest_cannot_create"}},
		{name: "401 without JSON", status: 401, body: "Unauthorized",
			wantClass: channels.ClassPermanent, wantReauth: true, wantText: []string{"HTTP 401: Unauthorized"}},
		{name: "403 rest_cannot_create", status: 403, body: wpError(403, "rest_cannot_create", "Sorry, you are not allowed to create posts as this user."),
			wantClass: channels.ClassPermanent, wantReauth: true, wantText: []string{"HTTP 403 rest_cannot_create", "allowed to publish"}},
		{name: "403 firewall page", status: 403, body: "<html><body><h1>Access denied</h1></body></html>",
			wantClass: channels.ClassPermanent, wantText: []string{"HTTP 403: Access denied", "firewall"}},
		{name: "408", status: 408, body: "timeout", wantClass: channels.ClassRetryable, wantText: []string{"HTTP 408"}},
		{name: "429 Retry-After seconds", status: 429, header: map[string]string{"Retry-After": "120"}, body: "slow down",
			wantClass: channels.ClassRetryable, wantRetryAfter: 2 * time.Minute},
		{name: "503 Retry-After date", status: 503, header: map[string]string{"Retry-After": retryDate},
			body:      wpError(503, "maintenance", "Briefly unavailable for scheduled maintenance."),
			wantClass: channels.ClassRetryable, wantRetryAfter: 3 * time.Minute, wantText: []string{"HTTP 503 maintenance"}},
		{name: "500 PHP error page", status: 500, body: "<html><body><p>There has been a critical error on this website.</p></body></html>",
			wantClass: channels.ClassRetryable, wantText: []string{"HTTP 500: There has been a critical error on this website."}},
		{name: "413", status: 413, body: "<h1>413 Request Entity Too Large</h1>",
			wantClass: channels.ClassPermanent, wantText: []string{"HTTP 413", "shorten it"}},
		{name: "409 other API error", status: 409, body: wpError(409, "rest_conflict", "Conflict."),
			wantClass: channels.ClassPermanent, wantText: []string{"HTTP 409 rest_conflict: Conflict."}},
		{name: "201 malformed JSON", status: 201, body: `{"id":12,"link":`,
			wantClass: channels.ClassAmbiguous, wantText: []string{"HTTP 201 but the answer is not a post", "looks it up by its slug"}},
		{name: "201 without id", status: 201, body: `{"ok":true}`,
			wantClass: channels.ClassAmbiguous, wantText: []string{"not a post"}},
		{name: "200 cut-off JSON", status: 200, body: `{"id":12,"li`,
			wantClass: channels.ClassAmbiguous, wantText: []string{"HTTP 200 but the answer is not a post"}},
		{name: "201 with id zero", status: 201, body: `{"id":0}`, wantClass: channels.ClassAmbiguous},
		{name: "echoed password is redacted", status: 400, body: wpError(400, "rest_invalid_param", "bad value "+testPasswordPlain),
			wantClass: channels.ClassPermanent, wantText: []string{"bad value [redacted]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeWP(t, func(f *fakeWP) { f.respond = respondWith(tt.status, tt.header, tt.body) })
			wp := newTestWP(t, f, time.Second)
			receipt, err := wp.Publish(context.Background(), testMessage())
			if receipt != (channels.Receipt{}) {
				t.Errorf("receipt = %+v, want none", receipt)
			}
			ce := assertClass(t, err, tt.wantClass)
			if ce.HTTPStatus != tt.status {
				t.Errorf("HTTPStatus = %d, want %d", ce.HTTPStatus, tt.status)
			}
			if ce.NeedsReauth != tt.wantReauth {
				t.Errorf("NeedsReauth = %v, want %v", ce.NeedsReauth, tt.wantReauth)
			}
			if ce.RetryAfter != tt.wantRetryAfter {
				t.Errorf("RetryAfter = %s, want %s", ce.RetryAfter, tt.wantRetryAfter)
			}
			for _, part := range tt.wantText {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q lacks %q", err, part)
				}
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("%d requests, want 1 (an API answer needs no fallback)", n)
			}
		})
	}
}

func TestPublishSucceedsWith200Post(t *testing.T) {
	f := newFakeWP(t, func(f *fakeWP) { f.respond = respondWith(200, nil, `{"id":9007199254740993,"link":"https://x/?p=9"}`) })
	wp := newTestWP(t, f, time.Second)
	receipt, err := wp.Publish(context.Background(), testMessage())
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if receipt.ExternalID != "9007199254740993" || receipt.ExternalURL != "https://x/?p=9" || receipt.HTTPStatus != 200 {
		t.Errorf("receipt = %+v", receipt)
	}
}

func TestPublishRealFakeErrors(t *testing.T) {
	// The fake's own validation, reached with the adapter's real requests.
	tests := []struct {
		name       string
		password   string
		user       string
		msg        func(*channels.Message)
		wantClass  channels.Class
		wantReauth bool
		wantText   string
	}{
		{name: "wrong password", user: testUser, password: "ZZZZ EFGH ijkl MNOP qrst UV12",
			wantClass: channels.ClassPermanent, wantReauth: true, wantText: "incorrect_password"},
		{name: "unknown user", user: "khongco", password: testPassword,
			wantClass: channels.ClassPermanent, wantReauth: true, wantText: "invalid_username: Error: The username khongco is not registered"},
		{name: "empty post", user: testUser, password: testPassword,
			msg:       func(m *channels.Message) { m.Title, m.Summary, m.BodyHTML = "", "", "" },
			wantClass: channels.ClassPermanent, wantText: "empty_content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeWP(t, nil)
			wp, err := New(Options{BaseURL: f.srv.URL, Username: tt.user, AppPassword: tt.password,
				Client: &http.Client{Timeout: time.Second, Transport: &http.Transport{}}})
			if err != nil {
				t.Fatal(err)
			}
			defer wp.Close()
			msg := testMessage()
			if tt.msg != nil {
				tt.msg(&msg)
			}
			_, err = wp.Publish(context.Background(), msg)
			ce := assertClass(t, err, tt.wantClass)
			if ce.NeedsReauth != tt.wantReauth || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("NeedsReauth = %v, err = %v; want %v and %q", ce.NeedsReauth, err, tt.wantReauth, tt.wantText)
			}
			if len(f.storedPosts()) != 0 {
				t.Error("a post was stored")
			}
		})
	}
}

// createThenHang stores the post, then keeps the client waiting until it
// gives up: the post exists but the adapter never hears so.
func createThenHang(f *fakeWP, w http.ResponseWriter, r *http.Request, route string, body []byte) bool {
	if r.Method != http.MethodPost {
		return false
	}
	f.store(decodeBody(f.t, body))
	select {
	case <-r.Context().Done():
	case <-time.After(2 * time.Second):
	}
	return true
}

func TestTimeoutIsAmbiguousAndFindPreventsSecondPost(t *testing.T) {
	f := newFakeWP(t, func(f *fakeWP) { f.respond = createThenHang })
	wp := newTestWP(t, f, 100*time.Millisecond)
	msg := testMessage()

	_, err := wp.Publish(context.Background(), msg)
	assertClass(t, err, channels.ClassAmbiguous)

	// What the worker does next: Find before publishing again.
	msg.Attempt = 2
	receipt, found, err := wp.Find(context.Background(), msg)
	if err != nil || !found {
		t.Fatalf("Find = %v, %v; want found", found, err)
	}
	want := channels.Receipt{ExternalID: "101", ExternalURL: f.srv.URL + "/?p=101", HTTPStatus: 200}
	if receipt != want {
		t.Errorf("receipt = %+v, want %+v", receipt, want)
	}
	if posts := f.storedPosts(); len(posts) != 1 || posts[0].Slug != testSlug {
		t.Errorf("posts = %+v, want exactly one with slug %s", posts, testSlug)
	}
	reqs := f.requests()
	last := reqs[len(reqs)-1]
	if last.method != http.MethodGet || last.route != "/wp/v2/posts" || last.query.Get("slug") != testSlug ||
		last.query.Get("status") != "any" || last.query.Get("context") != "edit" || last.header.Get("Authorization") != wantAuth {
		t.Errorf("Find request = %s %s ?%s", last.method, last.path, last.query.Encode())
	}
}

func TestPublishTransportFailures(t *testing.T) {
	t.Run("context deadline after sending", func(t *testing.T) {
		f := newFakeWP(t, func(f *fakeWP) { f.respond = createThenHang })
		wp := newTestWP(t, f, 5*time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := wp.Publish(ctx, testMessage())
		assertClass(t, err, channels.ClassAmbiguous)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
		}
	})
	t.Run("connection refused is retryable", func(t *testing.T) {
		f := newFakeWP(t, nil)
		wp := newTestWP(t, f, time.Second)
		f.srv.Close()
		_, err := wp.Publish(context.Background(), testMessage())
		assertClass(t, err, channels.ClassRetryable)
	})
	t.Run("Find timeout is retryable", func(t *testing.T) {
		f := newFakeWP(t, func(f *fakeWP) {
			f.respond = func(_ *fakeWP, _ http.ResponseWriter, r *http.Request, _ string, _ []byte) bool {
				<-r.Context().Done()
				return true
			}
		})
		wp := newTestWP(t, f, 100*time.Millisecond)
		_, _, err := wp.Find(context.Background(), testMessage())
		assertClass(t, err, channels.ClassRetryable)
	})
}

func TestPublishRefusesMissingDeliveryID(t *testing.T) {
	f := newFakeWP(t, nil)
	wp := newTestWP(t, f, time.Second)
	msg := testMessage()
	msg.DeliveryID = 0
	_, err := wp.Publish(context.Background(), msg)
	assertClass(t, err, channels.ClassPermanent)
	_, _, err = wp.Find(context.Background(), msg)
	assertClass(t, err, channels.ClassPermanent)
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestPublishConcurrent(t *testing.T) {
	f := newFakeWP(t, func(f *fakeWP) { f.plainPermalinks = homePage })
	wp := newTestWP(t, f, 2*time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			msg := testMessage()
			msg.DeliveryID = int64(100 + i)
			if _, err := wp.Publish(context.Background(), msg); err != nil {
				errs <- fmt.Errorf("delivery %d: %w", msg.DeliveryID, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[string]bool{}
	for _, p := range f.storedPosts() {
		if seen[p.Slug] {
			t.Errorf("slug %s used twice", p.Slug)
		}
		seen[p.Slug] = true
	}
	if len(seen) != 8 {
		t.Errorf("%d posts, want 8", len(seen))
	}
}
