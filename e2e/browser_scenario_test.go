package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tokenFor is an API client acting as user (a token the admin creates for
// them): the scenario's posts are submitted by the officer.
func (c client) tokenFor(userID int64) client {
	c.t.Helper()
	var tok struct {
		Token string `json:"token"`
	}
	c.mustDo("POST", fmt.Sprintf("/api/v1/users/%d/tokens", userID), map[string]string{"name": "thử trình duyệt"}, 201, &tok)
	return client{t: c.t, base: c.base, token: tok.Token}
}

// submitPost submits a post to channels at a time and returns its id.
func (c client) submitPost(title string, at time.Time, channels ...int64) int64 {
	c.t.Helper()
	var p post
	c.mustDo("POST", "/api/v1/posts", map[string]any{"title": title, "summary": "Tóm tắt: " + title,
		"body": "<p>Nội dung: " + title + "</p>", "channel_ids": channels, "publish_at": at.Format(time.RFC3339)}, 201, &p)
	return p.ID
}

func (c client) postStatus(id int64) string {
	c.t.Helper()
	var p post
	c.mustDo("GET", fmt.Sprintf("/api/v1/posts/%d", id), nil, 200, &p)
	return p.Status
}

// scenarioPost is one of the officer's posts in the scenario.
type scenarioPost struct {
	id    int64
	title string
	at    time.Time
}

// TestBrowser is the web UI in Chromium against the real binary: people
// sign in through the forms and do their work through the pages, and
// every page is checked and photographed on the way; then a province
// admin opens every page of the route table.
func TestBrowser(t *testing.T) {
	sink := newSwitchSink(t)
	e := env(t)
	e["LOA_TIMEZONE"] = "Asia/Ho_Chi_Minh"
	loc, err := time.LoadLocation(e["LOA_TIMEZONE"])
	if err != nil {
		t.Fatal(err)
	}
	loa := start(t, e)
	base := "http://" + loa.addr
	admin := client{t: t, base: base, token: adminToken}
	w := makeWorld(admin, sink)
	c := newChrome(t, base)
	c.text.Allow(w.officer, w.editor, w.admin, w.webhookName, w.rssName, "UBND xã Tân Phú", "tan-phu", "tin-tan-phu",
		"Thủ tục hành chính tỉnh", "Bản tin CCHC thứ Hai", "Đăng ký kết hôn có yếu tố nước ngoài", "QĐ-UBND",
		"admin") // the name Loa gives the first admin, author of the feed's items
	defer c.report()

	step := func(name string, f func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			c.t = t
			defer func() { c.t = t }()
			f(t)
		})
		if t.Failed() {
			t.FailNow() // each step needs the one before it
		}
	}

	step("sign in", func(t *testing.T) {
		c.open("dang nhap", "/login")
		c.do(chromedp.SendKeys(chromedp.ID("name"), w.officer),
			chromedp.SendKeys(chromedp.ID("password"), "sai mật khẩu"))
		c.clickAndLoad(`main form button[type=submit]`)
		c.mustSee("Tên đăng nhập hoặc mật khẩu không đúng")
		c.checkPage("dang nhap sai mat khau")
		c.login(w.officer, browserPassword)
		if got := c.location(); got != "/" {
			t.Fatalf("after signing in: %s", got)
		}
		c.mustSee("Tổng quan", w.officer)
		c.checkPage("tong quan chuyen vien")
	})

	// The officer's posts: the first goes out soon to both channels, the
	// second at 00:30 local time two days on (the day before, in UTC),
	// the third is to be rejected.
	now := time.Now().In(loc)
	edge := time.Date(now.Year(), now.Month(), now.Day()+2, 0, 30, 0, 0, loc)
	posts := []scenarioPost{{title: "Thông báo lịch tiếp công dân tháng này", at: now.Add(25 * time.Second)},
		{title: "Lịch trực Tết của Ủy ban nhân dân xã", at: edge},
		{title: "Tin trùng cần từ chối", at: now.Add(time.Hour)}}
	step("an officer's posts wait in Duyệt tin", func(t *testing.T) {
		// Submitted through the API until Soạn tin is on main.
		officer := admin.tokenFor(w.officerID)
		for i := range posts {
			chs := []int64{w.rssID}
			if i == 0 {
				chs = append(chs, w.webhookID)
			}
			posts[i].id = officer.submitPost(posts[i].title, posts[i].at, chs...)
			if s := admin.postStatus(posts[i].id); s != "pending_approval" {
				t.Fatalf("post %d by an officer: %s, want pending_approval", posts[i].id, s)
			}
			c.text.Allow(posts[i].title)
		}
		c.open("duyet tin chuyen vien", "/approvals")
		c.mustSee("Chỉ Người duyệt hoặc Quản trị mới được duyệt", fmt.Sprintf("Tin số %d: %s", posts[0].id, posts[0].title))
	})

	step("an editor approves two and rejects one", func(t *testing.T) {
		c.logout()
		c.login(w.editor, browserPassword)
		c.open("duyet tin nguoi duyet", "/approvals")
		for _, p := range posts {
			c.mustSee(fmt.Sprintf("Tin số %d: %s", p.id, p.title))
		}
		reject := fmt.Sprintf("#tin-%d", posts[2].id)
		c.do(chromedp.SendKeys(chromedp.CSS(reject+" textarea[name=reason]"), "Trùng nội dung với tin đã đăng"))
		c.clickAndLoad(reject + " .appr-reject button")
		c.mustSee(fmt.Sprintf("Đã từ chối tin số %d", posts[2].id))
		c.checkPage("da tu choi")
		for _, p := range posts[:2] {
			c.clickAndLoad(fmt.Sprintf(`#tin-%d form[action$="/approve"] button`, p.id))
			c.mustSee(fmt.Sprintf("Đã duyệt tin số %d", p.id))
		}
		c.checkPage("da duyet")
		for i, want := range []string{"scheduled", "scheduled", "rejected"} {
			if s := admin.postStatus(posts[i].id); s != want {
				t.Errorf("post %d after the editor's decision: %s, want %s", posts[i].id, s, want)
			}
		}
	})

	step("Lịch đăng shows each post on its local day", func(t *testing.T) {
		for _, p := range posts[:2] {
			day := p.at.In(loc).Format("2006-01-02")
			c.open("lich dang "+day, "/calendar?view=month&date="+day)
			cell := eval[string](c, fmt.Sprintf(`document.querySelector('li.cal-day[data-date="%s"]')?.innerText ?? ""`, day))
			before := eval[string](c, fmt.Sprintf(`document.querySelector('li.cal-day[data-date="%s"]')?.innerText ?? ""`,
				p.at.In(loc).AddDate(0, 0, -1).Format("2006-01-02")))
			if !contains(cell, p.title) || contains(before, p.title) {
				t.Errorf("post %q at %s: its day %s shows %q; the day before shows %q", p.title, p.at.In(loc), day, cell, before)
			}
		}
	})

	step("the approved post is delivered", func(t *testing.T) {
		admin.waitDelivery(posts[0].id, w.webhookID, "delivered", 40*time.Second)
		admin.waitDelivery(posts[0].id, w.rssID, "delivered", 10*time.Second)
	})

	var failed delivery
	var failedPost int64
	step("a failed delivery shows on Tổng quan", func(t *testing.T) {
		sink.answer(http.StatusUnprocessableEntity)
		failedPost = admin.submitPost("Thông báo thu phí vệ sinh môi trường", time.Now().Add(time.Second), w.webhookID)
		failed = admin.waitDelivery(failedPost, w.webhookID, "failed", 20*time.Second)
		c.text.Allow("Thông báo thu phí vệ sinh môi trường")
		c.open("tong quan co loi", "/")
		c.mustSee("Cần xử lý", "Thông báo thu phí vệ sinh môi trường", "Không thành công", w.webhookName)
	})

	step("unknown address", func(t *testing.T) {
		c.openStatus("khong tim thay", "/trang-khong-co", http.StatusNotFound)
		c.mustSee("Không có trang nào ở địa chỉ này", "Về trang Tổng quan")
	})

	step("every page", func(t *testing.T) {
		c.logout()
		c.login(w.admin, browserPassword)
		c.crawl(w.ids(failedPost, failed.ID))
	})
}
