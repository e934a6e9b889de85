package wordpress

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/content"
)

// TestIntegrationRealWordPress publishes to a real WordPress, such as the
// one scripts/wordpress/start.sh starts:
//
//	eval "$(bash scripts/wordpress/start.sh)"
//	go test -run Integration ./channels/wordpress/
func TestIntegrationRealWordPress(t *testing.T) {
	site := openRealSite(t)
	wp := site.channel(t, site.password)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	if res := wp.Check(ctx); !res.OK {
		t.Fatalf("Check = %+v", res)
	} else {
		t.Logf("Check: %s", res.Account)
	}

	// Deliveries unique across runs: the site keeps posts between CI runs.
	firstID := time.Now().UnixNano()
	title := "Thông báo: Công khai TTHC mới — “Một cửa” & dịch vụ công trực tuyến"
	msg := channels.Message{
		DeliveryID: firstID,
		// Sent decomposed, as text pasted from some editors arrives.
		Title:    decomposed(title),
		Summary:  "Danh mục thủ tục hành chính mới được công khai tại Bộ phận Một cửa.",
		BodyHTML: `<p>Người dân có thể nộp hồ sơ <strong>trực tuyến</strong> tại <a href="https://dichvucong.gov.vn" rel="nofollow noopener">Cổng Dịch vụ công quốc gia</a>.</p><ul><li>Đăng ký khai sinh</li><li>Đăng ký thường trú</li></ul>`,
		Attempt:  1,
	}
	wantTitle := content.NFC(title)
	if msg.Title == wantTitle {
		t.Fatal("test title is already NFC")
	}

	receipt, err := wp.Publish(ctx, msg)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	t.Cleanup(func() { site.deletePost(t, receipt.ExternalID) })
	if receipt.HTTPStatus != http.StatusCreated || receipt.ExternalID == "" || !strings.HasPrefix(receipt.ExternalURL, site.base) {
		t.Errorf("receipt = %+v", receipt)
	}

	got := site.readPost(t, receipt.ExternalID)
	if got.Title.Raw != wantTitle {
		t.Errorf("title.raw = %q (% x)\nwant        %q (% x)", got.Title.Raw, got.Title.Raw, wantTitle, wantTitle)
	}
	wantSlug := Slug(wantTitle, firstID)
	if got.Slug != wantSlug || got.Status != "publish" {
		t.Errorf("slug, status = %q, %q; want %q, publish", got.Slug, got.Status, wantSlug)
	}
	if got.Content.Raw != content.NFC(msg.BodyHTML) || got.Excerpt.Raw != msg.Summary {
		t.Errorf("content.raw = %q, excerpt.raw = %q", got.Content.Raw, got.Excerpt.Raw)
	}
	if ids := site.postsWithSlug(t, wantSlug); len(ids) != 1 || ids[0] != receipt.ExternalID {
		t.Errorf("posts with slug %s = %v, want exactly [%s]", wantSlug, ids, receipt.ExternalID)
	}
	if found, ok, err := wp.Find(ctx, msg); err != nil || !ok || found.ExternalID != receipt.ExternalID {
		t.Errorf("Find = %+v, %v, %v; want the published post %s", found, ok, err, receipt.ExternalID)
	}

	t.Run("ambiguous failure then Find", func(t *testing.T) {
		// The answer is lost after WordPress created the post, as when a
		// connection drops: Publish must call it ambiguous, and Find must
		// then report the post so the worker does not post it again.
		lossy := site.channelWith(t, site.password, loseAnswers{})
		second := msg
		second.DeliveryID = firstID + 1
		_, err := lossy.Publish(ctx, second)
		if channels.ClassOf(err) != channels.ClassAmbiguous {
			t.Fatalf("Publish with a lost answer = %v, want ambiguous", err)
		}
		found, ok, err := wp.Find(ctx, second)
		if err != nil || !ok || found.ExternalID == "" {
			t.Fatalf("Find = %+v, %v, %v; want the post the lost attempt created", found, ok, err)
		}
		t.Cleanup(func() { site.deletePost(t, found.ExternalID) })
		if ids := site.postsWithSlug(t, Slug(wantTitle, second.DeliveryID)); len(ids) != 1 || ids[0] != found.ExternalID {
			t.Errorf("posts for the second delivery = %v, want exactly [%s]", ids, found.ExternalID)
		}
		if found.ExternalID == receipt.ExternalID {
			t.Error("two deliveries found the same post")
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		bad := site.channel(t, "AAAAbbbbCCCCddddEEEEffff")
		res := bad.Check(ctx)
		if res.OK || !res.NeedsReauth || !strings.HasPrefix(res.Reason, "Sai tên đăng nhập hoặc mật khẩu ứng dụng") {
			t.Errorf("Check with a wrong password = %+v", res)
		}
		third := msg
		third.DeliveryID = firstID + 2
		_, err := bad.Publish(ctx, third)
		var ce *channels.Error
		if !errors.As(err, &ce) || ce.Class != channels.ClassPermanent || !ce.NeedsReauth || ce.HTTPStatus != http.StatusUnauthorized {
			t.Errorf("Publish with a wrong password = %v, want permanent 401 needing reauth", err)
		}
		if ids := site.postsWithSlug(t, Slug(wantTitle, third.DeliveryID)); len(ids) != 0 {
			t.Errorf("a refused Publish created posts %v", ids)
		}
	})
}

// realSite is a WordPress named by LOA_TEST_WORDPRESS_* variables.
type realSite struct {
	base, user, password string
	client               *http.Client
}

func openRealSite(t *testing.T) realSite {
	t.Helper()
	base := os.Getenv("LOA_TEST_WORDPRESS_URL")
	if base == "" {
		t.Skip("LOA_TEST_WORDPRESS_URL is not set; start one with: eval \"$(bash scripts/wordpress/start.sh)\"")
	}
	s := realSite{
		base:     strings.TrimRight(base, "/"),
		user:     os.Getenv("LOA_TEST_WORDPRESS_USER"),
		password: os.Getenv("LOA_TEST_WORDPRESS_APP_PASSWORD"),
		client:   &http.Client{Timeout: 20 * time.Second},
	}
	if s.user == "" || s.password == "" {
		t.Fatal("LOA_TEST_WORDPRESS_USER and LOA_TEST_WORDPRESS_APP_PASSWORD must be set with LOA_TEST_WORDPRESS_URL")
	}
	return s
}

func (s realSite) channel(t *testing.T, password string) *WordPress {
	return s.channelWith(t, password, http.DefaultTransport)
}

func (s realSite) channelWith(t *testing.T, password string, rt http.RoundTripper) *WordPress {
	t.Helper()
	wp, err := New(Options{BaseURL: s.base, Username: s.user, AppPassword: password,
		Client: &http.Client{Timeout: 20 * time.Second, Transport: rt}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wp.Close() })
	return wp
}

// loseAnswers drops WordPress's answer to a created post (201) after the
// post was created; other answers, such as the home page a site without
// pretty permalinks gives for /wp-json/, pass through.
type loseAnswers struct{}

func (loseAnswers) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusCreated {
		return resp, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil, errors.New("connection reset by peer (simulated after the request was delivered)")
}

type editPost struct {
	ID     json.Number `json:"id"`
	Slug   string      `json:"slug"`
	Status string      `json:"status"`
	Title  struct {
		Raw string `json:"raw"`
	} `json:"title"`
	Content struct {
		Raw string `json:"raw"`
	} `json:"content"`
	Excerpt struct {
		Raw string `json:"raw"`
	} `json:"excerpt"`
}

// api calls the REST API in its ?rest_route= form, which every site serves.
func (s realSite) api(t *testing.T, method, route string, query url.Values, out any) {
	t.Helper()
	target := s.base + "/?rest_route=" + route
	if len(query) > 0 {
		target += "&" + query.Encode()
	}
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(s.user, s.password)
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, route, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d: %.300s", method, route, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("%s %s: %v: %.300s", method, route, err, body)
	}
}

func (s realSite) readPost(t *testing.T, id string) editPost {
	var p editPost
	s.api(t, http.MethodGet, "/wp/v2/posts/"+id, url.Values{"context": {"edit"}}, &p)
	return p
}

func (s realSite) postsWithSlug(t *testing.T, slug string) []string {
	var posts []editPost
	s.api(t, http.MethodGet, "/wp/v2/posts", url.Values{"slug": {slug}, "status": {"any"}, "context": {"edit"}}, &posts)
	ids := []string{}
	for _, p := range posts {
		ids = append(ids, p.ID.String())
	}
	return ids
}

// deletePost removes a test post for good, so runs do not pile posts up.
func (s realSite) deletePost(t *testing.T, id string) {
	if id == "" {
		return
	}
	var out map[string]any
	s.api(t, http.MethodDelete, "/wp/v2/posts/"+id, url.Values{"force": {"true"}}, &out)
	if out["deleted"] != true {
		t.Errorf("deleting post %s: %s", id, fmt.Sprint(out))
	}
}
