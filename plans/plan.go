package plans

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// ActivityInput is an activity as a person gives it.
type ActivityInput struct {
	// ID keeps an existing activity (its posts and records stay with it);
	// 0 adds one.
	ID                    int64
	Code, Title           string
	ContentArea, Audience string
	Forms                 []string
	// TimingKind is a kind, or "" / "range" with TimingFrom and TimingTo.
	TimingKind, TimingFrom, TimingTo string
	Unit                             string
	Target                           *int64
	TargetText                       string
}

// PlanInput is a plan as a person gives it; for a change, nil members
// stay as they are (Activities replaces the whole list when set).
type PlanInput struct {
	// AgencyID is the plan's agency: 0 for the actor's own. It cannot change.
	AgencyID   int64
	Title      *string
	Year       *int
	Reference  *string
	Activities *[]ActivityInput
}

// CreatePlan checks in and stores it as a plan of its agency, for an
// editor or admin of that agency or one above.
func (s *Service) CreatePlan(ctx context.Context, actor storage.User, in PlanInput) (storage.Plan, []storage.PlanActivity, error) {
	if err := publishing.Allowed(actor, publishing.ManagePlans, publishing.Subject{}); err != nil {
		return storage.Plan{}, nil, err
	}
	agency, err := s.pub.AgencyFor(ctx, actor, in.AgencyID)
	if err != nil {
		return storage.Plan{}, nil, err
	}
	if err := s.authorize(ctx, actor, publishing.ManagePlans, "agency", agency); err != nil {
		return storage.Plan{}, nil, err
	}
	p := storage.Plan{AgencyID: agency, CreatedBy: actor.ID}
	var inActs []ActivityInput
	if in.Activities != nil {
		inActs = *in.Activities
	}
	acts, err := s.checkPlan(ctx, &p, in, inActs, nil)
	if err != nil {
		return storage.Plan{}, nil, err
	}
	acts, err = s.store.CreatePlan(ctx, &p, acts, publishing.ActorName(actor))
	if err != nil {
		return storage.Plan{}, nil, fmt.Errorf("plans: create: %w", err)
	}
	s.log.Info("plan created", "plan_id", p.ID, "agency_id", p.AgencyID, "activities", len(acts))
	return p, acts, nil
}

// UpdatePlan changes plan id: its title, year or reference, and, when
// in.Activities is set, its activities — those sent with an id are
// changed and keep it, those without are added, the others removed
// (refused while posts, schedules, sources or records point to them).
func (s *Service) UpdatePlan(ctx context.Context, actor storage.User, id int64, in PlanInput) (storage.Plan, []storage.PlanActivity, error) {
	p, old, err := s.planOf(ctx, actor, publishing.ManagePlans, id)
	if err != nil {
		return p, nil, err
	}
	if in.AgencyID != 0 && in.AgencyID != p.AgencyID {
		return p, nil, invalidf("agency_id", "a plan's agency cannot change")
	}
	inActs := make([]ActivityInput, len(old))
	for i, a := range old {
		inActs[i] = inputOf(a)
	}
	if in.Activities != nil {
		inActs = *in.Activities
	}
	acts, err := s.checkPlan(ctx, &p, in, inActs, old)
	if err != nil {
		return p, nil, err
	}
	p, acts, err = s.store.UpdatePlan(ctx, p, acts, publishing.ActorName(actor))
	var inUse *storage.ActivityInUseError
	switch {
	case errors.As(err, &inUse):
		return p, nil, &publishing.StateError{Code: "activity_in_use", Err: err,
			Message: "activities that posts, schedules, sources or records refer to cannot be removed; keep them (send their id)"}
	case errors.Is(err, storage.ErrNotFound):
		return p, nil, &publishing.NotFoundError{What: "plan"}
	case err != nil:
		return p, nil, fmt.Errorf("plans: update: %w", err)
	}
	return p, acts, nil
}

// inputOf is a stored activity as input, to re-check it unchanged.
func inputOf(a storage.PlanActivity) ActivityInput {
	return ActivityInput{ID: a.ID, Code: a.Code, Title: a.Title, ContentArea: a.ContentArea, Audience: a.Audience,
		Forms: a.Forms, TimingKind: a.TimingKind, TimingFrom: a.TimingFrom, TimingTo: a.TimingTo, Unit: a.Unit,
		Target: a.Target, TargetText: a.TargetText}
}

