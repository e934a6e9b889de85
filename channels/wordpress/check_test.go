package wordpress

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/channels"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name       string
		configure  func(*fakeWP)
		password   string
		closed     bool
		wantOK     bool
		wantReason string
		wantReauth bool
		wantDetail string
	}{
		{name: "ok", wantOK: true},
		{name: "ok without pretty permalinks", configure: func(f *fakeWP) { f.plainPermalinks = canonicalRedirect }, wantOK: true},
		{name: "wrong password", password: "ZZZZEFGHijklMNOPqrstUV12",
			wantReason: "Sai tên đăng nhập hoặc mật khẩu ứng dụng (Application Password)", wantReauth: true, wantDetail: "incorrect_password"},
		{name: "cannot publish", configure: func(f *fakeWP) { f.canPublish = false },
			wantReason: `Tài khoản "Biên tập viên (bientap)" không có quyền đăng bài`, wantReauth: true, wantDetail: "publish_posts"},
		{name: "403 from WordPress", configure: func(f *fakeWP) {
			f.respond = respondWith(403, nil, wpError(403, "rest_forbidden", "Sorry, you are not allowed to do that."))
		}, wantReason: `Tài khoản "bientap" không có quyền đăng bài`, wantReauth: true, wantDetail: "rest_forbidden"},
		{name: "busy", configure: func(f *fakeWP) { f.respond = respondWith(503, nil, "<h1>Service Unavailable</h1>") },
			wantReason: "Trang WordPress đang bận hoặc gặp lỗi (HTTP 503)", wantDetail: "HTTP 503: Service Unavailable"},
		{name: "other refusal", configure: func(f *fakeWP) { f.respond = respondWith(410, nil, wpError(410, "gone", "Gone.")) },
			wantReason: "Trang WordPress từ chối yêu cầu kiểm tra (HTTP 410)", wantDetail: "gone"},
		{name: "not a user object", configure: func(f *fakeWP) { f.respond = respondWith(200, nil, `{"hello":"world"}`) },
			wantReason: "Trang trả lời không giống REST API của WordPress", wantDetail: "hello"},
		{name: "no REST API", configure: func(f *fakeWP) {
			f.plainPermalinks = serverNotFound
			f.respond = respondWith(404, nil, "<h1>Not Found</h1>")
		}, wantReason: "Không tìm thấy REST API của WordPress tại địa chỉ này", wantDetail: "no WordPress REST API"},
		{name: "unreachable", closed: true, wantReason: "Không kết nối được tới trang WordPress", wantDetail: "wordpress: send"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeWP(t, tt.configure)
			password := testPassword
			if tt.password != "" {
				password = tt.password
			}
			wp, err := New(Options{BaseURL: f.srv.URL, Username: testUser, AppPassword: password,
				Client: &http.Client{Timeout: time.Second, Transport: &http.Transport{}}})
			if err != nil {
				t.Fatal(err)
			}
			defer wp.Close()
			if tt.closed {
				f.srv.Close()
			}
			got := wp.Check(context.Background())
			if got.OK != tt.wantOK || got.NeedsReauth != tt.wantReauth {
				t.Errorf("OK, NeedsReauth = %v, %v; want %v, %v (%+v)", got.OK, got.NeedsReauth, tt.wantOK, tt.wantReauth, got)
			}
			if !strings.HasPrefix(got.Reason, tt.wantReason) || (tt.wantReason == "") != (got.Reason == "") {
				t.Errorf("Reason = %q, want it to start with %q", got.Reason, tt.wantReason)
			}
			if !strings.Contains(got.Detail, tt.wantDetail) {
				t.Errorf("Detail = %q, want it to contain %q", got.Detail, tt.wantDetail)
			}
			if tt.wantOK {
				want := "Biên tập viên (bientap) — " + testSiteName + " (" + f.srv.URL + ")"
				if got.Account != want {
					t.Errorf("Account = %q, want %q", got.Account, want)
				}
			}
			for _, s := range []string{got.Reason, got.Detail, got.Account} {
				if strings.Contains(s, testPasswordPlain) || strings.Contains(s, password) {
					t.Errorf("result reveals the password: %q", s)
				}
			}
		})
	}
}

func TestCheckRequest(t *testing.T) {
	f := newFakeWP(t, nil)
	wp := newTestWP(t, f, time.Second)
	if got := wp.Check(context.Background()); !got.OK {
		t.Fatalf("Check = %+v", got)
	}
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want users/me then the site index", len(reqs))
	}
	me := reqs[0]
	if me.method != http.MethodGet || me.path != "/wp-json/wp/v2/users/me" || me.query.Get("context") != "edit" ||
		me.header.Get("Authorization") != wantAuth {
		t.Errorf("users/me request = %s %s?%s", me.method, me.path, me.query.Encode())
	}
	if reqs[1].path != "/wp-json/" || reqs[1].method != http.MethodGet {
		t.Errorf("index request = %s %s", reqs[1].method, reqs[1].path)
	}
}

