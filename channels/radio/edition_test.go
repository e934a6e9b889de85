package radio

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/loa-vn/loa/channels"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func goldenConfig(t *testing.T) Config {
	t.Helper()
	c, err := ParseConfig(json.RawMessage(`{
		"station": "Đài truyền thanh xã Tân Phú",
		"air_times": ["17:00", "06:00"],
		"abbreviations": {"BCĐ": "Ban Chỉ đạo"}
	}`))
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	return c
}

// goldenItems is a day with three posts, given out of reading order.
func goldenItems() []Item {
	ict := time.FixedZone("ICT", 7*3600)
	return []Item{
		{
			DeliveryID: 11,
			Title:      "Hướng dẫn nộp hồ sơ DVCTT",
			Text: "Từ Quý IV/2026, bà con có thể nộp hồ sơ đăng ký khai sinh (mã 1.001193.000.00.00.H56) " +
				"trên Cổng DVC quốc gia tại dichvucong.gov.vn. Lệ phí 8.000 đồng.\n" +
				"Bộ phận một cửa làm việc từ 7h30 đến 17h00, thứ 2 đến thứ 6. Email: motcua@tanphu.gov.vn",
			Priority:    channels.PriorityNormal,
			ScheduledAt: time.Date(2026, 11, 22, 9, 0, 0, 0, ict),
		},
		{
			DeliveryID: 12,
			Title:      "Thông báo khẩn: bão số 15 sắp đổ bộ",
			Text: "UBND xã đề nghị bà con hoàn thành chằng chống nhà cửa trước 17h00 ngày 23/11/2026. " +
				"Lượng mưa dự báo 150-200 mm. Mọi thông tin xin liên hệ BCĐ phòng chống thiên tai xã qua số 0912 345 678.",
			Priority:    channels.PriorityEmergency,
			ScheduledAt: time.Date(2026, 11, 23, 5, 30, 0, 0, ict),
		},
		{
			DeliveryID: 10,
			Title:      "Triển khai Kế hoạch CCHC năm 2026",
			Text: "<p>Thực hiện Kế hoạch số 25/KH-UBND ngày 03/3/2026 của UBND tỉnh và Nghị định 61/2018/NĐ-CP, " +
				"xã tiếp tục cải cách TTHC cho CB, CC, VC.</p><p>Tỷ lệ hồ sơ giải quyết đúng hạn đạt 98,5%, " +
				"chỉ số SIPAS đạt 92%. Chi tiết xem tại https://tanphu.gov.vn/cchc.</p>",
			Priority:    channels.PriorityHigh,
			ScheduledAt: time.Date(2026, 11, 22, 15, 0, 0, 0, ict),
		},
	}
}

func goldenEdition(t *testing.T) Edition {
	return BuildEdition(goldenConfig(t), EditionKey{Date: "2026-11-23", AirTime: "06:00"}, goldenItems())
}

func TestEditionGolden(t *testing.T) {
	e := goldenEdition(t)
	js, err := e.JSON()
	if err != nil {
		t.Fatalf("JSON: %v", err)
	}
	compareGolden(t, "edition_2026-11-23_0600.golden.txt", []byte(e.Script()))
	compareGolden(t, "edition_2026-11-23_0600.golden.json", js)
}

func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("update %s: %v", path, err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s (run go test -update to create it): %v", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./channels/radio -update and review the diff)\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

func TestBuildEditionOrder(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC)
	items := []Item{
		{DeliveryID: 1, Title: "a", Priority: "normal", ScheduledAt: t0},
		{DeliveryID: 2, Title: "b", Priority: "priority", ScheduledAt: t0.Add(time.Hour)},
		{DeliveryID: 3, Title: "c", Priority: "emergency", ScheduledAt: t0.Add(2 * time.Hour)},
		{DeliveryID: 4, Title: "d", Priority: "priority", ScheduledAt: t0},
		{DeliveryID: 6, Title: "e", Priority: "", ScheduledAt: t0.Add(-time.Hour)},
		{DeliveryID: 5, Title: "f", Priority: "emergency", ScheduledAt: t0.Add(2 * time.Hour)},
	}
	input := slices.Clone(items)
	e := BuildEdition(Config{Station: "Đài", SyllablesPerMinute: 0}, EditionKey{"2026-11-23", "06:00"}, items)
	var ids []int64
	for _, it := range e.Items {
		ids = append(ids, it.DeliveryID)
	}
	if want := []int64{3, 5, 4, 2, 6, 1}; !slices.Equal(ids, want) {
		t.Errorf("order = %v, want %v", ids, want)
	}
	if e.Items[4].Priority != "normal" {
		t.Errorf("empty priority not normalised: %q", e.Items[4].Priority)
	}
	if !reflect.DeepEqual(items, input) {
		t.Error("BuildEdition reordered the caller's slice")
	}
	if e.SyllablesPerMinute != DefaultSyllablesPerMinute {
		t.Errorf("SyllablesPerMinute = %d, want the default", e.SyllablesPerMinute)
	}
}

