package publishing

import (
	"context"
	"errors"
	"strconv"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/storage"
)

// Draft is a post as its author submits it: its fields, the channels it
// goes to and a variant for some of them, keyed by channel id as written.
type Draft struct {
	Fields
	// AgencyID is the post's agency: 0 for its author's own.
	AgencyID   int64
	ChannelIDs []int64
	// Selector chooses channels by agency and kind, at submit time.
	Selector *storage.Selector
	Variants map[string]content.Variant
}

// ActorName names a person in the audit log.
func ActorName(u storage.User) string {
	return "user:" + strconv.FormatInt(u.ID, 10) + " (" + u.Name + ")"
}

// Submit applies the post rules to author's draft and creates the post
// with its deliveries in one transaction. The approval rule decides whether
// it waits for an editor or is scheduled at once; a scheduled post's
// deliveries are queued after the commit. A publish time of NextSlotTime
// takes the earliest free posting slot of the channels.
func (s *Service) Submit(ctx context.Context, author storage.User, d Draft) (storage.Post, []storage.Delivery, error) {
	pp, err := s.prepare(ctx, author, d)
	if err != nil {
		return storage.Post{}, nil, err
	}
	p := pp.post
	var ds []storage.Delivery
	if pp.slot != nil {
		ds, err = s.store.CreatePostInSlot(ctx, &p, pp.channels, pp.variants, *pp.slot, ActorName(author))
	} else {
		ds, err = s.store.CreatePost(ctx, &p, pp.channels, pp.variants, ActorName(author))
	}
	if err = createError(err); err != nil {
		return storage.Post{}, nil, err
	}
	s.enqueue(ctx, ds)
	return p, ds, nil
}

// prepared is a draft with the post rules applied, ready to store.
type prepared struct {
	post     storage.Post
	channels []int64
	variants map[int64]content.Variant
	// slot is set when the publish time is the channels' next free slot.
	slot *storage.SlotChoice
}

// prepare applies the policy, the post rules, the target check and the
// approval rule to author's d, storing nothing.
func (s *Service) prepare(ctx context.Context, author storage.User, d Draft) (prepared, error) {
	return s.prepareIn(ctx, author, d, nil)
}

// prepareIn is prepare for one draft of a batch: m (nil for none) answers
// the agency, target and slot questions the batch asks more than once.
func (s *Service) prepareIn(ctx context.Context, author storage.User, d Draft, m *batchMemo) (prepared, error) {
	if err := Allowed(author, SubmitPost, Subject{}); err != nil {
		return prepared{}, err
	}
	agency, err := m.agencyFor(ctx, s, author, d.AgencyID)
	if err != nil {
		return prepared{}, err
	}
	f := d.Fields
	if f.PublishAt == NextSlotTime {
		f.PublishAt = "" // the slot is chosen once the channels are known
	}
	p, err := s.Clean(f)
	if err != nil {
		return prepared{}, err
	}
	if err := m.checkClassification(ctx, s, agency, p.Classification); err != nil {
		return prepared{}, err
	}
	p.AgencyID = agency
	chIDs, err := m.resolveTargets(ctx, s, p.AgencyID, TargetRequest{ChannelIDs: d.ChannelIDs, Selector: d.Selector})
	if err != nil {
		return prepared{}, err
	}
	pp := prepared{channels: chIDs}
	if d.PublishAt == NextSlotTime {
		choice, err := m.slotChoice(ctx, s, chIDs)
		if err != nil {
			return prepared{}, err
		}
		pp.slot = &choice
	}
	if pp.variants, err = cleanVariants(d.Variants, chIDs); err != nil {
		return prepared{}, err
	}
	p.Selector = d.Selector
	p.CreatedBy = author.ID
	if NeedsApproval(author) {
		p.Status = storage.PostPendingApproval
	}
	pp.post = p
	return pp, nil
}

// createError explains the store's refusal to create a post's deliveries.
func createError(err error) error {
	if errors.Is(err, storage.ErrNoFreeSlot) {
		return noFreeSlot()
	}
	var unavailable *storage.ChannelsUnavailableError
	if errors.As(err, &unavailable) { // changed since ResolveTargets looked
		return invalid("channel_ids", unavailable.Error())
	}
	return err
}

// Approve approves a post waiting for approval and queues its deliveries.
func (s *Service) Approve(ctx context.Context, editor storage.User, id int64) (storage.Post, []storage.Delivery, error) {
	if err := s.authorizePost(ctx, editor, ApprovePost, id); err != nil {
		return storage.Post{}, nil, err
	}
	ds, err := s.store.ApprovePost(ctx, id, editor.ID, ActorName(editor))
	if err != nil {
		return storage.Post{}, nil, postError(err, "only a post waiting for approval can be approved")
	}
	s.enqueue(ctx, ds)
	return s.post(ctx, id)
}

// Reject cancels a post waiting for approval, keeping the reason for its
// author: a reason is required (plain text, at most MaxRejectReason
// characters), since the author must learn what to change.
func (s *Service) Reject(ctx context.Context, editor storage.User, id int64, reason string) (storage.Post, []storage.Delivery, error) {
	if err := s.authorizePost(ctx, editor, RejectPost, id); err != nil {
		return storage.Post{}, nil, err
	}
	reason, err := RejectReason(reason)
	if err != nil {
		return storage.Post{}, nil, err
	}
	if err := s.store.RejectPost(ctx, id, reason, ActorName(editor)); err != nil {
		return storage.Post{}, nil, postError(err, "only a post waiting for approval can be rejected")
	}
	return s.post(ctx, id)
}

