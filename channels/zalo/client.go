package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/platform"
	"github.com/loa-vn/loa/secrets"
)

// Zalo error codes the adapter acts on (see the OA Open API error table).
const (
	codeRateLimit      = -32
	codeBadParameter   = -201
	codeOADisabled     = -204
	codeOANotFound     = -205
	codeQuota          = -211
	codeTokenInvalid   = -216
	codeQuotaMonthly   = -218
	codeTokenExpired   = -220
	codeNotFollower    = -213
	codeNoInteraction  = -230
	codeNoInteraction2 = -232
)

const (
	maxResponseBytes = 1 << 20
	maxSnippetBytes  = 200
	// quotaWait is how long to wait after Zalo says the OA's quota is used up.
	quotaWait = time.Hour
	// rateLimitPause is how long to hold off after X-RateLimit-Remain: 0;
	// Zalo counts requests per minute.
	rateLimitPause = time.Minute
)

// APIError is a non-zero "error" in a Zalo answer.
type APIError struct {
	Code    int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("Zalo error %d (%s): %s", e.Code, e.Message, advice(e.Code))
}

// advice says what to do about a code, for the person reading the delivery log.
func advice(code int) string {
	switch code {
	case codeRateLimit:
		return "Zalo's rate limit was reached; Loa will retry later"
	case codeQuota, codeQuotaMonthly:
		return "the OA's API quota is used up; Loa will retry in an hour"
	case codeTokenInvalid, codeTokenExpired:
		return "the access token was refused even after a refresh; re-authorise the OA in Zalo and save the new refresh token on the channel"
	case codeBadParameter:
		return "Zalo rejected a parameter; check the title, description, cover image (public https URL, at most 1 MB) and content"
	case codeOADisabled, codeOANotFound:
		return "the OA is disabled or does not exist; check app_id and the OA's status in Zalo OA Manager"
	case codeNotFollower, codeNoInteraction, codeNoInteraction2:
		return "the recipient does not follow the OA or has not interacted with it recently"
	}
	return "unknown Zalo error; see Zalo's message"
}

// apiRequest is one call to the Open API.
type apiRequest struct {
	op     string // what the call does, for messages: "create article"
	method string
	path   string // including any query
	body   any    // JSON body; nil for none
	// unsafe marks a request that changes something on Zalo: when its answer
	// is lost or unreadable, it may still have taken effect.
	unsafe bool
}

// apiResult is a successful answer's data and HTTP status.
type apiResult struct {
	data   json.RawMessage
	status int
}

// do sends r with the current access token, refreshing first when the token
// is about to expire. When Zalo refuses the token (-216/-220) it refreshes
// once through the locked store path and repeats r once: a refused call did
// nothing, so repeating it cannot post twice.
func (z *Zalo) do(ctx context.Context, r apiRequest) (apiResult, error) {
	token, err := z.accessToken(ctx)
	if err != nil {
		return apiResult{}, err
	}
	res, err := z.call(ctx, r, token)
	if !isTokenError(err) {
		return res, err
	}
	z.log.Info("zalo: access token refused, refreshing", "channel_id", z.channelID, "op", r.op)
	token, rerr := z.refresh(ctx, token)
	if rerr != nil {
		return apiResult{}, rerr
	}
	// A second refusal keeps its class from codeError: permanent, needs re-authorisation.
	return z.call(ctx, r, token)
}

func isTokenError(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && (ae.Code == codeTokenInvalid || ae.Code == codeTokenExpired)
}

// call sends r once with token and classifies the outcome.
func (z *Zalo) call(ctx context.Context, r apiRequest, token string) (apiResult, error) {
	req, err := z.newRequest(ctx, r, token)
	if err != nil {
		return apiResult{}, channels.Permanent(err)
	}
	resp, wrote, err := platform.Do(z.client, req)
	if err != nil {
		return apiResult{}, transportError(r, err, wrote && r.unsafe)
	}
	defer resp.Body.Close()
	body, readErr := platform.ReadBody(resp.Body, maxResponseBytes)
	z.notePause(resp.Header)
	status := resp.StatusCode
	if status < 200 || status > 299 {
		return apiResult{status: status}, z.statusError(r, resp, body)
	}
	if readErr != nil {
		return apiResult{status: status}, transportError(r, readErr, r.unsafe)
	}
	env, err := decodeEnvelope(body)
	if err != nil {
		return apiResult{status: status}, z.malformed(r, status, body)
	}
	if *env.Error != 0 {
		return apiResult{status: status}, z.codeError(r, *env.Error, env.Message, status)
	}
	return apiResult{data: env.Data, status: status}, nil
}

