package outbound

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	for _, tt := range []struct {
		raw  string
		want string // substring of the error; "" means accepted
	}{
		{"https://xa.gov.vn/rss", ""},
		{"http://xa.gov.vn:8080/wp", ""},
		{"HTTPS://XA.GOV.VN", ""},
		{"https://ủybannhândân.vn/tin", ""},
		{"https://user:pass@hook.example/x", ""},
		{"https://[2001:db8::1]:443/", ""},
		{"https://xa.gov.vn./", ""},
		{"", "is required"},
		{"ftp://xa.gov.vn/rss", "must be an absolute http or https URL"},
		{"xa.gov.vn/rss", "must be an absolute http or https URL"},
		{"/rss", "must be an absolute http or https URL"},
		{"http:xa.gov.vn", "must include a host"},
		{"http:///rss", "must include a host"},
		{"https://xa.gov.vn/rss#top", "must not contain a #fragment"},
		{"https://xa.gov.vn/rss#", "must not contain a #fragment"},
		{"https://xa.gov.vn/" + strings.Repeat("a", MaxURLBytes), "is longer than 2048 bytes"},
		{"https://bad host/", "is not a valid URL"},
		{"https://xa\x00.gov.vn/", "is not a valid URL"},
		{"https://xa.gov.vn:0/", "port outside 1-65535"},
		{"https://xa.gov.vn:99999/", "port outside 1-65535"},
		{"https://xa.gov.vn:/", "empty port"},
		{"https://xa..gov.vn/", "valid host name"},
		{"https://-xa.gov.vn/", "valid host name"},
		{"https://xa!.gov.vn/", "valid host name"},
		{"https://" + strings.Repeat("a", 64) + ".vn/", "valid host name"},
		{"https://[::1/", "is not a valid URL"},
		{"https://[fe80::1%25eth0]/", ""},
	} {
		t.Run(tt.raw, func(t *testing.T) {
			_, err := ParseURL(tt.raw)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("ParseURL = %v, want accepted", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("ParseURL = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseURLDoesNotQuoteTheURL(t *testing.T) {
	_, err := ParseURL("https://user:s3cret@bad host/")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("error = %v", err)
	}
}

func TestCheckURLLiteralPrivateHosts(t *testing.T) {
	g := New(Options{})
	for _, tt := range []struct {
		raw  string
		addr string // the refused address; "" means accepted
	}{
		{"http://127.0.0.1:8080/hook", "127.0.0.1"},
		{"http://10.0.0.5/hook", "10.0.0.5"},
		{"http://169.254.169.254/latest/meta-data/", "169.254.169.254"},
		{"http://0.0.0.0:6379/", "0.0.0.0"},
		{"http://100.64.1.1/", "100.64.1.1"},
		{"http://224.0.0.1/", "224.0.0.1"},
		{"http://255.255.255.255/", "255.255.255.255"},
		{"http://[::1]:8080/", "::1"},
		{"http://[::]/", "::"},
		{"http://[fe80::1%25eth0]/", "fe80::1"},
		{"http://[fd00::1]/", "fd00::1"},
		{"http://[::ffff:127.0.0.1]/", "127.0.0.1"},
		{"http://[::ffff:7f00:1]/", "127.0.0.1"},
		{"http://[64:ff9b::a9fe:a9fe]/", "64:ff9b::a9fe:a9fe"},
		// Numeric forms a resolver turns into an address.
		{"http://2130706433/", "127.0.0.1"},
		{"http://0177.0.0.1/", "127.0.0.1"},
		{"http://0x7f.0.0.1/", "127.0.0.1"},
		{"http://0x7f000001/", "127.0.0.1"},
		{"http://127.1/", "127.0.0.1"},
		{"http://10.1/", "10.0.0.1"},
		{"http://127.0.0.1./", "127.0.0.1"},
		// Names that are loopback by definition.
		{"http://localhost:6379/", "127.0.0.1"},
		{"http://LOCALHOST./", "127.0.0.1"},
		{"http://api.localhost/", "127.0.0.1"},
		// Public addresses and names pass; names are not resolved here.
		{"https://8.8.8.8/", ""},
		{"https://134744072/", ""},
		{"https://[2001:4860:4860::8888]/", ""},
		{"https://xa.gov.vn/rss", ""},
		{"https://localhost.gov.vn/", ""},
		{"https://intranet.example/", ""},
	} {
		t.Run(tt.raw, func(t *testing.T) {
			err := g.CheckURL(tt.raw)
			if tt.addr == "" {
				if err != nil {
					t.Fatalf("CheckURL = %v, want accepted", err)
				}
				return
			}
			var be *BlockedError
			if !errors.As(err, &be) || !errors.Is(err, ErrBlocked) {
				t.Fatalf("CheckURL = %v, want a *BlockedError", err)
			}
			if be.Addr != netip.MustParseAddr(tt.addr) {
				t.Errorf("refused address = %s, want %s", be.Addr, tt.addr)
			}
			if !strings.Contains(err.Error(), "refused to connect to ") || !strings.HasSuffix(err.Error(), "; set LOA_ALLOW_PRIVATE_TARGETS to allow it") {
				t.Errorf("message = %q", err)
			}
		})
	}
}

func TestCheckURLMessage(t *testing.T) {
	err := New(Options{}).CheckURL("http://10.0.0.5/hook")
	if want := "refused to connect to 10.0.0.5 (private address); set LOA_ALLOW_PRIVATE_TARGETS to allow it"; err == nil || err.Error() != want {
		t.Fatalf("message = %q, want %q", err, want)
	}
	err = New(Options{}).CheckURL("http://0x7f.1/")
	if want := "refused to connect to 0x7f.1 at 127.0.0.1 (loopback address); set LOA_ALLOW_PRIVATE_TARGETS to allow it"; err == nil || err.Error() != want {
		t.Fatalf("message = %q, want %q", err, want)
	}
}

func TestCheckURLAllowListOpensRange(t *testing.T) {
	g := New(Options{AllowPrivate: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("fd00::/8"),
	}})
	for _, raw := range []string{"http://10.1.2.3/wp", "http://012.1/", "http://[fd00::5]/", "http://[::ffff:10.0.0.1]/", "http://localhost:8080/", "http://127.0.0.1/"} {
		if err := g.CheckURL(raw); err != nil {
			t.Errorf("CheckURL(%s) = %v, want allowed", raw, err)
		}
	}
	for _, raw := range []string{"http://192.168.1.1/", "http://169.254.169.254/", "http://[::1]/", "http://[fe80::1]/"} {
		if err := g.CheckURL(raw); !errors.Is(err, ErrBlocked) {
			t.Errorf("CheckURL(%s) = %v, want refused", raw, err)
		}
	}
}

func TestCheckURLSyntaxFirst(t *testing.T) {
	err := New(Options{}).CheckURL("ftp://127.0.0.1/")
	if err == nil || errors.Is(err, ErrBlocked) || !strings.Contains(err.Error(), "http or https") {
		t.Fatalf("CheckURL = %v", err)
	}
}
