package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// world is what setup made: a channel for each posts burst, one the API
// clients post to, and the province whose communes each have a channel.
type world struct {
	posts, load, api int64
	province         int64
}

// setupParallel is how many agencies and channels are created at once.
const setupParallel = 8

func (r *rig) setup(ctx context.Context) (world, error) {
	var w world
	store := r.be.store
	root, err := store.RootAgency(ctx)
	if err != nil {
		return w, err
	}
	for _, c := range []struct {
		id   *int64
		name string
	}{{&w.posts, "bench posts"}, {&w.load, "bench load"}, {&w.api, "bench api"}} {
		if *c.id, err = r.channel(ctx, c.name, root.ID); err != nil {
			return w, err
		}
	}
	province := storage.Agency{Name: "Tỉnh (bench)", Code: "bench-tinh", ParentID: &root.ID}
	if err := store.CreateAgency(ctx, &province, "bench"); err != nil {
		return w, err
	}
	w.province = province.ID
	next := make(chan int)
	errs := make(chan error, setupParallel)
	var wg sync.WaitGroup
	for range setupParallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				commune := storage.Agency{Name: fmt.Sprintf("Xã %d", i), Code: fmt.Sprintf("bench-xa-%d", i), ParentID: &province.ID}
				err := store.CreateAgency(ctx, &commune, "bench")
				if err == nil {
					_, err = r.channel(ctx, fmt.Sprintf("xa %d", i), commune.ID)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var setupErr error
feed:
	for i := range r.o.Deliveries {
		select {
		case next <- i:
		case setupErr = <-errs:
			break feed
		}
	}
	close(next)
	wg.Wait()
	close(errs)
	if setupErr == nil {
		setupErr = <-errs
	}
	return w, setupErr
}

func (r *rig) channel(ctx context.Context, name string, agency int64) (int64, error) {
	sealed, err := r.box.Seal(r.webhookConfig())
	if err != nil {
		return 0, err
	}
	ch := storage.Channel{Name: name, Kind: "webhook", ConfigSealed: sealed, AgencyID: agency}
	if err := r.be.store.CreateChannel(ctx, &ch, "bench"); err != nil {
		return 0, err
	}
	return ch.ID, nil
}

// Burst is one burst's figures.
type Burst struct {
	Delivered int     `json:"delivered"`
	Failed    int     `json:"failed"`
	PerSec    float64 `json:"deliveries_per_sec"`
	LagP50    float64 `json:"lag_p50_s"`
	LagP99    float64 `json:"lag_p99_s"`
	// LateSetup is how long after the due time the burst's tasks were all
	// queued; non-zero makes the lag larger than Loa's own.
	LateSetup float64 `json:"late_setup_s,omitempty"`
}

// leadTime is how far ahead a burst is due: long enough to create and queue
// it before the time comes.
func leadTime(n int) time.Duration {
	return 2*time.Second + time.Duration(n)*3*time.Millisecond
}

// submitBatch is how many posts one SubmitMany creates.
const submitBatch = 500

// postsBurst sends N posts to one channel, all due at the same second; ld,
// when set, runs its clients from the due time until the burst is done.
func (r *rig) postsBurst(ctx context.Context, channel int64, ld *load) (Burst, error) {
	due := time.Now().Add(leadTime(r.o.Deliveries)).Truncate(time.Second).Add(time.Second)
	drafts := make([]publishing.Draft, 0, submitBatch)
	for i := range r.o.Deliveries {
		drafts = append(drafts, publishing.Draft{ChannelIDs: []int64{channel}, Fields: publishing.Fields{
			Title: fmt.Sprintf("Tin %d", i), Body: "<p>Nội dung thử tải</p>", PublishAt: due.Format(time.RFC3339)}})
		if len(drafts) == submitBatch || i == r.o.Deliveries-1 {
			if _, _, err := r.pub.SubmitMany(ctx, r.admin, drafts); err != nil {
				return Burst{}, err
			}
			drafts = drafts[:0]
		}
	}
	late := time.Since(due)
	var stop func()
	if ld != nil {
		stop = ld.start(ctx, due)
	}
	b, err := r.await(ctx, storage.DeliveryFilter{ChannelID: channel})
	if stop != nil {
		stop()
	}
	b.LateSetup = max(late.Seconds(), 0)
	return b, err
}

// provinceBurst sends one post to every commune's channel through a
// selector on the province.
func (r *rig) provinceBurst(ctx context.Context, province int64) (Burst, error) {
	due := time.Now().Add(leadTime(r.o.Deliveries)).Truncate(time.Second).Add(time.Second)
	post, ds, err := r.pub.Submit(ctx, r.admin, publishing.Draft{
		Fields:   publishing.Fields{Title: "Thông báo toàn tỉnh", Body: "<p>Nội dung</p>", PublishAt: due.Format(time.RFC3339)},
		Selector: &storage.Selector{AgencyID: province, Descendants: true, Kinds: []string{"webhook"}},
	})
	if err != nil {
		return Burst{}, err
	}
	if len(ds) != r.o.Deliveries {
		return Burst{}, fmt.Errorf("the selector chose %d channels, want %d", len(ds), r.o.Deliveries)
	}
	late := time.Since(due)
	b, err := r.await(ctx, storage.DeliveryFilter{PostID: post.ID})
	b.LateSetup = max(late.Seconds(), 0)
	return b, err
}

// pending are the statuses a delivery leaves on its way to an end.
var pending = []string{storage.DeliveryScheduled, storage.DeliverySending, storage.DeliveryRetrying}

// await waits until no delivery of f is pending, then reads them all. It
// looks ten times a second, not at each arrival: the figures come from the
// recorded times, and a busy check would take the machine from the worker.
func (r *rig) await(ctx context.Context, f storage.DeliveryFilter) (Burst, error) {
	deadline := time.Now().Add(10*time.Minute + time.Duration(r.o.Deliveries)*10*time.Millisecond)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		done, err := r.settled(ctx, f)
		if err != nil {
			return Burst{}, err
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			return Burst{}, errors.New("deliveries still pending at the deadline")
		}
		select {
		case <-ctx.Done():
			return Burst{}, ctx.Err()
		case <-tick.C:
		}
	}
	return r.collect(ctx, f)
}

