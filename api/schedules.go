package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/recurrence"
	"github.com/loa-vn/loa/storage"
)

type scheduleRequest struct {
	Name       *string                    `json:"name"`
	Rule       *string                    `json:"rule"`
	Timezone   *string                    `json:"timezone"`
	StartsAt   *string                    `json:"starts_at"`
	EndsAt     *string                    `json:"ends_at"`
	Count      *int                       `json:"count"`
	Template   *postRequest               `json:"template"`
	ChannelIDs *[]int64                   `json:"channel_ids"`
	Variants   map[string]json.RawMessage `json:"variants"`
	AgencyID   *int64                     `json:"agency_id"`
}

type scheduleView struct {
	ID          int64                `json:"id"`
	Name        string               `json:"name"`
	AgencyID    int64                `json:"agency_id"`
	Rule        string               `json:"rule"`
	Description string               `json:"description"`
	Timezone    string               `json:"timezone"`
	StartsAt    time.Time            `json:"starts_at"`
	EndsAt      *time.Time           `json:"ends_at,omitempty"`
	Count       int                  `json:"count,omitempty"`
	Status      string               `json:"status"`
	Template    storage.PostTemplate `json:"template"`
	ChannelIDs  []int64              `json:"channel_ids"`
	NextAt      []time.Time          `json:"next_occurrences"`
	Posts       []postView           `json:"posts,omitempty"`
	CreatedBy   int64                `json:"created_by"`
	CreatedAt   time.Time            `json:"created_at"`
}

const (
	upcomingShown = 5
	// maxStartsAtPast is how far back a new schedule may start: occurrences
	// before now are never published, and a start long ago bought nothing
	// but work.
	maxStartsAtPast = 24 * time.Hour
)

func (s *Server) viewSchedule(sc storage.Schedule) scheduleView {
	v := scheduleView{ID: sc.ID, Name: sc.Name, AgencyID: sc.AgencyID, Rule: sc.Rule, Timezone: sc.Timezone, StartsAt: sc.StartsAt.UTC(),
		EndsAt: sc.EndsAt, Count: sc.Count, Status: sc.Status, CreatedBy: sc.CreatedBy, CreatedAt: sc.CreatedAt.UTC(),
		Description: sc.Rule, NextAt: []time.Time{}, Template: sc.Template, ChannelIDs: sc.Targets.ChannelIDs}
	rule, err := recurrence.Compile(publishing.ScheduleSpec(sc))
	if err != nil {
		return v
	}
	v.Description = rule.Describe()
	at := s.now()
	for len(v.NextAt) < upcomingShown {
		next, ok := rule.Next(at)
		if !ok {
			break
		}
		v.NextAt, at = append(v.NextAt, next), next
	}
	return v
}

// createSchedule stores a recurring publication and creates its first
// occurrences at once. An officer's schedule creates posts that wait for approval.
func (s *Server) createSchedule(c echo.Context) error {
	var req scheduleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sc, err := s.scheduleFromRequest(req)
	if err != nil {
		return err
	}
	if req.AgencyID != nil && *req.AgencyID <= 0 {
		return invalid("agency_id", "must be an agency id")
	}
	if req.AgencyID != nil {
		sc.AgencyID = *req.AgencyID
	}
	if err := s.pub.CreateSchedule(c.Request().Context(), currentUser(c), &sc); err != nil {
		return err
	}
	return s.respondSchedule(c, sc.ID, http.StatusCreated)
}

func (s *Server) scheduleFromRequest(req scheduleRequest) (storage.Schedule, error) {
	name, err := requiredText("name", req.Name, 200, "")
	if err != nil {
		return storage.Schedule{}, err
	}
	startsAt := s.now().UTC()
	if t, err := optionalTime("starts_at", req.StartsAt); err != nil {
		return storage.Schedule{}, err
	} else if t != nil {
		startsAt = *t
	}
	if startsAt.Before(s.now().Add(-maxStartsAtPast)) {
		return storage.Schedule{}, invalid("starts_at", "may be at most 1 day in the past")
	}
	endsAt, err := optionalTime("ends_at", req.EndsAt)
	if err != nil {
		return storage.Schedule{}, err
	}
	spec := recurrence.Spec{Rule: deref(req.Rule), Timezone: deref(req.Timezone), StartsAt: startsAt, EndsAt: endsAt}
	if req.Count != nil {
		spec.Count = *req.Count
		if spec.Count < 1 {
			return storage.Schedule{}, invalid("count", "must be between 1 and 1000")
		}
	}
	if _, err := recurrence.Compile(spec); err != nil {
		var fe *recurrence.FieldError
		if errors.As(err, &fe) {
			return storage.Schedule{}, invalid(fe.Field, strings.TrimPrefix(fe.Message, fe.Field+": "))
		}
		return storage.Schedule{}, invalid("rule", err.Error())
	}
	tmpl, err := s.scheduleTemplate(req.Template, spec.Timezone, startsAt)
	if err != nil {
		return storage.Schedule{}, err
	}
	targets, err := s.targets(req.ChannelIDs, req.Variants)
	if err != nil {
		return storage.Schedule{}, err
	}
	return storage.Schedule{Name: name, Rule: strings.TrimSpace(spec.Rule), Timezone: orDefault(spec.Timezone, recurrence.DefaultTimezone),
		StartsAt: startsAt, EndsAt: endsAt, Count: spec.Count, Template: tmpl, Targets: targets}, nil
}

