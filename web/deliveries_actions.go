package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// The retry and cancel forms post the chosen deliveries as "id" (the
// checkboxes) or, from a delivery's own button, "one": then that one
// alone, whatever is ticked. "back" is the list's query to return to.

func (p *Pages) deliveriesRetry(c echo.Context) error {
	return p.actOnSelection(c, "r", p.pub.RetrySelected)
}

func (p *Pages) deliveriesCancel(c echo.Context) error {
	return p.actOnSelection(c, "c", p.pub.CancelSelected)
}

type selectionAction func(ctx context.Context, by storage.User, ids []int64) ([]publishing.Outcome, error)

func (p *Pages) actOnSelection(c echo.Context, action string, act selectionAction) error {
	form, err := c.FormParams()
	if err != nil {
		return p.renderLog(c, url.Values{}, http.StatusBadRequest, "Biểu mẫu không đọc được. Vui lòng tải lại trang rồi thử lại.", true)
	}
	back := backQuery(form.Get("back"))
	raw := form["id"]
	if one := form.Get("one"); one != "" {
		raw = []string{one}
	}
	ids, problem := selectedIDs(raw)
	if problem != "" {
		return p.renderLog(c, back, http.StatusUnprocessableEntity, problem, true)
	}
	outcomes, err := act(c.Request().Context(), currentUser(c), ids)
	if err != nil {
		return p.failed(c, fmt.Errorf("web: %s deliveries: %w", action, err))
	}
	back.Set("kq", encodeSummary(action, outcomes))
	return c.Redirect(http.StatusSeeOther, "/deliveries?"+back.Encode())
}

// selectedIDs reads the chosen ids, or says in Vietnamese what is wrong.
func selectedIDs(raw []string) ([]int64, string) {
	if len(raw) == 0 {
		return nil, "Chưa chọn lượt gửi nào. Hãy đánh dấu các lượt gửi cần xử lý rồi bấm lại."
	}
	if len(raw) > publishing.MaxSelection {
		return nil, fmt.Sprintf("Đã chọn %d lượt gửi; mỗi lần chỉ xử lý được tối đa %d lượt gửi. Hãy bỏ bớt rồi bấm lại.", len(raw), publishing.MaxSelection)
	}
	ids := make([]int64, 0, len(raw))
	for _, s := range raw {
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || id <= 0 {
			return nil, "Lựa chọn không hợp lệ. Vui lòng tải lại trang rồi chọn lại."
		}
		ids = append(ids, id)
	}
	return ids, ""
}

// backQuery keeps only the list's own keys from the query a form carried.
func backQuery(raw string) url.Values {
	in, _ := url.ParseQuery(raw)
	out := url.Values{}
	for _, k := range append(filterKeys, "before", "after") {
		if v := in.Get(k); v != "" && len(v) <= 40 {
			out.Set(k, v)
		}
	}
	return out
}

// encodeSummary writes the outcomes' counts for the page after the
// redirect: "r;ok=3;st.delivered=1;forbidden=1;missing=0".
func encodeSummary(action string, outcomes []publishing.Outcome) string {
	counts := map[string]int{}
	for _, o := range outcomes {
		var st *publishing.StateError
		switch {
		case o.Err == nil:
			counts["ok"]++
		case errors.As(o.Err, &st) && o.Delivery.Status != "":
			counts["st."+o.Delivery.Status]++
		case errors.Is(o.Err, publishing.ErrNotAllowed):
			counts["forbidden"]++
		default:
			counts["missing"]++
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := []string{action}
	for _, k := range keys {
		parts = append(parts, k+"="+strconv.Itoa(counts[k]))
	}
	return strings.Join(parts, ";")
}

// whyNot says why a delivery in a status could not be retried or canceled.
var whyNot = map[string]map[string]string{
	"r": {
		storage.DeliveryDelivered: "đã đăng", storage.DeliveryCanceled: "đã hủy",
		storage.DeliveryScheduled: "đang chờ đến giờ gửi", storage.DeliveryRetrying: "Loa đang tự thử lại",
		storage.DeliverySending: "đang gửi", storage.DeliveryPendingApproval: "tin còn chờ duyệt",
	},
	"c": {
		storage.DeliveryDelivered: "đã đăng", storage.DeliveryCanceled: "đã hủy từ trước",
		storage.DeliverySending: "đang gửi", storage.DeliveryFailed: "đã kết thúc (không thành công)",
		storage.DeliveryUnconfirmed: "đã gửi đi nhưng chưa xác nhận; hãy kiểm tra trên nền tảng",
	},
}

// summaryText is the Vietnamese summary of an encoded one ("" if none):
// "Đã gửi lại 3 lượt gửi; 1 lượt gửi không thể gửi lại vì đã đăng."
func summaryText(enc string) string {
	parts := strings.Split(enc, ";")
	verb := map[string]string{"r": "gửi lại", "c": "hủy"}[parts[0]]
	if verb == "" || len(parts) > 20 {
		return ""
	}
	counts := map[string]int{}
	var states []string
	for _, kv := range parts[1:] {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > publishing.MaxSelection {
			continue
		}
		counts[k] = n
		if strings.HasPrefix(k, "st.") {
			states = append(states, k)
		}
	}
	out := []string{fmt.Sprintf("Đã %s %d lượt gửi", verb, counts["ok"])}
	if counts["ok"] == 0 {
		out[0] = fmt.Sprintf("Không %s được lượt gửi nào", verb)
	}
	for _, k := range states {
		status := strings.TrimPrefix(k, "st.")
		why := whyNot[parts[0]][status]
		if why == "" {
			why = "đang ở trạng thái «" + deliveryStatus(status) + "»"
		}
		out = append(out, fmt.Sprintf("%d lượt gửi không thể %s vì %s", counts[k], verb, why))
	}
	if n := counts["forbidden"]; n > 0 {
		out = append(out, fmt.Sprintf("%d lượt gửi không được %s vì bạn không có quyền (Chuyên viên chỉ xử lý được lượt gửi của tin mình soạn; lượt gửi chưa xác nhận chỉ Người duyệt được gửi lại)", n, verb))
	}
	if n := counts["missing"]; n > 0 {
		out = append(out, fmt.Sprintf("%d lượt gửi không tìm thấy", n))
	}
	return strings.Join(out, "; ") + "."
}
