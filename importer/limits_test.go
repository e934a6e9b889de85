package importer

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"runtime"
	"strings"
	"testing"
	"time"
)

func fileErrorCode(err error) string {
	var fe *FileError
	if errors.As(err, &fe) {
		return fe.Code
	}
	return fmt.Sprintf("not a *FileError: %v", err)
}

func rowsOf(n int, cells ...string) sheet {
	s := sheet{{"Tiêu đề", "Kênh"}}
	for i := range n {
		s = append(s, append([]string{fmt.Sprint("Tin ", i), "Trang tin xã A"}, cells...))
	}
	return s
}

// Every cap refuses the whole file with its code, and nothing is imported.
func TestCapsRefuseTheFile(t *testing.T) {
	tests := []struct {
		name string
		lim  Limits
		file func(t *testing.T) []byte
		code string
	}{
		{"file size", Limits{MaxBytes: 1000}, func(t *testing.T) []byte { return rowsOf(100).csv(t, ',', false) }, CodeFileTooLarge},
		{"rows, csv", Limits{MaxRows: 5}, func(t *testing.T) []byte { return rowsOf(6).csv(t, ',', false) }, CodeTooManyRows},
		{"rows, xlsx", Limits{MaxRows: 5}, func(t *testing.T) []byte { return rowsOf(6).xlsx(t, "Tin bài", nil) }, CodeTooManyRows},
		{"columns, csv", Limits{MaxColumns: 4}, func(t *testing.T) []byte { return rowsOf(2, "a", "b", "c").csv(t, ',', false) }, CodeTooManyColumns},
		{"columns, xlsx", Limits{MaxColumns: 4}, func(t *testing.T) []byte {
			s := rowsOf(2)
			s[2] = append(s[2], "", "", "", "", "", "xa") // a cell in column H
			return s.xlsx(t, "Sheet1", nil)
		}, CodeTooManyColumns},
		{"unzipped size", Limits{MaxUnzipBytes: 256 << 10}, func(t *testing.T) []byte {
			return rowsOf(12, strings.Repeat("a", 30000)).xlsx(t, "Sheet1", nil) // 360 KB that zip to a few KiB
		}, CodeUnzipTooLarge},
		{"zip parts", Limits{MaxZipEntries: 20}, func(t *testing.T) []byte {
			return withParts(t, rowsOf(1).xlsx(t, "Sheet1", nil), 30)
		}, CodeUnzipTooLarge},
		{"time", Limits{Timeout: time.Nanosecond}, func(t *testing.T) []byte { return rowsOf(3).csv(t, ',', false) }, CodeTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.lim)
			data := tt.file(t)
			if _, err := f.imp.Check(context.Background(), f.editor, data); fileErrorCode(err) != tt.code {
				t.Fatalf("check: %v; want %s", err, tt.code)
			}
			if _, err := f.imp.Import(context.Background(), f.editor, data); fileErrorCode(err) != tt.code {
				t.Fatalf("import: %v; want %s", err, tt.code)
			}
			if p, d := f.counts(t); p != 0 || d != 0 {
				t.Fatalf("%d posts, %d deliveries after a refused file", p, d)
			}
		})
	}
}

// The same files within the defaults are read, so each cap above is what
// refused its file.
func TestCapsLetSmallerFilesIn(t *testing.T) {
	f := newFixture(t, Limits{})
	for name, data := range map[string][]byte{
		"size":     rowsOf(100).csv(t, ',', false),
		"rows":     rowsOf(6).xlsx(t, "Tin bài", nil),
		"columns":  rowsOf(2, "", "", "", "", "", "xa").xlsx(t, "Sheet1", nil),
		"unzipped": rowsOf(12, strings.Repeat("a", 30000)).xlsx(t, "Sheet1", nil),
		"parts":    withParts(t, rowsOf(1).xlsx(t, "Sheet1", nil), 30),
	} {
		if rep, err := f.imp.Check(context.Background(), f.editor, data); err != nil || !rep.Valid() {
			t.Errorf("%s: %+v, %v", name, rep.Issues, err)
		}
	}
}

