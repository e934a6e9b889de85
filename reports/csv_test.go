package reports

import (
	"bytes"
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestWriteCSV(t *testing.T) {
	loc := fixtureLoc(t)
	deliveries := []DeliveryRow{
		{Agency: "Sở Thông tin và Truyền thông", ActivityCode: "2.6", ActivityTitle: "Duy trì chuyên mục, chuyên trang về CCHC",
			Form: "Zalo OA", Channel: "Zalo Sở TT&TT", ContentArea: "Chính quyền điện tử, chính quyền số",
			Audience: "Người dân, doanh nghiệp", Title: "Hướng dẫn nộp hồ sơ trực tuyến, thanh toán qua Cổng Dịch vụ công",
			ScheduledAt: time.Date(2027, 1, 5, 8, 0, 0, 0, loc), DeliveredAt: time.Date(2027, 1, 5, 8, 2, 0, 0, loc),
			Status: "Đã đăng", OnTime: true, Reach: fixturePtr[int64](1250), URL: "https://zalo.me/a/1"},
		{Agency: "Sở Thông tin và Truyền thông", ActivityCode: "2.2", Form: "Trang thông tin điện tử", Channel: "Cổng TTĐT",
			Title: "=HYPERLINK(\"http://evil\",\"bấm\")", ScheduledAt: time.Date(2027, 2, 1, 14, 30, 0, 0, loc),
			Status: "Không thành công"},
	}
	records := []RecordRow{
		{Agency: "Sở Thông tin và Truyền thông", ActivityCode: "2.1", ActivityTitle: "Triển khai trong công chức, viên chức, người lao động",
			Form: "Hội nghị, hội thảo, giao ban", Date: time.Date(2027, 1, 20, 0, 0, 0, 0, loc),
			Description: "Hội nghị quán triệt kế hoạch CCHC năm 2027", Count: 45},
		{ActivityCode: "+1", Description: "-2+3", Form: "@SUM(A1)", Count: 1},
		{ActivityCode: "x", Description: "\tcmd", ActivityTitle: "\x00=1+1", Count: 2},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, deliveries, records); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	if !bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		t.Fatalf("no UTF-8 byte-order mark: % x", raw[:3])
	}
	rows, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	if len(rows) != 1+len(deliveries)+len(records) {
		t.Fatalf("%d rows, want %d", len(rows), 1+len(deliveries)+len(records))
	}
	if !slices.Equal(rows[0], csvHeadings) {
		t.Errorf("heading = %q", rows[0])
	}
	want := [][]string{
		{"Đăng tin", "Sở Thông tin và Truyền thông", "2.6", "Duy trì chuyên mục, chuyên trang về CCHC", "Zalo OA",
			"Zalo Sở TT&TT", "Chính quyền điện tử, chính quyền số", "Người dân, doanh nghiệp",
			"Hướng dẫn nộp hồ sơ trực tuyến, thanh toán qua Cổng Dịch vụ công", "05/01/2027 08:00", "05/01/2027 08:02",
			"Đã đăng", "Có", "1", "1250", "https://zalo.me/a/1"},
		{"Đăng tin", "Sở Thông tin và Truyền thông", "2.2", "", "Trang thông tin điện tử", "Cổng TTĐT", "", "",
			"'=HYPERLINK(\"http://evil\",\"bấm\")", "01/02/2027 14:30", "", "Không thành công", "Không", "1",
			"Không có số liệu", ""},
		{"Hoạt động trực tiếp", "Sở Thông tin và Truyền thông", "2.1", "Triển khai trong công chức, viên chức, người lao động",
			"Hội nghị, hội thảo, giao ban", "", "", "", "Hội nghị quán triệt kế hoạch CCHC năm 2027", "", "20/01/2027",
			"Đã thực hiện", "", "45", "", ""},
		{"Hoạt động trực tiếp", "", "'+1", "", "'@SUM(A1)", "", "", "", "'-2+3", "", "", "Đã thực hiện", "", "1", "", ""},
		{"Hoạt động trực tiếp", "", "x", "'=1+1", "", "", "", "", "'\tcmd", "", "", "Đã thực hiện", "", "2", "", ""},
	}
	for i, w := range want {
		if !slices.Equal(rows[i+1], w) {
			t.Errorf("row %d =\n%q\nwant\n%q", i+1, rows[i+1], w)
		}
	}
	if !bytes.Contains(raw, []byte("\r\n")) {
		t.Error("rows do not end in CRLF")
	}
}

func TestWriteCSVTooLarge(t *testing.T) {
	var buf bytes.Buffer
	err := WriteCSV(&buf, make([]DeliveryRow, MaxCSVRows), make([]RecordRow, 1))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written before refusing", buf.Len())
	}
	// At the limit it writes, and a long cell is cut at Excel's limit.
	long := strings.Repeat("ệ", maxCSVCellRunes+10)
	buf.Reset()
	if err := WriteCSV(&buf, make([]DeliveryRow, MaxCSVRows-1), []RecordRow{{Description: long}}); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != MaxCSVRows+1 {
		t.Errorf("%d rows, want %d", len(rows), MaxCSVRows+1)
	}
	if got := len([]rune(rows[len(rows)-1][8])); got != maxCSVCellRunes {
		t.Errorf("long cell kept %d characters, want %d", got, maxCSVCellRunes)
	}
}
