package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/stretchr/testify/require"

	"duban/internal/auth"
	"duban/internal/outputs"
	"duban/internal/workplan"
)

// outputFixtures are the resources of the supervision outputs that the
// permission matrix needs, made once per world on first use: a published
// bulletin, and a stored import preview of staffOwn with one change to
// their unit's assignment.
type outputFixtures struct {
	bulletin int64
	token    string
}

var (
	outputsMu sync.Mutex
	outputsOf = map[*world]*outputFixtures{}
)

func (w *world) outputs() *outputFixtures {
	w.t.Helper()
	outputsMu.Lock()
	defer outputsMu.Unlock()
	if f, ok := outputsOf[w]; ok {
		return f
	}
	f := &outputFixtures{}
	res := w.do(supervisor, http.MethodPost, "/plans/"+w.plan.slug+"/bulletins", url.Values{"start": {"2024-02-01"}, "end": {"2024-02-29"}})
	require.Equal(w.t, http.StatusSeeOther, res.Code, res.Body.String())
	loc := res.Header().Get("Location")
	require.True(w.t, strings.HasPrefix(loc, "/bulletins/"), loc)
	require.NoError(w.t, w.db.Pool.QueryRow(bg, `SELECT max(id) FROM bulletins`).Scan(&f.bulletin))

	p := outputs.ImportPreview{Changes: 1, Rows: []outputs.PreviewRow{{Row: 2, AssignmentID: w.plan.ownAsg.ID, BaseVersion: w.version(w.plan.ownAsg.ID),
		TaskNumber: 2, UnitName: w.ownUnit.Name, Status: outputs.RowChange, Percent: 60,
		After: outputs.Fill{Percent: "60", Progress: "导入的进展", Claims: "否"}}}}
	raw, err := json.Marshal(p)
	require.NoError(w.t, err)
	f.token = auth.NewToken()
	var planID int64
	require.NoError(w.t, w.db.Pool.QueryRow(bg, `SELECT id FROM plans WHERE slug = $1`, w.plan.slug).Scan(&planID))
	require.NoError(w.t, w.db.SaveImportPreview(bg, workplan.ActorOf(w.users[staffOwn], "fixture", ""), workplan.ImportRecord{
		Token: f.token, PlanID: planID, Filename: "台账.xlsx", ExpiresAt: w.clock.Now().Add(time.Hour), Preview: raw}))
	outputsOf[w] = f
	w.t.Cleanup(func() {
		outputsMu.Lock()
		defer outputsMu.Unlock()
		delete(outputsOf, w)
	})
	return f
}
