package publishing

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/recurrence"
	"github.com/loa-vn/loa/sources"
	"github.com/loa-vn/loa/storage"
)

const (
	// PollLease is how long one poll of a source may hold it.
	PollLease      = 2 * time.Minute
	maxPollBackoff = 6 * time.Hour
)

// CreateSource registers author's feed; its channels must exist and be enabled.
func (s *Service) CreateSource(ctx context.Context, author storage.User, src *storage.Source) error {
	agency, err := s.placeAutomation(ctx, author, ManageSources, src.AgencyID, src.Targets, src.Classification)
	if err != nil {
		return err
	}
	src.CreatedBy, src.AgencyID = author.ID, agency
	return s.store.CreateSource(ctx, src, ActorName(author))
}

// SetSourceStatus pauses or resumes a source.
func (s *Service) SetSourceStatus(ctx context.Context, by storage.User, id int64, status string) error {
	if err := s.authorizeSource(ctx, by, id); err != nil {
		return err
	}
	err := s.store.SetSourceStatus(ctx, id, status, ActorName(by))
	if errors.Is(err, storage.ErrNotFound) {
		return &NotFoundError{What: "source"}
	}
	return err
}

// PollNow claims the source and polls it at once (the "check now" button).
func (s *Service) PollNow(ctx context.Context, by storage.User, id int64) (storage.SourcePoll, error) {
	if err := s.authorizeSource(ctx, by, id); err != nil {
		return storage.SourcePoll{}, err
	}
	src, err := s.store.ClaimSource(ctx, id, PollLease)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return storage.SourcePoll{}, &NotFoundError{What: "source"}
	case errors.Is(err, storage.ErrBusy):
		return storage.SourcePoll{}, &StateError{Code: "busy", Message: "this source is being polled right now; try again in a moment", Err: err}
	case err != nil:
		return storage.SourcePoll{}, err
	}
	return s.Poll(ctx, src)
}

// authorizeSource lets by manage the source, if it exists in by's agencies.
func (s *Service) authorizeSource(ctx context.Context, by storage.User, id int64) error {
	src, err := s.store.GetSource(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return &NotFoundError{What: "source"}
	}
	if err != nil {
		return err
	}
	return s.Authorize(ctx, by, ManageSources, "source", src.AgencyID, 0)
}

// Poll polls a source whose lease the caller holds, records the result and
// releases the lease.
func (s *Service) Poll(ctx context.Context, src storage.Source) (storage.SourcePoll, error) {
	start := s.now()
	poll, fetched, err := s.fetch(ctx, src)
	if err == nil && fetched != nil {
		poll.ItemsSeen, poll.ItemsNew, err = s.ingest(ctx, src, *fetched)
	}
	res := storage.PollResult{ETag: src.ETag, LastModified: src.LastModified}
	if fetched != nil {
		res.ETag, res.LastModified = fetched.validators.ETag, fetched.validators.LastModified
	}
	poll.At, poll.DurationMS = start.UTC(), s.now().Sub(start).Milliseconds()
	every := time.Duration(src.PollEvery) * time.Second
	if err != nil {
		s.log.Warn("feed poll failed", "source_id", src.ID, "err", err)
		poll.Outcome, poll.Error = storage.PollError, err.Error()
		res.Failures, res.LastError = src.Failures+1, err.Error()
		res.NextPollAt = start.Add(backoff(every, res.Failures))
	} else {
		res.NextPollAt = start.Add(every)
	}
	res.Poll = poll
	recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if rerr := s.store.RecordPoll(recordCtx, src.ID, res); rerr != nil {
		return poll, rerr
	}
	return poll, nil
}

// backoff doubles the wait after each consecutive failure, up to 6 h.
func backoff(every time.Duration, failures int) time.Duration {
	d := every
	for i := 0; i < failures && d < maxPollBackoff; i++ {
		d *= 2
	}
	return min(d, maxPollBackoff)
}

type fetchedFeed struct {
	feed       sources.Feed
	validators sources.Validators
}

