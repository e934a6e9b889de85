package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	valerrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/loa-vn/loa/api"
)

// spec is the API's description, loaded once for every test.
type spec struct {
	model *v3.Document
	// mu serialises validation: the validator's caches are not documented
	// as safe for concurrent use, and the API tests run in parallel.
	mu    sync.Mutex
	check validator.Validator
}

var (
	specOnce   sync.Once
	loadedSpec *spec
	specErr    error
)

// loadOpenAPI returns the description, loaded on first use.
func loadOpenAPI() (*spec, error) {
	specOnce.Do(func() { loadedSpec, specErr = loadSpec(api.OpenAPIYAML) })
	return loadedSpec, specErr
}

// openAPI returns the description, or fails t if it does not load.
func openAPI(t *testing.T) *spec {
	t.Helper()
	s, err := loadOpenAPI()
	if err != nil {
		t.Fatalf("api/openapi.yaml: %v", err)
	}
	return s
}

func loadSpec(raw []byte) (*spec, error) {
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		return nil, err
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("build the 3.1 model: %w", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, fmt.Errorf("make a validator: %v", errs)
	}
	return &spec{model: &model.Model, check: v}, nil
}

// responseProblem validates one response of the API against the
// description and returns what is wrong, or "". A request that matches no
// described operation may only have been answered 404 or 405 (a route the
// server does not have either; the route table test makes sure of that).
// Bodies of JSON responses are validated against their schema; other
// media types (files, feeds, pages) only by their Content-Type.
func (s *spec) responseProblem(req *http.Request, status int, header http.Header, body []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	resp := &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)), Request: req}
	ok, errs := s.check.ValidateHttpResponse(req, resp)
	if ok {
		return ""
	}
	if status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
		if !slices.ContainsFunc(errs, func(e *valerrors.ValidationError) bool { return !isMissingOperation(e) }) {
			return ""
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "response does not match api/openapi.yaml: %s %s -> %d %s", req.Method, req.URL.Path, status,
		header.Get("Content-Type"))
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  - %s: %s", e.Message, e.Reason)
		if e.SpecLine > 0 {
			fmt.Fprintf(&b, " (openapi.yaml line %d)", e.SpecLine)
		}
		for _, f := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n      at %q: %s [%s]", f.FieldPath, f.Reason, f.KeywordLocation)
		}
	}
	if len(body) > 0 && len(body) < 2000 && strings.Contains(header.Get("Content-Type"), "json") {
		fmt.Fprintf(&b, "\n  body: %s", body)
	}
	return b.String()
}

// isMissingOperation reports an error saying the description has no
// operation for the request (no path, or no method on the path).
func isMissingOperation(e *valerrors.ValidationError) bool {
	return e.ValidationSubType == helpers.ValidationMissing && e.ValidationType == helpers.PathValidation ||
		e.ValidationSubType == helpers.ValidationMissingOperation
}

// echoParam is an Echo path parameter (":id").
var echoParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// operations lists "METHOD /path/{param}" for every operation described.
func (s *spec) operations() []string {
	var out []string
	for path, item := range s.model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().FromOldest() {
			out = append(out, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

// TestOpenAPIDescribesEveryRoute: every route of the API's route table is
// described with its method, and every operation described is a route.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	s := openAPI(t)
	var routes []string
	for _, rt := range api.RouteTable(api.Options{Logger: slog.New(slog.DiscardHandler)}) {
		routes = append(routes, echoParam.ReplaceAllString(rt, "{$1}"))
	}
	slices.Sort(routes)
	routes = slices.Compact(routes)
	described := s.operations()
	for _, rt := range routes {
		if !slices.Contains(described, rt) {
			t.Errorf("route %q is not described in api/openapi.yaml", rt)
		}
	}
	for _, op := range described {
		if !slices.Contains(routes, op) {
			t.Errorf("api/openapi.yaml describes %q, which is no route", op)
		}
	}
	t.Logf("%d routes, %d operations described", len(routes), len(described))
}

// TestOpenAPIDocumentIsValid: the description is valid OpenAPI 3.1 by the
// library's own document validation, and every operation has an id and
// answers only with statuses it describes (no "default" catch-all).
func TestOpenAPIDocumentIsValid(t *testing.T) {
	s := openAPI(t)
	if v := s.model.Version; v != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", v)
	}
	if ok, errs := s.check.ValidateDocument(); !ok {
		for _, e := range errs {
			t.Errorf("invalid OpenAPI 3.1: %s: %s", e.Message, e.Reason)
			for _, f := range e.SchemaValidationErrors {
				t.Errorf("    at %s (line %d): %s", f.FieldPath, f.Line, f.Reason)
			}
		}
	}
	for _, broken := range []struct{ name, doc string }{
		{"no info", "openapi: 3.1.0\npaths: {}\n"},
		{"response without description", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n" +
			"paths: {/a: {get: {responses: {'200': {content: {}}}}}}\n"},
		{"unknown keyword", "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\nservrs: []\n"},
	} {
		bad, err := loadSpec([]byte(broken.doc))
		if err != nil {
			continue // refused already
		}
		if ok, _ := bad.check.ValidateDocument(); ok {
			t.Errorf("the document validation passes a broken description (%s)", broken.name)
		}
	}
	ids := map[string]string{}
	for path, item := range s.model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			where := strings.ToUpper(method) + " " + path
			switch {
			case op.OperationId == "":
				t.Errorf("%s has no operationId", where)
			case ids[op.OperationId] != "":
				t.Errorf("%s and %s share operationId %q", where, ids[op.OperationId], op.OperationId)
			}
			ids[op.OperationId] = where
			if op.Responses == nil || op.Responses.Codes.Len() == 0 {
				t.Errorf("%s describes no response", where)
			} else if op.Responses.Default != nil {
				t.Errorf("%s has a default response: describe each status instead", where)
			}
		}
	}
}

