package reports

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

// Limits on computing reports.
const (
	// DefaultMaxAgencies caps the agencies one report covers.
	DefaultMaxAgencies = MaxSections
	// DefaultMaxActivities caps the activities of one agency's plans read.
	DefaultMaxActivities = 500
	// DefaultTimeout bounds one computation.
	DefaultTimeout = 30 * time.Second
	// DefaultConcurrent reports are computed at once; more wait.
	DefaultConcurrent = 2
	// DefaultQueueWait is how long a report waits for a turn before it is
	// refused as busy.
	DefaultQueueWait = 10 * time.Second
)

// Rules a request's InvalidError may name besides the period's.
const RuleTooManyAgencies = "too_many_agencies"

// ErrBusy means too many reports are being computed; try again shortly.
var ErrBusy = errors.New("reports: too many reports are being computed")

// Options are a Service's dependencies.
type Options struct {
	Store *storage.Store
	// Publishing decides who may see which agency (the one policy).
	Publishing *publishing.Service
	// Location is LOA_TIMEZONE: periods, months and dates are in it.
	Location *time.Location
	Now      func() time.Time
	Logger   *slog.Logger
	// Zero means the Default… constants.
	MaxAgencies, MaxActivities, Concurrent int
	Timeout, QueueWait                     time.Duration
}

// Service computes reports. It is safe for concurrent use.
//
// How it counts:
//   - A delivery belongs to the period its scheduled time falls in (local
//     days in LOA_TIMEZONE), whatever its outcome or when it was sent: a
//     report filed on the 15th then counts exactly what was planned for
//     the period, and a late retry does not move an item between periods.
//   - A delivery is its post's agency's work (a province's post to a
//     commune's loudspeaker is the province's), so a section and the
//     agency's own report always agree and totals are their sum.
//   - Done is delivered items (one per channel) plus the counts of the
//     offline records dated in the period; canceled deliveries are not
//     counted at all; on time is delivered at most 5 minutes after the
//     scheduled time.
//   - The activities are those of the agency's newest plan for the year
//     of the period's last day (Quý I/2027 by decree, from 15/12/2026,
//     follows the 2027 plan); items of another year's activities count
//     in the totals only.
//   - Reach sums, over the delivered items that reported any, each one's
//     largest metric (reach, views or impressions); nil when none did
//     (absent is not 0).
type Service struct {
	store   *storage.Store
	pub     *publishing.Service
	loc     *time.Location
	now     func() time.Time
	log     *slog.Logger
	maxAg   int
	maxActs int
	timeout time.Duration
	wait    time.Duration
	turns   chan struct{}
}

// New builds a Service.
func New(o Options) *Service {
	s := &Service{store: o.Store, pub: o.Publishing, loc: o.Location, now: o.Now, log: o.Logger,
		maxAg: o.MaxAgencies, maxActs: o.MaxActivities, timeout: o.Timeout, wait: o.QueueWait}
	if s.loc == nil {
		s.loc = vntime.Fixed()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxAg <= 0 {
		s.maxAg = DefaultMaxAgencies
	}
	if s.maxActs <= 0 {
		s.maxActs = DefaultMaxActivities
	}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if s.wait <= 0 {
		s.wait = DefaultQueueWait
	}
	if o.Concurrent <= 0 {
		o.Concurrent = DefaultConcurrent
	}
	s.turns = make(chan struct{}, o.Concurrent)
	return s
}

// Location is the zone the reports' dates are in.
func (s *Service) Location() *time.Location { return s.loc }

// Request asks for a report.
type Request struct {
	// AgencyID is the reporting agency; 0 means the actor's own. An agency
	// with agencies below it gets a compiled report of its subtree.
	AgencyID int64
	// Period and Cutoff are as ParsePeriod reads them.
	Period, Cutoff string
}

// Compute makes the report r asks for, as actor may see it: an agency
// outside the actor's subtree is a *publishing.NotFoundError, as if it did
// not exist. Bad input is a *publishing.InvalidError; too many reports at
// once, ErrBusy.
func (s *Service) Compute(ctx context.Context, actor storage.User, r Request) (Report, error) {
	var rep Report
	err := s.run(ctx, actor, r, func(ctx context.Context, sc scope, p Period) error {
		var err error
		rep, err = s.compute(ctx, sc, p)
		return err
	})
	return rep, err
}

// run checks r and actor's right to it, waits for a turn and calls do
// with the report's scope, within the time limit.
func (s *Service) run(ctx context.Context, actor storage.User, r Request, do func(context.Context, scope, Period) error) error {
	period, err := ParsePeriod(r.Period, r.Cutoff, s.loc)
	if err != nil {
		return err
	}
	id := r.AgencyID
	if id == 0 {
		id = actor.AgencyID
	}
	if err := s.authorize(ctx, actor, id); err != nil {
		return err
	}
	release, err := s.turn(ctx)
	if err != nil {
		return err
	}
	defer release()
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	started := s.now()
	sc, err := s.prepare(ctx, id, period)
	if err == nil {
		err = do(ctx, sc, period)
	}
	if err != nil {
		return fmt.Errorf("reports: agency %d, period %s: %w", id, period.Key, err)
	}
	s.log.Info("report computed", "agency_id", id, "period", period.Key, "cutoff", period.Cutoff,
		"agencies", len(sc.agencies), "duration_ms", s.now().Sub(started).Milliseconds())
	return nil
}

// authorize lets actor see agency id: the policy's View, and an agency
// that does not exist looks like one outside the actor's subtree.
func (s *Service) authorize(ctx context.Context, actor storage.User, id int64) error {
	if id <= 0 {
		return &publishing.NotFoundError{What: "agency"}
	}
	err := s.pub.Authorize(ctx, actor, publishing.View, "agency", id, 0)
	if errors.Is(err, storage.ErrNotFound) {
		return &publishing.NotFoundError{What: "agency"}
	}
	return err
}

// turn waits for one of the concurrent computations' places, at most the
// queue wait; release gives it back.
func (s *Service) turn(ctx context.Context) (release func(), err error) {
	timer := time.NewTimer(s.wait)
	defer timer.Stop()
	select {
	case s.turns <- struct{}{}:
		return func() { <-s.turns }, nil
	case <-timer.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
