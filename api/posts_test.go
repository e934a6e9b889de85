package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/loa-vn/loa/storage"
)

func TestCreatePost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, b := e.createWebhook("Cổng phường"), e.createFeed("Bản tin", "ban-tin")

	// An editor's post needs no approval, so it is scheduled at once.
	r := e.post("/api/v1/posts", editorToken, postBody(a.ID, b.ID))
	wantStatus(t, r, http.StatusCreated)
	p := decode[postJSON](t, r)
	if p.ID <= 0 || p.Status != storage.PostScheduled || p.CreatedBy != e.users[editorToken].ID {
		t.Errorf("post = %+v", p)
	}
	if !p.PublishAt.Equal(testNow) {
		t.Errorf("publish_at = %v, want now (%v) when omitted", p.PublishAt, testNow)
	}
	if p.Title != "Thông báo lịch tiếp công dân tháng 12" || p.Audience != "public" || p.Category != "Thông báo" {
		t.Errorf("text fields = %+v", p)
	}
	if len(p.Deliveries) != 2 {
		t.Fatalf("deliveries = %+v, want 2", p.Deliveries)
	}
	var ids []int64
	for i, d := range p.Deliveries {
		if d.ID <= 0 || d.ChannelID != []int64{a.ID, b.ID}[i] || d.Status != storage.DeliveryScheduled || !d.ScheduledAt.Equal(testNow) {
			t.Errorf("delivery %d = %+v", i, d)
		}
		ids = append(ids, d.ID)
	}
	calls := e.sched.Calls()
	if len(calls) != 2 {
		t.Fatalf("scheduler calls = %+v, want one per delivery", calls)
	}
	for i, c := range calls {
		if c.Op != "schedule" || c.DeliveryID != ids[i] || !c.At.Equal(testNow) {
			t.Errorf("scheduler call %d = %+v", i, c)
		}
	}

	got := decode[postJSON](t, e.get(fmt.Sprintf("/api/v1/posts/%d", p.ID), officerToken))
	if got.ID != p.ID || got.Title != p.Title || len(got.Deliveries) != 2 {
		t.Errorf("GET post = %+v", got)
	}
	wantError(t, e.get("/api/v1/posts/424242", officerToken), http.StatusNotFound, "not_found", "")

	t.Run("scheduler failure does not fail the request", func(t *testing.T) {
		e.sched.mu.Lock()
		e.sched.Err = fmt.Errorf("redis: connection refused")
		e.sched.mu.Unlock()
		defer func() { e.sched.mu.Lock(); e.sched.Err = nil; e.sched.mu.Unlock() }()
		wantStatus(t, e.post("/api/v1/posts", officerToken, postBody(a.ID)), http.StatusCreated)
	})

	t.Run("accepted edge cases", func(t *testing.T) {
		cases := []struct {
			name      string
			mod       func(m map[string]any)
			header    map[string]string
			publishAt time.Time
		}{
			{"title of 250 runes", func(m map[string]any) { m["title"] = strings.Repeat("a", 250) }, nil, testNow},
			{"title of 250 Vietnamese runes", func(m map[string]any) { m["title"] = strings.Repeat("ệ", 250) }, nil, testNow},
			{"title of 250 runes once composed", func(m map[string]any) {
				m["title"] = strings.Repeat("e\u0323\u0302", 250) // 750 runes decomposed, 250 composed
			}, nil, testNow},
			{"publish_at 30 s ago becomes now", func(m map[string]any) {
				m["publish_at"] = testNow.Add(-30 * time.Second).Format(time.RFC3339)
			}, nil, testNow},
			{"publish_at exactly a minute ago", func(m map[string]any) {
				m["publish_at"] = testNow.Add(-time.Minute).Format(time.RFC3339)
			}, nil, testNow},
			{"publish_at empty means now", func(m map[string]any) { m["publish_at"] = "" }, nil, testNow},
			{"publish_at null means now", func(m map[string]any) { m["publish_at"] = nil }, nil, testNow},
			{"publish_at in Hà Nội time", func(m map[string]any) { m["publish_at"] = "2026-12-01T07:30:00+07:00" },
				nil, time.Date(2026, 12, 1, 0, 30, 0, 0, time.UTC)},
			{"publish_at with fraction", func(m map[string]any) { m["publish_at"] = "2026-12-01T00:30:00.250Z" },
				nil, time.Date(2026, 12, 1, 0, 30, 0, 250e6, time.UTC)},
			{"audience omitted is all", func(m map[string]any) { delete(m, "audience") }, nil, testNow},
			{"audience in capitals", func(m map[string]any) { m["audience"] = " Officials " }, nil, testNow},
			{"charset parameter", func(map[string]any) {}, map[string]string{"Content-Type": "application/json; charset=utf-8"}, testNow},
			{"no content type", func(map[string]any) {}, map[string]string{"Content-Type": ""}, testNow},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				body := postBody(a.ID)
				tc.mod(body)
				r := e.do(req{Method: http.MethodPost, Path: "/api/v1/posts", Token: officerToken,
					Body: jsonString(t, body), Header: tc.header})
				wantStatus(t, r, http.StatusCreated)
				p := decode[postJSON](t, r)
				if !p.PublishAt.Equal(tc.publishAt) || !p.Deliveries[0].ScheduledAt.Equal(tc.publishAt) {
					t.Errorf("publish_at = %v, scheduled_at = %v, want %v", p.PublishAt, p.Deliveries[0].ScheduledAt, tc.publishAt)
				}
			})
		}
	})
}

func TestCreatePostRejectsBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	active := e.createWebhook("Cổng phường")
	disabled := e.createWebhook("Kênh đã tắt")
	e.disable(disabled.ID)

	valid := func(mod func(m map[string]any)) string {
		m := postBody(active.ID)
		if mod != nil {
			mod(m)
		}
		return jsonString(t, m)
	}
	set := func(k string, v any) string { return valid(func(m map[string]any) { m[k] = v }) }
	without := func(k string) string { return valid(func(m map[string]any) { delete(m, k) }) }
	ok := valid(nil)
	// A JSON body of exactly n bytes that is otherwise a valid post.
	sized := func(n int) string {
		head := valid(func(m map[string]any) { m["body"] = "" })
		head = strings.TrimSuffix(head, "}") + `,"summary":"`
		return head + strings.Repeat("x", n-len(head)-2) + `"}`
	}
	tooManyChannels := make([]int64, 51)
	for i := range tooManyChannels {
		tooManyChannels[i] = int64(i + 1)
	}

	cases := []struct {
		name    string
		body    string
		header  map[string]string
		chunked bool
		status  int
		code    string
		field   string
	}{
		// Malformed bodies: 400.
		{"malformed JSON", `{"title": "x", `, nil, false, 400, "malformed_json", ""},
		{"not JSON", `title=x`, nil, false, 400, "malformed_json", ""},
		{"single quotes", `{'title': 'x'}`, nil, false, 400, "malformed_json", ""},
		{"trailing garbage", ok + ` garbage`, nil, false, 400, "malformed_json", ""},
		{"trailing second object", ok + `{}`, nil, false, 400, "malformed_json", ""},
		{"trailing closing brace", ok + `}`, nil, false, 400, "malformed_json", ""},
		{"trailing closing bracket", ok + `]`, nil, false, 400, "malformed_json", ""},
		{"trailing comma", strings.TrimSuffix(ok, "}") + `,}`, nil, false, 400, "malformed_json", ""},
		{"empty body", "", map[string]string{"Content-Type": "application/json"}, false, 400, "malformed_json", ""},
		{"whitespace body", " \n\t ", nil, false, 400, "malformed_json", ""},
		{"array body", `[` + ok + `]`, nil, false, 400, "malformed_json", ""},
		{"string body", `"hello"`, nil, false, 400, "malformed_json", ""},
		{"number body", `42`, nil, false, 400, "malformed_json", ""},

		// Wrong types and unknown fields: 422 naming the field.
		{"title is a number", set("title", 5), nil, false, 422, "invalid_field", "title"},
		{"title is an object", set("title", map[string]any{"vi": "x"}), nil, false, 422, "invalid_field", "title"},
		{"summary is a bool", set("summary", true), nil, false, 422, "invalid_field", "summary"},
		{"body is an array", set("body", []string{"x"}), nil, false, 422, "invalid_field", "body"},
		{"channel_ids is a string", set("channel_ids", "1"), nil, false, 422, "invalid_field", "channel_ids"},
		{"channel_ids is a number", set("channel_ids", active.ID), nil, false, 422, "invalid_field", "channel_ids"},
		{"channel_ids holds a string", set("channel_ids", []string{fmt.Sprint(active.ID)}), nil, false, 422, "invalid_field", "channel_ids"},
		{"channel_ids holds a fraction", set("channel_ids", []float64{1.5}), nil, false, 422, "invalid_field", "channel_ids"},
		{"channel_ids holds a huge number", strings.Replace(set("channel_ids", "X"), `"X"`, `[99999999999999999999]`, 1),
			nil, false, 422, "invalid_field", "channel_ids"},
		{"publish_at is a number", set("publish_at", 123), nil, false, 422, "invalid_field", "publish_at"},
		{"audience is a number", set("audience", 1), nil, false, 422, "invalid_field", "audience"},
		{"unknown field", set("titel", "x"), nil, false, 422, "invalid_field", "titel"},
		{"unknown field status", set("status", "published"), nil, false, 422, "invalid_field", "status"},
		{"unknown field created_by", set("created_by", 1), nil, false, 422, "invalid_field", "created_by"},

		// Content type and size.
		{"text/plain", ok, map[string]string{"Content-Type": "text/plain"}, false, 415, "unsupported_media_type", ""},
		{"form", ok, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, false, 415, "unsupported_media_type", ""},
		{"json-ish", ok, map[string]string{"Content-Type": "application/json-patch+json"}, false, 415, "unsupported_media_type", ""},
		{"unparsable content type", ok, map[string]string{"Content-Type": ";;"}, false, 415, "unsupported_media_type", ""},
		{"content type without subtype", ok, map[string]string{"Content-Type": "json"}, false, 415, "unsupported_media_type", ""},
		{"body over 1 MiB", sized(maxBody + 1), nil, false, 413, "body_too_large", ""},
		{"body over 1 MiB chunked", sized(maxBody + 1), nil, true, 413, "body_too_large", ""},
		{"body of 2 MiB chunked", sized(2 * maxBody), nil, true, 413, "body_too_large", ""},
		{"body of exactly 1 MiB is read", sized(maxBody), nil, false, 422, "invalid_field", "summary"},
		{"body of exactly 1 MiB chunked is read", sized(maxBody), nil, true, 422, "invalid_field", "summary"},

		// Text fields.
		{"missing title", without("title"), nil, false, 422, "invalid_field", "title"},
		{"null title", set("title", nil), nil, false, 422, "invalid_field", "title"},
		{"blank title", set("title", " \t "), nil, false, 422, "invalid_field", "title"},
		{"markup-only title", set("title", "<b> </b><script>x</script>"), nil, false, 422, "invalid_field", "title"},
		{"title of 251 runes", set("title", strings.Repeat("a", 251)), nil, false, 422, "invalid_field", "title"},
		{"title of 251 Vietnamese runes", set("title", strings.Repeat("ệ", 251)), nil, false, 422, "invalid_field", "title"},
		{"summary too long", set("summary", strings.Repeat("ư", 1001)), nil, false, 422, "invalid_field", "summary"},
		{"category too long", set("category", strings.Repeat("c", 101)), nil, false, 422, "invalid_field", "category"},
		{"body too long", set("body", "<p>"+strings.Repeat("x", 200001)+"</p>"), nil, false, 422, "invalid_field", "body"},
		{"body only unsafe HTML", set("body", `<script>alert(1)</script><iframe src="https://evil.example"></iframe>`), nil, false, 422, "invalid_field", "body"},
		{"bad audience", set("audience", "everyone"), nil, false, 422, "invalid_field", "audience"},

		// publish_at.
		{"publish_at not a time", set("publish_at", "tomorrow"), nil, false, 422, "invalid_field", "publish_at"},
		{"publish_at without zone", set("publish_at", "2026-12-01T07:30:00"), nil, false, 422, "invalid_field", "publish_at"},
		{"publish_at with a space", set("publish_at", "2026-12-01 07:30:00Z"), nil, false, 422, "invalid_field", "publish_at"},
		{"publish_at date only", set("publish_at", "2026-12-01"), nil, false, 422, "invalid_field", "publish_at"},
		{"publish_at unix seconds as string", set("publish_at", "1795000000"), nil, false, 422, "invalid_field", "publish_at"},
		{"publish_at 2 minutes ago", set("publish_at", testNow.Add(-2*time.Minute).Format(time.RFC3339)), nil, false, 422, "invalid_field", "publish_at"},
		{"publish_at 61 s ago", set("publish_at", testNow.Add(-61*time.Second).Format(time.RFC3339)), nil, false, 422, "invalid_field", "publish_at"},
		{"publish_at last year", set("publish_at", "2025-11-20T08:30:00+07:00"), nil, false, 422, "invalid_field", "publish_at"},
		{"publish_at six years ahead", set("publish_at", testNow.AddDate(6, 0, 0).Format(time.RFC3339)), nil, false, 422, "invalid_field", "publish_at"},

		// Channels.
		{"missing channel_ids", without("channel_ids"), nil, false, 422, "invalid_field", "channel_ids"},
		{"null channel_ids", set("channel_ids", nil), nil, false, 422, "invalid_field", "channel_ids"},
		{"empty channel_ids", set("channel_ids", []int64{}), nil, false, 422, "invalid_field", "channel_ids"},
		{"duplicate channel id", set("channel_ids", []int64{active.ID, active.ID}), nil, false, 422, "invalid_field", "channel_ids"},
		{"channel id zero", set("channel_ids", []int64{0}), nil, false, 422, "invalid_field", "channel_ids"},
		{"negative channel id", set("channel_ids", []int64{-active.ID}), nil, false, 422, "invalid_field", "channel_ids"},
		{"unknown channel id", set("channel_ids", []int64{987654}), nil, false, 422, "invalid_field", "channel_ids"},
		{"known and unknown channel ids", set("channel_ids", []int64{active.ID, 987654}), nil, false, 422, "invalid_field", "channel_ids"},
		{"disabled channel", set("channel_ids", []int64{disabled.ID}), nil, false, 422, "invalid_field", "channel_ids"},
		{"active and disabled channels", set("channel_ids", []int64{active.ID, disabled.ID}), nil, false, 422, "invalid_field", "channel_ids"},
		{"51 channels", set("channel_ids", tooManyChannels), nil, false, 422, "invalid_field", "channel_ids"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			posts0, deliveries0 := e.counts()
			calls0 := len(e.sched.Calls())
			r := e.do(req{Method: http.MethodPost, Path: "/api/v1/posts", Token: officerToken,
				Body: tc.body, Header: tc.header, Chunked: tc.chunked})
			got := wantError(t, r, tc.status, tc.code, tc.field)
			switch tc.name {
			case "unknown channel id", "known and unknown channel ids":
				if !strings.Contains(got.Message, "987654") {
					t.Errorf("message %q does not name the unknown id", got.Message)
				}
			case "disabled channel", "active and disabled channels":
				if !strings.Contains(got.Message, fmt.Sprint(disabled.ID)) || !strings.Contains(got.Message, "disabled") {
					t.Errorf("message %q does not name the disabled channel", got.Message)
				}
			}
			if posts, deliveries := e.counts(); posts != posts0 || deliveries != deliveries0 {
				t.Errorf("a rejected request created %d posts and %d deliveries", posts-posts0, deliveries-deliveries0)
			}
			if calls := e.sched.Calls(); len(calls) != calls0 {
				t.Errorf("a rejected request reached the scheduler: %+v", calls[calls0:])
			}
		})
	}
	if posts, deliveries := e.counts(); posts != 0 || deliveries != 0 || len(e.sched.Calls()) != 0 {
		t.Errorf("rejected requests left %d posts, %d deliveries, scheduler calls %+v", posts, deliveries, e.sched.Calls())
	}

	// And the same valid body is accepted, so the rejections were about the input.
	wantStatus(t, e.post("/api/v1/posts", officerToken, ok), http.StatusCreated)
}

