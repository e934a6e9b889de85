package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

const (
	// pastTolerance lets a client send "now" from a clock slightly behind ours.
	pastTolerance  = time.Minute
	maxScheduleAge = 5 * 365 * 24 * time.Hour
	maxChannels    = 50
)

type postRequest struct {
	Title      *string  `json:"title"`
	Summary    *string  `json:"summary"`
	Body       *string  `json:"body"`
	Category   *string  `json:"category"`
	Audience   *string  `json:"audience"`
	Link       *string  `json:"link"`
	ImageURL   *string  `json:"image_url"`
	Priority   *string  `json:"priority"`
	ChannelIDs *[]int64 `json:"channel_ids"`
	PublishAt  *string  `json:"publish_at"`
	// Variants maps a channel id (as a string, JSON keys are strings) to that channel's content.
	Variants map[string]json.RawMessage `json:"variants"`
}

type postView struct {
	ID         int64      `json:"id"`
	Status     string     `json:"status"`
	Title      string     `json:"title"`
	Summary    string     `json:"summary"`
	Body       string     `json:"body"`
	Category   string     `json:"category"`
	Audience   string     `json:"audience"`
	Link       string     `json:"link"`
	ImageURL   string     `json:"image_url"`
	Priority   string     `json:"priority"`
	PublishAt  time.Time  `json:"publish_at"`
	CreatedBy  int64      `json:"created_by"`
	ApprovedBy int64      `json:"approved_by,omitempty"`
	ApprovedAt *time.Time `json:"approved_at,omitempty"`
	// RejectReason is set while a rejected post waits for its author.
	RejectReason string `json:"reject_reason,omitempty"`
	// Origin says where the post came from: manual, schedule, feed or digest.
	Origin     string         `json:"origin"`
	ScheduleID *int64         `json:"schedule_id,omitempty"`
	SourceID   *int64         `json:"source_id,omitempty"`
	CreatedAt  time.Time      `json:"created_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
	Deliveries []deliveryView `json:"deliveries,omitempty"`
	// Variants is keyed by channel id; present only with deliveries.
	Variants map[string]content.Variant `json:"variants,omitempty"`
}

func viewPost(p storage.Post, ds []storage.Delivery) postView {
	v := postView{ID: p.ID, Status: p.Status, Title: p.Title, Summary: p.Summary, Body: p.Body,
		Category: p.Category, Audience: p.Audience, Link: p.Link, ImageURL: p.ImageURL, Priority: p.Priority,
		PublishAt: p.PublishAt.UTC(), CreatedBy: p.CreatedBy, ApprovedBy: p.ApprovedBy, ApprovedAt: p.ApprovedAt,
		RejectReason: p.RejectReason, Origin: origin(p), ScheduleID: p.ScheduleID, SourceID: p.SourceID,
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
	if ds != nil {
		v.Deliveries = make([]deliveryView, len(ds))
		for i, d := range ds {
			v.Deliveries[i] = viewDelivery(d)
			var variant content.Variant
			if d.Variant != "" && json.Unmarshal([]byte(d.Variant), &variant) == nil {
				if v.Variants == nil {
					v.Variants = map[string]content.Variant{}
				}
				v.Variants[strconv.FormatInt(d.ChannelID, 10)] = variant
			}
		}
	}
	return v
}

func (s *Server) createPost(c echo.Context) error {
	var req postRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	draft, err := s.draftFromRequest(req)
	if err != nil {
		return err
	}
	post, deliveries, err := s.pub.Submit(c.Request().Context(), currentUser(c), draft)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, viewPost(post, deliveries))
}

// draftFromRequest applies the field rules to a new post; "next_slot" as
// publish_at leaves the time to publishing.Service.Submit.
func (s *Server) draftFromRequest(req postRequest) (publishing.Draft, error) {
	nextSlot := req.PublishAt != nil && *req.PublishAt == "next_slot"
	if nextSlot {
		if _, err := checkChannelIDs(req.ChannelIDs); err != nil {
			return publishing.Draft{}, err
		}
		req.PublishAt = nil
	}
	post, err := s.postFromRequest(req)
	if err != nil {
		return publishing.Draft{}, err
	}
	chIDs, err := checkChannelIDs(req.ChannelIDs)
	if err != nil {
		return publishing.Draft{}, err
	}
	variants, err := cleanVariants(req.Variants, chIDs)
	if err != nil {
		return publishing.Draft{}, err
	}
	return publishing.Draft{Post: post, ChannelIDs: chIDs, Variants: variants, NextSlot: nextSlot}, nil
}

// postFromRequest cleans the text fields and the publish time.
func (s *Server) postFromRequest(req postRequest) (storage.Post, error) {
	text, fieldErrs := content.CleanPost(content.PostText{
		Title: deref(req.Title), Summary: deref(req.Summary), Body: deref(req.Body),
		Category: deref(req.Category), Audience: deref(req.Audience),
	})
	if len(fieldErrs) > 0 {
		return storage.Post{}, invalid(fieldErrs[0].Field, fieldErrs[0].Message)
	}
	link, fe := content.CleanURL("link", deref(req.Link))
	if fe != nil {
		return storage.Post{}, invalid(fe.Field, fe.Message)
	}
	image, fe := content.CleanURL("image_url", deref(req.ImageURL))
	if fe != nil {
		return storage.Post{}, invalid(fe.Field, fe.Message)
	}
	priority, fe := content.CleanPriority(deref(req.Priority))
	if fe != nil {
		return storage.Post{}, invalid(fe.Field, fe.Message)
	}
	at, err := s.publishAt(req.PublishAt)
	if err != nil {
		return storage.Post{}, err
	}
	return storage.Post{Title: text.Title, Summary: text.Summary, Body: text.Body,
		Category: text.Category, Audience: text.Audience, Link: link, ImageURL: image, Priority: priority,
		PublishAt: at}, nil
}

// cleanVariants checks each variant is for one of the post's channels and
// applies the field rules; it returns the variants as stored JSON by channel.
func cleanVariants(in map[string]json.RawMessage, chIDs []int64) (map[int64]string, error) {
	if len(in) == 0 {
		return nil, nil
	}
	allowed := make(map[int64]bool, len(chIDs))
	for _, id := range chIDs {
		allowed[id] = true
	}
	out := make(map[int64]string, len(in))
	for key, raw := range in {
		id, err := strconv.ParseInt(key, 10, 64)
		if err != nil || !allowed[id] {
			return nil, invalid("variants."+key, "is not one of this post's channel_ids")
		}
		v, err := decodeVariant("variants."+key, raw)
		if err != nil {
			return nil, err
		}
		clean, errs := content.CleanVariant(v)
		if len(errs) > 0 {
			return nil, invalid("variants."+key+"."+errs[0].Field, errs[0].Message)
		}
		if clean == (content.Variant{}) {
			continue
		}
		raw, err := json.Marshal(clean)
		if err != nil {
			return nil, err
		}
		out[id] = string(raw)
	}
	return out, nil
}

func (s *Server) publishAt(raw *string) (time.Time, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	if raw == nil || *raw == "" {
		return now, nil
	}
	at, err := time.Parse(time.RFC3339, *raw)
	if err != nil {
		return time.Time{}, invalid("publish_at", "must be an RFC 3339 time such as 2026-12-01T07:30:00+07:00")
	}
	switch {
	case at.Before(now.Add(-pastTolerance)):
		return time.Time{}, invalid("publish_at", "is in the past")
	case at.After(now.Add(maxScheduleAge)):
		return time.Time{}, invalid("publish_at", "is more than five years ahead")
	case at.Before(now):
		at = now
	}
	return at.UTC(), nil
}

func checkChannelIDs(ids *[]int64) ([]int64, error) {
	if ids == nil || len(*ids) == 0 {
		return nil, invalid("channel_ids", "name at least one channel")
	}
	if len(*ids) > maxChannels {
		return nil, invalid("channel_ids", fmt.Sprintf("name at most %d channels", maxChannels))
	}
	seen := make(map[int64]bool, len(*ids))
	for _, id := range *ids {
		if id <= 0 {
			return nil, invalid("channel_ids", fmt.Sprintf("unknown channel ids %d", id))
		}
		if seen[id] {
			return nil, invalid("channel_ids", fmt.Sprintf("channel %d is listed twice", id))
		}
		seen[id] = true
	}
	return *ids, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (s *Server) loadPost(c echo.Context) (storage.Post, []storage.Delivery, error) {
	id, err := pathID(c, "id", "post")
	if err != nil {
		return storage.Post{}, nil, err
	}
	p, ds, err := s.store.GetPost(c.Request().Context(), id)
	if errors.Is(err, storage.ErrNotFound) {
		return p, nil, notFound("post")
	}
	return p, ds, err
}

func (s *Server) getPost(c echo.Context) error {
	p, ds, err := s.loadPost(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewPost(p, ds))
}

func (s *Server) listPosts(c echo.Context) error {
	page, err := readPage(c)
	if err != nil {
		return err
	}
	status := c.QueryParam("status")
	if status != "" && !oneOf(status, storage.PostPendingApproval, storage.PostRejected, storage.PostScheduled,
		storage.PostPublished, storage.PostPartial, storage.PostFailed, storage.PostCanceled) {
		return invalid("status", "unknown post status")
	}
	posts, err := s.store.ListPosts(c.Request().Context(), storage.PostFilter{Status: status, BeforeID: page.before, Limit: page.limit + 1})
	if err != nil {
		return err
	}
	items := make([]postView, 0, len(posts))
	for _, p := range posts[:min(len(posts), page.limit)] {
		items = append(items, viewPost(p, nil))
	}
	next := ""
	if len(posts) > page.limit {
		next = encodeCursor(posts[page.limit-1].ID)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "next_cursor": next})
}

// cancelPost cancels the post's deliveries that have not started.
func (s *Server) cancelPost(c echo.Context) error {
	id, err := pathID(c, "id", "post")
	if err != nil {
		return err
	}
	p, ds, err := s.pub.Cancel(c.Request().Context(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewPost(p, ds))
}

type auditView struct {
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	EntityType string    `json:"entity_type"`
	EntityID   int64     `json:"entity_id"`
	Action     string    `json:"action"`
	From       string    `json:"from,omitempty"`
	To         string    `json:"to,omitempty"`
	Detail     string    `json:"detail,omitempty"`
}

func (s *Server) postHistory(c echo.Context) error {
	p, _, err := s.loadPost(c)
	if err != nil {
		return err
	}
	events, err := s.store.History(c.Request().Context(), storage.EntityPost, p.ID)
	if err != nil {
		return err
	}
	items := make([]auditView, len(events))
	for i, e := range events {
		items[i] = auditView{At: e.At.UTC(), Actor: e.Actor, EntityType: e.EntityType, EntityID: e.EntityID,
			Action: e.Action, From: e.FromStatus, To: e.ToStatus, Detail: e.Detail}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

// decodeVariant decodes one variant strictly, naming fields by their full path.
func decodeVariant(path string, raw json.RawMessage) (content.Variant, error) {
	var v content.Variant
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(&v)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return v, nil
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return v, invalid(path+"."+typeErr.Field, "must be "+jsonTypeName(typeErr.Type.Kind().String())+", not "+typeErr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return v, invalid(path+"."+strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown field")
	}
	return v, invalid(path, "must be an object")
}

// origin flags posts that no person wrote, so reviewers notice them.
func origin(p storage.Post) string {
	switch {
	case p.DigestAt != nil:
		return "digest"
	case p.SourceID != nil:
		return "feed"
	case p.ScheduleID != nil:
		return "schedule"
	}
	return "manual"
}