// TestOpenAPIValidatorCatchesMismatches: the check every API test's
// responses go through fails on a body that breaks its schema, on a
// status or operation that is not described, and on an undescribed
// content type; it passes a described answer and a 404 of no route.
func TestOpenAPIValidatorCatchesMismatches(t *testing.T) {
	s := openAPI(t)
	jsonHeader := http.Header{"Content-Type": {"application/json; charset=UTF-8"}}
	errBody := `{"error":{"code":"not_found","message":"post not found","request_id":"x"}}`
	for _, tc := range []struct {
		name, method, path string
		status             int
		header             http.Header
		body               string
		want               string // in the problem; "" means none
	}{
		{"described error", "GET", "/api/v1/posts/7", 404, jsonHeader, errBody, ""},
		{"described body", "GET", "/livez", 200, jsonHeader, `{"status":"ok"}`, ""},
		{"no route at all", "GET", "/api/v1/nothing", 404, jsonHeader, errBody, ""},
		{"method of no route", "DELETE", "/api/v1/posts/7", 405, jsonHeader,
			`{"error":{"code":"method_not_allowed","message":"Method Not Allowed"}}`, ""},
		{"field of the wrong type", "GET", "/livez", 200, jsonHeader, `{"status":1}`, "/livez"},
		{"field not described", "GET", "/livez", 200, jsonHeader, `{"status":"ok","extra":true}`, "/livez"},
		{"required field missing", "GET", "/api/v1/me", 200, jsonHeader, `{"id":1,"name":"a","role":"admin"}`, "agency_id"},
		{"error without code", "GET", "/api/v1/posts/7", 404, jsonHeader, `{"error":{"message":"gone"}}`, "-> 404"},
		{"status not described", "GET", "/livez", 418, jsonHeader, errBody, "418"},
		{"operation not described", "PUT", "/api/v1/posts/7", 200, jsonHeader, `{}`, "PUT"},
		{"content type not described", "GET", "/api/v1/reports", 200, http.Header{"Content-Type": {"application/pdf"}}, "%PDF", "application/pdf"},
		{"file: content type only", "GET", "/api/v1/reports", 200,
			http.Header{"Content-Type": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}}, "PK\x03\x04", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, "http://loa.test"+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := s.responseProblem(req, tc.status, tc.header, []byte(tc.body))
			switch {
			case tc.want == "" && got != "":
				t.Errorf("unexpected problem: %s", got)
			case tc.want != "" && got == "":
				t.Errorf("no problem found, want one mentioning %q", tc.want)
			case tc.want != "" && !strings.Contains(got, tc.want):
				t.Errorf("problem does not mention %q: %s", tc.want, got)
			}
		})
	}
}

