package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loa-vn/loa/api"
)

const mib = 1 << 20

// heapInUse is the Go heap in use after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// heapPeak samples HeapInuse until stop is called, which returns the peak.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return peak.Load()
	}
}

// clientFrom is a checking client whose connections come from the loopback
// address ip (any of 127.0.0.0/8 works on Linux), so tests can play
// several clients and proxies.
func clientFrom(t *testing.T, ip string) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &checkingTransport{t: t, base: &http.Transport{DialContext: dialer.DialContext}}}
}

// login posts a log-in from client; xff, when set, is sent as X-Forwarded-For.
func (e *env) loginFrom(client *http.Client, name, password, xff string) response {
	e.t.Helper()
	return doOn(e.t, client, e.srv.URL, req{Method: http.MethodPost, Path: "/api/v1/auth/login",
		Body: jsonString(e.t, map[string]any{"name": name, "password": password}), Header: map[string]string{"X-Forwarded-For": xff}})
}

// concurrentLogins sends n log-ins at once (body i from body(i)) and
// returns the responses; safe to call outside the test goroutine's helpers.
func concurrentLogins(t *testing.T, url string, n int, body func(i int) string) []response {
	client := recordingClient(t)
	out := make([]response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, err := client.Post(url+"/api/v1/auth/login", "application/json", strings.NewReader(body(i)))
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			out[i] = response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
		}()
	}
	close(start)
	wg.Wait()
	return out
}

func codeOf(r response) string {
	var v struct{ Error struct{ Code string } }
	json.Unmarshal(r.Body, &v)
	return v.Error.Code
}

// 60 concurrent log-ins used to take the process from 2 GB to 4 GB: each
// ran argon2id with 64 MiB and nothing bounded how many ran at once.
func TestLoginHashingIsBounded(t *testing.T) {
	// A wait shorter than one hash (about 100 ms here) makes the refusal
	// independent of how fast this machine hashes: with the default 1.5 s,
	// a fast machine finishes all 16 in time and nothing is refused.
	e := newEnv(t, func(o *api.Options) { o.PasswordHashers = 1; o.PasswordHashWait = 20 * time.Millisecond })
	const n = 16
	before := heapInUse()
	stop := heapPeak()
	rs := concurrentLogins(t, e.srv.URL, n, func(i int) string {
		return fmt.Sprintf(`{"name":"nobody-%d","password":"wrong-password"}`, i)
	})
	peak := stop()
	growth := int64(peak) - int64(before)
	t.Logf("%d concurrent log-ins, 1 hasher: heap in use %d MiB before, peak %d MiB (+%d MiB); old code: +%d MiB expected",
		n, before/mib, peak/mib, growth/mib, n*64)
	busy := 0
	for _, r := range rs {
		switch {
		case r.Status == http.StatusUnauthorized:
		case r.Status == http.StatusTooManyRequests && codeOf(r) == "too_many_requests":
			busy++
			if r.Header.Get("Retry-After") == "" {
				t.Errorf("429 without Retry-After: %s", r)
			}
		default:
			t.Errorf("log-in = %s, want 401 or 429 too_many_requests", r)
		}
	}
	if busy == 0 {
		t.Errorf("no log-in was refused as busy: %d hashes ran, each waiting for the one hasher", n)
	}
	// One hasher holds 64 MiB; the collector may keep a finished one's
	// memory until the next cycle. 4 × 64 MiB is a generous bound.
	if growth > 4*64*mib {
		t.Errorf("heap grew by %d MiB during %d concurrent log-ins, want < 256 MiB", growth/mib, n)
	}
}

