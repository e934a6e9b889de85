package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/channels/radio"
)

func getRaw(t *testing.T, c client, path string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// TestRadioEdition schedules three posts (one emergency) for a station and
// reads back the edition as text, JSON and, where espeak-ng is installed, speech.
func TestRadioEdition(t *testing.T) {
	loa := start(t, env(t))
	c := client{t: t, base: "http://" + loa.addr, token: adminToken}
	zone, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	air := time.Now().In(zone).Add(3 * time.Minute).Truncate(time.Minute)
	var ch struct {
		ID int64 `json:"id"`
	}
	c.mustDo("POST", "/api/v1/channels", map[string]any{"name": "Đài xã Tân Phú", "kind": "radio",
		"config": map[string]any{"station": "Đài truyền thanh xã Tân Phú", "air_times": []string{air.Format("15:04")}}}, 201, &ch)

	at := time.Now().Add(2 * time.Second).Format(time.RFC3339)
	posts := []map[string]any{
		{"title": "Hướng dẫn nộp hồ sơ DVCTT", "summary": "Từ ngày 01/12/2026, lệ phí giảm 50%.", "priority": "normal"},
		{"title": "Triển khai Kế hoạch CCHC", "summary": "Thực hiện Kế hoạch số 25/KH-UBND ngày 03/3/2026 của UBND tỉnh.", "priority": "priority"},
		{"title": "Thông báo khẩn về bão số 15", "summary": "Xem chi tiết tại https://tanphu.gov.vn/bao.", "priority": "emergency"},
	}
	var ids []int64
	for _, p := range posts {
		p["channel_ids"] = []int64{ch.ID}
		p["publish_at"] = at
		var created post
		c.mustDo("POST", "/api/v1/posts", p, 201, &created)
		ids = append(ids, created.ID)
	}
	for _, id := range ids {
		c.waitDelivered(id, 20*time.Second)
	}
	base := fmt.Sprintf("/api/v1/channels/%d/editions/%s/%s", ch.ID, air.Format("2006-01-02"), air.Format("15:04"))
	status, script := getRaw(t, c, base+".txt")
	text := string(script)
	if status != 200 {
		t.Fatalf("edition .txt = %d %s", status, script)
	}
	first := strings.Index(text, "Tin thứ nhất (khẩn cấp): Thông báo khẩn về bão số mười lăm")
	second := strings.Index(text, "Tin thứ hai (ưu tiên): Triển khai Kế hoạch cải cách hành chính")
	third := strings.Index(text, "Tin thứ ba: Hướng dẫn nộp hồ sơ dịch vụ công trực tuyến")
	if first < 0 || second < first || third < second {
		t.Fatalf("items out of order or unread:\n%s", text)
	}
	for _, want := range []string{"Đài truyền thanh xã Tân Phú", "Thời lượng ước tính:", "năm mươi phần trăm",
		"hai mươi lăm", "hai nghìn không trăm hai mươi sáu", "Ủy ban nhân dân"} {
		if !strings.Contains(text, want) {
			t.Errorf("script lacks %q:\n%s", want, text)
		}
	}
	for _, unwanted := range []string{"https://", "CCHC", "UBND", "50%", "25/KH"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("script still has %q:\n%s", unwanted, text)
		}
	}

	status, sidecar := getRaw(t, c, base+".json")
	var meta struct {
		EstimatedSeconds int `json:"estimated_seconds"`
		Items            []struct {
			Priority string `json:"priority"`
		} `json:"items"`
	}
	if status != 200 || json.Unmarshal(sidecar, &meta) != nil || len(meta.Items) != 3 || meta.Items[0].Priority != "emergency" || meta.EstimatedSeconds <= 0 {
		t.Fatalf("edition .json = %d %s", status, sidecar)
	}

	status, wav := getRaw(t, c, base+".wav")
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		if status != http.StatusNotImplemented {
			t.Fatalf("without espeak-ng, .wav = %d, want 501", status)
		}
		t.Skip("espeak-ng not installed: audio not checked")
	}
	if status != 200 {
		t.Fatalf(".wav = %d %s", status, wav)
	}
	length, err := radio.WAVDuration(wav)
	if err != nil {
		t.Fatal(err)
	}
	ratio := length.Seconds() / float64(meta.EstimatedSeconds)
	t.Logf("audio %.1f s for an estimate of %d s (ratio %.2f)", length.Seconds(), meta.EstimatedSeconds, ratio)
	if math.Abs(ratio-1) > 0.3 {
		t.Fatalf("audio length %.1f s is not within 30%% of the estimate %d s", length.Seconds(), meta.EstimatedSeconds)
	}
}
