package zalo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/platform"
)

// findSkew is how much earlier than msg.ScheduledAt an article may have been
// created and still be taken for this message (clocks differ).
const findSkew = 10 * time.Minute

// listedArticle is one entry of getslice's data.medias.
type listedArticle struct {
	ID         any    `json:"id"`
	Title      string `json:"title"`
	CreateDate any    `json:"create_date"` // Unix milliseconds
}

// Find looks for msg among the OA's ten most recent articles by its exact
// title (as sent: NFC, cut to 150 characters). An article created well
// before msg.ScheduledAt is an older post with the same title, not this one.
func (z *Zalo) Find(ctx context.Context, msg channels.Message) (channels.Receipt, bool, error) {
	title := articleTitle(msg)
	if title == "" {
		return channels.Receipt{}, false, nil
	}
	res, err := z.do(ctx, apiRequest{op: "list recent articles", method: http.MethodGet,
		path: "/v2.0/article/getslice?offset=0&limit=10&type=normal"})
	if err != nil {
		return channels.Receipt{}, false, err
	}
	var data struct {
		Medias []listedArticle `json:"medias"`
	}
	if len(res.data) > 0 && platform.DecodeNumbers(res.data, &data) != nil {
		return channels.Receipt{}, false, channels.Retryable(fmt.Errorf("zalo: list recent articles: unexpected data %s", z.snippet(res.data)), 0).WithStatus(res.status)
	}
	for _, a := range data.Medias {
		id := platform.StringOrNumber(a.ID)
		if id == "" || oneLine(a.Title) != title || createdLongBefore(a.CreateDate, msg.ScheduledAt) {
			continue
		}
		return channels.Receipt{ExternalID: id, HTTPStatus: res.status}, true, nil
	}
	return channels.Receipt{}, false, nil
}

// createdLongBefore reports whether a known creation time lies more than
// findSkew before scheduled; an unknown time or schedule excludes nothing.
func createdLongBefore(createDate any, scheduled time.Time) bool {
	ms, err := strconv.ParseInt(platform.StringOrNumber(createDate), 10, 64)
	if err != nil || scheduled.IsZero() {
		return false
	}
	return time.UnixMilli(ms).Before(scheduled.Add(-findSkew))
}

// Reasons shown to the person checking the channel.
const (
	reasonRefreshDead = "Mã làm mới (refresh token) của OA đã hết hạn hoặc đã dùng; cần cấp quyền lại cho Loa trên Zalo."
	reasonTokenDead   = "Zalo từ chối mã truy cập (access token) ngay cả sau khi làm mới; cần cấp quyền lại cho Loa trên Zalo."
	reasonNoStore     = "Mã truy cập (access token) đã hết hạn hoặc chưa có; hãy lưu kênh trước để Loa làm mới mã an toàn, rồi kiểm tra lại."
	reasonOAGone      = "OA bị vô hiệu hoá hoặc không tồn tại; kiểm tra app_id và trạng thái OA trong Zalo OA Manager."
	reasonTemporary   = "Không kết nối được tới Zalo hoặc Zalo đang quá tải; hãy thử lại sau ít phút."
	reasonRejected    = "Zalo từ chối yêu cầu kiểm tra; xem chi tiết kỹ thuật bên dưới."
)

// Check asks Zalo for the OA's profile (GET /v2.0/oa/getoa), refreshing the
// token first if it is about to expire, exactly as Publish would.
func (z *Zalo) Check(ctx context.Context) channels.CheckResult {
	res, err := z.do(ctx, apiRequest{op: "check OA", method: http.MethodGet, path: "/v2.0/oa/getoa"})
	if err != nil {
		ce := channels.AsError(err)
		return channels.CheckResult{Reason: checkReason(err), Detail: err.Error(), NeedsReauth: ce.NeedsReauth}
	}
	var data struct {
		Name string `json:"name"`
		OAID any    `json:"oa_id"`
	}
	if len(res.data) > 0 && platform.DecodeNumbers(res.data, &data) != nil {
		return channels.CheckResult{Reason: reasonRejected, Detail: "zalo: check OA: unexpected data " + z.snippet(res.data)}
	}
	account := oneLine(data.Name)
	if account == "" {
		account = platform.StringOrNumber(data.OAID)
	}
	return channels.CheckResult{OK: true, Account: account}
}

func checkReason(err error) string {
	var ae *APIError
	switch {
	case errors.Is(err, ErrRefreshRejected):
		return reasonRefreshDead
	case errors.Is(err, ErrNoStore):
		return reasonNoStore
	case isTokenError(err):
		return reasonTokenDead
	case errors.As(err, &ae) && (ae.Code == codeOADisabled || ae.Code == codeOANotFound):
		return reasonOAGone
	case channels.ClassOf(err) == channels.ClassRetryable:
		return reasonTemporary
	}
	return reasonRejected
}
