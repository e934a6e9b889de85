package publishing

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/loa-vn/loa/storage"
)

// Page sizes of delivery lists: a list asks for at most MaxDeliveryPage.
const (
	DefaultDeliveryPage = 50
	MaxDeliveryPage     = 200
)

// MaxSelection is the most deliveries one retry or cancel of a selection
// acts on: a person chooses each, and a bigger batch is a mistake.
const MaxSelection = 100

// ListDeliveries returns one page of deliveries the actor may see, newest
// first. f.Agency names the agency whose subtree is listed (0: the actor's
// own); one outside the actor's subtree lists nothing, as one that does
// not exist. f.Limit is bounded to MaxDeliveryPage.
func (s *Service) ListDeliveries(ctx context.Context, by storage.User, f storage.DeliveryFilter) ([]storage.Delivery, error) {
	if f.Limit <= 0 {
		f.Limit = DefaultDeliveryPage
	}
	f.Limit = min(f.Limit, MaxDeliveryPage+1) // +1: callers look one past the page
	if f.Agency == 0 {
		f.Agency = by.AgencyID
	}
	if f.Agency == 0 {
		return nil, nil // only the root agency is 0, and every user has a real one
	}
	err := s.Authorize(ctx, by, View, "agency", f.Agency, 0)
	var outside *NotFoundError
	if errors.As(err, &outside) || errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.store.ListDeliveries(ctx, f)
}

// CancelDelivery cancels one delivery that has not started going out, if
// the policy lets by cancel it (officers: deliveries of their own posts).
func (s *Service) CancelDelivery(ctx context.Context, by storage.User, id int64) (storage.Delivery, error) {
	d, err := s.viewDelivery(ctx, by, id)
	if err != nil {
		return d, err
	}
	sub, err := s.Subject(ctx, "delivery", d.AgencyID, 0)
	if err != nil {
		return d, err
	}
	allow := func(postAuthor int64) error {
		sub.OwnerID = postAuthor
		return Allowed(by, CancelDelivery, sub)
	}
	d, err = s.store.CancelDelivery(ctx, id, allow, ActorName(by))
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return d, &NotFoundError{What: "delivery"}
	case errors.Is(err, storage.ErrConflict):
		return d, &StateError{Code: "not_cancelable", Err: err,
			Message: "only deliveries that have not started going out can be canceled; this one is " + d.Status}
	case err != nil:
		return d, err
	}
	s.unschedule(ctx, []int64{id})
	return d, nil
}

// viewDelivery returns the delivery if by may see it; one outside by's
// agencies is a *NotFoundError, like a missing one.
func (s *Service) viewDelivery(ctx context.Context, by storage.User, id int64) (storage.Delivery, error) {
	d, _, err := s.store.GetDelivery(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return d, &NotFoundError{What: "delivery"}
	}
	if err != nil {
		return d, err
	}
	if err := s.Authorize(ctx, by, View, "delivery", d.AgencyID, 0); err != nil {
		return storage.Delivery{}, err
	}
	return d, nil
}

// Outcome is what became of one delivery of a selection: Err is nil when
// the action was done, else why not (the delivery then as it is, if by may
// see it).
type Outcome struct {
	ID       int64
	Delivery storage.Delivery
	Err      error
}

// RetrySelected retries exactly the deliveries ids names, each on its own
// terms (Retry); CancelSelected cancels them (CancelDelivery). A selection
// of more than MaxSelection is refused whole; a repeated id counts once.
func (s *Service) RetrySelected(ctx context.Context, by storage.User, ids []int64) ([]Outcome, error) {
	return s.eachSelected(ctx, ids, func(id int64) (storage.Delivery, error) { return s.Retry(ctx, by, id) })
}

// CancelSelected: see RetrySelected.
func (s *Service) CancelSelected(ctx context.Context, by storage.User, ids []int64) ([]Outcome, error) {
	return s.eachSelected(ctx, ids, func(id int64) (storage.Delivery, error) { return s.CancelDelivery(ctx, by, id) })
}

func (s *Service) eachSelected(ctx context.Context, ids []int64, act func(int64) (storage.Delivery, error)) ([]Outcome, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) == 0 {
		return nil, invalid("ids", "choose at least one delivery")
	}
	if len(ids) > MaxSelection {
		return nil, invalid("ids", fmt.Sprintf("at most %d deliveries can be chosen at once", MaxSelection))
	}
	out := make([]Outcome, 0, len(ids))
	for _, id := range ids {
		if id <= 0 {
			out = append(out, Outcome{ID: id, Err: &NotFoundError{What: "delivery"}})
			continue
		}
		d, err := act(id)
		if err != nil && !isRefusal(err) {
			return out, err // a system error: stop, and say what was done so far
		}
		out = append(out, Outcome{ID: id, Delivery: d, Err: err})
	}
	return out, nil
}

// isRefusal tells a refusal of one delivery (missing, not allowed, wrong
// state) from a system error.
func isRefusal(err error) bool {
	var nf *NotFoundError
	var st *StateError
	return errors.As(err, &nf) || errors.As(err, &st) || errors.Is(err, ErrNotAllowed)
}
