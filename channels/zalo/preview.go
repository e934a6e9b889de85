package zalo

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/loa-vn/loa/channels"
)

// Preview shows the article Publish would create for msg: Text is the title
// as Zalo will show it, Fields the other values sent (never a credential).
func (z *Zalo) Preview(msg channels.Message) channels.Preview {
	d := z.compose(msg)
	a := d.article
	broadcast := "không"
	if z.broadcast {
		broadcast = "có"
	}
	return channels.Preview{
		Text:   a.Title,
		Length: utf8.RuneCountInString(a.Title),
		Limit:  maxTitleRunes,
		Unit:   "characters",
		Fields: map[string]string{
			"title":       a.Title,
			"author":      a.Author,
			"description": a.Description,
			"cover":       a.Cover.PhotoURL,
			"body_blocks": strconv.Itoa(len(a.Body)),
			"broadcast":   broadcast,
		},
		Warnings: z.previewWarnings(msg, d),
	}
}

func (z *Zalo) previewWarnings(msg channels.Message, d draft) []string {
	warnings := []string{}
	if d.article.Title == "" {
		warnings = append(warnings, "Bài không có tiêu đề; Zalo không nhận bài viết không có tiêu đề.")
	}
	if d.titleCut {
		warnings = append(warnings, fmt.Sprintf("Tiêu đề dài %d ký tự, vượt giới hạn %d ký tự của Zalo; Loa đã cắt còn %d ký tự.",
			d.titleRunes, maxTitleRunes, utf8.RuneCountInString(d.article.Title)))
	}
	if d.descCut {
		warnings = append(warnings, fmt.Sprintf("Mô tả dài %d ký tự, vượt giới hạn %d ký tự của Zalo; Loa đã cắt còn %d ký tự.",
			d.descRunes, maxDescriptionRunes, utf8.RuneCountInString(d.article.Description)))
	}
	if d.article.Cover.PhotoURL == "" {
		warnings = append(warnings, "Thiếu ảnh bìa: Zalo bắt buộc có ảnh bìa; hãy thêm ảnh minh hoạ cho bài hoặc đặt ảnh bìa mặc định (default_cover_url) cho kênh.")
	}
	if z.broadcast {
		at := msg.ScheduledAt
		if at.IsZero() {
			at = z.now()
		}
		if local := at.In(z.zone); !inSendingHours(local) {
			warnings = append(warnings, fmt.Sprintf("Giờ gửi dự kiến %s nằm ngoài khung 06:00–20:00 mà Zalo cho phép gửi tin tới người quan tâm; bài vẫn được đăng nhưng sẽ không được gửi thông báo.",
				local.Format("15:04")))
		}
	}
	return warnings
}
