package publishing

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/loa-vn/loa/storage"
)

// DefaultMaxDeliveries is how many deliveries one post may have unless
// Options.MaxDeliveries says otherwise.
const DefaultMaxDeliveries = 10000

// TargetRequest is what a post (or a schedule, or a source) asks to be
// sent to: channels by id (one to fifty), a selector (any number of
// channels up to the delivery cap), or both.
type TargetRequest struct {
	ChannelIDs []int64
	Selector   *storage.Selector
}

// ResolveTargets is the one target check: it returns the ids of the
// channels a post of the agency may go to for req, in id order. Every
// channel must be in the agency or beneath it; one elsewhere is answered
// exactly like an id that does not exist, so nothing leaks. A disabled
// channel is refused when named and skipped when selected; the selector's
// agency must be the agency or beneath it and its kinds registered kinds.
// Errors are *InvalidError on channel_ids or targets.
func (s *Service) ResolveTargets(ctx context.Context, agency int64, req TargetRequest) ([]int64, error) {
	if len(req.ChannelIDs) > 0 || req.Selector == nil {
		if err := checkChannelIDs(req.ChannelIDs); err != nil {
			return nil, err
		}
	}
	agency, err := s.agencyOrRoot(ctx, agency)
	if err != nil {
		return nil, err
	}
	if err := s.checkSelector(ctx, agency, req.Selector); err != nil {
		return nil, err
	}
	chs, err := s.store.TargetChannels(ctx, agency, req.ChannelIDs, req.Selector)
	if err != nil {
		return nil, err
	}
	return s.expand(chs, req)
}

// expand applies the channel rules to the channels found for req.
func (s *Service) expand(chs []storage.TargetChannel, req TargetRequest) ([]int64, error) {
	named := make(map[int64]bool, len(req.ChannelIDs))
	for _, id := range req.ChannelIDs {
		named[id] = true
	}
	var bad storage.ChannelsUnavailableError
	ids := make([]int64, 0, len(chs))
	for _, ch := range chs {
		switch {
		case ch.Status == storage.ChannelDisabled && named[ch.ID]:
			bad.Disabled = append(bad.Disabled, ch.ID)
		case ch.Status != storage.ChannelDisabled:
			ids = append(ids, ch.ID)
		}
		delete(named, ch.ID)
	}
	for _, id := range req.ChannelIDs {
		if named[id] {
			bad.Missing = append(bad.Missing, id)
		}
	}
	if len(bad.Missing)+len(bad.Disabled) > 0 {
		return nil, invalid("channel_ids", bad.Error())
	}
	switch {
	case len(ids) == 0:
		return nil, invalid("targets", "match no enabled channel")
	case len(ids) > s.maxDeliveries:
		return nil, invalid("targets", fmt.Sprintf("match %d channels; one post goes to at most %d", len(ids), s.maxDeliveries))
	}
	return ids, nil
}

// checkSelector checks the selector's agency is the post's agency or
// beneath it (one elsewhere answers like one that does not exist) and its
// kinds are registered kinds, each once.
func (s *Service) checkSelector(ctx context.Context, agency int64, sel *storage.Selector) error {
	if sel == nil {
		return nil
	}
	ok, err := s.store.IsInSubtree(ctx, agency, sel.AgencyID)
	if err != nil {
		return err
	}
	if !ok {
		return invalid("targets.agency_id", fmt.Sprintf("agency %d does not exist", sel.AgencyID))
	}
	for i, k := range sel.Kinds {
		if !slices.Contains(s.kinds, k) {
			return invalid("targets.kinds", fmt.Sprintf("unknown channel kind %q; one of %s", k, strings.Join(s.kinds, ", ")))
		}
		if slices.Contains(sel.Kinds[:i], k) {
			return invalid("targets.kinds", fmt.Sprintf("kind %q is listed twice", k))
		}
	}
	return nil
}

// agencyOrRoot is the agency, or the root agency for 0 (an object made
// before it named one).
func (s *Service) agencyOrRoot(ctx context.Context, agency int64) (int64, error) {
	if agency != 0 {
		return agency, nil
	}
	root, err := s.store.RootAgency(ctx)
	return root.ID, err
}

// placeAutomation decides, for a schedule or source author is saving with
// action, the agency it goes in, and applies the target check to its
// channels now rather than at its first post.
func (s *Service) placeAutomation(ctx context.Context, author storage.User, action Action, requested int64, targets storage.Targets, cls storage.Classification) (int64, error) {
	if err := Allowed(author, action, Subject{}); err != nil {
		return 0, err
	}
	agency, err := s.AgencyFor(ctx, author, requested)
	if err != nil {
		return 0, err
	}
	if _, err := s.ResolveTargets(ctx, agency, TargetRequest{ChannelIDs: targets.ChannelIDs}); err != nil {
		return 0, err
	}
	if err := s.CheckClassification(ctx, agency, cls); err != nil {
		return 0, err
	}
	return agency, nil
}
