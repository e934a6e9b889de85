package facebook

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loa-vn/loa/channels"
)

const (
	testThrottleWait = 3 * time.Minute
	testLink         = "https://tanphu.gov.vn/tin-tuc/lich-tiep-cong-dan-2026"
	testImage        = "https://tanphu.gov.vn/uploads/lich-tiep.jpg"
)

func testMessage() channels.Message {
	return channels.Message{
		DeliveryID:     42,
		PostID:         7,
		ChannelID:      3,
		IdempotencyKey: "delivery-42",
		Title:          "Lịch tiếp công dân tháng 1/2026",
		Summary:        "UBND xã thông báo lịch tiếp công dân định kỳ.",
		BodyHTML:       "<p>Chi tiết</p>",
		Link:           testLink,
		ScheduledAt:    time.Date(2026, 1, 15, 10, 0, 0, 0, time.FixedZone("ICT", 7*3600)),
		Attempt:        1,
	}
}

const wantDerivedText = "Lịch tiếp công dân tháng 1/2026\n\nUBND xã thông báo lịch tiếp công dân định kỳ."

func newTestFacebook(t *testing.T, baseURL string, timeout time.Duration, c *clock) *Facebook {
	t.Helper()
	// A transport per test keeps connections from leaking between tests.
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{}}
	f, err := New(Options{
		PageID: testPage, PageToken: testToken, APIVersion: testVersion, BaseURL: baseURL,
		Client: client, Now: c.Now, ThrottleWait: testThrottleWait,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// onlyRequest returns the single request the fake received.
func onlyRequest(t *testing.T, g *fakeGraph) recorded {
	t.Helper()
	reqs := g.requests()
	if len(reqs) != 1 {
		t.Fatalf("fake got %d requests, want 1: %+v", len(reqs), reqs)
	}
	return reqs[0]
}

func assertForm(t *testing.T, got recorded, wantPath string, want url.Values) {
	t.Helper()
	if got.method != http.MethodPost || got.path != wantPath {
		t.Errorf("request = %s %s, want POST %s", got.method, got.path, wantPath)
	}
	if len(got.query) != 0 {
		t.Errorf("POST query = %v, want none", got.query)
	}
	want.Set("access_token", testToken)
	if got.form.Encode() != want.Encode() {
		t.Errorf("form =\n%v\nwant\n%v", got.form, want)
	}
}

// assertClass checks err is a *channels.Error of class want that names the
// package and does not leak the token.
func assertClass(t *testing.T, err error, want channels.Class) *channels.Error {
	t.Helper()
	var ce *channels.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error = %v (%T), want *channels.Error", err, err)
	}
	if ce.Class != want {
		t.Errorf("class = %s, want %s (error: %v)", ce.Class, want, err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("error text contains the token: %v", err)
	}
	if !strings.Contains(err.Error(), "facebook: ") {
		t.Errorf("error = %q, want the facebook: prefix", err)
	}
	return ce
}

func TestPublishFeed(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(*channels.Message)
		wantForm url.Values
	}{
		{name: "title and summary with link", edit: func(*channels.Message) {},
			wantForm: url.Values{"message": {wantDerivedText}, "link": {testLink}}},
		{name: "channel text wins, trimmed and NFC",
			edit:     func(m *channels.Message) { m.Text = "  Mời bà con đến dự.\n" + "Cha\u0300o\n" },
			wantForm: url.Values{"message": {"Mời bà con đến dự.\nChào"}, "link": {testLink}}},
		{name: "no link", edit: func(m *channels.Message) { m.Link = "" },
			wantForm: url.Values{"message": {wantDerivedText}}},
		{name: "title only", edit: func(m *channels.Message) { m.Summary = "" },
			wantForm: url.Values{"message": {"Lịch tiếp công dân tháng 1/2026"}, "link": {testLink}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newFakeGraph(t)
			f := newTestFacebook(t, g.srv.URL, time.Second, newClock())
			msg := testMessage()
			tt.edit(&msg)

			receipt, err := f.Publish(context.Background(), msg)

			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			assertForm(t, onlyRequest(t, g), "/v25.0/"+testPage+"/feed", tt.wantForm)
			want := channels.Receipt{ExternalID: testPage + "_900001", ExternalURL: "https://www.facebook.com/" + testPage + "_900001", HTTPStatus: 200}
			if receipt != want {
				t.Errorf("receipt = %+v, want %+v", receipt, want)
			}
		})
	}
}

func TestPublishPhoto(t *testing.T) {
	tests := []struct {
		name        string
		text        string
		link        string
		wantMessage string
	}{
		{name: "link appended to caption", link: testLink, wantMessage: wantDerivedText + "\n\n" + testLink},
		{name: "link already in text", text: "Xem lịch tại " + testLink, link: testLink, wantMessage: "Xem lịch tại " + testLink},
		{name: "no link", wantMessage: wantDerivedText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newFakeGraph(t)
			f := newTestFacebook(t, g.srv.URL, time.Second, newClock())
			msg := testMessage()
			msg.Text, msg.Link, msg.ImageURL = tt.text, tt.link, testImage

			receipt, err := f.Publish(context.Background(), msg)

			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			assertForm(t, onlyRequest(t, g), "/v25.0/"+testPage+"/photos", url.Values{"message": {tt.wantMessage}, "url": {testImage}})
			// The receipt names the post, not the photo object.
			want := channels.Receipt{ExternalID: testPage + "_900001", ExternalURL: "https://www.facebook.com/" + testPage + "_900001", HTTPStatus: 200}
			if receipt != want {
				t.Errorf("receipt = %+v, want %+v", receipt, want)
			}
		})
	}
}

