package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Result is one run's figures.
type Result struct {
	Deliveries  int    `json:"deliveries"`
	Clients     int    `json:"clients"`
	Concurrency int    `json:"worker_concurrency"`
	Database    string `json:"database"`
	Redis       string `json:"redis"`
	CPUs        int    `json:"cpus"`
	// SeededRows deliveries were inserted first (--rows), in SeedSeconds.
	SeededRows  int64   `json:"seeded_rows"`
	SeedSeconds float64 `json:"seed_seconds"`
	// LoadAverage is /proc/loadavg's 1-minute figure at the start: other
	// work on the machine skews every figure.
	LoadAverage string `json:"load_average"`
	// RawTasksPerSec is (a): asynq no-op tasks/s on the same Redis.
	RawTasksPerSec float64 `json:"raw_asynq_tasks_per_sec"`
	// Posts is (b) and (c): N posts to one channel; Ratio is b/a.
	Posts Burst   `json:"posts_to_one_channel"`
	Ratio float64 `json:"ratio_b_a"`
	// Province is (c): one post to N commune channels by selector.
	Province Burst `json:"province_wide_post"`
	// UnderLoad is the N-posts burst the API clients run beside, (d).
	UnderLoad  Burst   `json:"posts_under_api_load"`
	CreatePost Latency `json:"post_posts"`
	// ListDeliveries is every list request together; ListByFilter each
	// filter's (the clients go round them).
	ListDeliveries Latency         `json:"get_deliveries"`
	ListByFilter   []FilterLatency `json:"get_deliveries_by_filter"`
	// Report is GET ReportQuery (the province's last full quarter),
	// computed reportRuns times after the bursts; its p99 is the slowest.
	ReportQuery string  `json:"report_query"`
	Report      Latency `json:"report"`
	// ReportDelivered is the report's own delivered figure: proof it read
	// the seeded rows.
	ReportDelivered int64 `json:"report_delivered"`
	// Counters compares /metrics' delivery counters with the database.
	Counters CounterCheck `json:"metrics_vs_database"`
	// PeakRSSBytes is (e): VmHWM of this process, worker and all.
	PeakRSSBytes int64      `json:"peak_rss_bytes"`
	Sink         sinkCounts `json:"sink"`
	ExpectedKeys int        `json:"expected_keys"`
}

// ExactlyOnce reports whether the sink saw each delivery once.
func (r Result) ExactlyOnce() bool {
	return r.Sink.DistinctKeys == r.ExpectedKeys && r.Sink.Duplicates == 0 && r.Sink.BadSignatures == 0
}

// CountersMatch reports whether /metrics' delivery counters equal the
// database's attempts, per channel kind and outcome.
func (r Result) CountersMatch() bool { return r.Counters.Equal }

// WriteTable prints the result as one table.
func (r Result) WriteTable(w io.Writer) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "loa bench: %d deliveries, %d clients, worker concurrency %d, database %s, redis %s, %d CPUs, load average %s\n",
		r.Deliveries, r.Clients, r.Concurrency, r.Database, r.Redis, r.CPUs, r.LoadAverage)
	row := func(label, value string) { fmt.Fprintf(&b, "%-48s %s\n", label, value) }
	if r.SeededRows > 0 {
		row("seeded deliveries (--rows)", fmt.Sprintf("%d in %.1f s", r.SeededRows, r.SeedSeconds))
	}
	row("(a) raw asynq no-op", fmt.Sprintf("%.0f tasks/s", r.RawTasksPerSec))
	row(fmt.Sprintf("(b) end to end, %d posts to one channel", r.Deliveries), fmt.Sprintf("%.0f deliveries/s", r.Posts.PerSec))
	row("(b) ratio b/a", fmt.Sprintf("%.2f", r.Ratio))
	row(fmt.Sprintf("(b) end to end, one post to %d channels", r.Deliveries), fmt.Sprintf("%.0f deliveries/s", r.Province.PerSec))
	lag := func(label string, bu Burst) {
		v := fmt.Sprintf("p50 %.2f s  p99 %.2f s", bu.LagP50, bu.LagP99)
		if bu.LateSetup > 0 {
			v += fmt.Sprintf("  (queued %.2f s after the due time)", bu.LateSetup)
		}
		row(label, v)
	}
	lag(fmt.Sprintf("(c) lag, %d posts to one channel", r.Deliveries), r.Posts)
	lag(fmt.Sprintf("(c) lag, one post to %d channels", r.Deliveries), r.Province)
	lag(fmt.Sprintf("(d) lag, %d posts under %d clients", r.Deliveries, r.Clients), r.UnderLoad)
	lat := func(label string, l Latency) {
		row(label, fmt.Sprintf("p50 %.1f ms  p99 %.1f ms  (%d requests, %d errors)", l.P50Ms, l.P99Ms, l.Requests, l.Errors))
	}
	lat("(d) POST /api/v1/posts", r.CreatePost)
	lat("(d) GET /api/v1/deliveries, all filters", r.ListDeliveries)
	for _, f := range r.ListByFilter {
		lat("    "+f.Name, f.Latency)
	}
	if r.ReportQuery != "" {
		row("report page, province, last quarter", fmt.Sprintf("p50 %.1f ms  max %.1f ms  (%d runs, %d delivered counted; GET %s)",
			r.Report.P50Ms, r.Report.P99Ms, r.Report.Requests, r.ReportDelivered, r.ReportQuery))
	} else {
		row("report page, province, last quarter", "not measured: it reads the province --rows seeds")
	}
	row("(e) peak RSS (VmHWM, worker in process)", fmt.Sprintf("%.0f MiB", float64(r.PeakRSSBytes)/(1<<20)))
	failed := r.Posts.Failed + r.Province.Failed + r.UnderLoad.Failed
	row("deliveries not delivered", strconv.Itoa(failed))
	verdict := "OK"
	if !r.ExactlyOnce() {
		verdict = "FAILED"
	}
	row("exactly once at the sink", fmt.Sprintf("%s: distinct keys %d of %d deliveries, duplicates %d, bad signatures %d",
		verdict, r.Sink.DistinctKeys, r.ExpectedKeys, r.Sink.Duplicates, r.Sink.BadSignatures))
	verdict = "OK"
	if !r.CountersMatch() {
		verdict = "FAILED"
	}
	row("/metrics loa_deliveries_total = database", verdict+" (attempts by channel kind and outcome)")
	for _, c := range r.Counters.Rows {
		row(fmt.Sprintf("    %s %s", c.Kind, c.Outcome), fmt.Sprintf("metrics %d  database %d", c.Metrics, c.Database))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// loadAverage is the 1-minute load average, "?" where /proc is missing.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if fields := strings.Fields(string(raw)); err == nil && len(fields) > 0 {
		return fields[0]
	}
	return "?"
}

// peakRSS is this process's VmHWM, 0 where /proc is missing.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var kb int64
		if n, _ := fmt.Sscanf(sc.Text(), "VmHWM: %d kB", &kb); n == 1 {
			return kb << 10
		}
	}
	return 0
}
