package importer

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Column is one column the importer reads.
type Column string

// The columns of an import file. Their headers are matched without regard
// to case, diacritics, spacing or a note in brackets, in Vietnamese or English.
const (
	ColTitle       Column = "title"
	ColSummary     Column = "summary"
	ColBody        Column = "body"
	ColChannels    Column = "channels"
	ColAgency      Column = "agency"
	ColDescendants Column = "descendants"
	ColKinds       Column = "kinds"
	ColTime        Column = "time"
	ColActivity    Column = "activity"
	ColContentArea Column = "content_area"
	ColAudience    Column = "audience"
	ColLink        Column = "link"
	ColImage       Column = "image_url"
	// colNumber is a row number column (STT), read and ignored.
	colNumber Column = "number"
)

// columnOrder is the columns in the template's order.
var columnOrder = []Column{ColTitle, ColSummary, ColBody, ColChannels, ColAgency, ColDescendants, ColKinds, ColTime,
	ColActivity, ColContentArea, ColAudience, ColLink, ColImage}

// Label is the column's Vietnamese header, as the template writes it.
func (c Column) Label() string {
	switch c {
	case ColTitle:
		return "Tiêu đề"
	case ColSummary:
		return "Tóm tắt"
	case ColBody:
		return "Nội dung"
	case ColChannels:
		return "Kênh"
	case ColAgency:
		return "Đơn vị"
	case ColDescendants:
		return "Bao gồm đơn vị trực thuộc"
	case ColKinds:
		return "Loại kênh"
	case ColTime:
		return "Thời gian"
	case ColActivity:
		return "Hoạt động"
	case ColContentArea:
		return "Lĩnh vực"
	case ColAudience:
		return "Đối tượng"
	case ColLink:
		return "Đường dẫn bài gốc"
	case ColImage:
		return "Ảnh minh hoạ"
	case colNumber:
		return "STT"
	}
	return string(c)
}

// headerAliases maps a folded header (see fold) to its column.
var headerAliases = map[string]Column{
	"tieu de": ColTitle, "title": ColTitle,
	"tom tat": ColSummary, "summary": ColSummary,
	"noi dung": ColBody, "body": ColBody, "content": ColBody,
	"kenh": ColChannels, "kenh dang": ColChannels, "channels": ColChannels, "channel": ColChannels, "channel ids": ColChannels,
	"don vi": ColAgency, "ma don vi": ColAgency, "agency": ColAgency, "agency code": ColAgency,
	"bao gom don vi truc thuoc": ColDescendants, "gom don vi truc thuoc": ColDescendants,
	"descendants": ColDescendants, "include sub-agencies": ColDescendants,
	"loai kenh": ColKinds, "kinds": ColKinds, "channel kinds": ColKinds,
	"thoi gian": ColTime, "thoi gian dang": ColTime, "time": ColTime, "publish at": ColTime,
	"hoat dong": ColActivity, "ma hoat dong": ColActivity, "activity": ColActivity, "activity id": ColActivity,
	"linh vuc": ColContentArea, "noi dung tuyen truyen": ColContentArea, "content area": ColContentArea,
	"doi tuong": ColAudience, "audience": ColAudience, "audience code": ColAudience,
	"duong dan bai goc": ColLink, "duong dan": ColLink, "link": ColLink,
	"anh minh hoa": ColImage, "anh": ColImage, "image": ColImage, "image url": ColImage,
	"stt": colNumber, "so thu tu": colNumber, "no": colNumber, "#": colNumber,
}

// columnFor is the column a header names, if any.
func columnFor(header string) (Column, bool) {
	c, ok := headerAliases[fold(header)]
	return c, ok
}

// fold is a header for matching: foldText without a note in brackets or
// a trailing "*" or ":".
func fold(s string) string {
	if i := strings.IndexAny(s, "(["); i > 0 {
		s = s[:i]
	}
	return foldText(strings.TrimRight(strings.TrimSpace(s), "*:"))
}

// foldText is s for matching: lower case, without diacritics (đ as d),
// "_" as a space, spaces collapsed; NFC or NFD alike.
func foldText(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case r == '_':
			r = ' '
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
