package main

import (
	"bufio"
	"context"
	"duban/internal/cli"
	"fmt"
	"strings"

	"duban/internal/auth"
	"duban/internal/notify"
	"duban/internal/postgres"
	"duban/internal/workplan"
	"duban/web"
)

func cmdUser(ctx context.Context, e cli.Env, args []string) error {
	fs := cli.NewFlags(e, "user", `user create --username U --name N --role R [--unit NAME] [--email E] [--unit-head] [--password-stdin]

Creates an account, e.g. the first administrator:
  duban user create --username admin --name 管理员 --role admin
Roles: admin, supervisor, leader, staff (staff need --unit). Without
--password-stdin a one-time password is generated and printed: it must be
changed at the first sign-in. With --password-stdin the first line of
standard input is the password (checked against the password policy), and it
is not one-time.`)
	username := fs.String("username", "", "username: lower-case letters, digits and . _ -")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "admin, supervisor, leader or staff")
	unit := fs.String("unit", "", "name of the user's unit, as in the unit registry")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	email := fs.String("email", "", "email address for notifications (optional)")
	head := fs.Bool("unit-head", false, "the head of the user's unit (单位负责人): gets 督办通知 of level 2 and the weekly digest")
	if action, err := cli.Action(fs, args, "create"); action == "" {
		return err
	}
	if *username == "" || *name == "" || *role == "" {
		return fmt.Errorf("user create: --username, --name and --role are required")
	}
	r := workplan.UserRole(*role)
	if !r.Valid() {
		return fmt.Errorf("user create: --role %q: want admin, supervisor, leader or staff", *role)
	}
	password, oneTime := auth.NewPassword(), true
	if *fromStdin {
		line, err := bufio.NewReader(e.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("user create: read the password from standard input: %w", err)
		}
		password, oneTime = strings.TrimRight(line, "\r\n"), false
		if err := auth.CheckPassword(password, *username); err != nil {
			return fmt.Errorf("user create: the password is refused: %s", policyText(err))
		}
	}
	db, err := cli.OpenDB(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	if !postgres.ValidEmail(*email) {
		return fmt.Errorf("user create: --email %q is not an email address", *email)
	}
	var unitID int64
	if *unit != "" {
		if unitID, err = db.UnitIDByName(ctx, *unit); err != nil {
			return fmt.Errorf("user create: --unit %q: %w", *unit, err)
		}
	}
	hash, err := auth.NewHasher(auth.DefaultParams).Hash(password)
	if err != nil {
		return err
	}
	u, err := db.CreateUser(ctx, workplan.System("duban user create"), workplan.NewUser{Username: *username, DisplayName: *name,
		UnitID: unitID, Role: r, PasswordHash: hash, MustChangePassword: oneTime})
	if err != nil {
		return fmt.Errorf("user create: %w", err)
	}
	if *email != "" || *head {
		err := db.SetNotifySettings(ctx, workplan.System("duban user create"), notify.Settings{UserID: u.ID, Email: *email}, head)
		if err != nil {
			return fmt.Errorf("user create: %w", err)
		}
	}
	fmt.Fprintf(e.Stdout, "created user %s (%s, %s)\n", u.Username, u.DisplayName, web.Message(web.LangZH, "acct.role."+string(u.Role)))
	if oneTime {
		fmt.Fprintf(e.Stdout, "one-time password: %s\n(shown only now; it must be changed at the first sign-in)\n", password)
	}
	return nil
}

func policyText(err error) string {
	switch err {
	case auth.ErrPasswordTooShort:
		return fmt.Sprintf("shorter than %d characters", auth.MinPasswordLen)
	case auth.ErrPasswordTooLong:
		return fmt.Sprintf("longer than %d characters", auth.MaxPasswordLen)
	case auth.ErrPasswordCommon:
		return "it is on the list of common passwords"
	case auth.ErrPasswordIsUsername:
		return "it contains the username"
	}
	return "it holds control characters"
}
