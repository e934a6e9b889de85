package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/content"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
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
	// Targets selects channels by agency and kind, besides or instead of ChannelIDs.
	Targets   *targetsJSON `json:"targets"`
	PublishAt *string      `json:"publish_at"`
	// Variants maps a channel id (as a string, JSON keys are strings) to that channel's content.
	Variants map[string]json.RawMessage `json:"variants"`
	// AgencyID is the post's agency; absent means the author's own.
	AgencyID *int64 `json:"agency_id"`
	classificationJSON
}

// classificationJSON is what a post, schedule or source carries out: a
// content area's and an audience's code and a plan activity (0 clears).
type classificationJSON struct {
	ContentArea  *string `json:"content_area"`
	AudienceCode *string `json:"audience_code"`
	ActivityID   *int64  `json:"activity_id"`
}

func (c classificationJSON) set() bool {
	return c.ContentArea != nil || c.AudienceCode != nil || c.ActivityID != nil
}

// classificationView is a classification as the API returns it.
type classificationView struct {
	ContentArea  string `json:"content_area"`
	AudienceCode string `json:"audience_code"`
	ActivityID   *int64 `json:"activity_id"`
}

func viewClassification(c storage.Classification) classificationView {
	return classificationView{ContentArea: c.ContentArea, AudienceCode: c.AudienceCode, ActivityID: c.ActivityID}
}

// keepClassification fills what req leaves out from c, for an edit.
func keepClassification(req classificationJSON, c storage.Classification) classificationJSON {
	if req.ContentArea == nil {
		req.ContentArea = &c.ContentArea
	}
	if req.AudienceCode == nil {
		req.AudienceCode = &c.AudienceCode
	}
	if req.ActivityID == nil && c.ActivityID != nil {
		id := *c.ActivityID
		req.ActivityID = &id
	}
	return req
}

// targetsJSON is a post's selector: every enabled channel of agency_id
// (and, with descendants, of the agencies beneath it) of one of kinds.
type targetsJSON struct {
	AgencyID    int64    `json:"agency_id"`
	Descendants bool     `json:"descendants"`
	Kinds       []string `json:"kinds,omitempty"`
}

func (t *targetsJSON) selector() (*storage.Selector, error) {
	if t == nil {
		return nil, nil
	}
	if t.AgencyID <= 0 {
		return nil, invalid("targets.agency_id", "is required: the agency whose channels the post goes to")
	}
	return &storage.Selector{AgencyID: t.AgencyID, Descendants: t.Descendants, Kinds: t.Kinds}, nil
}

