package sources

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/outbound"
)

const (
	testETag         = `"tthc-20261120"`
	testLastModified = "Fri, 20 Nov 2026 01:30:00 GMT"
	smallFeed        = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>TTHC</title>
<item><title>Công bố 1.001612.000.00.00.H01</title><link>tthc/1.html</link></item>
</channel></rss>`
)

func TestFetchConditionalGET(t *testing.T) {
	var got []http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Clone())
		if r.Method != http.MethodGet || r.URL.Path != "/rss/tthc.rss" {
			t.Errorf("request = %s %s", r.Method, r.URL.Path)
		}
		if r.Header.Get("If-None-Match") == testETag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", testETag)
		w.Header().Set("Last-Modified", testLastModified)
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		io.WriteString(w, smallFeed)
	}))
	defer srv.Close()
	f := NewFetcher(FetcherOptions{Client: loopbackClient(), UserAgent: "Loa-test/1"})
	feedURL := srv.URL + "/rss/tthc.rss"

	first, err := f.Fetch(context.Background(), feedURL, Validators{})
	if err != nil {
		t.Fatalf("first fetch: %v", err)
	}
	if first.NotModified || string(first.Body) != smallFeed || first.FinalURL != feedURL {
		t.Fatalf("first = %+v", first)
	}
	wantValidators := Validators{ETag: testETag, LastModified: testLastModified}
	if first.Validators != wantValidators {
		t.Fatalf("validators = %+v, want %+v", first.Validators, wantValidators)
	}

	second, err := f.Fetch(context.Background(), feedURL, first.Validators)
	if err != nil {
		t.Fatalf("second fetch: %v", err)
	}
	if !second.NotModified || second.Body != nil || second.Validators != wantValidators {
		t.Fatalf("second = %+v, want NotModified with the same validators", second)
	}

	checks := []struct{ header, first, second string }{
		{"If-None-Match", "", testETag},
		{"If-Modified-Since", "", testLastModified},
		{"User-Agent", "Loa-test/1", "Loa-test/1"},
	}
	for _, c := range checks {
		if g := got[0].Get(c.header); g != c.first {
			t.Errorf("first %s = %q, want %q", c.header, g, c.first)
		}
		if g := got[1].Get(c.header); g != c.second {
			t.Errorf("second %s = %q, want %q", c.header, g, c.second)
		}
	}
}

func TestFetchDefaults(t *testing.T) {
	f := NewFetcher(FetcherOptions{Client: loopbackClient()})
	if f.maxBytes != DefaultMaxBytes || f.timeout != DefaultTimeout || f.userAgent != DefaultUserAgent || f.client == nil {
		t.Fatalf("defaults not applied: %+v", f)
	}
}

// A redirect moves the feed: relative links belong to the final address.
func TestFetchRedirectResolvesAgainstFinalURL(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/rss.aspx", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/feeds/v2/tthc.rss", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/feeds/v2/tthc.rss", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, smallFeed)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	res, err := NewFetcher(FetcherOptions{Client: loopbackClient()}).Fetch(context.Background(), srv.URL+"/rss.aspx", Validators{})
	if err != nil {
		t.Fatal(err)
	}
	if want := srv.URL + "/feeds/v2/tthc.rss"; res.FinalURL != want {
		t.Fatalf("FinalURL = %q, want %q", res.FinalURL, want)
	}
	feed, err := Parse(res.Body, res.FinalURL)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := feed.Items[0].Link, srv.URL+"/feeds/v2/tthc/1.html"; got != want {
		t.Fatalf("link = %q, want %q", got, want)
	}
}

func TestFetchBroken(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		kind    string
		status  int
		message string
	}{
		{
			name:    "HTTP 500",
			handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "lỗi", http.StatusInternalServerError) },
			kind:    KindHTTPStatus,
			status:  500,
			message: "feed server answered HTTP 500 Internal Server Error",
		},
		{
			name:    "HTTP 404",
			handler: http.NotFound,
			kind:    KindHTTPStatus,
			status:  404,
			message: "feed server answered HTTP 404 Not Found",
		},
		{
			name:    "no answer",
			handler: sleepHandler(false),
			kind:    KindTimeout,
			message: "feed server did not respond within 200ms",
		},
		{
			name:    "body stalls",
			handler: sleepHandler(true),
			kind:    KindTimeout,
			message: "feed server did not respond within 200ms",
		},
		{
			name:    "declared 50 MB",
			handler: hugeHandler(true),
			kind:    KindTooLarge,
			message: "feed is larger than 5242880 bytes",
		},
		{
			name:    "streamed 50 MB",
			handler: hugeHandler(false),
			kind:    KindTooLarge,
			message: "feed is larger than 5242880 bytes",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			f := NewFetcher(FetcherOptions{Client: loopbackClient(), Timeout: 200 * time.Millisecond})

			start := time.Now()
			_, err := f.Fetch(context.Background(), srv.URL+"/rss", Validators{})
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("took %v", elapsed)
			}
			fe := asFetchError(t, err)
			if fe.Kind != tt.kind || fe.Status != tt.status || fe.Error() != tt.message {
				t.Fatalf("got %q %d %q, want %q %d %q", fe.Kind, fe.Status, fe.Error(), tt.kind, tt.status, tt.message)
			}
		})
	}
}

// sleepHandler answers nothing until the client gives up, or sends the
// start of a feed and then stalls.
func sleepHandler(partial bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if partial {
			io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel>`)
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
}

