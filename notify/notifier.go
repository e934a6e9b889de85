// Package notify tells people what needs them: it turns events (a post
// waiting for approval, a delivery that failed or is unconfirmed, a
// channel that needs re-authorising) into notifications for the users
// whose role and agency cover them, and e-mails them when SMTP is set up.
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// Defaults of a Notifier's Options.
const (
	DefaultInterval = 15 * time.Second
	// DefaultSettle is how old an event must be before it is read: a row
	// stamped at T is committed by T+settle, so the mark never passes a
	// row that is still being written.
	DefaultSettle = time.Minute
	DefaultBatch  = 200
	// DefaultLookback is how far back the first scan reads.
	DefaultLookback = 24 * time.Hour
	// maxBatchesPerScan and scanTimeout bound one scan; the next goes on.
	maxBatchesPerScan = 20
	scanTimeout       = 2 * time.Minute
	// Mail is tried at most mailAttempts times, for notifications at most
	// mailWindow old, mailBatch per scan.
	mailAttempts = 3
	mailWindow   = 24 * time.Hour
	mailBatch    = 50
	mailLease    = 2 * time.Minute
)

// Options are a Notifier's dependencies.
type Options struct {
	Store      *storage.Store
	Publishing *publishing.Service
	// Mailer, when set, e-mails each notification once to users with an address.
	Mailer *Mailer
	// PublicURL (LOA_PUBLIC_URL) starts the links in e-mail.
	PublicURL string
	Logger    *slog.Logger
	Now       func() time.Time
	Interval  time.Duration
	Settle    time.Duration
	Batch     int
	Lookback  time.Duration
}

// Notifier scans for new events and makes notifications.
type Notifier struct {
	store     *storage.Store
	pub       *publishing.Service
	mailer    *Mailer
	publicURL string
	log       *slog.Logger
	now       func() time.Time
	interval  time.Duration
	settle    time.Duration
	batch     int
	lookback  time.Duration
}

// New returns a Notifier.
func New(o Options) *Notifier {
	n := &Notifier{store: o.Store, pub: o.Publishing, mailer: o.Mailer, publicURL: o.PublicURL, log: o.Logger,
		now: o.Now, interval: o.Interval, settle: o.Settle, batch: o.Batch, lookback: o.Lookback}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	if n.now == nil {
		n.now = time.Now
	}
	if n.interval <= 0 {
		n.interval = DefaultInterval
	}
	if n.settle <= 0 {
		n.settle = DefaultSettle
	}
	if n.batch <= 0 {
		n.batch = DefaultBatch
	}
	if n.lookback <= 0 {
		n.lookback = DefaultLookback
	}
	return n
}

// Run scans every interval until ctx ends.
func (n *Notifier) Run(ctx context.Context) {
	t := time.NewTicker(n.interval)
	defer t.Stop()
	for {
		scanCtx, cancel := context.WithTimeout(ctx, scanTimeout)
		if err := n.Scan(scanCtx); err != nil && ctx.Err() == nil {
			n.log.Error("notify: scan failed; the next scan goes on from the same mark", "err", err)
		}
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Scan turns the events since each source's mark into notifications,
// then e-mails what is unsent.
func (n *Notifier) Scan(ctx context.Context) error {
	for _, src := range []struct {
		name string
		read func(context.Context, storage.NotifierMark, time.Time) (int, storage.NotifierMark, []storage.Notification, error)
	}{{storage.SourceAttempts, n.attemptEvents}, {storage.SourceAudit, n.auditEvents}} {
		if err := n.scanSource(ctx, src.name, src.read); err != nil {
			return err
		}
	}
	if n.mailer != nil {
		return n.mail(ctx)
	}
	return nil
}

// scanSource reads one source batch by batch, saving each batch's
// notifications with the source's new mark in one transaction.
func (n *Notifier) scanSource(ctx context.Context, source string,
	read func(context.Context, storage.NotifierMark, time.Time) (int, storage.NotifierMark, []storage.Notification, error)) error {
	mark, found, err := n.store.GetNotifierMark(ctx, source)
	if err != nil {
		return err
	}
	now := n.now()
	if !found {
		mark.At = now.Add(-n.lookback)
	}
	upTo := now.Add(-n.settle)
	for range maxBatchesPerScan {
		rows, next, ns, err := read(ctx, mark, upTo)
		if err != nil {
			return fmt.Errorf("notify: read %s: %w", source, err)
		}
		if rows == 0 {
			return nil
		}
		added, err := n.store.SaveNotifications(ctx, ns, next)
		if err != nil {
			return fmt.Errorf("notify: save %s notifications: %w", source, err)
		}
		if added > 0 {
			n.log.Info("notify: notifications made", "source", source, "count", added)
		}
		mark = next
		if rows < n.batch {
			return nil
		}
	}
	return nil
}

// event is one thing to tell: its kind and subject, the users it concerns
// and what to say.
type event struct {
	kind    string
	subject int64
	key     string
	text    string
	users   []storage.User
}

func (e event) notifications() []storage.Notification {
	ns := make([]storage.Notification, len(e.users))
	for i, u := range e.users {
		ns[i] = storage.Notification{UserID: u.ID, Kind: e.kind, SubjectID: e.subject, Event: e.key, Text: e.text}
	}
	return ns
}

// recipients are the enabled users of the agency and those above it for
// whom want is true; lines and users are cached per agency for a batch.
type recipients struct {
	n     *Notifier
	lines map[int64][]int64
	users map[int64][]storage.User
}

func (n *Notifier) recipients() *recipients {
	return &recipients{n: n, lines: map[int64][]int64{}, users: map[int64][]storage.User{}}
}

func (r *recipients) of(ctx context.Context, agency int64, want func(storage.User, publishing.Subject) bool) ([]storage.User, error) {
	line, ok := r.lines[agency]
	if !ok {
		sub, err := r.n.pub.Subject(ctx, "notification", agency, 0)
		if err != nil {
			return nil, err
		}
		line = sub.Agency
		us, err := r.n.store.UsersInAgencies(ctx, line)
		if err != nil {
			return nil, err
		}
		r.lines[agency], r.users[agency] = line, us
	}
	var out []storage.User
	for _, u := range r.users[agency] {
		if want(u, publishing.Subject{What: "notification", Agency: line}) {
			out = append(out, u)
		}
	}
	return out, nil
}

func eventKey(prefix string, id int64) string { return prefix + ":" + strconv.FormatInt(id, 10) }