// 300 refused log-ins with 900 KB names used to keep +300 MB for good: the
// limiter kept whole names as keys. 100 show it as well, in less time.
func TestLoginRefusesLongNamesBeforeAnyWork(t *testing.T) {
	e := newEnv(t)
	before := heapInUse()
	long := strings.Repeat("a", 900_000)
	refused := 0
	for i := range 100 {
		name := fmt.Sprintf("%d%s", i, long)
		r := e.post("/api/v1/auth/login", "", map[string]any{"name": name, "password": "wrong-password"})
		if r.Status == http.StatusUnprocessableEntity && codeOf(r) == "invalid_field" {
			refused++
		}
	}
	after := heapInUse()
	growth := int64(after) - int64(before)
	t.Logf("100 log-ins with 900 KB names: heap in use %d MiB before, %d MiB after (%+d KiB)", before/mib, after/mib, growth/1024)
	if growth > 16*mib {
		t.Errorf("heap grew by %d MiB and stayed, want < 16 MiB", growth/mib)
	}
	if refused != 100 {
		t.Errorf("%d of 100 log-ins with 900 KB names refused with 422, want all", refused)
	}
	// The limit is 200 bytes, for log-in and for new users alike.
	name201 := strings.Repeat("ễ", 67) // 201 bytes in NFC
	wantError(t, e.post("/api/v1/auth/login", "", map[string]any{"name": name201, "password": "wrong-password"}),
		http.StatusUnprocessableEntity, "invalid_field", "name")
	wantError(t, e.post("/api/v1/users", adminToken, map[string]any{"name": name201, "role": "officer"}),
		http.StatusUnprocessableEntity, "invalid_field", "name")
	wantStatus(t, e.post("/api/v1/users", adminToken, map[string]any{"name": name201[:198], "role": "officer"}), http.StatusCreated)
	// A refused name was not counted: the limiter never saw it.
	wantError(t, e.post("/api/v1/auth/login", "", map[string]any{"name": "nobody", "password": strings.Repeat("p", 201)}),
		http.StatusUnprocessableEntity, "invalid_field", "password")
}

// 30 concurrent wrong passwords used to be 30 guesses with a limit of 10:
// the limiter checked before it counted.
func TestLoginCountsBeforeChecking(t *testing.T) {
	e := newEnv(t, func(o *api.Options) { o.PasswordHashers = 2 })
	wantStatus(t, e.post("/api/v1/users", adminToken, map[string]any{"name": "hoa", "role": "officer", "password": "mat-khau-dung-roi"}), http.StatusCreated)
	const n = 20
	rs := concurrentLogins(t, e.srv.URL, n, func(i int) string {
		return fmt.Sprintf(`{"name":"hoa","password":"sai-%d-sai-sai"}`, i)
	})
	tried, limited := 0, 0
	for _, r := range rs {
		switch {
		case r.Status == http.StatusUnauthorized:
			tried++
		case r.Status == http.StatusTooManyRequests && codeOf(r) == "too_many_attempts":
			limited++
			if r.Header.Get("Retry-After") == "" {
				t.Errorf("429 without Retry-After: %s", r)
			}
		case r.Status == http.StatusTooManyRequests && codeOf(r) == "too_many_requests":
		default:
			t.Errorf("log-in = %s", r)
		}
	}
	t.Logf("%d concurrent wrong passwords: %d checked, %d refused by the limiter", n, tried, limited)
	if tried > 10 || limited < n-10 {
		t.Errorf("%d concurrent wrong passwords: %d checked and %d refused by the limiter, want at most 10 checked", n, tried, limited)
	}
}

// An attacker flooding wrong passwords for a name from one address must
// not keep the real user, at another address, out.
func TestLoginAttackerCannotLockOutRealUser(t *testing.T) {
	e := newEnv(t)
	const password = "mat-khau-dung-roi"
	wantStatus(t, e.post("/api/v1/users", adminToken, map[string]any{"name": "hoa", "role": "officer", "password": password}), http.StatusCreated)
	attacker, user := clientFrom(t, "127.0.0.3"), clientFrom(t, "127.0.0.4")
	for i := 0; ; i++ {
		r := e.loginFrom(attacker, "hoa", fmt.Sprint("sai-mat-khau-", i), "")
		if r.Status == http.StatusTooManyRequests {
			wantError(t, r, http.StatusTooManyRequests, "too_many_attempts", "")
			if i != 10 {
				t.Errorf("attacker refused after %d guesses, want 10", i)
			}
			break
		}
		wantError(t, r, http.StatusUnauthorized, "invalid_credentials", "")
	}
	// Spelling the name differently does not open a new bucket.
	wantError(t, e.loginFrom(attacker, "HOA", "sai-mat-khau", ""), http.StatusTooManyRequests, "too_many_attempts", "")
	wantStatus(t, e.loginFrom(user, "hoa", password, ""), http.StatusOK)
}

