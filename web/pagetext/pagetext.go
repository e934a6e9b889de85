// Package pagetext tells which words of a page's visible text are not
// Vietnamese. The pages' own tests (server-side, on HTML) and the browser
// test (on what Chromium renders) share it, so both scans have one list of
// technical words a page may show untranslated. Only tests import it.
package pagetext

import (
	"regexp"
	"strings"
	"unicode"
)

// technical are the words a page may show untranslated: product and
// platform names and technical terms Vietnamese offices use as they are.
// Add a word only when no Vietnamese label would be clearer ("Word" is
// Microsoft Word, where officers paste from). The last
// line are the names platforms give the credentials an admin copies from
// their consoles (App ID, App Secret, access token, refresh token,
// signing secret), shown in parentheses after the Vietnamese label.
// File formats and sizes are named as offices name them (tệp Excel, PDF,
// MB); Roman numerals number quarters and sections (Quý II, mục IV).
var technical = wordSet(`loa rss atom zalo oa facebook wordpress webhook utc asia ho_chi_minh
	url email http https api id json txt wav smtp guid html word
	excel csv xlsx docx pdf jpeg png kb mb
	ii iii iv vi vii viii ix xi xii
	app secret signing access refresh token`)

// english are common English words a forgotten label would contain.
// Words that are also Vietnamese without diacritics ("a", "an", "to",
// "in", "no", "ban") are left out.
var english = wordSet(`the and or of on for with by from at is are was be not yes
	sign log login logout out password name user users post posts new draft submit save cancel retry
	approve approval approvals reject delete edit create update dashboard calendar channel channels delivery
	deliveries schedule schedules source sources agency agencies settings home today next failed error
	please try again wrong invalid forbidden unauthorized not found page back welcome status pending
	scheduled sending delivered retrying unconfirmed canceled rejected more less all none empty list
	title summary body time date zone hello submit send sent open close menu skip content main`)

func wordSet(words string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.Fields(words) {
		set[w] = true
	}
	return set
}

// syllable is a Vietnamese syllable written without diacritics: an
// initial consonant, a vowel group and a final consonant, each optional
// but the vowel. "thong", "nguyen", "quy" are syllables; "sign", "post",
// "user", "save" are not.
var syllable = regexp.MustCompile(`^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?` +
	`(uye|uya|uyu|ieu|yeu|oai|oay|oao|oeo|uoi|uou|uay|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ye|a|e|i|o|u|y)` +
	`(ch|ng|nh|[cmnpt])?$`)

// token is a run of letters (any script) or underscores: "Chưa" is one
// word, not "Ch" and "a".
var token = regexp.MustCompile(`[\p{L}\p{M}_]+`)

// notProse are whitespace-separated pieces that are addresses or
// identifiers rather than words: URLs, paths and formats (a/b, dd/mm),
// e-mail addresses, host and file names, names_with_underscores, template
// code ({{.Title}}), and anything with a digit in it (units such as
// 390px, codes such as 12a).
var notProse = regexp.MustCompile(`://|/|@|\w\.\w|_|[{}]|\d`)

// Words returns the words of visible text, leaving out addresses and
// identifiers (see notProse).
func Words(text string) []string {
	var out []string
	for _, piece := range strings.Fields(text) {
		if notProse.MatchString(piece) {
			continue
		}
		out = append(out, token.FindAllString(piece, -1)...)
	}
	return out
}

// Checker finds untranslated words. Strict also refuses any word written
// in ASCII letters only that is not a Vietnamese syllable — not just the
// common English words — which is what a scan of a whole rendered page
// needs; the pages' own tests, on fragments, use the word list alone.
type Checker struct {
	Strict  bool
	allowed map[string]bool
}

// Allow accepts the words of each text: the test's own data (names,
// titles, slugs) that a page shows as entered.
func (c *Checker) Allow(texts ...string) {
	if c.allowed == nil {
		c.allowed = map[string]bool{}
	}
	for _, t := range texts {
		for _, w := range token.FindAllString(t, -1) {
			c.allowed[strings.ToLower(w)] = true
		}
	}
}

// Untranslated returns the words of text that are English (or, when
// strict, not Vietnamese) and not allowed.
func (c *Checker) Untranslated(text string) []string {
	var bad []string
	for _, w := range Words(text) {
		lw := strings.ToLower(w)
		if technical[lw] || c.allowed[lw] {
			continue
		}
		if english[lw] || c.Strict && isASCII(lw) && len(lw) > 1 && !syllable.MatchString(lw) {
			bad = append(bad, w)
		}
	}
	return bad
}

func isASCII(w string) bool {
	for _, r := range w {
		if r > unicode.MaxASCII {
			return false
		}
	}
	return true
}
