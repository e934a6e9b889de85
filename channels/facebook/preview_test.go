package facebook

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/channels"
)

const (
	warnEmpty  = "Bài không có nội dung chữ (tiêu đề, tóm tắt và nội dung riêng cho Facebook đều trống); Loa sẽ không đăng được lên Trang."
	warnNoLink = "Bài không có liên kết; người đọc sẽ không có đường dẫn tới bài gốc trên cổng thông tin."
)

func TestPreview(t *testing.T) {
	long := strings.Repeat("ư", 2500)
	tooLong := strings.Repeat("a", MaxMessageRunes+1)
	tests := []struct {
		name string
		edit func(*channels.Message)
		want channels.Preview
	}{
		{name: "feed with link", edit: func(*channels.Message) {},
			want: channels.Preview{Text: wantDerivedText, Length: 78, Limit: MaxMessageRunes, Unit: "characters",
				Fields: map[string]string{"endpoint": "feed", "link": testLink}, Warnings: []string{}}},
		{name: "photo with link in caption", edit: func(m *channels.Message) { m.ImageURL = testImage },
			want: channels.Preview{Text: wantDerivedText + "\n\n" + testLink, Length: 78 + 2 + len(testLink), Limit: MaxMessageRunes, Unit: "characters",
				Fields: map[string]string{"endpoint": "photos", "link": testLink, "url": testImage}, Warnings: []string{}}},
		{name: "empty text and no link", edit: func(m *channels.Message) { m.Title, m.Summary, m.Link = "", "", "" },
			want: channels.Preview{Text: "", Length: 0, Limit: MaxMessageRunes, Unit: "characters",
				Fields: map[string]string{"endpoint": "feed"}, Warnings: []string{warnEmpty, warnNoLink}}},
		{name: "very long", edit: func(m *channels.Message) { m.Text = long },
			want: channels.Preview{Text: long, Length: 2500, Limit: MaxMessageRunes, Unit: "characters",
				Fields:   map[string]string{"endpoint": "feed", "link": testLink},
				Warnings: []string{"Nội dung rất dài (2500 ký tự); trên Facebook người đọc chỉ thấy vài dòng đầu, phần còn lại bị ẩn sau nút “Xem thêm”."}}},
		{name: "over the limit", edit: func(m *channels.Message) { m.Text = tooLong },
			want: channels.Preview{Text: tooLong, Length: MaxMessageRunes + 1, Limit: MaxMessageRunes, Unit: "characters",
				Fields:   map[string]string{"endpoint": "feed", "link": testLink},
				Warnings: []string{"Nội dung dài 63207 ký tự, vượt giới hạn 63206 ký tự của Facebook; hãy rút gọn trước khi đăng."}}},
	}
	f, err := New(Options{PageID: testPage, PageToken: testToken})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := testMessage()
			tt.edit(&msg)

			got := f.Preview(msg)

			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Preview =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// TestPreviewMatchesPublish guards the promise that Preview shows exactly
// what Publish sends.
func TestPreviewMatchesPublish(t *testing.T) {
	for _, image := range []string{"", testImage} {
		g := newFakeGraph(t)
		f := newTestFacebook(t, g.srv.URL, time.Second, newClock())
		msg := testMessage()
		msg.ImageURL = image
		msg.Text = "  Thông báo: Cha\u0300o mừng  "

		preview := f.Preview(msg)
		if _, err := f.Publish(t.Context(), msg); err != nil {
			t.Fatalf("Publish: %v", err)
		}

		sent := onlyRequest(t, g).form
		if sent.Get("message") != preview.Text {
			t.Errorf("sent message %q, preview %q", sent.Get("message"), preview.Text)
		}
		if sent.Get("url") != preview.Fields["url"] || !strings.HasSuffix(onlyRequest(t, g).path, "/"+preview.Fields["endpoint"]) {
			t.Errorf("sent %v to %s, preview fields %v", sent, onlyRequest(t, g).path, preview.Fields)
		}
	}
}
