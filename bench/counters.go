package bench

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/loa-vn/loa/storage"
)

// CounterRow is one channel kind and outcome: the loa_deliveries_total
// counter of the rig's metrics registry (what /metrics serves) and the
// attempts the database holds with that outcome.
type CounterRow struct {
	Kind     string `json:"kind"`
	Outcome  string `json:"outcome"`
	Metrics  int64  `json:"metrics"`
	Database int64  `json:"database"`
}

// CounterCheck compares /metrics' per-channel-kind delivery counters with
// the database after the run. Both count attempts, not deliveries: the
// counter is incremented once for each attempt whose outcome the worker
// recorded (delivered, retry, failed, unconfirmed), so the database side
// counts the attempts rows with those outcomes by their delivery's channel
// kind. Attempts still "sending" or marked "interrupted" (a worker died
// mid-send) are outcomes no worker recorded and neither side counts them.
// The seeded deliveries have no attempts, so every attempt is the run's.
type CounterCheck struct {
	Rows  []CounterRow `json:"rows"`
	Equal bool         `json:"equal"`
}

// recordedOutcomes are the outcomes the worker tells its Observer of.
var recordedOutcomes = []string{storage.OutcomeDelivered, storage.OutcomeRetry, storage.OutcomeFailed, storage.OutcomeUnconfirmed}

// checkCounters gathers loa_deliveries_total from the registry and counts
// attempts in the database. The worker must be stopped first, so that no
// attempt is recorded in one and not yet in the other.
func (r *rig) checkCounters(ctx context.Context) (CounterCheck, error) {
	type key struct{ kind, outcome string }
	counts := map[key]*CounterRow{}
	row := func(k key) *CounterRow {
		if counts[k] == nil {
			counts[k] = &CounterRow{Kind: k.kind, Outcome: k.outcome}
		}
		return counts[k]
	}
	families, err := r.metrics.Registry().Gather()
	if err != nil {
		return CounterCheck{}, fmt.Errorf("bench: gather metrics: %w", err)
	}
	for _, f := range families {
		if f.GetName() != "loa_deliveries_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			var k key
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "kind":
					k.kind = l.GetValue()
				case "outcome":
					k.outcome = l.GetValue()
				}
			}
			row(k).Metrics = int64(math.Round(m.GetCounter().GetValue()))
		}
	}
	db, err := r.be.rawDB()
	if err != nil {
		return CounterCheck{}, err
	}
	defer db.Close()
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(recordedOutcomes)), ", ")
	query := "SELECT c.kind, a.outcome, COUNT(*) FROM attempts a JOIN deliveries d ON d.id = a.delivery_id " +
		"JOIN channels c ON c.id = d.channel_id WHERE a.outcome IN (" + marks + ") GROUP BY c.kind, a.outcome"
	if r.be.database == "postgres" {
		for i := range recordedOutcomes {
			query = strings.Replace(query, "?", fmt.Sprintf("$%d", i+1), 1)
		}
	}
	args := make([]any, len(recordedOutcomes))
	for i, o := range recordedOutcomes {
		args[i] = o
	}
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return CounterCheck{}, fmt.Errorf("bench: count attempts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k key
		var n int64
		if err := rows.Scan(&k.kind, &k.outcome, &n); err != nil {
			return CounterCheck{}, fmt.Errorf("bench: count attempts: %w", err)
		}
		row(k).Database = n
	}
	if err := rows.Err(); err != nil {
		return CounterCheck{}, fmt.Errorf("bench: count attempts: %w", err)
	}
	check := CounterCheck{Equal: len(counts) > 0}
	for _, c := range counts {
		check.Rows = append(check.Rows, *c)
		check.Equal = check.Equal && c.Metrics == c.Database
	}
	slices.SortFunc(check.Rows, func(a, b CounterRow) int {
		return cmp.Or(strings.Compare(a.Kind, b.Kind), strings.Compare(a.Outcome, b.Outcome))
	})
	return check, nil
}