func TestPublishGraphErrors(t *testing.T) {
	tests := []struct {
		name           string
		fail           graphFailure
		wantClass      channels.Class
		wantRetryAfter time.Duration
		wantReauth     bool
		wantText       []string
	}{
		{name: "1 unknown error", fail: graphFailure{500, 1, 0, "An unknown error occurred"},
			wantClass: channels.ClassRetryable, wantText: []string{"temporarily unavailable", "code 1"}},
		{name: "2 service unavailable", fail: graphFailure{503, 2, 0, "Service temporarily unavailable"},
			wantClass: channels.ClassRetryable, wantText: []string{"code 2"}},
		{name: "4 app rate limit", fail: graphFailure{403, 4, 0, "(#4) Application request limit reached"},
			wantClass: channels.ClassRetryable, wantRetryAfter: testThrottleWait, wantText: []string{"rate limit", "code 4", "retry in 3m0s"}},
		{name: "17 user rate limit", fail: graphFailure{403, 17, 0, "(#17) User request limit reached"},
			wantClass: channels.ClassRetryable, wantRetryAfter: testThrottleWait, wantText: []string{"code 17"}},
		{name: "32 page rate limit", fail: graphFailure{403, 32, 0, "(#32) Page request limit reached"},
			wantClass: channels.ClassRetryable, wantRetryAfter: testThrottleWait, wantText: []string{"code 32"}},
		{name: "341 feed action limit", fail: graphFailure{400, 341, 0, "(#341) Feed action request limit reached"},
			wantClass: channels.ClassRetryable, wantRetryAfter: testThrottleWait},
		{name: "613 custom rate limit", fail: graphFailure{400, 613, 0, "Calls to this api have exceeded the rate limit."},
			wantClass: channels.ClassRetryable, wantRetryAfter: testThrottleWait},
		{name: "80001 pages rate limit", fail: graphFailure{400, 80001, 0, "There have been too many calls to this Page account."},
			wantClass: channels.ClassRetryable, wantRetryAfter: testThrottleWait},
		{name: "368 policy block", fail: graphFailure{400, 368, 1390008, "It looks like you were misusing this feature"},
			wantClass: channels.ClassRetryable, wantRetryAfter: 6 * time.Hour, wantText: []string{"policy", "code 368, subcode 1390008"}},
		{name: "190/460 password changed", fail: graphFailure{400, 190, 460, "Error validating access token: The session has been invalidated because the user changed their password"},
			wantClass: channels.ClassPermanent, wantReauth: true, wantText: []string{"page token is invalid or expired", "code 190, subcode 460", "re-authorise"}},
		{name: "190/463 expired", fail: graphFailure{400, 190, 463, "Error validating access token: Session has expired"},
			wantClass: channels.ClassPermanent, wantReauth: true, wantText: []string{"code 190, subcode 463", "fbtrace_id AbCdEfTrace"}},
		{name: "102 session key", fail: graphFailure{400, 102, 0, "Session key invalid or no longer valid"},
			wantClass: channels.ClassPermanent, wantReauth: true, wantText: []string{"code 102"}},
		{name: "3 capability", fail: graphFailure{400, 3, 0, "Application does not have the capability to make this API call."},
			wantClass: channels.ClassPermanent, wantText: []string{"lacks a permission", "code 3"}},
		{name: "10 permission denied", fail: graphFailure{403, 10, 0, "(#10) Application does not have permission for this action"},
			wantClass: channels.ClassPermanent, wantText: []string{"lacks a permission", "pages_manage_posts"}},
		{name: "200 permission", fail: graphFailure{403, 200, 0, "(#200) The user hasn't authorized the application to perform this action"},
			wantClass: channels.ClassPermanent, wantText: []string{"lacks a permission", "code 200"}},
		{name: "299 permission", fail: graphFailure{403, 299, 0, "(#299) Requires pages_manage_posts"},
			wantClass: channels.ClassPermanent, wantText: []string{"lacks a permission"}},
		{name: "100 bad parameter", fail: graphFailure{400, 100, 0, "(#100) The link parameter is not a valid URL"},
			wantClass: channels.ClassPermanent, wantText: []string{"rejected a parameter", "The link parameter is not a valid URL"}},
		{name: "506 duplicate", fail: graphFailure{400, 506, 0, "Duplicate status message"},
			wantClass: channels.ClassPermanent, wantText: []string{"duplicate post", "change the text"}},
		{name: "9999 unknown", fail: graphFailure{400, 9999, 77, "Something new"},
			wantClass: channels.ClassPermanent, wantText: []string{"Graph error code 9999, subcode 77", "Something new"}},
		{name: "message echoing the token is redacted", fail: graphFailure{400, 190, 0, "Malformed access token " + testToken},
			wantClass: channels.ClassPermanent, wantReauth: true, wantText: []string{"[redacted]"}},
		{name: "envelope on HTTP 200", fail: graphFailure{200, 100, 0, "(#100) Invalid parameter"},
			wantClass: channels.ClassPermanent, wantText: []string{"code 100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newFakeGraph(t)
			g.set(func(g *fakeGraph) { g.fail = &tt.fail })
			f := newTestFacebook(t, g.srv.URL, time.Second, newClock())

			receipt, err := f.Publish(context.Background(), testMessage())

			onlyRequest(t, g)
			ce := assertClass(t, err, tt.wantClass)
			if receipt != (channels.Receipt{}) {
				t.Errorf("receipt = %+v, want zero on failure", receipt)
			}
			if ce.HTTPStatus != tt.fail.status {
				t.Errorf("HTTPStatus = %d, want %d", ce.HTTPStatus, tt.fail.status)
			}
			if ce.RetryAfter != tt.wantRetryAfter {
				t.Errorf("RetryAfter = %s, want %s", ce.RetryAfter, tt.wantRetryAfter)
			}
			if ce.NeedsReauth != tt.wantReauth {
				t.Errorf("NeedsReauth = %v, want %v", ce.NeedsReauth, tt.wantReauth)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error = %q, want it to contain %q", err, s)
				}
			}
		})
	}
}

