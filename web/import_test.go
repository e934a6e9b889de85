package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/loa-vn/loa/storage"
)

// upload sends the import form with file (named name) and action.
func (b *browser) upload(name string, file []byte, action, csrf string) page {
	b.h.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("csrf_token", csrf)
	_ = w.WriteField("action", action)
	part, _ := w.CreateFormFile("file", name)
	_, _ = part.Write(file)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.h.url+"/posts/import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := b.c.Do(req)
	if err != nil {
		b.h.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return page{status: res.StatusCode, header: res.Header, body: string(data)}
}

func importCSV(t *testing.T, rows ...[]string) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\xEF\xBB\xBF")
	w := csv.NewWriter(&b)
	w.Comma = ';'
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// importWords are the words of the import page that are not Vietnamese
// on purpose: file formats and units.
var importWords = []string{"xlsx", "csv", "CSV", "Excel", "MB", "dd", "mm", "yyyy", "HH"}

func (h *harness) postsAndDeliveries() (int, int) {
	h.t.Helper()
	ps, err := h.store.ListPosts(context.Background(), storage.PostFilter{Limit: 1000})
	if err != nil {
		h.t.Fatal(err)
	}
	ds, err := h.store.ListDeliveries(context.Background(), storage.DeliveryFilter{Limit: 1000})
	if err != nil {
		h.t.Fatal(err)
	}
	return len(ps), len(ds)
}

// Nhập tin từ tệp: a check lists each bad row with its column and the
// reason in Vietnamese, and imports nothing; so does an import of the bad
// file; the fixed file is imported and the page says what was made.
func TestImportPage(t *testing.T) {
	h := newHarness(t)
	h.user("an", storage.RoleEditor, "mật khẩu đủ dài 1", 0)
	ch := storage.Channel{Name: "Trang tin xã", Kind: "webhook", ConfigSealed: []byte("x"), Status: storage.ChannelActive}
	if err := h.store.CreateChannel(context.Background(), &ch, "test"); err != nil {
		t.Fatal(err)
	}
	b := h.browser()
	b.mustLogin("an", "mật khẩu đủ dài 1")
	form := b.get("/posts/import")
	if form.status != http.StatusOK || !strings.Contains(form.body, `enctype="multipart/form-data"`) ||
		!strings.Contains(form.body, `href="/posts/import/template.xlsx"`) || !strings.Contains(form.body, `href="/posts/import"`) {
		t.Fatalf("form page: %d %s", form.status, form.body)
	}
	checkVietnamesePage(t, form.body, importWords...)
	csrf := b.csrf("/posts/import")

	bad := importCSV(t, []string{"Tiêu đề", "Kênh", "Thời gian"},
		[]string{"Tin một", "Trang tin xã", ""},
		[]string{"", "Trang tin xã", ""},
		[]string{"Tin ba", "Kênh không có", ""},
		[]string{"Tin bốn", "Trang tin xã", "32/12/2026 07:00"})
	for _, action := range []string{importCheck, importRun} {
		p := b.upload("tin-bai.csv", bad, action, csrf)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("%s of a bad file: %d", action, p.status)
		}
		checkVietnamesePage(t, p.body, append(importWords, "tin-bai.csv")...)
		for _, want := range []string{"Có 3 dòng lỗi trong 4 dòng tin", "<td>3</td><td>Tiêu đề</td><td>Hãy nhập tiêu đề.</td>",
			"<td>4</td><td>Kênh</td><td>Không có kênh tên “Kênh không có”", "<td>5</td><td>Thời gian</td><td>Thời gian “32/12/2026 07:00” không đúng dạng"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("%s: the report lacks %q", action, want)
			}
		}
		if posts, deliveries := h.postsAndDeliveries(); posts != 0 || deliveries != 0 {
			t.Fatalf("%s of a bad file made %d posts, %d deliveries", action, posts, deliveries)
		}
	}

	good := importCSV(t, []string{"Tiêu đề", "Kênh"}, []string{"Tin một", "Trang tin xã"}, []string{"Tin hai", fmt.Sprint(ch.ID)})
	p := b.upload("tin-bai.csv", good, importCheck, csrf)
	if p.status != http.StatusOK || !strings.Contains(p.body, "Tệp hợp lệ: 2 dòng tin") {
		t.Fatalf("check of a good file: %d", p.status)
	}
	if posts, _ := h.postsAndDeliveries(); posts != 0 {
		t.Fatalf("a check imported %d posts", posts)
	}
	p = b.upload("tin-bai.csv", good, importRun, csrf)
	loc := p.header.Get("Location")
	if p.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/posts/import?") {
		t.Fatalf("import: %d %q", p.status, loc)
	}
	if posts, deliveries := h.postsAndDeliveries(); posts != 2 || deliveries != 2 || len(h.sched.scheduled) != 2 {
		t.Fatalf("import made %d posts, %d deliveries, queued %d", posts, deliveries, len(h.sched.scheduled))
	}
	done := b.get(loc)
	if !strings.Contains(done.body, "Đã nhập 2 tin (2 lượt gửi).") {
		t.Fatalf("result page: %s", done.body)
	}
	checkVietnamesePage(t, done.body, importWords...)
}