type postView struct {
	ID         int64      `json:"id"`
	AgencyID   int64      `json:"agency_id"`
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
	// Targets is the selector the post's channels were chosen by, if any.
	Targets *targetsJSON `json:"targets,omitempty"`
	// Origin says where the post came from: manual, schedule, feed or digest.
	Origin     string         `json:"origin"`
	ScheduleID *int64         `json:"schedule_id,omitempty"`
	SourceID   *int64         `json:"source_id,omitempty"`
	CreatedAt  time.Time      `json:"created_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
	Deliveries []deliveryView `json:"deliveries,omitempty"`
	// Variants is keyed by channel id; present only with deliveries.
	Variants map[string]content.Variant `json:"variants,omitempty"`
	classificationView
}

func viewPost(p storage.Post, ds []storage.Delivery) postView {
	v := postView{ID: p.ID, AgencyID: p.AgencyID, Status: p.Status, Title: p.Title, Summary: p.Summary, Body: p.Body,
		Category: p.Category, Audience: p.Audience, Link: p.Link, ImageURL: p.ImageURL, Priority: p.Priority,
		PublishAt: p.PublishAt.UTC(), CreatedBy: p.CreatedBy, ApprovedBy: p.ApprovedBy, ApprovedAt: p.ApprovedAt,
		RejectReason: p.RejectReason, Origin: origin(p), ScheduleID: p.ScheduleID, SourceID: p.SourceID,
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(), classificationView: viewClassification(p.Classification)}
	if sel := p.Selector; sel != nil {
		v.Targets = &targetsJSON{AgencyID: sel.AgencyID, Descendants: sel.Descendants, Kinds: sel.Kinds}
	}
	if ds != nil {
		v.Deliveries = make([]deliveryView, len(ds))
		for i, d := range ds {
			v.Deliveries[i] = viewDelivery(d)
			if d.Variant != nil {
				if v.Variants == nil {
					v.Variants = map[string]content.Variant{}
				}
				v.Variants[strconv.FormatInt(d.ChannelID, 10)] = *d.Variant
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
	d, err := draft(req)
	if err != nil {
		return err
	}
	post, deliveries, err := s.pub.Submit(c.Request().Context(), currentUser(c), d)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, viewPost(post, deliveries))
}

// draft is the request as the publishing layer takes it; variants are
// decoded strictly here, their rules applied there.
func draft(req postRequest) (publishing.Draft, error) {
	variants, err := decodeVariants(req.Variants)
	if err != nil {
		return publishing.Draft{}, err
	}
	sel, err := req.Targets.selector()
	if err != nil {
		return publishing.Draft{}, err
	}
	d := publishing.Draft{Fields: fields(req), ChannelIDs: derefIDs(req.ChannelIDs), Selector: sel, Variants: variants}
	if req.AgencyID != nil {
		if *req.AgencyID <= 0 {
			return d, invalid("agency_id", "must be an agency id")
		}
		d.AgencyID = *req.AgencyID
	}
	return d, nil
}

func fields(req postRequest) publishing.Fields {
	return publishing.Fields{Title: deref(req.Title), Summary: deref(req.Summary), Body: deref(req.Body),
		Category: deref(req.Category), Audience: deref(req.Audience), Link: deref(req.Link),
		ImageURL: deref(req.ImageURL), Priority: deref(req.Priority), PublishAt: deref(req.PublishAt),
		ContentArea: deref(req.ContentArea), AudienceCode: deref(req.AudienceCode), ActivityID: derefID(req.ActivityID)}
}

func derefID(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

// decodeVariants decodes each variant strictly; a key that is no channel
// id is refused as the layer would refuse it.
func decodeVariants(in map[string]json.RawMessage) (map[string]content.Variant, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]content.Variant, len(in))
	for key, raw := range in {
		if _, err := strconv.ParseInt(key, 10, 64); err != nil {
			return nil, invalid("variants."+key, "is not one of this post's channel_ids")
		}
		v, err := decodeVariant("variants."+key, raw)
		if err != nil {
			return nil, err
		}
		out[key] = v
	}
	return out, nil
}

func derefIDs(ids *[]int64) []int64 {
	if ids == nil {
		return nil
	}
	return *ids
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// loadPost returns the post in the path and its deliveries; one outside
// the caller's agencies is 404 like a missing one.
func (s *Server) loadPost(c echo.Context) (storage.Post, []storage.Delivery, error) {
	id, err := pathID(c, "id", "post")
	if err != nil {
		return storage.Post{}, nil, err
	}
	p, ds, err := s.store.GetPost(c.Request().Context(), id)
	if errors.Is(err, storage.ErrNotFound) {
		return p, nil, notFound("post")
	}
	if err != nil {
		return p, nil, err
	}
	return p, ds, s.authorize(c, publishing.View, "post", p.AgencyID, p.CreatedBy)
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
	if status != "" && !oneOf(status, storage.PostDraft, storage.PostPendingApproval, storage.PostRejected, storage.PostScheduled,
		storage.PostPublished, storage.PostPartial, storage.PostFailed, storage.PostCanceled) {
		return invalid("status", "unknown post status")
	}
	agency, ok, err := s.listAgency(c)
	if err != nil {
		return err
	}
	var posts []storage.Post
	if ok {
		f := storage.PostFilter{Status: status, Agency: agency, BeforeID: page.before, Limit: page.limit + 1}
		if posts, err = s.store.ListPosts(c.Request().Context(), f); err != nil {
			return err
		}
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
