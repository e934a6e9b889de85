package publishing

import (
	"context"

	"github.com/loa-vn/loa/storage"
)

// SaveDraft keeps author's d as a draft — a new one when id is 0, else
// draft id changed — with no deliveries and nothing queued. Its text is
// cleaned and its channels checked as a post's are (so a draft never holds
// a channel outside its agency), but it may name no channel yet.
func (s *Service) SaveDraft(ctx context.Context, author storage.User, id int64, d Draft) (storage.Post, error) {
	if err := Allowed(author, SubmitPost, Subject{}); err != nil {
		return storage.Post{}, err
	}
	var cur storage.Post
	if id != 0 {
		var err error
		if cur, err = s.draftFor(ctx, author, id); err != nil {
			return storage.Post{}, err
		}
		d.AgencyID = cur.AgencyID
	}
	agency, err := s.AgencyFor(ctx, author, d.AgencyID)
	if err != nil {
		return storage.Post{}, err
	}
	f := d.Fields
	if f.PublishAt == NextSlotTime {
		f.PublishAt = ""
	}
	p, err := s.Clean(f)
	if err != nil {
		return storage.Post{}, err
	}
	if err := s.CheckClassification(ctx, agency, p.Classification); err != nil {
		return storage.Post{}, err
	}
	if len(d.Variants) > 0 {
		return storage.Post{}, invalid("variants", "a draft keeps no variants; send them when submitting the post")
	}
	if len(d.ChannelIDs) > 0 || d.Selector != nil {
		if _, err := s.ResolveTargets(ctx, agency, TargetRequest{ChannelIDs: d.ChannelIDs, Selector: d.Selector}); err != nil {
			return storage.Post{}, err
		}
	}
	p.AgencyID, p.Selector, p.CreatedBy = agency, d.Selector, author.ID
	plan := storage.DraftPlan{ChannelIDs: d.ChannelIDs, PublishAt: d.PublishAt}
	if id == 0 {
		err = s.store.CreateDraft(ctx, &p, plan, ActorName(author))
		return p, err
	}
	p.ID = id
	p, err = s.store.UpdateDraft(ctx, p, plan, ActorName(author))
	return p, postError(err, "this post has been submitted or canceled; it is no longer a draft")
}

// SubmitDraft submits draft id with d's content, exactly as Submit submits
// a new post (policy, rules, target check, approval rule, next slot), and
// queues what is due.
func (s *Service) SubmitDraft(ctx context.Context, author storage.User, id int64, d Draft) (storage.Post, []storage.Delivery, error) {
	cur, err := s.draftFor(ctx, author, id)
	if err != nil {
		return storage.Post{}, nil, err
	}
	d.AgencyID = cur.AgencyID
	pp, err := s.prepare(ctx, author, d)
	if err != nil {
		return storage.Post{}, nil, err
	}
	p := pp.post
	p.ID = id
	ds, err := s.store.SubmitDraft(ctx, &p, pp.channels, pp.variants, pp.slot, ActorName(author))
	if err = createError(err); err != nil {
		return storage.Post{}, nil, postError(err, "this post has been submitted or canceled; it is no longer a draft")
	}
	s.enqueue(ctx, ds)
	return p, ds, nil
}

// draftFor returns draft id if by may change it: like a post, outside by's
// agencies it is missing, and officers change only their own.
func (s *Service) draftFor(ctx context.Context, by storage.User, id int64) (storage.Post, error) {
	p, _, err := s.post(ctx, id)
	if err != nil {
		return p, err
	}
	if err := s.Authorize(ctx, by, EditPost, "post", p.AgencyID, p.CreatedBy); err != nil {
		return p, err
	}
	if p.Status != storage.PostDraft {
		return p, &StateError{Code: "wrong_state", Message: "this post has been submitted or canceled; it is no longer a draft"}
	}
	return p, nil
}
