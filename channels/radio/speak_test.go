package radio

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

type speakCase struct {
	name string
	in   string
	abbr map[string]string
	want string
}

func speakCases() []speakCase {
	return []speakCase{
		{name: "empty", in: "", want: ""},
		{name: "only markup", in: "<p> </p>", want: ""},

		// Numbers.
		{name: "twenty-one and twenty-five", in: "có 21 thôn và 25 tổ", want: "Có hai mươi mốt thôn và hai mươi lăm tổ"},
		{name: "linh", in: "105 hộ", want: "Một trăm linh năm hộ"},
		{name: "year", in: "năm 2021", want: "Năm hai nghìn không trăm hai mươi mốt"},
		{name: "dot thousands", in: "hỗ trợ 1.500.000 đồng", want: "Hỗ trợ một triệu năm trăm nghìn đồng"},
		{name: "decimal comma", in: "tăng 2,5 lần", want: "Tăng hai phẩy năm lần"},
		{name: "decimal with zero", in: "đạt 0,05 điểm", want: "Đạt không phẩy không năm điểm"},
		{name: "thousands and decimal", in: "1.234,5 tấn", want: "Một nghìn hai trăm ba mươi tư phẩy năm tấn"},
		{name: "dotted version", in: "chuyển đổi số 4.0 và mục 2.1", want: "Chuyển đổi số bốn chấm không và mục hai chấm một"},
		{name: "over-long number", in: "mã 1234567890123", want: "Mã một hai ba bốn năm sáu bảy tám chín không một hai ba"},
		{name: "number in a name", in: "phòng chống Covid-19", want: "Phòng chống Covid mười chín"},
		{name: "percent", in: "đạt 95%", want: "Đạt chín mươi lăm phần trăm"},
		{name: "decimal percent with space", in: "đạt 98,5 %", want: "Đạt chín mươi tám phẩy năm phần trăm"},
		{name: "range", in: "giai đoạn 2021-2025", want: "Giai đoạn hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm hai mươi lăm"},
		{name: "percent range", in: "tăng 10–15%", want: "Tăng mười đến mười lăm phần trăm"},
		{name: "simple fraction", in: "2/3 số hộ", want: "Hai phần ba số hộ"},
		{name: "quarter fraction", in: "1/4 diện tích", want: "Một phần tư diện tích"},
		{name: "ratio", in: "12/15 xã", want: "Mười hai trên mười lăm xã"},
		{name: "money suffix", in: "phí 500.000đ mỗi hồ sơ", want: "Phí năm trăm nghìn đồng mỗi hồ sơ"},
		{name: "money VNĐ", in: "thu 20.000 VNĐ", want: "Thu hai mươi nghìn đồng"},
		{name: "not money", in: "5 đường", want: "Năm đường"},
		{name: "millimetres", in: "mưa 150 mm.", want: "Mưa một trăm năm mươi mi li mét."},
		{name: "hectares", in: "diện tích 2 ha", want: "Diện tích hai héc ta"},
		{name: "square metres", in: "100 m2 đất", want: "Một trăm mét vuông đất"},
		{name: "not a unit", in: "5 mẫu", want: "Năm mẫu"},
		{name: "ordinals", in: "từ thứ 2 đến thứ 6, lần thứ 4, thứ 1", want: "Từ thứ hai đến thứ sáu, lần thứ tư, thứ nhất"},

		// Dates and times.
		{name: "date", in: "03/3/2021", want: "Ngày ba tháng ba năm hai nghìn không trăm hai mươi mốt"},
		{name: "date after ngày is not doubled", in: "ngày 03/3/2021", want: "Ngày ba tháng ba năm hai nghìn không trăm hai mươi mốt"},
		{name: "date mid-sentence", in: "họp vào Ngày 14-4-2026 tại xã", want: "Họp vào ngày mười bốn tháng tư năm hai nghìn không trăm hai mươi sáu tại xã"},
		{name: "date with dots", in: "ký 01.12.2025", want: "Ký ngày một tháng mười hai năm hai nghìn không trăm hai mươi lăm"},
		{name: "impossible date", in: "ngày 32/13/2021", want: "Ngày ba mươi hai mười ba hai nghìn không trăm hai mươi mốt"},
		{name: "day and month", in: "họp ngày 30/4", want: "Họp ngày ba mươi tháng tư"},
		{name: "from to", in: "từ 01/12 đến 31/12", want: "Từ ngày một tháng mười hai đến ngày ba mươi mốt tháng mười hai"},
		{name: "month and year", in: "tháng 3/2021", want: "Tháng ba năm hai nghìn không trăm hai mươi mốt"},
		{name: "April", in: "trong tháng 4", want: "Trong tháng tư"},
		{name: "quarter", in: "Quý IV/2026", want: "Quý bốn năm hai nghìn không trăm hai mươi sáu"},
		{name: "quarter mid-sentence", in: "trong Quý IV/2026", want: "Trong quý bốn năm hai nghìn không trăm hai mươi sáu"},
		{name: "quarter with năm", in: "quý I năm 2026", want: "Quý một năm hai nghìn không trăm hai mươi sáu"},
		{name: "quarter digit", in: "quý 3", want: "Quý ba"},
		{name: "clock time", in: "lúc 07:30", want: "Lúc bảy giờ ba mươi phút"},
		{name: "h time", in: "lúc 7h30", want: "Lúc bảy giờ ba mươi phút"},
		{name: "g time", in: "lúc 7g15", want: "Lúc bảy giờ mười lăm phút"},
		{name: "whole hour", in: "đến 17h00", want: "Đến mười bảy giờ"},
		{name: "hour only", in: "từ 8h sáng", want: "Từ tám giờ sáng"},
		{name: "not a time", in: "mạng 5G", want: "Mạng năm G"},

		// Document numbers.
		{name: "document number after số", in: "số 25/KH-UBND", want: "Số hai mươi lăm, ký hiệu kế hoạch, Ủy ban nhân dân"},
		{name: "document type named before", in: "Kế hoạch số 25/KH-UBND ngày 03/3/2021",
			want: "Kế hoạch số hai mươi lăm của Ủy ban nhân dân, ngày ba tháng ba năm hai nghìn không trăm hai mươi mốt"},
		{name: "decree with year", in: "Nghị định 61/2018/NĐ-CP", want: "Nghị định số sáu mươi mốt năm hai nghìn không trăm mười tám của Chính phủ"},
		{name: "decree without type before", in: "theo 61/2018/NĐ-CP", want: "Theo số sáu mươi mốt năm hai nghìn không trăm mười tám, ký hiệu nghị định của Chính phủ"},
		{name: "prime minister", in: "Quyết định số 1847/QĐ-TTg", want: "Quyết định số một nghìn tám trăm bốn mươi bảy của Thủ tướng Chính phủ"},
		{name: "type named by its code", in: "QĐ số 12/QĐ-UBND", want: "Quyết định số mười hai của Ủy ban nhân dân"},
		{name: "circular", in: "Thông tư 39/2020/TT-BTTTT", want: "Thông tư số ba mươi chín năm hai nghìn không trăm hai mươi của Bộ Thông tin và Truyền thông"},
		{name: "official letter keeps unknown parts", in: "Công văn số 467/UBND-TTHCC", want: "Công văn số bốn trăm sáu mươi bảy, ký hiệu Ủy ban nhân dân, TTHCC"},
		{name: "multi-part key", in: "Số: 12/KH-LĐ-TB&XH", want: "Số mười hai, ký hiệu kế hoạch, Lao động, Thương binh và Xã hội"},

		// Phones, links, codes.
		{name: "phone with spaces", in: "gọi 0912 345 678", want: "Gọi không chín một hai, ba bốn năm, sáu bảy tám"},
		{name: "phone unbroken", in: "gọi 0912345678.", want: "Gọi không chín một hai, ba bốn năm, sáu bảy tám."},
		{name: "landline", in: "gọi 0256.3822.123", want: "Gọi không hai năm sáu, ba tám hai hai, một hai ba"},
		{name: "international", in: "gọi +84 912 345 678", want: "Gọi cộng tám bốn, chín một hai, ba bốn năm, sáu bảy tám"},
		{name: "URL sentence dropped", in: "Bà con theo dõi tin tức. Chi tiết xem tại https://tanphu.gov.vn/tin.", want: "Bà con theo dõi tin tức."},
		{name: "URL mid-sentence", in: "Nộp hồ sơ tại https://dichvucong.gov.vn hoặc tại xã.", want: "Nộp hồ sơ hoặc tại xã."},
		{name: "bare domain", in: "Cổng dịch vụ công quốc gia dichvucong.gov.vn, mở cả ngày.", want: "Cổng dịch vụ công quốc gia, mở cả ngày."},
		{name: "www", in: "Website www.tanphu.gov.vn.", want: ""},
		{name: "e-mail", in: "Ý kiến xin gửi Văn phòng. Liên hệ qua email hopthu@tanphu.gov.vn.", want: "Ý kiến xin gửi Văn phòng."},
		{name: "procedure code", in: "Thủ tục đăng ký khai sinh (mã 1.001193.000.00.00.H56) được miễn phí.", want: "Thủ tục đăng ký khai sinh được miễn phí."},

		// Abbreviations.
		{name: "abbreviations", in: "UBND xã và HĐND xã, MTTQ", want: "Ủy ban nhân dân xã và Hội đồng nhân dân xã, Mặt trận Tổ quốc"},
		{name: "longest first", in: "DVCTT và DVC", want: "Dịch vụ công trực tuyến và dịch vụ công"},
		{name: "key with commas", in: "CB, CC, VC và CBCCVC", want: "Cán bộ, công chức, viên chức và cán bộ, công chức, viên chức"},
		{name: "key with symbols", in: "Sở KH&CN, Sở LĐ-TB&XH, Sở TT&TT", want: "Sở khoa học và công nghệ, Sở Lao động, Thương binh và Xã hội, Sở Thông tin và Truyền thông"},
		{name: "key with a space", in: "PAR Index", want: "Chỉ số cải cách hành chính"},
		{name: "repeated lead not doubled", in: "chỉ số SIPAS", want: "Chỉ số hài lòng của người dân, tổ chức"},
		{name: "sentence start capitalised", in: "Tin vui. CCHC tiến bộ", want: "Tin vui. Cải cách hành chính tiến bộ"},
		{name: "whole word only", in: "mã UBNDX và xUBND", want: "Mã UBNDX và xUBND"},
		{name: "case-sensitive", in: "của ubnd xã", want: "Của ubnd xã"},
		{name: "city", in: "tại TP.HCM và TP. Cần Thơ", want: "Tại thành phố Hồ Chí Minh và thành phố Cần Thơ"},
		{name: "etc at end", in: "giấy tờ, hồ sơ, v.v.", want: "Giấy tờ, hồ sơ, vân vân."},
		{name: "symbol-only code kept in text", in: "TT văn hóa", want: "TT văn hóa"},
		{name: "station adds", in: "UBND và BCĐ", abbr: map[string]string{"BCĐ": "Ban Chỉ đạo"}, want: "Ủy ban nhân dân và Ban Chỉ đạo"},
		{name: "station overrides", in: "UBND", abbr: map[string]string{"UBND": "Ủy ban nhân dân xã Tân Phú"}, want: "Ủy ban nhân dân xã Tân Phú"},
		{name: "station key applies in text and symbols", in: "TT Hành chính công, số 5/TT-UBND", abbr: map[string]string{"TT": "Trung tâm"},
			want: "Trung tâm Hành chính công, số năm, ký hiệu Trung tâm, Ủy ban nhân dân"},

		// Markup, Unicode and whitespace.
		{name: "HTML", in: "<p>Thông báo</p><p>Họp dân lúc <b>19h</b>.</p>", want: "Thông báo. Họp dân lúc mười chín giờ."},
		{name: "entities", in: "<p>A &amp; B</p>", want: "A và B"},
		{name: "NFC", in: "Ho\u0302\u0323i \u0111o\u0302\u0300ng", want: "Hội đồng"},
		{name: "whitespace and lines", in: "  nhiều   khoảng \t trắng \n\n dòng  ", want: "Nhiều khoảng trắng. Dòng"},
		{name: "list", in: "Nội dung:\n- Tuyên truyền CCHC\n- Cải cách TTHC\n1. Một cửa", want: "Nội dung: Tuyên truyền cải cách hành chính. Cải cách thủ tục hành chính. Một cửa"},
		{name: "heading marker", in: "I. MỤC ĐÍCH\nNâng cao nhận thức", want: "MỤC ĐÍCH. Nâng cao nhận thức"},
		{name: "markdown", in: "**Lưu ý**: mang theo CCCD", want: "Lưu ý: mang theo CCCD"},
		{name: "dash becomes a pause", in: "kinh tế - xã hội", want: "Kinh tế, xã hội"},
		{name: "stray punctuation", in: "A , B .", want: "A, B."},
	}
}

