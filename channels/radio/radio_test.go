package radio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loa-vn/loa/channels"
)

const testBaseURL = "https://loa.example.gov.vn"

var ict = time.FixedZone("ICT", 7*3600)

func testChannel(t *testing.T, now time.Time, airTimes ...string) *Channel {
	t.Helper()
	if len(airTimes) == 0 {
		airTimes = []string{"06:00", "17:00"}
	}
	c, err := New(Options{
		Config:        Config{Station: "Đài truyền thanh xã Tân Phú", AirTimes: airTimes},
		PublicBaseURL: testBaseURL + "/",
		ChannelID:     7,
		Location:      ict,
		Now:           func() time.Time { return now },
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, ict)
	if err != nil {
		panic(err)
	}
	return t
}

func TestKind(t *testing.T) {
	k := Kind()
	if k.Name != "radio" || len(k.SecretFields) != 0 || k.Validate == nil || k.New == nil || k.FeedSlug != nil {
		t.Fatalf("Kind() = %+v", k)
	}
	if _, err := channels.NewRegistry(k); err != nil {
		t.Fatalf("registry refuses the kind: %v", err)
	}
	now := at("2026-11-23 07:00:00")
	ch, err := k.New(json.RawMessage(`{"station":"Đài xã A","air_times":["06:00","17:00"]}`),
		channels.Env{PublicBaseURL: testBaseURL, ChannelID: 9, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	r, err := ch.Publish(context.Background(), channels.Message{Title: "Tin", Priority: channels.PriorityEmergency})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	// The env's zone defaults to UTC+7, so 07:00 ICT goes into 17:00 ICT.
	want := testBaseURL + "/api/v1/channels/9/editions/2026-11-23/17:00.txt"
	if r.ExternalID != "2026-11-23T17:00" || r.ExternalURL != want {
		t.Errorf("receipt = %+v, want %s at %s", r, "2026-11-23T17:00", want)
	}
}

func TestKindNewErrors(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		env  channels.Env
	}{
		{"invalid config", `{"station":""}`, channels.Env{PublicBaseURL: testBaseURL}},
		{"no public base URL", `{"station":"Đài xã A","air_times":["06:00"]}`, channels.Env{}},
		{"relative public base URL", `{"station":"Đài xã A","air_times":["06:00"]}`, channels.Env{PublicBaseURL: "/loa"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Kind().New(json.RawMessage(tt.raw), tt.env); err == nil || !strings.HasPrefix(err.Error(), "radio: ") {
				t.Errorf("error = %v, want a radio: error", err)
			}
		})
	}
}

func TestChannelBasics(t *testing.T) {
	c := testChannel(t, at("2026-11-23 07:00:00"))
	if c.Kind() != "radio" || !c.Idempotent() || c.Close() != nil {
		t.Error("Kind, Idempotent or Close misbehave")
	}
	if got := c.Config().AirTimes; !slices.Equal(got, []string{"06:00", "17:00"}) {
		t.Errorf("Config().AirTimes = %v", got)
	}
	if c.Config().SyllablesPerMinute != DefaultSyllablesPerMinute || c.Config().Voice != DefaultVoice {
		t.Errorf("New did not fill defaults: %+v", c.Config())
	}
}

func TestPlacement(t *testing.T) {
	tests := []struct {
		name      string
		airTimes  []string
		scheduled time.Time
		now       time.Time
		priority  string
		want      string
	}{
		{"before the first air time", nil, at("2026-11-23 05:00:00"), at("2026-11-23 05:00:00"), "normal", "2026-11-23T06:00"},
		{"exactly at an air time", nil, at("2026-11-23 06:00:00"), at("2026-11-23 06:00:00"), "normal", "2026-11-23T06:00"},
		{"a second after an air time", nil, at("2026-11-23 06:00:01"), at("2026-11-23 06:00:01"), "normal", "2026-11-23T17:00"},
		{"after the last air time", nil, at("2026-11-23 17:30:00"), at("2026-11-23 17:30:00"), "normal", "2026-11-24T06:00"},
		{"new year", nil, at("2026-12-31 23:59:00"), at("2026-12-31 23:59:00"), "normal", "2027-01-01T06:00"},
		{"UTC input read in the station's zone", nil, time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC), at("2026-11-23 06:30:00"), "normal", "2026-11-23T17:00"},
		{"published late stays in its scheduled edition", nil, at("2026-11-23 05:59:00"), at("2026-11-23 06:00:05"), "normal", "2026-11-23T06:00"},
		{"future schedule waits", nil, at("2026-11-25 09:00:00"), at("2026-11-23 07:00:00"), "priority", "2026-11-25T17:00"},
		{"emergency goes into the next edition", nil, at("2026-11-25 09:00:00"), at("2026-11-23 07:00:00"), "emergency", "2026-11-23T17:00"},
		{"emergency keeps an earlier scheduled edition", nil, at("2026-11-23 05:00:00"), at("2026-11-23 07:00:00"), "emergency", "2026-11-23T06:00"},
		{"priority spelled loosely", nil, at("2026-11-25 09:00:00"), at("2026-11-23 07:00:00"), " Emergency ", "2026-11-23T17:00"},
		{"unknown priority is normal", nil, at("2026-11-25 09:00:00"), at("2026-11-23 07:00:00"), "urgent", "2026-11-25T17:00"},
		{"one air time", []string{"11:30"}, at("2026-11-23 11:31:00"), at("2026-11-23 11:31:00"), "normal", "2026-11-24T11:30"},
		{"many air times", []string{"05:30", "11:00", "17:00", "20:00"}, at("2026-11-23 17:01:00"), at("2026-11-23 17:01:00"), "normal", "2026-11-23T20:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testChannel(t, tt.now, tt.airTimes...)
			if got := c.Placement(tt.scheduled, tt.now, tt.priority).String(); got != tt.want {
				t.Errorf("Placement = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestPlacementInAnotherZone(t *testing.T) {
	c, err := New(Options{Config: Config{Station: "Đài", AirTimes: []string{"06:00"}}, PublicBaseURL: testBaseURL, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	got := c.Placement(time.Date(2026, 11, 22, 5, 0, 0, 0, ict), time.Time{}, "normal")
	// 05:00 ICT is 22:00 UTC the day before.
	if got.String() != "2026-11-22T06:00" {
		t.Errorf("Placement = %s, want 2026-11-22T06:00", got)
	}
}

func TestEditionKey(t *testing.T) {
	k := EditionKey{Date: "2026-11-22", AirTime: "06:00"}
	if k.String() != "2026-11-22T06:00" {
		t.Errorf("String = %q", k.String())
	}
	if k.Label() != "Ngày 22/11/2026 – Buổi phát 06:00" {
		t.Errorf("Label = %q", k.Label())
	}
	start, err := k.Start(ict)
	if err != nil || !start.Equal(at("2026-11-22 06:00:00")) {
		t.Errorf("Start = %v, %v", start, err)
	}
	for _, s := range []string{"2026-11-22T06:00", "2028-02-29T23:59", "2026-01-01T00:00"} {
		got, err := ParseEditionKey(s)
		if err != nil || got.String() != s {
			t.Errorf("ParseEditionKey(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "2026-11-22", "2026-11-22 06:00", "2026-11-22T6:00", "2026-11-22T24:00", "2026-02-30T06:00",
		"2027-02-29T06:00", "2026-11-22T06:00Z", "26-11-22T06:00", "2026-11-22T06:60", "xxxx-xx-xxTxx:xx"} {
		if k, err := ParseEditionKey(s); err == nil {
			t.Errorf("ParseEditionKey(%q) = %v, want an error", s, k)
		}
	}
}

func TestPublish(t *testing.T) {
	now := at("2026-11-23 07:00:00")
	c := testChannel(t, now)
	tests := []struct {
		name   string
		msg    channels.Message
		wantID string
	}{
		{"scheduled", channels.Message{DeliveryID: 1, Title: "Tin", ScheduledAt: at("2026-11-24 05:00:00")}, "2026-11-24T06:00"},
		{"no schedule means now", channels.Message{DeliveryID: 2, Title: "Tin"}, "2026-11-23T17:00"},
		{"emergency at once", channels.Message{DeliveryID: 3, Title: "Khẩn", Priority: "emergency", ScheduledAt: at("2026-11-30 05:00:00")}, "2026-11-23T17:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := c.Publish(context.Background(), tt.msg)
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			k, _ := ParseEditionKey(tt.wantID)
			wantURL := fmt.Sprintf("%s/api/v1/channels/7/editions/%s/%s.txt", testBaseURL, k.Date, k.AirTime)
			if r.ExternalID != tt.wantID || r.ExternalURL != wantURL || r.HTTPStatus != 0 {
				t.Errorf("receipt = %+v, want %s at %s", r, tt.wantID, wantURL)
			}
			again, _ := c.Publish(context.Background(), tt.msg)
			if again != r {
				t.Errorf("second Publish = %+v, want the same receipt", again)
			}
		})
	}
}

func TestPublishErrors(t *testing.T) {
	c := testChannel(t, at("2026-11-23 07:00:00"))
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name  string
		ctx   context.Context
		msg   channels.Message
		class channels.Class
		text  string
	}{
		{"canceled context", canceled, channels.Message{Title: "Tin"}, channels.ClassRetryable, "context canceled"},
		{"no title", context.Background(), channels.Message{Title: " \t", Text: "Nội dung"}, channels.ClassPermanent, "no title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Publish(tt.ctx, tt.msg)
			if err == nil {
				t.Fatal("Publish succeeded")
			}
			if got := channels.ClassOf(err); got != tt.class {
				t.Errorf("class = %v, want %v", got, tt.class)
			}
			if !strings.Contains(err.Error(), tt.text) || !strings.Contains(err.Error(), "radio: ") {
				t.Errorf("error %q should mention %q", err, tt.text)
			}
		})
	}
}

func TestPublishConcurrently(t *testing.T) {
	c := testChannel(t, at("2026-11-23 07:00:00"))
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := channels.Message{DeliveryID: int64(i), Title: "Tin", ScheduledAt: at("2026-11-23 05:00:00")}
			if r, err := c.Publish(context.Background(), msg); err != nil || r.ExternalID != "2026-11-23T06:00" {
				t.Errorf("Publish = %+v, %v", r, err)
			}
			c.Preview(msg)
		}()
	}
	wg.Wait()
}

func TestPreview(t *testing.T) {
	now := at("2026-11-23 07:00:00")
	c := testChannel(t, now)
	p := c.Preview(channels.Message{
		Title:       "Họp dân về CCHC",
		BodyHTML:    "<p>Họp lúc 19h ngày 25/11/2026. Xem tại https://tanphu.gov.vn/hop.</p>",
		Priority:    "priority",
		ScheduledAt: at("2026-11-20 05:00:00"), // in the past: previewed as if published now
	})
	wantText := "Họp dân về cải cách hành chính. Họp lúc mười chín giờ ngày hai mươi lăm tháng mười một năm hai nghìn không trăm hai mươi sáu."
	if p.Text != wantText {
		t.Errorf("Text = %q\nwant %q", p.Text, wantText)
	}
	if p.Length != Syllables(wantText) || p.Unit != "âm tiết" || p.Limit != 380 {
		t.Errorf("Length, Unit, Limit = %d, %q, %d", p.Length, p.Unit, p.Limit)
	}
	wantFields := map[string]string{
		"estimated_seconds": fmt.Sprint((Syllables(wantText)*60 + 95) / 190),
		"edition":           "2026-11-23T17:00",
		"edition_label":     "Ngày 23/11/2026 – Buổi phát 17:00",
		"edition_url":       testBaseURL + "/api/v1/channels/7/editions/2026-11-23/17:00.txt",
		"priority_label":    "ưu tiên",
	}
	for k, v := range wantFields {
		if p.Fields[k] != v {
			t.Errorf("Fields[%s] = %q, want %q", k, p.Fields[k], v)
		}
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "đường dẫn") {
		t.Errorf("Warnings = %q, want one about the removed link", p.Warnings)
	}
}

func TestPreviewWarnings(t *testing.T) {
	c := testChannel(t, at("2026-11-23 07:00:00"))
	long := strings.Repeat("Bà con chú ý lắng nghe thông báo. ", 60) // 420 syllables
	tests := []struct {
		name string
		msg  channels.Message
		want []string
	}{
		{"nothing to read", channels.Message{}, []string{"không có nội dung"}},
		{"no title", channels.Message{Text: "Nội dung"}, []string{"chưa có tiêu đề"}},
		{"title only", channels.Message{Title: "Tiêu đề"}, []string{"chỉ có tiêu đề"}},
		{"too long", channels.Message{Title: "Tin dài", Text: long}, []string{"dài hơn 2 phút"}},
		{"e-mail and code", channels.Message{Title: "Thủ tục", Text: "Khai sinh (mã 1.001193.000.00.00.H56), hỏi qua email a@b.vn."},
			[]string{"thư điện tử", "mã thủ tục"}},
		{"nothing to warn about", channels.Message{Title: "Tin", Text: "Nội dung ngắn."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := c.Preview(tt.msg)
			if p.Warnings == nil {
				t.Fatal("Warnings is nil; the API expects a list")
			}
			if len(p.Warnings) != len(tt.want) {
				t.Fatalf("Warnings = %q, want %d", p.Warnings, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(p.Warnings[i], w) {
					t.Errorf("warning %q should mention %q", p.Warnings[i], w)
				}
			}
		})
	}
}

func TestItemFromMessage(t *testing.T) {
	sched := at("2026-11-23 05:00:00")
	tests := []struct {
		name string
		msg  channels.Message
		want Item
	}{
		{"channel text wins", channels.Message{DeliveryID: 4, Title: " Tin <b>A</b> ", Text: "Văn bản cho loa", Summary: "Tóm tắt", BodyHTML: "<p>Thân</p>", Priority: "EMERGENCY", ScheduledAt: sched},
			Item{DeliveryID: 4, Title: "Tin A", Text: "Văn bản cho loa", Priority: "emergency", ScheduledAt: sched}},
		{"summary and body", channels.Message{Title: "T", Summary: "Tóm tắt.", BodyHTML: "<p>Đoạn một.</p><p>Đoạn hai.</p>"},
			Item{Title: "T", Text: "Tóm tắt.\nĐoạn một.\nĐoạn hai.", Priority: "normal"}},
		{"lead not read twice", channels.Message{Title: "T", Summary: "Đoạn một.", BodyHTML: "<p>Đoạn một. Tiếp theo.</p>"},
			Item{Title: "T", Text: "Đoạn một. Tiếp theo.", Priority: "normal"}},
		{"summary only", channels.Message{Title: "T", Summary: "Tóm tắt", Priority: "priority"},
			Item{Title: "T", Text: "Tóm tắt", Priority: "priority"}},
		{"nothing", channels.Message{Title: "T"}, Item{Title: "T", Priority: "normal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ItemFromMessage(tt.msg); got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestPriorityLabel(t *testing.T) {
	for p, want := range map[string]string{"emergency": "khẩn cấp", "priority": "ưu tiên", "normal": "thông thường", "": "thông thường", "x": "thông thường"} {
		if got := PriorityLabel(p); got != want {
			t.Errorf("PriorityLabel(%q) = %q, want %q", p, got, want)
		}
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	_, err := New(Options{Config: Config{Station: "Đài", AirTimes: []string{"25:00"}}, PublicBaseURL: testBaseURL})
	var ce *channels.ConfigError
	if !errors.As(err, &ce) || ce.Field != "air_times[0]" {
		t.Errorf("error = %v, want a ConfigError on air_times[0]", err)
	}
}