func TestPostTextIsNormalised(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")

	decomposed := "Ca\u0309i ca\u0301ch thu\u0309 tu\u0323c ha\u0300nh chi\u0301nh" // "Cải cách thủ tục hành chính"
	composed := norm.NFC.String(decomposed)
	if decomposed == composed || composed != "Cải cách thủ tục hành chính" {
		t.Fatalf("test data: decomposed %q composed %q", decomposed, composed)
	}
	body := postBody(ch.ID)
	body["title"] = decomposed
	body["summary"] = decomposed + " năm 2026"
	body["category"] = decomposed
	body["body"] = "<p>" + decomposed + "</p>"
	p := e.createPost(officerToken, body)

	stored, _, err := e.store.GetPost(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct{ name, api, db, want string }{
		{"title", p.Title, stored.Title, composed},
		{"summary", p.Summary, stored.Summary, composed + " năm 2026"},
		{"category", p.Category, stored.Category, composed},
		{"body", p.Body, stored.Body, "<p>" + composed + "</p>"},
	} {
		if f.db != f.want || !norm.NFC.IsNormalString(f.db) {
			t.Errorf("stored %s = %q (% x), want NFC %q", f.name, f.db, f.db, f.want)
		}
		if f.api != f.db {
			t.Errorf("response %s = %q, stored %q", f.name, f.api, f.db)
		}
	}
	got := decode[postJSON](t, e.get(fmt.Sprintf("/api/v1/posts/%d", p.ID), officerToken))
	if got.Title != composed {
		t.Errorf("GET title = %q", got.Title)
	}
}

func TestPostHTMLIsSanitised(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")

	hostile := `<p onclick="steal()">Thông báo <b>khẩn</b></p>` +
		`<script>alert("xss")</script>` +
		`<a href="javascript:alert(1)">bấm vào đây</a>` +
		`<a href="JaVaScRiPt:alert(2)">hoặc đây</a>` +
		`<a href="https://chinhphu.vn/" onmouseover="steal()">Cổng Chính phủ</a>` +
		`<img src="x" onerror="steal()">` +
		`<iframe src="https://evil.example/"></iframe>` +
		`<style>body{display:none}</style>` +
		`<svg onload="steal()"><circle r="1"/></svg>` +
		`<div style="background:url(javascript:alert(3))">nội dung</div>`
	body := postBody(ch.ID)
	body["body"] = hostile
	body["title"] = `<script>alert(1)</script>Tiêu đề <b onclick="x()">quan trọng</b>`
	body["summary"] = `<img src=x onerror=alert(1)>Tóm tắt`
	p := e.createPost(officerToken, body)

	stored, _, err := e.store.GetPost(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{p.Body, stored.Body} {
		lower := strings.ToLower(text)
		for _, bad := range []string{"<script", "alert", "onclick", "onerror", "onmouseover", "onload", "javascript:",
			"<iframe", "<style", "steal()", "<svg"} {
			if strings.Contains(lower, bad) {
				t.Errorf("sanitised body contains %q: %s", bad, text)
			}
		}
		for _, good := range []string{"Thông báo <b>khẩn</b>", `href="https://chinhphu.vn/"`, "Cổng Chính phủ", "nội dung", "nofollow"} {
			if !strings.Contains(text, good) {
				t.Errorf("sanitised body lost %q: %s", good, text)
			}
		}
	}
	if stored.Title != "Tiêu đề quan trọng" || p.Title != stored.Title {
		t.Errorf("title = %q (stored %q), want plain text", p.Title, stored.Title)
	}
	if stored.Summary != "Tóm tắt" {
		t.Errorf("summary = %q, want plain text", stored.Summary)
	}
}

func TestListPosts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ch := e.createWebhook("Cổng phường")
	var ids []int64
	for range 3 {
		ids = append(ids, e.createPost(officerToken, postBody(ch.ID)).ID)
	}
	var seen []int64
	cursor := ""
	for range 5 {
		r := e.get("/api/v1/posts?limit=2&cursor="+cursor, officerToken)
		wantStatus(t, r, http.StatusOK)
		pg := decode[page[postJSON]](t, r)
		for _, p := range pg.Items {
			seen = append(seen, p.ID)
			if p.Deliveries != nil {
				t.Errorf("list items carry deliveries: %+v", p)
			}
		}
		if cursor = pg.NextCursor; cursor == "" {
			break
		}
	}
	if want := []int64{ids[2], ids[1], ids[0]}; fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("posts seen = %v, want %v", seen, want)
	}
	for _, q := range []struct{ query, field string }{
		{"status=bogus", "status"}, {"limit=0", "limit"}, {"limit=x", "limit"}, {"cursor=zzz", "cursor"},
	} {
		wantError(t, e.get("/api/v1/posts?"+q.query, officerToken), http.StatusUnprocessableEntity, "invalid_field", q.field)
	}
	r := e.get("/api/v1/posts?status=canceled", officerToken)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), `"items":[]`) {
		t.Errorf("empty list = %s, want items []", r.Body)
	}
}

