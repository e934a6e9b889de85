package web

// The channel forms: which fields each kind's config has, labelled in
// Vietnamese. Which fields are secret or endpoints is not decided here but
// read from the kind (channels.Kind.SecretFields / EndpointFields), so the
// form can never show a secret the kind declares.

// fieldType says how a config field is entered and sent.
type fieldType int

const (
	fieldText   fieldType = iota // a string
	fieldURL                     // a string holding an address
	fieldBool                    // true/false, a checkbox
	fieldList                    // a list of strings, entered comma-separated
	fieldNumber                  // a whole number
	fieldSelect                  // one of Options
)

// configField is one member of a kind's config as the form shows it.
type configField struct {
	Key      string
	Label    string
	Hint     string
	Type     fieldType
	Required bool
	// Advanced fields have a default and are shown folded away.
	Advanced bool
	Options  []option
}

// option is one choice of a select; Selected marks the current one.
type option struct {
	Value, Label string
	Selected     bool
}

// kindLabels are the channel kinds' names (ui.md).
var kindLabels = map[string]string{
	"wordpress":     "Trang thông tin điện tử (WordPress)",
	"webhook":       "Trang thông tin điện tử (webhook)",
	"zalo_oa":       "Zalo OA",
	"facebook_page": "Trang Facebook",
	"radio":         "Truyền thanh cơ sở",
	"rss":           "RSS/Atom",
}

// kindOrder is the order kinds are offered in.
var kindOrder = []string{"wordpress", "webhook", "zalo_oa", "facebook_page", "radio", "rss"}

func kindLabel(kind string) string {
	if l, ok := kindLabels[kind]; ok {
		return l
	}
	return "Loại kênh không còn được hỗ trợ"
}

// kindFields are the config fields of each kind the form offers.
var kindFields = map[string][]configField{
	"wordpress": {
		{Key: "base_url", Label: "Địa chỉ trang", Hint: "Ví dụ: https://xatanphu.gov.vn", Type: fieldURL, Required: true},
		{Key: "username", Label: "Tên đăng nhập", Type: fieldText, Required: true},
		{Key: "app_password", Label: "Mật khẩu ứng dụng", Hint: "Tạo trong WordPress: Hồ sơ → Mật khẩu ứng dụng.", Type: fieldText, Required: true},
	},
	"webhook": {
		{Key: "url", Label: "Địa chỉ nhận (URL)", Hint: "Địa chỉ https của hệ thống nhận tin.", Type: fieldURL, Required: true},
		{Key: "secret", Label: "Khóa ký (signing secret)", Hint: "Ít nhất 16 ký tự. Dùng để ký mỗi yêu cầu; hệ thống nhận dùng khóa này để xác minh.", Type: fieldText, Required: true},
	},
	"zalo_oa": {
		{Key: "app_id", Label: "Mã ứng dụng (app id)", Type: fieldText, Required: true},
		{Key: "secret_key", Label: "Khóa bí mật ứng dụng (app secret)", Type: fieldText, Required: true},
		{Key: "refresh_token", Label: "Mã làm mới (refresh token)", Hint: "Mỗi lần làm mới, Zalo cấp mã mới; Loa tự lưu.", Type: fieldText, Required: true},
		{Key: "access_token", Label: "Mã truy cập (access token)", Hint: "Không bắt buộc: Loa tự lấy bằng mã làm mới.", Type: fieldText},
		{Key: "default_cover_url", Label: "Ảnh bìa mặc định", Hint: "Địa chỉ https của ảnh bìa; Zalo bắt buộc bài viết có ảnh bìa.", Type: fieldURL},
		{Key: "broadcast", Label: "Gửi bài viết tới người quan tâm (chỉ OA đã xác thực)", Type: fieldBool},
		{Key: "api_base_url", Label: "Địa chỉ máy chủ Zalo OA", Hint: "Để trống để dùng địa chỉ mặc định của Zalo.", Type: fieldURL, Advanced: true},
		{Key: "oauth_base_url", Label: "Địa chỉ máy chủ cấp mã Zalo", Hint: "Để trống để dùng địa chỉ mặc định của Zalo.", Type: fieldURL, Advanced: true},
	},
	"facebook_page": {
		{Key: "page_id", Label: "ID của Trang", Type: fieldText, Required: true},
		{Key: "page_token", Label: "Mã truy cập của Trang", Hint: "Mã truy cập dài hạn của Trang, có quyền đăng bài.", Type: fieldText, Required: true},
		{Key: "api_version", Label: "Phiên bản Graph", Hint: "Để trống để dùng phiên bản mặc định.", Type: fieldText, Advanced: true},
		{Key: "api_base_url", Label: "Địa chỉ máy chủ Graph", Hint: "Để trống để dùng địa chỉ mặc định của Facebook.", Type: fieldURL, Advanced: true},
	},
	"radio": {
		{Key: "station", Label: "Tên đài", Hint: "Đọc ở lời mở đầu, ví dụ: Đài truyền thanh xã Tân Phú.", Type: fieldText, Required: true},
		{Key: "air_times", Label: "Giờ phát hằng ngày", Hint: "Giờ 24, cách nhau bởi dấu phẩy, ví dụ: 06:00, 17:00.", Type: fieldList, Required: true},
		{Key: "syllables_per_minute", Label: "Tốc độ đọc (âm tiết mỗi phút)", Hint: "Để trống để dùng 190.", Type: fieldNumber},
		{Key: "voice", Label: "Giọng đọc", Type: fieldSelect, Options: []option{
			{Value: "vi", Label: "Giọng miền Bắc"}, {Value: "vi-vn-x-central", Label: "Giọng miền Trung"}, {Value: "vi-vn-x-south", Label: "Giọng miền Nam"}}},
	},
	"rss": {
		{Key: "slug", Label: "Tên đường dẫn", Hint: "Chữ thường không dấu, số và dấu gạch ngang; là một phần địa chỉ công khai.", Type: fieldText, Required: true},
		{Key: "title", Label: "Tiêu đề nguồn tin", Type: fieldText, Required: true},
		{Key: "description", Label: "Mô tả", Type: fieldText},
		{Key: "language", Label: "Ngôn ngữ", Hint: "Để trống để dùng tiếng Việt (vi).", Type: fieldText, Advanced: true},
	},
}

// channelStatusLabel is a channel status in Vietnamese.
func channelStatusLabel(status string) string {
	switch status {
	case "active":
		return "Đang hoạt động"
	case "disabled":
		return "Đã tắt"
	case "needs_reauth":
		return "Cần xác thực lại"
	}
	return "Không rõ"
}
