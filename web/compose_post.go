package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// maxPostDeliveries and maxHistory bound the lists on a post's page (a
// province-wide post has thousands of deliveries).
const (
	maxPostDeliveries = 200
	maxHistory        = 500
)

// doneMessages say what a form just did, after its redirect.
var doneMessages = map[string]string{
	"draft":  "Đã lưu nháp. Tin chưa được gửi đi; bấm Gửi duyệt khi đã xong.",
	"submit": "Đã gửi tin.",
	"edit":   "Đã lưu thay đổi.",
	"cancel": "Đã hủy tin: các lượt gửi chưa bắt đầu sẽ không được gửi.",
}

type postDeliveryRow struct {
	ID                   int64
	Channel, Kind        string
	Status, When, Error  string
	Attempts             int
	ExternalURL          string
	DeliveredAt, Updated string
}

type historyRow struct {
	When, Actor, Action, From, To, Detail string
}

// postPageView is a post's page: what it is, where it goes, what happened.
type postPageView struct {
	Post           storage.Post
	Body           template.HTML
	Author         string
	PublishAt      string
	Created        string
	Zone           string
	Done           string
	Deliveries     []postDeliveryRow
	DeliveriesMore int
	History        []historyRow
	CanCancel      bool
	CSRF           string
	// Compose is the edit form, when the post can still change.
	Compose *composeView
	// Previews show what each channel gets as the post stands, when
	// there is no edit form (which shows them itself).
	Previews composeView
}

// loadPost returns post id and its deliveries if u may see it; outside
// u's agencies it is a *NotFoundError like a missing post.
func (p *Pages) loadPost(ctx context.Context, u storage.User, id int64) (storage.Post, []storage.Delivery, error) {
	post, ds, err := p.store.GetPost(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return post, nil, &publishing.NotFoundError{What: "post"}
	}
	if err != nil {
		return post, nil, err
	}
	return post, ds, p.pub.Authorize(ctx, u, publishing.View, "post", post.AgencyID, post.CreatedBy)
}