// hugeHandler streams 50 MB in small chunks, so the test itself never holds
// 50 MB; declared also sends Content-Length as an honest server would.
func hugeHandler(declared bool) http.HandlerFunc {
	const total = 50 << 20
	return func(w http.ResponseWriter, r *http.Request) {
		if declared {
			w.Header().Set("Content-Length", strconv.Itoa(total))
		}
		chunk := bytes.Repeat([]byte("<!-- 1.001612.000.00.00.H01 -->\n"), 1024) // 32 KiB
		for written := 0; written < total; written += len(chunk) {
			if _, err := w.Write(chunk[:min(len(chunk), total-written)]); err != nil {
				return // client hung up, as it should
			}
		}
	}
}

func TestFetchTooLargeKeepsMemoryBounded(t *testing.T) {
	srv := httptest.NewServer(hugeHandler(false))
	defer srv.Close()
	f := NewFetcher(FetcherOptions{Client: loopbackClient()})

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := f.Fetch(context.Background(), srv.URL, Validators{})
	runtime.ReadMemStats(&after)

	if fe := asFetchError(t, err); fe.Kind != KindTooLarge {
		t.Fatalf("kind = %q", fe.Kind)
	}
	// Reading 5 MiB with io.ReadAll allocates about twice that while the
	// buffer grows (four times under the race detector); reading the whole
	// body would allocate well over 50 MB.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 40<<20 {
		t.Fatalf("allocated %d MiB fetching an oversized feed", alloc>>20)
	}
}

func TestFetchExactlyMaxBytesIsAccepted(t *testing.T) {
	body := strings.Repeat("x", 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, body)
	}))
	defer srv.Close()
	res, err := NewFetcher(FetcherOptions{Client: loopbackClient(), MaxBytes: 1000}).Fetch(context.Background(), srv.URL, Validators{})
	if err != nil || len(res.Body) != 1000 {
		t.Fatalf("err = %v, body %d bytes", err, len(res.Body))
	}
}

func TestFetchHTMLPageIsNotAFeed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!DOCTYPE html>\n<html><head><title>Cổng thông tin điện tử</title></head><body><h1>Trang chủ</h1></body></html>")
	}))
	defer srv.Close()
	res, err := NewFetcher(FetcherOptions{Client: loopbackClient()}).Fetch(context.Background(), srv.URL+"/rss", Validators{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse(res.Body, res.FinalURL)
	if fe := asFetchError(t, err); fe.Kind != KindNotAFeed {
		t.Fatalf("kind = %q (%v)", fe.Kind, err)
	}
}

func TestFetchNetworkErrorsHideCredentials(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.Listener.Addr().String()
	srv.Close() // nothing listens there any more

	_, err := NewFetcher(FetcherOptions{Client: loopbackClient()}).Fetch(context.Background(), "http://admin:s3cret@"+addr+"/rss", Validators{})
	fe := asFetchError(t, err)
	if fe.Kind != KindNetwork {
		t.Fatalf("kind = %q (%v)", fe.Kind, err)
	}
	if fe.Message != "feed server refused the connection" {
		t.Errorf("message = %q", fe.Message)
	}
	if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "admin") {
		t.Fatalf("error leaks credentials: %q", err)
	}
}

func TestFetchInvalidURL(t *testing.T) {
	for _, raw := range []string{"", "ftp://tthc.tinhmau.gov.vn/rss", "tthc.tinhmau.gov.vn/rss", "http://user:s3cret@bad host/"} {
		t.Run(raw, func(t *testing.T) {
			_, err := NewFetcher(FetcherOptions{}).Fetch(context.Background(), raw, Validators{})
			fe := asFetchError(t, err)
			if fe.Kind != KindNetwork || strings.Contains(fe.Error(), "s3cret") {
				t.Fatalf("got %q %q", fe.Kind, fe.Error())
			}
		})
	}
}

// The default client verifies certificates; a caller-supplied client that
// trusts the server's certificate works.
func TestFetchTLSVerification(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, smallFeed)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	defer srv.Close()

	_, err := NewFetcher(FetcherOptions{Client: loopbackClient()}).Fetch(context.Background(), srv.URL, Validators{})
	fe := asFetchError(t, err)
	if fe.Kind != KindNetwork || !strings.Contains(fe.Message, "certificate") {
		t.Fatalf("got %q %q, want a certificate error", fe.Kind, fe.Message)
	}

	res, err := NewFetcher(FetcherOptions{Client: srv.Client()}).Fetch(context.Background(), srv.URL, Validators{})
	if err != nil || string(res.Body) != smallFeed {
		t.Fatalf("with trusted client: %v", err)
	}
}

// Cancelling is the caller's doing, not the source's: it is not a FetchError.
func TestFetchCancelled(t *testing.T) {
	srv := httptest.NewServer(sleepHandler(false))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)

	_, err := NewFetcher(FetcherOptions{Client: loopbackClient()}).Fetch(ctx, srv.URL, Validators{})
	var fe *FetchError
	if !errors.Is(err, context.Canceled) || errors.As(err, &fe) {
		t.Fatalf("err = %v (%T), want context.Canceled and no FetchError", err, err)
	}
}

func TestFetchErrorKindsAreStable(t *testing.T) {
	got := strings.Join([]string{KindHTTPStatus, KindTooLarge, KindTimeout, KindNetwork, KindNotAFeed, KindParse}, " ")
	if want := "http_status too_large timeout network not_a_feed parse"; got != want {
		t.Fatalf("kinds = %q; stored values must not change", got)
	}
}

// loopbackClient is the outbound guard's client with loopback allowed, for
// the test servers.
func loopbackClient() *http.Client {
	return outbound.New(outbound.Options{AllowPrivate: []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"),
	}}).Client(0)
}
