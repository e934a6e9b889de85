package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// maxAgencyNameRunes matches LOA_AGENCY_NAME's limit and the column.
const maxAgencyNameRunes = 200

type agencyView struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Code     string `json:"code"`
	ParentID *int64 `json:"parent_id"`
	// Path is the names from the root down to this agency.
	Path       []string   `json:"path"`
	Disabled   bool       `json:"disabled"`
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

func viewAgency(a storage.Agency) agencyView {
	return agencyView{ID: a.ID, Name: a.Name, Code: a.Code, ParentID: a.ParentID, Path: a.Names,
		Disabled: a.DisabledAt != nil, DisabledAt: a.DisabledAt, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC()}
}

type agencyRequest struct {
	Name *string `json:"name"`
	Code *string `json:"code"`
	// ParentID is raw to tell null (a root) from absent (no change).
	ParentID json.RawMessage `json:"parent_id"`
	Disabled *bool           `json:"disabled"`
}

var errAgencyCodeTaken = &Error{Status: http.StatusConflict, Code: "conflict", Message: "an agency with this code already exists"}

// agencyCode checks a code sent in a request.
func agencyCode(raw *string) (string, error) {
	if raw == nil || *raw == "" {
		return "", invalid("code", `is required: lowercase letters, digits and "-", like "xa-dong-tam"`)
	}
	if !storage.ValidAgencyCode(*raw) {
		return "", invalid("code", `must be 1–64 lowercase letters, digits and "-", starting with a letter or digit`)
	}
	return *raw, nil
}

// parentID reads parent_id: nil when absent or null (null says so).
func parentID(raw json.RawMessage) (id *int64, null bool, err error) {
	if len(raw) == 0 {
		return nil, false, nil
	}
	if string(raw) == "null" {
		return nil, true, nil
	}
	var v int64
	if err := json.Unmarshal(raw, &v); err != nil || v <= 0 {
		return nil, false, invalid("parent_id", "must be an agency id")
	}
	return &v, false, nil
}

// inCallerScope answers, by the policy, whether the agency id is the
// caller's agency or beneath it; an agency that does not exist is not.
func (s *Server) inCallerScope(c echo.Context, id int64) (bool, error) {
	err := s.authorize(c, publishing.View, "agency", id, 0)
	var missing *publishing.NotFoundError
	if errors.As(err, &missing) || errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// scopedParent checks that the parent named in a request is in the
// caller's subtree; one outside it is refused exactly like one that does
// not exist.
func (s *Server) scopedParent(c echo.Context, id int64) error {
	ok, err := s.inCallerScope(c, id)
	if err != nil || ok {
		return err
	}
	return invalid("parent_id", fmt.Sprintf("agency %d does not exist", id))
}

// loadScopedAgency returns the agency in the path, answering 404 for one
// outside the caller's subtree exactly as for one that does not exist.
func (s *Server) loadScopedAgency(c echo.Context) (storage.Agency, error) {
	id, err := pathID(c, "id", "agency")
	if err != nil {
		return storage.Agency{}, err
	}
	ok, err := s.inCallerScope(c, id)
	if err != nil {
		return storage.Agency{}, err
	}
	if !ok {
		return storage.Agency{}, notFound("agency")
	}
	return s.store.GetAgency(c.Request().Context(), id)
}

func (s *Server) createAgency(c echo.Context) error {
	var req agencyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	name, err := requiredText("name", req.Name, maxAgencyNameRunes, "")
	if err != nil {
		return err
	}
	code, err := agencyCode(req.Code)
	if err != nil {
		return err
	}
	parent, _, err := parentID(req.ParentID)
	if err != nil {
		return err
	}
	if parent == nil {
		return invalid("parent_id", "is required: the agency to create this one beneath (there is one root)")
	}
	if req.Disabled != nil {
		return invalid("disabled", "cannot be set on a new agency")
	}
	if err := s.scopedParent(c, *parent); err != nil {
		return err
	}
	a := storage.Agency{Name: name, Code: code, ParentID: parent}
	if err := s.store.CreateAgency(c.Request().Context(), &a, actor(c)); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return errAgencyCodeTaken
		}
		return err
	}
	a, err = s.store.GetAgency(c.Request().Context(), a.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, viewAgency(a))
}

// listAgencies lists the caller's subtree, or with agency_id the subtree
// of that agency; one outside the caller's subtree lists nothing, as an
// id that does not exist.
func (s *Server) listAgencies(c echo.Context) error {
	top, ok, err := s.listAgency(c)
	if err != nil || !ok {
		return s.renderAgencies(c, nil, err)
	}
	as, err := s.store.ListAgencies(c.Request().Context(), top)
	return s.renderAgencies(c, as, err)
}

func (s *Server) renderAgencies(c echo.Context, as []storage.Agency, err error) error {
	if err != nil {
		return err
	}
	items := make([]agencyView, len(as))
	for i, a := range as {
		items[i] = viewAgency(a)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) getAgency(c echo.Context) error {
	a, err := s.loadScopedAgency(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewAgency(a))
}

// updateAgency renames, re-codes, moves, disables or enables an agency in
// the caller's subtree; a move needs the new parent in it too, so an
// admin can only move agencies between places they are above.
func (s *Server) updateAgency(c echo.Context) error {
	a, err := s.loadScopedAgency(c)
	if err != nil {
		return err
	}
	var req agencyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var change storage.AgencyChange
	if req.Name != nil {
		name, err := requiredText("name", req.Name, maxAgencyNameRunes, "")
		if err != nil {
			return err
		}
		change.Name = &name
	}
	if req.Code != nil {
		code, err := agencyCode(req.Code)
		if err != nil {
			return err
		}
		change.Code = &code
	}
	parent, null, err := parentID(req.ParentID)
	switch {
	case err != nil:
		return err
	case null && a.ParentID != nil:
		return invalid("parent_id", "only the root agency has no parent")
	case parent != nil:
		if err := s.scopedParent(c, *parent); err != nil {
			return err
		}
		change.ParentID = parent
	}
	change.Disabled = req.Disabled
	a, err = s.store.UpdateAgency(c.Request().Context(), a.ID, change, actor(c))
	if errors.Is(err, storage.ErrConflict) {
		return errAgencyCodeTaken
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewAgency(a))
}
