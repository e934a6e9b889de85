package radio

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// numberPattern is a written number: digits with "." or "," between groups.
const numberPattern = `\d+(?:[.,]\d+)*`

// The rewrite rules of Speakable. The expressions are compiled once and
// never modified, so sharing them between goroutines is safe.
var (
	// linkLeadIn is the "tại địa chỉ:" that only makes sense before an
	// address; it goes with the address, so "Xem tại https://…" becomes
	// "Xem." rather than "Xem tại.".
	linkLeadIn = `(?i:(?:(?:xem|truy\s+cập|tham\s+khảo)\s+)?(?:(?:tại|qua|ở)\s+)?(?:(?:địa\s+chỉ|trang|website|đường\s+dẫn|link|liên\s+kết|e-?mail|thư\s+điện\s+tử)\s*:?\s*)?)`
	emailRe    = regexp.MustCompile(linkLeadIn + `[\p{L}\d._%+-]+@[\p{L}\d-]+(?:\.[\p{L}\d-]+)+`)
	urlRe      = regexp.MustCompile(linkLeadIn + `(?i:https?://|www\.)[^\s<>"“”'()\[\]]+`)
	domainRe   = regexp.MustCompile(linkLeadIn + `(?i:\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.(?:vn|com|net|org|gov|edu|info|io)\b)(?:/[^\s<>"“”'()]*)?`)
	// The national procedure database codes look like 1.001612.000.00.00.H01.
	procedureCodeRe = regexp.MustCompile(`(?:[Mm]ã(?:\s+số)?(?:\s+(?:thủ\s+tục|TTHC))?\s*:?\s*)?\b\d\.\d{6}(?:\.\d+)*(?:\.[A-Z]\d+)?`)
	phoneRe         = regexp.MustCompile(`(?:\+84[ .]?|\b0)\d(?:[ .-]?\d){7,9}`)
	// "số 25/KH-UBND", "61/2018/NĐ-CP", "1847/QĐ-TTg": symbol parts start
	// upper-case; a trailing lower-case letter allows "TTg".
	documentNumberRe = regexp.MustCompile(`(?:([Ss]ố)\s*:?\s*)?\b(\d{1,6})(?:/(\d{4}))?/(\p{Lu}[\p{Lu}\d&]*\p{Ll}?(?:-\p{Lu}[\p{Lu}\d&]*\p{Ll}?)*)`)
	dateRe           = regexp.MustCompile(`(?i)(?:(ngày)\s+)?\b(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{4})\b`)
	dayMonthRe       = regexp.MustCompile(`(?i)(ngày|từ|đến)\s+(\d{1,2})/(\d{1,2})\b`)
	monthRe          = regexp.MustCompile(`(?i)(tháng)\s+(\d{1,2})(?:\s*[/-]\s*(\d{4}))?\b`)
	quarterRe        = regexp.MustCompile(`(?i)(quý)\s+(IV|III|II|I|[1-4])(?:\s*[/-]\s*(\d{4})|\s+năm\s+(\d{4}))?`)
	timeRe           = regexp.MustCompile(`\b(\d{1,2})(?::(\d{2})|h(\d{2})?|g(\d{2}))`)
	ordinalRe        = regexp.MustCompile(`(?i)(thứ)\s+(\d{1,3})\b`)
	moneyRe          = regexp.MustCompile(`(` + numberPattern + `)\s?(đồng|đ|VNĐ|VND)`)
	rangeRe          = regexp.MustCompile(`(` + numberPattern + `)(\s?%)?\s?[-–]\s?(` + numberPattern + `)(\s?%)?`)
	ratioRe          = regexp.MustCompile(`(\d+)/(\d+)`)
	numberRe         = regexp.MustCompile(`(` + numberPattern + `)(\s?%)?`)
	symbolRe         = regexp.MustCompile(`[&%+°/@*#_|~^=<>\\•●▪■◦►]`)
	unitRe           = regexp.MustCompile(`^\s?(km/h|mm|cm|km²|km|m²|m³|m|ha|kg|°C)`)
	// squareRe writes "100 m2" as "100 m²" so the 2 is not read as a number.
	squareRe = regexp.MustCompile(`(\d)\s?(k?m)([23])\b`)

	thousandsRe = regexp.MustCompile(`^\d{1,3}(?:\.\d{3})+(?:,\d+)?$`)
	decimalRe   = regexp.MustCompile(`^\d+(?:,\d+)?$`)
	dottedRe    = regexp.MustCompile(`^\d+(?:\.\d+)+$`)
)

