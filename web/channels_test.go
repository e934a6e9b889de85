package web

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/adapters"
	"github.com/loa-vn/loa/api"
	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/facebook"
	"github.com/loa-vn/loa/channels/radio"
	"github.com/loa-vn/loa/channels/rss"
	"github.com/loa-vn/loa/channels/webhook"
	"github.com/loa-vn/loa/channels/wordpress"
	"github.com/loa-vn/loa/channels/zalo"
	"github.com/loa-vn/loa/outbound"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/secrets"
	"github.com/loa-vn/loa/sources"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/storage/storagetest"
)

// channelHarness is the harness with every channel kind registered, a
// secrets box, a feed fetcher, and a guard that allows loopback only (the
// test's own fakes listen there; LOA_ALLOW_PRIVATE_TARGETS in production).
type channelHarness struct {
	*harness
	box *secrets.Box
	// seen collects every page the test's browsers got, to scan for secrets.
	seen []string
}

const testPublicURL = "http://loa.example.gov.vn"

func newChannelHarness(t *testing.T) *channelHarness {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		loc = time.FixedZone("ICT", 7*3600)
	}
	h := &harness{t: t, at: time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC), loc: loc}
	h.store, h.db = storagetest.OpenWithSQL(t, h.now)
	box, err := secrets.NewBox(bytes.Repeat([]byte{7}, secrets.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := channels.NewRegistry(webhook.Kind(), rss.Kind(), wordpress.Kind(), facebook.Kind(), zalo.Kind(nil), radio.Kind())
	if err != nil {
		t.Fatal(err)
	}
	guard := outbound.New(outbound.Options{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}})
	log := slog.New(slog.DiscardHandler)
	h.sched = &recordingScheduler{}
	h.pub = publishing.New(publishing.Options{Store: h.store, Scheduler: h.sched, Location: loc, Logger: log, Now: h.now,
		Horizon: 30 * 24 * time.Hour, Secrets: box, Kinds: reg.Names(),
		Fetcher: sources.NewFetcher(sources.FetcherOptions{Timeout: 5 * time.Second, Client: guard.Client(0)})})
	pages, err := New(Options{Store: h.store, Publishing: h.pub, Location: loc, Logger: log, Now: h.now, PublicURL: testPublicURL})
	if err != nil {
		t.Fatal(err)
	}
	set := adapters.NewChannelSet(reg, box, channels.Env{PublicBaseURL: testPublicURL, HTTPClient: guard.Client(5 * time.Second),
		Location: loc, Now: h.now})
	srv := httptest.NewServer(api.New(api.Options{Store: h.store, Publishing: h.pub, Location: loc, Logger: log,
		Now: h.now, PasswordHashers: 2, Pages: pages, Registry: reg, Box: box, Guard: guard, Channels: set,
		PublicURL: testPublicURL}).Handler())
	t.Cleanup(srv.Close)
	h.url, h.pages = srv.URL, pages
	return &channelHarness{harness: h, box: box}
}

// visit gets path and keeps the page for the secret scan.
func (h *channelHarness) visit(b *browser, path string) page {
	h.t.Helper()
	p := b.get(path)
	h.seen = append(h.seen, p.body)
	return p
}

// post sends a form with the session's token and keeps the page.
func (h *channelHarness) post(b *browser, path string, form url.Values) page {
	h.t.Helper()
	form.Set("csrf_token", b.csrf("/channels"))
	p := b.do(http.MethodPost, path, form)
	h.seen = append(h.seen, p.body)
	return p
}

// noSecretsShown fails if any page seen holds one of the secrets.
func (h *channelHarness) noSecretsShown(t *testing.T, secretValues ...string) {
	t.Helper()
	if len(h.seen) == 0 {
		t.Fatal("no pages seen")
	}
	for _, body := range h.seen {
		for _, s := range secretValues {
			if strings.Contains(body, s) {
				t.Errorf("a page shows the secret %q", s)
			}
		}
	}
}