func (z *Zalo) newRequest(ctx context.Context, r apiRequest, token string) (*http.Request, error) {
	var body io.Reader
	if r.body != nil {
		// Unescaped, article text stays readable in Zalo's logs and ours.
		b, err := platform.MarshalUnescaped(r.body)
		if err != nil {
			return nil, fmt.Errorf("zalo: %s: encode request: %w", r.op, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, z.apiBase+r.path, body)
	if err != nil {
		return nil, fmt.Errorf("zalo: %s: build request: %w", r.op, err)
	}
	// Set directly to send the header name exactly as Zalo documents it.
	req.Header["access_token"] = []string{token}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// transportError classifies a failure without a usable answer. maybeDone is
// true when an unsafe request was fully written: Zalo may have acted on it.
func transportError(r apiRequest, err error, maybeDone bool) error {
	if maybeDone {
		return platform.Unanswered(fmt.Errorf("zalo: %s: no answer after the request was sent: %w; "+
			"it may have taken effect — Loa checks recent articles before trying again", r.op, err), true)
	}
	return platform.Unanswered(fmt.Errorf("zalo: %s: send: %w", r.op, err), false)
}

// envelope is Zalo's answer shape: {"error":0,"message":"Success","data":{…}}.
type envelope struct {
	Error   *int            `json:"error"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

func decodeEnvelope(body []byte) (envelope, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return envelope{}, err
	}
	if env.Error == nil {
		return envelope{}, errors.New(`no "error" field`)
	}
	return env, nil
}

// statusError classifies a non-2xx answer. Zalo itself answers 200 even for
// errors, so these come from proxies, outages or a wrong base URL.
func (z *Zalo) statusError(r apiRequest, resp *http.Response, body []byte) error {
	code := resp.StatusCode
	err := fmt.Errorf("zalo: %s: HTTP %d%s", r.op, code, z.snippetSuffix(body))
	switch {
	case code == http.StatusTooManyRequests:
		wait := max(parseRetryAfter(resp.Header.Get("Retry-After")), z.pause())
		return channels.Retryable(err, wait).WithStatus(code)
	case code == http.StatusGatewayTimeout && r.unsafe:
		// The gateway gave up waiting, but Zalo behind it may have finished.
		return channels.Ambiguous(fmt.Errorf("%w; the request may have taken effect — Loa checks recent articles before trying again", err)).WithStatus(code)
	case code >= 500 || code == http.StatusRequestTimeout:
		return channels.Retryable(err, 0).WithStatus(code)
	case code >= 300 && code < 400:
		return channels.Permanent(fmt.Errorf("zalo: %s: redirected (HTTP %d); check api_base_url", r.op, code)).WithStatus(code)
	}
	return channels.Permanent(fmt.Errorf("%w; check api_base_url", err)).WithStatus(code)
}

func (z *Zalo) malformed(r apiRequest, status int, body []byte) error {
	err := fmt.Errorf("zalo: %s: the answer is not a Zalo JSON envelope (HTTP %d)%s; check api_base_url", r.op, status, z.snippetSuffix(body))
	if r.unsafe {
		return channels.Ambiguous(fmt.Errorf("%w; the request may have taken effect — Loa checks recent articles before trying again", err)).WithStatus(status)
	}
	return channels.Retryable(err, 0).WithStatus(status)
}

// codeError classifies a non-zero "error" by Zalo's error table.
func (z *Zalo) codeError(r apiRequest, code int, message string, status int) error {
	err := fmt.Errorf("zalo: %s: %w", r.op, &APIError{Code: code, Message: z.snippet([]byte(message))})
	switch code {
	case codeRateLimit:
		return channels.Retryable(err, z.pause()).WithStatus(status)
	case codeQuota, codeQuotaMonthly:
		return channels.Retryable(err, quotaWait).WithStatus(status)
	case codeTokenInvalid, codeTokenExpired:
		ce := channels.Permanent(err).WithStatus(status)
		ce.NeedsReauth = true
		return ce
	}
	return channels.Permanent(err).WithStatus(status)
}

// notePause remembers X-RateLimit-Remain: 0 so that the next article waits
// for the next minute instead of being refused.
func (z *Zalo) notePause(h http.Header) {
	if strings.TrimSpace(h.Get("X-RateLimit-Remain")) != "0" {
		return
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	z.pausedUntil = z.now().Add(rateLimitPause)
}

// pause is how long the OA's rate limit still asks to wait.
func (z *Zalo) pause() time.Duration {
	z.mu.Lock()
	defer z.mu.Unlock()
	return max(z.pausedUntil.Sub(z.now()), 0)
}

// parseRetryAfter reads delta-seconds; anything else gives zero (backoff).
func parseRetryAfter(value string) time.Duration {
	secs, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil || secs <= 0 || secs > 24*3600 {
		return 0
	}
	return time.Duration(secs) * time.Second
}

func (z *Zalo) snippetSuffix(body []byte) string {
	if s := z.snippet(body); s != "" {
		return ": " + s
	}
	return ""
}

// snippet turns the start of a body into one printable line for an error
// message, with every credential this adapter knows replaced.
func (z *Zalo) snippet(body []byte) string {
	return platform.Snippet(body, maxSnippetBytes, z.secrets()...)
}

func (z *Zalo) secrets() []string {
	z.mu.Lock()
	defer z.mu.Unlock()
	list := []string{z.tok.access, z.tok.refresh, z.secretKey}
	for _, u := range []string{z.apiBase, z.oauthBase} {
		list = append(list, platform.BasicSecrets(secrets.URLCredentials(u))...)
	}
	if z.pending != nil {
		list = append(list, z.pending.from, z.pending.next.access, z.pending.next.refresh)
	}
	return list
}

// cause is err's message without the class prefix, for nesting in another message.
func cause(err error) error {
	var ce *channels.Error
	if errors.As(err, &ce) {
		return ce.Err
	}
	return err
}
