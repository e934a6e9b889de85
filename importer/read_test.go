package importer

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

// Headers match without regard to case, diacritics, Unicode form, spacing
// or a note, in Vietnamese or English.
func TestHeaders(t *testing.T) {
	tests := []struct {
		header string
		want   Column
		ok     bool
	}{
		{"Tiêu đề", ColTitle, true},
		{"TIÊU ĐỀ", ColTitle, true},
		{"tieu de", ColTitle, true},
		{norm.NFD.String("Tiêu đề"), ColTitle, true},
		{"  Tiêu   đề (bắt buộc) ", ColTitle, true},
		{"Nội dung*", ColBody, true},
		{"Title", ColTitle, true},
		{"Kênh", ColChannels, true},
		{"channel_ids", ColChannels, true},
		{"Đơn vị", ColAgency, true},
		{"Bao gồm đơn vị trực thuộc", ColDescendants, true},
		{"Loại kênh", ColKinds, true},
		{"Thời gian", ColTime, true},
		{"publish_at", ColTime, true},
		{"Hoạt động", ColActivity, true},
		{"Lĩnh vực", ColContentArea, true},
		{"Đối tượng", ColAudience, true},
		{"STT", colNumber, true},
		{"Ghi chú", "", false},
		{"Tiêu", "", false},
	}
	for _, tt := range tests {
		got, ok := columnFor(tt.header)
		if got != tt.want || ok != tt.ok {
			t.Errorf("columnFor(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

// The header row is refused without a title or a target column, or with a
// column twice; an unknown column is reported as ignored.
func TestHeaderRow(t *testing.T) {
	f := newFixture(t, Limits{})
	tests := []struct {
		header []string
		code   string
	}{
		{[]string{"Tóm tắt", "Kênh"}, CodeMissingColumn},
		{[]string{"Tiêu đề", "Tóm tắt"}, CodeMissingColumn},
		{[]string{"Tiêu đề", "Kênh", "tieu de"}, CodeDuplicateColumn},
	}
	for _, tt := range tests {
		data := sheet{tt.header, {"Tin", "Trang tin xã A", "x"}}.csv(t, ',', false)
		if _, err := f.imp.Check(context.Background(), f.editor, data); fileErrorCode(err) != tt.code {
			t.Errorf("%v: %v; want %s", tt.header, err, tt.code)
		}
	}
	rep, err := f.imp.Check(context.Background(), f.editor, sheet{{"Tiêu đề", "Kênh", "Ghi chú"}, {"Tin", "Trang tin xã A", "x"}}.csv(t, ',', false))
	if err != nil || !rep.Valid() || len(rep.Ignored) != 1 || rep.Ignored[0] != "Ghi chú" {
		t.Fatalf("%+v, %v", rep, err)
	}
}

// Files that are no import file are refused with a code saying why.
func TestFileFormats(t *testing.T) {
	f := newFixture(t, Limits{})
	tests := []struct {
		name string
		data []byte
		code string
	}{
		{"empty", []byte(" \n"), CodeFileEmpty},
		{"header only", []byte("Tiêu đề,Kênh\n"), CodeNoRows},
		{"old .xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 100)...), CodeUnsupported},
		{"latin-1 CSV", []byte("Ti\xeau \xf0\xe8,K\xeanh\nx,y\n"), CodeNotUTF8},
		{"broken CSV", []byte("Tiêu đề,Kênh\n\"Tin,Trang\n"), CodeBadCSV},
		{"broken zip", []byte("PK\x03\x04 not a zip at all"), CodeBadXLSX},
	}
	for _, tt := range tests {
		if _, err := f.imp.Check(context.Background(), f.editor, tt.data); fileErrorCode(err) != tt.code {
			t.Errorf("%s: %v; want %s", tt.name, err, tt.code)
		}
	}
}

// CSV files are read with or without a byte order mark, with ",", ";" or
// tab between cells, quoted cells holding delimiters and new lines; a cell
// starting with "=" is text.
func TestCSVDialects(t *testing.T) {
	f := newFixture(t, Limits{})
	s := sheet{{"Tiêu đề", "Kênh", "Nội dung"}, {"=1+1", "Trang tin xã A; Zalo xã A", "Dòng một\nDòng hai, có dấu phẩy; và chấm phẩy"}}
	for _, tt := range []struct {
		name  string
		comma rune
		bom   bool
	}{{"comma", ',', false}, {"comma with BOM", ',', true}, {"semicolon with BOM", ';', true}, {"tab", '\t', false}} {
		rows, _, rep, err := f.imp.read(context.Background(), f.editor, s.csv(t, tt.comma, tt.bom))
		if err != nil || !rep.Valid() || len(rows) != 1 {
			t.Fatalf("%s: %+v, %v", tt.name, rep, err)
		}
		d := rows[0].draft
		if d.Title != "=1+1" || len(d.ChannelIDs) != 2 || !strings.Contains(d.Body, "Dòng hai, có dấu phẩy; và") {
			t.Errorf("%s: read %+v", tt.name, d)
		}
	}
}

// sheetXML is a worksheet whose cells are written as Excel stores them.
const sheetXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>Tiêu đề</t></is></c><c r="B1" t="inlineStr"><is><t>Kênh</t></is></c><c r="C1" t="inlineStr"><is><t>Thời gian</t></is></c></row>
<row r="2"><c r="A2" t="str"><f>1+1</f><v>Tin từ công thức</v></c><c r="B2" t="inlineStr"><is><t>Trang tin xã A</t></is></c><c r="C2"><v>SERIAL</v></c></row>
<row r="5"><c r="A5"><f>1+1</f></c><c r="B5" t="inlineStr"><is><t>Trang tin xã A</t></is></c></row>
</sheetData></worksheet>`

// Workbook cells are read as stored: a formula as the value Excel saved
// for it, never computed (one without a saved value is empty); a date cell
// as its local time; empty rows between are skipped, and rows keep their
// numbers in the sheet.
func TestWorkbookCells(t *testing.T) {
	f := newFixture(t, Limits{})
	at := time.Date(2026, 12, 7, 7, 30, 0, 0, ict)
	serial := float64(time.Date(2026, 12, 7, 7, 30, 0, 0, time.UTC).Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC))) / float64(24*time.Hour)
	xml := strings.Replace(sheetXML, "SERIAL", strconv.FormatFloat(serial, 'f', -1, 64), 1)
	data := rezip(t, rowsOf(1).xlsx(t, "Sheet1", nil), nil, "xl/worksheets/sheet1.xml", xml)
	rows, _, rep, err := f.imp.read(context.Background(), f.editor, data)
	if err != nil || rep.Rows != 2 {
		t.Fatalf("%+v, %v", rep, err)
	}
	if d := rows[0].draft; d.Title != "Tin từ công thức" || d.PublishAt != at.Format(time.RFC3339) {
		t.Errorf("row 2 read as %q at %q; want the saved value at %s", d.Title, d.PublishAt, at.Format(time.RFC3339))
	}
	rep, err = f.imp.Check(context.Background(), f.editor, data)
	if err != nil {
		t.Fatal(err)
	}
	checkIssues(t, rep.Issues, []wantIssue{{5, "Tiêu đề", CodeInvalidField, "required"}})
}

// The sheet named "Tin bài" is read wherever it is; otherwise the first.
func TestWorkbookSheetChoice(t *testing.T) {
	f := newFixture(t, Limits{})
	data := sheet{{"Ghi chú"}, {"không phải tin"}}.xlsx(t, "Hướng dẫn", func(x *excelize.File) {
		_, _ = x.NewSheet("TIN BAI")
		_ = x.SetSheetRow("TIN BAI", "A1", &[]string{"Tiêu đề", "Kênh"})
		_ = x.SetSheetRow("TIN BAI", "A2", &[]string{"Tin thật", "Trang tin xã A"})
	})
	rows, _, rep, err := f.imp.read(context.Background(), f.editor, data)
	if err != nil || len(rows) != 1 || rows[0].draft.Title != "Tin thật" {
		t.Fatalf("%+v, %v", rep, err)
	}
}

// The template passes its own dry run: its example row is valid, in both
// formats, and the workbook has its notes.
func TestTemplatePassesItsDryRun(t *testing.T) {
	f := newFixture(t, Limits{})
	ctx := context.Background()
	xlsx, err := f.imp.TemplateXLSX(ctx, f.editor, now)
	if err != nil {
		t.Fatal(err)
	}
	csvData, err := f.imp.TemplateCSV(ctx, f.editor, now)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"xlsx": xlsx, "csv": csvData} {
		rep, err := f.imp.Check(ctx, f.editor, data)
		if err != nil || rep.Rows != 1 || !rep.Valid() || len(rep.Ignored) != 0 {
			t.Errorf("%s template: %+v, %v", name, rep, err)
		}
	}
	wb, err := excelize.OpenReader(strings.NewReader(string(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	if got := wb.GetSheetList(); len(got) != 2 || got[0] != postsSheet || got[1] != notesSheet {
		t.Fatalf("sheets %v", got)
	}
	notes, _ := wb.GetRows(notesSheet)
	var text strings.Builder
	for _, r := range notes {
		text.WriteString(strings.Join(r, " ") + "\n")
	}
	for _, want := range []string{"Trang tin xã A", "xa-a", "Thời gian", "khung giờ tiếp theo", "Dịch vụ công trực tuyến"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the notes lack %q", want)
		}
	}
}
