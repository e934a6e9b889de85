package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// catcher records the failures a check reports instead of failing the
// test, to show that each check can fail.
type catcher struct {
	testing.TB
	errs []string
}

func (c *catcher) Helper() {}
func (c *catcher) Errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

// The page checks catch what they are for: English text, a missing
// lang, an image without text (axe, critical), a layout wider than a
// phone, and a script the page policy blocks.
func TestBrowserChecksCatchProblems(t *testing.T) {
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src data:")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><title>Trang thử</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Trang thử</h1><p>Please sign in</p><input type="submit" value="Upload">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<div style="width: 800px">Bảng rộng</div>
<script>document.title = "chạy";</script></main></body></html>`)
	}))
	defer bad.Close()
	c := newChrome(t, bad.URL)
	rec := &catcher{TB: t}
	c.t = rec
	c.open("trang hong", "/")
	c.t = t
	all := strings.Join(rec.errs, "\n")
	for _, want := range []string{`lang=""`, `"Please"`, `"Upload"`, "image-alt", "at 390x844: the page is",
		"Content Security Policy"} {
		if !strings.Contains(all, want) {
			t.Errorf("the checks did not report %s; they reported:\n%s", want, all)
		}
	}
	if strings.Contains(all, "at 1366x768: the page is") {
		t.Errorf("a page that fits 1366 px reported too wide:\n%s", all)
	}
}
