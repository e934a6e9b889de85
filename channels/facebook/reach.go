package facebook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/loa-vn/loa/channels"
)

// insightsMetric is the Graph post metric read as reach: the number of
// distinct people the post was shown to, over its lifetime.
const insightsMetric = "post_impressions_unique"

// maxPostIDLen bounds the ids ReadReach puts in a URL; Graph's
// "{page-id}_{post-id}" ids are far shorter.
const maxPostIDLen = 100

// insights is the answer of GET /{post-id}/insights.
type insights struct {
	Data []struct {
		Name   string `json:"name"`
		Values []struct {
			Value json.RawMessage `json:"value"`
		} `json:"values"`
	} `json:"data"`
}

// ReadReach reads how many people the post externalID reached
// (GET /{post-id}/insights?metric=post_impressions_unique). A token without
// the insights permission, or a post Graph no longer reports on, gives an
// unavailable Reach, not an error: asking again soon cannot change it.
// While publishing is paused for throttling it refuses without calling
// Graph, since every call prolongs the block.
func (f *Facebook) ReadReach(ctx context.Context, externalID string) (channels.Reach, error) {
	if !validPostID(externalID) {
		return channels.Reach{Unavailable: "facebook: the delivery's external id is not a Graph post id"}, nil
	}
	if wait, reason := f.paused(); wait > 0 {
		return channels.Reach{}, channels.Retryable(fmt.Errorf(
			"facebook: reading insights is paused for another %s because %s", wait.Round(time.Second), reason), wait)
	}
	target := f.base + "/" + f.version + "/" + url.PathEscape(externalID) + "/insights"
	res, err := f.getURL(ctx, target, "post insights", url.Values{"metric": {insightsMetric}})
	if err != nil {
		return channels.Reach{}, err
	}
	if res.graphErr != nil {
		switch classify(res.graphErr.Code) {
		case classPermission:
			return channels.Reach{Unavailable: "facebook: the page token may not read insights (" + f.describe(res.graphErr) +
				"); grant read_insights and pages_read_engagement to read reach"}, nil
		case classParameter:
			return channels.Reach{Unavailable: "facebook: Graph reports no " + insightsMetric + " for this post (" + f.describe(res.graphErr) + ")"}, nil
		}
	}
	if !res.ok() {
		return channels.Reach{}, f.failure("read the post's insights", res)
	}
	return f.parseInsights(res)
}

func (f *Facebook) parseInsights(res *response) (channels.Reach, error) {
	var in insights
	if err := json.Unmarshal(res.body, &in); err != nil {
		return channels.Reach{}, channels.Retryable(fmt.Errorf(
			"facebook: could not read the post's insights: Graph answered HTTP %d with unexpected content (%s)", res.status, f.bodySnippet(res)), 0).WithStatus(res.status)
	}
	if len(in.Data) == 0 || len(in.Data[0].Values) == 0 {
		return channels.Reach{Unavailable: "facebook: Graph returned no " + insightsMetric + " value for this post"}, nil
	}
	var n json.Number
	if err := json.Unmarshal(in.Data[0].Values[0].Value, &n); err != nil || n == "" {
		return channels.Reach{Unavailable: "facebook: Graph's " + insightsMetric + " value is not a number"}, nil
	}
	v, err := n.Int64()
	if err != nil || v < 0 {
		return channels.Reach{Unavailable: "facebook: Graph's " + insightsMetric + " value is not a whole number"}, nil
	}
	return channels.Reach{Metrics: map[string]int64{channels.MetricReach: v}}, nil
}

// validPostID accepts Graph object ids: digits, possibly joined by "_".
func validPostID(id string) bool {
	if id == "" || len(id) > maxPostIDLen {
		return false
	}
	for _, r := range id {
		if (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}
