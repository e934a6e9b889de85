package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/loa-vn/loa/internal/logbuf"
)

var generatedID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestRequestID(t *testing.T) {
	t.Parallel()
	var log logbuf.Buffer
	e := newEnv(t, logTo(&log))
	cases := []struct {
		name, incoming string
		kept           bool
	}{
		{"none", "", false},
		{"sane", "lb-7f3a:2026/11/30.0001", true},
		{"longest", strings.Repeat("a", 128), true},
		{"too long", strings.Repeat("a", 129), false},
		{"space", "two words", false},
		{"not ascii", "mã-yêu-cầu", false},
		{"log forgery", `x" status=200 msg="fake`, false},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []req{
				{Method: http.MethodGet, Path: "/api/v1/me", Token: officerToken},
				{Method: http.MethodGet, Path: "/api/v1/posts/987654321", Token: officerToken}, // 404
				{Method: http.MethodGet, Path: "/api/v1/me"},                                   // 401
			} {
				r.Header = map[string]string{"X-Request-Id": tc.incoming}
				resp := e.do(r)
				id := resp.Header.Get("X-Request-Id")
				switch {
				case tc.kept && id != tc.incoming:
					t.Errorf("%s %s: id %q, want the incoming %q", r.Method, r.Path, id, tc.incoming)
				case !tc.kept && !generatedID.MatchString(id):
					t.Errorf("%s %s: id %q for incoming %q, want a new one", r.Method, r.Path, id, tc.incoming)
				}
				if !tc.kept {
					if seen[id] {
						t.Errorf("generated id %q twice", id)
					}
					seen[id] = true
				}
				if resp.Status >= 400 {
					if got := decode[struct {
						Error struct {
							RequestID string `json:"request_id"`
						}
					}](t, resp).Error.RequestID; got != id {
						t.Errorf("%s %s: error body request_id %q, header %q", r.Method, r.Path, got, id)
					}
				}
				if !strings.Contains(log.String(), "request_id="+id) && !strings.Contains(log.String(), `request_id="`+id+`"`) {
					t.Errorf("request log lacks request_id %q:\n%s", id, log.String())
				}
			}
		})
	}
	if strings.Contains(log.String(), "msg=\"fake") || strings.Contains(log.String(), "mã-yêu-cầu") {
		t.Errorf("a rejected incoming id reached the log:\n%s", log.String())
	}
}