// fetch does the conditional GET and parses the feed; fetched is nil on 304.
func (s *Service) fetch(ctx context.Context, src storage.Source) (storage.SourcePoll, *fetchedFeed, error) {
	poll := storage.SourcePoll{Outcome: storage.PollOK}
	feedURL, err := s.feedURL(src)
	if err != nil {
		return poll, nil, err
	}
	res, err := s.fetcher.Fetch(ctx, feedURL, sources.Validators{ETag: src.ETag, LastModified: src.LastModified})
	var fe *sources.FetchError
	if errors.As(err, &fe) {
		poll.HTTPStatus = fe.Status
	}
	if err != nil {
		return poll, nil, err
	}
	if res.NotModified {
		poll.Outcome, poll.HTTPStatus = storage.PollNotModified, 304
		return poll, nil, nil
	}
	poll.HTTPStatus = 200
	feed, err := sources.Parse(res.Body, res.FinalURL)
	if err != nil {
		return poll, nil, err
	}
	return poll, &fetchedFeed{feed: feed, validators: res.Validators}, nil
}

// feedURL is the address to fetch: the sealed one, credentials included,
// when the stored URL had to be masked.
func (s *Service) feedURL(src storage.Source) (string, error) {
	if len(src.URLSealed) == 0 {
		return src.URL, nil
	}
	if s.box == nil {
		return "", &sources.FetchError{Kind: sources.KindNetwork, Message: "the feed address holds credentials, but this process has no secret key to open them"}
	}
	plain, err := s.box.Open(src.URLSealed)
	if err != nil {
		return "", &sources.FetchError{Kind: sources.KindNetwork, Message: "the credentials in the feed address cannot be opened (wrong LOA_SECRET_KEY?); create the source again"}
	}
	return string(plain), nil
}

// ingest records every item not seen before, with its post.
func (s *Service) ingest(ctx context.Context, src storage.Source, f fetchedFeed) (seen, added int, err error) {
	compiled, err := sources.ParseTemplate(src.Template)
	if err != nil {
		return 0, 0, err
	}
	status, err := s.postStatus(ctx, src)
	if err != nil {
		return 0, 0, err
	}
	// Oldest first, so posts go out in the order the province published them.
	for i := len(f.feed.Items) - 1; i >= 0; i-- {
		created, err := s.ingestItem(ctx, src, status, compiled, src.Targets, f.feed.Items[i])
		if err != nil {
			return len(f.feed.Items), added, err
		}
		if created {
			added++
		}
	}
	return len(f.feed.Items), added, nil
}

// postStatus is the status the source's posts start in: waiting for
// approval in review mode, or when its author may no longer publish
// without it (NeedsApproval); "" lets them go out.
func (s *Service) postStatus(ctx context.Context, src storage.Source) (string, error) {
	if src.Mode != storage.SourceAuto {
		return storage.PostPendingApproval, nil
	}
	author, err := s.store.GetUser(ctx, src.CreatedBy)
	if err != nil {
		return "", fmt.Errorf("source author: %w", err)
	}
	if NeedsApproval(author) {
		return storage.PostPendingApproval, nil
	}
	return "", nil
}

func (s *Service) ingestItem(ctx context.Context, src storage.Source, status string, tmpl *sources.Compiled, t storage.Targets, it sources.Item) (bool, error) {
	item := storage.SourceItem{SourceID: src.ID, Key: it.Key, GUID: it.GUID, Title: it.Title, Link: it.Link,
		Summary: it.Summary, ImageURL: it.ImageURL}
	if item.Key == "" {
		item.Key = sources.ItemKey(it)
	}
	if !it.Published.IsZero() {
		at := it.Published.UTC()
		item.PublishedAt = &at
	}
	post, err := s.itemPost(src, status, tmpl, it)
	if err != nil {
		// One item the template cannot turn into a valid post is recorded
		// as skipped; the feed's other items go on.
		s.log.Warn("feed item not posted", "source_id", src.ID, "item_key", item.Key, "err", err)
		item.Skipped = truncateRunes(err.Error(), 200)
		post = nil
	}
	if post == nil && item.Skipped == "" {
		item.Skipped = fmt.Sprintf("published more than %d days ago", src.MaxAgeDays)
	}
	actor := "source:" + strconv.FormatInt(src.ID, 10)
	ds, created, err := s.store.AddSourceItem(ctx, &item, post, t, actor)
	if err != nil || !created {
		return false, err
	}
	s.enqueue(ctx, ds)
	return true, nil
}

