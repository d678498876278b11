package remind_test

import (
	"context"
	"os"
	"testing"
	"time"

	"duban/internal/deadline"
	"duban/internal/notify"
	"duban/internal/postgres"
	"duban/internal/remind"
	"duban/seeds"
)

// BenchmarkReminderPassScale runs the daily pass on a database of province
// size (`duban gen --scale 200`: 200 plans, about 80,000 assignments and
// 10,000 users; DUBAN_BENCH_URL points at it, as make bench does), as a dry
// run: everything is computed and written, then rolled back, so that every
// iteration does the whole work. Every user gets an email address and every
// unit a robot for the run (removed afterwards), so that the outbox rows are
// written too. "history-end" is the Monday at the end of the generated
// year, evaluated from snapshots; "backlog" the next Monday from now on the
// maintained state, when nearly every open assignment is long overdue and
// climbs the ladder at once (the worst case). The target (issue 14) is under
// 60 s on 2 cores.
func BenchmarkReminderPassScale(b *testing.B) {
	url := os.Getenv("DUBAN_BENCH_URL")
	if url == "" {
		b.Skip("DUBAN_BENCH_URL is not set: point it at a database filled by `duban gen --scale 200`")
	}
	ctx := context.Background()
	db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 4, StatementTimeout: 5 * time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`INSERT INTO user_notify_settings (user_id, email) SELECT id, username || '@bench.invalid' FROM users ON CONFLICT DO NOTHING`,
		`INSERT INTO unit_notify_settings (unit_id, robot_kind, robot_url) SELECT id, 'wecom', 'https://bench.invalid/robot' FROM units WHERE kind <> 'collective' ON CONFLICT DO NOTHING`,
	} {
		if _, err := db.Pool.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	defer func() {
		_, _ = db.Pool.Exec(ctx, `DELETE FROM user_notify_settings WHERE email LIKE '%@bench.invalid'`)
		_, _ = db.Pool.Exec(ctx, `DELETE FROM unit_notify_settings WHERE robot_url = 'https://bench.invalid/robot'`)
	}()
	raw, err := seeds.FS.ReadFile(seeds.Holidays)
	if err != nil {
		b.Fatal(err)
	}
	cal, err := notify.ParseCalendar(raw)
	if err != nil {
		b.Fatal(err)
	}
	p := &remind.Pass{DB: db, Status: deadline.DefaultPolicy(), Policy: notify.DefaultPolicy(), Calendar: cal, Office: "督查室", Runner: "bench"}
	now := time.Now().In(deadline.Shanghai)
	monday := deadline.DateOf(now, deadline.Shanghai).AddDays(7 - (int(now.Weekday())+6)%7)
	for _, c := range []struct {
		name string
		at   time.Time
	}{
		{"history-end", time.Date(2024, 7, 29, 8, 30, 0, 0, deadline.Shanghai)},
		{"backlog", cal.FirstWorkingFrom(monday).Time(deadline.Shanghai).Add(8*time.Hour + 30*time.Minute)},
	} {
		b.Run(c.name, func(b *testing.B) {
			var res remind.Result
			for b.Loop() {
				if res, err = p.Run(ctx, c.at, true); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Items), "items")
			b.ReportMetric(float64(len(res.Sent)), "messages")
			b.ReportMetric(float64(res.Orders), "orders")
			b.ReportMetric(float64(res.Outbox), "outbox")
			b.ReportMetric(res.Duration.Seconds(), "s/pass")
		})
	}
}
