package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// approvalsPageSize is how many waiting posts one page of the queue
// shows; approvalsHistory caps the history shown for each.
const (
	approvalsPageSize = 20
	approvalsHistory  = 50
)

// approvalsView is the Duyệt tin page.
type approvalsView struct {
	Zone       string
	MayApprove bool
	Posts      []*approvalItem
	// Before is this page's cursor (0 on the first); Next the next page's.
	Before, Next int64
	Notice       string
	Error        string
	MaxReason    int
}

// approvalItem is one post waiting for approval.
type approvalItem struct {
	ID        int64
	Title     string
	Summary   string
	Body      template.HTML
	Author    string
	Agency    string
	Channels  []string
	When      string
	Submitted string
	History   []approvalHistoryRow
	// Reason and ReasonError keep a refused rejection's text and why.
	Reason      string
	ReasonError string
}

// approvalHistoryRow is one audit entry of a post, in Vietnamese.
type approvalHistoryRow struct {
	When, Who, What, Change, Detail string
}

// approvalsData reads one page of the queue in u's agency subtree: posts
// waiting for approval with id below before (0: from the newest).
func (p *Pages) approvalsData(ctx context.Context, u storage.User, before int64) (approvalsView, error) {
	v := approvalsView{Zone: zoneLabel(p.loc, p.now()), Before: before, MaxReason: publishing.MaxRejectReason,
		MayApprove: publishing.Allowed(u, publishing.ApprovePost, publishing.Subject{}) == nil}
	posts, err := p.store.ListPosts(ctx, storage.PostFilter{Agency: u.AgencyID, Status: storage.PostPendingApproval,
		BeforeID: before, Limit: approvalsPageSize + 1})
	if err != nil {
		return v, fmt.Errorf("web: list posts waiting for approval: %w", err)
	}
	if len(posts) > approvalsPageSize {
		posts = posts[:approvalsPageSize]
		v.Next = posts[len(posts)-1].ID
	}
	names, err := p.loadApprovalNames(ctx, u)
	if err != nil {
		return v, err
	}
	for _, post := range posts {
		item, err := p.approvalItem(ctx, post, names)
		if err != nil {
			return v, err
		}
		v.Posts = append(v.Posts, item)
	}
	return v, nil
}

// approvalNames looks up and remembers the names the queue shows: users,
// agencies and the channels of u's subtree.
type approvalNames struct {
	store    *storage.Store
	users    map[int64]string
	agencies map[int64]string
	channels map[int64]string
}

func (p *Pages) loadApprovalNames(ctx context.Context, u storage.User) (*approvalNames, error) {
	n := &approvalNames{store: p.store, users: map[int64]string{}, agencies: map[int64]string{}, channels: map[int64]string{}}
	chs, err := p.store.ListChannels(ctx, u.AgencyID)
	if err != nil {
		return nil, fmt.Errorf("web: list channels for approvals: %w", err)
	}
	for _, ch := range chs {
		n.channels[ch.ID] = ch.Name
	}
	return n, nil
}

func (n *approvalNames) user(ctx context.Context, id int64) (string, error) {
	if name, ok := n.users[id]; ok {
		return name, nil
	}
	u, err := n.store.GetUser(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		u.Name = "Người dùng số " + strconv.FormatInt(id, 10)
	} else if err != nil {
		return "", fmt.Errorf("web: author of a post: %w", err)
	}
	n.users[id] = u.Name
	return u.Name, nil
}

func (n *approvalNames) agency(ctx context.Context, id int64) (string, error) {
	if name, ok := n.agencies[id]; ok {
		return name, nil
	}
	a, err := n.store.GetAgency(ctx, id)
	if err != nil {
		return "", fmt.Errorf("web: agency of a post: %w", err)
	}
	n.agencies[id] = a.Name
	return a.Name, nil
}

func (n *approvalNames) channel(id int64) string {
	if name, ok := n.channels[id]; ok {
		return name
	}
	return "Kênh số " + strconv.FormatInt(id, 10)
}

