package publishing

import (
	"context"
	"errors"
	"fmt"

	"github.com/loa-vn/loa/storage"
)

// Subject describes for the policy an object of kind what, in agency,
// belonging to owner (0 for none).
func (s *Service) Subject(ctx context.Context, what string, agency, owner int64) (Subject, error) {
	line, err := s.store.AgencyLine(ctx, agency)
	if err != nil {
		return Subject{}, fmt.Errorf("publishing: agency of %s: %w", what, err)
	}
	return Subject{What: what, Agency: line, OwnerID: owner}, nil
}

// Authorize applies the policy to actor doing action to an object of kind
// what in agency, owned by owner: nil, a *NotAllowedError, or, outside the
// actor's agencies, a *NotFoundError like a missing object's.
func (s *Service) Authorize(ctx context.Context, actor storage.User, action Action, what string, agency, owner int64) error {
	sub, err := s.Subject(ctx, what, agency, owner)
	if err != nil {
		return err
	}
	return Allowed(actor, action, sub)
}

// AgencyFor is the agency a new object goes in: requested, or the actor's
// own when requested is 0. An agency outside the actor's subtree is refused
// exactly like one that does not exist; a disabled one takes nothing new.
func (s *Service) AgencyFor(ctx context.Context, actor storage.User, requested int64) (int64, error) {
	if requested == 0 {
		requested = actor.AgencyID
	}
	missing := invalid("agency_id", fmt.Sprintf("agency %d does not exist", requested))
	if requested < 0 {
		return 0, missing
	}
	err := s.Authorize(ctx, actor, View, "agency", requested, 0)
	var outside *NotFoundError
	if errors.Is(err, storage.ErrNotFound) || errors.As(err, &outside) {
		return 0, missing
	}
	if err != nil {
		return 0, err
	}
	a, err := s.store.GetAgency(ctx, requested)
	if err != nil {
		return 0, err
	}
	if a.DisabledAt != nil {
		return 0, invalid("agency_id", fmt.Sprintf("agency %d is disabled and takes no new objects", requested))
	}
	return requested, nil
}
