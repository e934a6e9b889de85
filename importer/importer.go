// Package importer imports posts in bulk from an .xlsx workbook or a CSV
// file, a row per post. Every row is checked by the publishing layer's own
// rules for a post (publishing.Service.CheckMany, the rules Submit
// applies); nothing is imported until the whole file is valid, and then
// every post is created in one transaction (publishing.Service.SubmitMany).
// The API and the web pages both call it.
package importer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
	"github.com/loa-vn/loa/vntime"
)

// Limits bound one import; zero fields take the defaults.
type Limits struct {
	// MaxBytes bounds the file; default 10 MiB.
	MaxBytes int64
	// MaxRows bounds the rows of posts; default 5,000.
	MaxRows int
	// MaxColumns bounds the columns of a row; default 30.
	MaxColumns int
	// MaxCellBytes bounds one cell; default 256 KiB.
	MaxCellBytes int
	// MaxUnzipBytes bounds what a workbook unzips to; default 64 MiB.
	MaxUnzipBytes int64
	// MaxZipEntries bounds a workbook's parts; default 1,000.
	MaxZipEntries int
	// Timeout bounds one check or import; default 2 minutes.
	Timeout time.Duration
	// MaxConcurrent bounds the imports read or written at once; default 2.
	// Another waits up to QueueWait (default 10 s), then is refused as busy.
	MaxConcurrent int
	QueueWait     time.Duration
}

// DefaultLimits are the limits of Options without any.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 10 << 20, MaxRows: 5000, MaxColumns: 30, MaxCellBytes: 256 << 10,
		MaxUnzipBytes: 64 << 20, MaxZipEntries: 1000, Timeout: 2 * time.Minute, MaxConcurrent: 2, QueueWait: 10 * time.Second}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	set := func(v *int64, def int64) {
		if *v <= 0 {
			*v = def
		}
	}
	setInt := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&l.MaxBytes, d.MaxBytes)
	set(&l.MaxUnzipBytes, d.MaxUnzipBytes)
	setInt(&l.MaxRows, d.MaxRows)
	setInt(&l.MaxColumns, d.MaxColumns)
	setInt(&l.MaxCellBytes, d.MaxCellBytes)
	setInt(&l.MaxZipEntries, d.MaxZipEntries)
	setInt(&l.MaxConcurrent, d.MaxConcurrent)
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	if l.QueueWait <= 0 {
		l.QueueWait = d.QueueWait
	}
	return l
}

// Options are a Service's dependencies.
type Options struct {
	Publishing *publishing.Service
	Store      *storage.Store
	// Location is LOA_TIMEZONE: the file's times are read in it.
	Location *time.Location
	Limits   Limits
	Logger   *slog.Logger
	Now      func() time.Time
}

// Service checks and imports files. It is safe for concurrent use.
type Service struct {
	pub   *publishing.Service
	store *storage.Store
	loc   *time.Location
	lim   Limits
	log   *slog.Logger
	now   func() time.Time
	slots chan struct{}
}

