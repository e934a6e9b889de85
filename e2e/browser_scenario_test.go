package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// wordClipboard is what Word puts on the clipboard as text/html when an
// officer copies a notice: Office namespaces, mso- styles, class names,
// conditional comments and empty <o:p> elements around the content.
const wordClipboard = `<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><meta name=ProgId content=Word.Document>
<style><!--
p.MsoNormal {margin:0cm; font-size:13.0pt; font-family:"Times New Roman",serif;}
@list l0:level1 {mso-level-number-format:bullet; mso-level-text:; mso-level-tab-stop:36.0pt; mso-level-number-position:left; text-indent:-18.0pt; font-family:Symbol;}
--></style></head>
<body lang=VI style='tab-interval:36.0pt'><!--StartFragment-->
<h2 style='mso-style-name:"Heading 2"'><span lang=VI>Lịch tiếp công dân tháng này<o:p></o:p></span></h2>
<p class=MsoNormal><b><span lang=VI style='font-size:13.0pt;mso-bidi-font-size:12.0pt'>Ủy ban nhân dân xã Tân Phú</span></b><span lang=VI> thông báo lịch <i>tiếp công dân</i> định kỳ:<o:p></o:p></span></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span lang=VI style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]><span lang=VI>Thứ Năm: Chủ tịch Ủy ban nhân dân xã<o:p></o:p></span></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span lang=VI style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]><span lang=VI>Thứ Sáu: Phó Chủ tịch phụ trách văn hóa<o:p></o:p></span></p>
<p class=MsoNormal><span lang=VI>Xem chi tiết tại <a href="https://tanphu.example.gov.vn/tiep-cong-dan">Cổng thông tin xã</a>.<o:p></o:p></span></p>
<p class=MsoNormal><!--[if gte vml 1]><v:shape id="Picture_1"></v:shape><![endif]--><img width=64 height=64 src="IMAGE" alt="Trụ sở Ủy ban nhân dân xã"></p>
<!--EndFragment--></body></html>`

// paste dispatches a paste of html into the rich-text editor, as the
// browser does when Word's clipboard is pasted: the editor's own paste
// handling reads the clipboard data and must take the event.
func (c *chrome) paste(html, text string) {
	c.t.Helper()
	c.do(chromedp.WaitVisible(chromedp.CSS(".ql-editor")))
	c.pasting = true // until the form is sent (compose)
	h, _ := json.Marshal(html)
	p, _ := json.Marshal(text)
	taken := eval[bool](c, fmt.Sprintf(`(() => {
	  const ed = document.querySelector(".ql-editor");
	  ed.focus();
	  const data = new DataTransfer();
	  data.setData("text/html", %s);
	  data.setData("text/plain", %s);
	  const ev = new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true});
	  ed.dispatchEvent(ev);
	  return ev.defaultPrevented;
	})()`, h, p))
	if !taken {
		c.t.Fatal("the editor did not handle the paste")
	}
}

var postPath = regexp.MustCompile(`^/posts/(\d+)`)

// draft is a post as the officer fills in Soạn tin.
type draft struct {
	title    string
	body     func(c *chrome) // types or pastes the body
	channels []int64
	// at is the local time to publish; zero is Đăng ngay.
	at time.Time
}

