package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// follow clicks the link or button whose visible text is label, as the
// README tells a newcomer to, and waits for the page it loads.
func (c *chrome) follow(label string) {
	c.t.Helper()
	l, _ := json.Marshal(label)
	found := eval[bool](c, fmt.Sprintf(`(() => {
	  const el = [...document.querySelectorAll("a, button")].find(e => e.innerText.trim() === %s);
	  if (el) el.setAttribute("data-loa-test-click", "");
	  return !!el;
	})()`, l))
	if !found {
		c.t.Fatalf("%s has no link or button %q:\n%s", c.location(), label, c.body())
	}
	c.clickAndLoad("[data-loa-test-click]")
}

// typeInto types text into the field labelled label.
func (c *chrome) typeInto(label, text string) {
	c.t.Helper()
	l, _ := json.Marshal(label)
	id := eval[string](c, fmt.Sprintf(`[...document.querySelectorAll("label")].find(e => e.innerText.trim().startsWith(%s))?.htmlFor ?? ""`, l))
	if id == "" {
		c.t.Fatalf("%s has no field labelled %q", c.location(), label)
	}
	c.do(chromedp.SendKeys(chromedp.ID(id), text))
}

// check ticks (or chooses) the checkbox or radio button labelled label.
func (c *chrome) check(label string) {
	c.t.Helper()
	l, _ := json.Marshal(label)
	ok := eval[bool](c, fmt.Sprintf(`(() => {
	  const lab = [...document.querySelectorAll("label")].find(e => e.innerText.trim().startsWith(%s));
	  const box = lab && (lab.control || lab.querySelector("input"));
	  if (!box) return false;
	  box.setAttribute("data-loa-test-check", "");
	  return true;
	})()`, l))
	if !ok {
		c.t.Fatalf("%s has no choice labelled %q", c.location(), label)
	}
	c.do(chromedp.Click(chromedp.CSS("[data-loa-test-check]")),
		chromedp.RemoveAttribute(chromedp.CSS("[data-loa-test-check]"), "data-loa-test-check"))
}

// The README's "A first post to an RSS channel, in the browser only",
// step by step, from the first start's one-time link to the post in the
// channel's public feed; nothing but the browser is used.
func TestBrowserReadmeFirstPost(t *testing.T) {
	e := env(t)
	delete(e, "LOA_ADMIN_TOKEN") // a first start, as from a fresh clone
	loa := start(t, e)
	c := newChrome(t, "http://"+loa.addr)
	const channel, slug, title = "Tin cải cách hành chính", "tin-cchc", "Công bố thủ tục hành chính mới"
	c.text.Allow(channel, slug, title, "admin")
	defer c.report()

	// 1. Open the printed one-time link.
	var link []string
	for deadline := time.Now().Add(10 * time.Second); link == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		link = setupLinkRE.FindStringSubmatch(loa.output.String())
	}
	if link == nil {
		t.Fatalf("no one-time link printed:\n%s", loa.output.String())
	}
	c.open("1 lien ket mot lan", link[1])

	// 2. Set the password.
	c.typeInto("Mật khẩu mới", "mật khẩu quản trị đủ dài")
	c.typeInto("Nhập lại mật khẩu mới", "mật khẩu quản trị đủ dài")
	c.follow("Đặt mật khẩu và đăng nhập")
	c.mustSee("Tổng quan", "admin")
	c.checkPage("2 tong quan")

	// 3. Add the RSS channel.
	c.follow("Kênh")
	c.follow("Thêm kênh")
	c.check("RSS/Atom")
	c.follow("Tiếp tục")
	c.checkPage("3 them kenh rss")
	c.typeInto("Tên kênh", channel)
	c.typeInto("Tên đường dẫn", slug)
	c.typeInto("Tiêu đề nguồn tin", channel)
	c.follow("Thêm kênh")
	c.checkPage("3 kenh da them")
	feed := eval[string](c, `[...document.querySelectorAll("a")].find(a => a.href.endsWith("/feeds/`+slug+`.rss"))?.href ?? ""`)
	if feed == "" {
		t.Fatalf("the channel's page shows no feed address:\n%s", c.body())
	}

	// 4. Compose and send.
	c.follow("Soạn tin")
	c.typeInto("Tiêu đề", title)
	c.do(chromedp.SendKeys(chromedp.CSS(".ql-editor"), "Ủy ban nhân dân tỉnh công bố thủ tục hành chính mới."))
	c.check(channel)
	c.check("Đăng ngay")
	c.follow("Gửi duyệt")
	c.checkPage("4 tin da gui")

	// 5. Nhật ký gửi says Đã đăng (after a reload or two); the feed has the post.
	c.follow("Nhật ký gửi")
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(c.body(), "Đã đăng"); time.Sleep(time.Second) {
		if time.Now().After(deadline) {
			t.Fatalf("Nhật ký gửi never showed Đã đăng:\n%s", c.body())
		}
		c.do(chromedp.Reload())
	}
	c.checkPage("5 nhat ky gui")
	res, err := http.Get(feed)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "<title>"+title+"</title>") {
		t.Fatalf("feed %s: %d\n%s", feed, res.StatusCode, body)
	}
}
