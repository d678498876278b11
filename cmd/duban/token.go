package main

import (
	"context"
	"fmt"

	"duban/internal/auth"
	"duban/internal/workplan"
)

func cmdToken(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "token", `token create --name NAME | token revoke --name NAME | token list

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
		return errUsage
	}
	action := args[0]
	if err := parseFlags(fs, args[1:]); err != nil {
		return helpOK(err)
	}
	if action != "list" && *name == "" {
		return fmt.Errorf("token %s: --name is required", action)
	}
	db, err := openDB(ctx, e)
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
		fmt.Fprintln(e.stdout, tok)
		fmt.Fprintf(e.stderr, "created API token %q; it is shown only now\n", *name)
	case "revoke":
		if err := db.RevokeAPIToken(ctx, actor, *name); err != nil {
			return fmt.Errorf("token revoke: %w", err)
		}
		fmt.Fprintf(e.stdout, "revoked API token %q\n", *name)
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
			fmt.Fprintf(e.stdout, "%-30s created %s, %s, %s\n", t.Name, t.CreatedAt.Format("2006-01-02"), used, state)
		}
	}
	return nil
}
