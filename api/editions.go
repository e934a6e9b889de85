package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/channels/radio"
	"github.com/loa-vn/loa/publishing"
	"github.com/loa-vn/loa/storage"
)

// edition serves a radio channel's edition for one day and air time as the
// script (.txt), its sidecar (.json) or speech (.wav).
func (s *Server) edition(c echo.Context) error {
	ch, err := s.loadChannel(c, publishing.View)
	if err != nil {
		return err
	}
	if ch.Kind != "radio" {
		return notFound("edition")
	}
	timePart, ext, ok := strings.Cut(c.Param("file"), ".")
	if !ok {
		return notFound("edition")
	}
	key, err := radio.ParseEditionKey(c.Param("date") + "T" + timePart)
	if err != nil {
		return notFound("edition")
	}
	ed, err := s.buildEdition(c.Request().Context(), ch, key)
	if err != nil {
		return err
	}
	switch ext {
	case "txt":
		return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(ed.Script()))
	case "json":
		body, err := ed.JSON()
		if err != nil {
			return err
		}
		return c.JSONBlob(http.StatusOK, body)
	case "wav":
		return s.editionAudio(c, ch, ed)
	}
	return notFound("edition")
}

func (s *Server) buildEdition(ctx context.Context, ch storage.Channel, key radio.EditionKey) (radio.Edition, error) {
	adapter, err := s.channels.Get(ch)
	if err != nil {
		return radio.Edition{}, err
	}
	station, ok := adapter.(*radio.Channel)
	if !ok {
		return radio.Edition{}, errors.New("api: radio channel built as another kind")
	}
	entries, err := s.store.DeliveredTo(ctx, ch.ID, key.String())
	if err != nil {
		return radio.Edition{}, err
	}
	items := make([]radio.Item, 0, len(entries))
	for _, e := range entries {
		items = append(items, radio.ItemFromMessage(publishing.MessageFor(e.Post, e.Delivery)))
	}
	return station.Edition(key, items), nil
}

func (s *Server) editionAudio(c echo.Context, ch storage.Channel, ed radio.Edition) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Minute)
	defer cancel()
	cfg, err := s.radioConfig(ch)
	if err != nil {
		return err
	}
	wav, err := radio.Synthesize(ctx, ed.SpokenText(), cfg.Voice, ed.SyllablesPerMinute)
	if errors.Is(err, radio.ErrNoSpeechEngine) {
		return &Error{Status: http.StatusNotImplemented, Code: "speech_unavailable",
			Message: "speech synthesis is not installed on this server (install espeak-ng); use the .txt script"}
	}
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "audio/wav", wav)
}

func (s *Server) radioConfig(ch storage.Channel) (radio.Config, error) {
	plain, err := s.box.Open(ch.ConfigSealed)
	if err != nil {
		return radio.Config{}, err
	}
	return radio.ParseConfig(plain)
}