// checkPlan applies the plan rules to in over p (its current values for a
// change) and returns the activities to store; old are the plan's current
// activities, whose ids alone may be kept.
func (s *Service) checkPlan(ctx context.Context, p *storage.Plan, in PlanInput, inActs []ActivityInput, old []storage.PlanActivity) ([]storage.PlanActivity, error) {
	var err error
	if in.Title != nil || p.ID == 0 {
		if p.Title, err = publishing.RequiredText("title", deref(in.Title), maxPlanTitle); err != nil {
			return nil, err
		}
	}
	if in.Year != nil || p.ID == 0 {
		if in.Year == nil || *in.Year < minYear || *in.Year > maxYear {
			return nil, invalidf("year", fmt.Sprintf("must be a year from %d to %d", minYear, maxYear))
		}
		p.Year = *in.Year
	}
	if in.Reference != nil {
		if p.Reference, err = optionalText("reference", *in.Reference, maxReference); err != nil {
			return nil, err
		}
	}
	if len(inActs) > MaxActivities {
		return nil, invalidf("activities", fmt.Sprintf("a plan has at most %d activities", MaxActivities))
	}
	had := make(map[int64]bool, len(old))
	for _, a := range old {
		had[a.ID] = true
	}
	acts := make([]storage.PlanActivity, len(inActs))
	seen := map[int64]bool{}
	for i, a := range inActs {
		field := fmt.Sprintf("activities[%d]", i)
		if a.ID != 0 && (!had[a.ID] || seen[a.ID]) {
			return nil, invalidf(field+".id", fmt.Sprintf("%d is not an activity of this plan", a.ID))
		}
		seen[a.ID] = true
		if acts[i], err = checkActivity(field, a, p.Year); err != nil {
			return nil, err
		}
	}
	return acts, s.checkCodes(ctx, p.AgencyID, acts, old)
}

// checkActivity applies the activity rules that need no lookup.
func checkActivity(field string, in ActivityInput, year int) (storage.PlanActivity, error) {
	a := storage.PlanActivity{ID: in.ID}
	var err error
	if a.Code, err = optionalText(field+".code", in.Code, maxActivityCode); err != nil {
		return a, err
	}
	if a.Title, err = publishing.RequiredText(field+".title", in.Title, maxActivityTitle); err != nil {
		return a, err
	}
	if a.Unit, err = optionalText(field+".unit", in.Unit, maxUnit); err != nil {
		return a, err
	}
	if a.TargetText, err = optionalText(field+".target_text", in.TargetText, maxTargetText); err != nil {
		return a, err
	}
	if in.Target != nil && (*in.Target < 0 || *in.Target > maxTarget) {
		return a, invalidf(field+".target", "must be a count from 0 to 1000000000")
	}
	a.Target = in.Target
	if a.Forms, err = checkForms(field+".forms", in.Forms); err != nil {
		return a, err
	}
	t, err := ParseTiming(field+".timing", in.TimingKind, in.TimingFrom, in.TimingTo, year)
	if err != nil {
		return a, err
	}
	t.apply(&a)
	a.ContentArea, a.Audience = strings.TrimSpace(in.ContentArea), strings.TrimSpace(in.Audience)
	return a, nil
}

// checkForms refuses unknown and repeated form codes.
func checkForms(field string, in []string) (storage.Forms, error) {
	if len(in) > maxForms {
		return nil, invalidf(field, fmt.Sprintf("at most %d forms", maxForms))
	}
	out := storage.Forms{}
	for _, code := range in {
		code = strings.TrimSpace(code)
		if _, ok := LookupForm(code); !ok {
			return nil, &publishing.InvalidError{Field: field, Rule: publishing.RuleUnknownCode,
				Message: fmt.Sprintf("%q is not a form code", truncate(code, 40))}
		}
		for _, have := range out {
			if have == code {
				return nil, invalidf(field, fmt.Sprintf("%q is listed twice", code))
			}
		}
		out = append(out, code)
	}
	return out, nil
}

// checkCodes checks each distinct pair of codes the activities name with
// publishing's one check of codes, naming the first activity that holds
// it; a pair an activity of old already held stays allowed (its term may
// have been disabled since).
func (s *Service) checkCodes(ctx context.Context, agency int64, acts, old []storage.PlanActivity) error {
	was := map[[2]string]storage.Classification{}
	for _, a := range old {
		was[[2]string{a.ContentArea, a.Audience}] = storage.Classification{ContentArea: a.ContentArea, AudienceCode: a.Audience}
	}
	checked := map[[2]string]bool{}
	for i, a := range acts {
		pair := [2]string{a.ContentArea, a.Audience}
		if checked[pair] {
			continue
		}
		checked[pair] = true
		err := s.pub.CheckClassification(ctx, agency, storage.Classification{ContentArea: a.ContentArea, AudienceCode: a.Audience}, was[pair])
		var bad *publishing.InvalidError
		if errors.As(err, &bad) {
			field := map[string]string{"content_area": "content_area", "audience_code": "audience"}[bad.Field]
			return &publishing.InvalidError{Field: fmt.Sprintf("activities[%d].%s", i, field), Message: bad.Message, Rule: bad.Rule}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// optionalText cleans a plain-text field that may be empty.
func optionalText(field, raw string, max int) (string, error) {
	text := content.PlainText(raw)
	if utf8.RuneCountInString(text) > max {
		return "", invalidf(field, fmt.Sprintf("is longer than %d characters", max))
	}
	return text, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// truncate cuts s to at most n bytes on a rune boundary, for messages
// that echo input.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
