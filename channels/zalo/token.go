package zalo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/platform"
)

const (
	// refreshMargin: an access token this close to expiry is refreshed before
	// use, so a long article poll never runs into the expiry.
	refreshMargin = time.Hour
	// refreshTimeout bounds a refresh, which outlives the caller's context.
	refreshTimeout = 30 * time.Second
)

// Errors a refresh can end in; Check tells them apart for its reason.
var (
	// ErrRefreshRejected: Zalo refused the refresh token; a person must
	// re-authorise the OA.
	ErrRefreshRejected = errors.New("zalo: refresh access token: Zalo refused the refresh token")
	// ErrNoStore: there is nowhere to save a rotated pair (the channel is not
	// saved yet, or no ConfigStore was wired), so the refresh token is left unused.
	ErrNoStore = errors.New("zalo: refresh access token: there is nowhere to save new tokens (the channel is not saved yet, " +
		"or Loa was built without a config store), and spending the single-use refresh token without saving its successor " +
		"would lock the OA out; save the channel first")
)

// tokens is the OA's credential pair as this instance last knew it.
type tokens struct {
	access    string
	refresh   string
	expiresAt time.Time // zero when unknown
}

// expiring reports whether the access token should be refreshed before use.
// An unknown expiry is trusted until Zalo refuses the token.
func (t tokens) expiring(now time.Time) bool {
	return t.access == "" || (!t.expiresAt.IsZero() && t.expiresAt.Sub(now) < refreshMargin)
}

// rotation is a pair Zalo issued in exchange for the refresh token from.
type rotation struct {
	from string
	next tokens
}

// accessToken returns a token fit to use, refreshing it first if it expires
// within refreshMargin.
func (z *Zalo) accessToken(ctx context.Context) (string, error) {
	z.mu.Lock()
	tok := z.tok
	z.mu.Unlock()
	if !tok.expiring(z.now()) {
		return tok.access, nil
	}
	return z.refresh(ctx, tok.access)
}

// refresh replaces used, the access token this instance last sent, under the
// channel's lock. If the stored token already differs, another worker has
// refreshed and its pair is adopted without calling Zalo. Otherwise Zalo
// rotates the pair and the new one is committed before refresh returns, so
// no request ever uses a pair that a crash could lose.
func (z *Zalo) refresh(ctx context.Context, used string) (string, error) {
	if z.store == nil || z.channelID == 0 {
		return "", channels.Permanent(ErrNoStore)
	}
	if err := ctx.Err(); err != nil {
		return "", channels.Retryable(fmt.Errorf("zalo: refresh access token: %w", err), 0)
	}
	// Once Zalo has rotated the pair the old refresh token is dead, so the
	// save must finish even if the delivery's own context ends meanwhile.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
	defer cancel()
	var next tokens
	adopted := false
	err := z.store.UpdateConfig(rctx, z.channelID, func(current json.RawMessage) (json.RawMessage, error) {
		cfg, err := parseConfig(current)
		if err != nil {
			return nil, channels.Permanent(fmt.Errorf("zalo: refresh access token: the stored channel config is invalid (%w); fix it and save the channel again", err))
		}
		if cfg.AccessToken != "" && cfg.AccessToken != used {
			next, adopted = cfg.tokens(), true
			return current, nil
		}
		r, err := z.rotate(rctx, cfg)
		if err != nil {
			return nil, err
		}
		next, adopted = r.next, false
		return json.Marshal(cfg.withTokens(r.next))
	})
	if err != nil {
		return "", z.refreshFailed(err)
	}
	z.mu.Lock()
	z.tok, z.pending = next, nil
	z.mu.Unlock()
	z.log.Info("zalo: access token renewed", "channel_id", z.channelID, "adopted_from_store", adopted,
		"expires_at", next.expiresAt)
	return next.access, nil
}

// rotate exchanges cfg's refresh token for a new pair, or returns the pair
// an earlier exchange of the same token produced but could not save.
func (z *Zalo) rotate(ctx context.Context, cfg config) (rotation, error) {
	z.mu.Lock()
	p := z.pending
	if p != nil && p.from != cfg.RefreshToken {
		// Someone stored another refresh token since (a person re-authorised).
		z.pending, p = nil, nil
	}
	z.mu.Unlock()
	if p != nil {
		return *p, nil
	}
	r, err := z.requestTokens(ctx, cfg)
	if err != nil {
		return rotation{}, err
	}
	z.mu.Lock()
	z.pending = &r
	z.mu.Unlock()
	return r, nil
}

func (z *Zalo) refreshFailed(err error) error {
	var ce *channels.Error
	if errors.As(err, &ce) {
		return err
	}
	z.mu.Lock()
	unsaved := z.pending != nil
	z.mu.Unlock()
	if unsaved {
		z.log.Error("zalo: Zalo issued new tokens but saving them failed; they are kept in memory and saved on the next attempt, "+
			"but if this process stops first the OA must be re-authorised", "channel_id", z.channelID, "err", err)
	}
	return channels.Retryable(fmt.Errorf("zalo: save refreshed tokens: %w; Loa will retry", err), 0)
}

