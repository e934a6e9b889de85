package reports

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The document's charts are drawn here as PNG images, by hand: bars,
// axes and Vietnamese labels in Liberation Sans (whose glyphs cover
// Vietnamese; chart_test.go checks every letter).

const (
	chartWidth = 1600 // px; placed 16 cm wide in the document (254 dpi)
	chartPad   = 40
)

var (
	chartInk   = color.RGBA{0x20, 0x20, 0x20, 0xff}
	chartGrid  = color.RGBA{0xd0, 0xd0, 0xd0, 0xff}
	chartMet   = color.RGBA{0x2e, 0x7d, 0x32, 0xff} // target reached
	chartBelow = color.RGBA{0xe0, 0x7b, 0x00, 0xff} // below target
	// chartPalette colours a chart's series (forms), cycled.
	chartPalette = []color.RGBA{
		{0x1f, 0x4e, 0x79, 0xff}, {0xc5, 0x5a, 0x11, 0xff}, {0x38, 0x76, 0x1d, 0xff},
		{0x7f, 0x3f, 0x98, 0xff}, {0xbf, 0x90, 0x00, 0xff}, {0x00, 0x80, 0x80, 0xff},
		{0xa6, 0x1c, 0x3c, 0xff}, {0x59, 0x59, 0x59, 0xff},
	}
)

// canvas is an image with the faces to write on it.
type canvas struct {
	img               *image.RGBA
	title, label, val font.Face
}

func newCanvas(w, h int) (*canvas, error) {
	regular, err := opentype.Parse(liberationsansregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("reports: chart font: %w", err)
	}
	bold, err := opentype.Parse(liberationsansbold.TTF)
	if err != nil {
		return nil, fmt.Errorf("reports: chart font: %w", err)
	}
	face := func(f *opentype.Font, size float64) (font.Face, error) {
		return opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	}
	c := &canvas{img: image.NewRGBA(image.Rect(0, 0, w, h))}
	if c.title, err = face(bold, 38); err != nil {
		return nil, fmt.Errorf("reports: chart font: %w", err)
	}
	if c.label, err = face(regular, 28); err != nil {
		return nil, fmt.Errorf("reports: chart font: %w", err)
	}
	if c.val, err = face(bold, 26); err != nil {
		return nil, fmt.Errorf("reports: chart font: %w", err)
	}
	draw.Draw(c.img, c.img.Bounds(), image.White, image.Point{}, draw.Src)
	return c, nil
}

func (c *canvas) rect(x0, y0, x1, y1 int, col color.Color) {
	draw.Draw(c.img, image.Rect(x0, y0, x1, y1), image.NewUniform(col), image.Point{}, draw.Src)
}

func (c *canvas) width(face font.Face, s string) int {
	return font.MeasureString(face, s).Ceil()
}

