package radio

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	openers    = "([{“‘«\"'"
	emptyPairs = "()[]{}“”‘’«»\"\"''"
	softStops  = ",;:"
	hardStops  = ".!?"
	closers    = "”’»\")]'"
)

// tidy collapses whitespace, joins stray punctuation to the word before it
// (what removing a URL or a code leaves behind), turns dashes into commas
// (a pause, and no token that a syllable count would include) and starts
// every sentence upper-case.
func tidy(s string) string {
	var out []string
	var marks []int // indexes in out of words next to a removal
	pending := ""
	for _, tok := range strings.Fields(splitHyphens(s)) {
		if strings.Contains(tok, removedMark) {
			tok = strings.ReplaceAll(tok, removedMark, "")
			if hasAlnum(tok) || tok == "" {
				marks = append(marks, len(out))
			} else {
				marks = append(marks, len(out)-1)
			}
		}
		tok = trimDashes(tok)
		if hasAlnum(tok) {
			out = append(out, pending+tok)
			pending = ""
			continue
		}
		punct := dropEmptyPairs(strings.Map(dashToComma, tok))
		switch {
		case punct == "":
		case strings.Trim(punct, openers) == "":
			pending += punct
		case len(out) > 0:
			out[len(out)-1] = attachPunct(out[len(out)-1], punct)
		}
	}
	out = dropEmptiedSentences(out, marks)
	capitalizeSentences(out)
	return strings.Join(out, " ")
}

// dropEmptiedSentences removes the sentences that, once a URL or address
// was taken out, only point at it: "Chi tiết xem tại …" leaves "Chi tiết.",
// which means nothing on air.
func dropEmptiedSentences(words []string, marks []int) []string {
	if len(marks) == 0 {
		return words
	}
	filler := pointerWords()
	var kept []string
	start := 0
	for i, w := range words {
		last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(w, closers))
		if i < len(words)-1 && !strings.ContainsRune(hardStops, last) {
			continue
		}
		sentence := words[start : i+1]
		if !(markedBetween(marks, start, i, len(words)) && allIn(sentence, filler)) {
			kept = append(kept, sentence...)
		}
		start = i + 1
	}
	return kept
}

func markedBetween(marks []int, from, to, n int) bool {
	for _, m := range marks {
		m = min(max(m, 0), n-1)
		if m >= from && m <= to {
			return true
		}
	}
	return false
}

func allIn(words []string, set map[string]bool) bool {
	for _, w := range words {
		if !set[strings.ToLower(strings.TrimFunc(w, func(r rune) bool { return !isAlnum(r) }))] {
			return false
		}
	}
	return true
}

// pointerWords are the words of a sentence that only points somewhere.
func pointerWords() map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields("chi tiết xem tại truy cập thêm thông tin mời bà con vui lòng quý vị độc giả đọc " +
		"liên hệ tham khảo qua địa chỉ ở email e-mail website trang link đường dẫn hoặc và theo cổng thư điện tử gửi về") {
		set[w] = true
	}
	return set
}

// splitHyphens replaces a hyphen between two letters or digits with a
// space: "Covid-mười chín", "Bà Rịa-Vũng Tàu" are read as separate words.
func splitHyphens(s string) string {
	runes := []rune(s)
	for i := 1; i+1 < len(runes); i++ {
		if isDash(runes[i]) && isAlnum(runes[i-1]) && isAlnum(runes[i+1]) {
			runes[i] = ' '
		}
	}
	return string(runes)
}

// trimDashes drops a dash that starts a word ("-Tuyên truyền", a list
// marker) and turns one that ends it into a comma.
func trimDashes(tok string) string {
	if !hasAlnum(tok) {
		return tok
	}
	tok = strings.TrimLeftFunc(tok, isDash)
	trimmed := strings.TrimRightFunc(tok, isDash)
	if trimmed != tok {
		return trimmed + ","
	}
	return tok
}

func isDash(r rune) bool { return r == '-' || r == '–' || r == '—' }

func dashToComma(r rune) rune {
	if isDash(r) {
		return ','
	}
	return r
}

func dropEmptyPairs(s string) string {
	for {
		before := s
		for i := 0; i+1 < len(emptyPairs); {
			open, n1 := utf8.DecodeRuneInString(emptyPairs[i:])
			closing, n2 := utf8.DecodeRuneInString(emptyPairs[i+n1:])
			s = strings.ReplaceAll(s, string(open)+string(closing), "")
			i += n1 + n2
		}
		if s == before {
			return s
		}
	}
}

// attachPunct appends punctuation to word, merging with what the word
// already ends in: a comma after a full stop is dropped, a full stop after
// a colon replaces it, a repeated mark is not doubled.
func attachPunct(word, punct string) string {
	for _, c := range punct {
		last, size := utf8.DecodeLastRuneInString(word)
		switch {
		case strings.ContainsRune(softStops, c) && strings.ContainsRune(hardStops+softStops+"…", last):
		case strings.ContainsRune(hardStops, c) && strings.ContainsRune(softStops, last):
			word = word[:len(word)-size] + string(c)
		case c == last && strings.ContainsRune(hardStops, c):
		default:
			word += string(c)
		}
	}
	return word
}

// capitalizeSentences upper-cases the first letter of the text and of each
// word that follows a sentence end.
func capitalizeSentences(words []string) {
	startOfSentence := true
	for i, w := range words {
		if startOfSentence {
			words[i] = upperFirstLetter(w)
		}
		last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(w, closers))
		startOfSentence = strings.ContainsRune(hardStops, last)
	}
}

func upperFirstLetter(w string) string {
	for i, r := range w {
		if unicode.IsLetter(r) {
			return w[:i] + string(unicode.ToUpper(r)) + w[i+utf8.RuneLen(r):]
		}
		if unicode.IsDigit(r) {
			return w
		}
	}
	return w
}
