package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// When a post goes out, as the compose form offers it.
const (
	whenNow      = "now"
	whenAt       = "at"
	whenNextSlot = "next_slot"
)

// belowKinds are the kinds the "communes below me" choice selects: the
// channels every commune has (loudspeakers and its Zalo OA).
var belowKinds = []string{"radio", "zalo_oa"}

// maxFormChannels bounds the channel ids one form may name; the layer's
// own cap is lower, this only keeps parsing bounded.
const maxFormChannels = 200

// composeForm is the compose form as the user filled it in, kept as typed
// so that a refused form comes back with the user's values.
type composeForm struct {
	Title, Summary, Body, Link, ImageURL, Priority string
	Channels                                       map[int64]bool
	// Below selects every radio and Zalo channel of the user's agency and
	// the agencies beneath it.
	Below            bool
	When, Date, Time string
	// ContentArea, AudienceCode and Activity classify the post (codes, and
	// an activity id as typed; "" for none).
	ContentArea, AudienceCode, Activity string
}

// readComposeForm reads the form; errs gets the form's own errors (a date
// it cannot read), keyed by field.
func readComposeForm(c echo.Context, errs map[string]string) composeForm {
	f := composeForm{Title: c.FormValue("title"), Summary: c.FormValue("summary"), Body: c.FormValue("body"),
		Link: strings.TrimSpace(c.FormValue("link")), ImageURL: strings.TrimSpace(c.FormValue("image_url")),
		Priority: c.FormValue("priority"), Below: c.FormValue("below") == "1",
		When: c.FormValue("when"), Date: strings.TrimSpace(c.FormValue("date")), Time: strings.TrimSpace(c.FormValue("time")),
		Channels: map[int64]bool{}, ContentArea: c.FormValue("content_area"), AudienceCode: c.FormValue("audience_code"),
		Activity: c.FormValue("activity_id")}
	if f.Activity != "" {
		if _, err := strconv.ParseInt(f.Activity, 10, 64); err != nil {
			errs["activity_id"] = "Hoạt động đã chọn không hợp lệ; hãy chọn lại."
		}
	}
	if f.When != whenAt && f.When != whenNextSlot {
		f.When = whenNow
	}
	form, _ := c.FormParams()
	for i, raw := range form["channel"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 || i >= maxFormChannels {
			errs["channels"] = "Danh sách kênh không hợp lệ; hãy tải lại trang rồi chọn lại kênh."
			break
		}
		f.Channels[id] = true
	}
	return f
}

// publishAt is the form's time for publishing.Fields: "" for now,
// NextSlotTime, or the local date and time as RFC 3339.
func (f composeForm) publishAt(loc *time.Location, errs map[string]string) string {
	switch f.When {
	case whenNextSlot:
		return publishing.NextSlotTime
	case whenAt:
		at, err := parseLocal(f.Date, f.Time, loc)
		if err != "" {
			errs["when"] = err
			return ""
		}
		return at.Format(time.RFC3339)
	}
	return ""
}

// parseLocal reads a day as dd/mm/yyyy (as shown) or yyyy-mm-dd (as a
// browser's date picker sends it) and a 24-hour HH:MM time, in loc; it
// returns a Vietnamese message when it cannot.
func parseLocal(date, clock string, loc *time.Location) (time.Time, string) {
	if date == "" || clock == "" {
		return time.Time{}, "Hãy nhập cả ngày và giờ đăng, hoặc chọn Đăng ngay."
	}
	var day time.Time
	var err error
	if strings.Contains(date, "/") {
		day, err = time.ParseInLocation("2/1/2006", date, loc)
	} else {
		day, err = time.ParseInLocation("2006-01-02", date, loc)
	}
	if err != nil {
		return time.Time{}, "Ngày đăng không đúng dạng ngày/tháng/năm, ví dụ 07/12/2026."
	}
	hm, err := time.Parse("15:04", clock)
	if err != nil {
		return time.Time{}, "Giờ đăng không đúng dạng giờ:phút (24 giờ), ví dụ 07:30."
	}
	return time.Date(day.Year(), day.Month(), day.Day(), hm.Hour(), hm.Minute(), 0, 0, loc), ""
}

// draft is the form as the application layer takes it.
func (f composeForm) draft(u storage.User, publishAt string) publishing.Draft {
	activity, _ := strconv.ParseInt(f.Activity, 10, 64)
	d := publishing.Draft{Fields: publishing.Fields{Title: f.Title, Summary: f.Summary, Body: f.Body, Link: f.Link,
		ImageURL: f.ImageURL, Priority: f.Priority, PublishAt: publishAt,
		ContentArea: f.ContentArea, AudienceCode: f.AudienceCode, ActivityID: activity}}
	for id := range f.Channels {
		d.ChannelIDs = append(d.ChannelIDs, id)
	}
	slices.Sort(d.ChannelIDs)
	if f.Below {
		d.Selector = &storage.Selector{AgencyID: u.AgencyID, Descendants: true, Kinds: belowKinds}
	}
	return d
}

// formFromPost fills the form from a stored post (a draft's plan too); a
// publish time already past is offered as "now".
func formFromPost(p storage.Post, loc *time.Location, now time.Time) composeForm {
	f := composeForm{Title: p.Title, Summary: p.Summary, Body: p.Body, Link: p.Link, ImageURL: p.ImageURL,
		Priority: p.Priority, Channels: map[int64]bool{}, When: whenAt,
		ContentArea: p.ContentArea, AudienceCode: p.AudienceCode}
	if p.ActivityID != nil {
		f.Activity = strconv.FormatInt(*p.ActivityID, 10)
	}
	if !p.PublishAt.After(now) {
		f.When = whenNow
	}
	local := p.PublishAt.In(loc)
	f.Date, f.Time = local.Format("02/01/2006"), local.Format("15:04")
	if p.Selector != nil {
		f.Below = true
	}
	if plan := p.DraftPlan; plan != nil {
		for _, id := range plan.ChannelIDs {
			f.Channels[id] = true
		}
		switch plan.PublishAt {
		case "":
			f.When = whenNow
		case publishing.NextSlotTime:
			f.When = whenNextSlot
		}
	}
	return f
}

