package facebook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/loa-vn/loa/channels"
)

const (
	// findLookback widens the search window before the scheduled time, for
	// clocks that disagree a little and posts sent just before schedule.
	findLookback = 10 * time.Minute
	findPageSize = 25
	// maxFindPages bounds the search; a Page posting more than
	// findPageSize*maxFindPages times in the window needs a human look.
	maxFindPages = 20
)

// postList is a page of GET /{page-id}/posts.
type postList struct {
	Data []struct {
		ID      string `json:"id"`
		Message string `json:"message"`
	} `json:"data"`
	Paging struct {
		Next string `json:"next"`
	} `json:"paging"`
}

// Find looks among the Page's posts since shortly before msg.ScheduledAt
// for one whose text is exactly what Publish sends for msg. Graph has no
// idempotency key, so this is how an ambiguous attempt is resolved.
func (f *Facebook) Find(ctx context.Context, msg channels.Message) (channels.Receipt, bool, error) {
	p := buildPost(msg)
	if p.check() != nil {
		// Publish refuses such a message before calling Graph, so no
		// earlier attempt can have landed.
		return channels.Receipt{}, false, nil
	}
	query := url.Values{"fields": {"id,message,created_time"}, "limit": {strconv.Itoa(findPageSize)}}
	if !msg.ScheduledAt.IsZero() {
		query.Set("since", strconv.FormatInt(msg.ScheduledAt.Add(-findLookback).Unix(), 10))
	}
	for range maxFindPages {
		list, status, err := f.listPosts(ctx, query)
		if err != nil {
			return channels.Receipt{}, false, err
		}
		for _, post := range list.Data {
			if post.Message == p.message && post.ID != "" {
				return channels.Receipt{ExternalID: post.ID, ExternalURL: postURL(post.ID), HTTPStatus: status}, true, nil
			}
		}
		next, ok := nextPageQuery(list.Paging.Next)
		if !ok {
			return channels.Receipt{}, false, nil
		}
		query = next
	}
	return channels.Receipt{}, false, channels.Permanent(fmt.Errorf(
		"facebook: could not tell whether an earlier attempt landed: the Page has more than %d posts since %s; look for the post on the Page and mark the delivery by hand",
		findPageSize*maxFindPages, msg.ScheduledAt.Add(-findLookback).UTC().Format(time.RFC3339)))
}

func (f *Facebook) listPosts(ctx context.Context, query url.Values) (postList, int, error) {
	res, err := f.get(ctx, "posts", query)
	if err != nil {
		return postList{}, 0, err
	}
	if !res.ok() {
		return postList{}, 0, f.failure("list the Page's recent posts", res)
	}
	var list postList
	if err := json.Unmarshal(res.body, &list); err != nil {
		// Listing changes nothing, so asking again later is safe.
		return postList{}, 0, channels.Retryable(fmt.Errorf(
			"facebook: could not list the Page's recent posts: Graph answered HTTP %d with unexpected content (%s); Loa will retry",
			res.status, f.bodySnippet(res)), 0).WithStatus(res.status)
	}
	return list, res.status, nil
}

// nextPageQuery takes the query of Graph's paging.next link (cursor- or
// time-based alike). Only the query is reused: requests always go to the
// configured Graph address, with the token added again by get.
func nextPageQuery(next string) (url.Values, bool) {
	if next == "" {
		return nil, false
	}
	u, err := url.Parse(next)
	if err != nil {
		return nil, false
	}
	q := u.Query()
	q.Del("access_token")
	return q, len(q) > 0
}

// Check reads the Page's id and name with the configured token.
func (f *Facebook) Check(ctx context.Context) channels.CheckResult {
	res, err := f.get(ctx, "", url.Values{"fields": {"id,name"}})
	if err != nil {
		return channels.CheckResult{
			Reason: "Không kết nối được tới Facebook Graph API; hãy kiểm tra kết nối mạng của máy chủ rồi thử lại.",
			Detail: err.Error(),
		}
	}
	if res.graphErr != nil {
		return f.checkFailure(res.graphErr)
	}
	var page struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if !res.ok() || json.Unmarshal(res.body, &page) != nil || page.Name == "" {
		return channels.CheckResult{
			Reason: fmt.Sprintf("Facebook trả lời không đúng định dạng (HTTP %d); hãy kiểm tra địa chỉ api_base_url hoặc thử lại sau.", res.status),
			Detail: fmt.Sprintf("HTTP %d, %s", res.status, f.bodySnippet(res)),
		}
	}
	return channels.CheckResult{OK: true, Account: page.Name}
}

func (f *Facebook) checkFailure(ge *graphError) channels.CheckResult {
	r := channels.CheckResult{Detail: f.describe(ge)}
	switch classify(ge.Code) {
	case classAuth:
		r.Reason = "Mã truy cập của Trang (page token) không còn hiệu lực; cần cấp quyền lại."
		r.NeedsReauth = true
	case classPermission:
		r.Reason = "Mã truy cập không đủ quyền với Trang này; hãy cấp lại quyền pages_manage_posts và pages_read_engagement cho Loa."
	case classParameter:
		r.Reason = "Facebook không tìm thấy Trang theo page_id đã cấu hình, hoặc mã truy cập không đọc được Trang này; hãy kiểm tra lại page_id."
	case classThrottled:
		r.Reason = "Facebook đang giới hạn số lượt gọi API; hãy thử lại sau ít phút."
	case classPolicy:
		r.Reason = "Trang đang bị Facebook tạm chặn vì lý do chính sách; hãy xem Hộp thư hỗ trợ của Trang và thử lại sau vài giờ."
	case classTransient:
		r.Reason = "Facebook đang tạm thời gặp sự cố; hãy thử lại sau ít phút."
	default:
		r.Reason = fmt.Sprintf("Facebook từ chối yêu cầu kiểm tra (mã lỗi %d); xem chi tiết kỹ thuật.", ge.Code)
	}
	return r
}
