package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

func writeDOCXBytes(t *testing.T, r Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteDOCX(&buf, r); err != nil {
		t.Fatalf("WriteDOCX: %v", err)
	}
	return buf.Bytes()
}

// docxParts reads every part of a .docx.
func docxParts(t *testing.T, raw []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[f.Name] = b
	}
	return parts
}

// wellFormed reads an XML part to its end; it also returns the text of
// its w:t elements, joined.
func wellFormed(name string, b []byte) (string, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	var text strings.Builder
	inT := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return text.String(), nil
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			inT = tk.Name.Local == "t" && tk.Name.Space == nsW
		case xml.EndElement:
			if inT {
				text.WriteString(" ")
			}
			inT = false
		case xml.CharData:
			if inT {
				text.Write(tk)
			}
		}
	}
}

func TestWriteDOCXPackage(t *testing.T) {
	r := fixturePlan004(t)
	parts := docxParts(t, writeDOCXBytes(t, r))
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml",
		"word/_rels/document.xml.rels", "word/styles.xml", "word/settings.xml", "word/header1.xml",
		"word/header2.xml", "docProps/core.xml", "docProps/app.xml", "word/media/chart1.png", "word/media/chart2.png"} {
		if _, ok := parts[name]; !ok {
			t.Errorf("no part %s", name)
		}
	}
	var bodyText string
	for name, b := range parts {
		if strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".rels") {
			text, err := wellFormed(name, b)
			if err != nil {
				t.Errorf("not well-formed: %v", err)
			}
			if name == "word/document.xml" {
				bodyText = text
			}
		}
	}
	// Every relationship's target is in the package, and every part has
	// a content type.
	types := string(parts["[Content_Types].xml"])
	target := regexp.MustCompile(`Target="([^"]+)"`)
	for rels, base := range map[string]string{"_rels/.rels": "", "word/_rels/document.xml.rels": "word/"} {
		for _, m := range target.FindAllStringSubmatch(string(parts[rels]), -1) {
			if _, ok := parts[base+m[1]]; !ok {
				t.Errorf("%s points at %s, which is not in the package", rels, base+m[1])
			}
		}
	}
	for name := range parts {
		ext := name[strings.LastIndex(name, ".")+1:]
		if !strings.Contains(types, `PartName="/`+name+`"`) && !strings.Contains(types, `Extension="`+ext+`"`) {
			t.Errorf("part %s has no content type", name)
		}
	}
	doc := string(parts["word/document.xml"])
	for _, want := range []string{
		`<w:pgSz w:w="11906" w:h="16838" w:orient="portrait"/>`,             // A4
		`<w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="1701"`, // 20, 15, 20, 30 mm
		`<w:titlePg/>`, `w:type="first" r:id="rIdHeaderFirst"`, `r:embed="rIdPic1"`, `r:embed="rIdPic2"`,
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("document.xml lacks %s", want)
		}
	}
	if !strings.Contains(string(parts["word/styles.xml"]), `w:ascii="Times New Roman"`) {
		t.Error("the default font is not Times New Roman")
	}
	if !strings.Contains(string(parts["word/header2.xml"]), "PAGE") || strings.Contains(string(parts["word/header1.xml"]), "PAGE") {
		t.Error("page numbers must be on the pages after the first only")
	}
	for _, want := range []string{
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
		"ỦY BAN NHÂN DÂN TỈNH BÌNH ĐỊNH", "Số:       /BC-STTTT", "Bình Định, ngày 20 tháng 3 năm 2027", "BÁO CÁO",
		"Kết quả công tác tuyên truyền cải cách hành chính quý I năm 2027",
		"Kỳ báo cáo từ ngày 15/12/2026 đến ngày 14/03/2027",
		"I. KẾT QUẢ THỰC HIỆN", "II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", "III. ĐỀ XUẤT, KIẾN NGHỊ",
		"a) Hoạt động 2.1.", "g) Hoạt động 2.7.", "Phối hợp thực hiện chuyên mục “Công dân hỏi – Giám đốc Sở trả lời”",
		"Hoạt động 2.7 (Tổ chức hội nghị", "mới đạt 0/2 chỉ tiêu (0,0%)", // a shortcoming
		"(hoạt động 2.1, 2.4, 2.6, 2.7)", // the proposal
		"Nơi nhận:", "- Sở Nội vụ (để b/cáo);", "- Lưu: VT, TTBCXB.", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Phạm Ngọc Thái",
	} {
		if !strings.Contains(bodyText, want) {
			t.Errorf("the document's text lacks %q", want)
		}
	}
}