// TestOpenAPIRequestCheck: a request the server accepted is checked too
// (the client does it for every 2xx): a body or query the description
// does not allow is reported; a missing Content-Type is read as JSON and
// an empty query parameter as absent, as the server reads them.
func TestOpenAPIRequestCheck(t *testing.T) {
	s := openAPI(t)
	for _, tc := range []struct {
		name, method, path, contentType, body string
		want                                  string // in the problem; "" means none
	}{
		{"valid body", "POST", "/api/v1/users/3/tokens", "application/json", `{"name":"laptop"}`, ""},
		{"no content type", "POST", "/api/v1/users/3/tokens", "", `{"name":"laptop"}`, ""},
		{"unknown field", "POST", "/api/v1/users/3/tokens", "application/json", `{"name":"laptop","x":1}`, "x"},
		{"required field missing", "POST", "/api/v1/auth/login", "application/json", `{"name":"a"}`, "password"},
		{"wrong type", "POST", "/api/v1/posts", "application/json", `{"title":1}`, "title"},
		{"valid query", "GET", "/api/v1/deliveries?limit=20&status=failed&from=2026-12-01", "", "", ""},
		{"empty query", "GET", "/api/v1/deliveries?limit=&cursor=", "", "", ""},
		{"query out of range", "GET", "/api/v1/deliveries?limit=500", "", "", "limit"},
		{"unknown status", "GET", "/api/v1/deliveries?status=lost", "", "", "status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			req, err := http.NewRequest(tc.method, "http://loa.test"+tc.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			req.Header.Set("Authorization", "Bearer x")
			got := s.requestProblem(req)
			switch {
			case tc.want == "" && got != "":
				t.Errorf("unexpected problem: %s", got)
			case tc.want != "" && got == "":
				t.Errorf("no problem found, want one mentioning %q", tc.want)
			case tc.want != "" && !strings.Contains(got, tc.want):
				t.Errorf("problem does not mention %q: %s", tc.want, got)
			}
		})
	}
}

// TestOpenAPIServed: the description is served as JSON to anyone, equal
// to the YAML, cacheable and revalidated by its ETag.
func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t)
	r := e.do(req{Method: http.MethodGet, Path: "/api/openapi.json"})
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "public") {
		t.Errorf("Cache-Control = %q, want public", cc)
	}
	var served, written any
	if err := json.Unmarshal(r.Body, &served); err != nil {
		t.Fatalf("served description is not JSON: %v", err)
	}
	if err := yaml.Unmarshal(api.OpenAPIYAML, &written); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(served, jsonRoundTrip(t, written)) {
		t.Error("served description differs from api/openapi.yaml")
	}
	etag := r.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	again := e.do(req{Method: http.MethodGet, Path: "/api/openapi.json", Header: map[string]string{"If-None-Match": etag}})
	wantStatus(t, again, http.StatusNotModified)
	stale := e.do(req{Method: http.MethodGet, Path: "/api/openapi.json", Header: map[string]string{"If-None-Match": `"other"`}})
	wantStatus(t, stale, http.StatusOK)
}

func jsonRoundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestYAMLToJSON: the start-up conversion keeps key order and scalar types
// and refuses what JSON cannot say.
func TestYAMLToJSON(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"order and types", "b: 1\na: [true, null, 1.5, \"2\", 2026-12-01, x]\n\"200\": {}\n",
			`{"b":1,"a":[true,null,1.5,"2","2026-12-01","x"],"200":{}}`},
		{"anchors", "a: &x {k: v}\nb: *x\n", `{"a":{"k":"v"},"b":{"k":"v"}}`},
		{"quoted keeps strings", "a: \"true\"\nb: '1'\n", `{"a":"true","b":"1"}`},
		{"complex key", "? [a]\n: 1\n", "error"},
		{"merge key", "a: &x {k: v}\nb:\n  <<: *x\n", "error"},
		{"not YAML", "a: [", "error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := api.YAMLToJSON([]byte(tc.in))
			if tc.want == "error" {
				if err == nil {
					t.Errorf("no error; got %s", got)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Errorf("got %s, %v; want %s", got, err, tc.want)
			}
		})
	}
}

// requestProblem validates a request the server accepted against the
// description, or returns "".
func (s *spec) requestProblem(req *http.Request) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return err.Error()
		}
		req = req.Clone(req.Context())
		req.Body = body
		if req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "application/json") // as the server reads it
		}
	}
	// An empty query parameter is read as absent (allowEmptyValue in the
	// description, which the validator does not apply).
	q := req.URL.Query()
	maps.DeleteFunc(q, func(_ string, v []string) bool { return slices.Equal(v, []string{""}) })
	if len(q) != len(req.URL.Query()) {
		req = req.Clone(req.Context())
		req.URL.RawQuery = q.Encode()
	}
	ok, errs := s.check.ValidateHttpRequestSync(req)
	if ok {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "accepted request does not match api/openapi.yaml: %s %s", req.Method, req.URL.RequestURI())
	for _, e := range errs {
		fmt.Fprintf(&b, "\n  - %s: %s", e.Message, e.Reason)
		for _, f := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "\n      at %q: %s [%s]", f.FieldPath, f.Reason, f.KeywordLocation)
		}
	}
	return b.String()
}
