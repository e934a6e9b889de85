package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"
)

// TestBenchEmbedded runs `loa bench --deliveries 200 --clients 4 --rows
// 2000` on the embedded default end to end and checks that every line of
// the table is there, with figures, that the sink saw each delivery's key
// once, and that /metrics' delivery counters equal the database's attempts
// (the run fails otherwise).
func TestBenchEmbedded(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three bursts of deliveries")
	}
	t.Setenv("LOA_DATABASE_URL", "")
	t.Setenv("LOA_REDIS_URL", "")
	t.Setenv("LOA_DATA_DIR", t.TempDir())
	t.Setenv("LOA_LOG_LEVEL", "warn")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"bench", "--deliveries", "200", "--clients", "4", "--rows", "2000"}, &stdout, &stderr); err != nil {
		t.Fatalf("loa bench: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	t.Log("\n" + out)
	num := `[0-9]+(\.[0-9]+)?`
	// A loaded machine may queue a burst after its due time; the table says so.
	lag := `p50 ` + num + ` s  p99 ` + num + ` s(  \(queued ` + num + ` s after the due time\))?`
	lat := `p50 ` + num + ` ms  p99 ` + num + ` ms  \([1-9][0-9]* requests, 0 errors\)`
	// A filter may see no request in a short burst; none may fail.
	filterLat := `p50 ` + num + ` ms  p99 ` + num + ` ms  \([0-9]+ requests, 0 errors\)`
	for _, line := range []string{
		`loa bench: 200 deliveries, 4 clients, worker concurrency [0-9]+, database sqlite, redis embedded, [0-9]+ CPUs, load average [0-9.?]+`,
		`seeded deliveries \(--rows\) +2000 in ` + num + ` s`,
		`\(a\) raw asynq no-op +[1-9][0-9]* tasks/s`,
		`\(b\) end to end, 200 posts to one channel +[1-9][0-9]* deliveries/s`,
		`\(b\) ratio b/a +` + num,
		`\(b\) end to end, one post to 200 channels +[1-9][0-9]* deliveries/s`,
		`\(c\) lag, 200 posts to one channel +` + lag,
		`\(c\) lag, one post to 200 channels +` + lag,
		`\(d\) lag, 200 posts under 4 clients +` + lag,
		`\(d\) POST /api/v1/posts +` + lat,
		`\(d\) GET /api/v1/deliveries, all filters +` + lat,
		`    burst province, delivered +` + filterLat,
		`    district, a month 6 months ago +` + filterLat,
		`    unconfirmed, a week 3 months ago \(RFC 3339\) +` + filterLat,
		`report page, province, last quarter +p50 ` + num + ` ms  max ` + num +
			` ms  \(3 runs, [1-9][0-9]* delivered counted; GET /api/v1/reports\?agency_id=[0-9]+&period=[0-9]{4}-Q[1-4]\)`,
		`\(e\) peak RSS \(VmHWM, worker in process\) +[1-9][0-9]* MiB`,
		`deliveries not delivered +0`,
		`exactly once at the sink +OK: distinct keys 600 of 600 deliveries, duplicates 0, bad signatures 0`,
		`/metrics loa_deliveries_total = database +OK \(attempts by channel kind and outcome\)`,
		`    webhook delivered +metrics 600  database 600`,
	} {
		if !regexp.MustCompile(`(?m)^` + line + `$`).MatchString(out) {
			t.Errorf("no line matching %q", line)
		}
	}
}