func TestPublishThrottledPausesLaterPublishes(t *testing.T) {
	for _, tt := range []struct {
		name     string
		fail     graphFailure
		wantWait time.Duration
	}{
		{name: "rate limit", fail: graphFailure{403, 32, 0, "(#32) Page request limit reached"}, wantWait: testThrottleWait},
		{name: "policy block", fail: graphFailure{400, 368, 0, "Temporarily blocked"}, wantWait: 6 * time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := newFakeGraph(t)
			g.set(func(g *fakeGraph) { g.fail = &tt.fail })
			c := newClock()
			f := newTestFacebook(t, g.srv.URL, time.Second, c)
			f.Publish(context.Background(), testMessage())
			c.Advance(time.Minute)

			_, err := f.Publish(context.Background(), testMessage())

			ce := assertClass(t, err, channels.ClassRetryable)
			if ce.RetryAfter != tt.wantWait-time.Minute {
				t.Errorf("RetryAfter = %s, want %s", ce.RetryAfter, tt.wantWait-time.Minute)
			}
			if n := len(g.requests()); n != 1 {
				t.Errorf("fake got %d requests, want 1 (the second Publish must not call Graph)", n)
			}
		})
	}
}

func TestPublishUsageHeaders(t *testing.T) {
	tests := []struct {
		name       string
		headers    map[string]string
		fail       *graphFailure
		wantErr    bool
		wantPaused time.Duration // after the first Publish; zero: not paused
	}{
		{name: "app usage at 100 on success",
			headers:    map[string]string{"X-App-Usage": `{"call_count":100,"total_cputime":12,"total_time":30}`},
			wantPaused: testThrottleWait},
		{name: "app cpu time over 100 on success",
			headers:    map[string]string{"X-App-Usage": `{"call_count":5,"total_cputime":104,"total_time":30}`},
			wantPaused: testThrottleWait},
		{name: "business usage regain estimate on success",
			headers:    map[string]string{"X-Business-Use-Case-Usage": `{"` + testPage + `":[{"type":"pages","call_count":87,"total_cputime":4,"total_time":6,"estimated_time_to_regain_access":12}]}`},
			wantPaused: 12 * time.Minute},
		{name: "regain estimate sets RetryAfter of a throttled error",
			headers:    map[string]string{"X-Business-Use-Case-Usage": `{"` + testPage + `":[{"type":"pages","call_count":100,"total_cputime":4,"total_time":6,"estimated_time_to_regain_access":7}]}`},
			fail:       &graphFailure{400, 80001, 0, "There have been too many calls to this Page account."},
			wantErr:    true,
			wantPaused: 7 * time.Minute},
		{name: "usage below 100 does not pause",
			headers: map[string]string{"X-App-Usage": `{"call_count":99,"total_cputime":99,"total_time":99}`,
				"X-Business-Use-Case-Usage": `{"` + testPage + `":[{"type":"pages","call_count":99,"estimated_time_to_regain_access":0}]}`}},
		{name: "malformed headers are ignored",
			headers: map[string]string{"X-App-Usage": `{"call_count":"lots"`, "X-Business-Use-Case-Usage": `[1,2,3]`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newFakeGraph(t)
			g.set(func(g *fakeGraph) { g.headers, g.fail = tt.headers, tt.fail })
			c := newClock()
			f := newTestFacebook(t, g.srv.URL, time.Second, c)

			_, err := f.Publish(context.Background(), testMessage())
			if (err != nil) != tt.wantErr {
				t.Fatalf("first Publish error = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				if ce := assertClass(t, err, channels.ClassRetryable); ce.RetryAfter != tt.wantPaused {
					t.Errorf("RetryAfter = %s, want %s", ce.RetryAfter, tt.wantPaused)
				}
			}
			g.set(func(g *fakeGraph) { g.headers, g.fail = nil, nil })
			c.Advance(30 * time.Second)

			_, err = f.Publish(context.Background(), testMessage())

			if tt.wantPaused == 0 {
				if err != nil || len(g.requests()) != 2 {
					t.Fatalf("second Publish: %v after %d requests, want success with 2", err, len(g.requests()))
				}
				return
			}
			ce := assertClass(t, err, channels.ClassRetryable)
			if want := tt.wantPaused - 30*time.Second; ce.RetryAfter != want {
				t.Errorf("RetryAfter = %s, want %s", ce.RetryAfter, want)
			}
			if !strings.Contains(err.Error(), "paused") {
				t.Errorf("error = %q, want it to say publishing is paused", err)
			}
			if n := len(g.requests()); n != 1 {
				t.Fatalf("fake got %d requests, want 1: the paused Publish must not call Graph", n)
			}
			// Once the pause is over, Publish calls Graph again.
			c.Advance(tt.wantPaused)
			if _, err := f.Publish(context.Background(), testMessage()); err != nil {
				t.Errorf("Publish after the pause: %v", err)
			}
		})
	}
}

