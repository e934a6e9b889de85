package facebook

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/content"
)

const (
	endpointFeed   = "feed"
	endpointPhotos = "photos"

	// longTextRunes is where Preview starts warning: Facebook shows only the
	// first lines of a post and hides the rest behind "Xem thêm".
	longTextRunes = 2000
)

// post is what Publish sends for a message. Building it is deterministic so
// that Find can look for exactly the text an earlier attempt sent.
type post struct {
	endpoint string
	message  string
	link     string // feed only
	imageURL string // photos only
}

func buildPost(msg channels.Message) post {
	text := messageText(msg)
	link := strings.TrimSpace(msg.Link)
	image := strings.TrimSpace(msg.ImageURL)
	if image == "" {
		return post{endpoint: endpointFeed, message: text, link: link}
	}
	// Photo posts have no link field, so the link goes into the caption,
	// unless the channel-specific text already carries it.
	if link != "" && !strings.Contains(text, link) {
		text = joinParagraphs(text, link)
	}
	return post{endpoint: endpointPhotos, message: text, imageURL: image}
}

// messageText is msg.Text, or the title and summary as two paragraphs.
func messageText(msg channels.Message) string {
	text := strings.TrimSpace(msg.Text)
	if text == "" {
		text = joinParagraphs(strings.TrimSpace(msg.Title), strings.TrimSpace(msg.Summary))
	}
	// Text typed on different systems may mix Unicode forms; Facebook stores
	// bytes as sent, and Find compares bytes.
	return content.NFC(text)
}

func joinParagraphs(parts ...string) string {
	kept := make([]string, 0, len(parts))
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "\n\n")
}

// check refuses posts Graph would reject whatever the retry.
func (p post) check() error {
	if p.message == "" {
		return errors.New("facebook: the post has no text (title, summary and Facebook text are all empty); write a title or a Facebook text")
	}
	if n := utf8.RuneCountInString(p.message); n > MaxMessageRunes {
		return fmt.Errorf("facebook: the text is %d characters, over Facebook's limit of %d; shorten the Facebook text", n, MaxMessageRunes)
	}
	return nil
}

// form returns the Graph fields of p, without the access token.
func (p post) form() url.Values {
	v := url.Values{}
	v.Set("message", p.message)
	switch p.endpoint {
	case endpointPhotos:
		v.Set("url", p.imageURL)
	default:
		if p.link != "" {
			v.Set("link", p.link)
		}
	}
	return v
}

// Preview shows the text and fields Publish would send for msg.
func (f *Facebook) Preview(msg channels.Message) channels.Preview {
	p := buildPost(msg)
	n := utf8.RuneCountInString(p.message)
	fields := map[string]string{"endpoint": p.endpoint}
	if link := strings.TrimSpace(msg.Link); link != "" {
		fields["link"] = link
	}
	if p.imageURL != "" {
		fields["url"] = p.imageURL
	}
	return channels.Preview{
		Text:     p.message,
		Length:   n,
		Limit:    MaxMessageRunes,
		Unit:     "characters",
		Fields:   fields,
		Warnings: previewWarnings(n, fields["link"] != ""),
	}
}

func previewWarnings(n int, hasLink bool) []string {
	warnings := []string{}
	switch {
	case n == 0:
		warnings = append(warnings, "Bài không có nội dung chữ (tiêu đề, tóm tắt và nội dung riêng cho Facebook đều trống); Loa sẽ không đăng được lên Trang.")
	case n > MaxMessageRunes:
		warnings = append(warnings, fmt.Sprintf("Nội dung dài %d ký tự, vượt giới hạn %d ký tự của Facebook; hãy rút gọn trước khi đăng.", n, MaxMessageRunes))
	case n > longTextRunes:
		warnings = append(warnings, fmt.Sprintf("Nội dung rất dài (%d ký tự); trên Facebook người đọc chỉ thấy vài dòng đầu, phần còn lại bị ẩn sau nút “Xem thêm”.", n))
	}
	if !hasLink {
		warnings = append(warnings, "Bài không có liên kết; người đọc sẽ không có đường dẫn tới bài gốc trên cổng thông tin.")
	}
	return warnings
}
