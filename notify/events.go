package notify

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// attemptEvents reads one batch of attempts that left a delivery failed or
// unconfirmed. A delivery tried again since (or no longer failed) is not
// told about: a later attempt decides.
func (n *Notifier) attemptEvents(ctx context.Context, mark storage.NotifierMark, upTo time.Time) (int, storage.NotifierMark, []storage.Notification, error) {
	as, err := n.store.FinishedBadAttempts(ctx, mark, upTo, n.batch)
	if err != nil || len(as) == 0 {
		return 0, mark, nil, err
	}
	last := as[len(as)-1]
	next := storage.NotifierMark{Source: mark.Source, At: *last.FinishedAt, LastID: last.ID}
	ids := make([]int64, len(as))
	for i, a := range as {
		ids[i] = a.DeliveryID
	}
	ds, err := n.store.DeliveriesByID(ctx, ids)
	if err != nil {
		return 0, mark, nil, err
	}
	var postIDs, chIDs []int64
	for _, d := range ds {
		postIDs, chIDs = append(postIDs, d.PostID), append(chIDs, d.ChannelID)
	}
	posts, err := n.store.PostsByID(ctx, postIDs)
	if err != nil {
		return 0, mark, nil, err
	}
	chs, err := n.store.ChannelsByID(ctx, chIDs)
	if err != nil {
		return 0, mark, nil, err
	}
	r := n.recipients()
	var out []storage.Notification
	for _, a := range as {
		d, ok := ds[a.DeliveryID]
		if !ok || d.Attempts != a.Number || (d.Status != storage.DeliveryFailed && d.Status != storage.DeliveryUnconfirmed) {
			continue
		}
		e, err := n.deliveryEvent(ctx, r, a, d, posts[d.PostID], chs[d.ChannelID])
		if err != nil {
			return 0, mark, nil, err
		}
		out = append(out, e.notifications()...)
	}
	return len(as), next, out, nil
}

// deliveryEvent tells those who may retry the delivery, and its post's
// author (who may not retry an unconfirmed one, but must know).
func (n *Notifier) deliveryEvent(ctx context.Context, r *recipients, a storage.Attempt, d storage.Delivery, p storage.Post, ch storage.Channel) (event, error) {
	e := event{kind: storage.NotifyDeliveryFailed, subject: d.ID, key: eventKey("attempt", a.ID),
		text: fmt.Sprintf("Gửi tin «%s» lên kênh %s không thành công.", short(p.Title), short(ch.Name))}
	if d.Status == storage.DeliveryUnconfirmed {
		e.kind = storage.NotifyDeliveryUnconfirmed
		e.text = fmt.Sprintf("Lượt gửi tin «%s» lên kênh %s chưa xác nhận (cần kiểm tra): hãy xem trên nền tảng tin đã lên chưa.", short(p.Title), short(ch.Name))
	}
	users, err := r.of(ctx, d.AgencyID, func(u storage.User, sub publishing.Subject) bool {
		sub.OwnerID, sub.DeliveryStatus = p.CreatedBy, d.Status
		return u.ID == p.CreatedBy || publishing.Allowed(u, publishing.RetryDelivery, sub) == nil
	})
	e.users = users
	return e, err
}

// auditEvents reads one batch of the audit log for posts that went to
// approval and channels that came to need re-authorising.
func (n *Notifier) auditEvents(ctx context.Context, mark storage.NotifierMark, upTo time.Time) (int, storage.NotifierMark, []storage.Notification, error) {
	es, err := n.store.AuditSince(ctx, mark, upTo, n.batch)
	if err != nil || len(es) == 0 {
		return 0, mark, nil, err
	}
	last := es[len(es)-1]
	next := storage.NotifierMark{Source: mark.Source, At: last.At, LastID: last.ID}
	var postIDs, chIDs []int64
	for _, ev := range es {
		switch {
		case pendingPost(ev):
			postIDs = append(postIDs, ev.EntityID)
		case reauthChannel(ev):
			chIDs = append(chIDs, ev.EntityID)
		}
	}
	posts, err := n.store.PostsByID(ctx, postIDs)
	if err != nil {
		return 0, mark, nil, err
	}
	chs, err := n.store.ChannelsByID(ctx, chIDs)
	if err != nil {
		return 0, mark, nil, err
	}
	r := n.recipients()
	var out []storage.Notification
	for _, ev := range es {
		var e event
		var ok bool
		switch {
		case pendingPost(ev):
			e, ok, err = n.postEvent(ctx, r, ev, posts[ev.EntityID])
		case reauthChannel(ev):
			e, ok, err = n.channelEvent(ctx, r, ev, chs[ev.EntityID])
		}
		if err != nil {
			return 0, mark, nil, err
		}
		if ok {
			out = append(out, e.notifications()...)
		}
	}
	return len(es), next, out, nil
}

func pendingPost(ev storage.AuditEvent) bool {
	return ev.EntityType == storage.EntityPost && ev.ToStatus == storage.PostPendingApproval && ev.FromStatus != storage.PostPendingApproval
}

func reauthChannel(ev storage.AuditEvent) bool {
	return ev.EntityType == storage.EntityChannel && ev.ToStatus == storage.ChannelNeedsReauth && ev.FromStatus != storage.ChannelNeedsReauth
}

// postEvent tells those who may approve the post, while it still waits.
func (n *Notifier) postEvent(ctx context.Context, r *recipients, ev storage.AuditEvent, p storage.Post) (event, bool, error) {
	if p.ID == 0 || p.Status != storage.PostPendingApproval {
		return event{}, false, nil
	}
	users, err := r.of(ctx, p.AgencyID, func(u storage.User, sub publishing.Subject) bool {
		sub.OwnerID = p.CreatedBy
		return u.ID != p.CreatedBy && publishing.Allowed(u, publishing.ApprovePost, sub) == nil
	})
	return event{kind: storage.NotifyPostPending, subject: p.ID, key: eventKey("audit", ev.ID), users: users,
		text: fmt.Sprintf("Tin «%s» đang chờ duyệt.", short(p.Title))}, true, err
}

// channelEvent tells those who may manage the channel, while it still
// needs re-authorising.
func (n *Notifier) channelEvent(ctx context.Context, r *recipients, ev storage.AuditEvent, ch storage.Channel) (event, bool, error) {
	if ch.ID == 0 || ch.Status != storage.ChannelNeedsReauth {
		return event{}, false, nil
	}
	users, err := r.of(ctx, ch.AgencyID, func(u storage.User, sub publishing.Subject) bool {
		return publishing.Allowed(u, publishing.ManageChannels, sub) == nil
	})
	return event{kind: storage.NotifyChannelReauth, subject: ch.ID, key: eventKey("audit", ev.ID), users: users,
		text: fmt.Sprintf("Kênh %s cần Xác thực lại: Loa không gửi được tin lên kênh này cho đến khi quản trị viên xác thực lại.", short(ch.Name))}, true, err
}

// short cuts a title or name to 120 characters for a notification.
func short(s string) string {
	if utf8.RuneCountInString(s) <= 120 {
		return s
	}
	r := []rune(s)
	return string(r[:119]) + "…"
}
