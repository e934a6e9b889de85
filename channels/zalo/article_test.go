package zalo

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/platform"
)

func TestHTMLBlocks(t *testing.T) {
	tests := []struct {
		name string
		html string
		want string // JSON of the blocks
	}{
		{name: "empty", html: "", want: `null`},
		{name: "paragraphs", html: "<p>Một</p>\n<p>  Hai\n ba </p>",
			want: `[{"type":"text","content":"Một"},{"type":"text","content":"Hai ba"}]`},
		{name: "inline markup and entities", html: `<p>Giờ <b>làm việc</b>: 7h30 &amp; <a href="https://x.vn" rel="nofollow">xem</a></p>`,
			want: `[{"type":"text","content":"Giờ làm việc: 7h30 & xem"}]`},
		{name: "line breaks kept", html: "<p>Dòng 1<br>Dòng 2<br/></p>",
			want: `[{"type":"text","content":"Dòng 1\nDòng 2"}]`},
		{name: "image between paragraphs", html: `<p>Trước <img src="https://cdn.vn/a.jpg" alt=" Ảnh  A "> sau</p>`,
			want: `[{"type":"text","content":"Trước"},{"type":"image","url":"https://cdn.vn/a.jpg","caption":"Ảnh A"},{"type":"text","content":"sau"}]`},
		{name: "relative and data images dropped", html: `<img src="/a.jpg"><img src="data:image/png;base64,AAAA"><p>Chữ</p>`,
			want: `[{"type":"text","content":"Chữ"}]`},
		{name: "lists and headings", html: "<h2>Hồ sơ</h2><ul><li>CCCD</li><li>Tờ khai</li></ul>",
			want: `[{"type":"text","content":"Hồ sơ"},{"type":"text","content":"• CCCD"},{"type":"text","content":"• Tờ khai"}]`},
		{name: "table rows", html: "<table><tr><td>Thứ Hai</td><td>7h30</td></tr><tr><td>Thứ Ba</td><td>8h</td></tr></table>",
			want: `[{"type":"text","content":"Thứ Hai 7h30"},{"type":"text","content":"Thứ Ba 8h"}]`},
		{name: "bare text", html: "Chỉ có chữ", want: `[{"type":"text","content":"Chỉ có chữ"}]`},
		{name: "style text hidden", html: "<style>p{color:red}</style><p>Nội dung</p>", want: `[{"type":"text","content":"Nội dung"}]`},
		{name: "decomposed text becomes NFC", html: "<p>Tie\u0302\u0301ng Vie\u0323\u0302t</p>", want: `[{"type":"text","content":"Tiếng Việt"}]`},
		{name: "broken HTML", html: "<p>Mở <b>không đóng<p>Tiếp", want: `[{"type":"text","content":"Mở không đóng"},{"type":"text","content":"Tiếp"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := platform.MarshalUnescaped(htmlBlocks(tt.html))
			if string(got) != tt.want {
				t.Errorf("htmlBlocks =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestBodyBlocksFallBack(t *testing.T) {
	msg := channels.Message{Text: "Đoạn một.\n\nĐoạn hai.", Summary: "Tóm tắt"}
	got, _ := json.Marshal(bodyBlocks(msg))
	if want := `[{"type":"text","content":"Đoạn một."},{"type":"text","content":"Đoạn hai."}]`; string(got) != want {
		t.Errorf("from Text: %s", got)
	}
	got, _ = json.Marshal(bodyBlocks(channels.Message{Summary: "Tóm tắt", Link: "https://x.vn/1"}))
	if want := `[{"type":"text","content":"Tóm tắt"},{"type":"text","content":"Xem chi tiết: https://x.vn/1"}]`; string(got) != want {
		t.Errorf("from Summary: %s", got)
	}
}

func TestCutWords(t *testing.T) {
	tests := []struct {
		name    string
		s       string
		limit   int
		want    string
		wantCut bool
	}{
		{name: "fits", s: "Ngắn gọn", limit: 10, want: "Ngắn gọn"},
		{name: "exactly at limit", s: "Thông báo", limit: 9, want: "Thông báo"},
		{name: "cut at a word", s: "Thông báo lịch tiếp công dân", limit: 20, want: "Thông báo lịch tiếp…", wantCut: true},
		{name: "punctuation before the cut dropped", s: "Thông báo, lịch tiếp công dân", limit: 12, want: "Thông báo…", wantCut: true},
		{name: "one long word cut hard", s: strings.Repeat("ệ", 30), limit: 10, want: strings.Repeat("ệ", 9) + "…", wantCut: true},
		{name: "space too early is ignored", s: "A " + strings.Repeat("b", 30), limit: 10, want: "A " + strings.Repeat("b", 7) + "…", wantCut: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cut := cutWords(tt.s, tt.limit)
			if got != tt.want || cut != tt.wantCut {
				t.Errorf("cutWords = %q, %v; want %q, %v", got, cut, tt.want, tt.wantCut)
			}
			if n := utf8.RuneCountInString(got); n > tt.limit {
				t.Errorf("result has %d characters, limit %d", n, tt.limit)
			}
		})
	}
}

func TestPreview(t *testing.T) {
	longTitle := strings.Repeat("Thông báo về việc tổ chức tiếp công dân ", 5)
	tests := []struct {
		name         string
		edit         func(*config)
		msg          func(*channels.Message)
		wantTitle    string
		wantWarnings []string // substrings, in order
	}{
		{name: "clean", wantTitle: testMessage().Title},
		{name: "title and description cut", msg: func(m *channels.Message) {
			m.Title = longTitle
			m.Summary = strings.Repeat("Mô tả ", 80)
		}, wantWarnings: []string{"Tiêu đề dài 199 ký tự", "Mô tả dài 479 ký tự"}},
		{name: "no cover", edit: func(c *config) { c.DefaultCoverURL = "" }, wantTitle: testMessage().Title,
			wantWarnings: []string{"Thiếu ảnh bìa"}},
		{name: "broadcast in the evening", edit: func(c *config) { c.Broadcast = true }, wantTitle: testMessage().Title,
			msg: func(m *channels.Message) {
				m.ScheduledAt = time.Date(2026, 1, 15, 21, 15, 0, 0, time.FixedZone("ICT", 7*3600))
			},
			wantWarnings: []string{"Giờ gửi dự kiến 21:15 nằm ngoài khung 06:00–20:00"}},
		{name: "broadcast in the morning", edit: func(c *config) { c.Broadcast = true }, wantTitle: testMessage().Title},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSetup(t, tt.edit)
			z := s.channel(t, nil)
			msg := testMessage()
			if tt.msg != nil {
				tt.msg(&msg)
			}

			p := z.Preview(msg)

			if tt.wantTitle != "" && p.Text != tt.wantTitle {
				t.Errorf("Text = %q, want %q", p.Text, tt.wantTitle)
			}
			if p.Length != utf8.RuneCountInString(p.Text) || p.Limit != 150 || p.Length > p.Limit || p.Unit != "characters" {
				t.Errorf("Length %d, Limit %d, Unit %q", p.Length, p.Limit, p.Unit)
			}
			if p.Fields["title"] != p.Text || p.Fields["body_blocks"] != "4" || p.Fields["author"] != author {
				t.Errorf("Fields = %v", p.Fields)
			}
			if len(p.Warnings) != len(tt.wantWarnings) {
				t.Fatalf("Warnings = %q, want %d", p.Warnings, len(tt.wantWarnings))
			}
			for i, w := range tt.wantWarnings {
				if !strings.Contains(p.Warnings[i], w) {
					t.Errorf("warning %d = %q, want it to contain %q", i, p.Warnings[i], w)
				}
			}
			raw, _ := json.Marshal(p)
			assertNoSecret(t, "preview", string(raw))
			if len(s.f.events.all()) != 0 {
				t.Errorf("Preview called Zalo: %v", s.f.events.all())
			}
		})
	}
}
