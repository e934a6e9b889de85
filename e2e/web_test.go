package e2e

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// setupLinkRE matches the whole printed link: the line must be complete.
var setupLinkRE = regexp.MustCompile(`https?://\S+(/setup/[A-Za-z0-9_-]+)\n`)

// followSetupLink finds the printed one-time link, sets the admin's
// password through its form as a browser would (cookies, csrf_token) and
// checks it lands on Tổng quan; the link then no longer works.
func followSetupLink(t *testing.T, loa *proc) {
	t.Helper()
	var m []string
	for deadline := time.Now().Add(10 * time.Second); m == nil && time.Now().Before(deadline); {
		m = setupLinkRE.FindStringSubmatch(loa.waitOutput("/setup/", 10*time.Second))
		if m == nil {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if m == nil {
		t.Fatalf("no set-password link printed:\n%s", loa.output.String())
	}
	base := "http://" + loa.addr
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	read := func(res *http.Response, err error) (int, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	status, body := read(c.Get(base + m[1]))
	tok := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(body)
	if status != 200 || tok == nil || !strings.Contains(body, `lang="vi"`) {
		t.Fatalf("set-password page: %d\n%s", status, body)
	}
	pw := "mật khẩu quản trị đủ dài"
	status, body = read(c.PostForm(base+m[1], url.Values{"password": {pw}, "password_again": {pw}, "csrf_token": {tok[1]}}))
	if status != 200 || !strings.Contains(body, "Tổng quan") || !strings.Contains(body, "Đăng xuất") {
		t.Fatalf("after setting the password: %d\n%s", status, body)
	}
	if status, _ = read(http.Get(base + m[1])); status != http.StatusNotFound {
		t.Fatalf("set-password link works twice: %d", status)
	}
}
