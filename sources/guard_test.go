package sources

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/loa-vn/loa/outbound"
)

// resolver answers every name with one address.
type resolver map[string]netip.Addr

func (r resolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := r[host]; ok {
		return []netip.Addr{a}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func feedServer(t *testing.T, ln net.Listener, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if h != nil {
			h(w, r)
			return
		}
		io.WriteString(w, smallFeed)
	}))
	if ln != nil {
		srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &hits
}

// A feed poll never reaches a private address: not by default, not by a
// name that resolves to one, not through a redirect; and it says why.
func TestFetchRefusesPrivateAddresses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no second loopback address: %v", err)
	}
	internal, internalHits := feedServer(t, ln, nil)
	_, internalPort, _ := net.SplitHostPort(internal.Listener.Addr().String())
	only := func(addr string) *http.Client {
		return outbound.New(outbound.Options{
			AllowPrivate: []netip.Prefix{netip.MustParsePrefix(addr + "/32")},
			Resolver:     resolver{"feed.test": netip.MustParseAddr("10.0.0.1"), "internal.test": netip.MustParseAddr("127.0.0.2")},
		}).Client(0)
	}
	for _, tt := range []struct {
		name     string
		client   *http.Client
		location string // where the public server redirects; "" fetches internal directly
		feedURL  string
		want     string
	}{
		{name: "default fetcher, literal loopback", feedURL: internal.URL + "/rss",
			want: "refused to connect to 127.0.0.2 (loopback address); set LOA_ALLOW_PRIVATE_TARGETS to allow it"},
		{name: "name resolving to a private address", client: only("127.0.0.1"), feedURL: "http://feed.test/rss",
			want: "refused to connect to feed.test at 10.0.0.1 (private address); set LOA_ALLOW_PRIVATE_TARGETS to allow it"},
		{name: "redirect to a literal private address", client: only("127.0.0.1"), location: internal.URL + "/rss",
			want: "refused to connect to 127.0.0.2 (loopback address); set LOA_ALLOW_PRIVATE_TARGETS to allow it"},
		{name: "redirect to a name resolving to one", client: only("127.0.0.1"), location: "http://internal.test:" + internalPort + "/rss",
			want: "refused to connect to internal.test at 127.0.0.2 (loopback address); set LOA_ALLOW_PRIVATE_TARGETS to allow it"},
		{name: "redirect to a decimal address", client: only("127.0.0.1"), location: "http://2130706434:" + internalPort + "/rss",
			want: "refused to connect to 2130706434 at 127.0.0.2 (loopback address); set LOA_ALLOW_PRIVATE_TARGETS to allow it"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			feedURL := tt.feedURL
			if tt.location != "" {
				public, _ := feedServer(t, nil, func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, tt.location, http.StatusMovedPermanently)
				})
				feedURL = public.URL + "/rss"
			}
			_, err := NewFetcher(FetcherOptions{Client: tt.client}).Fetch(context.Background(), feedURL, Validators{})
			fe := asFetchError(t, err)
			if fe.Kind != KindBlocked || fe.Message != tt.want {
				t.Fatalf("got %q %q, want %q %q", fe.Kind, fe.Message, KindBlocked, tt.want)
			}
		})
	}
	if n := internalHits.Load(); n != 0 {
		t.Fatalf("%d polls reached the internal server", n)
	}
	// Control: the same redirect is followed when the range is allowed.
	public, _ := feedServer(t, nil, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL+"/rss", http.StatusMovedPermanently)
	})
	res, err := NewFetcher(FetcherOptions{Client: loopbackClient()}).Fetch(context.Background(), public.URL+"/rss", Validators{})
	if err != nil || !strings.HasPrefix(res.FinalURL, internal.URL) {
		t.Fatalf("allowed redirect: %+v %v", res, err)
	}
}
