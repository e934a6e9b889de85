package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Formats of an import file.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
)

// table is a file's sheet: its header and its non-empty rows, each with
// its number in the sheet (the header is row 1).
type table struct {
	format string
	header []string
	rows   []tableRow
}

type tableRow struct {
	num   int
	cells []string
}

// readTable reads data as an .xlsx workbook or a CSV file (told apart by
// their bytes, not their name), within the limits.
func readTable(ctx context.Context, data []byte, lim Limits) (table, error) {
	switch {
	case len(bytes.TrimSpace(data)) == 0:
		return table{}, &FileError{Code: CodeFileEmpty, Message: "the file is empty"}
	case int64(len(data)) > lim.MaxBytes:
		return tooLarge(lim)
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readXLSX(ctx, data, lim)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return table{}, &FileError{Code: CodeUnsupported,
			Message: "the file is an old Excel workbook (.xls); save it as .xlsx or CSV UTF-8"}
	}
	return readCSV(ctx, data, lim)
}

func tooLarge(lim Limits) (table, error) {
	return table{}, &FileError{Code: CodeFileTooLarge, Limit: lim.MaxBytes,
		Message: fmt.Sprintf("the file is larger than %d bytes", lim.MaxBytes)}
}

// readCSV reads a CSV file in UTF-8 (with or without a byte order mark),
// its delimiter (",", ";" or a tab) read from the header line.
func readCSV(ctx context.Context, data []byte, lim Limits) (table, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(data) {
		return table{}, &FileError{Code: CodeNotUTF8,
			Message: "the file is neither an .xlsx workbook nor CSV in UTF-8; save it as .xlsx or CSV UTF-8"}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = csvDelimiter(data)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	t := table{format: FormatCSV}
	for num := 1; ; num++ {
		if err := ctx.Err(); err != nil {
			return table{}, timedOut(err)
		}
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return table{}, &FileError{Code: CodeBadCSV, Err: err, Row: lineOf(err, num),
				Message: fmt.Sprintf("the CSV file cannot be read at line %d: %v", lineOf(err, num), errors.Unwrap(err))}
		}
		if err := t.add(num, rec, lim); err != nil {
			return table{}, err
		}
	}
	return t, t.complete()
}

func lineOf(err error, num int) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.StartLine
	}
	return num
}

// csvDelimiter is the one of ";", "," and tab that the header line, outside
// quotes, holds most of; "," when it holds none.
func csvDelimiter(data []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(data[:min(len(data), 64<<10)]) {
		if r == '"' {
			quoted = !quoted
		}
		if !quoted && (r == '\n' || r == '\r') {
			break
		}
		if !quoted {
			counts[r]++
		}
	}
	best := ','
	for _, d := range []rune{';', '\t'} {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return best
}

// readXLSX reads the sheet named "Tin bài" (any case or diacritics), else
// the first sheet. Cells are read as stored: a formula's last value as
// Excel saved it (never computed here), a date as its serial number.
func readXLSX(ctx context.Context, data []byte, lim Limits) (table, error) {
	if err := checkZip(data, lim); err != nil {
		return table{}, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: lim.MaxUnzipBytes, UnzipXMLSizeLimit: lim.MaxUnzipBytes, RawCellValue: true})
	if err != nil {
		return table{}, xlsxError(err, lim)
	}
	defer f.Close()
	rows, err := f.Rows(postSheet(f.GetSheetList()))
	if err != nil {
		return table{}, xlsxError(err, lim)
	}
	defer rows.Close()
	t := table{format: FormatXLSX}
	for num := 1; rows.Next(); num++ {
		if err := ctx.Err(); err != nil {
			return table{}, timedOut(err)
		}
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return table{}, xlsxError(err, lim)
		}
		if err := t.add(num, cells, lim); err != nil {
			return table{}, err
		}
	}
	if err := rows.Error(); err != nil {
		return table{}, xlsxError(err, lim)
	}
	return t, t.complete()
}

// checkZip refuses, before excelize opens it, a workbook of too many parts
// or whose parts would unzip to more than the limit; the zip reader also
// refuses a part that unzips to more than it declares.
func checkZip(data []byte, lim Limits) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return &FileError{Code: CodeBadXLSX, Message: "the file is not a readable .xlsx workbook", Err: err}
	}
	if len(zr.File) > lim.MaxZipEntries {
		return unzipTooLarge(lim)
	}
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if total > uint64(lim.MaxUnzipBytes) {
			return unzipTooLarge(lim)
		}
	}
	return nil
}

func unzipTooLarge(lim Limits) error {
	return &FileError{Code: CodeUnzipTooLarge, Limit: lim.MaxUnzipBytes,
		Message: fmt.Sprintf("the workbook unzips to more than %d bytes or holds too many parts", lim.MaxUnzipBytes)}
}

func xlsxError(err error, lim Limits) error {
	// excelize says this only in words.
	if strings.Contains(err.Error(), "unzip size exceeds") {
		return &FileError{Code: CodeUnzipTooLarge, Limit: lim.MaxUnzipBytes, Err: err,
			Message: fmt.Sprintf("the workbook unzips to more than %d bytes", lim.MaxUnzipBytes)}
	}
	if errors.Is(err, excelize.ErrMaxRows) {
		return &FileError{Code: CodeTooManyRows, Limit: int64(lim.MaxRows), Err: err,
			Message: fmt.Sprintf("the file has more than %d rows", lim.MaxRows)}
	}
	return &FileError{Code: CodeBadXLSX, Message: "the file is not a readable .xlsx workbook", Err: err}
}

// postSheet is the sheet posts are read from.
func postSheet(names []string) string {
	for _, n := range names {
		if fold(n) == "tin bai" {
			return n
		}
	}
	if len(names) == 0 {
		return "Sheet1"
	}
	return names[0]
}

func timedOut(err error) error {
	return &FileError{Code: CodeTimeout, Message: "reading the file took too long", Err: err}
}

// add appends a row (the first non-empty one is the header), applying the
// limits on rows and columns; empty rows are skipped.
func (t *table) add(num int, cells []string, lim Limits) error {
	cells = trimTrailingEmpty(cells)
	if len(cells) == 0 {
		return nil
	}
	if len(cells) > lim.MaxColumns {
		return &FileError{Code: CodeTooManyColumns, Limit: int64(lim.MaxColumns), Row: num,
			Message: fmt.Sprintf("row %d has %d columns; at most %d", num, len(cells), lim.MaxColumns)}
	}
	if t.header == nil {
		t.header = append([]string(nil), cells...)
		return nil
	}
	if len(t.rows) == lim.MaxRows {
		return &FileError{Code: CodeTooManyRows, Limit: int64(lim.MaxRows),
			Message: fmt.Sprintf("the file has more than %d rows of posts", lim.MaxRows)}
	}
	t.rows = append(t.rows, tableRow{num: num, cells: append([]string(nil), cells...)})
	return nil
}

func trimTrailingEmpty(cells []string) []string {
	n := len(cells)
	for n > 0 && strings.TrimSpace(cells[n-1]) == "" {
		n--
	}
	return cells[:n]
}

// complete refuses a file without a header or without a row of posts.
func (t *table) complete() error {
	if t.header == nil || len(t.rows) == 0 {
		return &FileError{Code: CodeNoRows, Message: "the file has no row of posts below its header row"}
	}
	return nil
}