func TestEmptyEdition(t *testing.T) {
	e := BuildEdition(goldenConfig(t), EditionKey{"2026-11-22", "17:00"}, nil)
	script := e.Script()
	for _, want := range []string{
		"ĐÀI TRUYỀN THANH XÃ TÂN PHÚ\nBẢN TIN PHÁT THANH\nNgày 22/11/2026 – Buổi phát 17:00\nThời lượng ước tính: ",
		"Kính thưa bà con, bản tin phát lúc mười bảy giờ, Chủ nhật, ngày hai mươi hai tháng mười một năm hai nghìn không trăm hai mươi sáu không có tin mới.",
		"Xin cảm ơn bà con đã chú ý lắng nghe.\n",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %q:\n%s", want, script)
		}
	}
	if strings.Contains(script, "Tin thứ") {
		t.Error("an empty edition has no items")
	}
	js, err := e.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(js, &got); err != nil {
		t.Fatalf("sidecar is not JSON: %v", err)
	}
	if items, ok := got["items"].([]any); !ok || len(items) != 0 {
		t.Errorf("items = %v, want []", got["items"])
	}
	if e.EstimatedSeconds() <= 0 {
		t.Error("even an empty edition takes time to read")
	}
}

// TestEditionConsistency ties the files together: the sidecar's numbers
// match the script and the syllables of what is read.
func TestEditionConsistency(t *testing.T) {
	e := goldenEdition(t)
	spoken := e.SpokenText()
	wantSecs := (Syllables(spoken)*60 + 95) / 190
	if got := e.EstimatedSeconds(); got != wantSecs {
		t.Errorf("EstimatedSeconds = %d, want %d", got, wantSecs)
	}
	script := e.Script()
	if !strings.HasSuffix(script, spoken) {
		t.Error("the script does not end with the spoken text")
	}
	header, _, _ := strings.Cut(script, "\n\n")
	if Syllables(header) == 0 || strings.Contains(spoken, "BẢN TIN PHÁT THANH") {
		t.Error("header and spoken text are mixed up")
	}
	if !norm.NFC.IsNormalString(script) {
		t.Error("script is not NFC")
	}
	if strings.ContainsFunc(spoken, unicode.IsDigit) || strings.Contains(spoken, "http") || strings.Contains(spoken, "@") {
		t.Errorf("spoken text has digits, links or addresses:\n%s", spoken)
	}
	var side struct {
		EstimatedSeconds int `json:"estimated_seconds"`
		Items            []struct {
			Number    int    `json:"number"`
			Script    string `json:"script"`
			Syllables int    `json:"syllables"`
		} `json:"items"`
	}
	js, _ := e.JSON()
	if err := json.Unmarshal(js, &side); err != nil {
		t.Fatal(err)
	}
	if side.EstimatedSeconds != wantSecs || len(side.Items) != 3 {
		t.Fatalf("sidecar = %+v", side)
	}
	for i, it := range side.Items {
		if it.Number != i+1 || !strings.Contains(script, "\n\n"+it.Script+"\n\n") || it.Syllables != Syllables(it.Script) {
			t.Errorf("sidecar item %d does not match the script: %+v", i, it)
		}
	}
}

func TestItemLineOrdinals(t *testing.T) {
	lex := newLexicon(nil)
	tests := []struct {
		n    int
		item Item
		want string
	}{
		{1, Item{Title: "Bão", Text: "Nội dung", Priority: "emergency"}, "Tin thứ nhất (khẩn cấp): Bão. Nội dung."},
		{2, Item{Title: "Họp:", Priority: "priority"}, "Tin thứ hai (ưu tiên): Họp."},
		{4, Item{Title: "Tin vui!", Text: "Có 3 xã đạt chuẩn", Priority: "normal"}, "Tin thứ tư: Tin vui! Có ba xã đạt chuẩn."},
		{11, Item{Title: "A", Priority: "normal"}, "Tin thứ mười một: A."},
		{21, Item{Title: "", Text: "Chỉ có nội dung?", Priority: "normal"}, "Tin thứ hai mươi mốt: Chỉ có nội dung?"},
	}
	for _, tt := range tests {
		if got := itemLine(tt.n, tt.item, lex); got != tt.want {
			t.Errorf("itemLine(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for secs, want := range map[int]string{0: "0 giây", 45: "45 giây", 60: "1 phút", 200: "3 phút 20 giây", 3725: "62 phút 5 giây"} {
		if got := formatDuration(secs); got != want {
			t.Errorf("formatDuration(%d) = %q, want %q", secs, got, want)
		}
	}
}

func TestMalformedKeyStillRenders(t *testing.T) {
	e := BuildEdition(goldenConfig(t), EditionKey{Date: "bad", AirTime: "06:00"}, goldenItems())
	if s := e.Script(); !strings.Contains(s, "Ngày bad – Buổi phát 06:00") {
		t.Errorf("script = %s", s)
	}
}