// The page refuses a file above the size cap before reading it, and files
// that are no import file, in Vietnamese; the templates download.
func TestImportPageRefusals(t *testing.T) {
	h := newHarness(t)
	h.user("an", storage.RoleOfficer, "mật khẩu đủ dài 1", 0)
	b := h.browser()
	b.mustLogin("an", "mật khẩu đủ dài 1")
	csrf := b.csrf("/posts/import")
	tests := []struct {
		name   string
		file   []byte
		status int
		want   string
	}{
		{"too large", bytes.Repeat([]byte("x"), 10<<20+1), http.StatusRequestEntityTooLarge, "Tệp lớn hơn 10 MB"},
		{"far too large, refused before reading", bytes.Repeat([]byte("x"), 11<<20), http.StatusRequestEntityTooLarge, "Tệp lớn hơn 10 MB"},
		{"old Excel", append([]byte{0xD0, 0xCF, 0x11, 0xE0}, make([]byte, 64)...), http.StatusUnprocessableEntity, "dạng cũ (.xls)"},
		{"no header", importCSV(t, []string{"Tóm tắt", "Kênh"}, []string{"x", "y"}), http.StatusUnprocessableEntity, "thiếu cột “Tiêu đề”"},
		{"empty", nil, http.StatusUnprocessableEntity, "Tệp rỗng"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := b.upload("tep", tt.file, importCheck, csrf)
			if p.status != tt.status || !strings.Contains(p.body, tt.want) {
				t.Fatalf("%d, want %d with %q: %s", p.status, tt.status, tt.want, p.body)
			}
			checkVietnamesePage(t, p.body, importWords...)
		})
	}
	for _, path := range []string{"/posts/import/template.xlsx", "/posts/import/template.csv"} {
		p := b.get(path)
		if p.status != http.StatusOK || !strings.Contains(p.header.Get("Content-Disposition"), "mau-nhap-tin-bai") {
			t.Errorf("%s: %d %v", path, p.status, p.header)
		}
	}
	if p := h.browser().get("/posts/import/template.csv"); p.status != http.StatusSeeOther {
		t.Errorf("template without a session: %d", p.status)
	}
}

// An officer's imported posts wait for approval, and the page says so.
func TestImportPageSaysWhatWaits(t *testing.T) {
	h := newHarness(t)
	h.user("an", storage.RoleOfficer, "mật khẩu đủ dài 1", 0)
	ch := storage.Channel{Name: "Trang tin xã", Kind: "webhook", ConfigSealed: []byte("x"), Status: storage.ChannelActive}
	if err := h.store.CreateChannel(context.Background(), &ch, "test"); err != nil {
		t.Fatal(err)
	}
	b := h.browser()
	b.mustLogin("an", "mật khẩu đủ dài 1")
	p := b.upload("a.csv", importCSV(t, []string{"Tiêu đề", "Kênh"}, []string{"Tin", "Trang tin xã"}), importRun, b.csrf("/posts/import"))
	if p.status != http.StatusSeeOther || len(h.sched.scheduled) != 0 {
		t.Fatalf("%d, queued %d", p.status, len(h.sched.scheduled))
	}
	if done := b.get(p.header.Get("Location")); !strings.Contains(done.body, "1 tin đang chờ duyệt") {
		t.Fatalf("result page: %s", done.body)
	}
}