func TestFind(t *testing.T) {
	tests := []struct {
		name      string
		posts     []newPost
		respond   func(*fakeWP, http.ResponseWriter, *http.Request, string, []byte) bool
		wantFound bool
		wantID    string
		wantClass channels.Class
		wantText  string
	}{
		{name: "nothing there"},
		{name: "found", posts: []newPost{{Title: "a", Slug: "khac-loa1", Status: "publish"}, {Title: testTitle, Slug: testSlug, Status: "draft"}},
			wantFound: true, wantID: "102"},
		{name: "only a -2 sibling", posts: []newPost{{Title: "a", Slug: testSlug + "-2", Status: "publish"}}},
		{name: "filter ignored by a plugin", respond: respondWith(200, nil, `[{"id":5,"slug":"other","link":"x"}]`)},
		{name: "malformed list", respond: respondWith(200, nil, `{"id":5}`),
			wantClass: channels.ClassRetryable, wantText: "the post list is not what WordPress sends"},
		{name: "truncated list", respond: respondWith(200, nil, `[{"id":5,`),
			wantClass: channels.ClassRetryable, wantText: "not what WordPress sends"},
		{name: "401", respond: respondWith(401, nil, wpError(401, "rest_forbidden_context", "Sorry, you are not allowed to edit posts in this post type.")),
			wantClass: channels.ClassPermanent, wantText: "rest_forbidden_context"},
		{name: "400 status=any refused", respond: respondWith(400, nil, wpError(400, "rest_invalid_param", "Invalid parameter(s): status")),
			wantClass: channels.ClassPermanent, wantText: "rest_invalid_param"},
		{name: "502", respond: respondWith(502, map[string]string{"Retry-After": "5"}, "bad gateway"),
			wantClass: channels.ClassRetryable, wantText: "HTTP 502"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeWP(t, func(f *fakeWP) { f.respond = tt.respond })
			for _, p := range tt.posts {
				f.store(p)
			}
			wp := newTestWP(t, f, time.Second)
			receipt, found, err := wp.Find(context.Background(), testMessage())
			if tt.wantClass != 0 {
				assertClass(t, err, tt.wantClass)
				if !strings.Contains(err.Error(), tt.wantText) {
					t.Errorf("error %q lacks %q", err, tt.wantText)
				}
				return
			}
			if err != nil {
				t.Fatalf("Find: %v", err)
			}
			if found != tt.wantFound || receipt.ExternalID != tt.wantID {
				t.Errorf("Find = %+v, %v; want id %q, %v", receipt, found, tt.wantID, tt.wantFound)
			}
			if found && receipt.ExternalURL != f.srv.URL+"/?p="+tt.wantID {
				t.Errorf("ExternalURL = %q", receipt.ExternalURL)
			}
		})
	}
}

func TestFindUsesNFCTitle(t *testing.T) {
	f := newFakeWP(t, nil)
	wp := newTestWP(t, f, time.Second)
	msg := testMessage()
	if _, err := wp.Publish(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	msg.Title = strings.ToValidUTF8(decomposed(testTitle), "")
	if _, found, err := wp.Find(context.Background(), msg); err != nil || !found {
		t.Errorf("Find with the NFD title = %v, %v; want found", found, err)
	}
}

func TestPreview(t *testing.T) {
	f := newFakeWP(t, nil)
	wp := newTestWP(t, f, time.Second)

	msg := testMessage()
	msg.Title = decomposed(testTitle)
	p := wp.Preview(msg)
	if p.Text != testTitle || p.Length != 42 || p.Unit != "characters" || p.Limit != 0 {
		t.Errorf("Preview = %q (%d %s, limit %d)", p.Text, p.Length, p.Unit, p.Limit)
	}
	wantFields := map[string]string{"title": testTitle, "slug": testSlug, "excerpt": "Tóm tắt: 12 thủ tục mới.", "status": "publish"}
	for k, v := range wantFields {
		if p.Fields[k] != v {
			t.Errorf("Fields[%s] = %q, want %q", k, p.Fields[k], v)
		}
	}
	if len(p.Fields) != len(wantFields) {
		t.Errorf("Fields = %v", p.Fields)
	}
	if p.Warnings == nil || len(p.Warnings) != 0 {
		t.Errorf("Warnings = %#v, want an empty list", p.Warnings)
	}
	if len(f.requests()) != 0 {
		t.Error("Preview sent a request")
	}

	bare := channels.Message{Title: strings.Repeat("Thông báo ", 8), ImageURL: "https://x/a.jpg"}
	p = wp.Preview(bare)
	if p.Fields["slug"] != "thong-bao-thong-bao-thong-bao-thong-bao-thong-bao-thong-bao-loa…" {
		t.Errorf("slug before a delivery exists = %q", p.Fields["slug"])
	}
	wantWarnings := []string{"Tiêu đề dài 80 ký tự", "Chưa có tóm tắt", "Nội dung bài trống", "Ảnh minh họa không được đặt làm ảnh đại diện"}
	if len(p.Warnings) != len(wantWarnings) {
		t.Fatalf("Warnings = %q", p.Warnings)
	}
	for i, w := range wantWarnings {
		if !strings.HasPrefix(p.Warnings[i], w) {
			t.Errorf("warning %d = %q, want %q…", i, p.Warnings[i], w)
		}
	}
	if p = wp.Preview(channels.Message{DeliveryID: 3, BodyHTML: "<p>x</p>", Summary: "y"}); len(p.Warnings) != 1 || !strings.HasPrefix(p.Warnings[0], "Bài chưa có tiêu đề") {
		t.Errorf("untitled Warnings = %q", p.Warnings)
	}
}