func postID(c echo.Context) int64 {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// postPage is a post's page.
func (p *Pages) postPage(c echo.Context) error {
	return p.renderPost(c, http.StatusOK, postID(c), nil, doneMessages[c.QueryParam("done")])
}

// renderPost renders post id's page; form, when set, is the edit form as
// the user sent it (with errors or previews).
func (p *Pages) renderPost(c echo.Context, status int, id int64, form *composeView, done string) error {
	u := currentUser(c)
	ctx := c.Request().Context()
	post, ds, err := p.loadPost(ctx, u, id)
	if err != nil {
		return p.refused(c, err)
	}
	v, err := p.postData(c, u, post, ds)
	if err != nil {
		return p.failed(c, err)
	}
	v.Done, v.CSRF = done, currentSession(c).CSRFToken
	if editable(post) && p.pub.Authorize(ctx, u, publishing.EditPost, "post", post.AgencyID, post.CreatedBy) == nil {
		if form == nil {
			f, err := p.postForm(c, u, post)
			if err != nil {
				return p.failed(c, err)
			}
			form = &f
		}
		form.CSRF = v.CSRF
		v.Compose = form
	}
	switch {
	case v.Compose == nil:
		v.Previews = p.storedPreviews(c, u, post, ds)
	case !v.Compose.Previewed:
		stored := p.storedPreviews(c, u, post, ds)
		v.Compose.Previewed, v.Compose.Previews = stored.Previewed, stored.Previews
		v.Compose.PreviewTotal, v.Compose.PreviewMore = stored.PreviewTotal, stored.PreviewMore
	}
	title := "Tin: " + post.Title
	return p.render(c, status, "post", view{Title: title, User: &u, CSRF: v.CSRF, Data: v})
}

// editable says whether to offer the edit form; Edit itself refuses a
// post that has started going out since.
func editable(post storage.Post) bool {
	switch post.Status {
	case storage.PostDraft, storage.PostPendingApproval, storage.PostScheduled, storage.PostRejected:
		return true
	}
	return false
}

// postForm is the edit form filled from the post.
func (p *Pages) postForm(c echo.Context, u storage.User, post storage.Post) (composeView, error) {
	v, err := p.composeData(c, u, formFromPost(post, p.loc, p.now()))
	v.Action, v.PostID, v.Fixed = postURL(post.ID, ""), post.ID, post.Status != storage.PostDraft
	return v, err
}

func (p *Pages) postData(c echo.Context, u storage.User, post storage.Post, ds []storage.Delivery) (postPageView, error) {
	ctx := c.Request().Context()
	v := postPageView{Post: post, Body: template.HTML(post.Body), // stored bodies are sanitised on the way in (content.CleanPost)
		PublishAt: localTime(post.PublishAt, p.loc), Created: localTime(post.CreatedAt, p.loc),
		Zone: zoneLabel(p.loc, post.PublishAt), CanCancel: cancelable(post) &&
			p.pub.Authorize(ctx, u, publishing.CancelPost, "post", post.AgencyID, post.CreatedBy) == nil}
	v.Author = "Tin tự động"
	if author, err := p.store.GetUser(ctx, post.CreatedBy); err == nil {
		v.Author = author.Name
	}
	names, kinds, err := p.channelLabels(ctx, u)
	if err != nil {
		return v, err
	}
	for _, d := range ds {
		if len(v.Deliveries) == maxPostDeliveries {
			v.DeliveriesMore++
			continue
		}
		v.Deliveries = append(v.Deliveries, p.deliveryRow(d, names, kinds))
	}
	events, err := p.store.History(ctx, storage.EntityPost, post.ID)
	if err != nil {
		return v, err
	}
	for _, e := range events[max(0, len(events)-maxHistory):] {
		v.History = append(v.History, historyRow{When: localTime(e.At, p.loc), Actor: actorName(e.Actor),
			Action: auditAction(e.Action), From: e.FromStatus, To: e.ToStatus, Detail: historyDetail(e)})
	}
	return v, nil
}

func (p *Pages) deliveryRow(d storage.Delivery, names map[int64]string, kinds map[int64]string) postDeliveryRow {
	r := postDeliveryRow{ID: d.ID, Channel: names[d.ChannelID], Kind: kinds[d.ChannelID], Status: d.Status,
		When: localTime(d.ScheduledAt, p.loc), Attempts: d.Attempts, Error: explainReason(d.LastError, 0), ExternalURL: d.ExternalURL}
	if r.Channel == "" {
		r.Channel = "Kênh số " + strconv.FormatInt(d.ChannelID, 10)
	}
	if d.DeliveredAt != nil {
		r.DeliveredAt = localTime(*d.DeliveredAt, p.loc)
	}
	return r
}

// channelLabels are the names and kinds of the channels u can see.
func (p *Pages) channelLabels(ctx context.Context, u storage.User) (map[int64]string, map[int64]string, error) {
	chs, err := p.store.ListChannels(ctx, u.AgencyID)
	if err != nil {
		return nil, nil, err
	}
	names, kinds := make(map[int64]string, len(chs)), make(map[int64]string, len(chs))
	for _, ch := range chs {
		names[ch.ID], kinds[ch.ID] = ch.Name, kindLabel(ch.Kind)
	}
	return names, kinds, nil
}

// cancelable says whether to offer "Hủy": something may still not go out.
func cancelable(post storage.Post) bool {
	return post.Status == storage.PostDraft || post.Status == storage.PostPendingApproval || post.Status == storage.PostScheduled
}

// storedPreviews show what each channel gets as the post is stored: a
// draft as it would be submitted (nothing when it is not complete yet), a
// post through its deliveries.
func (p *Pages) storedPreviews(c echo.Context, u storage.User, post storage.Post, ds []storage.Delivery) composeView {
	var v composeView
	if post.Status == storage.PostDraft {
		f := formFromPost(post, p.loc, p.now())
		d := f.draft(u, post.DraftPlan.PublishAt)
		d.AgencyID = post.AgencyID
		if err := p.previewDraft(c, u, d, &v); err != nil {
			return composeView{}
		}
		return v
	}
	p.previewDeliveries(c, post, ds, &v)
	return v
}

// previewDeliveries fills v with the previews of post's deliveries.
func (p *Pages) previewDeliveries(c echo.Context, post storage.Post, ds []storage.Delivery, v *composeView) {
	var pvs []publishing.ChannelPreview
	for _, d := range ds[:min(len(ds), maxPreviews)] {
		d.ScheduledAt = post.PublishAt
		pvs = append(pvs, p.pub.Preview(c.Request().Context(), post, d))
	}
	v.Previewed, v.PreviewTotal, v.PreviewMore = true, len(ds), len(ds)-len(pvs)
	v.Previews = previewRows(pvs)
}

// actorName is the audit log's actor as a person reads it.
func actorName(actor string) string {
	if i, j := strings.Index(actor, "("), strings.LastIndex(actor, ")"); strings.HasPrefix(actor, "user:") && i > 0 && j > i {
		return actor[i+1 : j]
	}
	if strings.HasPrefix(actor, "system") {
		return "Hệ thống"
	}
	return actor
}

// auditActions are the post history's actions in Vietnamese.
var auditActions = map[string]string{
	"created": "Tạo tin", "drafted": "Lưu nháp", "edited": "Sửa tin", "submitted": "Gửi tin từ bản nháp",
	"approved": "Duyệt", "rejected": "Từ chối", "canceled": "Hủy", "retry_requested": "Yêu cầu gửi lại",
	"schedule_paused": "Tạm dừng lịch định kỳ",
}

func auditAction(action string) string {
	if a, ok := auditActions[action]; ok {
		return a
	}
	if status, ok := strings.CutPrefix(action, "delivery_"); ok {
		return "Kết quả gửi: " + deliveryStatus(status)
	}
	return "Thay đổi khác"
}

// historyDetail is the part of an event's detail a person wrote (a
// rejection's reason); the rest is for the API's readers.
func historyDetail(e storage.AuditEvent) string {
	if e.Action == "rejected" {
		return e.Detail
	}
	return ""
}