// approvalItem gathers what an editor needs to decide on post.
func (p *Pages) approvalItem(ctx context.Context, post storage.Post, names *approvalNames) (*approvalItem, error) {
	_, ds, err := p.store.GetPost(ctx, post.ID)
	if err != nil {
		return nil, fmt.Errorf("web: deliveries of post %d: %w", post.ID, err)
	}
	item := &approvalItem{ID: post.ID, Title: post.Title, Summary: post.Summary,
		// Stored bodies are sanitised on the way in; sanitising again on
		// the way out keeps the page safe whatever wrote the row.
		Body:      template.HTML(content.SanitizeHTML(post.Body)),
		When:      localTime(post.PublishAt, p.loc),
		Submitted: localTime(post.CreatedAt, p.loc)}
	if item.Author, err = p.approvalAuthor(ctx, post, names); err != nil {
		return nil, err
	}
	if item.Agency, err = names.agency(ctx, post.AgencyID); err != nil {
		return nil, err
	}
	for _, d := range ds {
		item.Channels = append(item.Channels, names.channel(d.ChannelID))
	}
	events, err := p.store.History(ctx, storage.EntityPost, post.ID)
	if err != nil {
		return nil, fmt.Errorf("web: history of post %d: %w", post.ID, err)
	}
	if len(events) > approvalsHistory {
		events = events[len(events)-approvalsHistory:]
	}
	for _, e := range events {
		item.History = append(item.History, p.approvalHistory(e))
	}
	return item, nil
}

// approvalAuthor names who made the post: a person, or the schedule or feed
// source that created it.
func (p *Pages) approvalAuthor(ctx context.Context, post storage.Post, names *approvalNames) (string, error) {
	switch {
	case post.CreatedBy != 0:
		return names.user(ctx, post.CreatedBy)
	case post.ScheduleID != nil:
		return "Lịch định kỳ số " + strconv.FormatInt(*post.ScheduleID, 10), nil
	case post.SourceID != nil:
		return "Nguồn tin số " + strconv.FormatInt(*post.SourceID, 10), nil
	}
	return "Hệ thống", nil
}

// approvalHistoryActions names the audit actions on a post.
var approvalHistoryActions = map[string]string{
	"created": "Tạo tin", "approved": "Duyệt", "rejected": "Từ chối", "edited": "Sửa tin",
	"canceled": "Hủy", "retry_requested": "Yêu cầu gửi lại", "schedule_paused": "Tạm dừng lịch định kỳ",
}

// approvalPostStatuses adds the post-only statuses to the delivery statuses' names.
var approvalPostStatuses = map[string]string{"published": "Đã đăng", "partial": "Đã đăng một phần"}

func approvalStatusName(s string) string {
	if v, ok := approvalPostStatuses[s]; ok {
		return v
	}
	return deliveryStatus(s)
}

// approvalHistory writes one audit entry in Vietnamese. Only a rejection's
// detail is shown: it is the reason a person wrote; other details are
// technical notes in English.
func (p *Pages) approvalHistory(e storage.AuditEvent) approvalHistoryRow {
	what, ok := approvalHistoryActions[e.Action]
	if !ok && strings.HasPrefix(e.Action, "delivery_") {
		what, ok = "Lượt gửi: "+approvalStatusName(strings.TrimPrefix(e.Action, "delivery_")), true
	}
	if !ok {
		what = "Thay đổi"
	}
	r := approvalHistoryRow{When: localTime(e.At, p.loc), Who: approvalActor(e.Actor), What: what}
	switch {
	case e.FromStatus != "" && e.ToStatus != "":
		r.Change = approvalStatusName(e.FromStatus) + " → " + approvalStatusName(e.ToStatus)
	case e.ToStatus != "":
		r.Change = approvalStatusName(e.ToStatus)
	}
	if e.Action == "rejected" {
		r.Detail = e.Detail
	}
	return r
}

// approvalActor turns the audit log's actor ("user:12 (Nguyễn Văn An)",
// "schedule:3", "system:worker") into words.
func approvalActor(actor string) string {
	kind, rest, _ := strings.Cut(actor, ":")
	switch kind {
	case "user":
		if i := strings.Index(rest, " ("); i >= 0 && strings.HasSuffix(rest, ")") {
			return rest[i+2 : len(rest)-1]
		}
		return "Người dùng số " + rest
	case "schedule":
		return "Lịch định kỳ số " + rest
	case "source":
		return "Nguồn tin số " + rest
	case "system":
		return "Hệ thống"
	}
	return actor
}

// refuseReason keeps the typed reason and says why it was refused, next
// to post id's rejection form.
func (v *approvalsView) refuseReason(id int64, msg, reason string) {
	for _, item := range v.Posts {
		if item.ID == id {
			item.Reason, item.ReasonError = reason, msg
		}
	}
}