// itemPost renders the source's template for an item; nil when the item is
// too old to post.
func (s *Service) itemPost(src storage.Source, status string, tmpl *sources.Compiled, it sources.Item) (*storage.Post, error) {
	now := s.now().UTC()
	if src.MaxAgeDays > 0 && !it.Published.IsZero() && it.Published.Before(now.AddDate(0, 0, -src.MaxAgeDays)) {
		return nil, nil
	}
	text, err := tmpl.Post(it)
	if err != nil {
		return nil, err
	}
	id := src.ID
	post := &storage.Post{Title: text.Title, Summary: text.Summary, Body: text.Body, Category: text.Category,
		Audience: text.Audience, Link: it.Link, ImageURL: it.ImageURL, Priority: content.PriorityNormal,
		PublishAt: now, CreatedBy: src.CreatedBy, AgencyID: src.AgencyID, SourceID: &id, Status: status,
		Classification: src.Classification}
	return post, nil
}

// MakeDigests creates, for each source with a digest rule whose latest
// digest time has passed, one post listing the items seen since the last.
func (s *Service) MakeDigests(ctx context.Context) {
	srcs, err := s.store.ListSources(ctx, 0)
	if err != nil {
		s.log.Error("cannot list sources for digests", "err", err)
		return
	}
	for _, src := range srcs {
		if src.DigestRule == "" || src.Status != storage.SourceActive {
			continue
		}
		if err := s.digest(ctx, src); err != nil {
			s.log.Error("digest failed", "source_id", src.ID, "err", err)
		}
	}
}

func (s *Service) digest(ctx context.Context, src storage.Source) error {
	rule, err := recurrence.Compile(recurrence.Spec{Rule: src.DigestRule, Timezone: s.loc.String(), StartsAt: src.CreatedAt})
	if err != nil {
		return err
	}
	now := s.now().UTC()
	due := rule.Between(src.DigestUntil.Add(time.Second), now.Add(time.Second))
	if len(due) == 0 {
		return nil
	}
	at := due[len(due)-1] // only the latest: missed older digests are folded into it
	items, err := s.store.SourceItemsSeen(ctx, src.ID, src.DigestUntil, at)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return s.store.AdvanceDigest(ctx, src.ID, at)
	}
	status, err := s.postStatus(ctx, src)
	if err != nil {
		return err
	}
	title, summary, body := sources.Digest(digestItems(items), at, s.loc)
	id, digestAt := src.ID, at
	post := &storage.Post{Title: title, Summary: summary, Body: body, Audience: content.AudienceAll,
		Priority: content.PriorityNormal, PublishAt: now, CreatedBy: src.CreatedBy, AgencyID: src.AgencyID, SourceID: &id, DigestAt: &digestAt,
		Status: status, Classification: src.Classification}
	ds, created, err := s.store.CreateDigest(ctx, post, src.Targets, "source:"+strconv.FormatInt(src.ID, 10))
	if err != nil || !created {
		return err
	}
	s.enqueue(ctx, ds)
	s.log.Info("digest created", "source_id", src.ID, "post_id", post.ID, "items", len(items))
	return nil
}

func digestItems(items []storage.SourceItem) []sources.Item {
	out := make([]sources.Item, len(items))
	for i, it := range items {
		out[i] = sources.Item{GUID: it.GUID, Title: it.Title, Link: it.Link, Summary: it.Summary, ImageURL: it.ImageURL, Key: it.Key}
		if it.PublishedAt != nil {
			out[i].Published = *it.PublishedAt
		}
	}
	return out
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
