package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

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
	classificationJSON
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
	classificationView
}

// upcomingShown is how many next occurrences a schedule shows.
const upcomingShown = 5

func (s *Server) viewSchedule(sc storage.Schedule) scheduleView {
	v := scheduleView{ID: sc.ID, Name: sc.Name, AgencyID: sc.AgencyID, Rule: sc.Rule, Timezone: sc.Timezone, StartsAt: sc.StartsAt.UTC(),
		EndsAt: sc.EndsAt, Count: sc.Count, Status: sc.Status, CreatedBy: sc.CreatedBy, CreatedAt: sc.CreatedAt.UTC(),
		Description: sc.Rule, Template: sc.Template, ChannelIDs: sc.Targets.ChannelIDs,
		classificationView: viewClassification(sc.Classification)}
	if rule, err := recurrence.Compile(publishing.ScheduleSpec(sc)); err == nil {
		v.Description = rule.Describe()
	}
	v.NextAt = publishing.UpcomingOccurrences(sc, s.now(), upcomingShown)
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

// scheduleFromRequest reads the request's wire format (times, the
// template's shape, variants) and leaves the rules to
// publishing.Service.CheckSchedule.
func (s *Server) scheduleFromRequest(req scheduleRequest) (storage.Schedule, error) {
	d := publishing.ScheduleDraft{Name: deref(req.Name), Rule: deref(req.Rule), Timezone: deref(req.Timezone), Count: req.Count}
	var err error
	if d.StartsAt, err = optionalTime("starts_at", req.StartsAt); err != nil {
		return storage.Schedule{}, err
	}
	if d.EndsAt, err = optionalTime("ends_at", req.EndsAt); err != nil {
		return storage.Schedule{}, err
	}
	if req.Template == nil {
		return storage.Schedule{}, invalid("template", "is required: the post each occurrence creates")
	}
	t := req.Template
	if t.ChannelIDs != nil || t.Targets != nil || t.PublishAt != nil || t.Variants != nil || t.set() {
		return storage.Schedule{}, invalid("template", "holds post text only; channel_ids, variants, content_area, audience_code and activity_id go beside it, times come from the rule")
	}
	t.classificationJSON = req.classificationJSON
	d.Template = fields(*t)
	if d.Variants, err = decodeVariants(req.Variants); err != nil {
		return storage.Schedule{}, err
	}
	d.ChannelIDs = derefIDs(req.ChannelIDs)
	return s.pub.CheckSchedule(d)
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
