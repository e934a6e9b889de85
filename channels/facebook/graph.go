package facebook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/platform"
)

const (
	// maxResponseBytes bounds what is read from Graph: a page of 25 posts
	// of up to 63 206 characters each fits, an endless body does not.
	maxResponseBytes = 8 << 20
	maxSnippetBytes  = 200
	maxGraphMsgRunes = 300
)

// response is Graph's answer, read in full (up to the limit).
type response struct {
	status   int
	body     []byte
	readErr  error
	graphErr *graphError // nil when the body is not Graph's error envelope
	usage    usage
}

func (r *response) ok() bool {
	return r.graphErr == nil && r.status >= 200 && r.status <= 299
}

// graphError is the "error" object of Graph's error envelope.
type graphError struct {
	Message string `json:"message"`
	Type    string `json:"type"`
	Code    int    `json:"code"`
	Subcode int    `json:"error_subcode"`
	TraceID string `json:"fbtrace_id"`
}

// pageURL is the Graph address of the Page, or of one of its edges.
func (f *Facebook) pageURL(edge string) string {
	u := f.base + "/" + f.version + "/" + f.pageID
	if edge != "" {
		u += "/" + edge
	}
	return u
}

// post sends form to one of the Page's edges. The token travels in the
// form body, never in the URL, so it cannot end up in access logs.
func (f *Facebook) post(ctx context.Context, edge string, form url.Values) (*response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.pageURL(edge), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, channels.Permanent(fmt.Errorf("facebook: build request: %w", f.scrub(err)))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, wrote, err := f.send(req)
	if err != nil {
		return nil, f.postTransportError(edge, err, wrote)
	}
	return f.read(resp), nil
}

// get reads the Page or one of its edges. Graph takes a GET's token only
// in the query, so the URL is secret: it is never logged or put in an error.
func (f *Facebook) get(ctx context.Context, edge string, query url.Values) (*response, error) {
	return f.getURL(ctx, f.pageURL(edge), edgeName(edge), query)
}

// getURL reads target, a Graph address on the configured host; name says
// what is read, for messages.
func (f *Facebook) getURL(ctx context.Context, target, name string, query url.Values) (*response, error) {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("access_token", f.token)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target+"?"+q.Encode(), nil)
	if err != nil {
		return nil, channels.Permanent(fmt.Errorf("facebook: build request: %w", f.scrub(err)))
	}
	resp, _, err := f.send(req)
	if err != nil {
		// A read changes nothing on the Page, so it is always safe to repeat.
		return nil, platform.Unanswered(fmt.Errorf("facebook: GET %s: %w; check the server's connection to Graph", name, f.scrub(err)), false)
	}
	return f.read(resp), nil
}

func edgeName(edge string) string {
	if edge == "" {
		return "page"
	}
	return edge
}

// send performs req and reports whether the whole request reached the
// connection, which decides between "never sent" and "maybe received".
func (f *Facebook) send(req *http.Request) (*http.Response, bool, error) {
	req.Header.Set("User-Agent", userAgent)
	return platform.Do(f.client, req)
}

// postTransportError classifies a POST that got no answer. Before the
// request was fully written Graph cannot have acted on it; after, the post
// may exist, and the worker must look for it (Find) before posting again.
func (f *Facebook) postTransportError(edge string, err error, wrote bool) error {
	if wrote {
		return platform.Unanswered(fmt.Errorf("facebook: POST %s: no answer after sending: %w; the post may have been created, Loa will look for it before posting again", edge, f.scrub(err)), true)
	}
	return platform.Unanswered(fmt.Errorf("facebook: POST %s: not sent: %w; check the server's connection to Graph", edge, f.scrub(err)), false)
}

// scrub drops net/http's "Get <url>:" wrapper, whose URL holds a GET's
// token, and redacts the token from whatever text remains.
func (f *Facebook) scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if msg := err.Error(); strings.Contains(msg, f.token) {
		return &redactedError{msg: strings.ReplaceAll(msg, f.token, "[redacted]"), err: err}
	}
	return err
}

// redactedError keeps errors.Is working on an error whose text had to change.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// read consumes resp and records its usage headers, whatever its status.
func (f *Facebook) read(resp *http.Response) *response {
	defer resp.Body.Close()
	body, err := platform.ReadBody(resp.Body, maxResponseBytes)
	r := &response{status: resp.StatusCode, body: body, readErr: err, usage: parseUsage(resp.Header)}
	r.graphErr = parseGraphError(body)
	if wait := r.usage.wait(f.throttleWait); wait > 0 {
		f.pauseFor(wait, "Facebook reports that the Graph API usage limit is reached")
	}
	return r
}

// parseGraphError returns the envelope's error, or nil for any other body.
func parseGraphError(body []byte) *graphError {
	var env struct {
		Error *graphError `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Error == nil {
		return nil
	}
	if env.Error.Code == 0 && env.Error.Message == "" {
		return nil
	}
	return env.Error
}

// describe names a Graph error for people: codes, Facebook's message and
// the trace id Facebook support asks for.
func (f *Facebook) describe(ge *graphError) string {
	var b strings.Builder
	fmt.Fprintf(&b, "code %d", ge.Code)
	if ge.Subcode != 0 {
		fmt.Fprintf(&b, ", subcode %d", ge.Subcode)
	}
	if ge.Type != "" {
		fmt.Fprintf(&b, ", %s", oneLine(ge.Type, f.token, maxGraphMsgRunes))
	}
	if msg := oneLine(ge.Message, f.token, maxGraphMsgRunes); msg != "" {
		fmt.Fprintf(&b, ": %s", msg)
	}
	if ge.TraceID != "" {
		fmt.Fprintf(&b, " (fbtrace_id %s)", oneLine(ge.TraceID, f.token, 64))
	}
	return b.String()
}

// bodySnippet describes a body that is not what Graph should send.
func (f *Facebook) bodySnippet(r *response) string {
	s := platform.Snippet(r.body, maxSnippetBytes, f.token)
	switch {
	case r.readErr != nil:
		return fmt.Sprintf("reading the body failed: %v", f.scrub(r.readErr))
	case s == "":
		return "empty body"
	}
	return "body: " + s
}

// oneLine turns text from Graph into one printable line of at most max
// characters with the token redacted.
func oneLine(s, token string, max int) string {
	s = platform.OneLine(s, token)
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}

// postID reads the id of a created post: post_id for photos (the photo's
// own id is not the post's), id for feed posts.
func (f *Facebook) postID(r *response) (string, error) {
	var created struct {
		ID     any `json:"id"`
		PostID any `json:"post_id"`
	}
	if err := platform.DecodeNumbers(r.body, &created); err != nil {
		return "", fmt.Errorf("facebook: Graph answered HTTP %d but not with the created post's JSON (%s); the post was probably created, Loa will look for it before posting again", r.status, f.bodySnippet(r))
	}
	id := platform.StringOrNumber(created.PostID)
	if id == "" {
		id = platform.StringOrNumber(created.ID)
	}
	if id == "" {
		return "", fmt.Errorf("facebook: Graph answered HTTP %d without a post id (%s); the post was probably created, Loa will look for it before posting again", r.status, f.bodySnippet(r))
	}
	return id, nil
}
