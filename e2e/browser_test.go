package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/loa-vn/loa/web/pagetext"
)

// The browser test drives Debian's Chromium over the DevTools protocol
// (chromedp finds it; nothing is downloaded) against the real binary.
// Every page it opens gets the same checks (chrome.checkPage): no script
// error or policy violation, Vietnamese visible text, no serious or
// critical axe-core violation, no horizontal scrolling at 390 px, and a
// screenshot at 1366×768 and at 390×844.

// screen sizes every page is checked and photographed at.
var screens = []struct {
	name          string
	width, height int64
	mobile        bool
}{
	{"1366x768", 1366, 768, false},
	{"390x844", 390, 844, true},
}

// chromiumPath is Debian's Chromium, or one on PATH; "" when none.
func chromiumPath() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// chrome is one headless Chromium with one tab, and what the checks of
// its pages found.
type chrome struct {
	t    testing.TB
	ctx  context.Context
	base string
	axe  string
	// text is the scan of visible text; the test allows its own data.
	text  pagetext.Checker
	shots string
	n     int

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
	// found records every axe violation seen, by rule, for the log.
	found map[string][]string
	// pasting is set while a paste from Word is in the editor: the page
	// policy then refuses the inline styles of the pasted HTML as the
	// editor parses it, which is the policy working, not a fault of the
	// page; blockedStyles counts them for the log.
	pasting       bool
	blockedStyles int
}

// newChrome starts Chromium on a fresh profile. Without Chromium the test
// is skipped, except on CI (CI=true), where it fails: CI must not pass
// without running the browser.
func newChrome(t *testing.T, base string) *chrome {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium is not installed (/usr/bin/chromium): CI must run the browser test; .ci/run installs the chromium package")
		}
		t.Skip("Chromium is not installed (/usr/bin/chromium): the browser test is skipped; apt-get install chromium to run it")
	}
	axe, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 768),
		// Nothing but the pages under test goes over the network.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "vi-VN"),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	c := &chrome{t: t, ctx: ctx, base: base, axe: string(axe), text: pagetext.Checker{Strict: true},
		shots: screenshotDir(t), found: map[string][]string{}}
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start Chromium %s: %v", path, err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			c.mu.Lock()
			c.console = append(c.console, m)
			c.mu.Unlock()
		}
	}()
	return c
}

// screenshotDir is $LOA_SCREENSHOT_DIR, or a new folder kept after the
// test so the pictures can be looked at; its path is logged.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("LOA_SCREENSHOT_DIR")
	if dir == "" {
		d, err := os.MkdirTemp("", "loa-screenshots-")
		if err != nil {
			t.Fatal(err)
		}
		dir = d
	}
	dir = filepath.Join(dir, t.Name())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots: %s", dir)
	return dir
}

// do runs steps within 30 s, failing the test on error.
func (c *chrome) do(steps ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		c.t.Fatalf("browser: %v", err)
	}
}

// run runs one action within 30 s.
func run[T any](c *chrome, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
	defer cancel()
	return chromedp.Run(ctx, a)
}

// clickAndLoad clicks what sel finds — a link or a form's button — and
// waits until the next page has loaded: waiting for an element instead
// could find it on the page being left.
func (c *chrome) clickAndLoad(sel string) {
	c.t.Helper()
	eval[bool](c, `window.loaTestLeaving = true`)
	c.do(chromedp.Click(chromedp.CSS(sel)))
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		// Between the pages there is no document to ask: errors are expected.
		loaded, err := run(c, chromedp.Evaluate[bool](`!window.loaTestLeaving && document.readyState === "complete"`))
		if err == nil && loaded {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("after clicking %s, no new page loaded (at %s)", sel, c.location())
		}
	}
}

// eval evaluates a script (awaiting a promise) into T.
func eval[T any](c *chrome, script string) T {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script, chromedp.EvalAwaitPromise))
	if err != nil {
		c.t.Fatalf("browser: evaluate %.60q: %v", script, err)
	}
	return v
}

