package outbound

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeResolver answers from a table and records what it was asked.
type fakeResolver struct {
	answers map[string][]netip.Addr
	asked   atomic.Int32
}

func (r *fakeResolver) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	r.asked.Add(1)
	if network != "ip" && network != "ip4" && network != "ip6" {
		return nil, errors.New("unexpected network " + network)
	}
	addrs, ok := r.answers[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return addrs, nil
}

func addrs(s ...string) []netip.Addr {
	out := make([]netip.Addr, len(s))
	for i, a := range s {
		out[i] = netip.MustParseAddr(a)
	}
	return out
}

// countingServer counts the requests that reach it.
func countingServer(t *testing.T, ln net.Listener, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if h != nil {
			h(w, r)
		}
	}))
	if ln != nil {
		srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &hits
}

func listen(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	return ln
}

func TestDialRefusesResolvedPrivateAddresses(t *testing.T) {
	srv, hits := countingServer(t, nil, nil)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	res := &fakeResolver{answers: map[string][]netip.Addr{
		"intranet.test": addrs("10.0.0.1"),
		"loop6.test":    addrs("::1"),
		"loop4.test":    addrs("127.0.0.1"),
		"mixed.test":    addrs("93.184.216.34", "10.0.0.1"),
		"mixed2.test":   addrs("127.0.0.1", "93.184.216.34"),
		"mapped.test":   addrs("::ffff:127.0.0.1"),
		"metadata.test": addrs("169.254.169.254"),
		"nat64.test":    addrs("64:ff9b::7f00:1"),
	}}
	g := New(Options{Resolver: res})
	client := g.Client(5 * time.Second)
	for _, tt := range []struct {
		host, addr, reason string
	}{
		{"intranet.test", "10.0.0.1", "private address"},
		{"loop6.test", "::1", "loopback address"},
		{"loop4.test", "127.0.0.1", "loopback address"},
		{"mixed.test", "10.0.0.1", "private address"},
		{"mixed2.test", "127.0.0.1", "loopback address"},
		{"mapped.test", "127.0.0.1", "loopback address"},
		{"metadata.test", "169.254.169.254", "link-local address"},
		{"nat64.test", "64:ff9b::7f00:1", "loopback address inside a NAT64 address"},
	} {
		t.Run(tt.host, func(t *testing.T) {
			asked := res.asked.Load()
			resp, err := client.Get("http://" + net.JoinHostPort(tt.host, port) + "/")
			if err == nil {
				resp.Body.Close()
				t.Fatal("request succeeded, want refused")
			}
			var be *BlockedError
			if !errors.As(err, &be) {
				t.Fatalf("err = %v, want a *BlockedError", err)
			}
			if be.Host != tt.host || be.Addr != netip.MustParseAddr(tt.addr) || be.Reason != tt.reason {
				t.Errorf("refused %+v, want %s at %s (%s)", be, tt.host, tt.addr, tt.reason)
			}
			want := "refused to connect to " + tt.host + " at " + tt.addr + " (" + tt.reason + "); set LOA_ALLOW_PRIVATE_TARGETS to allow it"
			if !strings.Contains(err.Error(), want) {
				t.Errorf("message = %q, want it to contain %q", err, want)
			}
			if res.asked.Load() == asked {
				t.Error("the guard did not resolve the name itself")
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("%d requests reached the loopback server", n)
	}
}

func TestDialRefusesLiteralLoopback(t *testing.T) {
	srv, hits := countingServer(t, nil, nil)
	g := New(Options{})
	for _, u := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "[::ffff:127.0.0.1]", 1)} {
		resp, err := g.Client(5 * time.Second).Get(u + "/")
		if err == nil {
			resp.Body.Close()
		}
		if !errors.Is(err, ErrBlocked) {
			t.Fatalf("GET %s: err = %v, want refused", u, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("%d requests reached the loopback server", n)
	}
}

func TestDialAllowListOpensRange(t *testing.T) {
	srv, hits := countingServer(t, nil, nil)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	res := &fakeResolver{answers: map[string][]netip.Addr{"cms.intranet.test": addrs("127.0.0.1")}}
	g := New(Options{Resolver: res, AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	for _, u := range []string{srv.URL, "http://" + net.JoinHostPort("cms.intranet.test", port)} {
		resp, err := g.Client(5 * time.Second).Get(u + "/")
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		resp.Body.Close()
	}
	if n := hits.Load(); n != 2 {
		t.Fatalf("server saw %d requests, want 2", n)
	}
}

// The first server is allowed by its exact address; the target of its
// redirect is another loopback address and must not be reached, whether the
// redirect names it literally (checked before the hop) or by a name that
// resolves to it (checked at dial time).
func TestRedirectToPrivateAddressRefused(t *testing.T) {
	target, targetHits := countingServer(t, listen(t, "127.0.0.2:0"), nil)
	_, targetPort, _ := net.SplitHostPort(target.Listener.Addr().String())
	for _, tt := range []struct {
		name, location string
	}{
		{"literal", target.URL + "/internal"},
		{"name", "http://" + net.JoinHostPort("internal.test", targetPort) + "/internal"},
		{"decimal", "http://" + net.JoinHostPort("2130706434", targetPort) + "/internal"},
		{"mapped", "http://" + net.JoinHostPort("::ffff:127.0.0.2", targetPort) + "/internal"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			first, firstHits := countingServer(t, nil, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, tt.location, http.StatusFound)
			})
			res := &fakeResolver{answers: map[string][]netip.Addr{"internal.test": addrs("127.0.0.2")}}
			g := New(Options{Resolver: res, AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
			resp, err := g.Client(5 * time.Second).Get(first.URL + "/feed")
			if err == nil {
				resp.Body.Close()
				t.Fatalf("redirect followed to %s", resp.Request.URL)
			}
			var be *BlockedError
			if !errors.As(err, &be) || be.Addr != netip.MustParseAddr("127.0.0.2") {
				t.Fatalf("err = %v, want 127.0.0.2 refused", err)
			}
			if firstHits.Load() != 1 {
				t.Errorf("first server saw %d requests, want 1", firstHits.Load())
			}
		})
	}
	if n := targetHits.Load(); n != 0 {
		t.Fatalf("%d requests reached the redirect target", n)
	}
	// Control: with the whole loopback range allowed the same hop is followed.
	first, _ := countingServer(t, nil, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/internal", http.StatusFound)
	})
	g := New(Options{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	resp, err := g.Client(5 * time.Second).Get(first.URL + "/feed")
	if err != nil {
		t.Fatalf("allowed redirect: %v", err)
	}
	resp.Body.Close()
	if n := targetHits.Load(); n != 1 {
		t.Fatalf("redirect target saw %d requests, want 1", n)
	}
}

func TestRedirectHopsAreBounded(t *testing.T) {
	var srv *httptest.Server
	srv, hits := countingServer(t, nil, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+"/again", http.StatusFound)
	})
	g := New(Options{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	resp, err := g.Client(5 * time.Second).Get(srv.URL)
	if err == nil {
		resp.Body.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "stopped after 5 redirects") {
		t.Fatalf("err = %v", err)
	}
	if n := hits.Load(); n != MaxRedirects+1 {
		t.Fatalf("server saw %d requests, want %d", n, MaxRedirects+1)
	}
}

// Dialling the checked address keeps TLS verification on the URL's host:
// the test certificate is valid for example.com, not for other.test, though
// both names resolve to the same server.
func TestTLSVerifiesTheURLHost(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.TLS.ServerName))
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	res := &fakeResolver{answers: map[string][]netip.Addr{
		"example.com": addrs("127.0.0.1"),
		"other.test":  addrs("127.0.0.1"),
	}}
	g := New(Options{Resolver: res, AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	tr := g.Transport()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	tr.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	tr.TLSClientConfig.RootCAs = pool
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}

	resp, err := client.Get("https://" + net.JoinHostPort("example.com", port) + "/")
	if err != nil {
		t.Fatalf("GET example.com: %v", err)
	}
	var sni strings.Builder
	buf := make([]byte, 64)
	n, _ := resp.Body.Read(buf)
	sni.Write(buf[:n])
	resp.Body.Close()
	if sni.String() != "example.com" {
		t.Errorf("server saw SNI %q, want example.com", sni.String())
	}

	resp, err = client.Get("https://" + net.JoinHostPort("other.test", port) + "/")
	if err == nil {
		resp.Body.Close()
		t.Fatal("certificate for example.com accepted for other.test")
	}
	var hostErr x509.HostnameError
	if !errors.As(err, &hostErr) {
		t.Fatalf("err = %v, want a certificate name mismatch", err)
	}
}

func TestTransportIgnoresProxyEnvironment(t *testing.T) {
	if New(Options{}).Transport().Proxy != nil {
		t.Fatal("the guarded transport uses a proxy, which would connect unchecked")
	}
}

// The dialer's Control hook refuses a blocked address even if something
// hands the dialer one directly.
func TestControlRechecksDialledAddress(t *testing.T) {
	g := New(Options{})
	for _, tt := range []struct {
		address string
		blocked bool
	}{
		{"10.0.0.1:80", true},
		{"[::1]:443", true},
		{"[::ffff:127.0.0.1]:80", true},
		{"8.8.8.8:53", false},
	} {
		err := g.control("tcp", tt.address, nil)
		if errors.Is(err, ErrBlocked) != tt.blocked {
			t.Errorf("control(%s) = %v, want blocked %v", tt.address, err, tt.blocked)
		}
	}
	ln := listen(t, "127.0.0.1:0")
	defer ln.Close()
	_, err := g.dialer.DialContext(context.Background(), "tcp", ln.Addr().String())
	if !errors.Is(err, ErrBlocked) {
		t.Fatalf("raw dial of %s: %v, want refused", ln.Addr(), err)
	}
}

func TestDialUnknownNameIsADNSError(t *testing.T) {
	g := New(Options{Resolver: &fakeResolver{}})
	_, err := g.Client(time.Second).Get("http://nowhere.test/")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || errors.Is(err, ErrBlocked) {
		t.Fatalf("err = %v, want a DNS error", err)
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Fatalf("err = %T", err)
	}
}

func TestIPv4First(t *testing.T) {
	got := ipv4First(addrs("2001:db8::1", "203.0.113.1", "2001:db8::2", "::ffff:203.0.113.2", "203.0.113.3"))
	want := addrs("203.0.113.1", "::ffff:203.0.113.2", "203.0.113.3", "2001:db8::1", "2001:db8::2")
	if !slices.Equal(got, want) {
		t.Fatalf("ipv4First = %v, want %v", got, want)
	}
}
