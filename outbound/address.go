package outbound

import (
	"net/netip"
)

// blockedRange is a range Loa never connects to unless allowed, with the
// words that name it in an error.
type blockedRange struct {
	prefix netip.Prefix
	reason string
}

// blockedRanges are the non-global ranges (IANA special-purpose registries,
// RFC 6890 and successors). Order matters only where ranges nest: the first
// match names the reason.
var blockedRanges = []blockedRange{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local address"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "special-purpose address"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation address"},
	{netip.MustParsePrefix("192.88.99.0/24"), "reserved address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking address"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation address"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast address"},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved address"},

	{netip.MustParsePrefix("::/128"), "unspecified address"},
	{netip.MustParsePrefix("::1/128"), "loopback address"},
	{netip.MustParsePrefix("::/96"), "reserved address"},           // deprecated IPv4-compatible
	{netip.MustParsePrefix("::ffff:0:0:0/96"), "reserved address"}, // SIIT IPv4-translated
	{netip.MustParsePrefix("100::/64"), "reserved address"},        // discard-only
	{netip.MustParsePrefix("2001:2::/48"), "benchmarking address"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation address"},
	{netip.MustParsePrefix("3fff::/20"), "documentation address"},
	{netip.MustParsePrefix("fc00::/7"), "unique-local address"},
	{netip.MustParsePrefix("fe80::/10"), "link-local address"},
	{netip.MustParsePrefix("fec0::/10"), "site-local address"},
	{netip.MustParsePrefix("ff00::/8"), "multicast address"},
}

// embedding are IPv6 ranges that carry an IPv4 address a translator or
// relay forwards to; they are as blocked as the address they carry.
var embedding = []struct {
	prefix netip.Prefix
	offset int // byte offset of the IPv4 address
	name   string
}{
	{netip.MustParsePrefix("64:ff9b::/96"), 12, "NAT64"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), 12, "NAT64"},
	{netip.MustParsePrefix("2002::/16"), 2, "6to4"},
}

// blockReason says why addr is refused, or "" when Loa may connect to it.
// allow opens ranges; an embedded IPv4 address is allowed when the IPv6
// address or the IPv4 address it carries is.
func blockReason(addr netip.Addr, allow []netip.Prefix) string {
	addr = addr.Unmap().WithZone("")
	if allowed(addr, allow) {
		return ""
	}
	for _, e := range embedding {
		if e.prefix.Contains(addr) {
			b := addr.As16()
			v4 := netip.AddrFrom4([4]byte(b[e.offset : e.offset+4]))
			if r := blockReason(v4, allow); r != "" {
				return r + " inside a " + e.name + " address"
			}
			return ""
		}
	}
	for _, r := range blockedRanges {
		if r.prefix.Contains(addr) {
			return r.reason
		}
	}
	return ""
}

func allowed(addr netip.Addr, allow []netip.Prefix) bool {
	for _, p := range allow {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
