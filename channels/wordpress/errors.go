package wordpress

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/platform"
	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/secrets"
)

// maxSnippetWindow is how much of a body is turned into text for an
// excerpt: markup takes room, and a credential must be seen whole to be
// redacted before the excerpt is cut.
const maxSnippetWindow = 64 << 10

// Hints appended to errors, saying what a person should do.
const (
	hintCredentials = "check the username and Application Password in the channel settings " +
		"(create a new one in WordPress under Users → Profile → Application Passwords); " +
		"the account must be allowed to publish posts, and over plain HTTP WordPress ignores Application Passwords"
	hintContent  = "WordPress rejected the post; correct it and send it again"
	hintTooLarge = "the post is larger than the server accepts; shorten it or ask the site's administrator to raise the limit"
	hintBlocked  = "the server or a firewall in front of WordPress refused the request; ask the site's administrator to allow Loa"
	hintRedirect = "set base_url to the address WordPress redirects to"
)

// apiError is WordPress's error envelope:
// {"code":"…","message":"…","data":{"status":400,"params":{"field":"why"}}}.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Data    struct {
		Status json.Number       `json:"status"`
		Params map[string]string `json:"params"`
	} `json:"data"`
}

// parseAPIError reads the envelope; ok is false unless it has a code.
func parseAPIError(body []byte) (apiError, bool) {
	var e apiError
	if err := json.Unmarshal(body, &e); err != nil {
		// params may hold something other than strings; retry without it.
		var loose struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &loose) != nil {
			return apiError{}, false
		}
		e = apiError{Code: loose.Code, Message: loose.Message}
	}
	return e, e.Code != ""
}

// looksLikeJSON tells an object or list, even a broken one, from a web page.
func looksLikeJSON(body []byte) bool {
	body = bytes.TrimSpace(body)
	return len(body) > 0 && (body[0] == '{' || body[0] == '[')
}

// statusError classifies an answer from the REST API that is not a success.
func (w *WordPress) statusError(res response) *channels.Error {
	code := res.status
	e, isAPI := parseAPIError(res.body)
	err := fmt.Errorf("wordpress: %s", w.describeFailure(res, e, isAPI))
	switch {
	case platform.RetryableStatus(code):
		return channels.Retryable(err, platform.RetryAfter(res.header, w.now())).WithStatus(code)
	case code == http.StatusUnauthorized:
		ce := channels.Permanent(withHint(err, hintCredentials)).WithStatus(code)
		ce.NeedsReauth = true
		return ce
	case code == http.StatusForbidden && isAPI:
		// WordPress itself refusing: the account lacks the right to publish.
		ce := channels.Permanent(withHint(err, hintCredentials)).WithStatus(code)
		ce.NeedsReauth = true
		return ce
	case code == http.StatusForbidden:
		return channels.Permanent(withHint(err, hintBlocked)).WithStatus(code)
	case code == http.StatusRequestEntityTooLarge:
		return channels.Permanent(withHint(err, hintTooLarge)).WithStatus(code)
	case code >= 300 && code < 400:
		return channels.Permanent(withHint(err, hintRedirect)).WithStatus(code)
	case code == http.StatusBadRequest:
		return channels.Permanent(withHint(err, hintContent)).WithStatus(code)
	}
	return channels.Permanent(err).WithStatus(code)
}

func withHint(err error, hint string) error {
	return fmt.Errorf("%w; %s", err, hint)
}

// describeFailure is "HTTP 400 rest_invalid_param: Invalid parameter(s):
// status (status: …)" for API errors and a one-line snippet otherwise.
func (w *WordPress) describeFailure(res response, e apiError, isAPI bool) string {
	head := fmt.Sprintf("HTTP %d", res.status)
	if loc := res.header.Get("Location"); loc != "" && res.status >= 300 && res.status < 400 {
		return fmt.Sprintf("%s redirecting to %s", head, w.clean(secrets.MaskURL(loc)))
	}
	if !isAPI {
		if s := w.snippet(res.body); s != "" {
			return head + ": " + s
		}
		return head
	}
	msg := w.clean(e.Message)
	for _, name := range slices.Sorted(maps.Keys(e.Data.Params)) {
		msg += fmt.Sprintf(" (%s: %s)", name, w.clean(e.Data.Params[name]))
	}
	if msg == "" {
		return fmt.Sprintf("%s %s", head, e.Code)
	}
	return fmt.Sprintf("%s %s: %s", head, e.Code, msg)
}

// clean turns a WordPress message, which may hold HTML ("<strong>Error:
// </strong> …"), into one short line of text without the credentials.
func (w *WordPress) clean(s string) string {
	// Redacted before and after: taking the markup out must not join a
	// credential back together, nor hide one from the second pass.
	return platform.OneLine(content.PlainText(platform.Redact(s, w.secrets()...)), w.secrets()...)
}

// secrets are what a misbehaving plugin might echo: the password, and the
// Basic credential made of it.
func (w *WordPress) secrets() []string {
	return platform.BasicSecrets(w.username, w.password)
}

// snippet is the start of a body that is not WordPress JSON (an HTML error
// page, say), as one line of text.
func (w *WordPress) snippet(body []byte) string {
	if len(body) > maxSnippetWindow {
		body = body[:maxSnippetWindow]
	}
	return w.clean(strings.ToValidUTF8(string(body), ""))
}
