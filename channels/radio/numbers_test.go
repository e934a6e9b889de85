package radio

import (
	"strings"
	"testing"
)

func TestNumberWords(t *testing.T) {
	tests := []struct {
		n    uint64
		want string
	}{
		{0, "không"},
		{1, "một"},
		{4, "bốn"},
		{5, "năm"},
		{10, "mười"},
		{11, "mười một"},
		{14, "mười bốn"},
		{15, "mười lăm"},
		{20, "hai mươi"},
		{21, "hai mươi mốt"},
		{24, "hai mươi tư"},
		{25, "hai mươi lăm"},
		{55, "năm mươi lăm"},
		{91, "chín mươi mốt"},
		{100, "một trăm"},
		{101, "một trăm linh một"},
		{104, "một trăm linh bốn"},
		{105, "một trăm linh năm"},
		{110, "một trăm mười"},
		{115, "một trăm mười lăm"},
		{121, "một trăm hai mươi mốt"},
		{1000, "một nghìn"},
		{1005, "một nghìn không trăm linh năm"},
		{1010, "một nghìn không trăm mười"},
		{2021, "hai nghìn không trăm hai mươi mốt"},
		{2026, "hai nghìn không trăm hai mươi sáu"},
		{10000, "mười nghìn"},
		{15000, "mười lăm nghìn"},
		{21000, "hai mươi mốt nghìn"},
		{100000, "một trăm nghìn"},
		{1500000, "một triệu năm trăm nghìn"},
		{1000005, "một triệu không trăm linh năm"},
		{1001000, "một triệu không trăm linh một nghìn"},
		{2000000000, "hai tỷ"},
		{1000000001, "một tỷ không trăm linh một"},
		{3050000000, "ba tỷ không trăm năm mươi triệu"},
		{999999999999, "chín trăm chín mươi chín tỷ chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín"},
		{1000000000000, "một " + strings.Repeat("không ", 11) + "không"},
	}
	for _, tt := range tests {
		if got := numberWords(tt.n); got != tt.want {
			t.Errorf("numberWords(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestNumberHelpers(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"leading zeros are not read", intWords("03"), "ba"},
		{"all zeros", intWords("0000"), "không"},
		{"zeros before a number", intWords("0012"), "mười hai"},
		{"over-long run digit by digit", intWords("0123456789012345"), "không một hai ba bốn năm sáu bảy tám chín không một hai ba bốn năm"},
		{"one fraction digit", fractionWords("5"), "năm"},
		{"two fraction digits", fractionWords("25"), "hai mươi lăm"},
		{"fraction with leading zero", fractionWords("05"), "không năm"},
		{"long fraction", fractionWords("125"), "một hai năm"},
		{"ordinal one", ordinalWords(1), "nhất"},
		{"ordinal two", ordinalWords(2), "hai"},
		{"ordinal four", ordinalWords(4), "tư"},
		{"ordinal fourteen", ordinalWords(14), "mười bốn"},
		{"ordinal twenty-one", ordinalWords(21), "hai mươi mốt"},
		{"April", monthWords(4), "tư"},
		{"November", monthWords(11), "mười một"},
		{"digits skip separators", digitsWords("09.12"), "không chín một hai"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
