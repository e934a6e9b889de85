package rss_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the item page formats dates in Asia/Ho_Chi_Minh

	"github.com/loa-vn/loa/channels/rss"
)

func renderPage(t *testing.T, f rss.Feed, it rss.Item) string {
	t.Helper()
	var b strings.Builder
	if err := rss.RenderItemPage(&b, f, it, "bm9uY2U"); err != nil {
		t.Fatalf("RenderItemPage: %v", err)
	}
	return b.String()
}

func TestRenderItemPage(t *testing.T) {
	f := testFeed()
	page := renderPage(t, f, f.Items[0])
	for _, want := range []string{
		"<!DOCTYPE html>",
		`<html lang="vi">`,
		`<meta charset="utf-8">`,
		"<h1>Cải cách hành chính: công khai TTHC &amp; dịch vụ công &lt;mức độ 4&gt;</h1>",
		// 08:15 in Hanoi, whatever zone the caller used.
		"Đăng lúc <time",
		">10/03/2025 08:15</time>",
		"Xem nguồn tin RSS",
		`<a href="https://loa.example.gov.vn/feeds/ubnd-hn.rss">UBND Thành phố Hà Nội &amp; Sở &lt;Nội vụ&gt;</a>`,
		"Người dân &#34;không&#34; phải đến trụ sở &amp; chờ &lt;lâu&gt;",
		viBody, // inserted as markup, not escaped
		`<style nonce="bm9uY2U">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q\n%s", want, page)
		}
	}
}

func TestRenderItemPageZone(t *testing.T) {
	f := testFeed()
	it := f.Items[0]
	it.Published = time.Date(2025, 12, 31, 17, 5, 0, 0, time.UTC)
	if page := renderPage(t, f, it); !strings.Contains(page, ">01/01/2026 00:05</time>") {
		t.Fatalf("date not in Asia/Ho_Chi_Minh:\n%s", page)
	}
	it.Published = time.Time{}
	if page := renderPage(t, f, it); strings.Contains(page, "Đăng lúc") {
		t.Fatal("undated item shows a date")
	}
}

func TestRenderItemPageEscapesTitle(t *testing.T) {
	f := testFeed()
	it := f.Items[0]
	it.Title = `<script>alert("x")</script>`
	page := renderPage(t, f, it)
	if strings.Contains(page, "<script>") {
		t.Fatalf("unescaped script in page:\n%s", page)
	}
	if !strings.Contains(page, "<h1>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</h1>") {
		t.Fatalf("escaped title missing:\n%s", page)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestRenderItemPageWriteError(t *testing.T) {
	f := testFeed()
	err := rss.RenderItemPage(failingWriter{}, f, f.Items[0], "")
	if err == nil || !strings.HasPrefix(err.Error(), "rss: ") {
		t.Fatalf("RenderItemPage error = %v", err)
	}
}
