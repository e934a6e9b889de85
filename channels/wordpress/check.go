package wordpress

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/loa-vn/loa/channels"
)

// Reasons shown to the person fixing a channel.
const (
	reasonCredentials = "Sai tên đăng nhập hoặc mật khẩu ứng dụng (Application Password). " +
		"Hãy tạo mật khẩu ứng dụng mới trong WordPress (Thành viên → Hồ sơ → Mật khẩu ứng dụng) rồi nhập lại; " +
		"lưu ý WordPress chỉ nhận mật khẩu ứng dụng khi trang chạy HTTPS."
	reasonNoPublish = "Tài khoản %q không có quyền đăng bài trên trang này. " +
		"Hãy dùng tài khoản có vai trò Tác giả, Biên tập viên hoặc Quản trị viên."
	reasonNoAPI = "Không tìm thấy REST API của WordPress tại địa chỉ này. " +
		"Hãy kiểm tra địa chỉ trang (ví dụ https://xa.gov.vn) và chắc chắn REST API không bị plugin bảo mật chặn."
	reasonUnreachable = "Không kết nối được tới trang WordPress. Hãy kiểm tra địa chỉ trang và thử lại sau ít phút."
	reasonBusy        = "Trang WordPress đang bận hoặc gặp lỗi (HTTP %d). Hãy thử lại sau ít phút."
	reasonRejected    = "Trang WordPress từ chối yêu cầu kiểm tra (HTTP %d). Xem chi tiết kỹ thuật để biết nguyên nhân."
	reasonOdd         = "Trang trả lời không giống REST API của WordPress. Hãy kiểm tra địa chỉ trang."
)

// Check signs in as the configured user without publishing anything and
// confirms the account may publish posts.
func (w *WordPress) Check(ctx context.Context) channels.CheckResult {
	res, err := w.call(ctx, http.MethodGet, "/wp/v2/users/me", url.Values{"context": {"edit"}}, nil)
	if err != nil {
		return checkFailed(err)
	}
	if res.status != http.StatusOK {
		return w.checkRejected(res)
	}
	u, ok := parseUser(res.body)
	if !ok {
		return channels.CheckResult{Reason: reasonOdd, Detail: "wordpress: users/me answered " + w.snippet(res.body)}
	}
	if !u.canPublish() {
		return channels.CheckResult{
			Account:     u.displayName(),
			Reason:      fmt.Sprintf(reasonNoPublish, u.displayName()),
			Detail:      "wordpress: the user lacks the publish_posts capability",
			NeedsReauth: true,
		}
	}
	return channels.CheckResult{OK: true, Account: u.displayName() + " — " + w.siteName(ctx)}
}

func checkFailed(err error) channels.CheckResult {
	if errors.Is(err, ErrNoAPI) {
		return channels.CheckResult{Reason: reasonNoAPI, Detail: err.Error()}
	}
	return channels.CheckResult{Reason: reasonUnreachable, Detail: err.Error()}
}

func (w *WordPress) checkRejected(res response) channels.CheckResult {
	ce := w.statusError(res)
	r := channels.CheckResult{Detail: ce.Err.Error(), NeedsReauth: ce.NeedsReauth}
	switch {
	case res.status == http.StatusUnauthorized:
		r.Reason = reasonCredentials
	case ce.NeedsReauth:
		r.Reason = fmt.Sprintf(reasonNoPublish, w.username)
	case ce.Class == channels.ClassRetryable:
		r.Reason = fmt.Sprintf(reasonBusy, res.status)
	default:
		r.Reason = fmt.Sprintf(reasonRejected, res.status)
	}
	return r
}

// user is the part of users/me (context=edit) Loa reads.
type user struct {
	ID           json.Number    `json:"id"`
	Name         string         `json:"name"`
	Username     string         `json:"username"`
	Capabilities map[string]any `json:"capabilities"`
}

func parseUser(body []byte) (user, bool) {
	var u user
	if err := json.Unmarshal(body, &u); err != nil {
		return user{}, false
	}
	return u, validID(u.ID)
}

// canPublish reads the capabilities WordPress lists in the edit context;
// without the list (an old or filtered site) publishing will tell.
func (u user) canPublish() bool {
	if u.Capabilities == nil {
		return true
	}
	return u.Capabilities["publish_posts"] == true
}

func (u user) displayName() string {
	name := strings.TrimSpace(u.Name)
	if name == "" {
		return u.Username
	}
	if u.Username != "" && u.Username != name {
		return fmt.Sprintf("%s (%s)", name, u.Username)
	}
	return name
}

// siteName is the site's title and address, or only the address when the
// title cannot be read: the check has already succeeded by then.
func (w *WordPress) siteName(ctx context.Context) string {
	res, err := w.call(ctx, http.MethodGet, "/", url.Values{"_fields": {"name"}}, nil)
	if err != nil || res.status != http.StatusOK {
		return w.base
	}
	var site struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(res.body, &site) != nil || strings.TrimSpace(site.Name) == "" {
		return w.base
	}
	return fmt.Sprintf("%s (%s)", w.clean(site.Name), w.base)
}
