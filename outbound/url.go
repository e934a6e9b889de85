package outbound

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxURLBytes is the longest URL Loa accepts for a channel endpoint or a feed.
const MaxURLBytes = 2048

// ParseURL is the one syntax check of a URL Loa will send requests to: an
// absolute http or https URL of at most MaxURLBytes with a well-formed host
// and no fragment. It resolves nothing and knows no allow-list; adapters'
// config parsers call it and keep their own extra rules. Error texts read
// after a field name ("url must include a host") and never quote the URL,
// which may hold credentials.
func ParseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("is required")
	}
	if len(raw) > MaxURLBytes {
		return nil, fmt.Errorf("is longer than %d bytes", MaxURLBytes)
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the input
		}
		return nil, fmt.Errorf("is not a valid URL: %v", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errors.New("must be an absolute http or https URL")
	case u.Host == "" || u.Opaque != "":
		return nil, errors.New("must include a host")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, errors.New("must not contain a #fragment")
	}
	if err := checkHost(u); err != nil {
		return nil, err
	}
	return u, nil
}

// checkHost refuses host names that no resolver would answer for, so a typo
// shows when the URL is saved rather than at the first delivery.
func checkHost(u *url.URL) error {
	host := u.Hostname()
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return errors.New("has a port outside 1-65535")
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return errors.New("has an empty port")
	}
	if strings.HasPrefix(u.Host, "[") {
		if _, err := netip.ParseAddr(host); err != nil {
			return errors.New("has a malformed IPv6 address")
		}
		return nil
	}
	name := strings.TrimSuffix(host, ".")
	if name == "" || len(name) > 253 {
		return errors.New("must include a valid host name")
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") ||
			!utf8.ValidString(label) || strings.ContainsFunc(label, badHostRune) {
			return errors.New("must include a valid host name")
		}
	}
	return nil
}

// badHostRune is true for what cannot appear in a host name, IDN included.
func badHostRune(r rune) bool {
	if r < utf8.RuneSelf {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
}

// CheckURL is the create-time check of a URL Loa will send requests to:
// ParseURL, then a host that is an address (in any notation a resolver
// accepts, such as 2130706433, 0177.0.0.1, 0x7f.1 or [::ffff:127.0.0.1])
// or a localhost name must not be a blocked address unless allowed. Other
// names are not resolved here; the dial-time check covers them. A refused
// address is a *BlockedError.
func (g *Guard) CheckURL(raw string) error {
	u, err := ParseURL(raw)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if isLocalhost(host) {
		return g.check(host, netip.AddrFrom4([4]byte{127, 0, 0, 1}))
	}
	if addr, ok := hostAddr(host); ok {
		return g.check(host, addr)
	}
	return nil
}

// isLocalhost reports names that resolve to loopback by definition (RFC 6761).
func isLocalhost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// hostAddr reads host as an IP address: IPv6 (brackets already removed) or
// IPv4 in any form inet_aton accepts, which is what a system resolver may
// turn it into.
func hostAddr(host string) (netip.Addr, bool) {
	if addr, err := netip.ParseAddr(host); err == nil {
		return addr, true
	}
	return parseInetAton(strings.TrimSuffix(host, "."))
}

// parseInetAton parses a.b.c.d, a.b.c (c is 16 bits), a.b (b is 24 bits)
// and a (32 bits), each part decimal, octal (leading 0) or hex (0x).
func parseInetAton(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var vals []uint64
	for _, p := range parts {
		v, ok := parseInetPart(p)
		if !ok {
			return netip.Addr{}, false
		}
		vals = append(vals, v)
	}
	last := len(vals) - 1
	var n uint64
	for i, v := range vals[:last] {
		if v > 0xff {
			return netip.Addr{}, false
		}
		n |= v << (24 - 8*i)
	}
	if vals[last] >= 1<<(32-8*last) {
		return netip.Addr{}, false
	}
	n |= vals[last]
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true
}

func parseInetPart(p string) (uint64, bool) {
	base := 10
	switch {
	case p == "":
		return 0, false
	case len(p) > 2 && (p[:2] == "0x" || p[:2] == "0X"):
		base, p = 16, p[2:]
	case len(p) > 1 && p[0] == '0':
		base, p = 8, p[1:]
	}
	if p == "" || p[0] == '+' || p[0] == '-' {
		return 0, false
	}
	v, err := strconv.ParseUint(p, base, 32)
	return v, err == nil
}
