package publishing

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/loa-vn/loa/storage"
)

// MaxBatch bounds the drafts of one CheckMany or SubmitMany call.
const MaxBatch = 10000

// BatchError is the refusal of a batch: Refusals[i] is draft i's refusal
// (what Submit would answer it) or nil. Nothing of the batch was stored.
type BatchError struct {
	Refusals []error
}

func (e *BatchError) Error() string {
	n, first := 0, -1
	for i, err := range e.Refusals {
		if err != nil {
			if first < 0 {
				first = i
			}
			n++
		}
	}
	if first < 0 {
		return "batch refused"
	}
	return fmt.Sprintf("%d drafts of the batch refused; draft %d: %v", n, first, e.Refusals[first])
}

// IsRefusal says whether err is the layer refusing a request (a rule, the
// policy, a missing object or a wrong state) rather than a failure of the
// system (the database), which no change to the request would mend.
func IsRefusal(err error) bool {
	var inv *InvalidError
	var missing *NotFoundError
	var state *StateError
	return errors.As(err, &inv) || errors.As(err, &missing) || errors.As(err, &state) || errors.Is(err, ErrNotAllowed)
}

// CheckMany applies to each draft exactly the rules Submit applies
// (policy, post rules, target check, next slot), storing nothing:
// refusals[i] is draft i's refusal or nil. A failure that is no refusal
// ends the check and is returned as err.
func (s *Service) CheckMany(ctx context.Context, author storage.User, drafts []Draft) ([]error, error) {
	refusals, _, err := s.prepareMany(ctx, author, drafts)
	var refused *BatchError
	if errors.As(err, &refused) {
		return refused.Refusals, nil
	}
	return refusals, err
}

// prepareMany prepares every draft as Submit would, with one memo for
// the batch; refusals is nil when none was refused.
func (s *Service) prepareMany(ctx context.Context, author storage.User, drafts []Draft) ([]error, []prepared, error) {
	if len(drafts) > MaxBatch {
		return nil, nil, invalid("posts", fmt.Sprintf("at most %d posts at once", MaxBatch))
	}
	m := newBatchMemo()
	var refusals []error
	pps := make([]prepared, len(drafts))
	for i, d := range drafts {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("publishing: check batch: %w", err)
		}
		pp, err := s.prepareIn(ctx, author, d, m)
		switch {
		case err == nil:
			pps[i] = pp
			continue
		case !IsRefusal(err):
			return nil, nil, fmt.Errorf("publishing: check draft %d: %w", i, err)
		case refusals == nil:
			refusals = make([]error, len(drafts))
		}
		refusals[i] = err
	}
	if refusals == nil {
		refusals = make([]error, len(drafts))
		return refusals, pps, nil
	}
	return refusals, nil, &BatchError{Refusals: refusals}
}

// SubmitMany submits every draft as Submit submits one (the approval rule
// applies to each post) in one transaction: all the posts are created, or
// none. Refused drafts make a *BatchError listing every refusal.
// Deliveries due are queued after the commit, through the one enqueue path.
func (s *Service) SubmitMany(ctx context.Context, author storage.User, drafts []Draft) ([]storage.Post, []storage.Delivery, error) {
	_, pps, err := s.prepareMany(ctx, author, drafts)
	if err != nil {
		return nil, nil, err
	}
	batch := make([]storage.NewPost, len(drafts))
	posts := make([]storage.Post, len(drafts))
	for i, pp := range pps {
		posts[i] = pp.post
		batch[i] = storage.NewPost{Post: &posts[i], ChannelIDs: pp.channels, Variants: pp.variants, Slot: pp.slot}
	}
	ds, err := s.store.CreatePosts(ctx, batch, ActorName(author))
	var item *storage.BatchItemError
	if errors.As(err, &item) {
		// Changed since the check (a channel disabled meanwhile).
		if refusal := createError(item.Err); IsRefusal(refusal) {
			refusals := make([]error, len(drafts))
			refusals[item.Index] = refusal
			return nil, nil, &BatchError{Refusals: refusals}
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("publishing: submit batch: %w", err)
	}
	s.enqueue(ctx, ds)
	return posts, ds, nil
}

// batchMemo keeps, for one batch, the answers to questions many of its
// drafts ask alike: the agency a post goes in, the channels a target
// request resolves to, the slot candidates of a set of channels. Each is
// asked of the one rule once per distinct input; a nil memo asks every time.
type batchMemo struct {
	agencies map[int64]memoAnswer[int64]
	targets  map[string]memoAnswer[[]int64]
	slots    map[string]memoAnswer[storage.SlotChoice]
	classes  map[string]error
}

type memoAnswer[T any] struct {
	v   T
	err error
}

func newBatchMemo() *batchMemo {
	return &batchMemo{agencies: map[int64]memoAnswer[int64]{}, targets: map[string]memoAnswer[[]int64]{},
		slots: map[string]memoAnswer[storage.SlotChoice]{}, classes: map[string]error{}}
}

func (m *batchMemo) agencyFor(ctx context.Context, s *Service, author storage.User, requested int64) (int64, error) {
	if m == nil {
		return s.AgencyFor(ctx, author, requested)
	}
	a, ok := m.agencies[requested]
	if !ok {
		a.v, a.err = s.AgencyFor(ctx, author, requested)
		m.agencies[requested] = a
	}
	return a.v, a.err
}

func (m *batchMemo) resolveTargets(ctx context.Context, s *Service, agency int64, req TargetRequest) ([]int64, error) {
	if m == nil {
		return s.ResolveTargets(ctx, agency, req)
	}
	key := fmt.Sprint(agency, req.ChannelIDs)
	if req.Selector != nil {
		key += req.Selector.String()
	}
	a, ok := m.targets[key]
	if !ok {
		a.v, a.err = s.ResolveTargets(ctx, agency, req)
		m.targets[key] = a
	}
	return slices.Clone(a.v), a.err
}

func (m *batchMemo) slotChoice(ctx context.Context, s *Service, chIDs []int64) (storage.SlotChoice, error) {
	if m == nil {
		return s.slotChoice(ctx, chIDs)
	}
	key := fmt.Sprint(chIDs)
	a, ok := m.slots[key]
	if !ok {
		a.v, a.err = s.slotChoice(ctx, chIDs)
		m.slots[key] = a
	}
	return a.v, a.err
}

func (m *batchMemo) checkClassification(ctx context.Context, s *Service, agency int64, c storage.Classification) error {
	if m == nil {
		return s.CheckClassification(ctx, agency, c, storage.Classification{})
	}
	key := fmt.Sprint(agency, "|", c.ContentArea, "|", c.AudienceCode, "|")
	if c.ActivityID != nil {
		key += fmt.Sprint(*c.ActivityID)
	}
	err, ok := m.classes[key]
	if !ok {
		err = s.CheckClassification(ctx, agency, c, storage.Classification{})
		m.classes[key] = err
	}
	return err
}