// New builds a Service.
func New(o Options) *Service {
	s := &Service{pub: o.Publishing, store: o.Store, loc: o.Location, lim: o.Limits.withDefaults(), log: o.Logger, now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.loc == nil {
		s.loc = vntime.Fixed()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.slots = make(chan struct{}, s.lim.MaxConcurrent)
	return s
}

// Limits are the service's limits, for pages and documents to state.
func (s *Service) Limits() Limits { return s.lim }

// Report is what a check found in a file: the rows of posts it holds and
// every problem, by row. The file may be imported only when it has none.
type Report struct {
	Format string
	Rows   int
	Issues []Issue
	// Ignored are headers of columns the importer does not read.
	Ignored []string
}

// Valid says whether the whole file may be imported.
func (r Report) Valid() bool { return len(r.Issues) == 0 }

// BadRows is how many rows have a problem.
func (r Report) BadRows() int {
	n, last := 0, -1
	for _, is := range r.Issues {
		if is.Row != last {
			n, last = n+1, is.Row
		}
	}
	return n
}

// Result is what an import made.
type Result struct {
	Report
	// PostIDs are the new posts, in the file's order.
	PostIDs    []int64
	Deliveries int
	// PendingApproval is how many of the posts wait for an editor.
	PendingApproval int
	Duration        time.Duration
}

// ErrInvalidRows means the file has bad rows (the report lists them) and
// nothing was imported.
var ErrInvalidRows = errors.New("import: the file has invalid rows; nothing was imported")

// Check reads data and checks every row as Submit would check the post,
// storing nothing. A file-level refusal is a *FileError; the policy's
// refusal of the user, a publishing error.
func (s *Service) Check(ctx context.Context, u storage.User, data []byte) (Report, error) {
	ctx, done, err := s.begin(ctx)
	if err != nil {
		return Report{}, err
	}
	defer done()
	return s.check(ctx, u, data)
}

// Import checks data as Check does and, only when every row is valid,
// creates all the posts with their deliveries in one transaction and
// queues those due. With bad rows it returns the report and ErrInvalidRows.
func (s *Service) Import(ctx context.Context, u storage.User, data []byte) (Result, error) {
	start := time.Now()
	ctx, done, err := s.begin(ctx)
	if err != nil {
		return Result{}, err
	}
	defer done()
	rows, l, rep, err := s.read(ctx, u, data)
	res := Result{Report: rep}
	if err != nil {
		return res, err
	}
	if !rep.Valid() { // rows the importer could not read: check the rest too, to report them all
		res.Report, err = s.checkRows(ctx, u, rows, l, rep)
		if err != nil {
			return res, err
		}
		return res, ErrInvalidRows
	}
	drafts := make([]publishing.Draft, len(rows))
	for i, r := range rows {
		drafts[i] = r.draft
	}
	posts, ds, err := s.pub.SubmitMany(ctx, u, drafts)
	var refused *publishing.BatchError
	switch {
	case errors.As(err, &refused):
		res.Report = report(rep, rows, l, refused.Refusals)
		return res, ErrInvalidRows
	case err != nil:
		return res, s.failure(ctx, "import posts", err)
	}
	for _, p := range posts {
		res.PostIDs = append(res.PostIDs, p.ID)
		if p.Status == storage.PostPendingApproval {
			res.PendingApproval++
		}
	}
	res.Deliveries, res.Duration = len(ds), time.Since(start)
	s.log.Info("import: posts imported", "user_id", u.ID, "format", rep.Format, "posts", len(posts),
		"deliveries", len(ds), "pending_approval", res.PendingApproval, "duration_ms", res.Duration.Milliseconds())
	return res, nil
}

// begin waits for one of the concurrent imports' slots (up to QueueWait)
// and bounds the work by Timeout.
func (s *Service) begin(ctx context.Context) (context.Context, func(), error) {
	wait, cancelWait := context.WithTimeout(ctx, s.lim.QueueWait)
	defer cancelWait()
	select {
	case s.slots <- struct{}{}:
	case <-wait.Done():
		return nil, nil, &FileError{Code: CodeBusy, Message: "other imports are running; try again in a minute"}
	}
	ctx, cancel := context.WithTimeout(ctx, s.lim.Timeout)
	return ctx, func() { cancel(); <-s.slots }, nil
}

// failure is err, or a timeout refusal when the time ran out.
func (s *Service) failure(ctx context.Context, what string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return &FileError{Code: CodeTimeout, Err: err, Message: fmt.Sprintf("the import took longer than %s; nothing was imported", s.lim.Timeout)}
	}
	return fmt.Errorf("import: %s: %w", what, err)
}

// check reads the file and checks every row.
func (s *Service) check(ctx context.Context, u storage.User, data []byte) (Report, error) {
	rows, l, rep, err := s.read(ctx, u, data)
	if err != nil {
		return rep, err
	}
	return s.checkRows(ctx, u, rows, l, rep)
}

// read reads the file's rows as drafts; the report has the problems of
// the rows the importer could not read (which are not drafts).
func (s *Service) read(ctx context.Context, u storage.User, data []byte) ([]parsedRow, layout, Report, error) {
	if err := publishing.Allowed(u, publishing.SubmitPost, publishing.Subject{}); err != nil {
		return nil, layout{}, Report{}, err
	}
	t, err := readTable(ctx, data, s.lim)
	if err != nil {
		return nil, layout{}, Report{}, err
	}
	rep := Report{Format: t.format, Rows: len(t.rows)}
	l, err := readLayout(t.header)
	if err != nil {
		return nil, l, rep, err
	}
	rep.Ignored = l.ignored
	today := s.now().In(s.loc)
	sc, err := loadScope(ctx, s.store, u, today)
	if err != nil {
		return nil, l, rep, s.failure(ctx, "load scope", err)
	}
	rr := rowReader{layout: l, scope: sc, user: u, loc: s.loc, format: t.format, lim: s.lim, today: today}
	rows := make([]parsedRow, len(t.rows))
	for i, tr := range t.rows {
		rows[i] = rr.read(tr)
		rep.Issues = append(rep.Issues, rows[i].issues...)
	}
	return rows, l, rep, nil
}

// checkRows applies the publishing rules to the rows that are drafts and
// reports every row's problems.
func (s *Service) checkRows(ctx context.Context, u storage.User, rows []parsedRow, l layout, rep Report) (Report, error) {
	var drafts []publishing.Draft
	var checked []int
	for i, r := range rows {
		if len(r.issues) == 0 {
			drafts, checked = append(drafts, r.draft), append(checked, i)
		}
	}
	refusals, err := s.pub.CheckMany(ctx, u, drafts)
	if err != nil {
		return rep, s.failure(ctx, "check rows", err)
	}
	all := make([]error, len(rows))
	for j, i := range checked {
		all[i] = refusals[j]
	}
	return report(rep, rows, l, all), nil
}

// report is rep with every row's problems in row order: the importer's
// own and refusals[i], the publishing layer's refusal of row i.
func report(rep Report, rows []parsedRow, l layout, refusals []error) Report {
	rep.Issues = nil
	for i, r := range rows {
		rep.Issues = append(rep.Issues, r.issues...)
		if i < len(refusals) && refusals[i] != nil {
			rep.Issues = append(rep.Issues, layerIssue(r.num, l, refusals[i], r.draft))
		}
	}
	return rep
}

// layerIssue is the publishing layer's refusal of row num's draft d.
func layerIssue(num int, l layout, err error, d publishing.Draft) Issue {
	is := Issue{Row: num, Code: CodeInvalidField, Message: err.Error(), Err: err}
	var inv *publishing.InvalidError
	if errors.As(err, &inv) {
		is.Field = fieldColumn(inv.Field, d)
		if inv.Rule != "" {
			is.Code = inv.Rule
		}
	} else if errors.Is(err, publishing.ErrNotAllowed) {
		is.Code = CodeNotAllowed
	}
	if is.Field != "" {
		is.Column = l.header(is.Field)
	}
	return is
}

// fieldColumn is the column a publishing field comes from.
func fieldColumn(field string, d publishing.Draft) Column {
	switch field {
	case "title":
		return ColTitle
	case "summary":
		return ColSummary
	case "body":
		return ColBody
	case "link":
		return ColLink
	case "image_url":
		return ColImage
	case "publish_at":
		return ColTime
	case "channel_ids":
		return ColChannels
	case "targets.agency_id":
		return ColAgency
	case "targets.kinds":
		return ColKinds
	case "activity_id":
		return ColActivity
	case "content_area":
		return ColContentArea
	case "audience_code":
		return ColAudience
	case "targets":
		if d.Selector != nil {
			return ColKinds
		}
		return ColChannels
	}
	return ""
}