func (sp *speech) dropEmail(m match) (string, bool) {
	if !m.atWordStart() {
		return "", false
	}
	sp.notes.Emails++
	return removedMark + trailingStops(m.groups[0]), true
}

// dropURL removes a URL but keeps the sentence punctuation that followed
// it, which the expression cannot tell from the URL itself.
func (sp *speech) dropURL(m match) (string, bool) {
	if !m.atWordStart() {
		return "", false
	}
	sp.notes.URLs++
	return removedMark + trailingStops(m.groups[0]), true
}

func trailingStops(s string) string {
	return s[len(strings.TrimRight(s, ".,;:!?")):]
}

func (sp *speech) dropProcedureCode(m match) (string, bool) {
	if !m.atWordEnd() || !m.atWordStart() {
		return "", false
	}
	sp.notes.ProcedureCodes++
	return removedMark, true
}

// readPhone reads 0xxx xxx xxx digit by digit, a pause between groups.
func readPhone(m match) (string, bool) {
	raw := m.groups[0]
	digits := countDigits(raw)
	international := strings.HasPrefix(raw, "+")
	if (international && digits != 11 && digits != 12) || (!international && digits != 10 && digits != 11) {
		return "", false
	}
	if !m.atWordEnd() {
		return "", false
	}
	groups := strings.FieldsFunc(raw, func(r rune) bool { return r == ' ' || r == '.' || r == '-' })
	if len(groups) == 1 && !international {
		groups = splitPhone(raw)
	}
	words := make([]string, len(groups))
	for i, g := range groups {
		words[i] = digitsWords(g)
		if strings.HasPrefix(g, "+") {
			words[i] = "cộng " + words[i]
		}
	}
	return strings.Join(words, ", "), true
}

// splitPhone groups an unbroken number the way it is usually written:
// 0912 345 678, or 0256 3822 123 for an eleven-digit landline.
func splitPhone(s string) []string {
	if len(s) == 11 {
		return []string{s[:4], s[4:8], s[8:]}
	}
	return []string{s[:4], s[4:7], s[7:]}
}

// readDocumentNumber implements the document-number reading described on
// Speakable.
func (sp *speech) readDocumentNumber(m match) (string, bool) {
	if !m.atWordEnd() {
		return "", false
	}
	keys, units := sp.symbolUnits(strings.Split(m.groups[4], "-"))
	number := "số " + intWords(m.groups[2])
	if m.has(3) {
		number += " năm " + intWords(m.groups[3])
	}
	spoken := number + ", ký hiệu " + strings.Join(units, ", ")
	// A written "số" is part of the match, so m.before ends where a named
	// type would: "Kế hoạch | số 25/KH-UBND".
	if tail, ok := afterNamedType(m.before, keys[0], units); ok {
		spoken = strings.TrimSpace(number + " " + tail)
	}
	if strings.HasPrefix(strings.TrimLeft(m.rest, " "), "ngày") {
		// A pause before the date, which belongs to the document.
		spoken += ","
	}
	return spoken, true
}

// symbolUnits reads symbol parts, joining runs of parts that form one key
// ("NĐ-CP", "LĐ-TB&XH"); a part no table knows is kept as written. It
// returns the units as written and as read.
func (sp *speech) symbolUnits(parts []string) (keys, readings []string) {
	for i := 0; i < len(parts); {
		n, key, reading := 1, parts[i], parts[i]
		for j := len(parts); j > i; j-- {
			joined := strings.Join(parts[i:j], "-")
			if r, ok := sp.lex.symbol[joined]; ok {
				n, key, reading = j-i, joined, r
				break
			}
		}
		keys = append(keys, key)
		readings = append(readings, reading)
		i += n
	}
	return keys, readings
}

// afterNamedType reports whether the words before a document number
// already name its type (the first unit's reading, or its code as in
// "QĐ số 12/QĐ-UBND"), and if so returns what is left to say: the rest of
// that reading ("của Chính phủ") and the issuers after "của".
func afterNamedType(before, typeKey string, units []string) (string, bool) {
	beforeWords := strings.Fields(before)
	typeWords := strings.Fields(units[0])
	if n := len(beforeWords); n > 0 && beforeWords[n-1] == typeKey {
		return namedTypeTail(nil, units[1:]), true
	}
	lowerBefore := strings.Fields(strings.ToLower(before))
	lowerType := strings.Fields(strings.ToLower(units[0]))
	for k := min(len(lowerType), len(lowerBefore)); k >= 1; k-- {
		if slices.Equal(lowerBefore[len(lowerBefore)-k:], lowerType[:k]) {
			return namedTypeTail(typeWords[k:], units[1:]), true
		}
	}
	return "", false
}

