package radio

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/content"
)

// EditionKey names one broadcast: a local date and an air time.
type EditionKey struct {
	Date    string // YYYY-MM-DD
	AirTime string // HH:MM
}

// String is the key as stored in a delivery's external id: "2026-11-22T06:00".
func (k EditionKey) String() string { return k.Date + "T" + k.AirTime }

// ParseEditionKey reads "2026-11-22T06:00", refusing impossible dates and times.
func ParseEditionKey(s string) (EditionKey, error) {
	date, at, ok := strings.Cut(s, "T")
	if !ok || len(date) != len("2006-01-02") || len(at) != len("15:04") {
		return EditionKey{}, fmt.Errorf("radio: edition key %q is not of the form YYYY-MM-DDTHH:MM", s)
	}
	if _, err := time.Parse("2006-01-02T15:04", s); err != nil {
		return EditionKey{}, fmt.Errorf("radio: edition key %q is not a real date and time: %w", s, err)
	}
	return EditionKey{Date: date, AirTime: at}, nil
}

// Start is the moment the edition goes on air in loc.
func (k EditionKey) Start(loc *time.Location) (time.Time, error) {
	return time.ParseInLocation("2006-01-02T15:04", k.String(), loc)
}

// Label is the header line "Ngày 22/11/2026 – Buổi phát 06:00".
func (k EditionKey) Label() string {
	return "Ngày " + k.displayDate() + " – Buổi phát " + k.AirTime
}

// displayDate is the date as dd/mm/yyyy, or as stored if it is malformed.
func (k EditionKey) displayDate() string {
	d, err := time.Parse("2006-01-02", k.Date)
	if err != nil {
		return k.Date
	}
	return d.Format("02/01/2006")
}

func keyOf(t time.Time) EditionKey {
	return EditionKey{Date: t.Format("2006-01-02"), AirTime: t.Format("15:04")}
}

// Item is one delivered message of an edition.
type Item struct {
	DeliveryID int64
	Title      string
	// Text is the radio script source: msg.Text, else summary and plain body
	// (see ItemFromMessage).
	Text        string
	Priority    string
	ScheduledAt time.Time
}

// Edition is one broadcast's items with what is needed to read them.
type Edition struct {
	Station            string
	Key                EditionKey
	Items              []Item
	SyllablesPerMinute int
	Abbreviations      map[string]string
}

// BuildEdition orders items as they are read: khẩn cấp, ưu tiên, thông
// thường, then by schedule, then by delivery id.
func BuildEdition(cfg Config, key EditionKey, items []Item) Edition {
	sorted := make([]Item, len(items))
	for i, it := range items {
		it.Priority = normalisePriority(it.Priority)
		it.Title, it.Text = content.NFC(it.Title), content.NFC(it.Text)
		sorted[i] = it
	}
	slices.SortStableFunc(sorted, func(a, b Item) int {
		return cmp.Or(
			cmp.Compare(priorityRank(a.Priority), priorityRank(b.Priority)),
			a.ScheduledAt.Compare(b.ScheduledAt),
			cmp.Compare(a.DeliveryID, b.DeliveryID),
		)
	})
	spm := cfg.SyllablesPerMinute
	if spm <= 0 {
		spm = DefaultSyllablesPerMinute
	}
	return Edition{Station: cfg.Station, Key: key, Items: sorted, SyllablesPerMinute: spm, Abbreviations: cfg.Abbreviations}
}

func priorityRank(p string) int {
	switch p {
	case channels.PriorityEmergency:
		return 0
	case channels.PriorityHigh:
		return 1
	}
	return 2
}

// renderedItem is an item as read aloud.
type renderedItem struct {
	Item
	number    int
	line      string
	syllables int
}

// rendered is the spoken part of an edition.
type rendered struct {
	opening, closing string
	items            []renderedItem
	syllables        int
}

func (e Edition) render() rendered {
	lex := newLexicon(e.Abbreviations)
	say := func(s string) string { out, _ := speak(s, lex); return out }
	r := rendered{opening: say(e.openingText()), closing: say(e.closingText())}
	r.syllables = Syllables(r.opening) + Syllables(r.closing)
	for i, it := range e.Items {
		line := itemLine(i+1, it, lex)
		r.items = append(r.items, renderedItem{Item: it, number: i + 1, line: line, syllables: Syllables(line)})
		r.syllables += Syllables(line)
	}
	return r
}

// openingText is written with digits; Speakable reads them.
func (e Edition) openingText() string {
	intro := "Đây là " + e.Station + ". Kính thưa bà con, "
	when := e.Key.AirTime + ", " + e.weekday() + "ngày " + e.Key.displayDate()
	if len(e.Items) == 0 {
		return intro + "bản tin phát lúc " + when + " không có tin mới."
	}
	return intro + "sau đây là bản tin phát lúc " + when + "."
}

func (e Edition) closingText() string {
	return e.Station + " vừa phát xong bản tin lúc " + e.Key.AirTime + " ngày " + e.Key.displayDate() +
		". Xin cảm ơn bà con đã chú ý lắng nghe."
}

