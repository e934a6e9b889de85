package zalo

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/channels"
)

const wantCreateBody = `{"type":"normal","title":"Thông báo lịch tiếp công dân tháng 1/2026","author":"Ban biên tập",` +
	`"description":"UBND xã Tân Phú thông báo lịch tiếp công dân định kỳ.",` +
	`"cover":{"cover_type":"photo","photo_url":"https://cdn.example.gov.vn/zalo/cover.jpg","status":"show"},` +
	`"body":[{"type":"text","content":"Lãnh đạo UBND xã tiếp công dân vào thứ Năm hằng tuần."},` +
	`{"type":"image","url":"https://cdn.example.gov.vn/lich.jpg","caption":"Lịch tiếp"},` +
	`{"type":"text","content":"Địa điểm: trụ sở UBND xã."},` +
	`{"type":"text","content":"Xem chi tiết: https://tanphu.example.gov.vn/tin/42"}],` +
	`"status":"show","comment":"show"}`

func TestPublishHappyPath(t *testing.T) {
	s := newSetup(t, nil)
	s.f.pending = 1 // the first verify has no id yet, the second has
	z := s.channel(t, nil)

	receipt, err := z.Publish(context.Background(), testMessage())

	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if receipt != (channels.Receipt{ExternalID: "art1", HTTPStatus: 200}) {
		t.Errorf("receipt = %+v, want art1 with HTTP 200", receipt)
	}
	at := accessToken(0)
	assertEvents(t, s.f.events.all(), "zalo:create:"+at, "zalo:verify:"+at, "zalo:verify:"+at)
	if got := string(s.f.body("create", 0)); got != wantCreateBody {
		t.Errorf("create body:\n%s\nwant:\n%s", got, wantCreateBody)
	}
	if got := string(s.f.body("verify", 1)); got != `{"token":"tok1"}` {
		t.Errorf("verify body = %s", got)
	}
	if s.store.saveCount() != 0 {
		t.Errorf("store saved %d times, want 0 with a valid token", s.store.saveCount())
	}
}

func TestPublishUsesMessageImageAsCover(t *testing.T) {
	s := newSetup(t, nil)
	z := s.channel(t, nil)
	msg := testMessage()
	msg.ImageURL = "https://cdn.example.gov.vn/anh-bai.jpg"

	if _, err := z.Publish(context.Background(), msg); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	var sent article
	json.Unmarshal(s.f.body("create", 0), &sent)
	if sent.Cover.PhotoURL != msg.ImageURL {
		t.Errorf("cover = %q, want the post's image", sent.Cover.PhotoURL)
	}
}

func TestPublishMissingCoverIsPermanent(t *testing.T) {
	s := newSetup(t, func(c *config) { c.DefaultCoverURL = "" })
	z := s.channel(t, nil)

	_, err := z.Publish(context.Background(), testMessage())

	assertClass(t, err, channels.ClassPermanent)
	if !errors.Is(err, ErrNoCover) || !strings.Contains(err.Error(), "set default_cover_url on the channel or an image on the post") {
		t.Errorf("error = %v, want ErrNoCover", err)
	}
	if n := len(s.f.events.all()); n != 0 {
		t.Errorf("Zalo got %d calls, want none", n)
	}
}

func TestPublishWithoutTitleIsPermanent(t *testing.T) {
	s := newSetup(t, nil)
	z := s.channel(t, nil)
	msg := testMessage()
	msg.Title = "  "

	_, err := z.Publish(context.Background(), msg)

	assertClass(t, err, channels.ClassPermanent)
	if n := len(s.f.events.all()); n != 0 {
		t.Errorf("Zalo got %d calls, want none", n)
	}
}