func TestCancelPost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, b := e.createWebhook("Cổng phường"), e.createWebhook("Cổng quận")
	path := func(id int64) string { return fmt.Sprintf("/api/v1/posts/%d/cancel", id) }
	cancel := func(id int64, token string) response { return e.post(path(id), token, nil) }

	t.Run("officer cannot cancel another officer's post", func(t *testing.T) {
		p := e.createPost(officerToken, postBody(a.ID, b.ID))
		before := len(e.sched.Calls())
		wantError(t, cancel(p.ID, officer2Token), http.StatusForbidden, "forbidden", "")
		got := decode[postJSON](t, e.get(fmt.Sprintf("/api/v1/posts/%d", p.ID), officerToken))
		if got.Status != storage.PostScheduled || got.Deliveries[0].Status != storage.DeliveryScheduled {
			t.Errorf("post after refused cancel = %+v", got)
		}
		if len(e.sched.Calls()) != before {
			t.Errorf("refused cancel reached the scheduler")
		}
	})

	cases := []struct{ name, owner, canceller string }{
		{"officer cancels own post", officerToken, officerToken},
		{"editor cancels an officer's post", officerToken, editorToken},
		{"admin cancels an editor's post", editorToken, adminToken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := e.createPost(tc.owner, postBody(a.ID, b.ID))
			r := cancel(p.ID, tc.canceller)
			wantStatus(t, r, http.StatusOK)
			got := decode[postJSON](t, r)
			if got.Status != storage.PostCanceled || len(got.Deliveries) != 2 {
				t.Fatalf("canceled post = %+v", got)
			}
			for _, d := range got.Deliveries {
				if d.Status != storage.DeliveryCanceled {
					t.Errorf("delivery %d status = %q", d.ID, d.Status)
				}
			}
			un := e.sched.callsOf("unschedule")
			if tail := un[max(0, len(un)-2):]; fmt.Sprint(tail) != fmt.Sprint([]int64{p.Deliveries[0].ID, p.Deliveries[1].ID}) {
				t.Errorf("unschedule calls = %v, want the post's deliveries", un)
			}
			wantError(t, cancel(p.ID, tc.canceller), http.StatusConflict, "nothing_to_cancel", "")
		})
	}

	t.Run("only undelivered deliveries are canceled", func(t *testing.T) {
		p := e.createPost(officerToken, postBody(a.ID, b.ID))
		e.finish(p.Deliveries[0].ID, storage.DeliveryDelivered)
		r := cancel(p.ID, officerToken)
		wantStatus(t, r, http.StatusOK)
		got := decode[postJSON](t, r)
		if got.Deliveries[0].Status != storage.DeliveryDelivered || got.Deliveries[1].Status != storage.DeliveryCanceled ||
			got.Status != storage.PostPublished {
			t.Errorf("post after partial cancel = %+v", got)
		}
		un := e.sched.callsOf("unschedule")
		if un[len(un)-1] != p.Deliveries[1].ID || (len(un) > 1 && un[len(un)-2] == p.Deliveries[0].ID) {
			t.Errorf("unschedule calls = %v", un)
		}
	})

	t.Run("delivered post has nothing to cancel", func(t *testing.T) {
		p := e.createPost(officerToken, postBody(a.ID))
		e.finish(p.Deliveries[0].ID, storage.DeliveryDelivered)
		before := len(e.sched.Calls())
		wantError(t, cancel(p.ID, editorToken), http.StatusConflict, "nothing_to_cancel", "")
		if len(e.sched.Calls()) != before {
			t.Errorf("409 cancel reached the scheduler")
		}
	})

	t.Run("unknown post", func(t *testing.T) {
		wantError(t, cancel(987654, adminToken), http.StatusNotFound, "not_found", "")
	})

	t.Run("history records the cancel", func(t *testing.T) {
		p := e.createPost(officerToken, postBody(a.ID))
		wantStatus(t, cancel(p.ID, officerToken), http.StatusOK)
		r := e.get(fmt.Sprintf("/api/v1/posts/%d/history", p.ID), officerToken)
		wantStatus(t, r, http.StatusOK)
		h := decode[page[map[string]any]](t, r)
		var actions []string
		for _, it := range h.Items {
			actions = append(actions, fmt.Sprint(it["action"]))
		}
		if fmt.Sprint(actions) != "[created approved canceled]" {
			t.Errorf("history actions = %v", actions)
		}
	})
}