func TestWriteDOCXHostileText(t *testing.T) {
	r := fixturePlan004(t)
	r.Agency.Name = `Sở <b>"A&B"</b>` + "\x00\x0b\x1f\ufffe"
	r.Own.Activities[0].Title = "]]><w:p>tiêm</w:p>"
	r.Recipients = []string{"Nơi <x/>;"}
	parts := docxParts(t, writeDOCXBytes(t, r))
	text, err := wellFormed("word/document.xml", parts["word/document.xml"])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`SỞ <B>"A&B"</B>`, "]]><w:p>tiêm</w:p>", "- Nơi <x/>."} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if _, err := wellFormed("docProps/core.xml", parts["docProps/core.xml"]); err != nil {
		t.Error(err)
	}
}

func TestIssuedLine(t *testing.T) {
	loc := fixtureLoc(t)
	cases := []struct {
		on   time.Time
		want string
	}{
		{time.Date(2027, 3, 20, 0, 0, 0, 0, loc), "Bình Định, ngày 20 tháng 3 năm 2027"},
		{time.Date(2027, 2, 5, 0, 0, 0, 0, loc), "Bình Định, ngày 05 tháng 02 năm 2027"},
		{time.Date(2027, 1, 31, 0, 0, 0, 0, loc), "Bình Định, ngày 31 tháng 01 năm 2027"},
		{time.Date(2027, 12, 9, 0, 0, 0, 0, loc), "Bình Định, ngày 09 tháng 12 năm 2027"},
		{time.Time{}, "Bình Định, ngày     tháng     năm 2026"},
	}
	for _, c := range cases {
		if got := issuedLine("Bình Định", c.on, 2026); got != c.want {
			t.Errorf("issuedLine(%v) = %q, want %q", c.on, got, c.want)
		}
	}
}

