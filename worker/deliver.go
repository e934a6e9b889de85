package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/loa-vn/loa/adapters"
	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// Deliverer is the asynq handler that sends one delivery.
type Deliverer struct {
	store    *storage.Store
	channels *adapters.ChannelSet
	policy   RetryPolicy
	lease    time.Duration
	log      *slog.Logger
	now      func() time.Time
	observer Observer
	claims   *groupCommit[int64, storage.ClaimOutcome]
	outcomes *groupCommit[storage.Finished, error]

	mu       sync.Mutex
	inFlight map[int64]storage.Claim // by delivery id
}

// recordTimeout bounds one batch of claims or outcomes; the writes go on
// even when the attempts' own contexts end, since the attempts happened.
const recordTimeout = 30 * time.Second

// Observer is told of each attempt whose outcome was recorded (package
// metrics counts them): the channel kind, the recorded outcome, how long
// the attempt took and, for a delivered item, delivered minus scheduled time.
type Observer interface {
	Delivered(kind, outcome string, took, lag time.Duration)
}

type noObserver struct{}

func (noObserver) Delivered(string, string, time.Duration, time.Duration) {}

// DelivererOptions are the Deliverer's dependencies.
type DelivererOptions struct {
	Store    *storage.Store
	Channels *adapters.ChannelSet
	Policy   RetryPolicy
	// Lease is how long a claimed delivery belongs to this worker; it must
	// outlast the task timeout.
	Lease  time.Duration
	Logger *slog.Logger
	// Observer, when set, is told of every recorded attempt.
	Observer Observer
}

// NewDeliverer builds the handler.
func NewDeliverer(o DelivererOptions) *Deliverer {
	d := &Deliverer{store: o.Store, channels: o.Channels,
		policy: o.Policy, lease: o.Lease, log: o.Logger, now: time.Now, observer: o.Observer}
	if d.observer == nil {
		d.observer = noObserver{}
	}
	d.inFlight = make(map[int64]storage.Claim)
	writers := o.Store.ConcurrentWriters()
	d.claims = newGroupCommit(storage.MaxClaimBatch, writers, d.claimBatch)
	d.outcomes = newGroupCommit(storage.MaxClaimBatch, writers, d.finishBatch)
	return d
}

// claimBatch claims concurrent attempts' deliveries in one transaction,
// under one lease token.
func (d *Deliverer) claimBatch(ids []int64) []storage.ClaimOutcome {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	return d.store.ClaimDeliveries(ctx, ids, newLeaseToken(), d.lease)
}

// finishBatch records concurrent attempts' outcomes in one transaction.
func (d *Deliverer) finishBatch(fs []storage.Finished) []error {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	return d.store.FinishAttempts(ctx, fs)
}

// retryAt asks asynq to run the task again at a given time; the database
// already holds the same time, so a Redis loss cannot change it.
type retryAt struct {
	at time.Time
	// failure is false for deferrals (not yet due, held by another worker).
	failure bool
	reason  string
}

func (e *retryAt) Error() string { return "retry at " + e.at.Format(time.RFC3339) + ": " + e.reason }