// namedTypeTail joins what follows an already named type: the rest of its
// reading, then the issuers ("của" introduces them unless the rest did).
func namedTypeTail(rest, issuers []string) string {
	tail := strings.Join(rest, " ")
	who := strings.Join(issuers, ", ")
	switch {
	case who == "":
		return tail
	case tail == "":
		return "của " + who
	}
	return tail + ", " + who
}

// expandAbbreviation replaces a whole-word table key. A key ending in a
// non-letter ("TP.") may be followed directly by a word ("TP.HCM").
func (sp *speech) expandAbbreviation(m match) (string, bool) {
	key := m.groups[0]
	last, _ := utf8.DecodeLastRuneInString(key)
	if !m.atWordStart() || (isAlnum(last) && !m.atWordEnd()) {
		return "", false
	}
	reading := dropRepeatedLead(m.before, sp.lex.text[key])
	if last == '.' && m.after == 0 {
		// "v.v." ending the text also ends its sentence.
		reading += "."
	}
	return reading, true
}

// dropRepeatedLead drops the first words of reading when the text just
// before already says them: "chỉ số SIPAS" is "chỉ số hài lòng …", not
// "chỉ số chỉ số hài lòng …".
func dropRepeatedLead(before, reading string) string {
	beforeWords := strings.Fields(strings.ToLower(before))
	words := strings.Fields(reading)
	lower := strings.Fields(strings.ToLower(reading))
	for k := min(len(words)-1, len(beforeWords)); k >= 1; k-- {
		if slices.Equal(beforeWords[len(beforeWords)-k:], lower[:k]) {
			return strings.Join(words[k:], " ")
		}
	}
	return reading
}

// readDate reads dd/mm/yyyy (also with "." or "-") as "ngày … tháng … năm …",
// without doubling a "ngày" already written.
func readDate(m match) (string, bool) {
	if m.groups[3] != m.groups[5] || (m.has(1) && !m.atWordStart()) {
		return "", false
	}
	day, month := atoi(m.groups[2]), atoi(m.groups[4])
	if !validDayMonth(day, month) {
		return "", false
	}
	return "ngày " + numberWords(uint64(day)) + " tháng " + monthWords(month) + " năm " + intWords(m.groups[6]), true
}

// readDayMonth reads "ngày 14/4" or "từ 14/4" (a date without year; bare
// "14/4" stays a ratio because it may be one).
func readDayMonth(m match) (string, bool) {
	if !m.atWordStart() || m.after == '/' {
		return "", false
	}
	day, month := atoi(m.groups[2]), atoi(m.groups[3])
	if !validDayMonth(day, month) {
		return "", false
	}
	spoken := "ngày " + numberWords(uint64(day)) + " tháng " + monthWords(month)
	if strings.ToLower(m.groups[1]) == "ngày" {
		return spoken, true
	}
	return m.groups[1] + " " + spoken, true
}

// readMonth reads "tháng 4" as "tháng tư" and "tháng 3/2021" as "tháng ba
// năm hai nghìn không trăm hai mươi mốt".
func readMonth(m match) (string, bool) {
	month := atoi(m.groups[2])
	if !m.atWordStart() || month < 1 || month > 12 || m.after == '/' {
		return "", false
	}
	spoken := "tháng " + monthWords(month)
	if m.has(3) {
		spoken += " năm " + intWords(m.groups[3])
	}
	return spoken, true
}

// readQuarter reads "Quý IV/2026" as "quý bốn năm hai nghìn không trăm hai
// mươi sáu".
func readQuarter(m match) (string, bool) {
	if !m.atWordStart() || !m.atWordEnd() {
		return "", false
	}
	q := map[string]int{"I": 1, "II": 2, "III": 3, "IV": 4}[strings.ToUpper(m.groups[2])]
	if q == 0 {
		q = atoi(m.groups[2])
	}
	spoken := "quý " + numberWords(uint64(q))
	switch {
	case m.has(3):
		spoken += " năm " + intWords(m.groups[3])
	case m.has(4):
		spoken += " năm " + intWords(m.groups[4])
	}
	return spoken, true
}