func TestPublishConcurrentWithPause(t *testing.T) {
	g := newFakeGraph(t)
	g.set(func(g *fakeGraph) { g.headers = map[string]string{"X-App-Usage": `{"call_count":100}`} })
	f := newTestFacebook(t, g.srv.URL, time.Second, newClock())
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := f.Publish(context.Background(), testMessage())
			if err != nil && channels.ClassOf(err) != channels.ClassRetryable {
				t.Errorf("Publish: %v", err)
			}
		})
	}
	wg.Wait()
	// Later calls are refused locally whatever the interleaving above.
	before := len(g.requests())
	if _, err := f.Publish(context.Background(), testMessage()); channels.ClassOf(err) != channels.ClassRetryable {
		t.Errorf("Publish after usage at 100%%: %v, want retryable", err)
	}
	if len(g.requests()) != before {
		t.Error("paused Publish called Graph")
	}
}

func TestPublishMalformedAnswers(t *testing.T) {
	html502 := "<html><head><title>502 Bad Gateway</title></head>\r\n<body><h1>Bad Gateway</h1></body></html>"
	tests := []struct {
		name       string
		raw        rawAnswer
		wantClass  channels.Class
		wantText   []string
		wantStatus int
	}{
		{name: "HTML 502 page", raw: rawAnswer{status: 502, contentType: "text/html", body: html502},
			wantClass: channels.ClassRetryable, wantStatus: 502, wantText: []string{"HTTP 502 without a Graph error", "502 Bad Gateway"}},
		{name: "empty 503", raw: rawAnswer{status: 503},
			wantClass: channels.ClassRetryable, wantStatus: 503, wantText: []string{"HTTP 503", "empty body"}},
		{name: "truncated JSON on 200", raw: rawAnswer{status: 200, contentType: "application/json", body: `{"id":"1048`},
			wantClass: channels.ClassAmbiguous, wantStatus: 200, wantText: []string{"not with the created post's JSON", "probably created"}},
		{name: "HTML on 200", raw: rawAnswer{status: 200, contentType: "text/html", body: "<html>ok</html>"},
			wantClass: channels.ClassAmbiguous, wantStatus: 200, wantText: []string{"<html>ok</html>"}},
		{name: "JSON without id on 200", raw: rawAnswer{status: 200, body: `{"success":true}`},
			wantClass: channels.ClassAmbiguous, wantStatus: 200, wantText: []string{"without a post id"}},
		{name: "JSON error envelope with wrong types", raw: rawAnswer{status: 400, body: `{"error":{"code":"190"}}`},
			wantClass: channels.ClassPermanent, wantStatus: 400, wantText: []string{"HTTP 400 without a Graph error", "api_base_url"}},
		{name: "404 text", raw: rawAnswer{status: 404, body: "not found"},
			wantClass: channels.ClassPermanent, wantStatus: 404, wantText: []string{"HTTP 404"}},
		{name: "redirect is not followed", raw: rawAnswer{status: 302, header: map[string]string{"Location": "https://elsewhere.example/"}},
			wantClass: channels.ClassPermanent, wantStatus: 302, wantText: []string{"HTTP 302"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newFakeGraph(t)
			g.set(func(g *fakeGraph) { g.raw = &tt.raw })
			f := newTestFacebook(t, g.srv.URL, time.Second, newClock())

			_, err := f.Publish(context.Background(), testMessage())

			onlyRequest(t, g)
			ce := assertClass(t, err, tt.wantClass)
			if ce.HTTPStatus != tt.wantStatus {
				t.Errorf("HTTPStatus = %d, want %d", ce.HTTPStatus, tt.wantStatus)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error = %q, want it to contain %q", err, s)
				}
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error = %q, want one line", err)
			}
		})
	}
}

