package web

import (
	"errors"
	"strconv"
	"strings"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// The feed fetcher and the template engine explain failures in English
// for the log; these say the same in Vietnamese for the page.

// pollErrorText says why a poll failed, from its recorded message and
// HTTP status.
func pollErrorText(msg string, status int) string {
	switch {
	case msg == "":
		return ""
	case status >= 400 || strings.Contains(msg, "answered HTTP"):
		return "Máy chủ nguồn tin trả lời lỗi (mã HTTP " + strconv.Itoa(status) + "). Hãy kiểm tra địa chỉ nguồn tin, hoặc đợi máy chủ hoạt động lại."
	case strings.Contains(msg, "did not respond"):
		return "Máy chủ nguồn tin không trả lời kịp. Loa sẽ tự thử lại ở lần lấy tin sau."
	case strings.Contains(msg, "refused to connect"):
		return "Địa chỉ nguồn tin thuộc mạng nội bộ (địa chỉ riêng) nên Loa không kết nối tới; quản trị hệ thống có thể cho phép (LOA_ALLOW_PRIVATE_TARGETS)."
	case strings.Contains(msg, "DNS"):
		return "Không tìm thấy máy chủ nguồn tin (tên miền không phân giải được). Hãy kiểm tra địa chỉ nguồn tin."
	case strings.Contains(msg, "certificate"):
		return "Chứng chỉ bảo mật (TLS) của máy chủ nguồn tin không hợp lệ, nên Loa không lấy tin. Hãy báo đơn vị quản lý trang nguồn."
	case strings.Contains(msg, "refused the connection"), strings.Contains(msg, "could not reach"):
		return "Không kết nối được tới máy chủ nguồn tin. Loa sẽ tự thử lại ở lần lấy tin sau."
	case strings.Contains(msg, "larger than"):
		return "Nguồn tin quá lớn nên Loa không đọc hết; hãy dùng địa chỉ nguồn tin ngắn hơn (ví dụ theo chuyên mục)."
	case strings.Contains(msg, "web page"), strings.Contains(msg, "empty document"), strings.Contains(msg, "not valid RSS"):
		return "Địa chỉ này không trả về nguồn tin RSS hoặc Atom hợp lệ. Hãy kiểm tra lại địa chỉ nguồn tin."
	case strings.Contains(msg, "credentials"), strings.Contains(msg, "secret key"):
		return "Không mở được thông tin đăng nhập trong địa chỉ nguồn tin; hãy tạo lại nguồn tin."
	}
	return "Không lấy được tin do lỗi kỹ thuật; chi tiết ở nhật ký máy chủ."
}

// pollOutcomeLabel names a poll's outcome.
func pollOutcomeLabel(outcome string) string {
	switch outcome {
	case storage.PollOK:
		return "Thành công"
	case storage.PollNotModified:
		return "Không có gì mới"
	case storage.PollError:
		return "Lỗi"
	}
	return "Không rõ"
}

// skippedText says why an item was not posted.
func skippedText(reason string) string {
	if reason == "" {
		return ""
	}
	if strings.HasPrefix(reason, "published more than") {
		return "Bỏ qua: tin đã đăng quá " + firstNumber(reason) + " ngày."
	}
	return "Bỏ qua: không tạo được tin từ mẫu (nội dung không hợp lệ)."
}

// sourceLabels name the source form's fields.
var sourceLabels = map[string]string{
	"name": "Tên nguồn tin", "url": "Địa chỉ nguồn tin (URL)", "poll_every": "Tần suất lấy tin", "mode": "Cách đăng",
	"channel_ids": "Kênh nhận tin", "targets": "Kênh nhận tin", "max_age_days": "Bỏ qua tin cũ hơn (ngày)",
	"agency_id": "Cơ quan, đơn vị", "template.title": "Mẫu tiêu đề", "template.summary": "Mẫu tóm tắt",
	"template.body": "Mẫu nội dung", "template.category": "Mẫu chuyên mục",
}

// sourceFormError maps a refused source to its form key and Vietnamese
// message; ok is false for errors not about the input.
func sourceFormError(err error) (key, msg string, ok bool) {
	var bad *publishing.InvalidError
	if !errors.As(err, &bad) {
		return "", "", false
	}
	key = bad.Field
	if strings.HasPrefix(key, "variants") {
		key = "channel_ids"
	}
	label, known := sourceLabels[key]
	if !known {
		label = "Thông tin đã nhập"
	}
	switch {
	case strings.HasPrefix(key, "template."):
		return key, "«" + label + "» dùng cú pháp không được phép hoặc quá dài; chỉ dùng các trường và hàm liệt kê bên dưới.", true
	case key == "channel_ids" || key == "targets":
		if strings.Contains(bad.Message, "at least one") {
			return key, "Hãy chọn ít nhất một kênh nhận tin.", true
		}
		return key, "Có kênh đã chọn không dùng được (đã tắt, đã xóa hoặc ngoài phạm vi của bạn). Hãy chọn lại.", true
	}
	return key, invalidText(bad, label), true
}
