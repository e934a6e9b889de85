package wordpress

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/content"
)

// longTitle is where titles start to be cut in search results and in
// many themes' lists.
const longTitle = 70

// Preview shows the post Publish would create.
func (w *WordPress) Preview(msg channels.Message) channels.Preview {
	title := content.NFC(msg.Title)
	excerpt := content.NFC(msg.Summary)
	slug := Slug(title, msg.DeliveryID)
	if msg.DeliveryID <= 0 {
		// Not yet a delivery: the suffix is only known once it is.
		slug = joinSlug(titleSlug(title), slugMarker+"…")
	}
	return channels.Preview{
		Text:   title,
		Length: utf8.RuneCountInString(title),
		Unit:   "characters",
		Fields: map[string]string{
			"title":   title,
			"slug":    slug,
			"excerpt": excerpt,
			"status":  statusPublish,
		},
		Warnings: previewWarnings(msg, title, excerpt),
	}
}

func previewWarnings(msg channels.Message, title, excerpt string) []string {
	warnings := []string{}
	n := utf8.RuneCountInString(title)
	switch {
	case strings.TrimSpace(title) == "":
		warnings = append(warnings, "Bài chưa có tiêu đề: trang WordPress sẽ hiện bài không tên.")
	case n > longTitle:
		warnings = append(warnings, fmt.Sprintf(
			"Tiêu đề dài %d ký tự: quá %d ký tự thường bị cắt trên kết quả tìm kiếm và trong danh sách bài của nhiều giao diện.", n, longTitle))
	}
	if strings.TrimSpace(excerpt) == "" {
		warnings = append(warnings, "Chưa có tóm tắt: WordPress sẽ tự lấy đoạn đầu của nội dung làm đoạn trích.")
	}
	if content.PlainText(msg.BodyHTML) == "" && !strings.Contains(msg.BodyHTML, "<img") {
		warnings = append(warnings, "Nội dung bài trống: trang sẽ chỉ có tiêu đề và tóm tắt.")
	}
	if msg.ImageURL != "" {
		warnings = append(warnings, "Ảnh minh họa không được đặt làm ảnh đại diện của bài trên WordPress; nếu cần ảnh, hãy chèn ảnh vào nội dung.")
	}
	return warnings
}
