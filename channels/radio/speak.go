package radio

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/loa-vn/loa/content"
)

// Speakable rewrites text "for the ear", the way a commune announcer reads
// a bulletin. The rules, applied in this order:
//
//   - NFC; HTML and markup removed; every line but the last ends in
//     punctuation so that headings and list items get a pause; list markers
//     ("1.", "a)", "-", "I.") are dropped.
//   - E-mail addresses and URLs (http, https, www. and bare domains such as
//     dichvucong.gov.vn) are removed, with the words that only introduce
//     them ("xem tại", "địa chỉ:", "email"): nobody can follow a link by
//     ear. A sentence left with nothing but pointing words ("Chi tiết xem
//     tại https://…") is dropped.
//   - Procedure codes of the national procedure database
//     ("1.001612.000.00.00.H01", with a leading "mã"/"mã số") are removed:
//     twenty digits read aloud help no listener, who finds the procedure by
//     its name. Preview warns about every removal.
//   - Phone numbers (0 and 9–10 more digits, or +84) are read digit by
//     digit, a comma between the written groups.
//   - Document numbers "[số] N[/YYYY]/SYMBOL" are read as "số <N>[ năm
//     <YYYY>]" followed by the symbol. When the words just before already
//     name the document type ("Kế hoạch số 25/KH-UBND", "Nghị định
//     61/2018/NĐ-CP", "QĐ số 12/QĐ-UBND"), the type is not repeated and the
//     issuer follows with "của": "Kế hoạch số hai mươi lăm của Ủy ban nhân
//     dân", "Nghị định số sáu mươi mốt năm hai nghìn không trăm mười tám của
//     Chính phủ". Otherwise every symbol part is read after "ký hiệu": "số
//     25/KH-UBND" → "số hai mươi lăm, ký hiệu kế hoạch, Ủy ban nhân dân".
//     Parts are read from the expansion table (built-in, document-only
//     codes such as KH, TT, NQ, CT, TTg, then the station's), longest run of
//     parts first, so "NĐ-CP" and "LĐ-TB&XH" are one part; unknown parts
//     are kept as written. A following date gets a comma before it.
//   - Abbreviations: whole word, case-sensitive, longest first; the built-in
//     table merged with the station's. Words the text already says are not
//     repeated ("chỉ số SIPAS" → "chỉ số hài lòng …").
//   - Dates ("03/3/2021", "ngày 03/3/2021", "ngày 14/4", "tháng 3/2021"),
//     quarters ("Quý IV/2026"), times ("07:30", "7h30", "7h"), ordinals
//     ("thứ 4" → "thứ tư"), ranges ("2021-2025" → "… đến …"), fractions
//     and ratios ("2/3" → "hai phần ba", "12/15" → "mười hai trên mười
//     lăm"), money ("500.000đ" → "… đồng"), percentages and numbers (dot
//     thousands separators, comma decimals) are read in words, as are units
//     after a number (mm, cm, m, km, m², ha, kg, °C).
//   - Leftover symbols are dropped or read ("&" → "và"), dashes become
//     pauses, whitespace is collapsed, stray punctuation merged, and
//     sentences start upper-case.
func Speakable(text string, abbreviations map[string]string) string {
	out, _ := speak(text, newLexicon(abbreviations))
	return out
}

// Syllables counts the spoken syllables of s: Vietnamese writes one
// syllable per whitespace-separated word. Tokens without a letter or digit
// (a lone dash) are not said and not counted.
func Syllables(s string) int {
	n := 0
	for _, tok := range strings.Fields(s) {
		if hasAlnum(tok) {
			n++
		}
	}
	return n
}

// speechNotes counts what the rewrite removed, for Preview warnings.
type speechNotes struct {
	URLs, Emails, ProcedureCodes int
}

// segment is a piece of the text being rewritten. Done pieces are already
// spoken words and are not touched by later rules, so that, for example,
// the digits of a date are not also read as a ratio.
type segment struct {
	text string
	done bool
	// number is set on a spoken number, which a unit may follow.
	number bool
}

