package postgres_test

import (
	"context"
	"os"
	"testing"
	"time"

	"duban/internal/deadline"
	"duban/internal/postgres"
)

// BenchmarkPlanAtScale measures the read behind a plan's dashboard, PlanAt,
// on a database of province size: run `duban-dev gen --scale 200` into
// a database and point DUBAN_BENCH_URL at it. DUBAN_BENCH_PLAN picks the plan
// (default plan-2023-100, else the first). "now" reads the maintained state;
// "as-of" rebuilds the facts as of a Friday afternoon in the middle of the
// generated year, from the previous day's snapshot and that day's events,
// and "as-of-day-end" as of the end of that Friday.
// The target (issue 4) is under 20 ms with 5,000 tasks and 3 million reports.
func BenchmarkPlanAtScale(b *testing.B) {
	url := os.Getenv("DUBAN_BENCH_URL")
	if url == "" {
		b.Skip("DUBAN_BENCH_URL is not set: point it at a database filled by `duban-dev gen --scale 200`")
	}
	ctx := context.Background()
	db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	plans, err := db.ListPlans(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if len(plans) == 0 {
		b.Fatal("the database has no plans: run `duban-dev gen --scale 200` into it first")
	}
	slug := os.Getenv("DUBAN_BENCH_PLAN")
	if slug == "" {
		slug = "plan-2023-100"
	}
	plan := plans[len(plans)-1]
	for _, p := range plans {
		if p.Slug == slug {
			plan = p
		}
	}
	for _, bm := range []struct {
		name string
		at   time.Time
	}{
		{"now", time.Time{}},
		{"as-of", time.Date(2024, 3, 15, 16, 0, 0, 0, deadline.Shanghai)},
		// the worst case: a whole Friday's events (the busiest day) after the snapshot
		{"as-of-day-end", time.Date(2024, 3, 15, 23, 59, 59, 0, deadline.Shanghai)},
	} {
		b.Run(bm.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				at, current := bm.at, bm.at.IsZero()
				if current {
					at = time.Now()
				}
				pa, err := db.PlanAt(ctx, plan.ID, at, current)
				if err != nil {
					b.Fatal(err)
				}
				n = len(pa.Assignments)
			}
			if n == 0 {
				b.Fatalf("plan %s has no assignments", plan.Slug)
			}
			b.ReportMetric(float64(n), "assignments")
		})
	}
	b.Logf("plan %s of %d plans", plan.Slug, len(plans))
}
