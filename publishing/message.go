package publishing

import (
	"strconv"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/storage"
)

// MessageFor is what delivery d of post p hands its channel: the post with
// the channel's variant applied. Previews use it too, so they show exactly
// what is sent.
func MessageFor(p storage.Post, d storage.Delivery) channels.Message {
	var v content.Variant
	if d.Variant != nil {
		v = *d.Variant
	}
	return channels.Message{
		DeliveryID:     d.ID,
		PostID:         p.ID,
		ChannelID:      d.ChannelID,
		IdempotencyKey: "loa-delivery-" + strconv.FormatInt(d.ID, 10),
		Title:          or(v.Title, p.Title),
		Summary:        or(v.Summary, p.Summary),
		BodyHTML:       or(v.Body, p.Body),
		Text:           v.Text,
		Link:           or(v.Link, p.Link),
		ImageURL:       or(v.ImageURL, p.ImageURL),
		Category:       p.Category,
		Audience:       p.Audience,
		Priority:       or(v.Priority, or(p.Priority, channels.PriorityNormal)),
		ScheduledAt:    d.ScheduledAt,
		Attempt:        d.Attempts,
	}
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
