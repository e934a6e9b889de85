package radio

import (
	"fmt"
	"strconv"

	"github.com/loa-vn/loa/channels"
)

// Preview shows the item as it will be read (title, then text, through
// Speakable), its length in syllables and the edition it would go into if
// published now.
func (c *Channel) Preview(msg channels.Message) channels.Preview {
	now := c.now()
	scheduled := c.scheduled(msg)
	if scheduled.Before(now) {
		scheduled = now
	}
	key := c.Placement(scheduled, now, msg.Priority)
	item := ItemFromMessage(msg)
	lex := newLexicon(c.cfg.Abbreviations)
	title, titleNotes := speak(item.Title, lex)
	text, textNotes := speak(item.Text, lex)
	spoken := text
	if title != "" {
		spoken = joinNonEmpty(endSentence(title), text)
	}
	syllables := Syllables(spoken)
	secs := (syllables*60 + c.cfg.SyllablesPerMinute/2) / c.cfg.SyllablesPerMinute
	return channels.Preview{
		Text:   spoken,
		Length: syllables,
		Limit:  MaxItemSeconds * c.cfg.SyllablesPerMinute / 60,
		Unit:   SyllableUnit,
		Fields: map[string]string{
			"estimated_seconds": strconv.Itoa(secs),
			"edition":           key.String(),
			"edition_label":     key.Label(),
			"edition_url":       EditionURL(c.baseURL, c.channelID, key, "txt"),
			"priority_label":    PriorityLabel(item.Priority),
		},
		Warnings: previewWarnings(title, text, secs, addNotes(titleNotes, textNotes)),
	}
}

func joinNonEmpty(a, b string) string {
	if b == "" {
		return a
	}
	return a + " " + b
}

func addNotes(a, b speechNotes) speechNotes {
	return speechNotes{URLs: a.URLs + b.URLs, Emails: a.Emails + b.Emails, ProcedureCodes: a.ProcedureCodes + b.ProcedureCodes}
}

// previewWarnings are in Vietnamese for the person writing the item.
func previewWarnings(title, text string, secs int, notes speechNotes) []string {
	warnings := []string{}
	switch {
	case title == "" && text == "":
		warnings = append(warnings, "Tin không có nội dung để đọc: hãy nhập tiêu đề và nội dung.")
	case title == "":
		warnings = append(warnings, "Tin chưa có tiêu đề: mỗi tin trên loa được giới thiệu bằng tiêu đề, hãy nhập tiêu đề trước khi đăng.")
	case text == "":
		warnings = append(warnings, "Tin chỉ có tiêu đề, không có nội dung để đọc: hãy nhập nội dung hoặc văn bản riêng cho loa.")
	}
	if secs > MaxItemSeconds {
		warnings = append(warnings, fmt.Sprintf("Tin đọc mất khoảng %s, dài hơn 2 phút cho một tin: nên rút gọn để bà con dễ theo dõi.", formatDuration(secs)))
	}
	if notes.URLs > 0 {
		warnings = append(warnings, fmt.Sprintf("Đã bỏ %d đường dẫn (URL) vì không đọc được trên loa; nếu cần, hãy nói rõ nơi tra cứu bằng lời.", notes.URLs))
	}
	if notes.Emails > 0 {
		warnings = append(warnings, fmt.Sprintf("Đã bỏ %d địa chỉ thư điện tử vì khó nghe trên loa; nếu cần, hãy ghi số điện thoại liên hệ.", notes.Emails))
	}
	if notes.ProcedureCodes > 0 {
		warnings = append(warnings, fmt.Sprintf("Đã bỏ %d mã thủ tục hành chính vì quá dài để đọc; người nghe tra cứu theo tên thủ tục.", notes.ProcedureCodes))
	}
	return warnings
}
