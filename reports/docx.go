package reports

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
)

// Page of Nghị định 30/2020/NĐ-CP, Phụ lục I: A4 portrait, margins top
// and bottom 20 mm, left 30 mm, right 15 mm (the low ends of the
// decree's ranges), page numbers centred in the top margin.
var (
	pageWidth     = mm(210)
	pageHeight    = mm(297)
	marginTop     = mm(20)
	marginBottom  = mm(20)
	marginLeft    = mm(30)
	marginRight   = mm(15)
	headerFromTop = mm(10)
	textWidth     = pageWidth - marginLeft - marginRight
)

// WriteDOCX writes the report as a Word document laid out as a
// Vietnamese administrative report (Nghị định 30/2020/NĐ-CP): national
// heading, agency, number, place and date, title, numbered sections with
// the activity tables and generated findings, charts, recipients and the
// signature block; a province report has one part per agency and the
// totals. A report over the writers' limits is refused with ErrTooLarge
// before anything is written.
func WriteDOCX(w io.Writer, r Report) error {
	if err := checkReport(r); err != nil {
		return err
	}
	d := &docx{}
	if err := d.report(r); err != nil {
		return fmt.Errorf("reports: writing docx: %w", err)
	}
	zw := zip.NewWriter(w)
	for _, part := range d.parts(r) {
		fw, err := zw.Create(part.name)
		if err != nil {
			return fmt.Errorf("reports: writing docx: %w", err)
		}
		if _, err := fw.Write(part.data); err != nil {
			return fmt.Errorf("reports: writing docx: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("reports: writing docx: %w", err)
	}
	return nil
}

type docxPart struct {
	name string
	data []byte
}

const (
	nsW   = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsR   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsRel = "http://schemas.openxmlformats.org/package/2006/relationships"
	xmlHd = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
)

// parts are the package's files, [Content_Types].xml first.
func (d *docx) parts(r Report) []docxPart {
	var types strings.Builder
	types.WriteString(xmlHd + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Default Extension="png" ContentType="image/png"/>`)
	override := func(part, typ string) {
		fmt.Fprintf(&types, `<Override PartName="%s" ContentType="%s"/>`, part, typ)
	}
	const wml = "application/vnd.openxmlformats-officedocument.wordprocessingml."
	override("/word/document.xml", wml+"document.main+xml")
	override("/word/styles.xml", wml+"styles+xml")
	override("/word/settings.xml", wml+"settings+xml")
	override("/word/header1.xml", wml+"header+xml")
	override("/word/header2.xml", wml+"header+xml")
	override("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml")
	override("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml")
	types.WriteString("</Types>")

	rels := xmlHd + `<Relationships xmlns="` + nsRel + `">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
		`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>` +
		`</Relationships>`

	var docRels strings.Builder
	docRels.WriteString(xmlHd + `<Relationships xmlns="` + nsRel + `">` +
		`<Relationship Id="rIdStyles" Type="` + nsR + `/styles" Target="styles.xml"/>` +
		`<Relationship Id="rIdSettings" Type="` + nsR + `/settings" Target="settings.xml"/>` +
		`<Relationship Id="rIdHeaderFirst" Type="` + nsR + `/header" Target="header1.xml"/>` +
		`<Relationship Id="rIdHeaderPage" Type="` + nsR + `/header" Target="header2.xml"/>`)
	for i := range d.pictures {
		fmt.Fprintf(&docRels, `<Relationship Id="rIdPic%d" Type="%s/image" Target="media/chart%d.png"/>`, i+1, nsR, i+1)
	}
	docRels.WriteString("</Relationships>")

	parts := []docxPart{
		{"[Content_Types].xml", []byte(types.String())},
		{"_rels/.rels", []byte(rels)},
		{"docProps/core.xml", []byte(docxCore(r))},
		{"docProps/app.xml", []byte(xmlHd + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Loa</Application></Properties>`)},
		{"word/_rels/document.xml.rels", []byte(docRels.String())},
		{"word/document.xml", []byte(d.document())},
		{"word/styles.xml", []byte(docxStyles)},
		{"word/settings.xml", []byte(docxSettings)},
		// The first page has no number; the others have theirs centred
		// in the top margin (size 13).
		{"word/header1.xml", []byte(xmlHd + `<w:hdr xmlns:w="` + nsW + `"><w:p/></w:hdr>`)},
		{"word/header2.xml", []byte(xmlHd + `<w:hdr xmlns:w="` + nsW + `"><w:p><w:pPr><w:jc w:val="center"/></w:pPr>` +
			`<w:r><w:rPr><w:sz w:val="26"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r>` +
			`<w:r><w:rPr><w:sz w:val="26"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>` +
			`<w:r><w:rPr><w:sz w:val="26"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r>` +
			`<w:r><w:rPr><w:sz w:val="26"/></w:rPr><w:t>2</w:t></w:r>` +
			`<w:r><w:rPr><w:sz w:val="26"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r></w:p></w:hdr>`)},
	}
	for i, png := range d.pictures {
		parts = append(parts, docxPart{fmt.Sprintf("word/media/chart%d.png", i+1), png})
	}
	return parts
}

// document wraps the body with the namespaces and the page's section.
func (d *docx) document() string {
	return xmlHd + `<w:document xmlns:w="` + nsW + `" xmlns:r="` + nsR + `"` +
		` xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"` +
		` xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"` +
		` xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>` +
		d.body.String() +
		fmt.Sprintf(`<w:sectPr><w:headerReference w:type="default" r:id="rIdHeaderPage"/>`+
			`<w:headerReference w:type="first" r:id="rIdHeaderFirst"/>`+
			`<w:pgSz w:w="%d" w:h="%d" w:orient="portrait"/>`+
			`<w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="%d" w:footer="%d" w:gutter="0"/>`+
			`<w:titlePg/></w:sectPr>`,
			pageWidth, pageHeight, marginTop, marginRight, marginBottom, marginLeft, headerFromTop, headerFromTop) +
		`</w:body></w:document>`
}

func docxCore(r Report) string {
	created := r.GeneratedAt
	if created.IsZero() {
		created = r.IssuedOn
	}
	var date string
	if !created.IsZero() {
		date = `<dcterms:created xsi:type="dcterms:W3CDTF">` + created.UTC().Format(time.RFC3339) + `</dcterms:created>`
	}
	return xmlHd + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"` +
		` xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"` +
		` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<dc:title>` + esc("Báo cáo kết quả công tác tuyên truyền cải cách hành chính "+r.Period.Label) + `</dc:title>` +
		`<dc:creator>` + esc(r.Agency.Name) + `</dc:creator><dc:language>vi-VN</dc:language>` + date +
		`</cp:coreProperties>`
}

// docxStyles: Times New Roman 14 everywhere, Vietnamese, black.
const docxStyles = xmlHd + `<w:styles xmlns:w="` + nsW + `">` +
	`<w:docDefaults><w:rPrDefault><w:rPr>` +
	`<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/>` +
	`<w:color w:val="000000"/><w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="ar-SA"/>` +
	`</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
	`<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>` +
	`<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="57" w:type="dxa"/>` +
	`<w:bottom w:w="0" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
	`</w:styles>`

const docxSettings = xmlHd + `<w:settings xmlns:w="` + nsW + `">` +
	`<w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/>` +
	`<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>` +
	`<w:themeFontLang w:val="vi-VN"/></w:settings>`

// write appends XML to the body.
func (d *docx) write(parts ...string) {
	for _, p := range parts {
		d.body.WriteString(p)
	}
}

// pngSize reads a PNG's width and height from its header.
func pngSize(b []byte) (int, int, error) {
	if len(b) < 24 || !bytes.Equal(b[:8], []byte("\x89PNG\r\n\x1a\n")) {
		return 0, 0, fmt.Errorf("not a PNG")
	}
	be := func(p []byte) int { return int(p[0])<<24 | int(p[1])<<16 | int(p[2])<<8 | int(p[3]) }
	return be(b[16:20]), be(b[20:24]), nil
}