// text writes s with its baseline at y: align 0 starts it at x, 1
// centres it on x, 2 ends it at x.
func (c *canvas) text(face font.Face, x, y int, s string, align int, col color.Color) {
	switch align {
	case 1:
		x -= c.width(face, s) / 2
	case 2:
		x -= c.width(face, s)
	}
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// fit shortens s with "…" to at most w pixels.
func (c *canvas) fit(face font.Face, s string, w int) string {
	if c.width(face, s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && c.width(face, string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

func (c *canvas) png() ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, c.img); err != nil {
		return nil, fmt.Errorf("reports: chart png: %w", err)
	}
	return buf.Bytes(), nil
}

// progressChart draws each activity with a target as a horizontal bar of
// its progress (done / target), with the 100% line; nil when no activity
// has a target.
func progressChart(acts []ActivityResult) ([]byte, error) {
	var rows []ActivityResult
	for _, a := range acts {
		if a.Progress != nil {
			rows = append(rows, a)
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	const rowH, top = 56, 110
	h := top + rowH*len(rows) + 150
	c, err := newCanvas(chartWidth, h)
	if err != nil {
		return nil, err
	}
	c.text(c.title, chartWidth/2, 56, "Tiến độ thực hiện theo hoạt động (so với chỉ tiêu)", 1, chartInk)
	labelW := 140
	x0, x1 := chartPad+labelW, chartWidth-chartPad-140
	maxRate := 1.5
	for _, a := range rows {
		maxRate = math.Max(maxRate, math.Min(*a.Progress, 3))
	}
	maxRate = math.Ceil(maxRate*2) / 2
	xOf := func(r float64) int { return x0 + int(math.Min(r, maxRate)/maxRate*float64(x1-x0)) }
	bottom := top + rowH*len(rows)
	for r := 0.0; r <= maxRate+1e-9; r += 0.5 {
		x := xOf(r)
		col := chartGrid
		if r == 1 {
			col = chartInk
		}
		c.rect(x, top-10, x+2, bottom+6, col)
		c.text(c.label, x, bottom+40, fmt.Sprintf("%d%%", int(math.Round(r*100))), 1, chartInk)
	}
	for i, a := range rows {
		y := top + i*rowH
		c.text(c.label, x0-16, y+rowH/2+10, c.fit(c.label, a.Code, labelW-16), 2, chartInk)
		col := chartMet
		if *a.Progress < 1 {
			col = chartBelow
		}
		end := xOf(*a.Progress)
		c.rect(x0+2, y+10, max(end, x0+4), y+rowH-10, col)
		c.text(c.val, end+10, y+rowH/2+10, formatRate(*a.Progress), 0, chartInk)
	}
	ly := bottom + 95
	c.rect(x0, ly-22, x0+30, ly+4, chartMet)
	c.text(c.label, x0+40, ly, "Đạt chỉ tiêu", 0, chartInk)
	lx := x0 + 80 + c.width(c.label, "Đạt chỉ tiêu")
	c.rect(lx, ly-22, lx+30, ly+4, chartBelow)
	c.text(c.label, lx+40, ly, "Chưa đạt chỉ tiêu", 0, chartInk)
	return c.png()
}

// monthlyChart draws the delivered items per month as stacked columns,
// one colour per form, with each month's total above; nil when there is
// nothing to draw.
func monthlyChart(mt monthlyTable) ([]byte, error) {
	if len(mt.Months) == 0 || len(mt.Forms) == 0 {
		return nil, nil
	}
	legendRows := (len(mt.Forms) + 2) / 3
	const top, plotH = 110, 560
	h := top + plotH + 80 + legendRows*44 + 30
	c, err := newCanvas(chartWidth, h)
	if err != nil {
		return nil, err
	}
	c.text(c.title, chartWidth/2, 56, "Số tin, bài đã đăng theo tháng và hình thức", 1, chartInk)
	var peak int64
	for _, counts := range mt.Counts {
		var sum int64
		for _, n := range counts {
			sum += n
		}
		peak = max(peak, sum)
	}
	step := niceStep(peak)
	yMax := step * 5
	x0, x1 := chartPad+90, chartWidth-chartPad
	bottom := top + plotH
	yOf := func(v int64) int { return bottom - int(float64(v)/float64(yMax)*float64(plotH)) }
	for v := int64(0); v <= yMax; v += step {
		y := yOf(v)
		c.rect(x0, y, x1, y+2, chartGrid)
		c.text(c.label, x0-12, y+10, formatCount(v), 2, chartInk)
	}
	slot := (x1 - x0) / len(mt.Months)
	barW := min(slot*6/10, 160)
	for i, m := range mt.Months {
		cx := x0 + slot*i + slot/2
		var acc int64
		for j, n := range mt.Counts[i] {
			if n == 0 {
				continue
			}
			c.rect(cx-barW/2, yOf(acc+n), cx+barW/2, yOf(acc), chartPalette[j%len(chartPalette)])
			acc += n
		}
		c.text(c.val, cx, yOf(acc)-10, formatCount(acc), 1, chartInk)
		c.text(c.label, cx, bottom+40, monthLabel(m), 1, chartInk)
	}
	c.rect(x0, bottom, x1, bottom+2, chartInk)
	colW := (x1 - x0) / 3
	for j, form := range mt.Forms {
		lx := x0 + (j%3)*colW
		ly := bottom + 100 + (j/3)*44
		c.rect(lx, ly-22, lx+30, ly+4, chartPalette[j%len(chartPalette)])
		c.text(c.label, lx+40, ly, c.fit(c.label, form, colW-50), 0, chartInk)
	}
	return c.png()
}

// niceStep is a round grid step so five steps cover peak.
func niceStep(peak int64) int64 {
	if peak <= 5 {
		return 1
	}
	raw := float64(peak) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*mag {
			return int64(math.Ceil(m * mag))
		}
	}
	return int64(10 * mag)
}