func (r *rig) settled(ctx context.Context, f storage.DeliveryFilter) (bool, error) {
	for _, st := range pending {
		f.Status, f.Limit = st, 1
		ds, err := r.be.store.ListDeliveries(ctx, f)
		if err != nil || len(ds) > 0 {
			return false, err
		}
	}
	return true, nil
}

// collectPage is how many deliveries one read returns.
const collectPage = 1000

func (r *rig) collect(ctx context.Context, f storage.DeliveryFilter) (Burst, error) {
	var b Burst
	var lags []float64
	var first, last time.Time
	f.Limit = collectPage
	for {
		ds, err := r.be.store.ListDeliveries(ctx, f)
		if err != nil {
			return b, err
		}
		for _, d := range ds {
			if d.Status != storage.DeliveryDelivered || d.DeliveredAt == nil {
				b.Failed++
				continue
			}
			b.Delivered++
			at := *d.DeliveredAt
			lags = append(lags, at.Sub(d.ScheduledAt).Seconds())
			if first.IsZero() || at.Before(first) {
				first = at
			}
			if at.After(last) {
				last = at
			}
		}
		if len(ds) < collectPage {
			break
		}
		f.BeforeID = ds[len(ds)-1].ID
	}
	slices.Sort(lags)
	b.LagP50, b.LagP99 = percentile(lags, 0.50), percentile(lags, 0.99)
	b.PerSec = rate(b.Delivered, last.Sub(first))
	return b, nil
}

// rate is n events over the span from the first to the last; a span too
// short to measure counts as a millisecond.
func rate(n int, span time.Duration) float64 {
	if n == 0 {
		return 0
	}
	return float64(n) / max(span, time.Millisecond).Seconds()
}

// percentile of sorted values, nearest rank.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
