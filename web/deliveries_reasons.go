package web

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/loa-vn/loa/secrets"
	"github.com/loa-vn/loa/storage"
)

// attemptOutcomes are attempt outcomes in Vietnamese.
var attemptOutcomes = map[string]string{
	storage.OutcomeSending:     "Đang gửi",
	storage.OutcomeDelivered:   "Đã đăng",
	storage.OutcomeRetry:       "Lỗi, sẽ thử lại",
	storage.OutcomeFailed:      "Không thành công",
	storage.OutcomeUnconfirmed: "Chưa xác nhận (cần kiểm tra)",
	storage.OutcomeInterrupted: "Bị gián đoạn",
}

func attemptOutcome(o string) string {
	if v, ok := attemptOutcomes[o]; ok {
		return v
	}
	return o
}

// reasonRule maps a platform's failure, recognised by words the adapters
// put in their messages (error codes included), to what it means and what
// to do, in plain Vietnamese. The first match wins, so specific rules
// come before general ones.
type reasonRule struct {
	match *regexp.Regexp
	say   string
}

var reasonRules = []reasonRule{
	{regexp.MustCompile(`(?i)token is invalid or expired|zalo error -2(16|20)\b|refused the refresh token|must be re-authori[sz]ed|oauthexception.*\b190\b|code 190\b|code 102\b`),
		"mã truy cập đã hết hạn hoặc bị thu hồi. Quản trị viên cần Xác thực lại kênh, rồi Gửi lại."},
	{regexp.MustCompile(`(?i)lacks a permission|code (3|10|2\d\d)\b`),
		"tài khoản kết nối thiếu quyền đăng bài. Quản trị viên cần cấp lại quyền rồi Xác thực lại kênh."},
	{regexp.MustCompile(`(?i)wordpress: http 40[13]\b|application password|check the username`),
		"tên đăng nhập hoặc mật khẩu ứng dụng WordPress không đúng, hoặc tài khoản không có quyền đăng bài. Quản trị viên cần kiểm tra cấu hình kênh."},
	{regexp.MustCompile(`(?i)duplicate post|code 506\b`),
		"Facebook từ chối vì nội dung trùng với một bài đăng gần đây trên Trang. Hãy sửa nội dung rồi gửi lại."},
	{regexp.MustCompile(`(?i)temporarily blocked this page`),
		"Facebook đang tạm chặn Trang vì lý do chính sách. Loa sẽ tự thử lại sau; hãy xem Hộp thư hỗ trợ của Trang."},
	{regexp.MustCompile(`(?i)rate limit|quota|zalo error -(32|211|218)\b`),
		"nền tảng đang giới hạn số lượt gửi. Loa sẽ tự gửi lại sau, không cần làm gì."},
	{regexp.MustCompile(`(?i)oa is disabled|zalo error -20[45]\b`),
		"Zalo OA bị khóa hoặc không tồn tại. Quản trị viên cần kiểm tra OA trong trang quản lý Zalo OA."},
	{regexp.MustCompile(`(?i)requires a cover image|cover`),
		"Zalo yêu cầu ảnh bìa. Hãy thêm ảnh cho tin hoặc đặt ảnh bìa mặc định của kênh, rồi gửi lại."},
	{regexp.MustCompile(`(?i)over facebook's limit|characters, over`),
		"nội dung dài quá giới hạn của nền tảng. Hãy rút gọn nội dung rồi gửi lại."},
	{regexp.MustCompile(`(?i)has no (title|text)|no title`),
		"tin thiếu tiêu đề hoặc nội dung. Hãy bổ sung rồi gửi lại."},
	{regexp.MustCompile(`(?i)rejected a parameter|rest_invalid_param|empty_content|invalid parameter|zalo error -201\b`),
		"nền tảng từ chối nội dung (đường dẫn, ảnh hoặc chữ không hợp lệ). Hãy kiểm tra đường dẫn, ảnh và nội dung của tin rồi gửi lại."},
	{regexp.MustCompile(`(?i)may have (received|reached|been created)|worker stopped while sending|may have taken effect|probably created`),
		"không rõ nền tảng đã nhận tin hay chưa. Hãy kiểm tra trên nền tảng: nếu tin chưa có thì Gửi lại, nếu đã có thì không cần làm gì."},
	{regexp.MustCompile(`(?i)blocked|private address|not allowed to reach`),
		"địa chỉ của nền tảng thuộc mạng nội bộ nên Loa không được phép kết nối. Quản trị viên cần kiểm tra địa chỉ trong cấu hình kênh."},
	{regexp.MustCompile(`(?i)no wordpress rest api|check api_base_url|check base_url|redirect`),
		"địa chỉ trang trong cấu hình kênh không đúng. Quản trị viên cần kiểm tra cấu hình kênh."},
	{regexp.MustCompile(`(?i)no answer|send:|connection|timeout|temporarily unavailable|http 5\d\d`),
		"không kết nối được tới nền tảng hoặc máy chủ của nền tảng đang lỗi. Loa sẽ tự thử lại; nếu vẫn lỗi, hãy báo quản trị viên."},
}

// explainReason is the platform's reason for a failed attempt in plain
// Vietnamese: what happened and what to do.
func explainReason(raw string, httpStatus int) string {
	if strings.TrimSpace(raw) == "" {
		return ""
	}
	say := "nền tảng báo lỗi chưa rõ nguyên nhân. Xem chi tiết kỹ thuật bên dưới; nếu cần, hãy báo quản trị viên."
	for _, r := range reasonRules {
		if r.match.MatchString(raw) {
			say = r.say
			break
		}
	}
	if m := gaveUp.FindStringSubmatch(raw); m != nil {
		return fmt.Sprintf("Đã thử %s lần không thành công: %s", m[1], say)
	}
	return upperFirst(say)
}

var gaveUp = regexp.MustCompile(`gave up after (\d+) attempts`)

func upperFirst(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// Secrets an adapter might let into a message: URL credentials, token
// parameters and headers, and long opaque strings.
var (
	urlPattern    = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>]+`)
	tokenParam    = regexp.MustCompile(`(?i)((?:access_token|refresh_token|token|secret|password|api_key|key|sig|signature)["']?\s*[=:]\s*["']?)[^\s&"',;)]+`)
	bearer        = regexp.MustCompile(`(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]+`)
	opaqueLongRun = regexp.MustCompile(`[A-Za-z0-9_\-]{40,}`)
)

// redactReason hides anything secret-looking in a raw reason shown to
// people: it is kept for the technically minded, not for credentials.
func redactReason(raw string) string {
	s := urlPattern.ReplaceAllStringFunc(raw, secrets.MaskURL)
	s = tokenParam.ReplaceAllString(s, "${1}***")
	s = bearer.ReplaceAllString(s, "$1 ***")
	return opaqueLongRun.ReplaceAllString(s, "***")
}
