package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

type channelView struct {
	ID           int64           `json:"id"`
	Name         string          `json:"name"`
	Kind         string          `json:"kind"`
	AgencyID     int64           `json:"agency_id"`
	Status       string          `json:"status"`
	StatusReason string          `json:"status_reason,omitempty"`
	Config       json.RawMessage `json:"config"`
	FeedURLs     *feedURLs       `json:"feed_urls,omitempty"`
	Slots        []string        `json:"slots"`
	CreatedAt    time.Time       `json:"created_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
}

type feedURLs struct {
	RSS  string `json:"rss"`
	Atom string `json:"atom"`
}

// viewChannel shows a channel with every secret masked.
func (s *Server) viewChannel(ch storage.Channel) (channelView, error) {
	v := channelView{ID: ch.ID, Name: ch.Name, Kind: ch.Kind, AgencyID: ch.AgencyID, Status: ch.Status, StatusReason: ch.StatusReason,
		Slots: ch.Slots, CreatedAt: ch.CreatedAt.UTC(), UpdatedAt: ch.UpdatedAt.UTC()}
	if v.Slots == nil {
		v.Slots = []string{}
	}
	if rssURL, atomURL, ok := s.channelAdmin.FeedURLs(ch); ok {
		v.FeedURLs = &feedURLs{RSS: rssURL, Atom: atomURL}
	}
	masked, err := s.channelAdmin.MaskedConfig(ch)
	if err != nil {
		return v, err
	}
	v.Config = masked
	return v, nil
}

type channelRequest struct {
	Name   *string         `json:"name"`
	Kind   *string         `json:"kind"`
	Config json.RawMessage `json:"config"`
	Status *string         `json:"status"`
	Slots  *[]string       `json:"slots"`
	// AgencyID is the channel's agency; on creation absent means the caller's.
	AgencyID *int64 `json:"agency_id"`
}

func (r channelRequest) input() publishing.ChannelInput {
	return publishing.ChannelInput{Name: r.Name, Kind: r.Kind, Config: r.Config, Status: r.Status, Slots: r.Slots,
		AgencyID: r.AgencyID}
}

// createChannel stores a channel through the application layer (the
// rules are publishing.ChannelAdmin's, shared with the web pages).
func (s *Server) createChannel(c echo.Context) error {
	var req channelRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ch, err := s.channelAdmin.CreateChannel(c.Request().Context(), currentUser(c), req.input())
	if err != nil {
		return err
	}
	return s.respondChannel(c, http.StatusCreated, ch)
}

func (s *Server) respondChannel(c echo.Context, status int, ch storage.Channel) error {
	v, err := s.viewChannel(ch)
	if err != nil {
		return err
	}
	return c.JSON(status, v)
}

func (s *Server) listChannels(c echo.Context) error {
	agency, ok, err := s.listAgency(c)
	if err != nil {
		return err
	}
	var chs []storage.Channel
	if ok {
		if chs, err = s.store.ListChannels(c.Request().Context(), agency); err != nil {
			return err
		}
	}
	items := make([]channelView, 0, len(chs))
	for _, ch := range chs {
		v, err := s.viewChannel(ch)
		if err != nil {
			return err
		}
		items = append(items, v)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

func (s *Server) getChannel(c echo.Context) error {
	ch, err := s.loadChannel(c, publishing.View)
	if err != nil {
		return err
	}
	return s.respondChannel(c, http.StatusOK, ch)
}

// loadChannel returns the channel in the path if the caller may do action
// to it; one outside the caller's agencies is 404 like a missing one.
func (s *Server) loadChannel(c echo.Context, action publishing.Action) (storage.Channel, error) {
	id, err := pathID(c, "id", "channel")
	if err != nil {
		return storage.Channel{}, err
	}
	return s.channelAdmin.Channel(c.Request().Context(), currentUser(c), id, action)
}

// updateChannel renames a channel, changes its config (secrets sent back
// masked or left out keep their stored value) or sets it active/disabled.
func (s *Server) updateChannel(c echo.Context) error {
	id, err := pathID(c, "id", "channel")
	if err != nil {
		return err
	}
	if _, err := s.channelAdmin.Channel(c.Request().Context(), currentUser(c), id, publishing.ManageChannels); err != nil {
		return err
	}
	var req channelRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ch, err := s.channelAdmin.UpdateChannel(c.Request().Context(), currentUser(c), id, req.input())
	if err != nil {
		return err
	}
	return s.respondChannel(c, http.StatusOK, ch)
}