// TestDOCXInLibreOffice converts the documents to PDF with LibreOffice
// and reads them back with poppler: the text as printed, A4, and the
// decree's margins. It skips without soffice, except in CI.
func TestDOCXInLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("converting with LibreOffice takes seconds")
	}
	for _, tool := range []string{"soffice", "pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is missing in CI: .ci/run installs libreoffice-writer-nogui and poppler-utils", tool)
			}
			t.Skipf("%s is not installed (apt-get install libreoffice-writer-nogui fonts-liberation2 poppler-utils); skipping the PDF check", tool)
		}
	}
	dir := t.TempDir()
	if keep := os.Getenv("LOA_REPORTS_KEEP"); keep != "" {
		dir = keep // to look at the PDFs afterwards
	}
	fixtures := map[string]Report{"plan004": fixturePlan004(t), "province": fixtureProvince(t)}
	var names []string
	for name, r := range fixtures {
		path := filepath.Join(dir, name+".docx")
		if err := os.WriteFile(path, writeDOCXBytes(t, r), 0o600); err != nil {
			t.Fatal(err)
		}
		names = append(names, path)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"),
		"--headless", "--norestore", "--convert-to", "pdf", "--outdir", dir}, names...)
	start := time.Now()
	out, err := exec.CommandContext(ctx, "soffice", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	t.Logf("LibreOffice converted %d documents in %v", len(names), time.Since(start).Round(time.Millisecond))

	for name, r := range fixtures {
		t.Run(name, func(t *testing.T) {
			pdf := filepath.Join(dir, name+".pdf")
			checkPDFPage(t, ctx, pdf)
			layout := pdfText(t, ctx, "-layout", pdf)
			rawText := strings.Join(strings.Fields(pdfText(t, ctx, "-raw", pdf)), " ")
			heading := []string{
				"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO",
				"Kết quả công tác tuyên truyền cải cách hành chính quý I năm 2027",
				"Bình Định, ngày 20 tháng 3 năm 2027",
			}
			for _, want := range heading {
				if !strings.Contains(layout, want) {
					t.Errorf("pdftotext -layout does not find %q", want)
				}
			}
			// The period's dates and each activity table row, cell after
			// cell, as the PDF holds them (wrapped lines joined).
			want := []string{"Kỳ báo cáo từ ngày 15/12/2026 đến ngày 14/03/2027",
				"Mã Hoạt động Hình thức Chỉ tiêu Đã thực hiện Tỷ lệ Đã đăng Không thành công Đúng giờ Lượt tiếp cận"}
			for _, s := range agencyParts(r) {
				for _, a := range s.Results.Activities {
					want = append(want, strings.Join([]string{a.Code, a.Title, strings.Join(a.Forms, ", "), targetText(a),
						formatCount(a.Done), formatOptRate(a.Progress), formatCount(a.Delivered), formatCount(a.Failed),
						formatOptRate(a.OnTimeRate), formatReach(a.Reach)}, " "))
				}
			}
			if name == "province" {
				for _, s := range r.Sections {
					want = append(want, s.Agency.Name)
				}
			}
			for _, w := range want {
				w = strings.Join(strings.Fields(w), " ")
				if !strings.Contains(rawText, w) {
					t.Errorf("the PDF's text lacks %q", w)
				}
			}
			if name == "plan004" {
				t.Logf("pdftotext -layout, first lines:\n%s", firstLines(layout, 12))
			}
		})
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

func pdfText(t *testing.T, ctx context.Context, mode, pdf string) string {
	t.Helper()
	out, err := exec.CommandContext(ctx, "pdftotext", mode, "-enc", "UTF-8", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", mode, err)
	}
	return norm.NFC.String(string(out))
}

// checkPDFPage checks the paper is A4 and no text leaves the decree's
// margins; the page number sits in the top margin from page 2 on.
func checkPDFPage(t *testing.T, ctx context.Context, pdf string) {
	t.Helper()
	info, err := exec.CommandContext(ctx, "pdfinfo", pdf).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	size := regexp.MustCompile(`Page size:\s+([\d.]+) x ([\d.]+) pts`).FindSubmatch(info)
	if size == nil {
		t.Fatalf("pdfinfo gives no page size:\n%s", info)
	}
	w, _ := strconv.ParseFloat(string(size[1]), 64)
	h, _ := strconv.ParseFloat(string(size[2]), 64)
	if abs(w-595.28) > 1 || abs(h-841.89) > 1 {
		t.Errorf("page is %.2f x %.2f pt, want A4 595 x 842", w, h)
	}
	pages := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info)
	if n, _ := strconv.Atoi(string(pages[1])); n < 2 {
		t.Fatalf("%d page(s); the page number check needs two", n)
	}

	bbox, err := exec.CommandContext(ctx, "pdftotext", "-bbox", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	const pt = 72 / 25.4 // points per mm
	left, right, top, bottom := 30*pt, w-15*pt, 20*pt, h-20*pt
	const slack = 1.0
	word := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
	minX, maxX := w, 0.0
	for i, page := range strings.Split(string(bbox), "<page ")[1:] {
		var inTop []string
		for _, m := range word.FindAllStringSubmatch(page, -1) {
			x0, _ := strconv.ParseFloat(m[1], 64)
			y0, _ := strconv.ParseFloat(m[2], 64)
			x1, _ := strconv.ParseFloat(m[3], 64)
			y1, _ := strconv.ParseFloat(m[4], 64)
			minX, maxX = min(minX, x0), max(maxX, x1)
			if x0 < left-slack || x1 > right+slack || y1 > bottom+slack {
				t.Errorf("page %d: %q at x %.1f–%.1f, y %.1f–%.1f is outside the margins", i+1, m[5], x0, x1, y0, y1)
			}
			if y0 < top-slack {
				inTop = append(inTop, m[5])
				if mid := (x0 + x1) / 2; abs(mid-(left+right)/2) > 5 {
					t.Errorf("page %d: the page number is at x %.1f, not centred", i+1, mid)
				}
			}
		}
		want := []string(nil)
		if i > 0 {
			want = []string{strconv.Itoa(i + 1)}
		}
		if strings.Join(inTop, " ") != strings.Join(want, " ") {
			t.Errorf("page %d: top margin holds %q, want %q", i+1, inTop, want)
		}
	}
	t.Logf("text spans x %.1f–%.1f pt (margins allow %.1f–%.1f)", minX, maxX, left, right)
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func TestWriteDOCXProvince(t *testing.T) {
	r := fixtureProvince(t)
	parts := docxParts(t, writeDOCXBytes(t, r))
	text, err := wellFormed("word/document.xml", parts["word/document.xml"])
	if err != nil {
		t.Fatal(err)
	}
	text = strings.Join(strings.Fields(text), " ")
	// The totals table: a row per commune, then the sums.
	want := []string{
		"Ủy ban nhân dân tỉnh Bình Định báo cáo tổng hợp kết quả công tác tuyên truyền cải cách hành chính quý I năm 2027 của 3 cơ quan, đơn vị",
		"1 Ủy ban nhân dân xã An Bình 25 21 1 0 95,2% 950 4",
		"2 Ủy ban nhân dân xã Tân Lập 27 25 0 0 96,0% Không có số liệu 2",
		"3 Ủy ban nhân dân xã Phước Sơn 11 10 2 0 90,0% 120 1",
		"Tổng cộng 63 56 3 0 94,6% 1.070 7",
		// One part per commune, numbered after the totals and the charts.
		"3. Ủy ban nhân dân xã An Bình", "4. Ủy ban nhân dân xã Tân Lập", "5. Ủy ban nhân dân xã Phước Sơn",
		"- Ủy ban nhân dân xã Phước Sơn: hoạt động 1 (Đăng tin về cải cách thủ tục hành chính trên Trang thông tin điện tử xã) mới đạt 4/10 chỉ tiêu (40,0%)",
		"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn An",
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the document's text lacks %q", w)
		}
	}
	// The totals are the communes' sums, as the fixture says.
	var delivered, records int64
	for _, s := range r.Sections {
		delivered += s.Results.Delivered
		records += s.Results.Records
	}
	if delivered != r.Own.Delivered || delivered != 56 || records != 7 {
		t.Errorf("fixture totals: delivered %d (own %d), records %d", delivered, r.Own.Delivered, records)
	}
}
