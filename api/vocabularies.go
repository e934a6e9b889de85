package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/plans"
	"github.com/loa-vn/loa/storage"
)

type termRequest struct {
	Kind     *string `json:"kind"`
	Code     *string `json:"code"`
	Label    *string `json:"label"`
	Position *int    `json:"position"`
	Disabled *bool   `json:"disabled"`
}

type termView struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind"`
	Code       string     `json:"code"`
	Label      string     `json:"label"`
	Position   int        `json:"position"`
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
}

func viewTerm(t storage.VocabTerm) termView {
	return termView{ID: t.ID, Kind: t.Kind, Code: t.Code, Label: t.Label, Position: t.Position, DisabledAt: t.DisabledAt}
}

// listVocabulary lists the terms of ?kind= (content_area or audience;
// both when absent), the disabled ones too with ?disabled=1.
func (s *Server) listVocabulary(c echo.Context) error {
	terms, err := s.plans.Vocabulary(c.Request().Context(), currentUser(c), c.QueryParam("kind"), c.QueryParam("disabled") == "1")
	if err != nil {
		return err
	}
	items := make([]termView, len(terms))
	for i, t := range terms {
		items[i] = viewTerm(t)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) createTerm(c echo.Context) error {
	var req termRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Disabled != nil {
		return invalid("disabled", "a new term is enabled; disable it afterwards")
	}
	t, err := s.plans.CreateTerm(c.Request().Context(), currentUser(c), plans.TermInput{Kind: deref(req.Kind),
		Code: deref(req.Code), Label: req.Label, Position: req.Position})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, viewTerm(t))
}

func (s *Server) updateTerm(c echo.Context) error {
	id, err := pathID(c, "id", "vocabulary term")
	if err != nil {
		return err
	}
	var req termRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := s.plans.UpdateTerm(c.Request().Context(), currentUser(c), id, plans.TermInput{Kind: deref(req.Kind),
		Code: deref(req.Code), Label: req.Label, Position: req.Position, Disabled: req.Disabled})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewTerm(t))
}