// A cell longer than the cap is reported on its row; the other rows are
// still checked.
func TestCellCap(t *testing.T) {
	f := newFixture(t, Limits{MaxCellBytes: 100})
	s := sheet{{"Tiêu đề", "Kênh", "Nội dung"}, {"Tin", "Trang tin xã A", strings.Repeat("x", 101)}, {"", "Trang tin xã A", "ngắn"}}
	rep, err := f.imp.Check(context.Background(), f.editor, s.csv(t, ',', false))
	if err != nil {
		t.Fatal(err)
	}
	checkIssues(t, rep.Issues, []wantIssue{{2, "Nội dung", CodeCellTooLong, "100 bytes"}, {3, "Tiêu đề", CodeInvalidField, "required"}})
}

// Only MaxConcurrent imports run at once; another waits QueueWait, then is
// refused as busy.
func TestConcurrencyCap(t *testing.T) {
	f := newFixture(t, Limits{MaxConcurrent: 1, QueueWait: 20 * time.Millisecond})
	_, done, err := f.imp.begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	data := rowsOf(1).csv(t, ',', false)
	if _, err := f.imp.Import(context.Background(), f.editor, data); fileErrorCode(err) != CodeBusy {
		t.Fatalf("while another runs: %v; want busy", err)
	}
	done()
	if _, err := f.imp.Import(context.Background(), f.editor, data); err != nil {
		t.Fatalf("after it ended: %v", err)
	}
}

// A workbook part that inflates far beyond the size its header declares
// (a zip bomb lying about itself) is cut off at the declared size by the
// zip reader: the import reads the sheet and allocates nothing like the
// bomb's size.
func TestLyingZipPartIsCutOff(t *testing.T) {
	f := newFixture(t, Limits{})
	const bomb = 200 << 20
	data := withBomb(t, rowsOf(2).xlsx(t, "Sheet1", nil), bomb)
	if len(data) > 1<<20 {
		t.Fatalf("the bomb is %d bytes; want it small", len(data))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rep, err := f.imp.Check(context.Background(), f.editor, data)
	runtime.ReadMemStats(&after)
	if err != nil || rep.Rows != 2 || !rep.Valid() {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > bomb/4 {
		t.Fatalf("reading allocated %d bytes: the part was inflated", alloc)
	}
}

// withParts adds n small parts to a workbook.
func withParts(t *testing.T, data []byte, n int) []byte {
	t.Helper()
	return rezip(t, data, func(w *zip.Writer) {
		for i := range n {
			part, err := w.Create(fmt.Sprintf("customXml/item%d.xml", i))
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(part, "<x>%d</x>", i)
		}
	})
}

// withBomb adds a part that declares 1 KiB and inflates to size bytes.
func withBomb(t *testing.T, data []byte, size int) []byte {
	t.Helper()
	var raw bytes.Buffer
	fw, _ := flate.NewWriter(&raw, flate.BestCompression)
	zeros := make([]byte, 1<<20)
	crc := crc32.NewIEEE()
	for range size / len(zeros) {
		_, _ = fw.Write(zeros)
		_, _ = crc.Write(zeros)
	}
	_ = fw.Close()
	return rezip(t, data, func(w *zip.Writer) {
		hdr := &zip.FileHeader{Name: "xl/media/bomb.bin", Method: zip.Deflate, CRC32: crc.Sum32(),
			CompressedSize64: uint64(raw.Len()), UncompressedSize64: 1 << 10}
		part, err := w.CreateRaw(hdr)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = part.Write(raw.Bytes())
	})
}

// rezip copies a workbook's parts, replacing those in replace, and lets
// add write more.
func rezip(t *testing.T, data []byte, add func(*zip.Writer), replace ...string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for _, zf := range zr.File {
		if len(replace) == 2 && zf.Name == replace[0] {
			part, _ := w.Create(zf.Name)
			_, _ = part.Write([]byte(replace[1]))
			continue
		}
		if err := w.Copy(zf); err != nil {
			t.Fatal(err)
		}
	}
	if add != nil {
		add(w)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