// Edit changes a post that has not started going out. change builds the
// edit from the current post (it validates the request, after the policy
// has let the editor in). An edit by someone who needs approval sends the
// post (back) to approval; an editor's keeps it approved and re-queues it.
func (s *Service) Edit(ctx context.Context, editor storage.User, id int64, change func(storage.Post) (storage.PostEdit, error)) (storage.Post, []storage.Delivery, error) {
	p, _, err := s.post(ctx, id)
	if err != nil {
		return p, nil, err
	}
	if err := s.Authorize(ctx, editor, EditPost, "post", p.AgencyID, p.CreatedBy); err != nil {
		return p, nil, err
	}
	edit, err := change(p)
	if err != nil {
		return p, nil, err
	}
	edit.NeedsApproval, edit.Editor = NeedsApproval(editor), editor.ID
	_, ds, err := s.store.EditPost(ctx, p.ID, edit, ActorName(editor))
	if err != nil {
		return p, nil, postError(err, "this post has started going out or was canceled; it can no longer be edited")
	}
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	s.unschedule(ctx, ids)
	s.enqueue(ctx, ds)
	return s.post(ctx, p.ID)
}

// PostEdit applies the post rules to f, post p's fields after a change,
// and returns the edit for Edit; with keepTime the publish time stays.
func (s *Service) PostEdit(ctx context.Context, p storage.Post, f Fields, keepTime bool) (storage.PostEdit, error) {
	clean, err := s.Clean(f)
	if err != nil {
		return storage.PostEdit{}, err
	}
	if err := s.CheckClassification(ctx, p.AgencyID, clean.Classification, p.Classification); err != nil {
		return storage.PostEdit{}, err
	}
	e := storage.PostEdit{Title: &clean.Title, Summary: &clean.Summary, Body: &clean.Body, Category: &clean.Category,
		Audience: &clean.Audience, Link: &clean.Link, ImageURL: &clean.ImageURL, Priority: &clean.Priority,
		Classification: &clean.Classification}
	if !keepTime {
		e.PublishAt = &clean.PublishAt
	}
	return e, nil
}

// Cancel cancels the post's deliveries that have not started.
func (s *Service) Cancel(ctx context.Context, by storage.User, id int64) (storage.Post, []storage.Delivery, error) {
	p, _, err := s.post(ctx, id)
	if err != nil {
		return p, nil, err
	}
	if err := s.Authorize(ctx, by, CancelPost, "post", p.AgencyID, p.CreatedBy); err != nil {
		return p, nil, err
	}
	canceled, err := s.store.CancelPost(ctx, p.ID, ActorName(by))
	if errors.Is(err, storage.ErrConflict) {
		return p, nil, &StateError{Code: "nothing_to_cancel", Err: err,
			Message: "every delivery of this post has already been sent, failed or canceled"}
	}
	if err != nil {
		return p, nil, err
	}
	s.unschedule(ctx, canceled)
	return s.post(ctx, p.ID)
}

// Retry re-queues a failed or unconfirmed delivery to go out now, with a
// fresh attempt budget, if the policy lets by retry it.
func (s *Service) Retry(ctx context.Context, by storage.User, id int64) (storage.Delivery, error) {
	d, _, err := s.store.GetDelivery(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return d, &NotFoundError{What: "delivery"}
	}
	if err != nil {
		return d, err
	}
	sub, err := s.Subject(ctx, "delivery", d.AgencyID, 0)
	if err != nil {
		return d, err
	}
	// Outside by's agencies the delivery is missing, whatever its state.
	if err := Allowed(by, View, sub); err != nil {
		return storage.Delivery{}, err
	}
	allow := func(status string, postAuthor int64) error {
		sub.OwnerID, sub.DeliveryStatus = postAuthor, status
		return Allowed(by, RetryDelivery, sub)
	}
	d, err = s.store.RetryDelivery(ctx, id, allow, ActorName(by))
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return d, &NotFoundError{What: "delivery"}
	case errors.Is(err, storage.ErrConflict):
		return d, &StateError{Code: "not_retryable", Err: err,
			Message: "only failed or unconfirmed deliveries can be retried; this one is " + d.Status}
	case err != nil:
		return d, err
	}
	// The delivery's old task may still be kept as finished; RunNow
	// replaces it, where enqueue would keep it.
	if err := s.sched.RunNow(ctx, id); err != nil {
		s.log.Warn("cannot queue retried delivery now; the reconciler will", "delivery_id", id, "err", err)
	}
	return d, nil
}

// authorizePost applies the policy to by doing action to the post id.
func (s *Service) authorizePost(ctx context.Context, by storage.User, action Action, id int64) error {
	p, _, err := s.post(ctx, id)
	if err != nil {
		return err
	}
	return s.Authorize(ctx, by, action, "post", p.AgencyID, p.CreatedBy)
}

// post returns a post with its deliveries, or a NotFoundError.
func (s *Service) post(ctx context.Context, id int64) (storage.Post, []storage.Delivery, error) {
	p, ds, err := s.store.GetPost(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return p, nil, &NotFoundError{What: "post"}
	}
	return p, ds, err
}

// postError names a missing post and explains a post in the wrong state.
func postError(err error, wrongState string) error {
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return &NotFoundError{What: "post"}
	case errors.Is(err, storage.ErrWrongState):
		return &StateError{Code: "wrong_state", Message: wrongState, Err: err}
	}
	return err
}
