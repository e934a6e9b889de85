package sources

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"github.com/loa-vn/loa/content"
	"os"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

const (
	rssURL    = "https://tthc.tinhmau.gov.vn/rss/thu-tuc-hanh-chinh.rss"
	atomURL   = "https://stp.tinhmau.gov.vn/feeds/tthc.atom"
	rssTitle  = "Cổng Dịch vụ công tỉnh Mẫu - Thủ tục hành chính"
	atomTitle = "Sở Tư pháp tỉnh Mẫu – Thủ tục hành chính"
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func ict(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, time.FixedZone("+0700", 7*3600))
}

func TestParseRSS(t *testing.T) {
	want := []Item{
		{
			// CDATA title and link padded with newlines; guid equal to the
			// link; root-relative image inside <a> before the summary.
			GUID:      "https://tthc.tinhmau.gov.vn/tthc/1.001612.000.00.00.H01.html",
			Title:     "Công bố thủ tục hành chính mới: 1.001612.000.00.00.H01 - Đăng ký thành lập hộ kinh doanh",
			Link:      "https://tthc.tinhmau.gov.vn/tthc/1.001612.000.00.00.H01.html",
			Summary:   "Quyết định số 1234/QĐ-UBND ngày 18/11/2026 của Chủ tịch UBND tỉnh công bố thủ tục hành chính mới trong lĩnh vực thành lập và hoạt động của hộ kinh doanh.",
			ImageURL:  "https://tthc.tinhmau.gov.vn/images/tthc/ho-kinh-doanh.jpg",
			Published: ict(2026, time.November, 20, 8, 30),
			Key:       "guid:https://tthc.tinhmau.gov.vn/tthc/1.001612.000.00.00.H01.html",
		},
		{
			// NFD title, root-relative link, no guid, multi-line summary.
			Title:     "Sửa đổi thủ tục 2.000305.000.00.00.H01 - Cấp bản sao trích lục hộ tịch",
			Link:      "https://tthc.tinhmau.gov.vn/tthc/2.000305.000.00.00.H01.html",
			Summary:   "Sửa đổi, bổ sung thời hạn giải quyết: từ 05 ngày làm việc xuống 03 ngày làm việc.",
			ImageURL:  "https://tthc.tinhmau.gov.vn/images/tthc/ho-tich.png",
			Published: ict(2026, time.November, 19, 16, 5),
			Key:       "link:https://tthc.tinhmau.gov.vn/tthc/2.000305.000.00.00.H01.html",
		},
		{
			// Path-relative link (resolved against /rss/), opaque guid,
			// entity-escaped description whose first image is a data:
			// placeholder and second a protocol-relative URL.
			GUID:      "TTHC-2026-0042",
			Title:     "Bãi bỏ thủ tục hành chính 1.004227.000.00.00.H01 - Cấp giấy phép kinh doanh karaoke",
			Link:      "https://tthc.tinhmau.gov.vn/rss/tthc/bai-bo/1.004227.000.00.00.H01.html",
			Summary:   "Bãi bỏ theo Quyết định số 1301/QĐ-BVHTTDL & văn bản hướng dẫn.",
			ImageURL:  "https://cdn.tinhmau.gov.vn/anh/bai-bo.jpg",
			Published: ict(2026, time.November, 18, 10, 0),
			Key:       "guid:TTHC-2026-0042",
		},
		{
			// Link kept as published; the key normalises host case, port,
			// utm_* and fragment. javascript: image dropped.
			GUID:      "https://TTHC.tinhmau.gov.vn:443/tthc/1.000894.000.00.00.H01.html?utm_source=rss&id=894#top",
			Title:     "Công bố danh mục thủ tục hành chính được thay thế: 1.000894.000.00.00.H01 - Đăng ký khai sinh",
			Link:      "https://TTHC.tinhmau.gov.vn:443/tthc/1.000894.000.00.00.H01.html?utm_source=rss&id=894#top",
			Summary:   "Thay thế thủ tục đăng ký khai sinh theo Nghị định mới.",
			Published: ict(2026, time.November, 17, 7, 15),
			Key:       "guid:https://tthc.tinhmau.gov.vn/tthc/1.000894.000.00.00.H01.html?id=894",
		},
		{
			// No guid, no date, NFD plain-text description.
			Title:   "Thông báo lịch tiếp nhận hồ sơ trực tuyến 1.001612.000.00.00.H01",
			Link:    "https://tthc.tinhmau.gov.vn/thong-bao/lich-tiep-nhan.html",
			Summary: "Bộ phận Một cửa tiếp nhận hồ sơ trực tuyến cả ngày thứ Bảy.",
			Key:     "link:https://tthc.tinhmau.gov.vn/thong-bao/lich-tiep-nhan.html",
		},
		{
			// Neither guid nor link: the key hashes title and date.
			Title:     "Hướng dẫn thực hiện thủ tục 1.000656.000.00.00.H01 - Cấp phiếu lý lịch tư pháp",
			Summary:   "Công dân có thể nộp hồ sơ qua Cổng Dịch vụ công quốc gia.",
			ImageURL:  "https://tthc.tinhmau.gov.vn/images/tthc/ly-lich.jpg",
			Published: ict(2026, time.November, 16, 9, 0),
			Key:       "hash:" + sha256Hex("hướng dẫn thực hiện thủ tục 1.000656.000.00.00.h01 - cấp phiếu lý lịch tư pháp|2026-11-16T02:00:00Z"),
		},
	}
	for i := range want {
		want[i].FeedTitle = rssTitle
	}
	feed := parseFile(t, "testdata/tthc.rss", rssURL)
	if feed.Title != rssTitle || feed.Link != "https://tthc.tinhmau.gov.vn/" {
		t.Errorf("feed = %q %q", feed.Title, feed.Link)
	}
	assertItems(t, feed.Items, want)
}

