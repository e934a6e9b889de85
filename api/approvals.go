package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/storage"
)

func (s *Server) approvePost(c echo.Context) error {
	id, err := pathID(c, "id", "post")
	if err != nil {
		return err
	}
	p, ds, err := s.pub.Approve(c.Request().Context(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewPost(p, ds))
}

type rejectRequest struct {
	Reason *string `json:"reason"`
}

func (s *Server) rejectPost(c echo.Context) error {
	id, err := pathID(c, "id", "post")
	if err != nil {
		return err
	}
	var req rejectRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	// The service checks the reason (required, plain text, bounded).
	p, ds, err := s.pub.Reject(c.Request().Context(), currentUser(c), id, deref(req.Reason))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewPost(p, ds))
}

// editPost changes a post that has not started going out. An officer's
// edit sends it (back) to approval; an editor's keeps it approved.
func (s *Server) editPost(c echo.Context) error {
	id, err := pathID(c, "id", "post")
	if err != nil {
		return err
	}
	p, ds, err := s.pub.Edit(c.Request().Context(), currentUser(c), id, func(p storage.Post) (storage.PostEdit, error) {
		var req postRequest
		if err := decodeJSON(c, &req); err != nil {
			return storage.PostEdit{}, err
		}
		return s.postEdit(c.Request().Context(), req, p)
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewPost(p, ds))
}

// postEdit validates the fields a PATCH sends, with the same rules as creation.
func (s *Server) postEdit(ctx context.Context, req postRequest, p storage.Post) (storage.PostEdit, error) {
	if err := noAgencyChange(req.AgencyID); err != nil {
		return storage.PostEdit{}, err
	}
	if req.ChannelIDs != nil || req.Variants != nil {
		return storage.PostEdit{}, invalid("channel_ids", "channels and variants cannot be changed; cancel the post and create a new one")
	}
	if req.Targets != nil {
		return storage.PostEdit{}, invalid("targets", "a post's targets cannot be changed; cancel the post and create a new one")
	}
	merged := postRequest{Title: or(req.Title, p.Title), Summary: or(req.Summary, p.Summary), Body: or(req.Body, p.Body),
		Category: or(req.Category, p.Category), Audience: or(req.Audience, p.Audience), Link: or(req.Link, p.Link),
		ImageURL: or(req.ImageURL, p.ImageURL), Priority: or(req.Priority, p.Priority), PublishAt: req.PublishAt,
		classificationJSON: keepClassification(req.classificationJSON, p.Classification)}
	return s.pub.PostEdit(ctx, p, fields(merged), req.PublishAt == nil)
}

func or(v *string, fallback string) *string {
	if v != nil {
		return v
	}
	return &fallback
}
