package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/auth"
	"duban/internal/pgtest"
	"duban/internal/postgres"
	"duban/internal/workplan"
)

var (
	actx = context.Background()
	asys = workplan.System("test")
)

func mustUnit(t *testing.T, db *postgres.DB, name string, kind workplan.UnitKind) workplan.Unit {
	t.Helper()
	u, err := db.CreateRegistryUnit(actx, asys, workplan.UnitEdit{Name: name, Kind: kind, Confirmed: true})
	require.NoError(t, err)
	return u
}

func mustUser(t *testing.T, db *postgres.DB, username string, role workplan.UserRole, unitID int64) workplan.User {
	t.Helper()
	u, err := db.CreateUser(actx, asys, workplan.NewUser{Username: username, DisplayName: "Name of " + username, UnitID: unitID, Role: role, PasswordHash: "x"})
	require.NoError(t, err)
	return u
}

func auditCount(t *testing.T, db *postgres.DB, action string) int {
	t.Helper()
	var n int
	require.NoError(t, db.Pool.QueryRow(actx, `SELECT count(*) FROM audit_log WHERE action = $1`, action).Scan(&n))
	return n
}

// TestAuditLogIsAppendOnly: the application's own connection can insert
// audit rows but cannot change or remove them: it lacks the privileges
// (the serving role, see grants_test.go), and even the owner of the table,
// who may grant them to itself, is stopped by its triggers.
func TestAuditLogIsAppendOnly(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	mustUser(t, db, "alice", workplan.UserAdmin, 0)
	var n int
	require.NoError(t, db.Pool.QueryRow(actx, `SELECT count(*) FROM audit_log`).Scan(&n))
	require.Equal(t, 1, n)

	owner := pgtest.AsOwner(t, db)
	_, err := owner.Exec(actx, `GRANT UPDATE, DELETE, TRUNCATE ON audit_log TO CURRENT_USER`)
	require.NoError(t, err)
	for _, stmt := range []string{
		`UPDATE audit_log SET actor_name = 'mallory'`,
		`DELETE FROM audit_log`,
		`TRUNCATE audit_log`,
	} {
		_, err := db.Pool.Exec(actx, stmt)
		require.Error(t, err, stmt)
		assert.Contains(t, err.Error(), "permission denied", stmt)
		_, err = owner.Exec(actx, stmt)
		require.Error(t, err, stmt)
		assert.Contains(t, err.Error(), "append-only", stmt)
	}
	var name, action string
	require.NoError(t, db.Pool.QueryRow(actx, `SELECT count(*), min(actor_name), min(action) FROM audit_log`).Scan(&n, &name, &action))
	assert.Equal(t, 1, n, "the row stays")
	assert.Equal(t, "test", name, "unchanged")
	assert.Equal(t, "user.create", action)
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	unit := mustUnit(t, db, "市大数据中心", workplan.UnitCityDepartment)
	coll := mustUnit(t, db, "各县(市、区)人民政府", workplan.UnitCollective)

	u, err := db.CreateUser(actx, asys, workplan.NewUser{Username: " Zhang.San ", DisplayName: "张三", UnitID: unit.ID, Role: workplan.UserStaff, PasswordHash: "h", MustChangePassword: true})
	require.NoError(t, err)
	assert.Equal(t, "zhang.san", u.Username)
	assert.Equal(t, "市大数据中心", u.UnitName)
	assert.True(t, u.MustChangePassword)
	assert.Equal(t, 1, u.Version)

	_, err = db.CreateUser(actx, asys, workplan.NewUser{Username: "zhang.san", DisplayName: "x", Role: workplan.UserLeader})
	assert.Equal(t, workplan.EConflict, workplan.ErrorCode(err), "username taken")

	tests := []struct {
		name string
		nu   workplan.NewUser
	}{
		{"staff without unit", workplan.NewUser{Username: "a1", DisplayName: "x", Role: workplan.UserStaff}},
		{"unknown role", workplan.NewUser{Username: "a2", DisplayName: "x", Role: "root"}},
		{"bad username", workplan.NewUser{Username: "李四", DisplayName: "x", Role: workplan.UserLeader}},
		{"collective unit", workplan.NewUser{Username: "a3", DisplayName: "x", Role: workplan.UserStaff, UnitID: coll.ID}},
		{"missing unit", workplan.NewUser{Username: "a4", DisplayName: "x", Role: workplan.UserStaff, UnitID: 99999}},
		{"no name", workplan.NewUser{Username: "a5", Role: workplan.UserLeader}},
	}
	for _, tt := range tests {
		_, err := db.CreateUser(actx, asys, tt.nu)
		assert.Equal(t, workplan.EInvalid, workplan.ErrorCode(err), tt.name)
	}

	got, hash, err := db.UserCredentials(actx, "ZHANG.SAN")
	require.NoError(t, err)
	assert.Equal(t, u, got)
	assert.Equal(t, "h", hash)
	_, _, err = db.UserCredentials(actx, "nobody")
	assert.ErrorIs(t, err, workplan.ErrNotFound)
	assert.Equal(t, 1, auditCount(t, db, "user.create"), "failed creations leave no trace but their absence")
}

