package api

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

type deliveryView struct {
	ID            int64      `json:"id"`
	PostID        int64      `json:"post_id"`
	ChannelID     int64      `json:"channel_id"`
	AgencyID      int64      `json:"agency_id"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	LastError     string     `json:"last_error"`
	ExternalID    string     `json:"external_id"`
	ExternalURL   string     `json:"external_url"`
	ScheduledAt   time.Time  `json:"scheduled_at"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	DeliveredAt   *time.Time `json:"delivered_at"`
	// Reach holds each metric the platform reported ("reach", "views"…);
	// absent when it reported none, never zero for unknown.
	Reach map[string]reachView `json:"reach,omitempty"`
	// ReachUnavailable says why the platform reports no reach, if it said so.
	ReachUnavailable string `json:"reach_unavailable,omitempty"`
}

type reachView struct {
	Value  int64     `json:"value"`
	ReadAt time.Time `json:"read_at"`
}

// withReach adds what is known of each delivery's reach to views.
func (s *Server) withReach(ctx context.Context, views []*deliveryView) error {
	ids := make([]int64, len(views))
	for i, v := range views {
		ids[i] = v.ID
	}
	known, err := s.store.ReachByDelivery(ctx, ids)
	if err != nil {
		return err
	}
	for _, v := range views {
		r, ok := known[v.ID]
		if !ok {
			continue
		}
		v.ReachUnavailable = r.Unavailable
		for name, m := range r.Metrics {
			if v.Reach == nil {
				v.Reach = map[string]reachView{}
			}
			v.Reach[name] = reachView{Value: m.Value, ReadAt: m.ReadAt.UTC()}
		}
	}
	return nil
}

// deliveryDetail is a delivery with its attempts; attempt_log is [] before
// the first attempt rather than missing.
type deliveryDetail struct {
	deliveryView
	AttemptLog []attemptView `json:"attempt_log"`
}

type attemptView struct {
	At         time.Time `json:"at"`
	Number     int       `json:"number"`
	Outcome    string    `json:"outcome"`
	HTTPStatus int       `json:"http_status"`
	Error      string    `json:"error"`
	DurationMS int64     `json:"duration_ms"`
}

func viewDelivery(d storage.Delivery) deliveryView {
	v := deliveryView{ID: d.ID, PostID: d.PostID, ChannelID: d.ChannelID, AgencyID: d.AgencyID, Status: d.Status,
		Attempts: d.Attempts, LastError: d.LastError, ExternalID: d.ExternalID, ExternalURL: d.ExternalURL,
		ScheduledAt: d.ScheduledAt.UTC()}
	if d.Status == storage.DeliveryScheduled || d.Status == storage.DeliveryRetrying {
		next := d.NextAttemptAt.UTC()
		v.NextAttemptAt = &next
	}
	if d.DeliveredAt != nil {
		at := d.DeliveredAt.UTC()
		v.DeliveredAt = &at
	}
	return v
}

var deliveryStatuses = []string{storage.DeliveryPendingApproval, storage.DeliveryScheduled, storage.DeliverySending, storage.DeliveryDelivered,
	storage.DeliveryRetrying, storage.DeliveryFailed, storage.DeliveryUnconfirmed, storage.DeliveryCanceled}

func (s *Server) listDeliveries(c echo.Context) error {
	page, err := readPage(c)
	if err != nil {
		return err
	}
	f := storage.DeliveryFilter{Status: c.QueryParam("status"), BeforeID: page.before, Limit: page.limit + 1}
	if f.Status != "" && !oneOf(f.Status, deliveryStatuses...) {
		return invalid("status", "unknown delivery status")
	}
	if f.PostID, err = queryID(c, "post_id"); err != nil {
		return err
	}
	if f.ChannelID, err = queryID(c, "channel_id"); err != nil {
		return err
	}
	if f.Agency, err = queryID(c, "agency_id"); err != nil {
		return err
	}
	if f.From, err = s.queryBound(c, "from"); err != nil {
		return err
	}
	if f.To, err = s.queryBound(c, "to"); err != nil {
		return err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return invalid("to", "must be after from")
	}
	ds, err := s.pub.ListDeliveries(c.Request().Context(), currentUser(c), f)
	if err != nil {
		return err
	}
	items := make([]deliveryView, 0, len(ds))
	for _, d := range ds[:min(len(ds), page.limit)] {
		items = append(items, viewDelivery(d))
	}
	ptrs := make([]*deliveryView, len(items))
	for i := range items {
		ptrs[i] = &items[i]
	}
	if err := s.withReach(c.Request().Context(), ptrs); err != nil {
		return err
	}
	next := ""
	if len(ds) > page.limit {
		next = encodeCursor(ds[page.limit-1].ID)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "next_cursor": next})
}

