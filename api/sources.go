package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/secrets"
	"github.com/loa-vn/loa/sources"
	"github.com/loa-vn/loa/storage"
)

type sourceRequest struct {
	AgencyID   *int64                     `json:"agency_id"`
	Name       *string                    `json:"name"`
	URL        *string                    `json:"url"`
	PollEvery  *string                    `json:"poll_every"`
	Mode       *string                    `json:"mode"`
	Template   *sources.Template          `json:"template"`
	ChannelIDs *[]int64                   `json:"channel_ids"`
	Variants   map[string]json.RawMessage `json:"variants"`
	Digest     *struct {
		Rule string `json:"rule"`
	} `json:"digest"`
	MaxAgeDays *int `json:"max_age_days"`
	classificationJSON
}

type pollView struct {
	At         time.Time `json:"at"`
	Outcome    string    `json:"outcome"`
	HTTPStatus int       `json:"http_status,omitempty"`
	ItemsSeen  int       `json:"items_seen"`
	ItemsNew   int       `json:"items_new"`
	Error      string    `json:"error,omitempty"`
	DurationMS int64     `json:"duration_ms"`
}

type sourceItemView struct {
	Title       string     `json:"title"`
	Link        string     `json:"link"`
	PublishedAt *time.Time `json:"published_at"`
	FirstSeenAt time.Time  `json:"first_seen_at"`
	PostID      int64      `json:"post_id,omitempty"`
	Skipped     string     `json:"skipped,omitempty"`
}

// sourceTemplateView is a source's template with the API's snake_case
// keys: sources.Template has no JSON tags (its stored form keeps Go's
// field names), and a request already sends these keys.
type sourceTemplateView struct {
	Title    string `json:"title"`
	Summary  string `json:"summary"`
	Body     string `json:"body"`
	Category string `json:"category"`
}

type sourceView struct {
	AgencyID     int64              `json:"agency_id"`
	ID           int64              `json:"id"`
	Name         string             `json:"name"`
	URL          string             `json:"url"`
	PollEvery    string             `json:"poll_every"`
	Mode         string             `json:"mode"`
	Status       string             `json:"status"`
	Template     sourceTemplateView `json:"template"`
	ChannelIDs   []int64            `json:"channel_ids"`
	DigestRule   string             `json:"digest_rule,omitempty"`
	MaxAgeDays   int                `json:"max_age_days"`
	NextPollAt   time.Time          `json:"next_poll_at"`
	LastPolledAt *time.Time         `json:"last_polled_at"`
	Failures     int                `json:"consecutive_failures"`
	LastError    string             `json:"last_error,omitempty"`
	ItemsTotal   int64              `json:"items_total,omitempty"`
	Polls        []pollView         `json:"polls,omitempty"`
	Items        []sourceItemView   `json:"items,omitempty"`
	classificationView
}

func viewPoll(p storage.SourcePoll) pollView {
	return pollView{At: p.At.UTC(), Outcome: p.Outcome, HTTPStatus: p.HTTPStatus, ItemsSeen: p.ItemsSeen,
		ItemsNew: p.ItemsNew, Error: p.Error, DurationMS: p.DurationMS}
}

func viewSource(src storage.Source) sourceView {
	v := sourceView{AgencyID: src.AgencyID, ID: src.ID, Name: src.Name, URL: secrets.MaskURL(src.URL), PollEvery: (time.Duration(src.PollEvery) * time.Second).String(),
		Mode: src.Mode, Status: src.Status, DigestRule: src.DigestRule, MaxAgeDays: src.MaxAgeDays,
		NextPollAt: src.NextPollAt.UTC(), LastPolledAt: src.LastPolledAt, Failures: src.Failures, LastError: src.LastError,
		Template: sourceTemplateView{Title: src.Template.Title, Summary: src.Template.Summary, Body: src.Template.Body,
			Category: src.Template.Category},
		ChannelIDs: src.Targets.ChannelIDs, classificationView: viewClassification(src.Classification)}
	return v
}

// createSource registers a feed of administrative-procedure updates; the
// checks are publishing.ChannelAdmin's, shared with the web pages.
func (s *Server) createSource(c echo.Context) error {
	var req sourceRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	variants, err := decodeVariants(req.Variants)
	if err != nil {
		return err
	}
	in := publishing.SourceInput{AgencyID: req.AgencyID, Name: req.Name, URL: req.URL, PollEvery: req.PollEvery,
		Mode: req.Mode, Template: req.Template, ChannelIDs: derefIDs(req.ChannelIDs), Variants: variants,
		MaxAgeDays: req.MaxAgeDays, ContentArea: deref(req.ContentArea), AudienceCode: deref(req.AudienceCode),
		ActivityID: derefID(req.ActivityID)}
	if req.Digest != nil {
		in.DigestRule = req.Digest.Rule
	}
	src, err := s.channelAdmin.CreateSource(c.Request().Context(), currentUser(c), in)
	if err != nil {
		return err
	}
	return s.respondSource(c, src.ID, http.StatusCreated)
}

func (s *Server) targets(ids *[]int64, variants map[string]json.RawMessage) (storage.Targets, error) {
	vs, err := decodeVariants(variants)
	if err != nil {
		return storage.Targets{}, err
	}
	return publishing.Targets(derefIDs(ids), vs)
}

func (s *Server) listSources(c echo.Context) error {
	agency, ok, err := s.listAgency(c)
	if err != nil {
		return err
	}
	var srcs []storage.Source
	if ok {
		if srcs, err = s.store.ListSources(c.Request().Context(), agency); err != nil {
			return err
		}
	}
	items := make([]sourceView, len(srcs))
	for i, src := range srcs {
		items[i] = viewSource(src)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

const shownPolls, shownItems = 20, 50

// respondSource shows a source with its recent polls and items.
func (s *Server) respondSource(c echo.Context, id int64, status int) error {
	ctx := c.Request().Context()
	src, err := s.store.GetSource(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return notFound("source")
	}
	if err != nil {
		return err
	}
	if err := s.authorize(c, publishing.View, "source", src.AgencyID, 0); err != nil {
		return err
	}
	v := viewSource(src)
	polls, err := s.store.RecentPolls(ctx, id, shownPolls)
	if err != nil {
		return err
	}
	items, total, err := s.store.RecentSourceItems(ctx, id, shownItems)
	if err != nil {
		return err
	}
	v.Polls, v.Items, v.ItemsTotal = make([]pollView, len(polls)), make([]sourceItemView, len(items)), total
	for i, p := range polls {
		v.Polls[i] = viewPoll(p)
	}
	for i, it := range items {
		v.Items[i] = sourceItemView{Title: it.Title, Link: it.Link, PublishedAt: it.PublishedAt,
			FirstSeenAt: it.FirstSeenAt.UTC(), PostID: it.PostID, Skipped: it.Skipped}
	}
	return c.JSON(status, v)
}

func (s *Server) getSource(c echo.Context) error {
	id, err := pathID(c, "id", "source")
	if err != nil {
		return err
	}
	return s.respondSource(c, id, http.StatusOK)
}

// pollSource polls at once (the "check now" button) and answers with the result.
func (s *Server) pollSource(c echo.Context) error {
	id, err := pathID(c, "id", "source")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	poll, err := s.pub.PollNow(ctx, currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, viewPoll(poll))
}

func (s *Server) setSourceStatus(status string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id", "source")
		if err != nil {
			return err
		}
		if err := s.pub.SetSourceStatus(c.Request().Context(), currentUser(c), id, status); err != nil {
			return err
		}
		return s.respondSource(c, id, http.StatusOK)
	}
}