// TestUpdateUserStaleVersion: the second of two edits from the same version
// is refused with the current state, and overwrites nothing.
func TestUpdateUserStaleVersion(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	a := mustUnit(t, db, "甲单位", workplan.UnitCityDepartment)
	b := mustUnit(t, db, "乙单位", workplan.UnitCityDepartment)
	u := mustUser(t, db, "target", workplan.UserStaff, a.ID)

	first, err := db.UpdateUser(actx, asys, u.ID, u.Version, workplan.UserEdit{DisplayName: "First", UnitID: b.ID, Role: workplan.UserStaff})
	require.NoError(t, err)
	assert.Equal(t, 2, first.Version)

	_, err = db.UpdateUser(actx, asys, u.ID, u.Version, workplan.UserEdit{DisplayName: "Second", UnitID: a.ID, Role: workplan.UserLeader})
	var ce *workplan.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.ErrorIs(t, err, workplan.ErrConflict)
	assert.Equal(t, first, ce.Current)

	now, err := db.User(actx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, first, now, "nothing overwritten")
}

// TestUpdateUserConcurrent: 50 savers of the same user at the same version:
// exactly one wins, 49 get a conflict, one audit row.
func TestUpdateUserConcurrent(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	u := mustUser(t, db, "target", workplan.UserLeader, 0)
	const n = 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, conflicts, others := 0, 0, []error{}
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			actor := workplan.Actor{UserID: 0, Name: "admin " + string(rune('A'+i%26))}
			_, err := db.UpdateUser(actx, actor, u.ID, u.Version, workplan.UserEdit{DisplayName: "Name " + string(rune('A'+i%26)), Role: workplan.UserLeader})
			mu.Lock()
			defer mu.Unlock()
			var ce *workplan.ConflictError
			switch {
			case err == nil:
				wins++
			case errors.As(err, &ce):
				conflicts++
			default:
				others = append(others, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	require.Empty(t, others)
	assert.Equal(t, 1, wins)
	assert.Equal(t, n-1, conflicts)
	assert.Equal(t, 1, auditCount(t, db, "user.update"))
	got, err := db.User(actx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, 2, got.Version)
}

func TestSessionsAreScopedToTheirUser(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	alice := mustUser(t, db, "alice", workplan.UserLeader, 0)
	bob := mustUser(t, db, "bob", workplan.UserLeader, 0)
	now := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	tok := auth.NewToken()
	id, err := db.StartSession(actx, alice.ID, workplan.NewSession{TokenHash: auth.HashToken(tok), Now: now, ExpiresAt: now.Add(12 * time.Hour), ClientAddr: "10.0.0.1", UserAgent: "test"})
	require.NoError(t, err)

	s, err := db.SessionByToken(actx, auth.HashToken(tok))
	require.NoError(t, err)
	assert.Equal(t, id, s.ID)
	assert.Equal(t, alice.ID, s.User.ID)
	assert.True(t, s.LastSeenAt.Equal(now))

	_, err = db.SessionByToken(actx, auth.HashToken(auth.NewToken()))
	assert.ErrorIs(t, err, workplan.ErrNotFound)

	// Touch writes only when the last write is over a minute old.
	require.NoError(t, db.TouchSession(actx, id, now.Add(30*time.Second)))
	s, _ = db.SessionByToken(actx, auth.HashToken(tok))
	assert.True(t, s.LastSeenAt.Equal(now))
	require.NoError(t, db.TouchSession(actx, id, now.Add(2*time.Minute)))
	s, _ = db.SessionByToken(actx, auth.HashToken(tok))
	assert.True(t, s.LastSeenAt.Equal(now.Add(2*time.Minute)))

	list, err := db.ListSessions(actx, alice.ID, now.Add(3*time.Minute), 30*time.Minute)
	require.NoError(t, err)
	assert.Len(t, list, 1)
	list, err = db.ListSessions(actx, alice.ID, now.Add(40*time.Minute), 30*time.Minute)
	require.NoError(t, err)
	assert.Empty(t, list, "idle sessions are not listed")

	err = db.EndSession(actx, workplan.ActorOf(bob, "", ""), bob.ID, id, "ended_by_user")
	assert.ErrorIs(t, err, workplan.ErrNotFound, "bob cannot end alice's session")
	_, err = db.SessionByToken(actx, auth.HashToken(tok))
	require.NoError(t, err, "still live")

	require.NoError(t, db.EndSession(actx, workplan.ActorOf(alice, "", ""), alice.ID, id, "logout"))
	_, err = db.SessionByToken(actx, auth.HashToken(tok))
	assert.ErrorIs(t, err, workplan.ErrNotFound)
	assert.Equal(t, 1, auditCount(t, db, "logout"))
	assert.ErrorIs(t, db.EndSession(actx, asys, alice.ID, id, "logout"), workplan.ErrNotFound, "ends once")
}

func TestDisableAndPasswordResetEndSessions(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	u := mustUser(t, db, "alice", workplan.UserLeader, 0)
	now := time.Now()
	start := func() string {
		tok := auth.NewToken()
		_, err := db.StartSession(actx, u.ID, workplan.NewSession{TokenHash: auth.HashToken(tok), Now: now, ExpiresAt: now.Add(time.Hour)})
		require.NoError(t, err)
		return tok
	}
	t1, t2 := start(), start()
	require.NoError(t, db.ResetPassword(actx, asys, u.ID, "newhash"))
	for _, tok := range []string{t1, t2} {
		_, err := db.SessionByToken(actx, auth.HashToken(tok))
		assert.ErrorIs(t, err, workplan.ErrNotFound)
	}
	got, hash, err := db.UserCredentials(actx, "alice")
	require.NoError(t, err)
	assert.True(t, got.MustChangePassword, "a reset password is one-time")
	assert.Equal(t, "newhash", hash)

	t3 := start()
	disabled, err := db.SetUserDisabled(actx, asys, u.ID, got.Version, true)
	require.NoError(t, err)
	assert.True(t, disabled.Disabled)
	_, err = db.SessionByToken(actx, auth.HashToken(t3))
	assert.ErrorIs(t, err, workplan.ErrNotFound, "disabling ends sessions")
	_, err = db.SetUserDisabled(actx, asys, u.ID, got.Version, false)
	assert.ErrorIs(t, err, workplan.ErrConflict, "stale version")
	assert.Equal(t, 1, auditCount(t, db, "user.disable"))
	assert.Equal(t, 3, auditCount(t, db, "session.end"))

	// Changing one's password keeps the current session only.
	enabled, err := db.SetUserDisabled(actx, asys, u.ID, disabled.Version, false)
	require.NoError(t, err)
	assert.False(t, enabled.Disabled)
	keep, other := start(), start()
	s, err := db.SessionByToken(actx, auth.HashToken(keep))
	require.NoError(t, err)
	require.NoError(t, db.ChangePassword(actx, asys, u.ID, "mine", s.ID))
	_, err = db.SessionByToken(actx, auth.HashToken(keep))
	assert.NoError(t, err)
	_, err = db.SessionByToken(actx, auth.HashToken(other))
	assert.ErrorIs(t, err, workplan.ErrNotFound)
	got, _, err = db.UserCredentials(actx, "alice")
	require.NoError(t, err)
	assert.False(t, got.MustChangePassword)
}

func TestUnitRegistry(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	coll := mustUnit(t, db, "各县(市、区)人民政府", workplan.UnitCollective)
	k := mustUnit(t, db, "崆峒区人民政府", workplan.UnitCountyGovernment)
	h := mustUnit(t, db, "华亭市人民政府", workplan.UnitCountyGovernment)

	got, _, err := db.SetUnitMembers(actx, asys, coll.ID, coll.Version, []int64{h.ID, k.ID, k.ID}, false)
	require.NoError(t, err)
	assert.ElementsMatch(t, []int64{k.ID, h.ID}, got.Members)
	assert.Equal(t, coll.Version+1, got.Version)

	_, _, err = db.SetUnitMembers(actx, asys, coll.ID, coll.Version, nil, false)
	assert.ErrorIs(t, err, workplan.ErrConflict, "stale version")
	_, _, err = db.SetUnitMembers(actx, asys, k.ID, k.Version, []int64{h.ID}, false)
	assert.Equal(t, workplan.EInvalid, workplan.ErrorCode(err), "only collectives have members")
	_, _, err = db.SetUnitMembers(actx, asys, coll.ID, got.Version, []int64{coll.ID}, false)
	assert.Equal(t, workplan.EInvalid, workplan.ErrorCode(err), "not itself")

	cleared, _, err := db.SetUnitMembers(actx, asys, coll.ID, got.Version, nil, false)
	require.NoError(t, err)
	assert.Empty(t, cleared.Members, "an empty list clears")

	up, err := db.UpdateRegistryUnit(actx, asys, k.ID, k.Version, workplan.UnitEdit{Name: " 崆峒区政府 ", Kind: workplan.UnitCountyGovernment, Confirmed: false})
	require.NoError(t, err)
	assert.Equal(t, "崆峒区政府", up.Name)
	assert.False(t, up.Confirmed)
	_, err = db.UpdateRegistryUnit(actx, asys, k.ID, k.Version, workplan.UnitEdit{Name: "x", Kind: workplan.UnitCountyGovernment})
	var ce *workplan.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, up, ce.Current)
	_, err = db.UpdateRegistryUnit(actx, asys, k.ID, up.Version, workplan.UnitEdit{Name: "华亭市人民政府", Kind: workplan.UnitCountyGovernment})
	assert.Equal(t, workplan.EConflict, workplan.ErrorCode(err), "name taken")
	assert.Equal(t, 2, auditCount(t, db, "unit.members"))
	assert.Equal(t, 1, auditCount(t, db, "unit.update"))
}

func TestCreateDemoAccounts(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	for _, n := range []string{"市公管办", "市大数据中心"} {
		mustUnit(t, db, n, workplan.UnitCityDepartment)
	}
	accounts, err := db.CreateDemoAccounts(actx)
	require.NoError(t, err)
	require.Len(t, accounts, 6)
	created := map[string]postgres.DemoAccount{}
	for _, a := range accounts {
		if a.Skipped == "" {
			created[a.Username] = a
			require.NotEmpty(t, a.Password)
		} else {
			assert.Empty(t, a.Password)
		}
	}
	assert.Len(t, created, 5, "崆峒区人民政府 is missing: its account is skipped")
	h := auth.NewHasher(auth.TestParams)
	for name, a := range created {
		u, hash, err := db.UserCredentials(actx, name)
		require.NoError(t, err)
		ok, err := h.Verify(hash, a.Password)
		require.NoError(t, err)
		assert.True(t, ok, name)
		assert.False(t, u.MustChangePassword, "demo passwords are not one-time")
		assert.Equal(t, a.Role, u.Role)
		assert.Equal(t, a.Unit, u.UnitName)
	}
	again, err := db.CreateDemoAccounts(actx)
	require.NoError(t, err)
	for _, a := range again {
		assert.NotEmpty(t, a.Skipped, "nothing is created twice")
	}
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	tok := auth.NewAPIToken()
	created, err := db.CreateAPIToken(actx, asys, workplan.NewAPIToken{Name: "dashboard", Hash: auth.HashToken(tok)})
	require.NoError(t, err)
	_, err = db.CreateAPIToken(actx, asys, workplan.NewAPIToken{Name: "dashboard", Hash: auth.HashToken(auth.NewAPIToken())})
	assert.Equal(t, workplan.EConflict, workplan.ErrorCode(err), "one live token per name")

	now := time.Now()
	got, err := db.APITokenByHash(actx, auth.HashToken(tok), now)
	require.NoError(t, err)
	assert.Equal(t, created.ID, got.ID)
	got, err = db.APITokenByHash(actx, auth.HashToken(tok), now)
	require.NoError(t, err)
	require.NotNil(t, got.LastUsedAt)

	require.NoError(t, db.RevokeAPIToken(actx, asys, "dashboard"))
	_, err = db.APITokenByHash(actx, auth.HashToken(tok), now)
	assert.ErrorIs(t, err, workplan.ErrNotFound)
	assert.ErrorIs(t, db.RevokeAPIToken(actx, asys, "dashboard"), workplan.ErrNotFound)
	_, err = db.CreateAPIToken(actx, asys, workplan.NewAPIToken{Name: "dashboard", Hash: auth.HashToken(auth.NewAPIToken())})
	assert.NoError(t, err, "the name is free again")
	var stored []byte
	require.NoError(t, db.Pool.QueryRow(actx, `SELECT token_hash FROM api_tokens WHERE id = $1`, created.ID).Scan(&stored))
	assert.NotContains(t, string(stored), tok, "only the hash is stored")
	assert.Equal(t, 2, auditCount(t, db, "token.create"))
	assert.Equal(t, 1, auditCount(t, db, "token.revoke"))
}

func TestAPITokenExpiryAndRate(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	now := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	exp, rate := now.Add(time.Hour), 600
	tok := auth.NewAPIToken()
	created, err := db.CreateAPIToken(actx, asys, workplan.NewAPIToken{Name: "指挥中心", Hash: auth.HashToken(tok), ExpiresAt: &exp, RatePerMinute: &rate})
	require.NoError(t, err)
	require.NotNil(t, created.ExpiresAt)
	assert.True(t, exp.Equal(*created.ExpiresAt))
	require.NotNil(t, created.RatePerMinute)
	assert.Equal(t, 600, *created.RatePerMinute)

	got, err := db.APITokenByHash(actx, auth.HashToken(tok), now.Add(59*time.Minute))
	require.NoError(t, err)
	require.NotNil(t, got.LastUsedAt)
	assert.True(t, now.Add(59*time.Minute).Equal(*got.LastUsedAt), "the last use is recorded")
	_, err = db.APITokenByHash(actx, auth.HashToken(tok), exp)
	assert.ErrorIs(t, err, postgres.ErrTokenExpired)
	assert.Equal(t, workplan.EUnauthorized, workplan.ErrorCode(err))

	neg := -1
	_, err = db.CreateAPIToken(actx, asys, workplan.NewAPIToken{Name: "x", Hash: auth.HashToken(auth.NewAPIToken()), RatePerMinute: &neg})
	assert.Equal(t, workplan.EInvalid, workplan.ErrorCode(err))
}

func TestAuditLogFilterAndPaging(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	admin := mustUser(t, db, "admin", workplan.UserAdmin, 0)
	actor := workplan.ActorOf(admin, "req1", "10.0.0.9")
	for i := range 7 {
		_, err := db.CreateRegistryUnit(actx, actor, workplan.UnitEdit{Name: "单位" + string(rune('A'+i)), Kind: workplan.UnitOther})
		require.NoError(t, err)
	}
	page1, more, err := db.AuditLog(actx, workplan.AuditFilter{Actor: "admin", Limit: 3})
	require.NoError(t, err)
	require.Len(t, page1, 3)
	assert.True(t, more)
	assert.Equal(t, "unit.create", page1[0].Action)
	assert.Equal(t, "req1", page1[0].RequestID)
	assert.Greater(t, page1[0].ID, page1[1].ID, "newest first")
	page3, more, err := db.AuditLog(actx, workplan.AuditFilter{Actor: "admin", Limit: 3, BeforeID: page1[2].ID - 3})
	require.NoError(t, err)
	assert.Len(t, page3, 1)
	assert.False(t, more)

	all, _, err := db.AuditLog(actx, workplan.AuditFilter{Action: "user.create"})
	require.NoError(t, err)
	assert.Len(t, all, 1)
	none, _, err := db.AuditLog(actx, workplan.AuditFilter{From: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	assert.Empty(t, none)
	ents, _, err := db.AuditLog(actx, workplan.AuditFilter{Entity: "unit", To: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	assert.Len(t, ents, 7)
	actions, err := db.AuditActions(actx)
	require.NoError(t, err)
	assert.Equal(t, []string{"unit.create", "user.create"}, actions)
}