// compose fills Soạn tin as a person would, submits it for approval, and
// returns the new post's id.
func (c *chrome) compose(d draft, check bool) int64 {
	c.t.Helper()
	c.do(chromedp.Navigate(c.base+"/posts/new"), chromedp.WaitVisible(chromedp.CSS(".ql-editor")))
	if check {
		c.checkPage("soan tin")
	}
	c.do(chromedp.SendKeys(chromedp.ID("f-title"), d.title),
		chromedp.SendKeys(chromedp.ID("f-summary"), "Tóm tắt: "+d.title))
	d.body(c)
	for _, ch := range d.channels {
		c.do(chromedp.Click(chromedp.ID(fmt.Sprintf("ch-%d", ch))))
	}
	if d.at.IsZero() {
		c.do(chromedp.Click(chromedp.ID("w-now")))
	} else {
		c.do(chromedp.Click(chromedp.ID("w-at")),
			chromedp.SendKeys(chromedp.ID("f-date"), d.at.Format("02/01/2006")),
			chromedp.SendKeys(chromedp.ID("f-time"), d.at.Format("15:04")))
	}
	if check {
		c.checkPage("soan tin da dien")
	}
	c.clickAndLoad(`#compose-form button[value="gui-duyet"]`)
	if c.pasting {
		c.checkConsole("soan tin (dan tu Word)")
		c.pasting = false
	}
	m := postPath.FindStringSubmatch(c.location())
	if m == nil {
		c.t.Fatalf("after Gửi duyệt: %s\n%s", c.location(), c.body())
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func (c client) postStatus(id int64) string {
	c.t.Helper()
	var p post
	c.mustDo("GET", fmt.Sprintf("/api/v1/posts/%d", id), nil, 200, &p)
	return p.Status
}

func (c client) postBody(id int64) string {
	c.t.Helper()
	var p struct {
		Body string `json:"body"`
	}
	c.mustDo("GET", fmt.Sprintf("/api/v1/posts/%d", id), nil, 200, &p)
	return p.Body
}

// deliveryTo is the post's delivery to channel.
func (c client) deliveryTo(postID, channel int64) delivery {
	c.t.Helper()
	var p post
	c.mustDo("GET", fmt.Sprintf("/api/v1/posts/%d", postID), nil, 200, &p)
	for _, d := range p.Deliveries {
		if d.ChannelID == channel {
			return d
		}
	}
	c.t.Fatalf("post %d has no delivery to channel %d", postID, channel)
	return delivery{}
}

// card is the text of the element sel finds, its <details> opened as a
// reader would; "" when there is none.
func (c *chrome) card(sel string) string {
	c.t.Helper()
	q, _ := json.Marshal(sel)
	return eval[string](c, fmt.Sprintf(`(() => {
	  const el = document.querySelector(%s);
	  if (!el) return "";
	  el.querySelectorAll("details").forEach(d => d.open = true);
	  return el.innerText;
	})()`, q))
}

// TestBrowser is the web UI in Chromium against the real binary: an
// officer composes (pasting from Word) and submits, an editor approves and
// rejects, Lịch đăng, Nhật ký gửi, Tổng quan and Thông báo show what
// happened, a failed delivery is sent again once its site is fixed; every
// page on the way is checked and photographed, and then a province admin
// opens every page of the route table.
func TestBrowser(t *testing.T) {
	sink, broken := newSwitchSink(t), newSwitchSink(t)
	broken.answer(http.StatusUnprocessableEntity)
	image := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/gif")
		w.Write([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	}))
	defer image.Close()
	e := env(t)
	e["LOA_TIMEZONE"] = "Asia/Ho_Chi_Minh"
	loc, err := time.LoadLocation(e["LOA_TIMEZONE"])
	if err != nil {
		t.Fatal(err)
	}
	loa := start(t, e)
	base := "http://" + loa.addr
	admin := client{t: t, base: base, token: adminToken}
	w := makeWorld(admin, sink, broken)
	c := newChrome(t, base)
	c.text.Allow(w.officer, w.editor, w.admin, w.webhookName, w.rssName, w.brokenName, "UBND xã Tân Phú", "tan-phu",
		"tin-tan-phu", "Thủ tục hành chính tỉnh", "Bản tin CCHC thứ Hai", "Đăng ký kết hôn có yếu tố nước ngoài",
		"QĐ-UBND", "admin") // the name Loa gives the first admin, author of the feed's items
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

	// The officer's posts: the notice pasted from Word goes out at once
	// (after approval) to the RSS feed and the commune's site; the second
	// at 00:30 local time two days on (the day before, in UTC); the third
	// goes to the site that refuses; the fourth is to be rejected.
	now := time.Now().In(loc)
	edge := time.Date(now.Year(), now.Month(), now.Day()+2, 0, 30, 0, 0, loc)
	type scenarioPost struct {
		draft
		id int64
	}
	typed := func(text string) func(c *chrome) {
		return func(c *chrome) { c.do(chromedp.SendKeys(chromedp.CSS(".ql-editor"), text)) }
	}
	notice := &scenarioPost{draft: draft{title: "Thông báo lịch tiếp công dân tháng này", channels: []int64{w.rssID, w.webhookID},
		body: func(c *chrome) {
			c.paste(strings.Replace(wordClipboard, "IMAGE", image.URL+"/tru-so.gif", 1),
				"Lịch tiếp công dân tháng này\nỦy ban nhân dân xã Tân Phú thông báo lịch tiếp công dân định kỳ")
		}}}
	tet := &scenarioPost{draft: draft{title: "Lịch trực Tết của Ủy ban nhân dân xã", channels: []int64{w.rssID}, at: edge,
		body: typed("Lịch trực Tết của các phòng, ban.")}}
	fee := &scenarioPost{draft: draft{title: "Thông báo thu phí vệ sinh môi trường", channels: []int64{w.brokenID},
		body: typed("Mức thu phí vệ sinh môi trường năm nay.")}}
	dup := &scenarioPost{draft: draft{title: "Tin trùng cần từ chối", channels: []int64{w.rssID}, at: now.Add(2 * time.Hour),
		body: typed("Nội dung trùng với tin đã đăng.")}}
	all := []*scenarioPost{notice, tet, fee, dup}
	for _, p := range all {
		c.text.Allow(p.title)
	}

	step("an officer composes, pasting from Word, and submits for approval", func(t *testing.T) {
		for i, p := range all {
			p.id = c.compose(p.draft, i == 0)
			if s := admin.postStatus(p.id); s != "pending_approval" {
				t.Fatalf("post %d by an officer: %s, want pending_approval", p.id, s)
			}
		}
		c.checkPage("tin da gui duyet")
		body := admin.postBody(notice.id)
		for _, want := range []string{"<h2>", "Lịch tiếp công dân tháng này", "<ul>", "<li>", "Thứ Sáu: Phó Chủ tịch",
			"<strong>Ủy ban nhân dân xã Tân Phú</strong>", "<em>tiếp công dân</em>",
			`href="https://tanphu.example.gov.vn/tiep-cong-dan"`, `<img`, image.URL + "/tru-so.gif"} {
			if !strings.Contains(body, want) {
				t.Errorf("the pasted body lost %q:\n%s", want, body)
			}
		}
		for _, junk := range []string{"mso-", "MsoNormal", "o:p", "<span", "style=", "StartFragment", "<!--"} {
			if strings.Contains(body, junk) {
				t.Errorf("the pasted body keeps Word's %q:\n%s", junk, body)
			}
		}
		c.open("duyet tin chuyen vien", "/approvals")
		c.mustSee("Chỉ Người duyệt hoặc Quản trị mới được duyệt", fmt.Sprintf("Tin số %d: %s", notice.id, notice.title))
	})

	step("an editor approves three and rejects one", func(t *testing.T) {
		c.logout()
		c.login(w.editor, browserPassword)
		c.open("duyet tin nguoi duyet", "/approvals")
		for _, p := range all {
			c.mustSee(fmt.Sprintf("Tin số %d: %s", p.id, p.title))
		}
		reject := fmt.Sprintf("#tin-%d", dup.id)
		c.do(chromedp.SendKeys(chromedp.CSS(reject+" textarea[name=reason]"), "Trùng nội dung với tin đã đăng"))
		c.clickAndLoad(reject + " .appr-reject button")
		c.mustSee(fmt.Sprintf("Đã từ chối tin số %d", dup.id))
		c.checkPage("da tu choi")
		for _, p := range []*scenarioPost{notice, tet, fee} {
			c.clickAndLoad(fmt.Sprintf(`#tin-%d form[action$="/approve"] button`, p.id))
			c.mustSee(fmt.Sprintf("Đã duyệt tin số %d", p.id))
		}
		c.checkPage("da duyet")
		if s := admin.postStatus(dup.id); s != "rejected" {
			t.Errorf("post %d after rejection: %s", dup.id, s)
		}
	})

	step("Lịch đăng shows each post on its local day", func(t *testing.T) {
		for _, p := range []*scenarioPost{notice, tet} {
			at := p.at
			if at.IsZero() {
				at = now
			}
			day := at.In(loc).Format("2006-01-02")
			c.open("lich dang "+day, "/calendar?view=month&date="+day)
			cell := c.card(fmt.Sprintf(`li.cal-day[data-date="%s"]`, day))
			before := c.card(fmt.Sprintf(`li.cal-day[data-date="%s"]`, at.In(loc).AddDate(0, 0, -1).Format("2006-01-02")))
			if !strings.Contains(cell, p.title) || strings.Contains(before, p.title) {
				t.Errorf("post %q at %s: its day %s shows %q; the day before shows %q", p.title, at, day, cell, before)
			}
		}
	})

	step("Nhật ký gửi shows the notice delivered with its attempts", func(t *testing.T) {
		web := admin.waitDelivery(notice.id, w.webhookID, "delivered", 30*time.Second)
		admin.waitDelivery(notice.id, w.rssID, "delivered", 10*time.Second)
		c.open("nhat ky gui", fmt.Sprintf("/deliveries?post=%d", notice.id))
		card := c.card(fmt.Sprintf("#luot-%d", web.ID))
		for _, want := range []string{"Đã đăng", w.webhookName, "Xem bài trên nền tảng", "Các lần thử (1)",
			"Lần 1 · ", "· Đã đăng · mã HTTP 201"} {
			if !strings.Contains(card, want) {
				t.Errorf("delivery %d in Nhật ký gửi lacks %q:\n%s", web.ID, want, card)
			}
		}
	})

	var failed delivery
	step("the refused delivery shows on Tổng quan", func(t *testing.T) {
		failed = admin.waitDelivery(fee.id, w.brokenID, "failed", 20*time.Second)
		c.open("tong quan co loi", "/")
		c.mustSee("Cần xử lý", fee.title, "Không thành công", w.brokenName)
	})

	step("Thông báo tells the editor, and Gửi lại sends it once the site is fixed", func(t *testing.T) {
		// The notifier reads events a minute old, every 15 s.
		for deadline := time.Now().Add(100 * time.Second); ; time.Sleep(2 * time.Second) {
			c.do(chromedp.Navigate(c.base + "/notifications"))
			if strings.Contains(c.body(), fee.title) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no notification of the failed delivery:\n%s", c.body())
			}
		}
		c.checkPage("thong bao")
		c.mustSee("không thành công")
		c.clickAndLoad(fmt.Sprintf(`ul.notifications a[href*="delivery=%d"]`, failed.ID))
		c.checkPage("luot gui loi")
		broken.answer(http.StatusCreated)
		c.clickAndLoad(fmt.Sprintf(`#luot-%d button[name=one][formaction="/deliveries/retry"]`, failed.ID))
		c.mustSee("Đã gửi lại 1 lượt gửi")
		admin.waitDelivery(fee.id, w.brokenID, "delivered", 30*time.Second)
		c.open("da gui lai", fmt.Sprintf("/deliveries?delivery=%d", failed.ID))
		card := c.card(fmt.Sprintf("#luot-%d", failed.ID))
		for _, want := range []string{"Các lần thử (2)", "Lần 1 · ", "· Không thành công · mã HTTP 422",
			"Lần 2 · ", "· Đã đăng · mã HTTP 201"} {
			if !strings.Contains(card, want) {
				t.Errorf("the retried delivery lacks %q:\n%s", want, card)
			}
		}
	})

	step("unknown address", func(t *testing.T) {
		c.openStatus("khong tim thay", "/trang-khong-co", http.StatusNotFound)
		c.mustSee("Không có trang nào ở địa chỉ này", "Về trang Tổng quan")
	})

	step("every page", func(t *testing.T) {
		c.logout()
		c.login(w.admin, browserPassword)
		c.crawl(w.ids(fee.id, failed.ID))
	})
}
