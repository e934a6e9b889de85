package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/loa-vn/loa/content"
)

type variantPostJSON struct {
	ID       int64                      `json:"id"`
	Link     string                     `json:"link"`
	ImageURL string                     `json:"image_url"`
	Priority string                     `json:"priority"`
	Variants map[string]content.Variant `json:"variants"`
}

func TestPostVariants(t *testing.T) {
	e := newEnv(t)
	web := e.createWebhook("Cổng TTĐT")
	feed := e.createFeed("Tin CCHC", "tin-cchc")
	body := postBody(web.ID, feed.ID)
	body["link"] = "https://sonoivu.gov.vn/tin/1"
	body["priority"] = "priority"
	body["variants"] = map[string]any{
		fmt.Sprint(web.ID): map[string]any{"title": "Tiêu đề <b>riêng</b> cho cổng", "text": "Dòng 1\nDòng 2", "priority": "emergency"},
	}
	r := e.post("/api/v1/posts", officerToken, body)
	wantStatus(t, r, http.StatusCreated)
	created := decode[variantPostJSON](t, r)
	if created.Link != "https://sonoivu.gov.vn/tin/1" || created.Priority != "priority" {
		t.Fatalf("post = %+v", created)
	}
	v, ok := created.Variants[fmt.Sprint(web.ID)]
	if !ok || v.Title != "Tiêu đề riêng cho cổng" || v.Text != "Dòng 1\nDòng 2" || v.Priority != "emergency" {
		t.Fatalf("variants = %+v", created.Variants)
	}
	if _, ok := created.Variants[fmt.Sprint(feed.ID)]; ok {
		t.Fatal("feed got a variant it was not given")
	}

	r = e.get(fmt.Sprintf("/api/v1/posts/%d/preview", created.ID), officerToken)
	wantStatus(t, r, http.StatusOK)
	previews := decode[struct {
		Items []struct {
			ChannelID int64 `json:"channel_id"`
			Preview   struct {
				Text   string            `json:"text"`
				Fields map[string]string `json:"fields"`
			} `json:"preview"`
		} `json:"items"`
	}](t, r)
	if len(previews.Items) != 2 {
		t.Fatalf("previews = %+v", previews)
	}
	for _, p := range previews.Items {
		want := "Thông báo lịch tiếp công dân tháng 12"
		if p.ChannelID == web.ID {
			want = "Tiêu đề riêng cho cổng"
		}
		if p.Preview.Text != want && p.Preview.Fields["title"] != want {
			t.Errorf("preview for channel %d = %+v, want title %q", p.ChannelID, p.Preview, want)
		}
	}
	r = e.get(fmt.Sprintf("/api/v1/posts/%d/preview?channel_id=%d", created.ID, feed.ID), officerToken)
	wantStatus(t, r, http.StatusOK)
	if n := strings.Count(string(r.Body), `"channel_id"`); n != 1 {
		t.Fatalf("filtered preview has %d items: %s", n, r.Body)
	}
	wantError(t, e.get(fmt.Sprintf("/api/v1/posts/%d/preview?channel_id=999", created.ID), officerToken),
		http.StatusUnprocessableEntity, "invalid_field", "channel_id")
}

func TestPostVariantsRejectBadInput(t *testing.T) {
	e := newEnv(t)
	web := e.createWebhook("Cổng TTĐT")
	tests := []struct {
		name  string
		edit  func(map[string]any)
		field string
	}{
		{"variant for a channel not in channel_ids", func(b map[string]any) {
			b["variants"] = map[string]any{"999": map[string]any{"title": "x"}}
		}, "variants.999"},
		{"variant key not a number", func(b map[string]any) {
			b["variants"] = map[string]any{"abc": map[string]any{"title": "x"}}
		}, "variants.abc"},
		{"variant with bad priority", func(b map[string]any) {
			b["variants"] = map[string]any{fmt.Sprint(web.ID): map[string]any{"priority": "urgent"}}
		}, fmt.Sprintf("variants.%d.priority", web.ID)},
		{"variant with unknown field", func(b map[string]any) {
			b["variants"] = map[string]any{fmt.Sprint(web.ID): map[string]any{"colour": "red"}}
		}, fmt.Sprintf("variants.%d.colour", web.ID)},
		{"variant with wrong type", func(b map[string]any) {
			b["variants"] = map[string]any{fmt.Sprint(web.ID): map[string]any{"title": 5}}
		}, fmt.Sprintf("variants.%d.title", web.ID)},
		{"variant not an object", func(b map[string]any) {
			b["variants"] = map[string]any{fmt.Sprint(web.ID): "x"}
		}, fmt.Sprintf("variants.%d", web.ID)},
		{"relative link", func(b map[string]any) { b["link"] = "/tin/1" }, "link"},
		{"javascript image", func(b map[string]any) { b["image_url"] = "javascript:alert(1)" }, "image_url"},
		{"unknown priority", func(b map[string]any) { b["priority"] = "khẩn" }, "priority"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := postBody(web.ID)
			tc.edit(body)
			r := e.post("/api/v1/posts", officerToken, body)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), tc.field) {
				t.Fatalf("got %s, want 422 naming %s", r, tc.field)
			}
			if posts, deliveries := e.counts(); posts != 0 || deliveries != 0 {
				t.Fatalf("rejected post left %d posts, %d deliveries", posts, deliveries)
			}
		})
	}
}

func TestChannelTestWithoutChecker(t *testing.T) {
	e := newEnv(t)
	web := e.createWebhook("Cổng TTĐT")
	r := e.post(fmt.Sprintf("/api/v1/channels/%d/test", web.ID), editorToken, nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), `"checked":false`) || !strings.Contains(string(r.Body), "không có phép kiểm tra") {
		t.Fatalf("test = %s", r.Body)
	}
	wantError(t, e.post(fmt.Sprintf("/api/v1/channels/%d/test", web.ID), officerToken, nil), http.StatusForbidden, "forbidden", "")
	wantError(t, e.post("/api/v1/channels/999/test", editorToken, nil), http.StatusNotFound, "not_found", "")
}
