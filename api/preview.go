package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/storage"
)

type previewView struct {
	DeliveryID int64             `json:"delivery_id"`
	ChannelID  int64             `json:"channel_id"`
	Channel    string            `json:"channel"`
	Kind       string            `json:"kind"`
	Preview    *channels.Preview `json:"preview,omitempty"`
	Error      string            `json:"error,omitempty"`
}

// previewPost shows, per delivery, exactly what each adapter would send.
func (s *Server) previewPost(c echo.Context) error {
	p, ds, err := s.loadPost(c)
	if err != nil {
		return err
	}
	only, err := queryID(c, "channel_id")
	if err != nil {
		return err
	}
	items := []previewView{}
	for _, d := range ds {
		if only != 0 && d.ChannelID != only {
			continue
		}
		items = append(items, s.previewDelivery(c.Request().Context(), p, d))
	}
	if only != 0 && len(items) == 0 {
		return invalid("channel_id", "this post is not sent to channel "+strconv.FormatInt(only, 10))
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// previewDelivery is the application layer's preview as JSON.
func (s *Server) previewDelivery(ctx context.Context, p storage.Post, d storage.Delivery) previewView {
	pv := s.pub.Preview(ctx, p, d)
	return previewView{DeliveryID: pv.DeliveryID, ChannelID: pv.ChannelID, Channel: pv.Channel, Kind: pv.Kind,
		Preview: pv.Preview, Error: pv.Error}
}

type checkView struct {
	OK          bool   `json:"ok"`
	Checked     bool   `json:"checked"`
	Account     string `json:"account,omitempty"`
	Reason      string `json:"reason,omitempty"`
	Detail      string `json:"detail,omitempty"`
	NeedsReauth bool   `json:"needs_reauth"`
}

// testChannel verifies the channel's credentials against the platform
// without publishing, and flags or clears "needs re-authorisation".
func (s *Server) testChannel(c echo.Context) error {
	id, err := pathID(c, "id", "channel")
	if err != nil {
		return err
	}
	res, err := s.channelAdmin.TestChannel(c.Request().Context(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, checkView{OK: res.OK, Checked: res.Checked, Account: res.Account,
		Reason: res.Reason, Detail: res.Detail, NeedsReauth: res.NeedsReauth})
}
