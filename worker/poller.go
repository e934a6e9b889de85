package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/recurrence"
	"github.com/loa-vn/loa/secrets"
	"github.com/loa-vn/loa/sources"
	"github.com/loa-vn/loa/storage"
)

const (
	pollLease      = 2 * time.Minute
	maxPollBackoff = 6 * time.Hour
	pollsAtOnce    = 4
)

// Poller polls due feed sources, turns each new item into a post (waiting
// for approval in review mode, scheduled at once in auto mode), and makes
// each source's weekly digest. Any number of processes may run it: a lease
// gives each poll to one of them, and the database never records an item
// (or a digest) twice.
type Poller struct {
	store   *storage.Store
	queue   Enqueuer
	fetcher *sources.Fetcher
	loc     *time.Location
	log     *slog.Logger
	now     func() time.Time
	box     *secrets.Box
}

// NewPoller builds a poller; loc is the zone of digests and dates.
func NewPoller(store *storage.Store, queue Enqueuer, fetcher *sources.Fetcher, loc *time.Location, log *slog.Logger) *Poller {
	return &Poller{store: store, queue: queue, fetcher: fetcher, loc: loc, log: log, now: time.Now}
}

// WithClock makes the poller use now as its clock (tests).
func (p *Poller) WithClock(now func() time.Time) *Poller {
	p.now = now
	return p
}

// WithSecrets lets the poller open the sealed URLs of feeds whose address
// holds credentials; without it such feeds fail with a clear reason.
func (p *Poller) WithSecrets(box *secrets.Box) *Poller {
	p.box = box
	return p
}

// Run polls due sources every interval until ctx ends.
func (p *Poller) Run(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		p.RunOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// RunOnce polls the sources that are due, a few at a time, then makes due
// digests. A failing feed only affects its own source.
func (p *Poller) RunOnce(ctx context.Context) {
	due, err := p.store.ClaimDueSources(ctx, pollLease, 20)
	if err != nil {
		p.log.Error("cannot find due sources", "err", err)
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, pollsAtOnce)
	for _, src := range due {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if _, err := p.Poll(ctx, src); err != nil {
				p.log.Error("poll failed", "source_id", src.ID, "err", err)
			}
		}()
	}
	wg.Wait()
	p.makeDigests(ctx)
}