func TestParseAtom(t *testing.T) {
	want := []Item{
		{
			GUID:      "tag:stp.tinhmau.gov.vn,2026:tthc/1001612",
			Title:     "Công bố thủ tục hành chính mới 1.001612.000.00.00.H01 - Đăng ký thành lập hộ kinh doanh",
			Link:      "https://stp.tinhmau.gov.vn/tthc/1.001612.html",
			Summary:   "Công bố kèm theo Quyết định số 1234/QĐ-UBND.",
			ImageURL:  "https://stp.tinhmau.gov.vn/images/hkd.jpg",
			Published: ict(2026, time.November, 20, 8, 30),
			Key:       "guid:tag:stp.tinhmau.gov.vn,2026:tthc/1001612",
		},
		{
			// Only <updated>; summary from <content>. The space before the
			// full stop is content.PlainText spacing out the stripped </b>.
			GUID:      "https://stp.tinhmau.gov.vn/tthc/2.000305.html",
			Title:     "Sửa đổi thủ tục 2.000305.000.00.00.H01 - Cấp bản sao trích lục hộ tịch",
			Link:      "https://stp.tinhmau.gov.vn/feeds/tthc/2.000305.html",
			Summary:   "Rút ngắn thời hạn giải quyết còn 03 ngày .",
			Published: ict(2026, time.November, 19, 16, 5),
			Key:       "guid:https://stp.tinhmau.gov.vn/tthc/2.000305.html",
		},
		{
			// A urn: id is not a link.
			GUID:      "urn:uuid:6c1f6e2a-2f4e-4c55-9d7e-0b5d6c1b7a10",
			Title:     "Bãi bỏ thủ tục 1.004227.000.00.00.H01",
			Summary:   "Bãi bỏ theo quyết định của Bộ.",
			Published: time.Date(2026, time.November, 18, 10, 0, 0, 0, time.UTC),
			Key:       "guid:urn:uuid:6c1f6e2a-2f4e-4c55-9d7e-0b5d6c1b7a10",
		},
	}
	for i := range want {
		want[i].FeedTitle = atomTitle
	}
	feed := parseFile(t, "testdata/tthc.atom", atomURL)
	if feed.Title != atomTitle || feed.Link != "https://stp.tinhmau.gov.vn/" {
		t.Errorf("feed = %q %q", feed.Title, feed.Link)
	}
	assertItems(t, feed.Items, want)
}

func TestParseFeedURLCredentialsNotCopiedIntoLinks(t *testing.T) {
	body := []byte(`<rss version="2.0"><channel><title>T</title><item><title>A</title><link>/tthc/1.html</link></item></channel></rss>`)
	feed, err := Parse(body, "https://user:secret@tthc.tinhmau.gov.vn/rss/a.rss")
	if err != nil {
		t.Fatal(err)
	}
	if got := feed.Items[0].Link; got != "https://tthc.tinhmau.gov.vn/tthc/1.html" {
		t.Fatalf("link = %q", got)
	}
}