func TestSpeakable(t *testing.T) {
	for _, tt := range speakCases() {
		t.Run(tt.name, func(t *testing.T) {
			if got := Speakable(tt.in, tt.abbr); got != tt.want {
				t.Errorf("Speakable(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestSpeakableOutputIsSpoken checks properties every output must have:
// NFC, no digits left to be misread, and rewriting again changes nothing.
func TestSpeakableOutputIsSpoken(t *testing.T) {
	for _, tt := range speakCases() {
		t.Run(tt.name, func(t *testing.T) {
			got := Speakable(tt.in, tt.abbr)
			if !norm.NFC.IsNormalString(got) {
				t.Errorf("output %q is not NFC", got)
			}
			if strings.ContainsFunc(got, unicode.IsDigit) {
				t.Errorf("output %q still has digits", got)
			}
			if strings.Contains(got, removedMark) {
				t.Errorf("output %q has the removal mark", got)
			}
			if again := Speakable(got, tt.abbr); again != got {
				t.Errorf("Speakable is not stable:\nonce  %q\ntwice %q", got, again)
			}
		})
	}
}

func TestSpeakNotes(t *testing.T) {
	_, notes := speak("Xem https://a.vn và www.b.vn, thư a@b.vn, mã 1.001193.000.00.00.H56 và c.gov.vn.", newLexicon(nil))
	want := speechNotes{URLs: 3, Emails: 1, ProcedureCodes: 1}
	if notes != want {
		t.Errorf("notes = %+v, want %+v", notes, want)
	}
}

func TestSyllables(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"   ", 0},
		{"Xin chào bà con.", 4},
		{"kinh tế - xã hội", 4},
		{" một  hai\nba\t", 3},
		{"Tin thứ nhất (khẩn cấp):", 5},
	}
	for _, tt := range tests {
		if got := Syllables(tt.in); got != tt.want {
			t.Errorf("Syllables(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestBuiltinAbbreviationsIsACopy(t *testing.T) {
	a := BuiltinAbbreviations()
	a["UBND"] = "changed"
	if BuiltinAbbreviations()["UBND"] != "Ủy ban nhân dân" {
		t.Fatal("changing the returned map changed the built-in table")
	}
	for _, key := range []string{"CCHC", "TTHC", "UBND", "HĐND", "MTTQ", "CBCCVC", "CB, CC, VC", "DVC", "DVCTT", "KH&CN", "LĐ-TB&XH", "TT&TT", "QĐ", "NĐ-CP", "TP", "SIPAS", "PAR Index"} {
		if a[key] == "" {
			t.Errorf("built-in table lacks %q", key)
		}
	}
}