func TestPublishRefusesBeforeSending(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(*channels.Message)
		wantText string
	}{
		{name: "no text at all", edit: func(m *channels.Message) { m.Title, m.Summary, m.Text = "", " ", "\n" }, wantText: "no text"},
		{name: "over the limit", edit: func(m *channels.Message) { m.Text = strings.Repeat("ệ", MaxMessageRunes+1) }, wantText: "63207 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newFakeGraph(t)
			f := newTestFacebook(t, g.srv.URL, time.Second, newClock())
			msg := testMessage()
			tt.edit(&msg)

			_, err := f.Publish(context.Background(), msg)

			assertClass(t, err, channels.ClassPermanent)
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error = %q, want %q", err, tt.wantText)
			}
			if n := len(g.requests()); n != 0 {
				t.Errorf("fake got %d requests, want 0", n)
			}
		})
	}
}

func TestPublishTransportFailures(t *testing.T) {
	t.Run("connection refused is retryable", func(t *testing.T) {
		closed := httptest.NewServer(http.NotFoundHandler())
		closed.Close()
		f := newTestFacebook(t, closed.URL, time.Second, newClock())

		_, err := f.Publish(context.Background(), testMessage())

		assertClass(t, err, channels.ClassRetryable)
	})
	t.Run("cancelled before sending is retryable", func(t *testing.T) {
		g := newFakeGraph(t)
		f := newTestFacebook(t, g.srv.URL, time.Second, newClock())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()

		_, err := f.Publish(ctx, testMessage())

		assertClass(t, err, channels.ClassRetryable)
		if len(g.requests()) != 0 {
			t.Error("a cancelled Publish reached Graph")
		}
	})
	t.Run("context deadline after sending is ambiguous", func(t *testing.T) {
		g := newFakeGraph(t)
		g.set(func(g *fakeGraph) { g.hang = true })
		f := newTestFacebook(t, g.srv.URL, 5*time.Second, newClock())
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()

		_, err := f.Publish(ctx, testMessage())

		assertClass(t, err, channels.ClassAmbiguous)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error = %v, want it to wrap context.DeadlineExceeded", err)
		}
	})
}