// tokenAnswer is what the OAuth host returns; errors also come at HTTP 200.
type tokenAnswer struct {
	AccessToken      string          `json:"access_token"`
	RefreshToken     string          `json:"refresh_token"`
	ExpiresIn        json.RawMessage `json:"expires_in"`
	Error            json.RawMessage `json:"error"`
	Message          string          `json:"message"`
	ErrorName        string          `json:"error_name"`
	ErrorDescription string          `json:"error_description"`
}

// requestTokens calls POST {oauth}/v4/oa/access_token with cfg's refresh token.
func (z *Zalo) requestTokens(ctx context.Context, cfg config) (rotation, error) {
	form := url.Values{}
	form.Set("app_id", cfg.AppID)
	form.Set("grant_type", "refresh_token")
	form.Set("refresh_token", cfg.RefreshToken)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.OAuthBaseURL+"/v4/oa/access_token", strings.NewReader(form.Encode()))
	if err != nil {
		return rotation{}, channels.Permanent(fmt.Errorf("zalo: refresh access token: build request: %w", err))
	}
	req.Header["secret_key"] = []string{cfg.SecretKey}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := z.client.Do(req)
	if err != nil {
		return rotation{}, platform.Unanswered(fmt.Errorf("zalo: refresh access token: send: %w", err), false)
	}
	defer resp.Body.Close()
	body, err := platform.ReadBody(resp.Body, maxResponseBytes)
	if err != nil {
		return rotation{}, channels.Retryable(fmt.Errorf("zalo: refresh access token: read answer: %w", err), 0).WithStatus(resp.StatusCode)
	}
	return z.readTokens(cfg, resp.StatusCode, body)
}

// readTokens interprets the OAuth answer. The body is never quoted in
// messages: a half-valid answer could hold the new tokens.
func (z *Zalo) readTokens(cfg config, status int, body []byte) (rotation, error) {
	var a tokenAnswer
	jsonErr := json.Unmarshal(body, &a)
	if jsonErr == nil && a.failed() {
		return rotation{}, z.refreshRefused(a, status)
	}
	if status >= 500 || status == http.StatusTooManyRequests || status == http.StatusRequestTimeout {
		return rotation{}, channels.Retryable(fmt.Errorf("zalo: refresh access token: HTTP %d from the Zalo OAuth host; Loa will retry", status), 0).WithStatus(status)
	}
	if status < 200 || status > 299 {
		return rotation{}, channels.Permanent(fmt.Errorf("zalo: refresh access token: unexpected HTTP %d from the OAuth host; check oauth_base_url", status)).WithStatus(status)
	}
	if jsonErr != nil || a.AccessToken == "" {
		return rotation{}, channels.Retryable(fmt.Errorf("zalo: refresh access token: the answer (HTTP %d, %d bytes) holds no access_token; "+
			"check oauth_base_url or wait for Zalo to recover", status, len(body)), 0).WithStatus(status)
	}
	next := tokens{access: a.AccessToken, refresh: a.RefreshToken}
	if next.refresh == "" {
		// Without a new one the old refresh token is the only one there is.
		next.refresh = cfg.RefreshToken
	}
	if secs, ok := parseExpiresIn(a.ExpiresIn); ok {
		next.expiresAt = z.now().Add(time.Duration(secs) * time.Second).UTC().Truncate(time.Second)
	} else {
		z.log.Warn("zalo: token answer has no readable expires_in; the token is used until Zalo refuses it", "channel_id", z.channelID)
	}
	return rotation{from: cfg.RefreshToken, next: next}, nil
}

// failed reports an error answer: a non-zero "error" or any error text.
func (a tokenAnswer) failed() bool {
	code, _ := a.code()
	return code != 0 || a.ErrorName != "" || a.ErrorDescription != ""
}

// code reads "error" as a number or a numeric string; other non-empty
// values count as an unknown error (-1).
func (a tokenAnswer) code() (int, bool) {
	raw := strings.Trim(strings.TrimSpace(string(a.Error)), `"`)
	if raw == "" || raw == "null" {
		return 0, false
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return -1, true
	}
	return n, true
}

func (z *Zalo) refreshRefused(a tokenAnswer, status int) error {
	code, _ := a.code()
	text := a.Message
	for _, s := range []string{a.ErrorName, a.ErrorDescription} {
		if s != "" && !strings.Contains(text, s) {
			text = strings.TrimPrefix(text+"; "+s, "; ")
		}
	}
	detail := fmt.Sprintf("error %d: %s", code, z.snippet([]byte(text)))
	if code == codeRateLimit {
		return channels.Retryable(fmt.Errorf("zalo: refresh access token: Zalo's rate limit was reached (%s); Loa will retry", detail), 0).WithStatus(status)
	}
	ce := channels.Permanent(fmt.Errorf("%w (%s): the OA must be re-authorised — grant Loa access to the OA again in Zalo "+
		"and save the new refresh token on the channel", ErrRefreshRejected, detail)).WithStatus(status)
	ce.NeedsReauth = true
	return ce
}

// parseExpiresIn reads Zalo's expires_in, documented as a string of seconds
// ("90000"); a plain number is accepted too.
func parseExpiresIn(raw json.RawMessage) (int64, bool) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	secs, err := strconv.ParseInt(s, 10, 64)
	if err != nil || secs <= 0 || secs > 366*24*3600 {
		return 0, false
	}
	return secs, true
}
