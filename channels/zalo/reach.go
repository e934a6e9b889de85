package zalo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/platform"
)

// maxArticleIDLen bounds the ids ReadReach puts in a URL.
const maxArticleIDLen = 200

// ReadReach reads how many times the article externalID was viewed: the
// total_view of GET /v2.0/article/getdetail?id=…. An article Zalo refuses
// to describe (gone, or an id it does not know) or a detail without
// total_view gives an unavailable Reach, not an error; a refused token,
// the rate limit or an outage are errors, tried again at the next read.
func (z *Zalo) ReadReach(ctx context.Context, externalID string) (channels.Reach, error) {
	if externalID == "" || len(externalID) > maxArticleIDLen {
		return channels.Reach{Unavailable: "zalo: the delivery's external id is not an article id"}, nil
	}
	res, err := z.do(ctx, apiRequest{op: "read article detail", method: http.MethodGet,
		path: "/v2.0/article/getdetail?id=" + url.QueryEscape(externalID)})
	if err != nil {
		if reason, ok := unavailableReason(err); ok {
			return channels.Reach{Unavailable: reason}, nil
		}
		return channels.Reach{}, err
	}
	var data struct {
		TotalView any `json:"total_view"`
	}
	if len(res.data) == 0 || platform.DecodeNumbers(res.data, &data) != nil {
		return channels.Reach{}, channels.Retryable(fmt.Errorf("zalo: read article detail: unexpected data %s", z.snippet(res.data)), 0).WithStatus(res.status)
	}
	if data.TotalView == nil {
		return channels.Reach{Unavailable: "zalo: the article detail carries no total_view"}, nil
	}
	views, err := strconv.ParseInt(platform.StringOrNumber(data.TotalView), 10, 64)
	if err != nil || views < 0 {
		return channels.Reach{Unavailable: "zalo: the article detail's total_view is not a whole number"}, nil
	}
	return channels.Reach{Metrics: map[string]int64{channels.MetricViews: views}}, nil
}

// unavailableReason turns Zalo's refusals that asking again cannot change
// (a bad parameter such as an unknown article, a disabled OA) into the
// reason reach is unavailable; token, quota and transport failures stay
// errors.
func unavailableReason(err error) (string, bool) {
	var ae *APIError
	if !errors.As(err, &ae) || isTokenError(err) {
		return "", false
	}
	if channels.ClassOf(err) != channels.ClassPermanent {
		return "", false
	}
	return err.Error(), true
}