// readTime reads "07:30", "7h30", "7g30" and "7h"; zero minutes are not said.
func readTime(m match) (string, bool) {
	if !m.atWordEnd() || m.after == ':' {
		return "", false
	}
	hour := atoi(m.groups[1])
	minutes := m.groups[2] + m.groups[3] + m.groups[4]
	if hour > 24 || (minutes != "" && atoi(minutes) > 59) {
		return "", false
	}
	spoken := numberWords(uint64(hour)) + " giờ"
	if minutes != "" && atoi(minutes) > 0 {
		spoken += " " + intWords(minutes) + " phút"
	}
	return spoken, true
}

func readOrdinal(m match) (string, bool) {
	if !m.atWordStart() {
		return "", false
	}
	return strings.ToLower(m.groups[1]) + " " + ordinalWords(atoi(m.groups[2])), true
}

func readMoney(m match) (string, bool) {
	if !m.atWordEnd() || !numberStart(m) {
		return "", false
	}
	return numberTokenWords(m.groups[1]) + " đồng", true
}

// readRange reads "2021-2025" and "10–15%" with "đến".
func readRange(m match) (string, bool) {
	if !numberStart(m) || !m.atWordEnd() {
		return "", false
	}
	from := numberTokenWords(m.groups[1])
	if m.has(2) {
		from += " phần trăm"
	}
	to := numberTokenWords(m.groups[3])
	if m.has(4) || m.has(2) {
		to += " phần trăm"
	}
	return from + " đến " + to, true
}

// readRatio reads a simple fraction as one ("2/3" → "hai phần ba",
// "1/4" → "một phần tư") and anything else as a ratio ("12/15" → "mười hai
// trên mười lăm").
func readRatio(m match) (string, bool) {
	if !numberStart(m) || m.after == '/' || unicode.IsDigit(m.after) {
		return "", false
	}
	num, den := atoi(m.groups[1]), atoi(m.groups[2])
	if num >= 1 && num < den && den <= 10 {
		return numberWords(uint64(num)) + " phần " + ordinalAfterPhan(den), true
	}
	return intWords(m.groups[1]) + " trên " + intWords(m.groups[2]), true
}

// ordinalAfterPhan reads a denominator: "một phần tư", otherwise the cardinal.
func ordinalAfterPhan(den int) string {
	if den == 4 {
		return "tư"
	}
	return numberWords(uint64(den))
}

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

func readNumber(m match) (string, bool) {
	spoken := numberTokenWords(m.groups[1])
	if m.has(2) {
		spoken += " phần trăm"
	}
	return spoken, true
}

// readSymbol reads or drops a symbol left over after the other rules.
func readSymbol(m match) (string, bool) {
	switch m.groups[0] {
	case "&":
		return " và ", true
	case "%":
		return " phần trăm ", true
	case "+":
		return " cộng ", true
	case "°":
		return " độ ", true
	}
	return " ", true
}

// numberStart reports whether a number match does not continue a word or
// a longer number ("Covid-19" is not a range start).
func numberStart(m match) bool {
	r, _ := utf8.DecodeLastRuneInString(m.before)
	return m.before == "" || !(isAlnum(r) || r == '-' || r == '.' || r == ',' || r == '/')
}

// numberTokenWords reads one written number: "1.500.000", "2,5", "4.0".
func numberTokenWords(tok string) string {
	switch {
	case thousandsRe.MatchString(tok):
		return decimalWords(strings.ReplaceAll(tok, ".", ""))
	case decimalRe.MatchString(tok):
		return decimalWords(tok)
	case dottedRe.MatchString(tok):
		return joinNumberParts(strings.Split(tok, "."), " chấm ")
	}
	// Something like "1,2,3": read each number with a pause.
	return joinNumberParts(strings.FieldsFunc(tok, func(r rune) bool { return r == '.' || r == ',' }), ", ")
}

func decimalWords(tok string) string {
	whole, frac, ok := strings.Cut(tok, ",")
	if !ok {
		return intWords(whole)
	}
	return intWords(whole) + " phẩy " + fractionWords(frac)
}

func joinNumberParts(parts []string, sep string) string {
	words := make([]string, len(parts))
	for i, p := range parts {
		words[i] = intWords(p)
	}
	return strings.Join(words, sep)
}

func validDayMonth(day, month int) bool {
	return day >= 1 && day <= 31 && month >= 1 && month <= 12
}

// atoi reads a short run of ASCII digits the expressions already matched.
func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
