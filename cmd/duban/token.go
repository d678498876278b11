package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"duban/internal/auth"
	"duban/internal/cli"
	"duban/internal/deadline"
	"duban/internal/workplan"
)

func cmdToken(ctx context.Context, e cli.Env, args []string) error {
	fs := cli.NewFlags(e, "token", `token create --name NAME [--expires DATE|DAYSd] [--rate N] | token revoke --name NAME | token list

Manages bearer tokens of the read-only JSON API under /api/v1
(send "Authorization: Bearer TOKEN"). create prints a new token once; only
its hash is stored. --expires ends it at the end of a date (2025-12-31,
Asia/Shanghai) or after a number of days (90d); --rate sets its own limit in
requests per minute on each replica (0: none; default API_RATE_LIMIT).
revoke ends the live token of that name at once. list shows every token
with its expiry, its limit and when it was last used.`)
	name := fs.String("name", "", "the token's name, e.g. the system that uses it")
	expires := fs.String("expires", "", "create: when the token stops working: a date (2025-12-31) or days from now (90d)")
	rate := fs.String("rate", "", "create: the token's own limit in requests per minute (0: none)")
	action, err := cli.Action(fs, args, "create", "revoke", "list")
	if action == "" {
		return err
	}
	if action != "list" && *name == "" {
		return fmt.Errorf("token %s: --name is required", action)
	}
	if action != "create" && (*expires != "" || *rate != "") {
		return fmt.Errorf("token %s: --expires and --rate are for token create", action)
	}
	now := time.Now()
	nt := workplan.NewAPIToken{Name: *name}
	if *expires != "" {
		at, err := parseExpiry(*expires, now)
		if err != nil {
			return fmt.Errorf("token create: --expires=%q: %w", *expires, err)
		}
		nt.ExpiresAt = &at
	}
	if *rate != "" {
		n, err := strconv.Atoi(*rate)
		if err != nil || n < 0 {
			return fmt.Errorf("token create: --rate=%q: want a whole number of requests per minute, 0 for no limit", *rate)
		}
		nt.RatePerMinute = &n
	}
	db, err := cli.OpenDB(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	actor := workplan.System("duban token " + action)
	switch action {
	case "create":
		tok := auth.NewAPIToken()
		nt.Hash = auth.HashToken(tok)
		if _, err := db.CreateAPIToken(ctx, actor, nt); err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		fmt.Fprintln(e.Stdout, tok)
		until := "it does not expire"
		if nt.ExpiresAt != nil {
			until = "it expires " + nt.ExpiresAt.In(deadline.Shanghai).Format("2006-01-02 15:04 MST")
		}
		fmt.Fprintf(e.Stderr, "created API token %q (%s); it is shown only now\n", *name, until)
	case "revoke":
		if err := db.RevokeAPIToken(ctx, actor, *name); err != nil {
			return fmt.Errorf("token revoke: %w", err)
		}
		fmt.Fprintf(e.Stdout, "revoked API token %q\n", *name)
	case "list":
		list, err := db.ListAPITokens(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.Stdout, tokenList(list, now, e.Getenv("API_RATE_LIMIT")))
	}
	return nil
}

// tokenList lays out the tokens for token list, times in Asia/Shanghai.
func tokenList(list []workplan.APIToken, now time.Time, defaultRate string) string {
	if defaultRate == "" {
		defaultRate = "120"
	}
	at := func(t time.Time) string { return t.In(deadline.Shanghai).Format("2006-01-02 15:04") }
	var b strings.Builder
	fmt.Fprintf(&b, "%-24s %-10s %-22s %-18s %-16s %s\n", "NAME", "CREATED", "EXPIRES", "LAST USED", "RATE", "STATE")
	for _, t := range list {
		state := "live"
		if t.RevokedAt != nil {
			state = "revoked " + at(*t.RevokedAt)
		} else if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
			state = "expired"
		}
		exp := "never"
		if t.ExpiresAt != nil {
			exp = at(*t.ExpiresAt)
		}
		used := "never used"
		if t.LastUsedAt != nil {
			used = at(*t.LastUsedAt)
		}
		rate := defaultRate + "/min (default)"
		if t.RatePerMinute != nil {
			rate = strconv.Itoa(*t.RatePerMinute) + "/min"
			if *t.RatePerMinute == 0 {
				rate = "no limit"
			}
		}
		fmt.Fprintf(&b, "%-24s %-10s %-22s %-18s %-16s %s\n", t.Name, t.CreatedAt.In(deadline.Shanghai).Format("2006-01-02"), exp, used, rate, state)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// parseExpiry reads --expires: the end of a date in Asia/Shanghai, or a
// number of days from now ("90d"); it must be in the future.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	var at time.Time
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > 3650 {
			return at, fmt.Errorf("want a number of days from 1 to 3650, such as 90d")
		}
		at = now.Add(time.Duration(n) * 24 * time.Hour)
	} else {
		d, err := deadline.ParseDate(s)
		if err != nil {
			return at, fmt.Errorf("want a date such as 2025-12-31 or a number of days such as 90d")
		}
		at = d.End(deadline.Shanghai)
	}
	if !at.After(now) {
		return at, fmt.Errorf("the token would be expired already")
	}
	return at, nil
}
