package sources

import (
	"time"

	"github.com/loa-vn/loa/vntime"
)

// vietnamZoneName is the zone readers expect dates in.
const vietnamZoneName = "Asia/Ho_Chi_Minh"

// vietnamZone loads Asia/Ho_Chi_Minh. Vietnam has kept UTC+7 without
// daylight saving since 1975, so a fixed zone gives the same dates on a
// host without a zone database.
func vietnamZone() *time.Location {
	if loc, err := time.LoadLocation(vietnamZoneName); err == nil {
		return loc
	}
	return vntime.Fixed()
}