func TestParseWithoutFeedURLDropsRelativeLinks(t *testing.T) {
	body := []byte(`<rss version="2.0"><channel><title>T</title><item><title>A</title><link>/tthc/1.html</link></item></channel></rss>`)
	feed, err := Parse(body, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := feed.Items[0].Link; got != "" {
		t.Fatalf("link = %q, want empty", got)
	}
}

func TestParseBroken(t *testing.T) {
	tests := []struct {
		name, body, kind string
	}{
		{"HTML page", "<!DOCTYPE html>\n<html lang=\"vi\"><head><title>Trang chủ</title></head><body>Cổng thông tin</body></html>", KindNotAFeed},
		{"XHTML page", `<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><body>x</body></html>`, KindNotAFeed},
		{"empty", "  \n", KindNotAFeed},
		{"garbage", "Lỗi hệ thống, vui lòng thử lại sau", KindParse},
		{"truncated XML", `<?xml version="1.0"?><rss version="2.0"><channel><item><title>Công bố`, KindParse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.body), rssURL)
			fe := asFetchError(t, err)
			if fe.Kind != tt.kind {
				t.Fatalf("kind = %q (%v), want %q", fe.Kind, err, tt.kind)
			}
		})
	}
}

func TestParseHTMLMessageHelps(t *testing.T) {
	_, err := Parse([]byte("<!doctype html><html></html>"), rssURL)
	want := "feed address returned a web page (HTML), not an RSS or Atom feed; check the feed URL"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

func parseFile(t *testing.T, path, feedURL string) Feed {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if norm.NFC.IsNormal(body) {
		t.Fatalf("%s should contain NFD text to exercise normalisation", path)
	}
	feed, err := Parse(body, feedURL)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return feed
}

func assertItems(t *testing.T, got, want []Item) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d items, want %d", len(got), len(want))
	}
	for i := range want {
		t.Run(want[i].Title, func(t *testing.T) {
			assertItem(t, got[i], want[i])
		})
	}
}

func assertItem(t *testing.T, got, want Item) {
	t.Helper()
	fields := []struct{ name, got, want string }{
		{"GUID", got.GUID, want.GUID},
		{"Title", got.Title, want.Title},
		{"Link", got.Link, want.Link},
		{"Summary", got.Summary, want.Summary},
		{"ImageURL", got.ImageURL, want.ImageURL},
		{"Key", got.Key, want.Key},
		{"FeedTitle", got.FeedTitle, want.FeedTitle},
	}
	for _, f := range fields {
		if f.got != f.want {
			t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
		}
		if !norm.NFC.IsNormalString(f.got) {
			t.Errorf("%s = %q is not NFC", f.name, f.got)
		}
	}
	if !got.Published.Equal(want.Published) {
		t.Errorf("Published = %v, want %v", got.Published, want.Published)
	}
	if got.Published.Location() != time.UTC {
		t.Errorf("Published location = %v, want UTC", got.Published.Location())
	}
}

func asFetchError(t *testing.T, err error) *FetchError {
	t.Helper()
	var fe *FetchError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v (%T), want *FetchError", err, err)
	}
	return fe
}

// TestParseDropsCharactersLoaRefuses: a portal's feed with control
// characters from a pasted document, a C1 byte and a bidi override still
// gives a postable item, without them.
func TestParseDropsCharactersLoaRefuses(t *testing.T) {
	body := []byte("<rss version=\"2.0\"><channel><title>TTHC\u0085 t\u1ec9nh</title><item>" +
		"<title>C\u00f4ng b\u1ed1\u000b TTHC \u202emoi\u202c</title><guid isPermaLink=\"false\">id\u0007-1</guid>" +
		"<description>D\u00f2ng m\u1ed9t\u0080 \u2066x\u2069</description></item></channel></rss>")
	feed, err := Parse(body, "https://tthc.tinhmau.gov.vn/rss")
	if err != nil {
		t.Fatal(err)
	}
	it := feed.Items[0]
	for name, got := range map[string]string{"feed title": feed.Title, "title": it.Title, "guid": it.GUID, "summary": it.Summary} {
		if _, why, bad := content.BadChar(got, false); bad {
			t.Errorf("%s %q keeps %s", name, got, why)
		}
	}
	if it.Title != "Công bố TTHC moi" || it.Summary != "Dòng một x" || it.GUID != "id-1" {
		t.Errorf("item = %+v", it)
	}
	if _, errs := content.CleanPost(content.PostText{Title: it.Title, Summary: it.Summary}); len(errs) > 0 {
		t.Errorf("the item does not make a post: %v", errs)
	}
}
