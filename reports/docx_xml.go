package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// A small WordprocessingML writer: paragraphs, runs, tables and inline
// pictures, written as text with every value escaped. Sizes are in
// twentieths of a point (twips) unless named otherwise.

const (
	twipsPerMM = 1440 / 25.4
	emuPerMM   = 36000
)

func mm(v float64) int { return int(v*twipsPerMM + 0.5) }

// docx is the document being written: its body and the pictures it
// refers to.
type docx struct {
	body     bytes.Buffer
	pictures [][]byte // word/media/chartN.png, relationship rIdPicN
}

// esc is s cleaned of what XML cannot carry, then escaped.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(cleanText(s)))
	return b.String()
}

// runStyle is a run's look: size in points.
type runStyle struct {
	size         float64
	bold, italic bool
}

// run is a run of text; "\n" breaks the line.
func run(text string, f runStyle) string {
	var b strings.Builder
	b.WriteString("<w:r><w:rPr>")
	if f.bold {
		b.WriteString("<w:b/><w:bCs/>")
	}
	if f.italic {
		b.WriteString("<w:i/><w:iCs/>")
	}
	if f.size > 0 {
		fmt.Fprintf(&b, `<w:sz w:val="%d"/><w:szCs w:val="%d"/>`, int(f.size*2), int(f.size*2))
	}
	b.WriteString("</w:rPr>")
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteString("<w:br/>")
		}
		fmt.Fprintf(&b, `<w:t xml:space="preserve">%s</w:t>`, esc(line))
	}
	b.WriteString("</w:r>")
	return b.String()
}

// para is a paragraph's layout.
type para struct {
	align               string // left, center, right, both
	firstLine           int    // first-line indent
	left, right         int    // indents
	before, after       int    // spacing
	line                int    // line spacing in 240ths of a line; 0 is single
	keepNext, keepLines bool
	ruleTop             bool // a rule above the text, as wide as the indents leave
}

func (p para) xml(runs ...string) string {
	var b strings.Builder
	b.WriteString("<w:p><w:pPr>")
	if p.keepNext {
		b.WriteString("<w:keepNext/>")
	}
	if p.keepLines {
		b.WriteString("<w:keepLines/>")
	}
	if p.ruleTop {
		b.WriteString(`<w:pBdr><w:top w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>`)
	}
	line := p.line
	if line == 0 {
		line = 240
	}
	fmt.Fprintf(&b, `<w:spacing w:before="%d" w:after="%d" w:line="%d" w:lineRule="auto"/>`, p.before, p.after, line)
	if p.firstLine != 0 || p.left != 0 || p.right != 0 {
		fmt.Fprintf(&b, `<w:ind w:left="%d" w:right="%d" w:firstLine="%d"/>`, p.left, p.right, p.firstLine)
	}
	if p.align != "" {
		fmt.Fprintf(&b, `<w:jc w:val="%s"/>`, p.align)
	}
	b.WriteString("</w:pPr>")
	for _, r := range runs {
		b.WriteString(r)
	}
	b.WriteString("</w:p>")
	return b.String()
}

// tcell is one table cell: its paragraphs (XML) and shading.
type tcell struct {
	paras []string
	shade bool
}

// table writes a table of fixed column widths; bordered draws the grid,
// header repeats the first row on each page.
func table(widths []int, rows [][]tcell, bordered, header bool) string {
	var b strings.Builder
	total := 0
	for _, w := range widths {
		total += w
	}
	b.WriteString("<w:tbl><w:tblPr>")
	fmt.Fprintf(&b, `<w:tblW w:w="%d" w:type="dxa"/><w:jc w:val="center"/>`, total)
	border := "nil"
	if bordered {
		border = "single"
	}
	b.WriteString("<w:tblBorders>")
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		if bordered {
			fmt.Fprintf(&b, `<w:%s w:val="%s" w:sz="4" w:space="0" w:color="000000"/>`, side, border)
		} else {
			fmt.Fprintf(&b, `<w:%s w:val="nil"/>`, side)
		}
	}
	b.WriteString("</w:tblBorders>")
	b.WriteString(`<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>`)
	b.WriteString("</w:tblPr><w:tblGrid>")
	for _, w := range widths {
		fmt.Fprintf(&b, `<w:gridCol w:w="%d"/>`, w)
	}
	b.WriteString("</w:tblGrid>")
	for i, row := range rows {
		b.WriteString("<w:tr><w:trPr><w:cantSplit/>")
		if header && i == 0 {
			b.WriteString("<w:tblHeader/>")
		}
		b.WriteString("</w:trPr>")
		for j, c := range row {
			fmt.Fprintf(&b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/>`, widths[j])
			if c.shade {
				b.WriteString(`<w:shd w:val="clear" w:color="auto" w:fill="DDEBF7"/>`)
			}
			b.WriteString("</w:tcPr>")
			if len(c.paras) == 0 {
				b.WriteString("<w:p/>")
			}
			for _, p := range c.paras {
				b.WriteString(p)
			}
			b.WriteString("</w:tc>")
		}
		b.WriteString("</w:tr>")
	}
	b.WriteString("</w:tbl>")
	return b.String()
}

// picture places a PNG inline, widthMM wide, keeping its aspect.
func (d *docx) picture(png []byte, w, h int, widthMM float64, name string) string {
	d.pictures = append(d.pictures, png)
	n := len(d.pictures)
	cx := int64(widthMM * emuPerMM)
	cy := cx * int64(h) / int64(w)
	return fmt.Sprintf(`<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">`+
		`<wp:extent cx="%d" cy="%d"/><wp:docPr id="%d" name="%s"/>`+
		`<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>`+
		`<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">`+
		`<pic:pic><pic:nvPicPr><pic:cNvPr id="%d" name="chart%d.png"/><pic:cNvPicPr/></pic:nvPicPr>`+
		`<pic:blipFill><a:blip r:embed="rIdPic%d"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>`+
		`<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="%d" cy="%d"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>`+
		`</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>`,
		cx, cy, n, esc(name), n, n, n, cx, cy)
}
