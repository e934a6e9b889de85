package api

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/storage"
)

// needsApproval: content on official channels is approved by an editor;
// editors' and admins' own posts are approved by their author.
func needsApproval(u storage.User) bool { return !hasRole(u, storage.RoleEditor) }

func wrongState(err error, msg string) error {
	if errors.Is(err, storage.ErrWrongState) {
		return &Error{Status: http.StatusConflict, Code: "wrong_state", Message: msg, Err: err}
	}
	return err
}

func (s *Server) approvePost(c echo.Context) error {
	id, err := pathID(c, "id", "post")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ds, err := s.store.ApprovePost(ctx, id, currentUser(c).ID, actor(c))
	if errors.Is(err, storage.ErrNotFound) {
		return notFound("post")
	}
	if err != nil {
		return wrongState(err, "only a post waiting for approval can be approved")
	}
	s.queue(c, ds)
	return s.respondPost(c, id)
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
	reason, err := requiredText("reason", req.Reason, 2000, "(tell the author what to change)")
	if err != nil {
		return err
	}
	err = s.store.RejectPost(c.Request().Context(), id, reason, actor(c))
	if errors.Is(err, storage.ErrNotFound) {
		return notFound("post")
	}
	if err != nil {
		return wrongState(err, "only a post waiting for approval can be rejected")
	}
	return s.respondPost(c, id)
}

// editPost changes a post that has not started going out. An officer's
// edit sends it (back) to approval; an editor's keeps it approved.
func (s *Server) editPost(c echo.Context) error {
	p, _, err := s.loadPost(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if p.CreatedBy != u.ID && !hasRole(u, storage.RoleEditor) {
		return forbidden("officers can edit only their own posts")
	}
	var req postRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	edit, err := s.postEdit(req, p)
	if err != nil {
		return err
	}
	edit.NeedsApproval, edit.Editor = needsApproval(u), u.ID
	ctx := c.Request().Context()
	_, ds, err := s.store.EditPost(ctx, p.ID, edit, actor(c))
	if err != nil {
		return wrongState(err, "this post has started going out or was canceled; it can no longer be edited")
	}
	for _, d := range ds {
		if err := s.scheduler.Unschedule(ctx, d.ID); err != nil {
			s.log.Warn("cannot remove edited delivery's task; it will find the new state", "delivery_id", d.ID, "err", err)
		}
	}
	if !edit.NeedsApproval {
		s.queue(c, ds)
	}
	return s.respondPost(c, p.ID)
}

// postEdit validates the fields a PATCH sends, with the same rules as creation.
func (s *Server) postEdit(req postRequest, p storage.Post) (storage.PostEdit, error) {
	if req.ChannelIDs != nil || req.Variants != nil {
		return storage.PostEdit{}, invalid("channel_ids", "channels and variants cannot be changed; cancel the post and create a new one")
	}
	merged := postRequest{Title: or(req.Title, p.Title), Summary: or(req.Summary, p.Summary), Body: or(req.Body, p.Body),
		Category: or(req.Category, p.Category), Audience: or(req.Audience, p.Audience), Link: or(req.Link, p.Link),
		ImageURL: or(req.ImageURL, p.ImageURL), Priority: or(req.Priority, p.Priority), PublishAt: req.PublishAt}
	clean, err := s.postFromRequest(merged)
	if err != nil {
		return storage.PostEdit{}, err
	}
	e := storage.PostEdit{Title: &clean.Title, Summary: &clean.Summary, Body: &clean.Body, Category: &clean.Category,
		Audience: &clean.Audience, Link: &clean.Link, ImageURL: &clean.ImageURL, Priority: &clean.Priority}
	if req.PublishAt != nil {
		at := clean.PublishAt
		e.PublishAt = &at
	}
	return e, nil
}

func or(v *string, fallback string) *string {
	if v != nil {
		return v
	}
	return &fallback
}

// queue puts deliveries in the queue; failures are left to the reconciler.
func (s *Server) queue(c echo.Context, ds []storage.Delivery) {
	for _, d := range ds {
		if err := s.scheduler.Schedule(c.Request().Context(), d.ID, d.NextAttemptAt); err != nil {
			s.log.Warn("cannot queue delivery now; the reconciler will", "delivery_id", d.ID, "err", err)
		}
	}
}

func (s *Server) respondPost(c echo.Context, id int64) error {
	p, ds, err := s.store.GetPost(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewPost(p, ds))
}
