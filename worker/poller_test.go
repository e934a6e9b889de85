package worker_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loa-vn/loa/internal/logbuf"
	"github.com/loa-vn/loa/outbound"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/sources"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/worker"
)

// govFeed is a provincial portal's feed as such portals write them: padded
// titles and links, CDATA with an image link before the summary, +0700
// dates, a relative link, guid equal to the link or missing.
func govFeed(items int, now time.Time) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>  Cổng Dịch vụ công tỉnh – Thủ tục hành chính  </title><link>https://dichvucong.tinh.gov.vn/</link>`)
	zone := time.FixedZone("+0700", 7*3600)
	for i := items; i >= 1; i-- {
		link := fmt.Sprintf("https://dichvucong.tinh.gov.vn/tthc/%d.html", i)
		guid := "<guid>" + link + "</guid>"
		if i == 2 {
			link, guid = fmt.Sprintf("/tthc/%d.html", i), ""
		}
		fmt.Fprintf(&b, `<item>
  <title>
      Thủ tục số %d: Cấp giấy phép xây dựng (mã 1.00%d612.000.00.00.H01)
  </title>
  <link>
      %s
  </link>
  <description><![CDATA[<a href="%s"><img src="/images/tthc%d.jpg"></a> Quyết định công bố thủ tục hành chính mới số %d.]]></description>
  <pubDate>%s</pubDate>
  %s
</item>`, i, i, link, link, i, i, now.Add(-time.Duration(items-i+1)*time.Hour).In(zone).Format("Mon, 02 Jan 2006 15:04:05 -0700"), guid)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// feedServer serves govFeed with an ETag, answering 304 when it matches.
type feedServer struct {
	mu    sync.Mutex
	body  string
	hits  int
	srv   *httptest.Server
	fixed func(w http.ResponseWriter, r *http.Request) // overrides the feed (broken feeds)
}

func newFeedServer(t *testing.T, body string) *feedServer {
	f := &feedServer{body: body}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.hits++
		body, fixed := f.body, f.fixed
		f.mu.Unlock()
		if fixed != nil {
			fixed(w, r)
			return
		}
		etag := fmt.Sprintf(`"%x"`, len(body))
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		io.WriteString(w, body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *feedServer) set(body string) { f.mu.Lock(); f.body = body; f.mu.Unlock() }

func (h *harness) source(t *testing.T, url, mode, digest string, chID, author int64) storage.Source {
	t.Helper()
	src := storage.Source{Name: "TTHC tỉnh", URL: url, PollEvery: 900, Mode: mode,
		Targets: storage.Targets{ChannelIDs: []int64{chID}}, DigestRule: digest, MaxAgeDays: 30, CreatedBy: author}
	if err := h.store.CreateSource(context.Background(), &src, "test"); err != nil {
		t.Fatal(err)
	}
	return src
}

func (h *harness) pollNow(t *testing.T, p *testPoller, id int64) storage.SourcePoll {
	t.Helper()
	src, err := h.store.ClaimSource(context.Background(), id, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	poll, err := p.Poll(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return poll
}

func (h *harness) sourcePosts(t *testing.T, id int64) []storage.Post {
	t.Helper()
	posts, err := h.store.ListPosts(context.Background(), storage.PostFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []storage.Post
	for _, p := range posts {
		if p.SourceID != nil && *p.SourceID == id {
			out = append(out, p)
		}
	}
	return out
}

// testPoller is the poller's loop and the service it calls.
type testPoller struct {
	*worker.Poller
	*publishing.Service
}

func newPoller(h *harness, enq publishing.Scheduler, timeout time.Duration, now func() time.Time) *testPoller {
	return newPollerLogging(h, enq, timeout, now, io.Discard)
}

func newPollerLogging(h *harness, enq publishing.Scheduler, timeout time.Duration, now func() time.Time, log io.Writer) *testPoller {
	zone, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	f := sources.NewFetcher(sources.FetcherOptions{Timeout: timeout, MaxBytes: 1 << 20, Client: h.guard.Client(0)})
	logger := slog.New(slog.NewTextHandler(log, nil))
	pub := publishing.New(publishing.Options{Store: h.store, Scheduler: enq, Fetcher: f, Location: zone, Logger: logger, Now: now})
	return &testPoller{Poller: worker.NewPoller(h.store, pub, logger), Service: pub}
}

func TestFeedPolledThreeTimes(t *testing.T) {
	for _, mode := range []string{storage.SourceReview, storage.SourceAuto} {
		t.Run(mode, func(t *testing.T) {
			h := newHarness(t)
			ch := h.channel("webhook", map[string]string{"url": "https://example.org", "secret": secret})
			author := storage.User{Name: "Biên tập", Role: storage.RoleEditor}
			h.store.CreateUser(context.Background(), &author, "test")
			now := time.Now()
			feed := newFeedServer(t, govFeed(3, now))
			src := h.source(t, feed.srv.URL+"/rss/tthc.rss", mode, "", ch.ID, author.ID)
			enq := &countingEnqueuer{}
			p := newPoller(h, enq, 5*time.Second, time.Now)

			first := h.pollNow(t, p, src.ID)
			second := h.pollNow(t, p, src.ID)
			feed.set(govFeed(4, now))
			third := h.pollNow(t, p, src.ID)
			got := fmt.Sprintf("%s %d/%d, %s %d/%d, %s %d/%d", first.Outcome, first.ItemsNew, first.ItemsSeen,
				second.Outcome, second.ItemsNew, second.ItemsSeen, third.Outcome, third.ItemsNew, third.ItemsSeen)
			if want := "ok 3/3, not_modified 0/0, ok 1/4"; got != want {
				t.Fatalf("polls = %s, want %s", got, want)
			}
			posts := h.sourcePosts(t, src.ID)
			if len(posts) != 4 {
				t.Fatalf("%d posts for 4 items", len(posts))
			}
			titles := map[string]bool{}
			for _, post := range posts {
				titles[post.Title] = true
				wantStatus := storage.PostPendingApproval
				if mode == storage.SourceAuto {
					wantStatus = storage.PostScheduled
				}
				if post.Status != wantStatus {
					t.Errorf("post %q is %s in %s mode", post.Title, post.Status, mode)
				}
				if strings.Contains(post.Title, "\n") || strings.HasPrefix(post.Title, " ") {
					t.Errorf("title kept the feed's padding: %q", post.Title)
				}
			}
			if !titles["Thủ tục số 2: Cấp giấy phép xây dựng (mã 1.002612.000.00.00.H01)"] || len(titles) != 4 {
				t.Errorf("titles = %v", titles)
			}
			for _, post := range posts {
				if strings.HasPrefix(post.Title, "Thủ tục số 2") && post.Link != feed.srv.URL+"/tthc/2.html" {
					t.Errorf("relative link resolved to %q", post.Link)
				}
			}
			queued := len(enq.ids)
			if mode == storage.SourceAuto && queued != 4 || mode == storage.SourceReview && queued != 0 {
				t.Errorf("%s mode queued %d deliveries", mode, queued)
			}
		})
	}
}

func TestWeeklyDigestListsTheWeeksItems(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	ch := h.channel("webhook", map[string]string{"url": "https://example.org", "secret": secret})
	author := storage.User{Name: "Biên tập", Role: storage.RoleEditor}
	h.store.CreateUser(ctx, &author, "test")
	feed := newFeedServer(t, govFeed(3, time.Now()))
	src := h.source(t, feed.srv.URL, storage.SourceAuto, "FREQ=WEEKLY;BYDAY=FR;BYHOUR=16;BYMINUTE=0", ch.ID, author.ID)
	enq := &countingEnqueuer{}
	h.pollNow(t, newPoller(h, enq, 5*time.Second, time.Now), src.ID)

	// Let the clock pass the next Friday 16:00 in Hà Nội.
	zone, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	next := time.Now().In(zone)
	for next.Weekday() != time.Friday || next.Hour() >= 16 {
		next = next.Add(time.Hour)
	}
	friday := time.Date(next.Year(), next.Month(), next.Day(), 16, 0, 0, 0, zone)
	later := newPoller(h, enq, 5*time.Second, func() time.Time { return friday.Add(time.Minute) })
	later.RunOnce(ctx)
	later.RunOnce(ctx) // a second process or tick must not make another digest

	var digests []storage.Post
	for _, p := range h.sourcePosts(t, src.ID) {
		if p.DigestAt != nil {
			digests = append(digests, p)
		}
	}
	if len(digests) != 1 {
		t.Fatalf("%d digests, want 1", len(digests))
	}
	d := digests[0]
	if !strings.HasPrefix(d.Title, "Bản tin thủ tục hành chính tuần ") || !strings.Contains(d.Summary, "3 thủ tục") {
		t.Errorf("digest = %q / %q", d.Title, d.Summary)
	}
	for i := 1; i <= 3; i++ {
		if !strings.Contains(d.Body, fmt.Sprintf("Thủ tục số %d:", i)) {
			t.Errorf("digest body lacks item %d:\n%s", i, d.Body)
		}
	}
}

// A feed whose address the outbound guard refuses is recorded as a failed
// poll and logged, both with the reason and the way to allow it.
func TestBlockedFeedAddressRecordedAndLogged(t *testing.T) {
	h := newHarness(t)
	h.guard = outbound.New(outbound.Options{}) // LOA_ALLOW_PRIVATE_TARGETS unset
	ctx := context.Background()
	ch := h.channel("webhook", map[string]string{"url": "https://example.org", "secret": secret})
	author := storage.User{Name: "Biên tập", Role: storage.RoleEditor}
	h.store.CreateUser(ctx, &author, "test")
	f := newFeedServer(t, govFeed(2, time.Now()))
	id := h.source(t, f.srv.URL, storage.SourceAuto, "", ch.ID, author.ID).ID

	var log logbuf.Buffer
	newPollerLogging(h, &countingEnqueuer{}, time.Second, time.Now, &log).RunOnce(ctx)

	want := "refused to connect to 127.0.0.1 (loopback address); set LOA_ALLOW_PRIVATE_TARGETS to allow it"
	polls, _ := h.store.RecentPolls(ctx, id, 5)
	if len(polls) != 1 || polls[0].Outcome != storage.PollError || polls[0].Error != want {
		t.Fatalf("polls = %+v, want one error %q", polls, want)
	}
	if src, _ := h.store.GetSource(ctx, id); src.LastError != want {
		t.Errorf("last error = %q", src.LastError)
	}
	if !strings.Contains(log.String(), want) || !strings.Contains(log.String(), fmt.Sprintf("source_id=%d", id)) {
		t.Errorf("log does not give the reason for source %d:\n%s", id, log.String())
	}
	if n := len(h.sourcePosts(t, id)); n != 0 {
		t.Fatalf("%d posts from a refused feed", n)
	}
}

func TestBrokenFeedsAreRecordedAndHarmNothingElse(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	ch := h.channel("webhook", map[string]string{"url": "https://example.org", "secret": secret})
	author := storage.User{Name: "Biên tập", Role: storage.RoleEditor}
	h.store.CreateUser(ctx, &author, "test")
	broken := map[string]func(w http.ResponseWriter, r *http.Request){
		"html": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<!DOCTYPE html><html><body>Trang đang bảo trì</body></html>")
		},
		"500": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) },
		"timeout": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(3 * time.Second):
			}
		},
		"50MB": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>`)
			chunk := []byte(strings.Repeat("<!-- padding padding padding -->", 1024))
			for sent := 0; sent < 50<<20; sent += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		},
	}
	ids := map[string]int64{}
	for name, handler := range broken {
		f := newFeedServer(t, "")
		f.fixed = handler
		ids[name] = h.source(t, f.srv.URL, storage.SourceAuto, "", ch.ID, author.ID).ID
	}
	good := newFeedServer(t, govFeed(2, time.Now()))
	goodID := h.source(t, good.srv.URL, storage.SourceAuto, "", ch.ID, author.ID).ID

	newPoller(h, &countingEnqueuer{}, 500*time.Millisecond, time.Now).RunOnce(ctx)

	wantKind := map[string]string{"html": "not", "500": "500", "timeout": "did not respond", "50MB": "larger"}
	for name, id := range ids {
		src, _ := h.store.GetSource(ctx, id)
		polls, _ := h.store.RecentPolls(ctx, id, 5)
		if len(polls) != 1 || polls[0].Outcome != storage.PollError || !strings.Contains(strings.ToLower(polls[0].Error), wantKind[name]) {
			t.Errorf("%s feed: polls = %+v", name, polls)
			continue
		}
		if src.Failures != 1 || !src.NextPollAt.After(time.Now().Add(20*time.Minute)) {
			t.Errorf("%s feed: failures %d, next poll %s: no back-off", name, src.Failures, src.NextPollAt)
		}
	}
	if posts := h.sourcePosts(t, goodID); len(posts) != 2 {
		t.Fatalf("the good feed beside broken ones made %d posts, want 2", len(posts))
	}
}

// TestSourceOfDemotedOrDisabledAuthorWaitsForApproval: an auto-mode source
// publishes on its author's authority; once they are demoted or disabled,
// its posts (items and digests) wait for an editor, as schedules' do.
func TestSourceOfDemotedOrDisabledAuthorWaitsForApproval(t *testing.T) {
	demoted, disabled := storage.RoleOfficer, true
	for _, tc := range []struct {
		name   string
		change storage.UserChange
	}{
		{"demoted to officer", storage.UserChange{Role: &demoted}},
		{"disabled", storage.UserChange{Disabled: &disabled}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			ctx := context.Background()
			ch := h.channel("webhook", map[string]string{"url": "https://example.org", "secret": secret})
			author := storage.User{Name: "Biên tập", Role: storage.RoleEditor}
			if err := h.store.CreateUser(ctx, &author, "test"); err != nil {
				t.Fatal(err)
			}
			feed := newFeedServer(t, govFeed(2, time.Now()))
			src := h.source(t, feed.srv.URL, storage.SourceAuto, "", ch.ID, author.ID)
			if _, err := h.store.UpdateUser(ctx, author.ID, tc.change, "test"); err != nil {
				t.Fatal(err)
			}
			enq := &countingEnqueuer{}
			if poll := h.pollNow(t, newPoller(h, enq, 5*time.Second, time.Now), src.ID); poll.ItemsNew != 2 {
				t.Fatalf("poll = %+v, want 2 new items", poll)
			}
			posts := h.sourcePosts(t, src.ID)
			if len(posts) != 2 {
				t.Fatalf("%d posts for 2 items", len(posts))
			}
			for _, p := range posts {
				if p.Status != storage.PostPendingApproval {
					t.Errorf("post %q is %s, want pending_approval", p.Title, p.Status)
				}
			}
			if len(enq.ids) != 0 {
				t.Errorf("%d deliveries queued without approval", len(enq.ids))
			}
		})
	}
}

// An item whose expansion breaks a post limit is recorded as skipped with
// the reason; the feed's other items are still posted.
func TestItemBreakingPostLimitsIsSkippedAlone(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	ch := h.channel("webhook", map[string]string{"url": "https://example.org", "secret": secret})
	author := storage.User{Name: "Biên tập", Role: storage.RoleEditor}
	h.store.CreateUser(ctx, &author, "test")
	now := time.Now()
	feed := govFeed(3, now)
	// Item 3's title is 400 characters once expanded: over the 250 a post may have.
	feed = strings.Replace(feed, "Thủ tục số 3:", "Thủ tục số 3: "+strings.Repeat("dài ", 100), 1)
	f := newFeedServer(t, feed)
	src := h.source(t, f.srv.URL, storage.SourceAuto, "", ch.ID, author.ID)

	poll := h.pollNow(t, newPoller(h, &countingEnqueuer{}, 2*time.Second, time.Now), src.ID)
	if poll.Outcome != storage.PollOK || poll.ItemsSeen != 3 || poll.ItemsNew != 3 {
		t.Fatalf("poll = %+v, want ok with 3 new items", poll)
	}
	if posts := h.sourcePosts(t, src.ID); len(posts) != 2 {
		t.Fatalf("posts = %d, want the 2 valid items posted", len(posts))
	}
	items, _, err := h.store.RecentSourceItems(ctx, src.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	skipped := 0
	for _, it := range items {
		if it.Skipped != "" {
			skipped++
			if !strings.Contains(it.Skipped, "title is longer than 250 characters") || it.PostID != 0 {
				t.Errorf("skipped item: %q, post %v", it.Skipped, it.PostID)
			}
		}
	}
	if skipped != 1 {
		t.Fatalf("skipped items = %d, want 1", skipped)
	}
}
