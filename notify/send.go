package notify

import (
	"context"
	"strconv"
	"strings"

	"github.com/loa-vn/loa/storage"
)

// Path is where a notification leads, on Loa's web pages: the post to
// approve, the delivery in the delivery log, the channel to re-authorise.
func Path(n storage.Notification) string {
	id := strconv.FormatInt(n.SubjectID, 10)
	switch n.Kind {
	case storage.NotifyPostPending:
		return "/posts/" + id
	case storage.NotifyDeliveryFailed, storage.NotifyDeliveryUnconfirmed:
		return "/deliveries?delivery=" + id
	case storage.NotifyChannelReauth:
		return "/channels/" + id
	}
	return "/notifications"
}

// subjects are e-mail subjects by kind.
var subjects = map[string]string{
	storage.NotifyPostPending:         "Có tin chờ duyệt",
	storage.NotifyDeliveryFailed:      "Gửi tin không thành công",
	storage.NotifyDeliveryUnconfirmed: "Lượt gửi chưa xác nhận (cần kiểm tra)",
	storage.NotifyChannelReauth:       "Kênh cần xác thực lại",
}

// email is the message telling m's user about m.
func (n *Notifier) email(m storage.Mail) Email {
	subject := subjects[m.Kind]
	if subject == "" {
		subject = "Thông báo mới"
	}
	body := strings.Join([]string{
		"Kính gửi " + m.UserName + ",",
		"",
		m.Text,
		"",
		"Xem chi tiết: " + n.publicURL + Path(m.Notification),
		"Mọi thông báo: " + n.publicURL + "/notifications",
		"",
		"Thư này do Loa gửi tự động, vui lòng không trả lời.",
	}, "\n")
	return Email{To: m.Email, ToName: m.UserName, Subject: "Loa: " + subject, Body: body}
}

// mail e-mails notifications not yet sent, each once: it is claimed
// before sending (so two workers never send it together) and marked sent
// after. A failure is tried again at the next scan, mailAttempts times.
func (n *Notifier) mail(ctx context.Context) error {
	ms, err := n.store.ClaimUnsentMail(ctx, n.now().Add(-mailWindow), mailAttempts, mailBatch, mailLease)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := n.mailer.Send(ctx, n.email(m)); err != nil {
			n.log.Warn("notify: e-mail not sent; tried again at the next scan", "notification_id", m.ID,
				"user_id", m.UserID, "attempt", m.EmailAttempts+1, "err", err)
			continue
		}
		if err := n.store.MarkEmailed(ctx, m.ID); err != nil {
			return err
		}
	}
	return nil
}
