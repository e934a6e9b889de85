package reports

import (
	"archive/zip"
	"bytes"
	"errors"
	"html"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func writeXLSXFile(t *testing.T, r Report) (*excelize.File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, r); err != nil {
		t.Fatalf("WriteXLSX: %v", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("open the written workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f, buf.Bytes()
}

func cellAt(t *testing.T, f *excelize.File, sheet string, col, row int) string {
	t.Helper()
	name, _ := excelize.CoordinatesToCellName(col, row)
	v, err := f.GetCellValue(sheet, name)
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, name, err)
	}
	return v
}

// findRow is the first row whose column A holds text.
func findRow(t *testing.T, f *excelize.File, sheet, text string) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("rows of %s: %v", sheet, err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == text {
			return i + 1
		}
	}
	t.Fatalf("sheet %q has no row starting %q", sheet, text)
	return 0
}

func rawFloat(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// sameCell compares cells' raw values, numbers to Excel's 15 digits.
func sameCell(got, want string) bool {
	if got == want {
		return true
	}
	g, err1 := strconv.ParseFloat(got, 64)
	w, err2 := strconv.ParseFloat(want, 64)
	return err1 == nil && err2 == nil && math.Abs(g-w) < 1e-12
}

func rawInt(n int64) string { return strconv.FormatInt(n, 10) }

// wantActivityRow is what the workbook must hold for one activity: raw
// values, numbers as numbers, absent reach as "Không có số liệu".
func wantActivityRow(a ActivityResult) []string {
	target := a.TargetText
	if a.Target != nil {
		target = rawInt(*a.Target)
	}
	reach := "Không có số liệu"
	if a.Reach != nil {
		reach = rawInt(*a.Reach)
	}
	return []string{a.Code, a.Title, a.ContentArea, a.Audience, strings.Join(a.Forms, ", "), a.Timing,
		target, rawInt(a.Done), rawFloat(a.Progress), rawInt(a.Delivered), rawInt(a.Failed),
		rawInt(a.Unconfirmed), rawFloat(a.OnTimeRate), reach}
}

func checkActivityTable(t *testing.T, f *excelize.File, sheet string, acts []ActivityResult) {
	t.Helper()
	head := findRow(t, f, sheet, "Mã")
	for c, h := range activityHeadings {
		if got := cellAt(t, f, sheet, c+1, head); got != h {
			t.Errorf("%s heading %d = %q, want %q", sheet, c+1, got, h)
		}
	}
	for i, a := range acts {
		row := head + 1 + i
		for c, want := range wantActivityRow(a) {
			if got := cellAt(t, f, sheet, c+1, row); !sameCell(got, want) {
				t.Errorf("%s row %d (%s) column %q = %q, want %q", sheet, row, a.Code, activityHeadings[c], got, want)
			}
		}
		// Counts are numbers, not text, so Excel can sum them.
		for _, c := range []int{8, 10, 11, 12} {
			name, _ := excelize.CoordinatesToCellName(c, row)
			if typ, _ := f.GetCellType(sheet, name); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
				t.Errorf("%s!%s is text, want a number", sheet, name)
			}
		}
	}
	if got := cellAt(t, f, sheet, 1, head+1+len(acts)); got != "" {
		t.Errorf("%s: row after the table holds %q, want nothing", sheet, got)
	}
}