func TestPublishRefreshesRefusedToken(t *testing.T) {
	stale := "accStalexSECRET"
	s := newSetup(t, func(c *config) { c.AccessToken = stale })
	z := s.channel(t, nil)

	receipt, err := z.Publish(context.Background(), testMessage())

	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if receipt.ExternalID != "art1" {
		t.Errorf("receipt = %+v", receipt)
	}
	// The new pair is committed before the retried create uses it.
	assertEvents(t, s.f.events.all(),
		"zalo:create:"+stale, "zalo:refresh:"+refreshToken(0), "store:save",
		"zalo:create:"+accessToken(1), "zalo:verify:"+accessToken(1))
	stored := s.store.stored()
	wantExpiry := testNow().Add(issuedExpiresIn * time.Second).Format(time.RFC3339)
	if stored.AccessToken != accessToken(1) || stored.RefreshToken != refreshToken(1) || stored.AccessTokenExpiresAt != wantExpiry {
		t.Errorf("stored tokens = %s / %s / %s, want the new pair expiring %s",
			stored.AccessToken, stored.RefreshToken, stored.AccessTokenExpiresAt, wantExpiry)
	}
	if stored.DefaultCoverURL != testCover || stored.AppID != testAppID {
		t.Errorf("refresh changed other fields: %+v", stored)
	}

	// The next publish uses the new token straight away.
	if _, err := z.Publish(context.Background(), testMessage()); err != nil {
		t.Fatalf("second Publish: %v", err)
	}
	if n := s.f.calls("refresh"); n != 1 {
		t.Errorf("refresh calls = %d, want 1", n)
	}
	assertNoSecret(t, "log", s.logs.String())
}

func TestPublishRefreshesExpiringTokenFirst(t *testing.T) {
	tests := []struct {
		name string
		edit func(*config)
	}{
		{name: "expires within the hour", edit: func(c *config) {
			c.AccessTokenExpiresAt = testNow().Add(30 * time.Minute).Format(time.RFC3339)
		}},
		{name: "already expired", edit: func(c *config) {
			c.AccessTokenExpiresAt = testNow().Add(-3 * time.Hour).Format(time.RFC3339)
		}},
		{name: "no access token yet", edit: func(c *config) { c.AccessToken, c.AccessTokenExpiresAt = "", "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSetup(t, tt.edit)
			z := s.channel(t, nil)

			if _, err := z.Publish(context.Background(), testMessage()); err != nil {
				t.Fatalf("Publish: %v", err)
			}

			assertEvents(t, s.f.events.all(), "zalo:refresh:"+refreshToken(0), "store:save",
				"zalo:create:"+accessToken(1), "zalo:verify:"+accessToken(1))
		})
	}
}

func TestPublishAdoptsTokenAnotherWorkerStored(t *testing.T) {
	s := newSetup(t, func(c *config) { c.AccessTokenExpiresAt = testNow().Add(-time.Minute).Format(time.RFC3339) })
	z := s.channel(t, nil) // built while the expired pair was stored
	// Meanwhile another worker refreshed and stored a fresh pair.
	s.f.access["accOtherxSECRET"] = true
	s.store.mu.Lock()
	cfg, _ := parseConfig(s.store.config)
	cfg = cfg.withTokens(tokens{access: "accOtherxSECRET", refresh: "refOtherxSECRET", expiresAt: testNow().Add(24 * time.Hour)})
	s.store.config, _ = json.Marshal(cfg)
	s.store.mu.Unlock()

	if _, err := z.Publish(context.Background(), testMessage()); err != nil {
		t.Fatalf("Publish: %v", err)
	}

	assertEvents(t, s.f.events.all(), "zalo:create:accOtherxSECRET", "zalo:verify:accOtherxSECRET")
}

func TestConcurrentPublishesRefreshOnce(t *testing.T) {
	tests := []struct {
		name string
		edit func(*config)
	}{
		{name: "expired token", edit: func(c *config) {
			c.AccessTokenExpiresAt = testNow().Add(-time.Hour).Format(time.RFC3339)
		}},
		{name: "refused token", edit: func(c *config) { c.AccessToken = "accStalexSECRET" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSetup(t, tt.edit)
			// Two worker processes with their own adapters, plus concurrency within one.
			workers := []*Zalo{s.channel(t, nil), s.channel(t, nil)}
			const perWorker = 3
			start := make(chan struct{})
			errs := make(chan error, 2*perWorker)
			for _, z := range workers {
				for range perWorker {
					go func() {
						<-start
						_, err := z.Publish(context.Background(), testMessage())
						errs <- err
					}()
				}
			}
			close(start)
			for range 2 * perWorker {
				if err := <-errs; err != nil {
					t.Errorf("Publish: %v", err)
				}
			}

			if n := s.f.calls("refresh"); n != 1 {
				t.Errorf("refresh calls = %d, want exactly 1", n)
			}
			if n := s.store.saveCount(); n != 1 {
				t.Errorf("saves = %d, want 1", n)
			}
			if n := s.f.events.count("zalo:create:" + accessToken(1)); n != 2*perWorker {
				t.Errorf("creates with the new token = %d, want %d\n%s", n, 2*perWorker, strings.Join(s.f.events.all(), "\n"))
			}
		})
	}
}

