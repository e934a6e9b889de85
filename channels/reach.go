package channels

// Reach metrics a platform may report for one published item. A metric the
// platform did not report is absent from Reach.Metrics, never zero.
const (
	// MetricReach counts distinct people the item was shown to (Facebook
	// post_impressions_unique).
	MetricReach = "reach"
	// MetricViews counts times the item was opened (Zalo article views, a
	// WordPress post-views plugin).
	MetricViews = "views"
	// MetricImpressions counts times the item was shown, people counted again.
	MetricImpressions = "impressions"
)

// Reach is what a platform reports about how many people one published item
// reached. The reach reader (worker) declares the interface adapters
// implement to report it; this is only the plain value they return.
type Reach struct {
	// Metrics maps a metric (MetricReach, MetricViews, …) to its value.
	Metrics map[string]int64
	// Unavailable, when set, says why the platform reports nothing for this
	// item (no plugin exposes views, the token lacks the insights
	// permission, the item is gone); Metrics is then empty. It is English,
	// technical and free of secrets, like a delivery's last error.
	Unavailable string
}
