package publishing

import (
	"fmt"
	"strconv"
	"time"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/storage"
)

const (
	// pastTolerance lets a client send "now" from a clock slightly behind ours.
	pastTolerance  = time.Minute
	maxScheduleAge = 5 * 365 * 24 * time.Hour
	maxChannels    = 50
	// NextSlotTime is the publish time that asks for the channels' next free slot.
	NextSlotTime = "next_slot"
)

// Fields are a post's text and settings as a person writes them, before
// the rules are applied.
type Fields struct {
	Title, Summary, Body, Category, Audience, Link, ImageURL, Priority string
	// PublishAt is "" for now or an RFC 3339 time; Submit also takes
	// NextSlotTime.
	PublishAt string
	// ContentArea and AudienceCode are codes of the lists ("" for none);
	// ActivityID is the plan activity the post carries out (0 for none).
	// Clean reads them; CheckClassification looks them up.
	ContentArea, AudienceCode string
	ActivityID                int64
}

// Clean applies the post rules (content's field rules and the publish
// time's range) and returns the post they describe; errors are
// *InvalidError naming the field.
func (s *Service) Clean(f Fields) (storage.Post, error) {
	text, fieldErrs := content.CleanPost(content.PostText{
		Title: f.Title, Summary: f.Summary, Body: f.Body, Category: f.Category, Audience: f.Audience,
	})
	if len(fieldErrs) > 0 {
		return storage.Post{}, invalid(fieldErrs[0].Field, fieldErrs[0].Message)
	}
	link, fe := content.CleanURL("link", f.Link)
	if fe != nil {
		return storage.Post{}, invalid(fe.Field, fe.Message)
	}
	image, fe := content.CleanURL("image_url", f.ImageURL)
	if fe != nil {
		return storage.Post{}, invalid(fe.Field, fe.Message)
	}
	priority, fe := content.CleanPriority(f.Priority)
	if fe != nil {
		return storage.Post{}, invalid(fe.Field, fe.Message)
	}
	at, err := s.publishAt(f.PublishAt)
	if err != nil {
		return storage.Post{}, err
	}
	cls, err := Classify(f.ContentArea, f.AudienceCode, f.ActivityID)
	if err != nil {
		return storage.Post{}, err
	}
	return storage.Post{Title: text.Title, Summary: text.Summary, Body: text.Body,
		Category: text.Category, Audience: text.Audience, Link: link, ImageURL: image, Priority: priority,
		PublishAt: at, Classification: cls}, nil
}

func (s *Service) publishAt(raw string) (time.Time, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	if raw == "" {
		return now, nil
	}
	at, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		return time.Time{}, &InvalidError{Field: "publish_at", Rule: RuleBadValue,
			Message: "must be an RFC 3339 time such as 2026-12-01T07:30:00+07:00"}
	}
	switch {
	case at.Before(now.Add(-pastTolerance)):
		return time.Time{}, &InvalidError{Field: "publish_at", Rule: RuleInPast, Message: "is in the past"}
	case at.After(now.Add(maxScheduleAge)):
		return time.Time{}, &InvalidError{Field: "publish_at", Rule: RuleTooFar, Message: "is more than five years ahead"}
	case at.Before(now):
		at = now
	}
	return at.UTC(), nil
}

// Targets applies the rules for a post's (or schedule's, or source's)
// channels and variants: one to fifty distinct channels, variants only for
// those channels and within content's variant rules. Variants are keyed by
// channel id as the client wrote it; empty ones are dropped.
func Targets(channelIDs []int64, variants map[string]content.Variant) (storage.Targets, error) {
	if err := checkChannelIDs(channelIDs); err != nil {
		return storage.Targets{}, err
	}
	vs, err := cleanVariants(variants, channelIDs)
	if err != nil {
		return storage.Targets{}, err
	}
	return storage.Targets{ChannelIDs: channelIDs, Variants: vs}, nil
}

func checkChannelIDs(ids []int64) error {
	if len(ids) == 0 {
		return invalid("channel_ids", "name at least one channel")
	}
	if len(ids) > maxChannels {
		return invalid("channel_ids", fmt.Sprintf("name at most %d channels", maxChannels))
	}
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if id <= 0 {
			return invalid("channel_ids", fmt.Sprintf("unknown channel ids %d", id))
		}
		if seen[id] {
			return invalid("channel_ids", fmt.Sprintf("channel %d is listed twice", id))
		}
		seen[id] = true
	}
	return nil
}

// cleanVariants checks each variant is for one of the channels and applies
// the field rules; it returns the variants by channel.
func cleanVariants(in map[string]content.Variant, chIDs []int64) (map[int64]content.Variant, error) {
	if len(in) == 0 {
		return nil, nil
	}
	allowed := make(map[int64]bool, len(chIDs))
	for _, id := range chIDs {
		allowed[id] = true
	}
	out := make(map[int64]content.Variant, len(in))
	for key, v := range in {
		id, err := strconv.ParseInt(key, 10, 64)
		if err != nil || !allowed[id] {
			return nil, invalid("variants."+key, "is not one of this post's channel_ids")
		}
		clean, errs := content.CleanVariant(v)
		if len(errs) > 0 {
			return nil, invalid("variants."+key+"."+errs[0].Field, errs[0].Message)
		}
		if clean == (content.Variant{}) {
			continue
		}
		out[id] = clean
	}
	return out, nil
}
