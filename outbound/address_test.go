package outbound

import (
	"net/netip"
	"testing"
)

func TestBlockReasonLiteralAddresses(t *testing.T) {
	for _, tt := range []struct {
		addr, reason string
	}{
		{"127.0.0.1", "loopback address"},
		{"127.255.0.9", "loopback address"},
		{"::1", "loopback address"},
		{"0.0.0.0", "unspecified address"},
		{"0.1.2.3", "unspecified address"},
		{"::", "unspecified address"},
		{"10.0.0.5", "private address"},
		{"172.16.0.1", "private address"},
		{"172.31.255.255", "private address"},
		{"192.168.1.1", "private address"},
		{"100.64.0.1", "carrier-grade NAT address"},
		{"100.127.255.254", "carrier-grade NAT address"},
		{"169.254.169.254", "link-local address"},
		{"fe80::1", "link-local address"},
		{"fe80::1%eth0", "link-local address"},
		{"fc00::1", "unique-local address"},
		{"fd12:3456::1", "unique-local address"},
		{"fec0::1", "site-local address"},
		{"224.0.0.1", "multicast address"},
		{"239.255.255.250", "multicast address"},
		{"ff02::1", "multicast address"},
		{"255.255.255.255", "broadcast address"},
		{"240.0.0.1", "reserved address"},
		{"192.0.0.8", "special-purpose address"},
		{"192.0.2.1", "documentation address"},
		{"198.51.100.7", "documentation address"},
		{"203.0.113.9", "documentation address"},
		{"198.18.0.1", "benchmarking address"},
		{"2001:db8::1", "documentation address"},
		{"::127.0.0.1", "reserved address"},
		// IPv4-mapped IPv6 is the IPv4 address.
		{"::ffff:127.0.0.1", "loopback address"},
		{"::ffff:10.0.0.1", "private address"},
		{"::ffff:169.254.169.254", "link-local address"},
		// NAT64 and 6to4 carry an IPv4 address a relay forwards to.
		{"64:ff9b::7f00:1", "loopback address inside a NAT64 address"},
		{"64:ff9b::a00:5", "private address inside a NAT64 address"},
		{"2002:a9fe:a9fe::1", "link-local address inside a 6to4 address"},
		{"2002:c0a8:101::", "private address inside a 6to4 address"},
		// Public addresses pass.
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"100.128.0.1", ""},
		{"172.32.0.1", ""},
		{"203.113.0.1", ""},
		{"::ffff:8.8.8.8", ""},
		{"64:ff9b::808:808", ""},
		{"2002:808:808::1", ""},
		{"2001:4860:4860::8888", ""},
		{"2402:800::1", ""},
	} {
		t.Run(tt.addr, func(t *testing.T) {
			if got := blockReason(netip.MustParseAddr(tt.addr), nil); got != tt.reason {
				t.Errorf("blockReason(%s) = %q, want %q", tt.addr, got, tt.reason)
			}
		})
	}
}

func TestBlockReasonAllowList(t *testing.T) {
	allow := []netip.Prefix{
		netip.MustParsePrefix("10.20.0.0/16"),
		netip.MustParsePrefix("127.0.0.1/32"),
		netip.MustParsePrefix("fd00:1::/32"),
	}
	for _, tt := range []struct {
		addr    string
		blocked bool
	}{
		{"10.20.3.4", false},
		{"::ffff:10.20.3.4", false},
		{"64:ff9b::a14:304", false}, // NAT64 of 10.20.3.4
		{"10.21.0.1", true},
		{"127.0.0.1", false},
		{"127.0.0.2", true},
		{"::1", true},
		{"fd00:1::5", false},
		{"fd00:2::5", true},
		{"192.168.1.1", true},
	} {
		t.Run(tt.addr, func(t *testing.T) {
			got := blockReason(netip.MustParseAddr(tt.addr), allow) != ""
			if got != tt.blocked {
				t.Errorf("blocked(%s) = %v, want %v", tt.addr, got, tt.blocked)
			}
		})
	}
}

func TestParseInetAton(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string // "" means not an address
	}{
		{"127.0.0.1", "127.0.0.1"},
		{"2130706433", "127.0.0.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"0x7f.0.0.1", "127.0.0.1"},
		{"0X7F.0.0.1", "127.0.0.1"},
		{"0x7f000001", "127.0.0.1"},
		{"017700000001", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"127.0.1", "127.0.0.1"},
		{"10.65535", "10.0.255.255"},
		{"169.254.43518", "169.254.169.254"},
		{"0", "0.0.0.0"},
		{"0xa.0.0.5", "10.0.0.5"},
		{"256.0.0.1", ""},
		{"1.2.3.4.5", ""},
		{"1..2", ""},
		{"08.0.0.1", ""},
		{"0xg.0.0.1", ""},
		{"4294967296", ""},
		{"127.16777216", ""},
		{"+1.2.3.4", ""},
		{"xa.gov.vn", ""},
		{"1.2.3.com", ""},
		{"", ""},
	} {
		t.Run(tt.in, func(t *testing.T) {
			addr, ok := parseInetAton(tt.in)
			got := ""
			if ok {
				got = addr.String()
			}
			if got != tt.want {
				t.Errorf("parseInetAton(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
