package web

import (
	"strconv"
	"time"

	"github.com/loa-vn/loa/storage"
)

// reachRow is one reach metric as the delivery log shows it.
type reachRow struct {
	Label string
	Value string
	When  string
}

// reachLabels names the metrics shown, in the order shown; a metric
// without a label here is not shown.
var reachLabels = []struct{ metric, label string }{
	{"reach", "Lượt tiếp cận"},
	{"views", "Lượt xem"},
	{"impressions", "Lượt hiển thị"},
}

// reachRows shows what the platform reported of r, and nothing when it
// reported nothing: unknown reach is never shown as 0.
func reachRows(r storage.DeliveryReach, loc *time.Location) []reachRow {
	var rows []reachRow
	for _, l := range reachLabels {
		v, ok := r.Metrics[l.metric]
		if !ok {
			continue
		}
		rows = append(rows, reachRow{Label: l.label, Value: groupThousands(v.Value), When: localTime(v.ReadAt, loc)})
	}
	return rows
}

// groupThousands writes n the Vietnamese way: 1234567 as "1.234.567".
func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, '.')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
