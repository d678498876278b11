package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/auth"
	"duban/internal/pgtest"
	"duban/internal/postgres"
	"duban/internal/workplan"
	"duban/web"
)

func runCmd(t *testing.T, dbURL, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string {
		if k == "DATABASE_URL" {
			return dbURL
		}
		return ""
	}
	err := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestUserCreate(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 2})
	require.NoError(t, err)
	defer db.Close()
	_, err = db.CreateRegistryUnit(ctx, workplan.System("t"), workplan.UnitEdit{Name: "市公管办", Kind: workplan.UnitCityDepartment, Confirmed: true})
	require.NoError(t, err)

	out, _, err := runCmd(t, url, "", "user", "create", "--username", "root", "--name", "管理员", "--role", "admin")
	require.NoError(t, err)
	require.Contains(t, out, "one-time password: ")
	otp := strings.Fields(strings.SplitN(out, "one-time password: ", 2)[1])[0]
	u, hash, err := db.UserCredentials(ctx, "root")
	require.NoError(t, err)
	assert.True(t, u.MustChangePassword)
	ok, err := auth.NewHasher(auth.TestParams).Verify(hash, otp)
	require.NoError(t, err)
	assert.True(t, ok)

	_, _, err = runCmd(t, url, "a long chosen passphrase\n", "user", "create", "--username", "li", "--name", "李", "--role", "staff", "--unit", "市公管办", "--password-stdin")
	require.NoError(t, err)
	u, _, err = db.UserCredentials(ctx, "li")
	require.NoError(t, err)
	assert.False(t, u.MustChangePassword, "a password of one's own is not one-time")
	assert.Equal(t, "市公管办", u.UnitName)

	_, _, err = runCmd(t, url, "password\n", "user", "create", "--username", "x2", "--name", "x", "--role", "leader", "--password-stdin")
	assert.ErrorContains(t, err, "common passwords")
	_, _, err = runCmd(t, url, "", "user", "create", "--username", "x3", "--name", "x", "--role", "staff", "--unit", "无此单位")
	assert.ErrorContains(t, err, "无此单位")
	// The command prints the store's refusal from the message table, in
	// Chinese, after the trace (cli.Main prints web.ErrorText).
	assert.Regexp(t, `^user create: --unit "无此单位": .*: 未找到$`, web.ErrorText(web.LangZH, err))
	_, _, err = runCmd(t, url, "", "user", "create", "--username", "x4", "--name", "x", "--role", "god")
	assert.ErrorContains(t, err, "--role")
}

func TestTokenCreateRevoke(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	out, _, err := runCmd(t, url, "", "token", "create", "--name", "大屏")
	require.NoError(t, err)
	tok := strings.TrimSpace(out)
	assert.True(t, auth.LooksLikeToken(tok) && strings.HasPrefix(tok, auth.APITokenPrefix), tok)

	out, _, err = runCmd(t, url, "", "token", "list")
	require.NoError(t, err)
	assert.Contains(t, out, "大屏")
	assert.NotContains(t, out, tok, "the secret is never shown again")

	_, _, err = runCmd(t, url, "", "token", "revoke", "--name", "大屏")
	require.NoError(t, err)
	_, _, err = runCmd(t, url, "", "token", "revoke", "--name", "大屏")
	assert.Error(t, err, "already revoked")
}

func TestTokenExpiresRateAndLastUse(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	out, errOut, err := runCmd(t, url, "", "token", "create", "--name", "指挥中心", "--expires", "2099-12-31", "--rate", "600")
	require.NoError(t, err)
	tok := strings.TrimSpace(out)
	assert.Contains(t, errOut, "it expires 2100-01-01 00:00 CST", "the end of the day in Asia/Shanghai")
	_, _, err = runCmd(t, url, "", "token", "create", "--name", "大屏", "--expires", "30d")
	require.NoError(t, err)

	ctx := context.Background()
	db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 2})
	require.NoError(t, err)
	defer db.Close()
	used := time.Date(2024, 3, 1, 1, 30, 0, 0, time.UTC)
	_, err = db.APITokenByHash(ctx, auth.HashToken(tok), used)
	require.NoError(t, err)

	out, _, err = runCmd(t, url, "", "token", "list")
	require.NoError(t, err)
	line := func(name string) string {
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, name) {
				return l
			}
		}
		return ""
	}
	assert.Contains(t, line("指挥中心"), "2100-01-01 00:00")
	assert.Contains(t, line("指挥中心"), "2024-03-01 09:30", "last used, in Asia/Shanghai")
	assert.Contains(t, line("指挥中心"), "600/min")
	assert.Contains(t, line("大屏"), "never used")
	assert.Contains(t, line("大屏"), "120/min (default)")

	for _, bad := range [][]string{{"--expires", "2020-01-01"}, {"--expires", "tomorrow"}, {"--expires", "0d"}, {"--rate", "-5"}, {"--rate", "fast"}} {
		_, _, err = runCmd(t, url, "", append([]string{"token", "create", "--name", "x"}, bad...)...)
		assert.Error(t, err, "%v", bad)
	}
	_, _, err = runCmd(t, url, "", "token", "revoke", "--name", "大屏", "--rate", "5")
	assert.ErrorContains(t, err, "for token create")
}
