package api

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/loa-vn/loa/channels/rss"
	"github.com/loa-vn/loa/storage"
)

// feedLength is how many recent items a public feed carries.
const feedLength = 50

// feed serves /feeds/{slug}.rss and /feeds/{slug}.atom, with ETag and
// Last-Modified so that readers polling often get 304s.
func (s *Server) feed(c echo.Context) error {
	slug, format, ok := parseFeedFile(c.Param("name"))
	if !ok {
		return notFound("feed")
	}
	ctx := c.Request().Context()
	ch, f, err := s.loadFeed(c, slug)
	if err != nil {
		return err
	}
	entries, err := s.store.FeedEntries(ctx, ch.ID, feedLength)
	if err != nil {
		return err
	}
	for _, e := range entries {
		f.Items = append(f.Items, feedItem(e))
	}
	body, err := rss.Render(f, format)
	if err != nil {
		return err
	}
	etag := rss.ETag(body)
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=60")
	if lm := rss.LastModified(f); !lm.IsZero() {
		h.Set("Last-Modified", lm.UTC().Format(http.TimeFormat))
	}
	if notModified(c.Request(), etag, rss.LastModified(f)) {
		return c.NoContent(http.StatusNotModified)
	}
	if c.Request().Method == http.MethodHead {
		h.Set(echo.HeaderContentType, format.ContentType())
		return c.NoContent(http.StatusOK)
	}
	return c.Blob(http.StatusOK, format.ContentType(), body)
}

func parseFeedFile(file string) (string, rss.Format, bool) {
	for _, format := range []rss.Format{rss.FormatRSS, rss.FormatAtom} {
		if slug, ok := strings.CutSuffix(file, format.Extension()); ok && slug != "" {
			return slug, format, true
		}
	}
	return "", 0, false
}

// loadFeed finds the active rss channel served under slug.
func (s *Server) loadFeed(c echo.Context, slug string) (storage.Channel, rss.Feed, error) {
	ch, err := s.store.ChannelByFeedSlug(c.Request().Context(), slug)
	if errors.Is(err, storage.ErrNotFound) || err == nil && ch.Status == storage.ChannelDisabled {
		return ch, rss.Feed{}, notFound("feed")
	}
	if err != nil {
		return ch, rss.Feed{}, err
	}
	plain, err := s.box.Open(ch.ConfigSealed)
	if err != nil {
		return ch, rss.Feed{}, err
	}
	cfg, err := rss.ParseConfig(plain)
	if err != nil {
		return ch, rss.Feed{}, err
	}
	return ch, rss.Feed{Slug: cfg.Slug, Title: cfg.Title, Description: cfg.Description,
		Language: cfg.Language, PublicBaseURL: s.publicURL}, nil
}

func feedItem(e storage.FeedEntry) rss.Item {
	published := e.Delivery.ScheduledAt
	if e.Delivery.DeliveredAt != nil {
		published = *e.Delivery.DeliveredAt
	}
	return rss.Item{DeliveryID: e.Delivery.ID, Title: e.Post.Title, Summary: e.Post.Summary,
		BodyHTML: e.Post.Body, Category: e.Post.Category, Published: published.UTC()}
}

// notModified applies RFC 9110's rule: If-None-Match wins over If-Modified-Since.
func notModified(r *http.Request, etag string, lastModified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, candidate := range strings.Split(inm, ",") {
			candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
			if candidate == etag || candidate == "*" {
				return true
			}
		}
		return false
	}
	ims, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	if err != nil || lastModified.IsZero() {
		return false
	}
	return !lastModified.Truncate(time.Second).After(ims)
}

// feedItem serves the public page of one item of a feed.
func (s *Server) feedItem(c echo.Context) error {
	id, err := pathID(c, "id", "feed item")
	if err != nil {
		return err
	}
	ch, f, err := s.loadFeed(c, c.Param("name"))
	if err != nil {
		return err
	}
	entry, err := s.store.FeedEntry(c.Request().Context(), ch.ID, id)
	if errors.Is(err, storage.ErrNotFound) {
		return notFound("feed item")
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := rss.RenderItemPage(&buf, f, feedItem(entry), pageNonce(c)); err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}
