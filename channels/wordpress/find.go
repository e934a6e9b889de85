package wordpress

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/platform"
	"github.com/loa-vn/loa/content"
)

// Find looks for the post an earlier attempt of msg's delivery would have
// created, by its slug, in every status except trash. It finds nothing if
// the title changed since that attempt, because the slug starts with it.
func (w *WordPress) Find(ctx context.Context, msg channels.Message) (channels.Receipt, bool, error) {
	if err := checkDeliveryID(msg.DeliveryID); err != nil {
		return channels.Receipt{}, false, channels.Permanent(err)
	}
	slug := Slug(content.NFC(msg.Title), msg.DeliveryID)
	query := url.Values{
		"slug":    {slug},
		"status":  {"any"},
		"context": {"edit"},
		"_fields": {"id,slug,link,status"},
	}
	res, err := w.call(ctx, http.MethodGet, postsRoute, query, nil)
	if err != nil {
		return channels.Receipt{}, false, err
	}
	if res.status != http.StatusOK {
		return channels.Receipt{}, false, w.statusError(res)
	}
	posts, err := parsePosts(res.body)
	if err != nil {
		// A list request changes nothing, so asking again later is safe.
		return channels.Receipt{}, false, channels.Retryable(fmt.Errorf(
			"wordpress: the post list is not what WordPress sends (%w): %s; if this persists, check the site's plugins", err, w.snippet(res.body)), 0).WithStatus(res.status)
	}
	for _, p := range posts {
		// The slug filter is WordPress's; checking again guards against
		// plugins or caches that ignore it.
		if p.Slug == slug && validID(p.ID) {
			return channels.Receipt{ExternalID: p.id(), ExternalURL: p.Link, HTTPStatus: res.status}, true, nil
		}
	}
	return channels.Receipt{}, false, nil
}

func parsePosts(body []byte) ([]post, error) {
	var posts []post
	if err := platform.DecodeNumbers(body, &posts); err != nil {
		return nil, err
	}
	return posts, nil
}