// weekday is "thứ Hai, " for the edition's date, or "" if it is malformed.
func (e Edition) weekday() string {
	d, err := time.Parse("2006-01-02", e.Key.Date)
	if err != nil {
		return ""
	}
	names := [...]string{"Chủ nhật", "thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy"}
	return names[d.Weekday()] + ", "
}

// itemLine is "Tin thứ nhất (khẩn cấp): <title>. <text>", all spoken.
func itemLine(n int, it Item, lex *lexicon) string {
	var b strings.Builder
	b.WriteString("Tin thứ " + ordinalWords(n))
	if it.Priority != channels.PriorityNormal {
		b.WriteString(" (" + PriorityLabel(it.Priority) + ")")
	}
	b.WriteString(":")
	title, _ := speak(it.Title, lex)
	if title != "" {
		b.WriteString(" " + endSentence(title))
	}
	if text, _ := speak(it.Text, lex); text != "" {
		b.WriteString(" " + endSentence(text))
	}
	return b.String()
}

// endSentence makes sure a title is followed by a pause before the text.
func endSentence(s string) string {
	last, size := utf8.DecodeLastRuneInString(s)
	switch {
	case strings.ContainsRune(hardStops+"…", last):
		return s
	case strings.ContainsRune(softStops, last):
		return s[:len(s)-size] + "."
	}
	return s + "."
}

// EstimatedSeconds is how long the spoken part takes at the edition's
// syllables per minute (header lines are not read).
func (e Edition) EstimatedSeconds() int {
	return e.seconds(e.render().syllables)
}

func (e Edition) seconds(syllables int) int {
	spm := e.SyllablesPerMinute
	if spm <= 0 {
		spm = DefaultSyllablesPerMinute
	}
	return (syllables*60 + spm/2) / spm
}

// SpokenText is what is read aloud: the opening, the items and the closing,
// one paragraph each. Synthesize it for the audio file.
func (e Edition) SpokenText() string {
	return e.render().spokenText()
}

func (r rendered) spokenText() string {
	paragraphs := []string{r.opening}
	for _, it := range r.items {
		paragraphs = append(paragraphs, it.line)
	}
	paragraphs = append(paragraphs, r.closing)
	return strings.Join(paragraphs, "\n\n") + "\n"
}

// Script is the edition's .txt file: a header for the operator, then the
// spoken text. It is NFC, as every piece went through Speakable or NFC.
func (e Edition) Script() string {
	r := e.render()
	header := []string{
		strings.ToUpper(content.NFC(e.Station)),
		"BẢN TIN PHÁT THANH",
		e.Key.Label(),
		"Thời lượng ước tính: " + formatDuration(e.seconds(r.syllables)),
		strings.Repeat("=", 40),
	}
	return strings.Join(header, "\n") + "\n\n" + r.spokenText()
}

// formatDuration writes seconds as "3 phút 20 giây", "45 giây" or "2 phút".
func formatDuration(secs int) string {
	m, s := secs/60, secs%60
	switch {
	case m == 0:
		return fmt.Sprintf("%d giây", s)
	case s == 0:
		return fmt.Sprintf("%d phút", m)
	}
	return fmt.Sprintf("%d phút %d giây", m, s)
}

type editionJSON struct {
	Station            string     `json:"station"`
	Date               string     `json:"date"`
	AirTime            string     `json:"air_time"`
	SyllablesPerMinute int        `json:"syllables_per_minute"`
	EstimatedSeconds   int        `json:"estimated_seconds"`
	Items              []itemJSON `json:"items"`
}

type itemJSON struct {
	Number           int    `json:"number"`
	DeliveryID       int64  `json:"delivery_id"`
	Priority         string `json:"priority"`
	PriorityLabel    string `json:"priority_label"`
	Title            string `json:"title"`
	Script           string `json:"script"`
	Syllables        int    `json:"syllables"`
	EstimatedSeconds int    `json:"estimated_seconds"`
}

// JSON is the edition's .json sidecar, indented, ending in a newline.
func (e Edition) JSON() ([]byte, error) {
	r := e.render()
	out := editionJSON{
		Station:            e.Station,
		Date:               e.Key.Date,
		AirTime:            e.Key.AirTime,
		SyllablesPerMinute: e.SyllablesPerMinute,
		EstimatedSeconds:   e.seconds(r.syllables),
		Items:              make([]itemJSON, 0, len(r.items)),
	}
	for _, it := range r.items {
		out.Items = append(out.Items, itemJSON{
			Number:           it.number,
			DeliveryID:       it.DeliveryID,
			Priority:         it.Priority,
			PriorityLabel:    PriorityLabel(it.Priority),
			Title:            it.Title,
			Script:           it.line,
			Syllables:        it.syllables,
			EstimatedSeconds: e.seconds(it.syllables),
		})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Titles may hold "&" or "<"; \u0026 is valid JSON but unreadable for operators.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("radio: encode edition: %w", err)
	}
	return buf.Bytes(), nil
}
