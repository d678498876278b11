package main

import (
	"context"
	"fmt"

	"duban/internal/auth"
	"duban/internal/cli"
	"duban/internal/workplan"
)

func cmdScreenToken(ctx context.Context, e cli.Env, args []string) error {
	fs := cli.NewFlags(e, "screen-token", `screen-token create --name NAME [--plan SLUG] | screen-token revoke --name NAME | screen-token list

Manages the tokens of the operations centre's wall screens. A screen token
opens /plans/SLUG/screen (of one plan with --plan, else of every plan) and
nothing else: no other page, no API. create prints the token once (only its
hash is stored) with the address to open on the screen's browser:
/plans/SLUG/screen?key=TOKEN, which keeps the token in a cookie and drops it
from the address. revoke ends the live token of that name at once.`)
	name := fs.String("name", "", "the token's name, e.g. the room or the screen")
	plan := fs.String("plan", "", "create: the plan whose screen the token opens (default: every plan)")
	action, err := cli.Action(fs, args, "create", "revoke", "list")
	if action == "" {
		return err
	}
	if action != "list" && *name == "" {
		return fmt.Errorf("screen-token %s: --name is required", action)
	}
	if action != "create" && *plan != "" {
		return fmt.Errorf("screen-token %s: --plan is for screen-token create", action)
	}
	db, err := cli.OpenDB(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	actor := workplan.System("duban screen-token " + action)
	switch action {
	case "create":
		tok := auth.NewScreenToken()
		t, err := db.CreateScreenToken(ctx, actor, *name, *plan, auth.HashToken(tok))
		if err != nil {
			return fmt.Errorf("screen-token create: %w", err)
		}
		fmt.Fprintln(e.Stdout, tok)
		where := "every plan's screen"
		if t.PlanSlug != "" {
			where = "/plans/" + t.PlanSlug + "/screen?key=TOKEN"
		}
		fmt.Fprintf(e.Stderr, "created screen token %q for %s; it is shown only now\n", *name, where)
	case "revoke":
		if err := db.RevokeScreenToken(ctx, actor, *name); err != nil {
			return fmt.Errorf("screen-token revoke: %w", err)
		}
		fmt.Fprintf(e.Stdout, "revoked screen token %q\n", *name)
	case "list":
		list, err := db.ListScreenTokens(ctx)
		if err != nil {
			return err
		}
		for _, t := range list {
			plan := "every plan"
			if t.PlanSlug != "" {
				plan = "plan " + t.PlanSlug
			}
			state := "live"
			if t.RevokedAt != nil {
				state = "revoked " + t.RevokedAt.Format("2006-01-02 15:04")
			}
			used := "never used"
			if t.LastUsedAt != nil {
				used = "last used " + t.LastUsedAt.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(e.Stdout, "%-30s %s, created %s, %s, %s\n", t.Name, plan, t.CreatedAt.Format("2006-01-02"), used, state)
		}
	}
	return nil
}
