package wordpress

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/loa-vn/loa/channels"
	"github.com/loa-vn/loa/channels/platform"
)

// viewFields are the REST fields view-counting plugins add to a post, in
// the order they are looked for: Post Views Counter's post_views, then the
// views and view_count that WP-PostViews integrations commonly register.
// WordPress itself counts no views.
var viewFields = []string{"post_views", "views", "view_count"}

// maxPostIDLen bounds the ids ReadReach puts in a URL.
const maxPostIDLen = 20

// ReadReach reads the post externalID's view count where a plugin exposes
// one in the REST post (GET /wp/v2/posts/{id}?_fields=id,post_views,views,view_count).
// Without such a field, reach is unavailable: absent, never zero. A post
// that is gone (404) is unavailable too; bad credentials or an outage are
// errors, tried again at the next read.
func (w *WordPress) ReadReach(ctx context.Context, externalID string) (channels.Reach, error) {
	id, err := strconv.ParseInt(externalID, 10, 64)
	if err != nil || id <= 0 || len(externalID) > maxPostIDLen {
		return channels.Reach{Unavailable: "wordpress: the delivery's external id is not a post id"}, nil
	}
	query := url.Values{"_fields": {"id," + joinFields()}}
	res, err := w.call(ctx, http.MethodGet, postsRoute+"/"+strconv.FormatInt(id, 10), query, nil)
	if err != nil {
		return channels.Reach{}, err
	}
	if res.status == http.StatusNotFound {
		e, isAPI := parseAPIError(res.body)
		return channels.Reach{Unavailable: "wordpress: the post is gone: " + w.describeFailure(res, e, isAPI)}, nil
	}
	if res.status != http.StatusOK {
		return channels.Reach{}, w.statusError(res)
	}
	var fields map[string]any
	if err := platform.DecodeNumbers(res.body, &fields); err != nil {
		return channels.Reach{}, channels.Retryable(fmt.Errorf(
			"wordpress: the post is not what WordPress sends (%w): %s", err, w.snippet(res.body)), 0).WithStatus(res.status)
	}
	return viewsIn(fields), nil
}

// viewsIn reads the first view field present; a field holding anything but
// a whole number (an object, a formatted string) counts as absent.
func viewsIn(fields map[string]any) channels.Reach {
	for _, name := range viewFields {
		v, ok := fields[name]
		if !ok || v == nil {
			continue
		}
		n, err := strconv.ParseInt(platform.StringOrNumber(v), 10, 64)
		if err != nil || n < 0 {
			return channels.Reach{Unavailable: "wordpress: the post's " + name + " field is not a whole number"}
		}
		return channels.Reach{Metrics: map[string]int64{channels.MetricViews: n}}
	}
	return channels.Reach{Unavailable: "wordpress: no plugin exposes a view count on the REST post (looked for " + joinFields() + ")"}
}

func joinFields() string { return strings.Join(viewFields, ",") }
