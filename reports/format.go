package reports

// FormatCount writes 12345 as "12.345", as the exported files do, for
// the pages to show the same figures the same way.
func FormatCount(n int64) string { return formatCount(n) }

// FormatRate writes 0.855 as "85,5%", as the exported files do.
func FormatRate(r float64) string { return formatRate(r) }

// FormatReach is the reach, or "Không có số liệu" when no platform
// reported any — never 0.
func FormatReach(r *int64) string { return formatReach(r) }
