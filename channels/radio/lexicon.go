package radio

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// BuiltinAbbreviations returns a copy of the abbreviations expanded in
// running text (domain.md's table). A station's config adds entries or
// overrides these; its entries also apply inside document numbers.
func BuiltinAbbreviations() map[string]string {
	return map[string]string{
		"CCHC":       "cải cách hành chính",
		"TTHC":       "thủ tục hành chính",
		"UBND":       "Ủy ban nhân dân",
		"HĐND":       "Hội đồng nhân dân",
		"MTTQ":       "Mặt trận Tổ quốc",
		"CBCCVC":     "cán bộ, công chức, viên chức",
		"CB, CC, VC": "cán bộ, công chức, viên chức",
		"DVC":        "dịch vụ công",
		"DVCTT":      "dịch vụ công trực tuyến",
		"KH&CN":      "khoa học và công nghệ",
		"LĐ-TB&XH":   "Lao động - Thương binh và Xã hội",
		"TT&TT":      "Thông tin và Truyền thông",
		"QĐ":         "quyết định",
		"NĐ-CP":      "nghị định của Chính phủ",
		"TP":         "thành phố",
		// "TP." ends in a dot, so it also matches "TP.HCM" and keeps the
		// abbreviation's dot from being read as the end of a sentence.
		"TP.":       "thành phố",
		"HCM":       "Hồ Chí Minh",
		"SIPAS":     "chỉ số hài lòng của người dân, tổ chức",
		"PAR Index": "chỉ số cải cách hành chính",
		"v.v.":      "vân vân",
	}
}

// documentSymbolWords are read only inside document numbers
// ("25/KH-UBND"), where a short code is unambiguous: in running text
// "TT" or "KH" could be many things, so domain.md limits them to symbols.
func documentSymbolWords() map[string]string {
	return map[string]string{
		"KH":    "kế hoạch",
		"TT":    "thông tư",
		"NĐ":    "nghị định",
		"NQ":    "nghị quyết",
		"CT":    "chỉ thị",
		"TB":    "thông báo",
		"BC":    "báo cáo",
		"HD":    "hướng dẫn",
		"CV":    "công văn",
		"TTr":   "tờ trình",
		"KL":    "kết luận",
		"CP":    "Chính phủ",
		"TTg":   "Thủ tướng Chính phủ",
		"VPCP":  "Văn phòng Chính phủ",
		"BNV":   "Bộ Nội vụ",
		"SNV":   "Sở Nội vụ",
		"BTTTT": "Bộ Thông tin và Truyền thông",
		"TU":    "Tỉnh ủy",
		"ĐU":    "Đảng ủy",
	}
}

// lexicon is the merged expansion table of one station.
type lexicon struct {
	// text is expanded wherever it occurs as a whole word.
	text map[string]string
	// symbol is used for the parts of a document symbol.
	symbol map[string]string
	// textRe matches any key of text, longest first, or is nil when there is none.
	textRe *regexp.Regexp
}

func newLexicon(station map[string]string) *lexicon {
	text := BuiltinAbbreviations()
	symbol := documentSymbolWords()
	maps.Copy(symbol, text)
	for k, v := range station {
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k == "" || v == "" {
			continue
		}
		text[k] = v
		symbol[k] = v
	}
	return &lexicon{text: text, symbol: symbol, textRe: keysRegexp(text)}
}

// keysRegexp matches any key, preferring the longest: RE2 alternation is
// leftmost-first, so listing longer keys first makes "DVCTT" win over "DVC".
func keysRegexp(table map[string]string) *regexp.Regexp {
	keys := slices.Collect(maps.Keys(table))
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, func(a, b string) int {
		if la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b); la != lb {
			return lb - la
		}
		return strings.Compare(a, b)
	})
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = regexp.QuoteMeta(k)
	}
	return regexp.MustCompile(strings.Join(quoted, "|"))
}
