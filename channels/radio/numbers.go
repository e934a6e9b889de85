package radio

import (
	"strconv"
	"strings"
)

// maxSpokenNumber is the largest integer read as a quantity; longer digit
// runs (account numbers, codes) are read digit by digit, which is also how
// a person would read them aloud.
const maxSpokenNumber = 999_999_999_999

var digitWords = [10]string{"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"}

// groupUnits name the thousand-groups from the lowest: units, nghìn, triệu, tỷ.
var groupUnits = [4]string{"", "nghìn", "triệu", "tỷ"}

// numberWords reads n (0 … 999 999 999 999) in Vietnamese words, e.g.
// 2021 → "hai nghìn không trăm hai mươi mốt". Empty thousand-groups are
// skipped ("một triệu năm trăm nghìn"); a group after a non-empty one is
// read in full with "không trăm" and "linh", as broadcasters do.
func numberWords(n uint64) string {
	if n == 0 {
		return digitWords[0]
	}
	if n > maxSpokenNumber {
		return digitsWords(strconv.FormatUint(n, 10))
	}
	var groups [4]int
	for i := range groups {
		groups[i] = int(n % 1000)
		n /= 1000
	}
	var words []string
	started := false
	for i := len(groups) - 1; i >= 0; i-- {
		if groups[i] == 0 {
			continue
		}
		words = append(words, tripleWords(groups[i], started))
		if groupUnits[i] != "" {
			words = append(words, groupUnits[i])
		}
		started = true
	}
	return strings.Join(words, " ")
}

// tripleWords reads 1 … 999. full is set for a group that follows a higher
// group, where the hundreds are always said ("không trăm linh năm").
func tripleWords(n int, full bool) string {
	h, t, u := n/100, n/10%10, n%10
	var words []string
	if full || h > 0 {
		words = append(words, digitWords[h], "trăm")
	}
	hundredsSaid := len(words) > 0
	switch {
	case t == 0 && u == 0:
	case t == 0:
		if hundredsSaid {
			words = append(words, "linh")
		}
		words = append(words, digitWords[u])
	case t == 1:
		words = append(words, "mười")
		if u > 0 {
			words = append(words, unitAfterTen(u))
		}
	default:
		words = append(words, digitWords[t], "mươi")
		if u > 0 {
			words = append(words, unitAfterTens(u))
		}
	}
	return strings.Join(words, " ")
}

// unitAfterTen is the unit after "mười": 15 is "mười lăm", 14 "mười bốn".
func unitAfterTen(u int) string {
	if u == 5 {
		return "lăm"
	}
	return digitWords[u]
}

// unitAfterTens is the unit after "… mươi": 21 "hai mươi mốt",
// 24 "hai mươi tư", 25 "hai mươi lăm".
func unitAfterTens(u int) string {
	switch u {
	case 1:
		return "mốt"
	case 4:
		return "tư"
	case 5:
		return "lăm"
	}
	return digitWords[u]
}

// digitsWords reads each digit of s on its own ("0912" → "không chín một
// hai"); characters other than digits are skipped.
func digitsWords(s string) string {
	words := make([]string, 0, len(s))
	for _, r := range s {
		if r >= '0' && r <= '9' {
			words = append(words, digitWords[r-'0'])
		}
	}
	return strings.Join(words, " ")
}

// intWords reads a run of ASCII digits as a quantity; leading zeros are
// not spoken ("03" → "ba") and over-long runs are read digit by digit.
func intWords(digits string) string {
	trimmed := strings.TrimLeft(digits, "0")
	if trimmed == "" {
		return digitWords[0]
	}
	if len(trimmed) > 12 {
		return digitsWords(digits)
	}
	n, err := strconv.ParseUint(trimmed, 10, 64)
	if err != nil {
		return digitsWords(digits)
	}
	return numberWords(n)
}

// fractionWords reads the digits after a decimal comma: one or two digits
// without a leading zero as a number ("2,25" → "hai mươi lăm"), anything
// else digit by digit ("2,05" → "không năm"), the usual broadcast reading.
func fractionWords(digits string) string {
	if len(digits) <= 2 && digits[0] != '0' {
		return intWords(digits)
	}
	return digitsWords(digits)
}

// ordinalWords reads n as it follows "thứ": 1 "nhất", 4 "tư", otherwise the
// cardinal ("thứ hai", "thứ mười bốn", "thứ hai mươi mốt").
func ordinalWords(n int) string {
	switch n {
	case 1:
		return "nhất"
	case 4:
		return "tư"
	}
	return numberWords(uint64(max(n, 0)))
}

// monthWords reads a month number after "tháng": April is "tháng tư".
func monthWords(m int) string {
	if m == 4 {
		return "tư"
	}
	return numberWords(uint64(max(m, 0)))
}
