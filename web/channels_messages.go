package web

import (
	"errors"
	"regexp"
	"strings"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/outbound"
	"github.com/loa-vn/loa/publishing"
)

// The application layer names the field at fault in stable terms and
// keeps the typed cause; these turn that into Vietnamese for the form.
// The rules themselves stay where they are (channels, outbound, publishing).

// commonLabels name the form's fields that are not in a kind's config.
var commonLabels = map[string]string{
	"name": "Tên kênh", "slots": "Giờ đăng cố định", "agency_id": "Cơ quan, đơn vị",
	"status": "Trạng thái", "kind": "Loại kênh", "config": "Cấu hình kênh",
}

// formKey is where on the form an error of field belongs: a config member
// ("config.air_times[1]") goes to its input ("cfg.air_times").
func formKey(field string) string {
	if rest, ok := strings.CutPrefix(field, "config."); ok {
		if i := strings.IndexAny(rest, "[."); i > 0 {
			rest = rest[:i]
		}
		return "cfg." + rest
	}
	return field
}

// fieldLabel is the Vietnamese label of a form key for kind.
func fieldLabel(kind, key string) string {
	if cfg, ok := strings.CutPrefix(key, "cfg."); ok {
		for _, f := range kindFields[kind] {
			if f.Key == cfg {
				return f.Label
			}
		}
		return "Cấu hình kênh"
	}
	if l, ok := commonLabels[key]; ok {
		return l
	}
	return "Thông tin đã nhập"
}

// invalidText says in Vietnamese what is wrong with a field the
// application layer refused and what to do.
func invalidText(bad *publishing.InvalidError, label string) string {
	var blocked *outbound.BlockedError
	var cfg *channels.ConfigError
	msg := bad.Message
	if errors.As(bad, &cfg) {
		msg = cfg.Message
	}
	switch {
	case errors.As(bad, &blocked):
		return "Địa chỉ này thuộc mạng nội bộ (địa chỉ riêng), nên Loa không kết nối tới. Hãy dùng địa chỉ công khai, hoặc nhờ quản trị hệ thống cho phép dải địa chỉ này (LOA_ALLOW_PRIVATE_TARGETS)."
	case strings.HasPrefix(msg, "re-enter"):
		return "Địa chỉ kết nối đã thay đổi, nên cần nhập lại «" + label + "»: thông tin bí mật chỉ được gửi tới đúng địa chỉ đã nhập cùng nó. Chưa có thay đổi nào được lưu."
	case strings.Contains(msg, "Application Password"):
		return "«" + label + "» phải là mật khẩu ứng dụng 24 chữ và số do WordPress tạo (Hồ sơ → Mật khẩu ứng dụng); mật khẩu đăng nhập không dùng được ở đây."
	case strings.Contains(msg, "at least"):
		return "«" + label + "» ngắn quá: cần ít nhất " + firstNumber(msg) + " ký tự."
	case strings.HasPrefix(msg, "is required"):
		return "Cần nhập «" + label + "»."
	case strings.Contains(msg, "URL") || strings.Contains(msg, "host") || strings.Contains(msg, "port"):
		return "«" + label + "» phải là địa chỉ đầy đủ, bắt đầu bằng https:// (hoặc http://) và có tên máy chủ."
	case strings.Contains(msg, "longer than") || strings.Contains(msg, "at most"):
		return "«" + label + "» dài hoặc nhiều quá mức cho phép; hãy rút gọn."
	case strings.Contains(msg, "listed twice"):
		return "«" + label + "» có giờ bị lặp lại; mỗi giờ chỉ ghi một lần."
	case strings.Contains(msg, "time") || strings.Contains(msg, "HH:MM"):
		return "«" + label + "» phải là các giờ dạng 07:00 (giờ 24), cách nhau bởi dấu phẩy."
	case strings.Contains(msg, "whole number") || strings.Contains(msg, "between"):
		return "«" + label + "» phải là số nguyên trong khoảng cho phép."
	}
	return "«" + label + "» chưa hợp lệ; vui lòng kiểm tra lại."
}

var number = regexp.MustCompile(`\d+`)

// firstNumber is the first number in a rule's message ("at least 16").
func firstNumber(msg string) string { return number.FindString(msg) }

// fieldRefusal maps a refused change to the form key at fault and its
// Vietnamese message. ok is false for errors that are not about the input
// (not found, not allowed, system), which are answered apart.
func fieldRefusal(err error, kind string) (key, msg string, ok bool) {
	var bad *publishing.InvalidError
	var state *publishing.StateError
	switch {
	case errors.As(err, &bad):
		key := formKey(bad.Field)
		return key, invalidText(bad, fieldLabel(kind, key)), true
	case errors.As(err, &state) && state.Code == "conflict":
		return "name", "Đã có kênh khác trùng tên, hoặc trùng tên đường dẫn của một kênh RSS. Hãy chọn tên khác.", true
	}
	return "", "", false
}
