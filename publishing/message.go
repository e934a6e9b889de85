package publishing

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/storage"
)

// MessageFor is what delivery d of post p hands its channel: the post with
// the channel's variant applied. Previews use it too, so they show exactly
// what is sent.
func MessageFor(p storage.Post, d storage.Delivery) (channels.Message, error) {
	var v content.Variant
	if d.Variant != "" {
		if err := json.Unmarshal([]byte(d.Variant), &v); err != nil {
			return channels.Message{}, fmt.Errorf("publishing: variant of delivery %d: %w", d.ID, err)
		}
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
	}, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