// X-Forwarded-For used to be believed from anyone: an attacker could name
// any address, spending an office's attempts or dodging its own limit.
func TestLoginIgnoresForgedForwardedFor(t *testing.T) {
	e := newEnv(t)
	e.srv = e.serve(t, e.box, func(o *api.Options) { o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")} })
	const password = "mat-khau-dung-roi"
	wantStatus(t, e.post("/api/v1/users", adminToken, map[string]any{"name": "hoa", "role": "officer", "password": password}), http.StatusCreated)
	proxy, attacker := clientFrom(t, "127.0.0.2"), clientFrom(t, "127.0.0.3")
	const office = "198.51.100.7"
	// The attacker spends "the office's" attempts…
	for i := range 10 {
		wantError(t, e.loginFrom(attacker, fmt.Sprint("ten-", i), "sai-mat-khau", office),
			http.StatusUnauthorized, "invalid_credentials", "")
	}
	// …but they were its own: the office, behind the trusted proxy, gets in.
	wantStatus(t, e.loginFrom(proxy, "hoa", password, office), http.StatusOK)
	// Forged addresses do not give the attacker more guesses at a name.
	for i := range 10 {
		wantError(t, e.loginFrom(attacker, "hoa", "sai-mat-khau", fmt.Sprintf("203.0.113.%d", i+1)),
			http.StatusUnauthorized, "invalid_credentials", "")
	}
	wantError(t, e.loginFrom(attacker, "hoa", "sai-mat-khau", "203.0.113.99"), http.StatusTooManyRequests, "too_many_attempts", "")
	// Through the proxy, what the client itself put in the header (left of
	// the address the proxy appended) is ignored too.
	wantError(t, e.loginFrom(proxy, "hoa", "sai-mat-khau", "127.0.0.3, 203.0.113.1, "+office), http.StatusUnauthorized, "invalid_credentials", "")
}

func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}
	for _, tc := range []struct {
		name, peer, xff string
		trusted         []netip.Prefix
		want            string
	}{
		{"no proxies: the header is ignored", "198.51.100.1:5000", "203.0.113.9", nil, "198.51.100.1"},
		{"loopback peer is not trusted by default", "127.0.0.1:5000", "203.0.113.9", nil, "127.0.0.1"},
		{"private peer is not trusted by default", "192.168.1.1:5000", "203.0.113.9", nil, "192.168.1.1"},
		{"untrusted peer", "198.51.100.1:5000", "203.0.113.9", trusted, "198.51.100.1"},
		{"trusted peer, no header", "10.1.1.1:5000", "", trusted, "10.1.1.1"},
		{"trusted peer names the client", "10.1.1.1:5000", "203.0.113.9", trusted, "203.0.113.9"},
		{"rightmost untrusted entry wins", "10.1.1.1:5000", "1.1.1.1, 203.0.113.9", trusted, "203.0.113.9"},
		{"trusted hops are skipped", "10.1.1.1:5000", "1.1.1.1, 203.0.113.9, 10.2.2.2", trusted, "203.0.113.9"},
		{"IPv6 proxy", "[2001:db8::1]:5000", "2001:db8:1::5, 2a00::7", trusted, "2a00::7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.peer
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			if got := api.ClientIP(tc.trusted)(r); got != tc.want {
				t.Errorf("ClientIP = %q, want %q", got, tc.want)
			}
		})
	}
}

// `officer1` and `OFFICER1` could both exist, and log-in did not
// normalise names.
func TestUserNamesAreUniqueIgnoringCaseAndForm(t *testing.T) {
	e := newEnv(t)
	const password = "mat-khau-dung-roi"
	const nfc, nfd = "Nguy\u1ec5n Hoa", "Nguye\u0302\u0303n Hoa"
	wantStatus(t, e.post("/api/v1/users", adminToken, map[string]any{"name": "officer1", "role": "officer", "password": password}), http.StatusCreated)
	wantStatus(t, e.post("/api/v1/users", adminToken, map[string]any{"name": nfd, "role": "officer", "password": password}), http.StatusCreated)
	for _, name := range []string{"OFFICER1", "Officer1", nfc, "NGUYỄN HOA"} {
		wantError(t, e.post("/api/v1/users", adminToken, map[string]any{"name": name, "role": "officer"}), http.StatusConflict, "conflict", "")
	}
	for _, name := range []string{"officer1", "OFFICER1", nfc, nfd, "nguyễn hoa"} {
		r := e.post("/api/v1/auth/login", "", map[string]any{"name": name, "password": password})
		wantStatus(t, r, http.StatusOK)
	}

	// Renaming follows the same rules.
	path := fmt.Sprintf("/api/v1/users/%d", e.users[officerToken].ID)
	wantError(t, e.patch(path, adminToken, map[string]any{"name": "Officer1"}), http.StatusConflict, "conflict", "")
	wantError(t, e.patch(path, adminToken, map[string]any{"name": strings.Repeat("ễ", 67)}), http.StatusUnprocessableEntity, "invalid_field", "name")
	r := e.patch(path, adminToken, map[string]any{"name": "Tràn Lan"})
	wantStatus(t, r, http.StatusOK)
	if got := decode[userJSON](t, r).Name; got != "Tràn Lan" {
		t.Errorf("renamed to %q, want it in NFC", got)
	}
	wantStatus(t, e.patch(path, adminToken, map[string]any{"name": "TRÀN LAN"}), http.StatusOK) // its own name, other case
	wantError(t, e.post("/api/v1/users", adminToken, map[string]any{"name": "tràn lan", "role": "officer"}), http.StatusConflict, "conflict", "")
}