// speech is one rewrite in progress.
type speech struct {
	segs  []segment
	lex   *lexicon
	notes speechNotes
}

// match is one regular-expression match handed to a rule.
type match struct {
	groups []string
	// before is the unrewritten text before the match in its segment (or
	// the previous segment when that is blank); after is the rune after it.
	before string
	after  rune
	// rest is the unrewritten text after the match in its segment.
	rest string
}

func (m match) has(i int) bool { return m.groups[i] != "" }

// atWordStart reports whether the match does not continue a word. RE2's \b
// only knows ASCII letters, so rules starting with Vietnamese words use this.
func (m match) atWordStart() bool {
	r, _ := utf8.DecodeLastRuneInString(m.before)
	return m.before == "" || !isAlnum(r)
}

// atWordEnd reports whether no letter or digit follows the match.
func (m match) atWordEnd() bool { return m.after == 0 || !isAlnum(m.after) }

// rule rewrites one match; ok false leaves the match as it was.
type rule func(m match) (replacement string, ok bool)

// removedMark stands where a URL, address or code was removed, so that
// tidy can drop a sentence that removal left empty ("Chi tiết xem tại …").
// It is a private-use character, which no real text contains.
const removedMark = "\uE000"

func speak(text string, lex *lexicon) (string, speechNotes) {
	// The mark is reserved for removals; a stray one in the input is dropped.
	text = strings.ReplaceAll(text, removedMark, "")
	text = squareRe.ReplaceAllStringFunc(prepareLines(text), superscriptUnit)
	sp := &speech{segs: []segment{{text: text}}, lex: lex}
	sp.apply(emailRe, sp.dropEmail)
	sp.apply(urlRe, sp.dropURL)
	sp.apply(domainRe, sp.dropURL)
	sp.apply(procedureCodeRe, sp.dropProcedureCode)
	sp.apply(phoneRe, readPhone)
	sp.apply(documentNumberRe, sp.readDocumentNumber)
	if lex.textRe != nil {
		sp.apply(lex.textRe, sp.expandAbbreviation)
	}
	sp.apply(dateRe, readDate)
	sp.apply(dayMonthRe, readDayMonth)
	sp.apply(monthRe, readMonth)
	sp.apply(quarterRe, readQuarter)
	sp.apply(timeRe, readTime)
	sp.apply(ordinalRe, readOrdinal)
	sp.apply(moneyRe, readMoney)
	sp.apply(rangeRe, readRange)
	sp.apply(ratioRe, readRatio)
	sp.apply(numberRe, readNumber)
	sp.readUnits()
	sp.apply(symbolRe, readSymbol)
	return tidy(sp.join()), sp.notes
}

// apply runs r on every match of re in the segments not yet spoken.
func (sp *speech) apply(re *regexp.Regexp, r rule) {
	out := make([]segment, 0, len(sp.segs))
	for _, seg := range sp.segs {
		if seg.done {
			out = append(out, seg)
			continue
		}
		out = applyToSegment(out, seg.text, re, r)
	}
	sp.segs = out
}

func applyToSegment(out []segment, text string, re *regexp.Regexp, r rule) []segment {
	last := 0
	for _, loc := range re.FindAllStringSubmatchIndex(text, -1) {
		m := newMatch(text, loc)
		if strings.TrimSpace(m.before) == "" && len(out) > 0 {
			m.before = out[len(out)-1].text + m.before
		}
		repl, ok := r(m)
		if !ok {
			continue
		}
		out = appendRaw(out, text[last:loc[0]])
		out = append(out, segment{text: repl, done: true, number: startsWithDigit(m.groups[0])})
		last = loc[1]
	}
	return appendRaw(out, text[last:])
}

