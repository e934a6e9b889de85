package plans

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/vntime"
)

// Options are a Service's dependencies.
type Options struct {
	Store *storage.Store
	// Publishing holds the policy and the agency scope.
	Publishing *publishing.Service
	// Location is LOA_TIMEZONE: record days and quarters are in it.
	Location *time.Location
	Now      func() time.Time
	Logger   *slog.Logger
}

// Service applies the rules of plans, records and lists. It is safe for
// concurrent use.
type Service struct {
	store *storage.Store
	pub   *publishing.Service
	loc   *time.Location
	now   func() time.Time
	log   *slog.Logger
}

// New builds a Service.
func New(o Options) *Service {
	s := &Service{store: o.Store, pub: o.Publishing, loc: o.Location, now: o.Now, log: o.Logger}
	if s.loc == nil {
		s.loc = vntime.Fixed()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Location is the zone days and quarters are in.
func (s *Service) Location() *time.Location { return s.loc }

// Caps.
const (
	MaxActivities     = 200
	maxPlanTitle      = 1000
	maxReference      = 500
	maxActivityCode   = 20
	maxActivityTitle  = 2000
	maxUnit           = 500
	maxTargetText     = 500
	maxForms          = 12
	maxTarget         = 1_000_000_000
	minYear, maxYear  = 2000, 2100
	maxPlansListed    = 500
	maxRecordsListed  = 500
	maxDescription    = 2000
	maxRecordCount    = 10_000_000
	maxVocabTerms     = 100
	maxVocabLabel     = 300
	maxActivitiesMenu = 500
)

// planOf returns plan id and its activities if actor may see it; one
// outside actor's agencies is missing.
func (s *Service) planOf(ctx context.Context, actor storage.User, action publishing.Action, id int64) (storage.Plan, []storage.PlanActivity, error) {
	p, acts, err := s.store.GetPlan(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return p, nil, &publishing.NotFoundError{What: "plan"}
	}
	if err != nil {
		return p, nil, err
	}
	if err := s.authorize(ctx, actor, action, "plan", p.AgencyID); err != nil {
		return p, nil, err
	}
	return p, acts, nil
}

// authorize applies the policy to actor doing action to an object of
// kind what in agency; outside actor's agencies the object is missing,
// whatever the action.
func (s *Service) authorize(ctx context.Context, actor storage.User, action publishing.Action, what string, agency int64) error {
	if action != publishing.View {
		if err := s.pub.Authorize(ctx, actor, publishing.View, what, agency, 0); err != nil {
			return err
		}
	}
	return s.pub.Authorize(ctx, actor, action, what, agency, 0)
}

// Plan returns plan id and its activities, for anyone in scope.
func (s *Service) Plan(ctx context.Context, actor storage.User, id int64) (storage.Plan, []storage.PlanActivity, error) {
	return s.planOf(ctx, actor, publishing.View, id)
}

// Plans returns the plans of agency (0: actor's own) and those below it,
// of year (0: any), newest first, at most maxPlansListed. An agency
// outside actor's has none, as one that does not exist.
func (s *Service) Plans(ctx context.Context, actor storage.User, agency int64, year int) ([]storage.Plan, error) {
	if err := publishing.Allowed(actor, publishing.View, publishing.Subject{}); err != nil {
		return nil, err
	}
	if agency == 0 {
		agency = actor.AgencyID
	}
	err := s.authorize(ctx, actor, publishing.View, "agency", agency)
	var outside *publishing.NotFoundError
	if errors.As(err, &outside) || errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ps, err := s.store.ListPlans(ctx, storage.PlanFilter{Agency: agency, Year: year, Limit: maxPlansListed})
	if err != nil {
		return nil, fmt.Errorf("plans: list: %w", err)
	}
	return ps, nil
}

// Activities returns the activities of plans, by plan.
func (s *Service) Activities(ctx context.Context, ps []storage.Plan) (map[int64][]storage.PlanActivity, error) {
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return s.store.ActivitiesOf(ctx, ids)
}

// CurrentActivities are the activities a post of agency may carry out:
// those of the agency's own plans of this year (in LOA_TIMEZONE), for
// actor in scope.
func (s *Service) CurrentActivities(ctx context.Context, actor storage.User, agency int64) ([]storage.PlanActivity, error) {
	if err := s.authorize(ctx, actor, publishing.View, "agency", agency); err != nil {
		return nil, err
	}
	return s.store.AgencyActivities(ctx, agency, s.now().In(s.loc).Year(), maxActivitiesMenu)
}