// A password change left old tokens working.
func TestPasswordChangeRevokesOtherTokens(t *testing.T) {
	e := newEnv(t)
	const password = "mat-khau-dung-roi"
	u := decode[userJSON](t, e.post("/api/v1/users", adminToken, map[string]any{"name": "hoa", "role": "officer", "password": password}))
	t1 := decode[tokenJSON](t, e.post("/api/v1/auth/login", "", map[string]any{"name": "hoa", "password": password})).Token
	t2 := decode[tokenJSON](t, e.post(fmt.Sprintf("/api/v1/users/%d/tokens", u.ID), t1, map[string]any{"name": "script"})).Token
	wantStatus(t, e.get("/api/v1/me", t2), http.StatusOK)

	// An admin changing someone's password ends all their tokens.
	wantStatus(t, e.patch(fmt.Sprintf("/api/v1/users/%d", u.ID), adminToken, map[string]any{"password": "mat-khau-moi-2026"}), http.StatusOK)
	for _, tok := range []string{t1, t2} {
		wantError(t, e.get("/api/v1/me", tok), http.StatusUnauthorized, "unauthorized", "")
	}
	wantStatus(t, e.post("/api/v1/auth/login", "", map[string]any{"name": "hoa", "password": "mat-khau-moi-2026"}), http.StatusOK)

	// Changing your own password keeps the token you did it with.
	self := e.users[adminToken].ID
	other := decode[tokenJSON](t, e.post(fmt.Sprintf("/api/v1/users/%d/tokens", self), adminToken, map[string]any{"name": "laptop"})).Token
	wantStatus(t, e.patch(fmt.Sprintf("/api/v1/users/%d", self), adminToken, map[string]any{"password": "quan-tri-moi-2026"}), http.StatusOK)
	wantStatus(t, e.get("/api/v1/me", adminToken), http.StatusOK)
	wantError(t, e.get("/api/v1/me", other), http.StatusUnauthorized, "unauthorized", "")
	// Other changes revoke nothing.
	wantStatus(t, e.patch(fmt.Sprintf("/api/v1/users/%d", e.users[editorToken].ID), adminToken, map[string]any{"role": "editor"}), http.StatusOK)
	wantStatus(t, e.get("/api/v1/me", editorToken), http.StatusOK)
}

// Disabling and enabling a user used to bring their old tokens back.
func TestDisablingRevokesTokensForGood(t *testing.T) {
	e := newEnv(t)
	id := e.users[officerToken].ID
	wantStatus(t, e.patch(fmt.Sprintf("/api/v1/users/%d", id), adminToken, map[string]any{"disabled": true}), http.StatusOK)
	wantError(t, e.get("/api/v1/me", officerToken), http.StatusUnauthorized, "unauthorized", "")
	wantStatus(t, e.patch(fmt.Sprintf("/api/v1/users/%d", id), adminToken, map[string]any{"disabled": false}), http.StatusOK)
	wantError(t, e.get("/api/v1/me", officerToken), http.StatusUnauthorized, "unauthorized", "")
	// A new token works.
	tok := decode[tokenJSON](t, e.post(fmt.Sprintf("/api/v1/users/%d/tokens", id), adminToken, map[string]any{"name": "new"})).Token
	wantStatus(t, e.get("/api/v1/me", tok), http.StatusOK)
}
