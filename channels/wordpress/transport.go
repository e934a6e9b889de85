package wordpress

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/platform"
)

// maxResponseBytes bounds what is read of an answer; a post list with
// context=edit carries whole posts.
const maxResponseBytes = 4 << 20

// ErrNoAPI is wrapped by errors for sites where neither URL form of the
// REST API answered as WordPress: usually a wrong base_url, or a security
// plugin blocking the API.
var ErrNoAPI = errors.New("wordpress: no WordPress REST API at this address")

// routeForm is one of the two URL forms of the REST API.
type routeForm int

const (
	// formPretty is {base}/wp-json/<route>, served when pretty permalinks are on.
	formPretty routeForm = iota
	// formQuery is {base}/?rest_route=<route>, which every site serves.
	formQuery
)

func (f routeForm) other() routeForm {
	if f == formPretty {
		return formQuery
	}
	return formPretty
}

// endpoint returns the URL of route (e.g. "/wp/v2/posts") in form f.
func (w *WordPress) endpoint(f routeForm, route string, query url.Values) string {
	if f == formQuery {
		// The route stays readable: WordPress takes it with or without escaping.
		u := w.base + "/?rest_route=" + route
		if len(query) > 0 {
			u += "&" + query.Encode()
		}
		return u
	}
	u := w.base + "/wp-json" + route
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}

// response is an answer read in full (up to the limit).
type response struct {
	status int
	header http.Header
	body   []byte
	// url is the address asked, for error messages.
	url string
}

// reachedAPI reports whether the answer came from the REST API rather than
// from a theme page, a redirect or the web server's own 404. With plain
// permalinks WordPress answers /wp-json/… with its home page (200) or a
// redirect; a server without WordPress's rewrite rules answers 404. A 200
// that starts like JSON but is cut short still counts as the API's, so
// that it is reported as a broken answer rather than a wrong address.
func (r response) reachedAPI() bool {
	switch {
	case r.status >= 300 && r.status < 400:
		return false
	case r.status == http.StatusNotFound:
		e, ok := parseAPIError(r.body)
		return ok && e.Code != "rest_no_route"
	case r.status == http.StatusOK:
		return looksLikeJSON(r.body)
	}
	return true
}

func (w *WordPress) preferredForm() routeForm {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.form
}

func (w *WordPress) remember(f routeForm) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.form = f
}

// call sends a request to route in the form that worked last and, if the
// answer did not come from the REST API, once more in the other form. The
// error is already classified: transport failures, and ErrNoAPI when
// neither form reached WordPress. Answers from the API are returned as
// they are, whatever their status.
func (w *WordPress) call(ctx context.Context, method, route string, query url.Values, body []byte) (response, error) {
	first := w.preferredForm()
	res, err := w.send(ctx, method, w.endpoint(first, route, query), body)
	if err != nil {
		return response{}, err
	}
	if res.reachedAPI() {
		w.remember(first)
		return res, nil
	}
	second, err := w.send(ctx, method, w.endpoint(first.other(), route, query), body)
	if err != nil {
		return response{}, err
	}
	if !second.reachedAPI() {
		return response{}, w.noAPIError(res, second)
	}
	w.remember(first.other())
	return second, nil
}

// send performs one request and reads the answer.
func (w *WordPress) send(ctx context.Context, method, target string, body []byte) (response, error) {
	req, err := w.newRequest(ctx, method, target, body)
	if err != nil {
		return response{}, channels.Permanent(err)
	}
	resp, wrote, err := platform.Do(w.client, req)
	if err != nil {
		// Only a POST can have created a post; a GET is always safe to repeat.
		return response{}, platform.Unanswered(fmt.Errorf("wordpress: send: %w", err), wrote && method == http.MethodPost)
	}
	defer resp.Body.Close()
	// A read error is ignored: the status line has already decided the outcome.
	data, _ := platform.ReadBody(resp.Body, maxResponseBytes)
	return response{status: resp.StatusCode, header: resp.Header, body: data, url: shortURL(target)}, nil
}

func (w *WordPress) newRequest(ctx context.Context, method, target string, body []byte) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return nil, fmt.Errorf("wordpress: build request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(w.username+":"+w.password)))
	return req, nil
}

// shortURL drops the query (bar rest_route), which is never secret here
// but can be long.
func shortURL(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	if rr := u.Query().Get("rest_route"); rr != "" {
		return u.Scheme + "://" + u.Host + u.Path + "?rest_route=" + rr
	}
	u.RawQuery = ""
	return u.String()
}

// noAPIError explains that neither form of the REST API answered. Nothing
// was created (the API answers a new post with 201 and JSON), so it is
// permanent until someone fixes the address or the site.
func (w *WordPress) noAPIError(first, second response) error {
	err := fmt.Errorf("%w: %s gave %s and %s gave %s; check that base_url is the site's address (e.g. https://xa.gov.vn) and that no security plugin blocks the REST API",
		ErrNoAPI, first.url, describe(first), second.url, describe(second))
	return channels.Permanent(err).WithStatus(second.status)
}

// describe names an answer that did not come from the REST API.
func describe(r response) string {
	if loc := r.header.Get("Location"); loc != "" && r.status >= 300 && r.status < 400 {
		return fmt.Sprintf("HTTP %d redirecting to %s", r.status, loc)
	}
	if e, ok := parseAPIError(r.body); ok {
		return fmt.Sprintf("HTTP %d %s", r.status, e.Code)
	}
	if looksLikeJSON(r.body) {
		return fmt.Sprintf("HTTP %d with JSON that is not WordPress's", r.status)
	}
	return fmt.Sprintf("HTTP %d with a web page instead of JSON", r.status)
}
