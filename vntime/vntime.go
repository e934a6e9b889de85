// Package vntime is Vietnam's clock for code given no location: the one
// default the services, adapters and pages fall back on.
package vntime

import "time"

// Fixed is Vietnam's time, UTC+7 all year (there is no daylight saving),
// named ICT; it needs no zone database.
func Fixed() *time.Location { return time.FixedZone("ICT", 7*3600) }
