package main

import (
	"context"
	"duban/internal/cli"
	"fmt"

	"duban/internal/auth"
	"duban/internal/workplan"
)

func cmdToken(ctx context.Context, e cli.Env, args []string) error {
	fs := cli.NewFlags(e, "token", `token create --name NAME | token revoke --name NAME | token list

Manages bearer tokens of the read-only JSON API under /api/v1
(send "Authorization: Bearer TOKEN"). create prints a new token once; only
its hash is stored. revoke ends the live token of that name at once.`)
	name := fs.String("name", "", "the token's name, e.g. the system that uses it")
	if len(args) == 0 || (args[0] != "create" && args[0] != "revoke" && args[0] != "list") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fs.Usage()
			return nil
		}
		fs.Usage()
		return cli.ErrUsage
	}
	action := args[0]
	if err := cli.ParseFlags(fs, args[1:]); err != nil {
		return cli.HelpOK(err)
	}
	if action != "list" && *name == "" {
		return fmt.Errorf("token %s: --name is required", action)
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
		if _, err := db.CreateAPIToken(ctx, actor, *name, auth.HashToken(tok)); err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		fmt.Fprintln(e.Stdout, tok)
		fmt.Fprintf(e.Stderr, "created API token %q; it is shown only now\n", *name)
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
		for _, t := range list {
			state := "live"
			if t.RevokedAt != nil {
				state = "revoked " + t.RevokedAt.Format("2006-01-02 15:04")
			}
			used := "never used"
			if t.LastUsedAt != nil {
				used = "last used " + t.LastUsedAt.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(e.Stdout, "%-30s created %s, %s, %s\n", t.Name, t.CreatedAt.Format("2006-01-02"), used, state)
		}
	}
	return nil
}