func newMatch(text string, loc []int) match {
	groups := make([]string, len(loc)/2)
	for i := range groups {
		if loc[2*i] >= 0 {
			groups[i] = text[loc[2*i]:loc[2*i+1]]
		}
	}
	after, _ := utf8.DecodeRuneInString(text[loc[1]:])
	if after == utf8.RuneError {
		after = 0
	}
	return match{groups: groups, before: text[:loc[0]], after: after, rest: text[loc[1]:]}
}

func appendRaw(out []segment, text string) []segment {
	if text == "" {
		return out
	}
	if n := len(out); n > 0 && !out[n-1].done {
		out[n-1].text += text
		return out
	}
	return append(out, segment{text: text})
}

// join puts the segments back together, with a space wherever a spoken
// piece would otherwise run into a word ("H" + "một" → "H một").
func (sp *speech) join() string {
	var b strings.Builder
	prev := rune(0)
	for _, seg := range sp.segs {
		if seg.text == "" {
			continue
		}
		first, _ := utf8.DecodeRuneInString(seg.text)
		if isAlnum(prev) && isAlnum(first) {
			b.WriteByte(' ')
		}
		b.WriteString(seg.text)
		prev, _ = utf8.DecodeLastRuneInString(seg.text)
	}
	return b.String()
}

func superscriptUnit(s string) string {
	m := squareRe.FindStringSubmatch(s)
	power := "²"
	if m[3] == "3" {
		power = "³"
	}
	return m[1] + " " + m[2] + power
}

func startsWithDigit(s string) bool {
	return s != "" && s[0] >= '0' && s[0] <= '9'
}

// readUnits reads a unit of measure written after a number ("150 mm" →
// "… mi-li-mét"); the same letters elsewhere are left alone.
func (sp *speech) readUnits() {
	units := unitWords()
	for i := 1; i < len(sp.segs); i++ {
		seg, prev := sp.segs[i], sp.segs[i-1]
		if seg.done || !prev.number {
			continue
		}
		loc := unitRe.FindStringSubmatchIndex(seg.text)
		if loc == nil {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(seg.text[loc[1]:]); isAlnum(r) {
			continue
		}
		reading := " " + units[seg.text[loc[2]:loc[3]]]
		sp.segs[i-1].text += reading
		sp.segs[i].text = seg.text[loc[1]:]
	}
}

func unitWords() map[string]string {
	return map[string]string{
		"mm": "mi-li-mét", "cm": "xăng-ti-mét", "m": "mét", "km": "ki-lô-mét",
		"m²": "mét vuông", "km²": "ki-lô-mét vuông", "m³": "mét khối",
		"ha": "héc-ta", "kg": "ki-lô-gam", "°C": "độ xê", "km/h": "ki-lô-mét một giờ",
	}
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func hasAlnum(s string) bool { return strings.IndexFunc(s, isAlnum) >= 0 }

var (
	blockEndRe   = regexp.MustCompile(`(?i)<br\s*/?>|</(?:p|div|li|h[1-6]|tr|blockquote|section|article)\s*>`)
	listMarkerRe = regexp.MustCompile(`^(?:[-–—+*•●▪◦►]+|\d{1,2}[.)]|[a-zđ]\)|[IVX]{1,4}\.)\s+`)
)

// prepareLines removes markup and ends every line but the last with
// punctuation, so that a heading or list item is followed by a pause when
// read aloud, then joins the lines.
func prepareLines(text string) string {
	if strings.Contains(text, "<") {
		text = blockEndRe.ReplaceAllString(text, "\n")
	}
	lines := strings.Split(content.MultilineText(text), "\n")
	kept := lines[:0]
	for _, line := range lines {
		line = strings.TrimSpace(listMarkerRe.ReplaceAllString(strings.TrimSpace(line), ""))
		if hasAlnum(line) {
			kept = append(kept, line)
		}
	}
	for i, line := range kept[:max(len(kept)-1, 0)] {
		last, _ := utf8.DecodeLastRuneInString(line)
		if !strings.ContainsRune(".!?…:;,", last) {
			kept[i] = line + "."
		}
	}
	return strings.Join(kept, " ")
}
