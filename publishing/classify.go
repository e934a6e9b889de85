package publishing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/loa-vn/loa/storage"
)

// maxCodeLen bounds a vocabulary code as given.
const maxCodeLen = 40

// Rules an InvalidError about a classification may name.
const (
	RuleUnknownCode     = "unknown_code"
	RuleForeignActivity = "foreign_activity"
)

// Classify reads what a post, schedule or source carries out as a person
// gives it — a content area's and an audience's code ("" for none) and a
// plan activity's id (0 for none) — without looking anything up; Check
// classification then looks them up. Errors are *InvalidError.
func Classify(contentArea, audience string, activityID int64) (storage.Classification, error) {
	c := storage.Classification{ContentArea: strings.TrimSpace(contentArea), AudienceCode: strings.TrimSpace(audience)}
	for field, code := range map[string]string{"content_area": c.ContentArea, "audience_code": c.AudienceCode} {
		if len(code) > maxCodeLen {
			return c, &InvalidError{Field: field, Rule: RuleUnknownCode, Message: "is not a known code"}
		}
	}
	switch {
	case activityID < 0:
		return c, &InvalidError{Field: "activity_id", Rule: RuleBadValue, Message: "must be an activity id"}
	case activityID > 0:
		c.ActivityID = &activityID
	}
	return c, nil
}

// CheckClassification is the one check of a classification against the
// lists and plans: each code must name an enabled term of its list, and
// the activity must belong to a plan of agency, the post's (or schedule's,
// or source's) own. Errors are *InvalidError.
func (s *Service) CheckClassification(ctx context.Context, agency int64, c storage.Classification) error {
	for _, t := range []struct{ field, kind, code string }{
		{"content_area", storage.VocabContentArea, c.ContentArea},
		{"audience_code", storage.VocabAudience, c.AudienceCode},
	} {
		if t.code == "" {
			continue
		}
		term, err := s.store.VocabTermByCode(ctx, t.kind, t.code)
		if errors.Is(err, storage.ErrNotFound) || err == nil && term.DisabledAt != nil {
			return &InvalidError{Field: t.field, Rule: RuleUnknownCode,
				Message: fmt.Sprintf("%q is not a code of the %s list", t.code, t.kind)}
		}
		if err != nil {
			return fmt.Errorf("publishing: check %s: %w", t.field, err)
		}
	}
	if c.ActivityID == nil {
		return nil
	}
	a, err := s.store.GetActivity(ctx, *c.ActivityID)
	if errors.Is(err, storage.ErrNotFound) || err == nil && a.AgencyID != agency {
		// Another agency's activity is refused as a missing one: its
		// existence outside the caller's plans is not theirs to learn.
		return &InvalidError{Field: "activity_id", Rule: RuleForeignActivity,
			Message: fmt.Sprintf("activity %d is not in the plans of agency %d", *c.ActivityID, agency)}
	}
	if err != nil {
		return fmt.Errorf("publishing: check activity: %w", err)
	}
	return nil
}