func TestWriteXLSXPlan004(t *testing.T) {
	r := fixturePlan004(t)
	f, raw := writeXLSXFile(t, r)

	if got, want := f.GetSheetList(), []string{sheetSummary, sheetMatrix, sheetMonthly}; !slices.Equal(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	s := sheetSummary
	for _, c := range []struct {
		cell, want string
	}{
		{"A1", "ỦY BAN NHÂN DÂN TỈNH BÌNH ĐỊNH"},
		{"A2", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"},
		{"A4", "BÁO CÁO"},
		{"A5", "Kết quả công tác tuyên truyền cải cách hành chính quý I năm 2027"},
		{"A6", "Kỳ báo cáo từ ngày 15/12/2026 đến ngày 14/03/2027 (thời gian chốt số liệu theo Nghị định số 09/2019/NĐ-CP)"},
		{"A7", "Thực hiện Kế hoạch truyền thông về cải cách hành chính nhà nước trên địa bàn tỉnh Bình Định năm 2027 (Kế hoạch số 05/KH-STTTT ngày 10/01/2027)"},
		{"A8", "Số liệu tổng hợp lúc 15/03/2027 08:30"},
	} {
		if got, _ := f.GetCellValue(s, c.cell); got != c.want {
			t.Errorf("%s!%s = %q, want %q", s, c.cell, got, c.want)
		}
	}

	// Totals block: label in B, value in C.
	head := findRow(t, f, s, "I. TỔNG HỢP CHUNG")
	totals := map[string]string{}
	for row := head + 1; row < head+10; row++ {
		totals[cellAt(t, f, s, 2, row)] = cellAt(t, f, s, 3, row)
	}
	own := r.Own
	for label, want := range map[string]string{
		"Đã đăng": rawInt(own.Delivered), "Không thành công": rawInt(own.Failed),
		"Chưa xác nhận": rawInt(own.Unconfirmed), "Đúng giờ (trong vòng 5 phút)": rawInt(own.OnTime),
		"Tỷ lệ đúng giờ": rawFloat(own.OnTimeRate), "Lượt tiếp cận": rawInt(*own.Reach),
		"Hoạt động trực tiếp đã ghi nhận": rawInt(own.Records),
	} {
		if !sameCell(totals[label], want) {
			t.Errorf("total %q = %q, want %q", label, totals[label], want)
		}
	}
	if own.Delivered != 99 || *own.Reach != 22412 {
		t.Fatalf("fixture changed: delivered %d reach %d", own.Delivered, *own.Reach)
	}
	checkActivityTable(t, f, s, r.Own.Activities)
	// 2.1 had no reach reported; 2.4 delivered nothing, so no on-time rate.
	row := findRow(t, f, s, "2.1")
	if got := cellAt(t, f, s, 14, row); got != "Không có số liệu" {
		t.Errorf("2.1 reach = %q, want Không có số liệu", got)
	}
	if got := cellAt(t, f, s, 13, findRow(t, f, s, "2.4")); got != "" {
		t.Errorf("2.4 on-time rate = %q, want empty", got)
	}
	if got := cellAt(t, f, s, 2, findRow(t, f, s, "2.4")); got != "Phối hợp thực hiện chuyên mục “Công dân hỏi – Giám đốc Sở trả lời”" {
		t.Errorf("2.4 title = %q", got)
	}

	// Form × content area × audience.
	m := sheetMatrix
	mh := findRow(t, f, m, "Hình thức")
	var sum int64
	for i, c := range r.Own.Matrix {
		want := []string{c.Form, c.ContentArea, c.Audience, rawInt(c.Count)}
		for col, w := range want {
			if got := cellAt(t, f, m, col+1, mh+1+i); got != w {
				t.Errorf("matrix row %d col %d = %q, want %q", i+1, col+1, got, w)
			}
		}
		sum += c.Count
	}
	if got := cellAt(t, f, m, 4, mh+1+len(r.Own.Matrix)); got != rawInt(sum) {
		t.Errorf("matrix total = %q, want %d", got, sum)
	}

	// Monthly: months in order, forms as columns, row totals.
	mo := sheetMonthly
	wantHeads := []string{"Tháng", "Trang thông tin điện tử", "Truyền thanh cơ sở", "Zalo OA", "Trang Facebook", "Tổng cộng"}
	for c, h := range wantHeads {
		if got := cellAt(t, f, mo, c+1, 3); got != h {
			t.Errorf("monthly heading %d = %q, want %q", c+1, got, h)
		}
	}
	wantMonths := [][]string{
		{"12/2026", "6", "4", "0", "0", "10"},
		{"01/2027", "14", "10", "8", "6", "38"},
		{"02/2027", "12", "9", "6", "5", "32"},
		{"03/2027", "7", "5", "4", "3", "19"},
	}
	for i, want := range wantMonths {
		for c, w := range want {
			if got := cellAt(t, f, mo, c+1, 4+i); got != w {
				t.Errorf("monthly row %d col %d = %q, want %q", 4+i, c+1, got, w)
			}
		}
	}
	ph := findRow(t, f, mo, "Mã")
	var progressCodes []string
	for row := ph + 1; cellAt(t, f, mo, 1, row) != ""; row++ {
		progressCodes = append(progressCodes, cellAt(t, f, mo, 1, row))
	}
	if want := []string{"2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7"}; !slices.Equal(progressCodes, want) {
		t.Errorf("progress rows = %q, want %q", progressCodes, want)
	}
	if got := cellAt(t, f, mo, 5, ph+5); !sameCell(got, rawFloat(r.Own.Activities[4].Progress)) || got == "" {
		t.Errorf("2.5 progress = %q, want %s", got, rawFloat(r.Own.Activities[4].Progress))
	}

	charts := xlsxCharts(t, raw)
	if len(charts) != 2 {
		t.Fatalf("charts = %d, want 2", len(charts))
	}
	monthChart := charts["xl/charts/chart1.xml"]
	if !strings.Contains(monthChart, `<barDir val="col">`) || !strings.Contains(monthChart, `<grouping val="stacked">`) ||
		strings.Count(monthChart, "<ser>") != 4 || !strings.Contains(monthChart, "'Theo tháng'!$A$4:$A$7") {
		t.Errorf("monthly chart is not a stacked column chart of 4 forms over A4:A7:\n%.2000s", monthChart)
	}
	progressChart := charts["xl/charts/chart2.xml"]
	if !strings.Contains(progressChart, `<barDir val="bar">`) || strings.Count(progressChart, "<ser>") != 1 ||
		!strings.Contains(progressChart, "'Theo tháng'!$E$"+strconv.Itoa(ph+1)+":$E$"+strconv.Itoa(ph+7)) {
		t.Errorf("progress chart is not a bar chart of E%d:E%d:\n%.2000s", ph+1, ph+7, progressChart)
	}
}

// xlsxCharts is the chart parts of a workbook, by name, after checking
// a sheet's drawing refers to each.
func xlsxCharts(t *testing.T, raw []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("zip: %v", err)
	}
	parts := map[string]string{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[zf.Name] = html.UnescapeString(string(b))
	}
	charts := map[string]string{}
	chartName := regexp.MustCompile(`^xl/charts/chart\d+\.xml$`)
	for name, body := range parts {
		if chartName.MatchString(name) {
			charts[name] = body
			ref := "../charts/" + strings.TrimPrefix(name, "xl/charts/")
			if !strings.Contains(parts["xl/drawings/_rels/drawing1.xml.rels"], ref) {
				t.Errorf("no drawing refers to %s", name)
			}
		}
	}
	return charts
}

func TestWriteXLSXProvince(t *testing.T) {
	r := fixtureProvince(t)
	f, _ := writeXLSXFile(t, r)
	want := []string{sheetSummary, sheetMatrix, sheetMonthly,
		"Ủy ban nhân dân xã An Bình", "Ủy ban nhân dân xã Tân Lập", "Ủy ban nhân dân xã Phước Sơn"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	for _, s := range r.Sections {
		if got := cellAt(t, f, s.Agency.Name, 1, 2); got != strings.ToUpper(s.Agency.Name) {
			t.Errorf("section sheet title = %q", got)
		}
		checkActivityTable(t, f, s.Agency.Name, s.Results.Activities)
	}
	// The per-agency table: a row per commune, and the totals row equal
	// to the column sums of the communes' rows, read from the file.
	s := sheetSummary
	head := findRow(t, f, s, "STT")
	for c, h := range sectionHeadings {
		if got := cellAt(t, f, s, c+1, head); got != h {
			t.Errorf("section heading %d = %q, want %q", c+1, got, h)
		}
	}
	for i, sec := range r.Sections {
		if got := cellAt(t, f, s, 2, head+1+i); got != sec.Agency.Name {
			t.Errorf("section row %d = %q, want %q", i+1, got, sec.Agency.Name)
		}
	}
	totalRow := head + 1 + len(r.Sections)
	if got := cellAt(t, f, s, 2, totalRow); got != "Tổng cộng" {
		t.Fatalf("row %d = %q, want Tổng cộng", totalRow, got)
	}
	for _, col := range []int{3, 4, 5, 6, 7, 8, 10, 11} { // counts (9 is the rate)
		var sum int64
		for i := range r.Sections {
			v := cellAt(t, f, s, col, head+1+i)
			if v == "Không có số liệu" {
				continue
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("section row %d col %d = %q: %v", i+1, col, v, err)
			}
			sum += n
		}
		if got := cellAt(t, f, s, col, totalRow); got != rawInt(sum) {
			t.Errorf("total of %q = %q, want the communes' sum %d", sectionHeadings[col-1], got, sum)
		}
	}
	// Tân Lập had no reach: shown as absent, not 0, and left out of the sum.
	if got := cellAt(t, f, s, 10, head+2); got != "Không có số liệu" {
		t.Errorf("Tân Lập reach = %q, want Không có số liệu", got)
	}
	if got := cellAt(t, f, s, 10, totalRow); got != "1070" {
		t.Errorf("total reach = %q, want 1070", got)
	}
}

func TestWriteXLSXHostileText(t *testing.T) {
	r := fixtureProvince(t)
	r.Sections[0].Agency.Name = "Xã A/B: [thử]*?"
	r.Sections[1].Agency.Name = "Xã A/B: [thử]*?"
	r.Sections[2].Agency.Name = strings.Repeat("Ủy ban nhân dân xã ", 3)
	r.Sections[0].Results.Activities[0].Title = "=HYPERLINK(\"http://x\")\x00\x1b bell\x07"
	f, _ := writeXLSXFile(t, r)
	sheets := f.GetSheetList()
	want := []string{"Xã A B   thử", "Xã A B   thử (2)", "Ủy ban nhân dân xã Ủy ban nhân"}
	if !slices.Equal(sheets[3:], want) {
		t.Errorf("section sheets = %q, want %q", sheets[3:], want)
	}
	row := findRow(t, f, sheets[3], "1")
	name, _ := excelize.CoordinatesToCellName(2, row)
	got, _ := f.GetCellValue(sheets[3], name)
	if got != "=HYPERLINK(\"http://x\") bell" {
		t.Errorf("title = %q", got)
	}
	if formula, _ := f.GetCellFormula(sheets[3], name); formula != "" {
		t.Errorf("a title became the formula %q", formula)
	}
}

func TestWritersRefuseTooLarge(t *testing.T) {
	big := func(mut func(*Report)) Report {
		r := fixturePlan004(t)
		mut(&r)
		return r
	}
	cases := []struct {
		name string
		r    Report
	}{
		{"activities", big(func(r *Report) { r.Own.Activities = make([]ActivityResult, MaxActivities+1) })},
		{"sections", big(func(r *Report) { r.Sections = make([]Section, MaxSections+1) })},
		{"matrix", big(func(r *Report) { r.Own.Matrix = make([]MatrixCell, MaxMatrixCells+1) })},
		{"monthly", big(func(r *Report) { r.Own.Monthly = make([]MonthCount, MaxMonthCounts+1) })},
		{"recipients", big(func(r *Report) { r.Recipients = make([]string, MaxRecipients+1) })},
		{"text", big(func(r *Report) { r.Own.Activities[0].Title = strings.Repeat("ệ", MaxTextRunes+1) })},
		{"section text", big(func(r *Report) {
			r.Sections = []Section{{Results: Results{Activities: []ActivityResult{{Title: strings.Repeat("a", MaxTextRunes+1)}}}}}
		})},
	}
	writers := map[string]func(io.Writer, Report) error{"xlsx": WriteXLSX, "docx": WriteDOCX}
	for _, c := range cases {
		for name, write := range writers {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				var buf bytes.Buffer
				err := write(&buf, c.r)
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("err = %v, want ErrTooLarge", err)
				}
				if buf.Len() != 0 {
					t.Errorf("%d bytes written before refusing", buf.Len())
				}
			})
		}
	}
	// At the limits the report is written.
	r := fixturePlan004(t)
	r.Own.Activities[0].Title = strings.Repeat("ệ", MaxTextRunes)
	for name, write := range writers {
		if err := write(io.Discard, r); err != nil {
			t.Errorf("%s at the text limit: %v", name, err)
		}
	}
}
