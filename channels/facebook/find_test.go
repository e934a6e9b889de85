package facebook

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/channels"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestFindNotFound(t *testing.T) {
	g := newFakeGraph(t)
	msg := testMessage()
	// Same text before the window, similar text inside it: neither is ours.
	g.addPost(wantDerivedText, msg.ScheduledAt.Add(-time.Hour))
	g.addPost(wantDerivedText+" (cập nhật)", testNow().Add(time.Minute))
	g.addPost(strings.TrimSuffix(wantDerivedText, "."), testNow().Add(2*time.Minute))
	f := newTestFacebook(t, g.srv.URL, time.Second, newClock())

	receipt, found, err := f.Find(context.Background(), msg)

	if err != nil || found || receipt != (channels.Receipt{}) {
		t.Fatalf("Find = %+v, found %v, err %v; want not found", receipt, found, err)
	}
	reqs := g.requests()
	if len(reqs) != 1 {
		t.Fatalf("fake got %d requests, want 1 (two posts fit one page)", len(reqs))
	}
	assertListRequest(t, reqs[0], "")
	if g.postCount() != 3 {
		t.Errorf("fake holds %d posts, want 3: Find must not post", g.postCount())
	}
}

func TestFindFollowsPaging(t *testing.T) {
	g := newFakeGraph(t)
	msg := testMessage()
	msg.Text = "Bài cần tìm"
	g.addPost("Bài cần tìm", testNow().Add(time.Minute)) // oldest: on the last page
	for i := range 4 {
		g.addPost("Bài khác "+strconv.Itoa(i), testNow().Add(time.Duration(2+i)*time.Minute))
	}
	f := newTestFacebook(t, g.srv.URL, time.Second, newClock())

	receipt, found, err := f.Find(context.Background(), msg)

	if err != nil || !found || receipt.ExternalID != testPage+"_900001" {
		t.Fatalf("Find = %+v, found %v, err %v; want %s_900001", receipt, found, err, testPage)
	}
	reqs := g.requests()
	if len(reqs) != 3 {
		t.Fatalf("fake got %d requests, want 3 pages", len(reqs))
	}
	for i, want := range []string{"", "2", "4"} {
		assertListRequest(t, reqs[i], want)
	}
}

func TestFindMessageThatCannotBeSent(t *testing.T) {
	g := newFakeGraph(t)
	f := newTestFacebook(t, g.srv.URL, time.Second, newClock())
	msg := testMessage()
	msg.Title, msg.Summary = "", ""

	_, found, err := f.Find(context.Background(), msg)

	if err != nil || found {
		t.Fatalf("Find = found %v, err %v; want not found: Publish never sends such a message", found, err)
	}
	if len(g.requests()) != 0 {
		t.Error("Find called Graph for a message Publish refuses")
	}
}

func TestFindFailures(t *testing.T) {
	tests := []struct {
		name       string
		fail       *graphFailure
		raw        *rawAnswer
		stall      bool
		wantClass  channels.Class
		wantReauth bool
		wantText   string
	}{
		{name: "token expired", fail: &graphFailure{400, 190, 463, "Session has expired"},
			wantClass: channels.ClassPermanent, wantReauth: true, wantText: "code 190, subcode 463"},
		{name: "throttled", fail: &graphFailure{403, 4, 0, "(#4) Application request limit reached"},
			wantClass: channels.ClassRetryable, wantText: "rate limit"},
		{name: "HTML 502", raw: &rawAnswer{status: 502, contentType: "text/html", body: "<html>Bad Gateway</html>"},
			wantClass: channels.ClassRetryable, wantText: "HTTP 502"},
		{name: "malformed JSON", raw: &rawAnswer{status: 200, body: `{"data":[{"id":`},
			wantClass: channels.ClassRetryable, wantText: "unexpected content"},
		// The GET's URL holds the token: net/http's error text must not reach us.
		{name: "timeout", stall: true, wantClass: channels.ClassRetryable, wantText: "GET posts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newFakeGraph(t)
			g.set(func(g *fakeGraph) { g.fail, g.raw, g.stall = tt.fail, tt.raw, tt.stall })
			f := newTestFacebook(t, g.srv.URL, 100*time.Millisecond, newClock())

			receipt, found, err := f.Find(context.Background(), testMessage())

			if found || receipt != (channels.Receipt{}) {
				t.Errorf("Find = %+v, found %v; want nothing", receipt, found)
			}
			ce := assertClass(t, err, tt.wantClass)
			if ce.NeedsReauth != tt.wantReauth {
				t.Errorf("NeedsReauth = %v, want %v", ce.NeedsReauth, tt.wantReauth)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantText)
			}
			if strings.Contains(err.Error(), "access_token") || strings.Contains(err.Error(), g.srv.URL) {
				t.Errorf("error = %q, want no request URL in it", err)
			}
			if len(g.requests()) != 1 {
				t.Errorf("fake got %d requests, want 1", len(g.requests()))
			}
		})
	}
}
