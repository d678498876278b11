package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"duban/internal/cli"
	"duban/internal/config"
	"duban/internal/deadline"
	"duban/internal/deliver"
	"duban/internal/metrics"
	"duban/internal/notify"
	"duban/internal/postgres"
	"duban/internal/remind"
	"duban/seeds"
)

func cmdNotify(ctx context.Context, e cli.Env, args []string) error {
	fs := cli.NewFlags(e, "notify run", `notify run [--at TIME] [--dry-run] [--send]

Runs the daily reminder pass now (or as of TIME: 2024-03-04T08:30 in
Asia/Shanghai, or RFC 3339) and prints what it sent to whom: one line per
person and per unit robot, with the kind of message and its number of items.
Safe to run at any time and from several machines at once: what was sent
before is not sent again, and a pass that finds another running leaves it.
duban serve runs the same pass every day at REMIND_AT. --dry-run keeps
nothing (what would be sent); --send also delivers the queued email and
robot messages now instead of leaving them to duban serve.`)
	at := fs.String("at", "", "the instant of the pass (default: now)")
	dry := fs.Bool("dry-run", false, "keep nothing: print what would be sent")
	send := fs.Bool("send", false, "deliver the queued messages now")
	if action, err := cli.Action(fs, args, "run"); action == "" {
		return err
	}
	cfg, err := cli.DatabaseConfig(e)
	if err != nil {
		return err
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{MaxConns: 4})
	if err != nil {
		return err
	}
	defer db.Close()
	when := db.Now()
	if *at != "" {
		if when, err = parseInstant(*at); err != nil {
			return fmt.Errorf("notify run: --at %q: want 2024-03-04T08:30 (Asia/Shanghai) or RFC 3339", *at)
		}
	}
	p, err := newPass(cfg, db, "duban notify run")
	if err != nil {
		return err
	}
	res, err := p.Run(ctx, when, *dry)
	if err != nil {
		return err
	}
	printPass(e, res, *dry)
	if *send && !*dry {
		s, err := newSender(cfg, db, newLogger(cfg, e.Stderr))
		if err != nil {
			return err
		}
		for {
			n, err := s.Round(ctx)
			if err != nil {
				return err
			}
			if n == 0 {
				break
			}
		}
		c, err := db.OutboxCounts(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "outbox: pending %v, failed %v (see /admin/deliveries)\n", c["pending"], c["failed"])
	}
	return nil
}

func printPass(e cli.Env, res remind.Result, dry bool) {
	if res.Running {
		fmt.Fprintln(e.Stdout, "another reminder pass is running: nothing done")
		return
	}
	verb := "sent"
	if dry {
		verb = "would send (dry run, nothing kept)"
	}
	day := "working day"
	if !res.Working {
		day = "day off: nothing is sent"
	}
	fmt.Fprintf(e.Stdout, "reminder pass as of %s (%s, %s): %d plan(s), %d item(s), %d 督办单, %d message(s) %s, %d outbox row(s), %s\n",
		res.At.In(deadline.Shanghai).Format("2006-01-02 15:04"), res.Day, day, res.Plans, res.Items, res.Orders, len(res.Sent), verb, res.Outbox,
		res.Duration.Round(time.Millisecond))
	for _, l := range res.Summary() {
		fmt.Fprintln(e.Stdout, "  "+l)
	}
}

func parseInstant(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, deadline.Shanghai); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad instant")
}

// newPass builds the reminder pass from the configuration.
func newPass(cfg config.Config, db *postgres.DB, runner string) (*remind.Pass, error) {
	b, err := seeds.FS.ReadFile(seeds.Holidays)
	if err != nil {
		return nil, err
	}
	cal, err := notify.ParseCalendar(b)
	if err != nil {
		return nil, err
	}
	n := cfg.Notify
	pol := notify.Policy{DueSoon: n.DueSoonDays, OverdueEvery: n.OverdueEveryDays, RefileWorkingDays: n.RefileWorkingDays,
		Escalation: n.EscalationDays, ReplyWorkingDays: n.ReplyWorkingDays, CadenceDays: cfg.CadenceDays}
	if err := pol.Validate(); err != nil {
		return nil, err
	}
	if host, err := os.Hostname(); err == nil && runner == "duban serve" {
		runner += " on " + host
	}
	return &remind.Pass{DB: db, Status: statusPolicy(cfg), Policy: pol, Calendar: cal, Office: n.Office, Runner: runner}, nil
}

// statusPolicy is the status policy of the configuration (the lights).
func statusPolicy(cfg config.Config) deadline.Policy {
	p := deadline.DefaultPolicy()
	p.DueSoonDays, p.Cadence = cfg.DueSoonDays, time.Duration(cfg.CadenceDays)*24*time.Hour
	p.PaceYellow, p.PaceRed = cfg.PaceYellow, cfg.PaceRed
	return p
}

// newSender builds the outbox's sender from the configuration.
func newSender(cfg config.Config, db *postgres.DB, log *slog.Logger) (*deliver.Sender, error) {
	s := &deliver.Sender{DB: db, BaseURL: cfg.BaseURL, Log: log.With("job", "outbox")}
	if cfg.Notify.SMTPURL != "" {
		m, err := deliver.ParseSMTPURL(cfg.Notify.SMTPURL, cfg.Notify.MailFrom)
		if err != nil {
			return nil, fmt.Errorf("SMTP_URL: %w", err)
		}
		s.Mail = m
	}
	return s, nil
}

// startNotify runs the daily pass at REMIND_AT (unless off) and the
// outbox's sender s beside the server until ctx ends; m, if not nil,
// records their metrics.
func startNotify(ctx context.Context, cfg config.Config, db *postgres.DB, s *deliver.Sender, log *slog.Logger, m *metrics.Metrics) error {
	p, err := newPass(cfg, db, "duban serve")
	if err != nil {
		return err
	}
	r := &remind.Runner{Pass: p, Log: log.With("job", "reminders"), Hour: cfg.Notify.Hour, Minute: cfg.Notify.Minute}
	if m != nil {
		r.Done = func(res remind.Result) { m.ReminderPass(res.Duration, len(res.Sent)) }
		s.Counts = m.Outbox
	}
	if !cfg.Notify.Off {
		go func() { _ = r.Run(ctx) }()
	}
	go func() { _ = s.Run(ctx) }()
	return nil
}
