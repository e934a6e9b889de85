package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/channels"
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
	if ch.FeedSlug != nil {
		base := s.publicURL + "/feeds/" + *ch.FeedSlug
		v.FeedURLs = &feedURLs{RSS: base + ".rss", Atom: base + ".atom"}
	}
	kind, ok := s.registry.Lookup(ch.Kind)
	if !ok {
		v.Config = json.RawMessage(`{}`)
		return v, nil
	}
	plain, err := s.box.Open(ch.ConfigSealed)
	if err != nil {
		return v, fmt.Errorf("api: open config of channel %d: %w", ch.ID, err)
	}
	masked, err := kind.MaskSecrets(plain)
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

func (s *Server) createChannel(c echo.Context) error {
	var req channelRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Status != nil {
		return invalid("status", "cannot be set when creating a channel")
	}
	name, err := channelName(req.Name)
	if err != nil {
		return err
	}
	if req.Kind == nil || *req.Kind == "" {
		return invalid("kind", "is required; one of "+strings.Join(s.registry.Names(), ", "))
	}
	kind, ok := s.registry.Lookup(*req.Kind)
	if !ok {
		return invalid("kind", fmt.Sprintf("unknown channel kind %q; one of %s", *req.Kind, strings.Join(s.registry.Names(), ", ")))
	}
	agency, err := s.agencyFor(c, req.AgencyID)
	if err != nil {
		return err
	}
	ch := storage.Channel{Name: name, Kind: kind.Name, Status: storage.ChannelActive, AgencyID: agency}
	if req.Slots != nil {
		if ch.Slots, err = cleanSlots(*req.Slots); err != nil {
			return err
		}
	}
	if err := s.sealConfig(&ch, kind, req.Config); err != nil {
		return err
	}
	if err := s.store.CreateChannel(c.Request().Context(), &ch, actor(c)); err != nil {
		return channelConflict(err)
	}
	v, err := s.viewChannel(ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, v)
}

func channelName(name *string) (string, error) {
	return requiredText("name", name, 200, "")
}

// sealConfig validates config for kind and stores it sealed on ch.
func (s *Server) sealConfig(ch *storage.Channel, kind channels.Kind, config json.RawMessage) error {
	if len(config) == 0 || string(config) == "null" {
		return invalid("config", "is required")
	}
	clean, err := kind.CheckConfig(config)
	if err != nil {
		return configError(err)
	}
	return s.storeConfig(ch, kind, clean)
}

// configError maps a config the kind refused to a 422 naming its field.
func configError(err error) error {
	var cfgErr *channels.ConfigError
	if errors.As(err, &cfgErr) {
		field := "config"
		if cfgErr.Field != "" {
			field += "." + cfgErr.Field
		}
		return invalid(field, cfgErr.Message)
	}
	return invalid("config", err.Error())
}

// storeConfig seals clean, a config the kind has normalised, on ch, once
// the outbound guard accepts its endpoints.
func (s *Server) storeConfig(ch *storage.Channel, kind channels.Kind, clean json.RawMessage) error {
	if err := s.checkEndpoints(kind, clean); err != nil {
		return err
	}
	sealed, err := s.box.Seal(clean)
	if err != nil {
		return err
	}
	ch.ConfigSealed = sealed
	ch.FeedSlug = nil
	if kind.FeedSlug != nil {
		if slug := kind.FeedSlug(clean); slug != "" {
			ch.FeedSlug = &slug
		}
	}
	return nil
}

// checkEndpoints refuses endpoint URLs the outbound guard would refuse to
// connect to, so a literal private address shows when the channel is saved
// rather than at its first delivery.
func (s *Server) checkEndpoints(kind channels.Kind, config json.RawMessage) error {
	var fields map[string]any
	if err := json.Unmarshal(config, &fields); err != nil {
		return fmt.Errorf("api: decode config: %w", err)
	}
	for _, name := range kind.EndpointFields {
		if raw, ok := fields[name].(string); ok && raw != "" {
			if err := s.guard.CheckURL(raw); err != nil {
				return invalid("config."+name, err.Error())
			}
		}
	}
	return nil
}

func channelConflict(err error) error {
	if errors.Is(err, storage.ErrConflict) {
		return &Error{Status: http.StatusConflict, Code: "conflict",
			Message: "a channel with this name or feed slug already exists", Err: err}
	}
	return err
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
	v, err := s.viewChannel(ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// loadChannel returns the channel in the path if the caller may do action
// to it; one outside the caller's agencies is 404 like a missing one.
func (s *Server) loadChannel(c echo.Context, action publishing.Action) (storage.Channel, error) {
	id, err := pathID(c, "id", "channel")
	if err != nil {
		return storage.Channel{}, err
	}
	ch, err := s.store.GetChannel(c.Request().Context(), id)
	if errors.Is(err, storage.ErrNotFound) {
		return ch, notFound("channel")
	}
	if err != nil {
		return ch, err
	}
	return ch, s.authorize(c, action, "channel", ch.AgencyID, 0)
}

// updateChannel renames a channel, changes its config (secrets sent back
// masked or left out keep their stored value) or sets it active/disabled.
// The change is applied to the stored row under its lock, so credentials an
// adapter rotated meanwhile are not overwritten by a stale form.
func (s *Server) updateChannel(c echo.Context) error {
	current, err := s.loadChannel(c, publishing.ManageChannels)
	if err != nil {
		return err
	}
	var req channelRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := noAgencyChange(req.AgencyID); err != nil {
		return err
	}
	ch, err := s.store.EditChannel(c.Request().Context(), current.ID, actor(c), func(ch *storage.Channel) error {
		return s.applyChannelPatch(ch, req)
	})
	if errors.Is(err, storage.ErrNotFound) {
		return notFound("channel")
	}
	if err != nil {
		return channelConflict(err)
	}
	v, err := s.viewChannel(ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) applyChannelPatch(ch *storage.Channel, req channelRequest) error {
	if req.Kind != nil && *req.Kind != ch.Kind {
		return invalid("kind", "cannot be changed; create a new channel instead")
	}
	if req.Name != nil {
		name, err := channelName(req.Name)
		if err != nil {
			return err
		}
		ch.Name = name
	}
	if req.Status != nil {
		if *req.Status != storage.ChannelActive && *req.Status != storage.ChannelDisabled {
			return invalid("status", "must be active or disabled")
		}
		ch.Status, ch.StatusReason = *req.Status, ""
	}
	if req.Slots != nil {
		slots, err := cleanSlots(*req.Slots)
		if err != nil {
			return err
		}
		ch.Slots = slots
	}
	if len(req.Config) > 0 {
		return s.mergeConfig(ch, req.Config)
	}
	return nil
}

// mergeConfig applies a partial config to the stored one; the rules
// (masked secrets kept, endpoint moves need the secrets again) are the
// kind's MergeConfig.
func (s *Server) mergeConfig(ch *storage.Channel, patch json.RawMessage) error {
	kind, ok := s.registry.Lookup(ch.Kind)
	if !ok {
		return invalid("kind", "this channel's kind is no longer supported")
	}
	plain, err := s.box.Open(ch.ConfigSealed)
	if err != nil {
		return err
	}
	clean, err := kind.MergeConfig(plain, patch)
	if err != nil {
		return configError(err)
	}
	return s.storeConfig(ch, kind, clean)
}
