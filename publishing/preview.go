package publishing

import (
	"context"
	"unicode/utf8"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/storage"
)

// Adapters gives the adapter that sends to a stored channel;
// *adapters.ChannelSet is one. Previews build messages through it, so they
// show exactly what the worker would send.
type Adapters interface {
	Get(ch storage.Channel) (channels.Channel, error)
}

// ChannelPreview is what one channel would be sent for a post, or why it
// cannot be shown (Error, in Vietnamese).
type ChannelPreview struct {
	DeliveryID int64
	ChannelID  int64
	Channel    string
	Kind       string
	Preview    *channels.Preview
	Error      string
}

// Preview shows exactly what delivery d of post p would hand its channel's
// platform: the adapter's own preview, or, for an adapter without one, the
// title it would send.
func (s *Service) Preview(ctx context.Context, p storage.Post, d storage.Delivery) ChannelPreview {
	v := ChannelPreview{DeliveryID: d.ID, ChannelID: d.ChannelID}
	ch, err := s.store.GetChannel(ctx, d.ChannelID)
	if err != nil {
		v.Error = "kênh không còn tồn tại"
		return v
	}
	v.Channel, v.Kind = ch.Name, ch.Kind
	if s.adapters == nil {
		v.Error = "không dựng được kênh: máy chủ chưa nạp các loại kênh"
		return v
	}
	adapter, err := s.adapters.Get(ch)
	if err != nil {
		s.log.Warn("preview: cannot build channel", "channel_id", ch.ID, "err", err)
		v.Error = "không dựng được kênh: cấu hình kênh không hợp lệ hoặc không mở được"
		return v
	}
	msg := MessageFor(p, d)
	if previewer, ok := adapter.(channels.Previewer); ok {
		pv := previewer.Preview(msg)
		if pv.Warnings == nil {
			pv.Warnings = []string{}
		}
		v.Preview = &pv
		return v
	}
	v.Preview = &channels.Preview{Text: msg.Title, Length: utf8.RuneCountInString(msg.Title), Unit: "ký tự",
		Fields: map[string]string{"title": msg.Title, "summary": msg.Summary}, Warnings: []string{}}
	return v
}

// PreviewDraft applies everything Submit would to author's d, stores
// nothing, and previews at most max of the channels it resolves to (a
// selector may find thousands). It returns how many channels there are in
// all; a broken rule is the error Submit would return.
func (s *Service) PreviewDraft(ctx context.Context, author storage.User, d Draft, max int) ([]ChannelPreview, int, error) {
	pp, err := s.prepare(ctx, author, d)
	if err != nil {
		return nil, 0, err
	}
	p := pp.post
	if pp.slot != nil && len(pp.slot.Candidates) > 0 {
		p.PublishAt = pp.slot.Candidates[0] // the earliest the post could take
	}
	out := make([]ChannelPreview, 0, min(max, len(pp.channels)))
	for _, id := range pp.channels[:min(max, len(pp.channels))] {
		d := storage.Delivery{ChannelID: id, ScheduledAt: p.PublishAt, NextAttemptAt: p.PublishAt}
		if v, ok := pp.variants[id]; ok {
			d.Variant = &v
		}
		out = append(out, s.Preview(ctx, p, d))
	}
	return out, len(pp.channels), nil
}