// config opens the stored config of channel id.
func (h *channelHarness) config(id int64) map[string]any {
	h.t.Helper()
	ch, err := h.store.GetChannel(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	plain, err := h.box.Open(ch.ConfigSealed)
	if err != nil {
		h.t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(plain, &m); err != nil {
		h.t.Fatal(err)
	}
	return m
}

var createdChannel = regexp.MustCompile(`^/channels/(\d+)\?da-luu=1$`)

// createChannel posts the new-channel form and returns the new id.
func (h *channelHarness) createChannel(b *browser, kind string, form url.Values) int64 {
	h.t.Helper()
	form.Set("kind", kind)
	p := h.post(b, "/channels", form)
	m := createdChannel.FindStringSubmatch(p.header.Get("Location"))
	if p.status != http.StatusSeeOther || m == nil {
		h.t.Fatalf("create %s: %d %s", kind, p.status, p.body)
	}
	var id int64
	json.Unmarshal([]byte(m[1]), &id)
	return id
}

func (h *channelHarness) loginAs(name, role string, agency int64) *browser {
	h.t.Helper()
	h.user(name, role, "mật khẩu đủ dài 1", agency)
	b := h.browser()
	b.mustLogin(name, "mật khẩu đủ dài 1")
	return b
}

// Each kind's channel is created through its own form; its secrets are
// stored (sealed) but never appear on any page, which says they are kept.
func TestChannelCreateEachKind(t *testing.T) {
	h := newChannelHarness(t)
	b := h.loginAs("bien tap", storage.RoleEditor, 0)
	tests := []struct {
		kind     string
		form     url.Values
		secrets  []string
		wantPage []string
	}{
		{"wordpress", url.Values{"name": {"Cổng xã Tân Phú"}, "cfg_base_url": {"https://xatanphu.example.gov.vn"},
			"cfg_username": {"loa"}, "cfg_app_password": {"wpAppPassSECRET1abcdefgh"}},
			[]string{"wpAppPassSECRET1abcdefgh"}, []string{"Địa chỉ trang", "Tên đăng nhập", "Mật khẩu ứng dụng", "Đã lưu — để trống nếu không đổi"}},
		{"webhook", url.Values{"name": {"Cổng huyện"}, "cfg_url": {"https://cms.example.gov.vn/hook"}, "cfg_secret": {"hookSECRET2longer"},
			"slots": {"17:00, 07:00"}},
			[]string{"hookSECRET2longer"}, []string{"Khóa ký", "07:00, 17:00", "Đã lưu — để trống nếu không đổi"}},
		{"zalo_oa", url.Values{"name": {"Zalo xã"}, "cfg_app_id": {"4321"}, "cfg_secret_key": {"zaloSECRET3"},
			"cfg_refresh_token": {"zaloRefreshSECRET4"}, "cfg_broadcast": {"true"}},
			[]string{"zaloSECRET3", "zaloRefreshSECRET4"}, []string{"Mã làm mới (refresh token)", "Khóa bí mật ứng dụng"}},
		{"facebook_page", url.Values{"name": {"Trang xã"}, "cfg_page_id": {"1234567890"}, "cfg_page_token": {"fbTokenSECRET5"}},
			[]string{"fbTokenSECRET5"}, []string{"ID của Trang", "Mã truy cập của Trang"}},
		{"radio", url.Values{"name": {"Loa xã Tân Phú"}, "cfg_station": {"Đài truyền thanh xã Tân Phú"}, "cfg_air_times": {"17:00, 6:00"},
			"cfg_voice": {"vi-vn-x-south"}},
			nil, []string{"Đài truyền thanh xã Tân Phú", "06:00, 17:00", "Bản tin đã phát"}},
		{"rss", url.Values{"name": {"Tin RSS xã"}, "cfg_slug": {"xa-tan-phu"}, "cfg_title": {"Tin xã Tân Phú"}},
			nil, []string{testPublicURL + "/feeds/xa-tan-phu.rss", testPublicURL + "/feeds/xa-tan-phu.atom"}},
	}
	picker := h.visit(b, "/channels/new")
	if picker.status != http.StatusOK || !strings.Contains(picker.body, "Chọn loại kênh") || !strings.Contains(picker.body, "Truyền thanh cơ sở") {
		t.Errorf("kind picker: %d", picker.status)
	}
	checkVietnamesePage(t, picker.body)
	var all []string
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			if p := h.visit(b, "/channels/new?kind="+tt.kind); p.status != http.StatusOK {
				t.Fatalf("form: %d", p.status)
			} else {
				checkVietnamesePage(t, p.body)
			}
			id := h.createChannel(b, tt.kind, tt.form)
			stored := h.config(id)
			for _, s := range tt.secrets {
				found := false
				for _, v := range stored {
					found = found || v == s
				}
				if !found {
					t.Errorf("secret %q not stored: %v", s, stored)
				}
			}
			p := h.visit(b, "/channels/"+jsonID(id)+"?da-luu=1")
			if p.status != http.StatusOK {
				t.Fatalf("page: %d", p.status)
			}
			for _, w := range append(tt.wantPage, "Đã lưu kênh.", kindLabel(tt.kind)) {
				if !strings.Contains(p.body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			checkVietnamesePage(t, p.body, tt.form.Get("name"), "xa-tan-phu")
			all = append(all, tt.secrets...)
		})
	}
	list := h.visit(b, "/channels")
	checkVietnamesePage(t, list.body, "Cổng xã Tân Phú", "Tin RSS xã")
	for _, w := range []string{"6 kênh", "Zalo OA", "Trang Facebook", "Truyền thanh cơ sở", "Đang hoạt động", "Chưa gửi lần nào"} {
		if !strings.Contains(list.body, w) {
			t.Errorf("list lacks %q", w)
		}
	}
	h.noSecretsShown(t, all...)
}

func jsonID(id int64) string { b, _ := json.Marshal(id); return string(b) }

// A change that moves an endpoint without the secret again is refused
// with the reason in Vietnamese, and nothing changes; an empty secret
// with the same endpoint keeps the stored one; with the secret re-entered
// the move is saved.
func TestChannelEndpointMoveNeedsSecret(t *testing.T) {
	h := newChannelHarness(t)
	b := h.loginAs("bien tap", storage.RoleEditor, 0)
	id := h.createChannel(b, "webhook", url.Values{"name": {"Cổng huyện"}, "cfg_url": {"https://cms.example.gov.vn/hook"},
		"cfg_secret": {"hookSECRET2longer"}})
	path := "/channels/" + jsonID(id)
	before, _ := h.store.GetChannel(context.Background(), id)

	p := h.post(b, path, url.Values{"name": {"Cổng huyện"}, "cfg_url": {"https://other.example.com/hook"}, "status": {"active"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "cần nhập lại «Khóa ký (signing secret)»") {
		t.Fatalf("move without secret: %d %s", p.status, p.body)
	}
	checkVietnamesePage(t, p.body, "Cổng huyện")
	if !strings.Contains(p.body, `value="https://other.example.com/hook"`) {
		t.Error("the refused form does not keep the address entered")
	}
	after, _ := h.store.GetChannel(context.Background(), id)
	if !bytes.Equal(before.ConfigSealed, after.ConfigSealed) || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Error("a refused change changed the channel")
	}

	if p := h.post(b, path, url.Values{"name": {"Cổng huyện mới"}, "cfg_url": {"https://cms.example.gov.vn/hook"}, "status": {"active"}}); p.status != http.StatusSeeOther {
		t.Fatalf("rename: %d %s", p.status, p.body)
	}
	if c := h.config(id); c["secret"] != "hookSECRET2longer" {
		t.Errorf("empty secret did not keep the stored one: %v", c)
	}
	if p := h.post(b, path, url.Values{"name": {"Cổng huyện mới"}, "cfg_url": {"https://other.example.com/hook"},
		"cfg_secret": {"newHookSECRETlonger"}, "status": {"disabled"}}); p.status != http.StatusSeeOther {
		t.Fatalf("move with secret: %d %s", p.status, p.body)
	}
	ch, _ := h.store.GetChannel(context.Background(), id)
	if c := h.config(id); c["url"] != "https://other.example.com/hook" || c["secret"] != "newHookSECRETlonger" || ch.Status != storage.ChannelDisabled {
		t.Errorf("after move: %v %s", c, ch.Status)
	}
	h.visit(b, path)
	h.noSecretsShown(t, "hookSECRET2longer", "newHookSECRETlonger")
}

// Endpoints go through the outbound guard: a private address is refused
// on creation and on change (this guard allows only loopback), and bad
// input is answered in Vietnamese next to its field.
func TestChannelFormRefusals(t *testing.T) {
	h := newChannelHarness(t)
	b := h.loginAs("bien tap", storage.RoleEditor, 0)
	tests := []struct {
		name, kind string
		form       url.Values
		want       string
	}{
		{"private address", "webhook", url.Values{"name": {"Nội bộ"}, "cfg_url": {"http://192.168.1.10/hook"}, "cfg_secret": {"s3cretHookLongEnough"}},
			"thuộc mạng nội bộ"},
		{"private address on wordpress", "wordpress", url.Values{"name": {"Nội bộ"}, "cfg_base_url": {"http://10.0.0.8"},
			"cfg_username": {"loa"}, "cfg_app_password": {"s3cretWpAbcdefgh12345678"}}, "thuộc mạng nội bộ"},
		{"missing secret", "webhook", url.Values{"name": {"Thiếu"}, "cfg_url": {"https://cms.example.gov.vn/hook"}}, "Cần nhập «Khóa ký (signing secret)»"},
		{"missing name", "webhook", url.Values{"cfg_url": {"https://cms.example.gov.vn/hook"}, "cfg_secret": {"s3cretHookLongEnough"}}, "Cần nhập «Tên kênh»"},
		{"bad slot", "webhook", url.Values{"name": {"Giờ sai"}, "cfg_url": {"https://cms.example.gov.vn/hook"}, "cfg_secret": {"s3cretHookLongEnough"},
			"slots": {"25:00"}}, "«Giờ đăng cố định» phải là các giờ dạng 07:00"},
		{"bad air time", "radio", url.Values{"name": {"Loa"}, "cfg_station": {"Đài xã"}, "cfg_air_times": {"sáng"}}, "«Giờ phát hằng ngày»"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.form.Set("kind", tt.kind)
			p := h.post(b, "/channels", tt.form)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, tt.want) {
				t.Fatalf("got %d, want %q in %s", p.status, tt.want, p.body)
			}
			checkVietnamesePage(t, p.body, tt.form.Get("name"))
		})
	}
	if chs, _ := h.store.ListChannels(context.Background(), 0); len(chs) != 0 {
		t.Errorf("refused forms created %d channels", len(chs))
	}
	id := h.createChannel(b, "webhook", url.Values{"name": {"Cổng"}, "cfg_url": {"https://cms.example.gov.vn/hook"}, "cfg_secret": {"s3cretHookLongEnough"}})
	p := h.post(b, "/channels/"+jsonID(id), url.Values{"name": {"Cổng"}, "cfg_url": {"http://127.0.0.1:9/hook"},
		"cfg_secret": {"s3cretHookLongEnough"}, "status": {"active"}})
	if p.status != http.StatusSeeOther {
		t.Errorf("loopback is allowed by this guard: %d %s", p.status, p.body)
	}
	p = h.post(b, "/channels/"+jsonID(id), url.Values{"name": {"Cổng"}, "cfg_url": {"http://172.16.0.1/hook"},
		"cfg_secret": {"s3cretHookLongEnough"}, "status": {"active"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "thuộc mạng nội bộ") {
		t.Errorf("private address on change: %d", p.status)
	}
	h.noSecretsShown(t, "s3cretHookLongEnough", "s3cretWpAbcdefgh12345678")
}

// fakeGraph answers Facebook's page read as Graph does: the page for the
// good token, error 190 (token expired) for any other.
func fakeGraph(t *testing.T, goodToken string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/1234567890") {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":{"message":"Unknown path","type":"GraphMethodException","code":100}}`))
			return
		}
		if r.URL.Query().Get("access_token") != goodToken {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"A1"}}`))
			return
		}
		w.Write([]byte(`{"id":"1234567890","name":"Trang UBND xã Tân Phú"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// "Kiểm tra kết nối" shows the platform's answer in Vietnamese and flags
// a refused token; "Xác thực lại" with a working token clears the flag.
func TestChannelTestAndReauth(t *testing.T) {
	h := newChannelHarness(t)
	graph := fakeGraph(t, "fbGoodSECRET")
	b := h.loginAs("bien tap", storage.RoleEditor, 0)
	id := h.createChannel(b, "facebook_page", url.Values{"name": {"Trang xã"}, "cfg_page_id": {"1234567890"},
		"cfg_page_token": {"fbGoodSECRET"}, "cfg_api_base_url": {graph.URL}})
	path := "/channels/" + jsonID(id)

	p := h.post(b, path+"/test", url.Values{})
	if p.status != http.StatusOK || !strings.Contains(p.body, "Kết nối được") || !strings.Contains(p.body, "Trang UBND xã Tân Phú") {
		t.Fatalf("good token: %d %s", p.status, p.body)
	}
	checkVietnamesePage(t, p.body, "Trang xã", "Trang UBND xã Tân Phú")

	if p := h.post(b, path, url.Values{"name": {"Trang xã"}, "cfg_page_id": {"1234567890"}, "cfg_page_token": {"fbOldSECRET"},
		"cfg_api_base_url": {graph.URL}, "status": {"active"}}); p.status != http.StatusSeeOther {
		t.Fatalf("change token: %d %s", p.status, p.body)
	}
	p = h.post(b, path+"/test", url.Values{})
	if p.status != http.StatusOK || !strings.Contains(p.body, "Không kết nối được") || !strings.Contains(p.body, "cần xác thực lại") {
		t.Fatalf("expired token: %d %s", p.status, p.body)
	}
	// The reason is the Facebook adapter's own sentence, which names the
	// platform's "page token" as administrators know it.
	adapterTerm := "page token"
	checkVietnamesePage(t, p.body, "Trang xã", adapterTerm)
	if ch, _ := h.store.GetChannel(context.Background(), id); ch.Status != storage.ChannelNeedsReauth || ch.StatusReason == "" {
		t.Fatalf("not flagged: %s %q", ch.Status, ch.StatusReason)
	}
	list := h.visit(b, "/channels")
	if !strings.Contains(list.body, "Cần xác thực lại") || !strings.Contains(list.body, "Lý do: Mã truy cập của Trang") {
		t.Errorf("list does not show the flag and its reason")
	}

	form := h.visit(b, path+"/reauth")
	if form.status != http.StatusOK || !strings.Contains(form.body, "Mã truy cập của Trang") {
		t.Fatalf("reauth form: %d", form.status)
	}
	checkVietnamesePage(t, form.body, "Trang xã", adapterTerm)
	if p := h.post(b, path+"/reauth", url.Values{}); p.status != http.StatusUnprocessableEntity {
		t.Errorf("reauth with nothing entered: %d", p.status)
	}
	p = h.post(b, path+"/reauth", url.Values{"cfg_page_token": {"fbGoodSECRET"}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "Kết nối được") || !strings.Contains(p.body, "Đã lưu thông tin xác thực mới") {
		t.Fatalf("reauth: %d %s", p.status, p.body)
	}
	checkVietnamesePage(t, p.body, "Trang xã", "Trang UBND xã Tân Phú")
	if ch, _ := h.store.GetChannel(context.Background(), id); ch.Status != storage.ChannelActive || ch.StatusReason != "" {
		t.Errorf("reauth did not clear the flag: %s %q", ch.Status, ch.StatusReason)
	}
	h.noSecretsShown(t, "fbGoodSECRET", "fbOldSECRET")
}

// A radio channel lists its editions with a player and the txt, json and
// wav links, served to the signed-in user; the page policy lets Loa's own
// audio play.
func TestRadioEditions(t *testing.T) {
	h := newChannelHarness(t)
	b := h.loginAs("bien tap", storage.RoleEditor, 0)
	id := h.createChannel(b, "radio", url.Values{"name": {"Loa xã"}, "cfg_station": {"Đài truyền thanh xã Tân Phú"}, "cfg_air_times": {"06:00"}})
	ctx := context.Background()
	post := storage.Post{Title: "Lịch tiêm chủng tháng 12", Body: "<p>Trạm y tế xã tiêm chủng vào sáng thứ Hai.</p>", Audience: "public",
		PublishAt: h.now()}
	ds, err := h.store.CreatePost(ctx, &post, []int64{id}, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	c, err := h.store.ClaimDelivery(ctx, ds[0].ID, "lease", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.store.FinishAttempt(ctx, c, storage.Result{Status: storage.DeliveryDelivered, Outcome: storage.OutcomeDelivered,
		ExternalID: "2026-12-07T06:00"}); err != nil {
		t.Fatal(err)
	}
	p := h.visit(b, "/channels/"+jsonID(id))
	base := "/channels/" + jsonID(id) + "/editions/2026-12-07/06:00"
	for _, w := range []string{"Ngày 07/12/2026, 06:00", `<audio controls preload="none" src="` + base + `.wav"`,
		`href="` + base + `.txt"`, `href="` + base + `.json"`, `href="` + base + `.wav"`, "1 tin"} {
		if !strings.Contains(p.body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "media-src 'self'") {
		t.Errorf("CSP %q does not let the audio play", csp)
	}
	checkVietnamesePage(t, p.body, "Loa xã")
	txt := b.get(base + ".txt")
	if txt.status != http.StatusOK || !strings.Contains(txt.body, "Tin thứ nhất: Lịch tiêm chủng tháng mười hai") || !strings.HasPrefix(txt.header.Get("Content-Type"), "text/plain") {
		t.Errorf("script: %d %s", txt.status, txt.body)
	}
	js := b.get(base + ".json")
	if js.status != http.StatusOK || !json.Valid([]byte(js.body)) {
		t.Errorf("sidecar: %d", js.status)
	}
	if wav := b.get(base + ".wav"); wav.status != http.StatusOK && wav.status != http.StatusNotImplemented {
		t.Errorf("audio: %d", wav.status)
	}
	for _, path := range []string{"/channels/" + jsonID(id) + "/editions/2026-13-07/06:00.txt", base + ".pdf"} {
		if p := b.get(path); p.status != http.StatusNotFound {
			t.Errorf("%s: %d", path, p.status)
		} else {
			checkVietnamesePage(t, p.body)
		}
	}
	if p := h.browser().get(base + ".txt"); p.status != http.StatusSeeOther {
		t.Errorf("signed out: %d", p.status)
	}
}

// An officer sees channels read-only and is refused every change; a user
// never reaches a channel outside their agency's subtree (404, as if it
// did not exist), whatever the role.
func TestChannelRolesAndScope(t *testing.T) {
	h := newChannelHarness(t)
	ctx := context.Background()
	root, err := h.store.RootAgency(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := storage.Agency{Name: "Huyện A", Code: "a", ParentID: &root.ID}
	bAg := storage.Agency{Name: "Huyện B", Code: "b", ParentID: &root.ID}
	for _, ag := range []*storage.Agency{&a, &bAg} {
		if err := h.store.CreateAgency(ctx, ag, "test"); err != nil {
			t.Fatal(err)
		}
	}
	province := h.loginAs("quan tri", storage.RoleAdmin, root.ID)
	hook := url.Values{"cfg_url": {"https://cms.example.gov.vn/hook"}, "cfg_secret": {"s3cretHookLongEnough"}}
	withName := func(name string, agency int64) url.Values {
		v := url.Values{"name": {name}, "agency_id": {jsonID(agency)}}
		for k, vs := range hook {
			v[k] = vs
		}
		return v
	}
	chA := h.createChannel(province, "webhook", withName("Kênh A", a.ID))
	chB := h.createChannel(province, "webhook", withName("Kênh B", bAg.ID))
	officer := h.loginAs("can bo a", storage.RoleOfficer, a.ID)
	editorA := h.loginAs("bien tap a", storage.RoleEditor, a.ID)

	t.Run("officer reads only", func(t *testing.T) {
		p := h.visit(officer, "/channels/"+jsonID(chA))
		if p.status != http.StatusOK || !strings.Contains(p.body, "Bạn chỉ xem được kênh này") || strings.Contains(p.body, `action="/channels/`+jsonID(chA)+`"`) {
			t.Fatalf("officer page: %d", p.status)
		}
		checkVietnamesePage(t, p.body, "Kênh A")
		list := h.visit(officer, "/channels")
		if strings.Contains(list.body, "Thêm kênh") || !strings.Contains(list.body, "Kênh A") || strings.Contains(list.body, "Kênh B") {
			t.Errorf("officer list")
		}
		for _, req := range []struct{ method, path string }{
			{http.MethodGet, "/channels/new"}, {http.MethodPost, "/channels"}, {http.MethodPost, "/channels/" + jsonID(chA)},
			{http.MethodPost, "/channels/" + jsonID(chA) + "/test"}, {http.MethodGet, "/channels/" + jsonID(chA) + "/reauth"},
			{http.MethodPost, "/channels/" + jsonID(chA) + "/reauth"},
		} {
			form := withName("Đổi tên", a.ID)
			form.Set("kind", "webhook")
			form.Set("csrf_token", officer.csrf("/channels"))
			var p page
			if req.method == http.MethodGet {
				p = officer.get(req.path)
			} else {
				p = officer.do(req.method, req.path, form)
			}
			if p.status != http.StatusForbidden || !strings.Contains(p.body, "không có quyền") {
				t.Errorf("%s %s: %d", req.method, req.path, p.status)
			}
			checkVietnamesePage(t, p.body)
		}
	})
	t.Run("outside the subtree", func(t *testing.T) {
		before, _ := h.store.GetChannel(ctx, chB)
		form := withName("Chiếm kênh", bAg.ID)
		for _, req := range []struct{ method, path string }{
			{http.MethodGet, "/channels/" + jsonID(chB)}, {http.MethodPost, "/channels/" + jsonID(chB)},
			{http.MethodPost, "/channels/" + jsonID(chB) + "/test"}, {http.MethodGet, "/channels/" + jsonID(chB) + "/reauth"},
			{http.MethodGet, "/channels/999999"},
		} {
			var p page
			if req.method == http.MethodGet {
				p = editorA.get(req.path)
			} else {
				form.Set("csrf_token", editorA.csrf("/channels"))
				p = editorA.do(req.method, req.path, form)
			}
			if p.status != http.StatusNotFound || !strings.Contains(p.body, "Không tìm thấy kênh") {
				t.Errorf("%s %s: %d", req.method, req.path, p.status)
			}
			checkVietnamesePage(t, p.body)
		}
		if after, _ := h.store.GetChannel(ctx, chB); after.Name != before.Name || !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Error("a refused change changed the channel")
		}
		p := editorA.do(http.MethodPost, "/channels", func() url.Values {
			f := withName("Kênh lạc", bAg.ID)
			f.Set("kind", "webhook")
			f.Set("csrf_token", editorA.csrf("/channels"))
			return f
		}())
		if p.status != http.StatusUnprocessableEntity {
			t.Errorf("create in another agency: %d", p.status)
		}
	})
	h.noSecretsShown(t, "s3cretHookLongEnough")
}