func (s *Server) getDelivery(c echo.Context) error {
	id, err := pathID(c, "id", "delivery")
	if err != nil {
		return err
	}
	d, attempts, err := s.store.GetDelivery(c.Request().Context(), id)
	if errors.Is(err, storage.ErrNotFound) {
		return notFound("delivery")
	}
	if err != nil {
		return err
	}
	if err := s.authorize(c, publishing.View, "delivery", d.AgencyID, 0); err != nil {
		return err
	}
	v := deliveryDetail{deliveryView: viewDelivery(d), AttemptLog: make([]attemptView, len(attempts))}
	if err := s.withReach(c.Request().Context(), []*deliveryView{&v.deliveryView}); err != nil {
		return err
	}
	for i, a := range attempts {
		v.AttemptLog[i] = attemptView{At: a.StartedAt.UTC(), Number: a.Number, Outcome: a.Outcome,
			HTTPStatus: a.HTTPStatus, Error: a.Error, DurationMS: a.DurationMS}
	}
	return c.JSON(http.StatusOK, v)
}

// retryDelivery re-queues a failed or unconfirmed delivery to go out now.
func (s *Server) retryDelivery(c echo.Context) error {
	id, err := pathID(c, "id", "delivery")
	if err != nil {
		return err
	}
	d, err := s.pub.Retry(c.Request().Context(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewDelivery(d))
}

// cancelDelivery cancels one delivery that has not started going out.
func (s *Server) cancelDelivery(c echo.Context) error {
	id, err := pathID(c, "id", "delivery")
	if err != nil {
		return err
	}
	d, err := s.pub.CancelDelivery(c.Request().Context(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewDelivery(d))
}

type page struct {
	before int64
	limit  int
}

const (
	defaultLimit = 50
	maxLimit     = 200
)

func readPage(c echo.Context) (page, error) {
	p := page{limit: defaultLimit}
	if raw := c.QueryParam("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxLimit {
			return p, invalid("limit", "must be a whole number from 1 to 200")
		}
		p.limit = n
	}
	if raw := c.QueryParam("cursor"); raw != "" {
		id, err := decodeCursor(raw)
		if err != nil {
			return p, invalid("cursor", "is not a cursor this API returned")
		}
		p.before = id
	}
	return p, nil
}

func queryID(c echo.Context, name string) (int64, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid(name, "must be a positive whole number")
	}
	return id, nil
}

// queryBound reads a time bound of a list: a date YYYY-MM-DD, meaning the
// start of that day in the server's location, or an RFC 3339 time. Absent
// is the zero time (no bound).
func (s *Server) queryBound(c echo.Context, name string) (time.Time, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return time.Time{}, nil
	}
	if day, err := s.localDay(raw); err == nil {
		return day, nil
	}
	t, err := optionalTime(name, &raw)
	if err != nil {
		return time.Time{}, invalid(name, "must be a date such as 2026-12-01 (the start of that day, "+s.loc.String()+
			") or an RFC 3339 time such as 2026-12-01T07:30:00+07:00 (with + sent as %2B)")
	}
	return *t, nil
}

// localDay is the start of the day YYYY-MM-DD in the server's location.
func (s *Server) localDay(raw string) (time.Time, error) {
	return time.ParseInLocation(time.DateOnly, raw, s.loc)
}

// Cursors are opaque to clients: the id of the last item seen.
func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("id:" + strconv.FormatInt(id, 10)))
}

func decodeCursor(s string) (int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) < 4 || string(raw[:3]) != "id:" {
		return 0, errors.New("bad cursor")
	}
	id, err := strconv.ParseInt(string(raw[3:]), 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New("bad cursor")
	}
	return id, nil
}
