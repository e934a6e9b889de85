package api

import (
	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
)

// authorize asks the policy whether the caller may do action to an object
// of kind what in agency, owned by owner (0 for none). An object outside
// the caller's agencies answers exactly like a missing one (404).
func (s *Server) authorize(c echo.Context, action publishing.Action, what string, agency, owner int64) error {
	return s.pub.Authorize(c.Request().Context(), currentUser(c), action, what, agency, owner)
}

// agencyFor is the agency a new object goes in: the body's agency_id, or
// the caller's own when it is absent (see publishing.Service.AgencyFor).
func (s *Server) agencyFor(c echo.Context, requested *int64) (int64, error) {
	var id int64
	if requested != nil {
		if *requested <= 0 {
			return 0, invalid("agency_id", "must be an agency id")
		}
		id = *requested
	}
	return s.pub.AgencyFor(c.Request().Context(), currentUser(c), id)
}

// noAgencyChange refuses agency_id in a change: objects do not move
// between agencies.
func noAgencyChange(requested *int64) error {
	if requested != nil {
		return invalid("agency_id", "cannot be changed; create the object in the other agency instead")
	}
	return nil
}

// listAgency is the agency whose subtree a list shows: the caller's, or
// the one named by the query's agency_id. ok is false for an agency outside
// the caller's subtree, whose list is empty, as for one that does not exist.
func (s *Server) listAgency(c echo.Context) (agency int64, ok bool, err error) {
	top, err := queryID(c, "agency_id")
	if err != nil {
		return 0, false, err
	}
	if top == 0 {
		return currentUser(c).AgencyID, true, nil
	}
	ok, err = s.inCallerScope(c, top)
	return top, ok, err
}