// open navigates to path and checks the page it lands on.
func (c *chrome) open(name, path string) {
	c.t.Helper()
	c.do(chromedp.Navigate(c.base + path))
	c.checkPage(name)
}

// location is the path of the page shown.
func (c *chrome) location() string {
	c.t.Helper()
	return eval[string](c, `location.pathname + location.search`)
}

// body is the visible text of the page shown.
func (c *chrome) body() string {
	c.t.Helper()
	return eval[string](c, `document.body.innerText`)
}

// mustSee fails unless the page shows every one of texts.
func (c *chrome) mustSee(texts ...string) {
	c.t.Helper()
	body := c.body()
	for _, s := range texts {
		if !strings.Contains(body, s) {
			c.t.Errorf("%s does not show %q; it shows:\n%s", c.location(), s, body)
		}
	}
}

// checkPage checks the page shown, at each screen size, and photographs it.
func (c *chrome) checkPage(name string) {
	c.t.Helper()
	c.n++
	where := fmt.Sprintf("%s (%s)", name, c.location())
	c.checkConsole(where)
	c.checkText(where)
	// The layout follows a new width at once (reading scrollWidth lays the
	// page out again); a reload is not needed, and would post a form again
	// when the page answered one.
	for _, s := range screens {
		var opts []chromedp.EmulateViewportOption
		if s.mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
		}
		c.do(chromedp.EmulateViewport(s.width, s.height, opts...))
		c.checkWidth(where, s.name, s.width)
		c.checkAxe(where, s.name)
		png, err := run(c, chromedp.FullScreenshot(100))
		if err != nil {
			c.t.Fatalf("screenshot of %s: %v", where, err)
		}
		file := filepath.Join(c.shots, fmt.Sprintf("%02d-%s-%s.png", c.n, slug(name), s.name))
		if err := os.WriteFile(file, png, 0o644); err != nil {
			c.t.Fatal(err)
		}
	}
	c.do(chromedp.EmulateViewport(screens[0].width, screens[0].height))
	c.checkConsole(where)
}

var notSlug = regexp.MustCompile(`[^a-z0-9]+`)

