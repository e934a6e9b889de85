package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/admin"
	"github.com/loa-vn/loa/storage"
)

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

// inCallerScope answers whether agency id is the caller's agency or
// beneath it (see admin.Service.InScope).
func (s *Server) inCallerScope(c echo.Context, id int64) (bool, error) {
	return s.admin.InScope(c.Request().Context(), currentUser(c), id)
}

// loadScopedAgency returns the agency in the path, answering 404 for one
// outside the caller's subtree exactly as for one that does not exist.
func (s *Server) loadScopedAgency(c echo.Context) (storage.Agency, error) {
	id, err := pathID(c, "id", "agency")
	if err != nil {
		return storage.Agency{}, err
	}
	return s.admin.Agency(c.Request().Context(), currentUser(c), id)
}

// createAgency creates an agency (see admin.Service.CreateAgency). Name
// and code are checked before parent_id is read, so a request with
// several mistakes reports the first field.
func (s *Server) createAgency(c echo.Context) error {
	var req agencyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if _, err := admin.AgencyName(req.Name); err != nil {
		return err
	}
	if _, err := admin.AgencyCode(req.Code); err != nil {
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
	a, err := s.admin.CreateAgency(c.Request().Context(), currentUser(c),
		admin.NewAgency{Name: req.Name, Code: req.Code, ParentID: *parent})
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
	as, err := s.admin.Agencies(c.Request().Context(), currentUser(c), top)
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
	change := admin.AgencyChange{Name: req.Name, Code: req.Code, Disabled: req.Disabled}
	if req.Name != nil {
		if _, err := admin.AgencyName(req.Name); err != nil {
			return err
		}
	}
	if req.Code != nil {
		if _, err := admin.AgencyCode(req.Code); err != nil {
			return err
		}
	}
	parent, null, err := parentID(req.ParentID)
	switch {
	case err != nil:
		return err
	case null && a.ParentID != nil:
		return invalid("parent_id", "only the root agency has no parent")
	}
	change.ParentID = parent
	a, err = s.admin.UpdateAgency(c.Request().Context(), currentUser(c), a.ID, change)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewAgency(a))
}