func TestPublishDeadRefreshTokenNeedsReauth(t *testing.T) {
	expired := func(c *config) {
		c.RefreshToken = "refDeadxSECRET"
		c.AccessTokenExpiresAt = testNow().Add(-time.Hour).Format(time.RFC3339)
	}
	tests := []struct {
		name   string
		edit   func(*config)
		script http.HandlerFunc
	}{
		{name: "expired token, refresh token already used", edit: expired},
		{name: "refused token, refresh token already used", edit: func(c *config) {
			c.AccessToken, c.RefreshToken = "accStalexSECRET", "refDeadxSECRET"
		}},
		{name: "error_description style answer", edit: expired, script: answer(200, nil,
			`{"error_name":"Invalid parameter","error_reason":"refresh_token is expired","error_description":"refresh_token is expired","error":-14014}`)},
		{name: "error answer at HTTP 400", edit: expired, script: answer(400, nil, `{"error":-14019,"message":"Invalid app_id"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSetup(t, tt.edit)
			if tt.script != nil {
				s.f.script("refresh", tt.script)
			}
			z := s.channel(t, nil)

			_, err := z.Publish(context.Background(), testMessage())

			ce := assertClass(t, err, channels.ClassPermanent)
			if !ce.NeedsReauth || !errors.Is(err, ErrRefreshRejected) {
				t.Errorf("NeedsReauth = %v, error = %v; want a re-authorisation failure", ce.NeedsReauth, err)
			}
			if !strings.Contains(err.Error(), "must be re-authorised") {
				t.Errorf("error does not say the OA must be re-authorised: %v", err)
			}
			if s.store.saveCount() != 0 || s.f.calls("create") > 1 {
				t.Errorf("saves = %d, creates = %d; want nothing saved and no retried create", s.store.saveCount(), s.f.calls("create"))
			}
		})
	}
}

func TestPublishTokenRefusedAgainAfterRefresh(t *testing.T) {
	s := newSetup(t, nil)
	s.f.script("create", zaloError(-216, "Access token is invalid"), zaloError(-220, "Access token has expired"))
	z := s.channel(t, nil)

	_, err := z.Publish(context.Background(), testMessage())

	ce := assertClass(t, err, channels.ClassPermanent)
	if !ce.NeedsReauth || !strings.Contains(err.Error(), "-220") {
		t.Errorf("NeedsReauth = %v, error = %v", ce.NeedsReauth, err)
	}
	if s.f.calls("refresh") != 1 || s.f.calls("create") != 2 {
		t.Errorf("refresh calls = %d, creates = %d; want 1 and 2", s.f.calls("refresh"), s.f.calls("create"))
	}
}

func TestPublishCreateErrors(t *testing.T) {
	html := map[string]string{"Content-Type": "text/html"}
	tests := []struct {
		name       string
		reply      http.HandlerFunc
		wantClass  channels.Class
		wantAfter  time.Duration
		wantStatus int
		wantText   string
	}{
		{name: "rate limit", reply: zaloError(-32, "Rate limit exceeded"), wantClass: channels.ClassRetryable, wantStatus: 200, wantText: "-32"},
		{name: "rate limit, none left this minute", reply: answer(200, map[string]string{"X-RateLimit-Limit": "4000", "X-RateLimit-Remain": "0"},
			`{"error":-32,"message":"Rate limit exceeded"}`), wantClass: channels.ClassRetryable, wantAfter: time.Minute, wantStatus: 200},
		{name: "quota used up", reply: zaloError(-211, "Out of quota"), wantClass: channels.ClassRetryable, wantAfter: time.Hour, wantStatus: 200, wantText: "quota"},
		{name: "monthly quota used up", reply: zaloError(-218, "Out of quota"), wantClass: channels.ClassRetryable, wantAfter: time.Hour, wantStatus: 200},
		{name: "invalid parameter", reply: zaloError(-201, "Invalid parameter"), wantClass: channels.ClassPermanent, wantStatus: 200, wantText: "Zalo error -201 (Invalid parameter)"},
		{name: "OA disabled", reply: zaloError(-204, "OA has been disabled"), wantClass: channels.ClassPermanent, wantStatus: 200, wantText: "OA Manager"},
		{name: "OA not found", reply: zaloError(-205, "OA not found"), wantClass: channels.ClassPermanent, wantStatus: 200},
		{name: "user not following", reply: zaloError(-213, "User has not followed OA"), wantClass: channels.ClassPermanent, wantStatus: 200},
		{name: "unknown code keeps message", reply: zaloError(-999, "Something new"), wantClass: channels.ClassPermanent, wantStatus: 200, wantText: "Something new"},
		{name: "HTTP 502 error page", reply: answer(502, html, "<html><body><h1>502 Bad Gateway</h1></body></html>"),
			wantClass: channels.ClassRetryable, wantStatus: 502, wantText: "502 Bad Gateway"},
		{name: "HTTP 503", reply: answer(503, nil, ""), wantClass: channels.ClassRetryable, wantStatus: 503},
		{name: "HTTP 504 may have created it", reply: answer(504, html, "<h1>Gateway Timeout</h1>"), wantClass: channels.ClassAmbiguous, wantStatus: 504},
		{name: "HTTP 429 with Retry-After", reply: answer(429, map[string]string{"Retry-After": "7"}, ""),
			wantClass: channels.ClassRetryable, wantAfter: 7 * time.Second, wantStatus: 429},
		{name: "HTTP 404 page", reply: answer(404, html, "<h1>Not Found</h1>"), wantClass: channels.ClassPermanent, wantStatus: 404, wantText: "api_base_url"},
		{name: "redirect", reply: answer(302, map[string]string{"Location": "https://example.com/login"}, ""), wantClass: channels.ClassPermanent, wantStatus: 302},
		{name: "HTML page at HTTP 200", reply: answer(200, html, "<!DOCTYPE html><html><body>Bảo trì hệ thống</body></html>"),
			wantClass: channels.ClassAmbiguous, wantStatus: 200, wantText: "not a Zalo JSON envelope"},
		{name: "truncated JSON", reply: answer(200, nil, `{"error":0,"data":{"tok`), wantClass: channels.ClassAmbiguous, wantStatus: 200},
		{name: "error of the wrong type", reply: answer(200, nil, `{"error":"none","data":{}}`), wantClass: channels.ClassAmbiguous, wantStatus: 200},
		{name: "success without token", reply: answer(200, nil, `{"error":0,"message":"Success"}`), wantClass: channels.ClassAmbiguous, wantStatus: 200, wantText: "no token"},
		{name: "success with null data", reply: answer(200, nil, `{"error":0,"data":null}`), wantClass: channels.ClassAmbiguous, wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSetup(t, nil)
			s.f.script("create", tt.reply)
			z := s.channel(t, nil)

			receipt, err := z.Publish(context.Background(), testMessage())

			ce := assertClass(t, err, tt.wantClass)
			if ce.RetryAfter != tt.wantAfter || ce.HTTPStatus != tt.wantStatus || ce.NeedsReauth {
				t.Errorf("retry after %s, status %d, reauth %v; want %s, %d, false",
					ce.RetryAfter, ce.HTTPStatus, ce.NeedsReauth, tt.wantAfter, tt.wantStatus)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error = %v, want it to mention %q", err, tt.wantText)
			}
			if receipt != (channels.Receipt{}) {
				t.Errorf("receipt = %+v, want none", receipt)
			}
			if s.f.calls("create") != 1 || s.f.calls("verify") != 0 || s.f.calls("refresh") != 0 {
				t.Errorf("calls: %v", s.f.events.all())
			}
		})
	}
}

func TestPublishCreateTimeoutIsAmbiguousAndFindable(t *testing.T) {
	s := newSetup(t, nil)
	// Zalo files the article but the answer never arrives in time.
	s.f.script("create", func(w http.ResponseWriter, r *http.Request) {
		s.f.addArticle(testMessage().Title, testNow())
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	})
	z := s.channel(t, func(o *Options) { o.Client.Timeout = 150 * time.Millisecond })
	msg := testMessage()

	_, err := z.Publish(context.Background(), msg)

	assertClass(t, err, channels.ClassAmbiguous)
	receipt, found, err := z.Find(context.Background(), msg)
	if err != nil || !found || receipt.ExternalID != "art1" {
		t.Fatalf("Find = %+v, %v, %v; want art1 found", receipt, found, err)
	}
	if n := s.f.calls("create"); n != 1 {
		t.Errorf("creates = %d, want 1: Find must stop a second article", n)
	}
}

func TestPublishNotSentIsRetryable(t *testing.T) {
	s := newSetup(t, nil)
	s.f.srv.Close() // connection refused: nothing reached Zalo
	z := s.channel(t, nil)

	_, err := z.Publish(context.Background(), testMessage())

	assertClass(t, err, channels.ClassRetryable)
}

func TestPublishVerifyProblems(t *testing.T) {
	t.Run("no id within max wait", func(t *testing.T) {
		s := newSetup(t, nil)
		s.f.pending = 1 << 30
		z := s.channel(t, func(o *Options) { o.MaxWait = 40 * time.Millisecond })

		_, err := z.Publish(context.Background(), testMessage())

		assertClass(t, err, channels.ClassAmbiguous)
		if !strings.Contains(err.Error(), "no article id within 40ms") {
			t.Errorf("error = %v", err)
		}
		if n := s.f.calls("create"); n != 1 {
			t.Errorf("creates = %d, want 1", n)
		}
	})
	t.Run("context ends while polling", func(t *testing.T) {
		s := newSetup(t, nil)
		s.f.pending = 1 << 30
		z := s.channel(t, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Millisecond)
		defer cancel()

		_, err := z.Publish(ctx, testMessage())

		assertClass(t, err, channels.ClassAmbiguous)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error = %v, want it to wrap the deadline", err)
		}
	})
	t.Run("transient errors while processing", func(t *testing.T) {
		s := newSetup(t, nil)
		s.f.script("verify", zaloError(-32, "Rate limit exceeded"), answer(502, nil, "bad gateway"), answer(200, nil, "<html>"))
		z := s.channel(t, nil)

		receipt, err := z.Publish(context.Background(), testMessage())

		if err != nil || receipt.ExternalID != "art1" {
			t.Fatalf("Publish = %+v, %v; want art1", receipt, err)
		}
		if n := s.f.calls("verify"); n != 4 {
			t.Errorf("verify calls = %d, want 4", n)
		}
	})
	t.Run("refused token while polling is refreshed", func(t *testing.T) {
		s := newSetup(t, nil)
		s.f.script("verify", zaloError(-216, "Access token is invalid"))
		z := s.channel(t, nil)

		receipt, err := z.Publish(context.Background(), testMessage())

		if err != nil || receipt.ExternalID != "art1" {
			t.Fatalf("Publish = %+v, %v; want art1", receipt, err)
		}
		if s.f.calls("refresh") != 1 || s.f.calls("create") != 1 {
			t.Errorf("calls: %v", s.f.events.all())
		}
	})
	t.Run("dead credentials while polling", func(t *testing.T) {
		s := newSetup(t, func(c *config) { c.RefreshToken = "refDeadxSECRET" })
		s.f.script("verify", zaloError(-216, "Access token is invalid"))
		z := s.channel(t, nil)

		_, err := z.Publish(context.Background(), testMessage())

		ce := assertClass(t, err, channels.ClassAmbiguous)
		if !ce.NeedsReauth {
			t.Errorf("NeedsReauth = false, want true: %v", err)
		}
	})
}

func TestPublishWaitsOutRateLimitWindow(t *testing.T) {
	s := newSetup(t, nil)
	s.f.script("verify", answer(200, map[string]string{"X-RateLimit-Remain": "0"}, `{"error":0,"data":{"id":"art1"}}`))
	z := s.channel(t, nil)

	if _, err := z.Publish(context.Background(), testMessage()); err != nil {
		t.Fatalf("first Publish: %v", err)
	}
	_, err := z.Publish(context.Background(), testMessage())

	ce := assertClass(t, err, channels.ClassRetryable)
	if ce.RetryAfter != time.Minute {
		t.Errorf("RetryAfter = %s, want 1m", ce.RetryAfter)
	}
	if n := s.f.calls("create"); n != 1 {
		t.Errorf("creates = %d, want 1", n)
	}
}

func TestPublishKeepsUnsavedPairUntilSaved(t *testing.T) {
	s := newSetup(t, func(c *config) { c.AccessToken = "accStalexSECRET" })
	s.store.fail = errors.New("database is locked")
	z := s.channel(t, nil)

	_, err := z.Publish(context.Background(), testMessage())

	assertClass(t, err, channels.ClassRetryable)
	if !strings.Contains(err.Error(), "database is locked") {
		t.Errorf("error = %v", err)
	}
	if !strings.Contains(s.logs.String(), "saving them failed") {
		t.Errorf("no log about the unsaved pair:\n%s", s.logs.String())
	}

	// Zalo already spent refreshToken(0); the pair it issued is saved now
	// instead of asking Zalo again.
	if _, err := z.Publish(context.Background(), testMessage()); err != nil {
		t.Fatalf("second Publish: %v", err)
	}
	if n := s.f.calls("refresh"); n != 1 {
		t.Errorf("refresh calls = %d, want 1", n)
	}
	if got := s.store.stored().RefreshToken; got != refreshToken(1) {
		t.Errorf("stored refresh token = %s, want %s", got, refreshToken(1))
	}
	assertNoSecret(t, "log", s.logs.String())
}

func TestPublishWithoutStoreNeverSpendsRefreshToken(t *testing.T) {
	s := newSetup(t, func(c *config) { c.AccessTokenExpiresAt = testNow().Add(-time.Hour).Format(time.RFC3339) })
	z := s.channel(t, func(o *Options) { o.ChannelID = 0 })

	_, err := z.Publish(context.Background(), testMessage())

	assertClass(t, err, channels.ClassPermanent)
	if !errors.Is(err, ErrNoStore) || s.f.calls("refresh") != 0 {
		t.Errorf("error = %v, refresh calls = %d; want ErrNoStore and none", err, s.f.calls("refresh"))
	}
}

func TestPublishBroadcast(t *testing.T) {
	// 21:30 in Hà Nội, outside Zalo's sending window.
	evening := func() time.Time { return time.Date(2026, 1, 15, 14, 30, 0, 0, time.UTC) }
	tests := []struct {
		name          string
		broadcast     bool
		now           func() time.Time
		reply         http.HandlerFunc
		wantMessages  int
		wantLog       string
		wantLogAbsent string
	}{
		{name: "off", broadcast: false, now: testNow, wantMessages: 0, wantLogAbsent: "broadcast"},
		{name: "on", broadcast: true, now: testNow, wantMessages: 1, wantLog: "message_id=msg-77"},
		{name: "on, outside sending hours", broadcast: true, now: evening, wantMessages: 0, wantLog: "broadcast skipped"},
		{name: "on, refused by Zalo", broadcast: true, now: testNow, reply: zaloError(-230, "User has not interacted with OA"),
			wantMessages: 1, wantLog: "broadcasting it to followers failed"},
		{name: "on, quota used up", broadcast: true, now: testNow, reply: zaloError(-211, "Out of quota"),
			wantMessages: 1, wantLog: "class=retryable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSetup(t, func(c *config) { c.Broadcast = tt.broadcast })
			if tt.reply != nil {
				s.f.script("message", tt.reply)
			}
			z := s.channel(t, func(o *Options) { o.Now = tt.now })

			receipt, err := z.Publish(context.Background(), testMessage())

			if err != nil || receipt.ExternalID != "art1" || receipt.ExternalURL != "" {
				t.Fatalf("Publish = %+v, %v; want art1 delivered whatever the broadcast did", receipt, err)
			}
			if n := s.f.calls("message"); n != tt.wantMessages {
				t.Fatalf("broadcasts = %d, want %d", n, tt.wantMessages)
			}
			if tt.wantMessages > 0 {
				want := `{"message":{"attachment":{"payload":{"elements":[{"attachment_id":"art1","media_type":"article"}],` +
					`"template_type":"media"},"type":"template"}},"recipient":{"target":{"gender":"0"}}}`
				if got := string(s.f.body("message", 0)); got != want {
					t.Errorf("broadcast body:\n%s\nwant:\n%s", got, want)
				}
			}
			logs := s.logs.String()
			if tt.wantLog != "" && !strings.Contains(logs, tt.wantLog) {
				t.Errorf("logs lack %q:\n%s", tt.wantLog, logs)
			}
			if tt.wantLogAbsent != "" && strings.Contains(logs, tt.wantLogAbsent) {
				t.Errorf("logs mention %q:\n%s", tt.wantLogAbsent, logs)
			}
			assertNoSecret(t, "log", logs)
		})
	}
}