// composeField is the form field an error of the application layer belongs to.
func composeField(layerField string) string {
	switch {
	case layerField == "publish_at":
		return "when"
	case layerField == "channel_ids" || strings.HasPrefix(layerField, "targets"):
		return "channels"
	case layerField == "title", layerField == "summary", layerField == "body", layerField == "link",
		layerField == "image_url", layerField == "priority", layerField == "content_area",
		layerField == "audience_code", layerField == "activity_id":
		return layerField
	}
	return "form"
}

// fieldLabels name the form's fields in messages.
var fieldLabels = map[string]string{
	"title": "Tiêu đề", "summary": "Tóm tắt", "body": "Nội dung", "link": "Đường dẫn bài gốc",
	"image_url": "Ảnh minh hoạ", "priority": "Mức ưu tiên",
	"content_area": "Nội dung tuyên truyền", "audience_code": "Đối tượng", "activity_id": "Hoạt động trong kế hoạch",
}

// vietnameseError says in Vietnamese what an *InvalidError of the
// application layer means for the person filling in the form. The rules
// stay in the layer: this only translates its answers.
func vietnameseError(e *publishing.InvalidError) string {
	label, msg := fieldLabels[e.Field], e.Message
	if label == "" {
		label = "Giá trị"
	}
	has := func(s string) bool { return strings.Contains(msg, s) }
	switch {
	case e.Rule == publishing.RuleForeignActivity:
		return "Hoạt động đã chọn không thuộc kế hoạch của cơ quan, đơn vị đăng tin; hãy chọn lại."
	case e.Rule == publishing.RuleUnknownCode:
		return label + " đã chọn không còn trong danh mục; hãy chọn lại."
	case e.Field == "title" && has("required"):
		return "Hãy nhập tiêu đề."
	case has("no content left"):
		return "Nội dung không còn gì sau khi bỏ phần mã không an toàn; hãy nhập lại nội dung."
	case has("characters") && has("longer than"):
		return fmt.Sprintf("%s dài quá %s ký tự; hãy rút gọn.", label, firstNumber(msg))
	case has("bytes") && has("longer than"):
		return fmt.Sprintf("%s quá dài (tối đa %s byte); hãy rút gọn.", label, firstNumber(msg))
	case has("HTML markup"):
		return label + " chỉ nhận chữ, không nhận mã HTML; hãy gõ lại dạng chữ thường."
	case has("UTF-8") || has("not allowed"):
		return label + " có ký tự không hợp lệ; hãy gõ lại."
	case has("http or https URL"):
		return label + " phải là địa chỉ đầy đủ bắt đầu bằng http:// hoặc https://."
	case e.Field == "priority":
		return "Hãy chọn mức ưu tiên trong danh sách."
	case e.Field == "publish_at":
		return whenError(msg)
	case e.Field == "channel_ids" || strings.HasPrefix(e.Field, "targets"):
		return channelsError(msg)
	case e.Field == "agency_id":
		return "Đơn vị của bạn không nhận tin mới (đã bị tắt hoặc không còn); hãy báo quản trị viên."
	}
	return label + " không hợp lệ; hãy kiểm tra lại."
}

func whenError(msg string) string {
	switch {
	case strings.Contains(msg, "in the past"):
		return "Thời điểm đăng đã qua; hãy chọn một thời điểm sau bây giờ hoặc chọn Đăng ngay."
	case strings.Contains(msg, "five years"):
		return "Thời điểm đăng quá xa; chỉ hẹn giờ trong vòng 5 năm tới."
	case strings.Contains(msg, "needs a channel with posting slots"):
		return "Các kênh đã chọn chưa có khung giờ đăng; hãy chọn Đăng ngay hoặc Hẹn giờ."
	case strings.Contains(msg, "no free posting slot"):
		return "Không còn khung giờ trống của các kênh đã chọn trong 60 ngày tới; hãy Hẹn giờ cụ thể."
	}
	return "Thời điểm đăng không hợp lệ; hãy chọn lại ngày và giờ."
}

func channelsError(msg string) string {
	switch {
	case strings.Contains(msg, "at least one"):
		return "Hãy chọn ít nhất một kênh để đăng."
	case strings.Contains(msg, "disabled channel"):
		return "Có kênh đã bị tắt; hãy bỏ chọn kênh đó."
	case strings.Contains(msg, "unknown channel") || strings.Contains(msg, "does not exist"):
		return "Có kênh không tồn tại hoặc không thuộc phạm vi của bạn; hãy chọn lại kênh trong danh sách."
	case strings.Contains(msg, "match no enabled channel"):
		return "Không có kênh nào đang hoạt động khớp lựa chọn; hãy chọn kênh cụ thể."
	case strings.Contains(msg, "at most"):
		return "Chọn quá nhiều kênh; hãy chọn ít kênh hơn hoặc dùng lựa chọn theo đơn vị trực thuộc."
	case strings.Contains(msg, "twice"):
		return "Một kênh được chọn hai lần; hãy tải lại trang rồi chọn lại."
	}
	return "Lựa chọn kênh không hợp lệ; hãy chọn lại."
}