// Poll polls a source whose lease the caller holds, records the result and
// releases the lease.
func (p *Poller) Poll(ctx context.Context, src storage.Source) (storage.SourcePoll, error) {
	start := p.now()
	poll, fetched, err := p.fetch(ctx, src)
	if err == nil && fetched != nil {
		poll.ItemsSeen, poll.ItemsNew, err = p.ingest(ctx, src, *fetched)
	}
	res := storage.PollResult{ETag: src.ETag, LastModified: src.LastModified}
	if fetched != nil {
		res.ETag, res.LastModified = fetched.validators.ETag, fetched.validators.LastModified
	}
	poll.At, poll.DurationMS = start.UTC(), p.now().Sub(start).Milliseconds()
	every := time.Duration(src.PollEvery) * time.Second
	if err != nil {
		p.log.Warn("feed poll failed", "source_id", src.ID, "err", err)
		poll.Outcome, poll.Error = storage.PollError, err.Error()
		res.Failures, res.LastError = src.Failures+1, err.Error()
		res.NextPollAt = start.Add(backoff(every, res.Failures))
	} else {
		res.NextPollAt = start.Add(every)
	}
	res.Poll = poll
	recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if rerr := p.store.RecordPoll(recordCtx, src.ID, res); rerr != nil {
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
func (p *Poller) fetch(ctx context.Context, src storage.Source) (storage.SourcePoll, *fetchedFeed, error) {
	poll := storage.SourcePoll{Outcome: storage.PollOK}
	feedURL, err := p.feedURL(src)
	if err != nil {
		return poll, nil, err
	}
	res, err := p.fetcher.Fetch(ctx, feedURL, sources.Validators{ETag: src.ETag, LastModified: src.LastModified})
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
func (p *Poller) feedURL(src storage.Source) (string, error) {
	if len(src.URLSealed) == 0 {
		return src.URL, nil
	}
	if p.box == nil {
		return "", &sources.FetchError{Kind: sources.KindNetwork, Message: "the feed address holds credentials, but this process has no secret key to open them"}
	}
	plain, err := p.box.Open(src.URLSealed)
	if err != nil {
		return "", &sources.FetchError{Kind: sources.KindNetwork, Message: "the credentials in the feed address cannot be opened (wrong LOA_SECRET_KEY?); create the source again"}
	}
	return string(plain), nil
}

// ingest records every item not seen before, with its post.
func (p *Poller) ingest(ctx context.Context, src storage.Source, f fetchedFeed) (seen, added int, err error) {
	var tmpl sources.Template
	if err := json.Unmarshal([]byte(src.Template), &tmpl); err != nil {
		return 0, 0, fmt.Errorf("stored source template: %w", err)
	}
	compiled, err := sources.ParseTemplate(tmpl)
	if err != nil {
		return 0, 0, err
	}
	targets, err := storage.DecodeTargets(src.Targets)
	if err != nil {
		return 0, 0, err
	}
	status, err := p.postStatus(ctx, src)
	if err != nil {
		return 0, 0, err
	}
	// Oldest first, so posts go out in the order the province published them.
	for i := len(f.feed.Items) - 1; i >= 0; i-- {
		created, err := p.ingestItem(ctx, src, status, compiled, targets, f.feed.Items[i])
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
// without it (storage.AuthorNeedsApproval); "" lets them go out.
func (p *Poller) postStatus(ctx context.Context, src storage.Source) (string, error) {
	if src.Mode != storage.SourceAuto {
		return storage.PostPendingApproval, nil
	}
	author, err := p.store.GetUser(ctx, src.CreatedBy)
	if err != nil {
		return "", fmt.Errorf("source author: %w", err)
	}
	if storage.AuthorNeedsApproval(author) {
		return storage.PostPendingApproval, nil
	}
	return "", nil
}

func (p *Poller) ingestItem(ctx context.Context, src storage.Source, status string, tmpl *sources.Compiled, t storage.Targets, it sources.Item) (bool, error) {
	item := storage.SourceItem{SourceID: src.ID, Key: it.Key, GUID: it.GUID, Title: it.Title, Link: it.Link,
		Summary: it.Summary, ImageURL: it.ImageURL}
	if item.Key == "" {
		item.Key = sources.ItemKey(it)
	}
	if !it.Published.IsZero() {
		at := it.Published.UTC()
		item.PublishedAt = &at
	}
	post, err := p.itemPost(src, status, tmpl, it)
	if err != nil {
		// One item the template cannot turn into a valid post is recorded
		// as skipped; the feed's other items go on.
		p.log.Warn("feed item not posted", "source_id", src.ID, "item_key", item.Key, "err", err)
		item.Skipped = truncateRunes(err.Error(), 200)
		post = nil
	}
	if post == nil && item.Skipped == "" {
		item.Skipped = fmt.Sprintf("published more than %d days ago", src.MaxAgeDays)
	}
	actor := "source:" + strconv.FormatInt(src.ID, 10)
	ds, created, err := p.store.AddSourceItem(ctx, &item, post, t, actor)
	if err != nil || !created {
		return false, err
	}
	if post != nil && post.Status != storage.PostPendingApproval {
		p.queueAll(ctx, ds)
	}
	return true, nil
}

// itemPost renders the source's template for an item; nil when the item is
// too old to post.
func (p *Poller) itemPost(src storage.Source, status string, tmpl *sources.Compiled, it sources.Item) (*storage.Post, error) {
	now := p.now().UTC()
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
		PublishAt: now, CreatedBy: src.CreatedBy, SourceID: &id, Status: status}
	return post, nil
}

func (p *Poller) queueAll(ctx context.Context, ds []storage.Delivery) {
	for _, d := range ds {
		if err := p.queue.Schedule(ctx, d.ID, d.NextAttemptAt); err != nil {
			p.log.Warn("cannot queue delivery now; the reconciler will", "delivery_id", d.ID, "err", err)
		}
	}
}

// makeDigests creates, for each source with a digest rule whose latest
// digest time has passed, one post listing the items seen since the last.
func (p *Poller) makeDigests(ctx context.Context) {
	srcs, err := p.store.ListSources(ctx)
	if err != nil {
		p.log.Error("cannot list sources for digests", "err", err)
		return
	}
	for _, src := range srcs {
		if src.DigestRule == "" || src.Status != storage.SourceActive {
			continue
		}
		if err := p.digest(ctx, src); err != nil {
			p.log.Error("digest failed", "source_id", src.ID, "err", err)
		}
	}
}

func (p *Poller) digest(ctx context.Context, src storage.Source) error {
	rule, err := recurrence.Compile(recurrence.Spec{Rule: src.DigestRule, Timezone: p.loc.String(), StartsAt: src.CreatedAt})
	if err != nil {
		return err
	}
	now := p.now().UTC()
	due := rule.Between(src.DigestUntil.Add(time.Second), now.Add(time.Second))
	if len(due) == 0 {
		return nil
	}
	at := due[len(due)-1] // only the latest: missed older digests are folded into it
	items, err := p.store.SourceItemsSeen(ctx, src.ID, src.DigestUntil, at)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return p.store.AdvanceDigest(ctx, src.ID, at)
	}
	targets, err := storage.DecodeTargets(src.Targets)
	if err != nil {
		return err
	}
	status, err := p.postStatus(ctx, src)
	if err != nil {
		return err
	}
	title, summary, body := sources.Digest(digestItems(items), at, p.loc)
	id, digestAt := src.ID, at
	post := &storage.Post{Title: title, Summary: summary, Body: body, Audience: content.AudienceAll,
		Priority: content.PriorityNormal, PublishAt: now, CreatedBy: src.CreatedBy, SourceID: &id, DigestAt: &digestAt,
		Status: status}
	ds, created, err := p.store.CreateDigest(ctx, post, targets, "source:"+strconv.FormatInt(src.ID, 10))
	if err != nil || !created {
		return err
	}
	if post.Status != storage.PostPendingApproval {
		p.queueAll(ctx, ds)
	}
	p.log.Info("digest created", "source_id", src.ID, "post_id", post.ID, "items", len(items))
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
