package reports

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font/sfnt"
)

// vietnameseLetters are every letter Vietnamese writes, both cases.
const vietnameseLetters = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ" +
	"AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬBCDĐEÈÉẺẼẸÊỀẾỂỄỆGHIÌÍỈĨỊKLMNOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢPQRSTUÙÚỦŨỤƯỪỨỬỮỰVXYỲÝỶỸỴ" +
	"0123456789%,.…/–“”"

func TestChartFontCoversVietnamese(t *testing.T) {
	for name, ttf := range map[string][]byte{"regular": liberationsansregular.TTF, "bold": liberationsansbold.TTF} {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			t.Fatal(err)
		}
		var buf sfnt.Buffer
		for _, r := range vietnameseLetters {
			i, err := f.GlyphIndex(&buf, r)
			if err != nil || i == 0 {
				t.Errorf("Liberation Sans %s has no glyph for %q (%v)", name, r, err)
			}
		}
	}
}

func TestCharts(t *testing.T) {
	r := fixturePlan004(t)
	progress, err := progressChart(r.Own.Activities)
	if err != nil {
		t.Fatal(err)
	}
	monthly, err := monthlyChart(buildMonthly(r.Own.Monthly))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"progress": progress, "monthly": monthly} {
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: not a PNG: %v", name, err)
		}
		if w := img.Bounds().Dx(); w != chartWidth {
			t.Errorf("%s width = %d", name, w)
		}
		if dir := os.Getenv("LOA_REPORTS_KEEP"); dir != "" {
			os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
		}
	}
	// Nothing to draw: no image, no error.
	if b, err := progressChart([]ActivityResult{{Code: "1"}}); b != nil || err != nil {
		t.Errorf("progress without targets = %d bytes, %v", len(b), err)
	}
	if b, err := monthlyChart(buildMonthly(nil)); b != nil || err != nil {
		t.Errorf("monthly without counts = %d bytes, %v", len(b), err)
	}
}
