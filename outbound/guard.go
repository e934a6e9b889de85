// Package outbound is the one guard on every request Loa makes for a channel
// or a feed: it refuses loopback, private, link-local and other non-global
// addresses unless an administrator allowed them, both when a URL is saved
// (a literal address) and when a connection is made (every resolved
// address, every redirect hop), and it holds the one syntax check of such
// URLs.
package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"syscall"
	"time"
)

// Defaults of the guarded transport.
const (
	DefaultDialTimeout = 10 * time.Second
	// MaxRedirects bounds the hops a guarded client follows; each hop is
	// checked like the first request.
	MaxRedirects = 5
)

// Resolver looks up a host's addresses; *net.Resolver implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Options configure a Guard.
type Options struct {
	// AllowPrivate opens ranges that are otherwise refused
	// (LOA_ALLOW_PRIVATE_TARGETS), e.g. a CMS on a government private network.
	AllowPrivate []netip.Prefix
	// Resolver answers for host names; nil means net.DefaultResolver.
	Resolver Resolver
	// DialTimeout bounds one connection attempt; zero means DefaultDialTimeout.
	DialTimeout time.Duration
}

// Guard checks outbound addresses. It is safe for concurrent use.
type Guard struct {
	allow     []netip.Prefix
	resolver  Resolver
	dialer    *net.Dialer
	transport *http.Transport
}

// New returns a Guard; the zero Options refuse every non-global address.
func New(o Options) *Guard {
	g := &Guard{allow: slices.Clone(o.AllowPrivate), resolver: o.Resolver}
	if g.resolver == nil {
		g.resolver = net.DefaultResolver
	}
	timeout := o.DialTimeout
	if timeout <= 0 {
		timeout = DefaultDialTimeout
	}
	g.dialer = &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: g.control}
	g.transport = g.Transport()
	return g
}

// ErrBlocked matches every *BlockedError with errors.Is.
var ErrBlocked = errors.New("outbound: address not allowed")

// BlockedError is a refused address. Its text says what was refused and how
// to allow it; it never holds a URL, which may carry credentials.
type BlockedError struct {
	// Host is the name or address as written; empty when only the address is known.
	Host   string
	Addr   netip.Addr
	Reason string // e.g. "private address"
}

func (e *BlockedError) Error() string {
	target := e.Addr.String()
	if e.Host != "" && e.Host != target {
		target = e.Host + " at " + target
	}
	return fmt.Sprintf("refused to connect to %s (%s); set LOA_ALLOW_PRIVATE_TARGETS to allow it", target, e.Reason)
}

// Is makes errors.Is(err, ErrBlocked) true.
func (e *BlockedError) Is(target error) bool { return target == ErrBlocked }

// check returns a *BlockedError if addr may not be connected to.
func (g *Guard) check(host string, addr netip.Addr) error {
	if reason := blockReason(addr, g.allow); reason != "" {
		return &BlockedError{Host: host, Addr: addr.Unmap().WithZone(""), Reason: reason}
	}
	return nil
}

// DialContext resolves address's host itself, refuses the connection if
// any of its addresses is blocked, and dials the checked addresses (never
// the name again), so a DNS answer that changes between check and dial
// cannot get round the guard.
func (g *Guard) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	addrs, err := g.resolve(ctx, network, host)
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if err := g.check(host, a); err != nil {
			return nil, err
		}
	}
	var firstErr error
	for _, a := range ipv4First(addrs) {
		conn, err := g.dialer.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

// ipv4First orders IPv4 addresses before IPv6 ones, keeping the resolver's
// order within each family. Addresses are tried one after another, and a
// host whose IPv6 is announced but unreachable would otherwise cost a whole
// dial timeout before IPv4 is tried.
func ipv4First(addrs []netip.Addr) []netip.Addr {
	out := slices.Clone(addrs)
	slices.SortStableFunc(out, func(a, b netip.Addr) int {
		switch a4, b4 := a.Unmap().Is4(), b.Unmap().Is4(); {
		case a4 && !b4:
			return -1
		case b4 && !a4:
			return 1
		}
		return 0
	})
	return out
}

func (g *Guard) resolve(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if addr, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{addr}, nil
	}
	ipNetwork := "ip"
	switch network {
	case "tcp4", "udp4":
		ipNetwork = "ip4"
	case "tcp6", "udp6":
		ipNetwork = "ip6"
	}
	addrs, err := g.resolver.LookupNetIP(ctx, ipNetwork, host)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	return addrs, nil
}

// control re-checks the address actually dialled, as a second line behind
// DialContext.
func (g *Guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("outbound: unexpected dial address: %w", err)
	}
	return g.check("", ap.Addr())
}

// Transport returns a new transport that dials through the guard. It uses
// no proxy (a proxy from the environment would connect on Loa's behalf,
// unchecked) and verifies TLS against the URL's host name as usual.
func (g *Guard) Transport() *http.Transport {
	return &http.Transport{
		Proxy:                  nil,
		DialContext:            g.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 1 << 20,
	}
}

// Client returns a client over the guard's shared transport. It follows at
// most MaxRedirects redirects, each target checked by CheckURL before it is
// requested and by the dial check when connected to. Adapters that must
// not follow redirects override CheckRedirect on a copy.
func (g *Guard) Client(timeout time.Duration) *http.Client {
	return &http.Client{Transport: g.transport, Timeout: timeout, CheckRedirect: g.checkRedirect}
}

func (g *Guard) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return fmt.Errorf("outbound: stopped after %d redirects", MaxRedirects)
	}
	target := *req.URL
	target.Fragment, target.RawFragment = "", "" // a Location may carry one; it is never sent
	if err := g.CheckURL(target.String()); err != nil {
		var be *BlockedError
		if errors.As(err, &be) {
			return err
		}
		return fmt.Errorf("outbound: redirect target %v", err)
	}
	return nil
}