// ProcessTask claims the delivery, publishes it and records the outcome.
func (d *Deliverer) ProcessTask(ctx context.Context, t *asynq.Task) error {
	id, err := parseDeliverPayload(t)
	if err != nil {
		d.log.Error("dropping malformed task", "task_type", t.Type(), "err", err)
		return fmt.Errorf("%w: %v", asynq.SkipRetry, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	claimed := d.claims.do(id)
	claim, err := claimed.Claim, claimed.Err
	var notDue *storage.NotDueError
	switch {
	case errors.As(err, &notDue):
		return &retryAt{at: notDue.At, reason: notDue.Reason}
	case errors.Is(err, storage.ErrNothingToDo), errors.Is(err, storage.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("worker: claim delivery %d: %w", id, err)
	}
	d.track(claim)
	defer d.untrack(claim)
	log := d.log.With("delivery_id", id, "post_id", claim.Delivery.PostID,
		"channel_id", claim.Delivery.ChannelID, "attempt", claim.Attempt.Number)
	result := d.attempt(ctx, claim, log)
	return d.finish(claim, result, log)
}

func (d *Deliverer) track(c storage.Claim) {
	d.mu.Lock()
	d.inFlight[c.Delivery.ID] = c
	d.mu.Unlock()
}

func (d *Deliverer) untrack(c storage.Claim) {
	d.mu.Lock()
	delete(d.inFlight, c.Delivery.ID)
	d.mu.Unlock()
}

// ReleaseInFlight gives up the leases of attempts still running when the
// server has stopped waiting for them (LOA_SHUTDOWN_TIMEOUT), so their
// deliveries, already back in the queue, are taken over at once by the
// next worker rather than after the lease.
func (d *Deliverer) ReleaseInFlight(ctx context.Context) {
	d.mu.Lock()
	cs := make([]storage.Claim, 0, len(d.inFlight))
	for _, c := range d.inFlight {
		cs = append(cs, c)
	}
	d.mu.Unlock()
	if len(cs) == 0 {
		return
	}
	if err := d.store.ReleaseClaims(ctx, cs); err != nil {
		d.log.Error("cannot release the leases of unfinished attempts; they wait for the lease to expire", "count", len(cs), "err", err)
		return
	}
	d.log.Warn("released the leases of attempts still running at shutdown", "count", len(cs))
}

func (d *Deliverer) attempt(ctx context.Context, c storage.Claim, log *slog.Logger) storage.Result {
	start := d.now()
	ch, err := d.open(c.Channel)
	if err != nil {
		return failed(err.Error(), 0)
	}
	msg := publishing.MessageFor(c.Post, c.Delivery)
	msg.Attempt = c.Attempt.Number
	if c.Uncertain {
		if r, resolved := d.resolveUncertain(ctx, ch, msg, c); resolved {
			r.Duration = d.now().Sub(start)
			return r
		}
	}
	receipt, err := ch.Publish(ctx, msg)
	var r storage.Result
	if err == nil {
		r = storage.Result{Status: storage.DeliveryDelivered, Outcome: storage.OutcomeDelivered,
			HTTPStatus: receipt.HTTPStatus, ExternalID: receipt.ExternalID, ExternalURL: receipt.ExternalURL}
	} else {
		r = d.classify(ctx, c, ch, err)
		log.Warn("delivery attempt failed", "class", channels.ClassOf(err).String(), "status", r.Status, "err", err)
	}
	r.Duration = d.now().Sub(start)
	return r
}

// resolveUncertain decides what to do when an earlier attempt may have
// landed. It reports resolved=false when publishing again is safe.
func (d *Deliverer) resolveUncertain(ctx context.Context, ch channels.Channel, msg channels.Message, c storage.Claim) (storage.Result, bool) {
	if idem, ok := ch.(channels.Idempotent); ok && idem.Idempotent() {
		return storage.Result{}, false
	}
	finder, ok := ch.(channels.Finder)
	if !ok {
		return storage.Result{Status: storage.DeliveryUnconfirmed, Outcome: storage.OutcomeUnconfirmed,
			Error: "an earlier attempt may have reached the platform and this channel cannot check; verify on the platform, then retry if it is missing"}, true
	}
	receipt, found, err := finder.Find(ctx, msg)
	switch {
	case err != nil:
		r := d.classify(ctx, c, ch, fmt.Errorf("checking whether an earlier attempt landed: %w", err))
		r.Uncertain = r.Status == storage.DeliveryRetrying
		return r, true
	case found:
		return storage.Result{Status: storage.DeliveryDelivered, Outcome: storage.OutcomeDelivered,
			ExternalID: receipt.ExternalID, ExternalURL: receipt.ExternalURL}, true
	}
	return storage.Result{}, false
}

// classify turns a publishing error into the delivery's next state.
func (d *Deliverer) classify(ctx context.Context, c storage.Claim, ch channels.Channel, err error) storage.Result {
	ce := channels.AsError(err)
	msg := err.Error()
	if ce.NeedsReauth {
		d.flagReauth(ctx, c.Channel.ID, msg)
	}
	switch ce.Class {
	case channels.ClassPermanent:
		return failed(msg, ce.HTTPStatus)
	case channels.ClassAmbiguous:
		if !canCheck(ch) {
			return storage.Result{Status: storage.DeliveryUnconfirmed, Outcome: storage.OutcomeUnconfirmed,
				HTTPStatus: ce.HTTPStatus, Error: msg + " (the platform may have received it; this channel cannot check)", Uncertain: true}
		}
		r := d.retry(c, msg, ce)
		r.Uncertain = true
		if r.Status == storage.DeliveryFailed {
			r.Status, r.Outcome = storage.DeliveryUnconfirmed, storage.OutcomeUnconfirmed
		}
		return r
	}
	return d.retry(c, msg, ce)
}

func (d *Deliverer) retry(c storage.Claim, msg string, ce *channels.Error) storage.Result {
	used := c.Delivery.Attempts - c.Delivery.AttemptsBase
	if used >= d.policy.MaxAttempts {
		return failed(fmt.Sprintf("gave up after %d attempts: %s", used, msg), ce.HTTPStatus)
	}
	return storage.Result{Status: storage.DeliveryRetrying, Outcome: storage.OutcomeRetry,
		HTTPStatus: ce.HTTPStatus, Error: msg,
		NextAttemptAt: d.now().Add(d.policy.Delay(used, ce.RetryAfter))}
}

func canCheck(ch channels.Channel) bool {
	if idem, ok := ch.(channels.Idempotent); ok && idem.Idempotent() {
		return true
	}
	_, ok := ch.(channels.Finder)
	return ok
}

func failed(msg string, status int) storage.Result {
	return storage.Result{Status: storage.DeliveryFailed, Outcome: storage.OutcomeFailed, Error: msg, HTTPStatus: status}
}

func (d *Deliverer) flagReauth(ctx context.Context, channelID int64, reason string) {
	err := d.store.SetChannelStatus(ctx, channelID, storage.ChannelNeedsReauth, reason, "system:worker")
	if err != nil {
		d.log.Error("cannot flag channel for re-authorisation", "channel_id", channelID, "err", err)
	}
}

func (d *Deliverer) finish(c storage.Claim, r storage.Result, log *slog.Logger) error {
	err := d.outcomes.do(storage.Finished{Claim: c, Result: r})
	if errors.Is(err, storage.ErrLeaseLost) {
		log.Warn("delivery was taken over by another worker; result not recorded", "status", r.Status)
		return nil
	}
	if err != nil {
		// The delivery stays "sending" under our lease; once it expires the
		// next run treats the outcome as uncertain, so nothing is re-posted blindly.
		return fmt.Errorf("worker: record result of delivery %d: %w", c.Delivery.ID, err)
	}
	log.Info("delivery attempt recorded", "status", r.Status, "duration_ms", r.Duration.Milliseconds())
	var lag time.Duration
	if r.Outcome == storage.OutcomeDelivered {
		lag = d.now().Sub(c.Delivery.ScheduledAt)
	}
	d.observer.Delivered(c.Channel.Kind, r.Outcome, r.Duration, lag)
	if r.Status == storage.DeliveryRetrying {
		return &retryAt{at: r.NextAttemptAt, failure: true, reason: r.Error}
	}
	return nil
}

// open returns the channel's adapter unless the channel cannot send.
func (d *Deliverer) open(ch storage.Channel) (channels.Channel, error) {
	switch ch.Status {
	case storage.ChannelDisabled:
		return nil, fmt.Errorf("channel %q is disabled", ch.Name)
	case storage.ChannelNeedsReauth:
		return nil, fmt.Errorf("channel %q needs re-authorisation: %s", ch.Name, ch.StatusReason)
	}
	return d.channels.Get(ch)
}

func newLeaseToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
