package facebook

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/loa-vn/loa/channels"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name  string
		fail  *graphFailure
		raw   *rawAnswer
		stall bool
		want  channels.CheckResult // Detail compared by wantDetail
		// wantDetail must appear in Detail.
		wantDetail string
	}{
		{name: "ok", want: channels.CheckResult{OK: true, Account: testName}},
		{name: "190 expired token", fail: &graphFailure{400, 190, 463, "Error validating access token: Session has expired"},
			want:       channels.CheckResult{Reason: "Mã truy cập của Trang (page token) không còn hiệu lực; cần cấp quyền lại.", NeedsReauth: true},
			wantDetail: "code 190, subcode 463, OAuthException: Error validating access token: Session has expired (fbtrace_id AbCdEfTrace)"},
		{name: "102 session", fail: &graphFailure{400, 102, 0, "Session key invalid"},
			want:       channels.CheckResult{Reason: "Mã truy cập của Trang (page token) không còn hiệu lực; cần cấp quyền lại.", NeedsReauth: true},
			wantDetail: "code 102"},
		{name: "10 permission", fail: &graphFailure{403, 10, 0, "(#10) Permission denied"},
			want:       channels.CheckResult{Reason: "Mã truy cập không đủ quyền với Trang này; hãy cấp lại quyền pages_manage_posts và pages_read_engagement cho Loa."},
			wantDetail: "code 10"},
		{name: "100 unknown page", fail: &graphFailure{400, 100, 33, "Unsupported get request. Object with ID '104857600123456' does not exist"},
			want:       channels.CheckResult{Reason: "Facebook không tìm thấy Trang theo page_id đã cấu hình, hoặc mã truy cập không đọc được Trang này; hãy kiểm tra lại page_id."},
			wantDetail: "subcode 33"},
		{name: "throttled", fail: &graphFailure{403, 32, 0, "(#32) Page request limit reached"},
			want:       channels.CheckResult{Reason: "Facebook đang giới hạn số lượt gọi API; hãy thử lại sau ít phút."},
			wantDetail: "code 32"},
		{name: "unknown code", fail: &graphFailure{400, 9999, 0, "Something new"},
			want:       channels.CheckResult{Reason: "Facebook từ chối yêu cầu kiểm tra (mã lỗi 9999); xem chi tiết kỹ thuật."},
			wantDetail: "Something new"},
		{name: "HTML 502", raw: &rawAnswer{status: 502, contentType: "text/html", body: "<html>Bad Gateway</html>"},
			want:       channels.CheckResult{Reason: "Facebook trả lời không đúng định dạng (HTTP 502); hãy kiểm tra địa chỉ api_base_url hoặc thử lại sau."},
			wantDetail: "HTTP 502, body: <html>Bad Gateway</html>"},
		{name: "200 without name", raw: &rawAnswer{status: 200, body: `{"id":"104857600123456"}`},
			want:       channels.CheckResult{Reason: "Facebook trả lời không đúng định dạng (HTTP 200); hãy kiểm tra địa chỉ api_base_url hoặc thử lại sau."},
			wantDetail: "HTTP 200"},
		{name: "timeout", stall: true,
			want:       channels.CheckResult{Reason: "Không kết nối được tới Facebook Graph API; hãy kiểm tra kết nối mạng của máy chủ rồi thử lại."},
			wantDetail: "GET page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newFakeGraph(t)
			g.set(func(g *fakeGraph) { g.fail, g.raw, g.stall = tt.fail, tt.raw, tt.stall })
			f := newTestFacebook(t, g.srv.URL, 100*time.Millisecond, newClock())

			got := f.Check(context.Background())

			req := onlyRequest(t, g)
			wantQuery := url.Values{"fields": {"id,name"}, "access_token": {testToken}}
			if req.method != http.MethodGet || req.path != "/v25.0/"+testPage || req.query.Encode() != wantQuery.Encode() {
				t.Errorf("request = %s %s?%s, want GET /v25.0/%s?%s", req.method, req.path, req.query.Encode(), testPage, wantQuery.Encode())
			}
			if !strings.Contains(got.Detail, tt.wantDetail) {
				t.Errorf("Detail = %q, want it to contain %q", got.Detail, tt.wantDetail)
			}
			if strings.Contains(got.Detail, testToken) || strings.Contains(got.Reason, testToken) {
				t.Errorf("result leaks the token: %+v", got)
			}
			got.Detail = ""
			if got != tt.want {
				t.Errorf("Check =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}
