package sources

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestItemKeySameItemSameKey(t *testing.T) {
	published := time.Date(2026, 11, 20, 1, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		a, b Item
	}{
		{"padded guid", Item{GUID: "\n  TTHC-2026-0042 \n"}, Item{GUID: "TTHC-2026-0042"}},
		{"NFD guid", Item{GUID: "ma\u0303-42"}, Item{GUID: "m\u00e3-42"}},
		{"guid wins over link", Item{GUID: "TTHC-1", Link: "https://a.gov.vn/1"}, Item{GUID: "TTHC-1", Link: "https://a.gov.vn/2"}},
		{"guid copied from link, host case", Item{GUID: "https://TTHC.tinhmau.gov.vn/tthc/1.html"}, Item{GUID: "https://tthc.tinhmau.gov.vn/tthc/1.html"}},
		{"padded link", Item{Link: "\n   https://tthc.tinhmau.gov.vn/tthc/1.html\n  "}, Item{Link: "https://tthc.tinhmau.gov.vn/tthc/1.html"}},
		{"link wrapped across lines", Item{Link: "https://tthc.tinhmau.gov.vn/tthc/\n   1.html"}, Item{Link: "https://tthc.tinhmau.gov.vn/tthc/1.html"}},
		{"HTTP vs http and host case", Item{Link: "HTTP://TTHC.TinhMau.GOV.VN/tthc/1.html"}, Item{Link: "http://tthc.tinhmau.gov.vn/tthc/1.html"}},
		{"default https port", Item{Link: "https://tthc.tinhmau.gov.vn:443/tthc/1.html"}, Item{Link: "https://tthc.tinhmau.gov.vn/tthc/1.html"}},
		{"default http port", Item{Link: "http://tthc.tinhmau.gov.vn:80/tthc/1.html"}, Item{Link: "http://tthc.tinhmau.gov.vn/tthc/1.html"}},
		{"fragment", Item{Link: "https://tthc.tinhmau.gov.vn/tthc/1.html#noi-dung"}, Item{Link: "https://tthc.tinhmau.gov.vn/tthc/1.html"}},
		{"trailing slash", Item{Link: "https://tthc.tinhmau.gov.vn/tthc/1/"}, Item{Link: "https://tthc.tinhmau.gov.vn/tthc/1"}},
		{"root path", Item{Link: "https://tthc.tinhmau.gov.vn"}, Item{Link: "https://tthc.tinhmau.gov.vn/"}},
		{"query order", Item{Link: "https://a.gov.vn/tin.aspx?ItemID=5&cat=2"}, Item{Link: "https://a.gov.vn/tin.aspx?cat=2&ItemID=5"}},
		{"utm params", Item{Link: "https://a.gov.vn/tin.aspx?ItemID=5&utm_source=rss&UTM_Medium=feed"}, Item{Link: "https://a.gov.vn/tin.aspx?ItemID=5"}},
		{"padded title", Item{Title: "\n  Công bố   thủ tục 1.001612.000.00.00.H01 \n", Published: published}, Item{Title: "Công bố thủ tục 1.001612.000.00.00.H01", Published: published}},
		{"title case", Item{Title: "CÔNG BỐ THỦ TỤC", Published: published}, Item{Title: "công bố thủ tục", Published: published}},
		{"NFD title", Item{Title: "Co\u0302ng bo\u0302\u0301"}, Item{Title: "C\u00f4ng b\u1ed1"}},
		{"date offset", Item{Title: "A", Published: published.In(time.FixedZone("+0700", 7*3600))}, Item{Title: "A", Published: published}},
		{"summary and image ignored", Item{Link: "https://a.gov.vn/1", Summary: "x", ImageURL: "https://a.gov.vn/a.jpg"}, Item{Link: "https://a.gov.vn/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ka, kb := ItemKey(tt.a), ItemKey(tt.b)
			if ka != kb {
				t.Fatalf("keys differ:\n%s\n%s", ka, kb)
			}
		})
	}
}

