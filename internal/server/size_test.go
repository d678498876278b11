package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/gen"
	"duban/internal/pgtest"
	"duban/internal/server"
	"duban/internal/workplan"
	"duban/seeds"
	"duban/web"
)

// TestPageBudgets: with the seed plan and a year of weekly reports, the
// dashboard's HTML stays under 100 KB, the stylesheet under 30 KB, and no page
// needs JavaScript (none is served).
func TestPageBudgets(t *testing.T) {
	t.Parallel()
	db := pgtest.Open(t)
	doc, err := seeds.FS.ReadFile(seeds.DefaultPlan)
	require.NoError(t, err)
	regb, err := seeds.FS.ReadFile(seeds.Registry)
	require.NoError(t, err)
	reg, err := workplan.ParseRegistry(regb)
	require.NoError(t, err)
	sum, err := gen.Run(bg, db, gen.Options{Params: gen.Params{Seed: 1, Weeks: 52}, Scale: 1, Document: doc, Registry: reg, Workers: 2})
	require.NoError(t, err)
	require.Greater(t, sum.Reports, int64(5000), "a year of weekly reports")

	w := &world{t: t, db: db, clock: &testClock{now: sum.LastEvent.Add(24 * time.Hour)}}
	var leaderID int64
	require.NoError(t, db.Pool.QueryRow(bg, `SELECT id FROM users WHERE role = 'leader' LIMIT 1`).Scan(&leaderID))
	w.srv = server.New(testConfig(t), db, quietLog(), server.WithClock(w.clock.Now))
	w.h = w.srv.Handler()
	w.tokens[leader], _ = w.startSession(leaderID)

	var slug string
	require.NoError(t, db.Pool.QueryRow(bg, `SELECT slug FROM plans LIMIT 1`).Scan(&slug))
	for _, path := range []string{"/plans/" + slug + "/dashboard", "/plans/" + slug + "/tasks", "/plans/" + slug + "/tasks/19"} {
		res := w.do(leader, http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, res.Code, path)
		body := res.Body.String()
		assert.NotContains(t, strings.ToLower(body), "<script", "%s needs no JavaScript", path)
		if strings.HasSuffix(path, "/dashboard") {
			t.Logf("dashboard: %d bytes with %d reports", len(body), sum.Reports)
			assert.Less(t, len(body), 100<<10, "the dashboard is under 100 KB")
			assert.Contains(t, body, `data-testid="matrix"`)
		}
	}
	css := w.do(leader, http.MethodGet, web.AssetPath("app.css"), nil)
	require.Equal(t, http.StatusOK, css.Code)
	t.Logf("app.css: %d bytes", css.Body.Len())
	assert.Less(t, css.Body.Len(), 30<<10, "the stylesheet is under 30 KB")
}
