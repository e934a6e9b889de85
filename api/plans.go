package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/plans"
	"github.com/loa-vn/loa/storage"
)

// planRequest is a plan as a client sends it; on PATCH absent members
// stay, and "activities", when sent, is the whole new list.
type planRequest struct {
	AgencyID   *int64             `json:"agency_id"`
	Title      *string            `json:"title"`
	Year       *int               `json:"year"`
	Reference  *string            `json:"reference"`
	Activities *[]activityRequest `json:"activities"`
}

type activityRequest struct {
	// ID keeps an existing activity; absent adds one.
	ID          *int64   `json:"id"`
	Code        string   `json:"code"`
	Title       string   `json:"title"`
	ContentArea string   `json:"content_area"`
	Audience    string   `json:"audience"`
	Forms       []string `json:"forms"`
	// Timing is "thuong_xuyen", "ca_nam", "Q1".."Q4", "event" or
	// {"from":"2026-03-01","to":"2026-04-30"}.
	Timing json.RawMessage `json:"timing"`
	Unit   string          `json:"unit"`
	// Target is a count, or the plan's words for it as a string.
	Target     json.RawMessage `json:"target"`
	TargetText *string         `json:"target_text"`
}

type planView struct {
	ID         int64          `json:"id"`
	AgencyID   int64          `json:"agency_id"`
	Title      string         `json:"title"`
	Year       int            `json:"year"`
	Reference  string         `json:"reference"`
	CreatedBy  int64          `json:"created_by"`
	CreatedAt  time.Time      `json:"created_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
	Activities []activityView `json:"activities"`
}

type activityView struct {
	ID          int64    `json:"id"`
	PlanID      int64    `json:"plan_id"`
	Code        string   `json:"code"`
	Title       string   `json:"title"`
	ContentArea string   `json:"content_area"`
	Audience    string   `json:"audience"`
	Forms       []string `json:"forms"`
	// Timing is as sent: a kind, or {"from","to"}.
	Timing      any    `json:"timing"`
	TimingLabel string `json:"timing_label"`
	Unit        string `json:"unit"`
	Target      *int64 `json:"target"`
	TargetText  string `json:"target_text"`
}

type rangeJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func viewPlan(p storage.Plan, acts []storage.PlanActivity) planView {
	v := planView{ID: p.ID, AgencyID: p.AgencyID, Title: p.Title, Year: p.Year, Reference: p.Reference,
		CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
		Activities: make([]activityView, len(acts))}
	for i, a := range acts {
		v.Activities[i] = viewActivity(a)
	}
	return v
}

func viewActivity(a storage.PlanActivity) activityView {
	var timing any = a.TimingKind
	if a.TimingKind == storage.TimingRange {
		timing = rangeJSON{From: a.TimingFrom, To: a.TimingTo}
	}
	forms := []string(a.Forms)
	if forms == nil {
		forms = []string{}
	}
	return activityView{ID: a.ID, PlanID: a.PlanID, Code: a.Code, Title: a.Title, ContentArea: a.ContentArea,
		Audience: a.Audience, Forms: forms, Timing: timing, TimingLabel: plans.TimingOf(a).Label(), Unit: a.Unit,
		Target: a.Target, TargetText: a.TargetText}
}

// planInput reads the wire format (timing and target shapes) and leaves
// the rules to plans.Service.
func planInput(req planRequest) (plans.PlanInput, error) {
	in := plans.PlanInput{Title: req.Title, Year: req.Year, Reference: req.Reference}
	if req.AgencyID != nil {
		if *req.AgencyID <= 0 {
			return in, invalid("agency_id", "must be an agency id")
		}
		in.AgencyID = *req.AgencyID
	}
	if req.Activities == nil {
		return in, nil
	}
	if len(*req.Activities) > plans.MaxActivities {
		return in, invalid("activities", "a plan has at most "+strconv.Itoa(plans.MaxActivities)+" activities")
	}
	acts := make([]plans.ActivityInput, len(*req.Activities))
	for i, a := range *req.Activities {
		field := "activities[" + strconv.Itoa(i) + "]"
		var err error
		if acts[i], err = activityInput(field, a); err != nil {
			return in, err
		}
	}
	in.Activities = &acts
	return in, nil
}

func activityInput(field string, a activityRequest) (plans.ActivityInput, error) {
	in := plans.ActivityInput{Code: a.Code, Title: a.Title, ContentArea: a.ContentArea, Audience: a.Audience,
		Forms: a.Forms, Unit: a.Unit}
	if a.ID != nil {
		if *a.ID <= 0 {
			return in, invalid(field+".id", "must be an activity id of this plan")
		}
		in.ID = *a.ID
	}
	if a.TargetText != nil {
		in.TargetText = *a.TargetText
	}
	if err := decodeTiming(field+".timing", a.Timing, &in); err != nil {
		return in, err
	}
	return in, decodeTarget(field+".target", a.Target, &in)
}

func decodeTiming(field string, raw json.RawMessage, in *plans.ActivityInput) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return invalid(field, "is required: thuong_xuyen, ca_nam, Q1..Q4, event or {\"from\",\"to\"}")
	}
	if raw[0] == '"' {
		return json.Unmarshal(raw, &in.TimingKind)
	}
	var r rangeJSON
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return invalid(field, "must be a timing kind or {\"from\":\"2026-03-01\",\"to\":\"2026-04-30\"}")
	}
	in.TimingKind, in.TimingFrom, in.TimingTo = storage.TimingRange, r.From, r.To
	return nil
}

func decodeTarget(field string, raw json.RawMessage, in *plans.ActivityInput) error {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
		return nil
	case raw[0] == '"':
		if in.TargetText != "" {
			return invalid(field, "give the target's words either here or in target_text")
		}
		return json.Unmarshal(raw, &in.TargetText)
	}
	var n int64
	if err := json.Unmarshal(raw, &n); err != nil {
		return invalid(field, "must be a whole number or text")
	}
	in.Target = &n
	return nil
}

func (s *Server) createPlan(c echo.Context) error {
	var req planRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in, err := planInput(req)
	if err != nil {
		return err
	}
	p, acts, err := s.plans.CreatePlan(c.Request().Context(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, viewPlan(p, acts))
}

func (s *Server) updatePlan(c echo.Context) error {
	id, err := pathID(c, "id", "plan")
	if err != nil {
		return err
	}
	var req planRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in, err := planInput(req)
	if err != nil {
		return err
	}
	p, acts, err := s.plans.UpdatePlan(c.Request().Context(), currentUser(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewPlan(p, acts))
}

func (s *Server) getPlan(c echo.Context) error {
	id, err := pathID(c, "id", "plan")
	if err != nil {
		return err
	}
	p, acts, err := s.plans.Plan(c.Request().Context(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewPlan(p, acts))
}

// listPlans lists the plans in the caller's agencies, of ?year= if given.
func (s *Server) listPlans(c echo.Context) error {
	year := 0
	if raw := c.QueryParam("year"); raw != "" {
		var err error
		if year, err = strconv.Atoi(raw); err != nil || year <= 0 {
			return invalid("year", "must be a year such as 2026")
		}
	}
	agency, err := queryID(c, "agency_id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ps, err := s.plans.Plans(ctx, currentUser(c), agency, year)
	if err != nil {
		return err
	}
	acts, err := s.plans.Activities(ctx, ps)
	if err != nil {
		return err
	}
	items := make([]planView, len(ps))
	for i, p := range ps {
		items[i] = viewPlan(p, acts[p.ID])
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

type formView struct {
	Code    string `json:"code"`
	Label   string `json:"label"`
	Offline bool   `json:"offline"`
}

// listForms lists the form codes activities and records use.
func (s *Server) listForms(c echo.Context) error {
	var items []formView
	for _, f := range plans.Forms() {
		items = append(items, formView{Code: f.Code, Label: f.Label, Offline: f.Offline})
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}
