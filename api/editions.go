package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/channels/radio"
)

// edition serves a radio channel's edition for one day and air time as the
// script (.txt), its sidecar (.json) or speech (.wav).
func (s *Server) edition(c echo.Context) error {
	id, err := pathID(c, "id", "channel")
	if err != nil {
		return err
	}
	timePart, ext, ok := strings.Cut(c.Param("file"), ".")
	key := c.Param("date") + "T" + timePart
	if !ok {
		key = "" // no extension: not an edition file
	}
	ch, ed, err := s.channelAdmin.Edition(c.Request().Context(), currentUser(c), id, key)
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
		wav, err := s.channelAdmin.EditionAudio(c.Request().Context(), ch, ed)
		if errors.Is(err, radio.ErrNoSpeechEngine) {
			return &Error{Status: http.StatusNotImplemented, Code: "speech_unavailable",
				Message: "speech synthesis is not installed on this server (install espeak-ng); use the .txt script"}
		}
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, "audio/wav", wav)
	}
	return notFound("edition")
}