// TestTimeoutThenFind is the worker's path after a timeout: Publish is
// ambiguous, Find sees the post that did land, so nothing is posted twice.
func TestTimeoutThenFind(t *testing.T) {
	for _, photo := range []bool{false, true} {
		name := map[bool]string{false: "feed", true: "photo"}[photo]
		t.Run(name, func(t *testing.T) {
			g := newFakeGraph(t)
			g.set(func(g *fakeGraph) { g.hang = true })
			f := newTestFacebook(t, g.srv.URL, 100*time.Millisecond, newClock())
			msg := testMessage()
			if photo {
				msg.ImageURL = testImage
			}

			_, err := f.Publish(context.Background(), msg)

			ce := assertClass(t, err, channels.ClassAmbiguous)
			if ce.HTTPStatus != 0 {
				t.Errorf("HTTPStatus = %d, want 0 without an answer", ce.HTTPStatus)
			}
			// Someone else's post and an older identical one must not match.
			g.addPost("Thông báo khác", testNow().Add(2*time.Minute))
			g.addPost(buildPost(msg).message, msg.ScheduledAt.Add(-11*time.Minute))
			g.set(func(g *fakeGraph) { g.hang = false })

			receipt, found, err := f.Find(context.Background(), msg)

			if err != nil || !found {
				t.Fatalf("Find = found %v, err %v; want the post that landed", found, err)
			}
			want := channels.Receipt{ExternalID: testPage + "_900001", ExternalURL: "https://www.facebook.com/" + testPage + "_900001", HTTPStatus: 200}
			if receipt != want {
				t.Errorf("receipt = %+v, want %+v", receipt, want)
			}
			if g.postCount() != 3 {
				t.Errorf("fake holds %d posts, want 3: Find must not post", g.postCount())
			}
			reqs := g.requests()
			assertListRequest(t, reqs[len(reqs)-1], "")
		})
	}
}

func assertListRequest(t *testing.T, got recorded, wantAfter string) {
	t.Helper()
	if got.method != http.MethodGet || got.path != "/v25.0/"+testPage+"/posts" {
		t.Errorf("request = %s %s, want GET /v25.0/%s/posts", got.method, got.path, testPage)
	}
	// 10:00 ICT minus 10 minutes = 02:50Z.
	since := time.Date(2026, 1, 15, 2, 50, 0, 0, time.UTC).Unix()
	want := url.Values{
		"fields":       {"id,message,created_time"},
		"since":        {itoa(since)},
		"limit":        {"25"},
		"access_token": {testToken},
	}
	if wantAfter != "" {
		want.Set("after", wantAfter)
	}
	if got.query.Encode() != want.Encode() {
		t.Errorf("query =\n%v\nwant\n%v", got.query, want)
	}
}