// scheduleTemplate applies the post rules to the template, checks its
// placeholders and expands it for sample occurrences: each must pass the
// same cleaning and limits as a hand-written post.
func (s *Server) scheduleTemplate(req *postRequest, timezone string, sample time.Time) (storage.PostTemplate, error) {
	if req == nil {
		return storage.PostTemplate{}, invalid("template", "is required: the post each occurrence creates")
	}
	if req.ChannelIDs != nil || req.Targets != nil || req.PublishAt != nil || req.Variants != nil {
		return storage.PostTemplate{}, invalid("template", "holds post text only; channel_ids and variants go beside it, times come from the rule")
	}
	p, err := s.pub.Clean(fields(*req))
	var bad *publishing.InvalidError
	if errors.As(err, &bad) {
		return storage.PostTemplate{}, invalid("template."+bad.Field, bad.Message)
	}
	if err != nil {
		return storage.PostTemplate{}, err
	}
	tmpl := storage.PostTemplate{Title: p.Title, Summary: p.Summary, Body: p.Body, Category: p.Category,
		Audience: p.Audience, Link: p.Link, ImageURL: p.ImageURL, Priority: p.Priority}
	text, err := publishing.NewOccurrenceText(tmpl, timezone)
	if err != nil {
		return storage.PostTemplate{}, templateError(err, " (use {{.Date}}, {{.Time}}, {{.Weekday}}, {{.Week}}, {{.Month}}, {{.Year}})")
	}
	for _, at := range sampleOccurrences(sample) {
		if _, err := text.Post(at); err != nil {
			return storage.PostTemplate{}, templateError(err, " on "+at.Format("02/01/2006"))
		}
	}
	return tmpl, nil
}

// templateError reports a template's field error against template.<field>.
func templateError(err error, hint string) error {
	var fe content.FieldError
	if errors.As(err, &fe) {
		return invalid("template."+fe.Field, fe.Message+hint)
	}
	return err
}

// sampleOccurrences are a week of days from start, so every weekday name is
// tried, and the last day of 2026, whose ISO week is 53.
func sampleOccurrences(start time.Time) []time.Time {
	out := []time.Time{time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC)}
	for d := range 7 {
		out = append(out, start.AddDate(0, 0, d))
	}
	return out
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (s *Server) listSchedules(c echo.Context) error {
	agency, ok, err := s.listAgency(c)
	if err != nil {
		return err
	}
	var scs []storage.Schedule
	if ok {
		if scs, err = s.store.ListSchedules(c.Request().Context(), agency); err != nil {
			return err
		}
	}
	items := make([]scheduleView, len(scs))
	for i, sc := range scs {
		items[i] = s.viewSchedule(sc)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) respondSchedule(c echo.Context, id int64, status int) error {
	ctx := c.Request().Context()
	sc, err := s.store.GetSchedule(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return notFound("schedule")
	}
	if err != nil {
		return err
	}
	if err := s.authorize(c, publishing.View, "schedule", sc.AgencyID, sc.CreatedBy); err != nil {
		return err
	}
	posts, err := s.store.ScheduleOccurrences(ctx, id)
	if err != nil {
		return err
	}
	v := s.viewSchedule(sc)
	v.Posts = make([]postView, len(posts))
	for i, p := range posts {
		v.Posts[i] = viewPost(p, nil)
	}
	return c.JSON(status, v)
}

func (s *Server) getSchedule(c echo.Context) error {
	id, err := pathID(c, "id", "schedule")
	if err != nil {
		return err
	}
	return s.respondSchedule(c, id, http.StatusOK)
}

// setScheduleStatus pauses (canceling future unsent occurrences) or resumes.
func (s *Server) setScheduleStatus(status string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id", "schedule")
		if err != nil {
			return err
		}
		if err := s.pub.SetScheduleStatus(c.Request().Context(), currentUser(c), id, status); err != nil {
			return err
		}
		return s.respondSchedule(c, id, http.StatusOK)
	}
}