func slug(s string) string {
	return strings.Trim(notSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// checkConsole fails on any script error, exception or policy violation
// the page reported; failed network loads (a 404 page, a favicon) are the
// pages' own business and are checked by status elsewhere.
func (c *chrome) checkConsole(where string) {
	c.t.Helper()
	c.mu.Lock()
	msgs := c.console
	c.console = nil
	c.mu.Unlock()
	for _, m := range msgs {
		if c.pasting && m.Source == "security" && strings.HasPrefix(m.Text, "Applying inline style violates") &&
			strings.HasSuffix(m.URL, "/assets/vendor/quill/quill.js") {
			c.blockedStyles++
			continue
		}
		if (m.Type == chromedp.ConsoleError || m.IsException()) && m.Source != "network" {
			c.t.Errorf("%s: console %s (source %q, %s)", where, m, m.Source, m.URL)
		}
		if m.Type == chromedp.ConsoleWarning && strings.Contains(m.Text, "Content Security Policy") {
			c.t.Errorf("%s: %s", where, m)
		}
	}
}

// visibleText is what a reader sees or hears: the title, the text of the
// page (closed <details> opened for the scan; code samples such as
// template fields, and text marked lang="en", left out), and the labels
// that live in attributes.
const visibleText = `(() => {
  const closed = [...document.querySelectorAll('details:not([open])')];
  closed.forEach(d => d.open = true);
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('code, kbd, samp, pre, script, style, noscript, template') ||
        !el.checkVisibility({visibilityProperty: true})) continue;
    // Text marked as another language (a platform's raw message) is
    // declared, not forgotten: screen readers read it in that language.
    const lang = el.closest('[lang]')?.lang ?? '';
    if (lang && !lang.startsWith('vi')) continue;
    if (n.data.trim()) out.push(n.data);
  }
  const buttons = 'input[type=submit],input[type=button],input[type=reset]';
  for (const el of document.querySelectorAll('[placeholder],[aria-label],[title],[alt],' + buttons)) {
    for (const a of ['placeholder', 'aria-label', 'title', 'alt']) {
      const v = el.getAttribute(a);
      if (v) out.push(v);
    }
    if (el.matches(buttons) && el.value) out.push(el.value);
  }
  closed.forEach(d => d.open = false);
  return {lang: document.documentElement.lang, texts: out};
})()`

// checkText fails on a page not marked Vietnamese or showing a word that
// is neither Vietnamese, nor a technical word, nor the test's own data.
func (c *chrome) checkText(where string) {
	c.t.Helper()
	v := eval[struct {
		Lang  string
		Texts []string
	}](c, visibleText)
	if v.Lang != "vi" {
		c.t.Errorf("%s: <html lang=%q>, want vi", where, v.Lang)
	}
	var bad []string
	for _, text := range v.Texts {
		bad = append(bad, c.text.Untranslated(text)...)
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		c.t.Errorf("%s: untranslated words %q", where, slices.Compact(bad))
	}
}

// checkWidth fails when the page scrolls sideways: at 390 px that is a
// broken phone layout.
func (c *chrome) checkWidth(where, screen string, width int64) {
	c.t.Helper()
	over := eval[int64](c, `document.documentElement.scrollWidth - document.documentElement.clientWidth`)
	if over > 1 {
		c.t.Errorf("%s at %s: the page is %d px wider than the screen", where, screen, over)
	}
}

// axeViolation is one rule axe-core found broken, with where.
type axeViolation struct {
	ID      string
	Impact  string
	Help    string
	Targets []string
}

// checkAxe runs axe-core (vendored, injected into the page) and fails on
// a serious or critical violation; lesser ones are kept for the log.
func (c *chrome) checkAxe(where, screen string) {
	c.t.Helper()
	if !eval[bool](c, `typeof axe === "object"`) {
		eval[bool](c, c.axe+"\n;true")
	}
	found := eval[[]axeViolation](c, `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v =>
	  ({id: v.id, impact: v.impact || "", help: v.help, targets: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))`)
	for _, v := range found {
		c.found[v.ID+" ("+v.Impact+")"] = append(c.found[v.ID+" ("+v.Impact+")"], where+" at "+screen)
		if v.Impact == "serious" || v.Impact == "critical" {
			c.t.Errorf("%s at %s: axe %s violation %s: %s, at %q", where, screen, v.Impact, v.ID, v.Help, v.Targets)
		}
	}
}

// report logs the axe violations of lesser impact seen on every page.
func (c *chrome) report() {
	for rule, pages := range c.found {
		c.t.Logf("axe: %s on %d page views, e.g. %s", rule, len(pages), pages[0])
	}
	c.t.Logf("%d pages checked at %d screen sizes; screenshots in %s", c.n, len(screens), c.shots)
	if c.blockedStyles > 0 {
		c.t.Logf("the page policy refused %d inline styles of HTML pasted from Word (as it should)", c.blockedStyles)
	}
}

// login signs in through the /login form, as a person would.
func (c *chrome) login(name, password string) {
	c.t.Helper()
	c.do(chromedp.Navigate(c.base+"/login"),
		chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.SendKeys(chromedp.ID("password"), password))
	c.clickAndLoad(`main form button[type=submit]`)
	c.do(chromedp.WaitVisible(chromedp.CSS(`form.logout`)))
}

// logout signs out with the header's button.
func (c *chrome) logout() {
	c.t.Helper()
	c.clickAndLoad(`form.logout button`)
	c.do(chromedp.WaitVisible(chromedp.ID("password")))
}