func TestItemKeyDifferentItemsDifferentKeys(t *testing.T) {
	published := time.Date(2026, 11, 20, 1, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		a, b Item
	}{
		{"different guid", Item{GUID: "TTHC-1"}, Item{GUID: "TTHC-2"}},
		{"different path", Item{Link: "https://a.gov.vn/tthc/1.html"}, Item{Link: "https://a.gov.vn/tthc/2.html"}},
		{"path case matters", Item{Link: "https://a.gov.vn/TTHC/1.html"}, Item{Link: "https://a.gov.vn/tthc/1.html"}},
		{"different query value", Item{Link: "https://a.gov.vn/tin.aspx?ItemID=5"}, Item{Link: "https://a.gov.vn/tin.aspx?ItemID=6"}},
		{"non-default port", Item{Link: "https://a.gov.vn:8443/1"}, Item{Link: "https://a.gov.vn/1"}},
		{"same title other date", Item{Title: "A", Published: published}, Item{Title: "A", Published: published.Add(time.Hour)}},
		{"guid vs same link", Item{GUID: "https://a.gov.vn/1"}, Item{Link: "https://a.gov.vn/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ka, kb := ItemKey(tt.a), ItemKey(tt.b); ka == kb {
				t.Fatalf("keys equal: %s", ka)
			}
		})
	}
}

func TestItemKeyForms(t *testing.T) {
	tests := []struct {
		name string
		it   Item
		want string
	}{
		{"opaque guid as written", Item{GUID: " TTHC-2026-0042 "}, "guid:TTHC-2026-0042"},
		{"URL guid normalised", Item{GUID: "https://A.gov.vn:443/x/?utm_campaign=1&b=2&a=1#f"}, "guid:https://a.gov.vn/x?a=1&b=2"},
		{"link normalised", Item{Link: "HTTPS://A.gov.vn/tthc/"}, "link:https://a.gov.vn/tthc"},
		{"relative link as written", Item{Link: " tthc/1.html "}, "link:tthc/1.html"},
		{"hash without date", Item{Title: " Công bố "}, "hash:" + sha256Hex("công bố|")},
		{"hash with date", Item{Title: "A", Published: time.Date(2026, 11, 20, 8, 30, 0, 0, time.FixedZone("+0700", 7*3600))}, "hash:" + sha256Hex("a|2026-11-20T01:30:00Z")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ItemKey(tt.it); got != tt.want {
				t.Fatalf("ItemKey = %q, want %q", got, tt.want)
			}
		})
	}
}

// Reversing the items of a feed (portals re-sort by date, or move an edited
// item to the top) must not change any item's key.
func TestItemKeyStableAcrossFeedOrder(t *testing.T) {
	body, err := os.ReadFile("testdata/tthc.rss")
	if err != nil {
		t.Fatal(err)
	}
	feed, err := Parse(body, rssURL)
	if err != nil {
		t.Fatal(err)
	}
	reversed, err := Parse(reverseItems(t, string(body)), rssURL)
	if err != nil {
		t.Fatal(err)
	}
	if len(reversed.Items) != len(feed.Items) {
		t.Fatalf("reversed feed has %d items, want %d", len(reversed.Items), len(feed.Items))
	}
	seen := map[string]bool{}
	for i, it := range feed.Items {
		other := reversed.Items[len(reversed.Items)-1-i]
		if other.Title != it.Title || other.Key != it.Key {
			t.Errorf("item %d: key %q in order, %q reversed", i, it.Key, other.Key)
		}
		if seen[it.Key] {
			t.Errorf("duplicate key %q", it.Key)
		}
		seen[it.Key] = true
	}
}

func reverseItems(t *testing.T, feed string) []byte {
	t.Helper()
	start := strings.Index(feed, "<item>")
	end := strings.LastIndex(feed, "</item>") + len("</item>")
	if start < 0 || end < start {
		t.Fatal("no items in feed")
	}
	parts := strings.SplitAfter(feed[start:end], "</item>")
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(parts[i])
	}
	return []byte(feed[:start] + b.String() + feed[end:])
}
