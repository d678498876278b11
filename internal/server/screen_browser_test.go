package server_test

// The indicator board and the wall screen over a year of generated history
// (the in-process form of `duban gen --scale 1`, as in size_test.go), with
// screenshots: the board, and the screen at 1920×1080 in both themes, in
// testout/screenshots (or $DUBAN_TESTOUT); the API's answer is kept beside
// them (testout/indicators-api.json, testout/indicators-task16.json).

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/auth"
	"duban/internal/deadline"
	"duban/internal/gen"
	"duban/internal/pgtest"
	"duban/internal/server"
	"duban/internal/status"
	"duban/internal/workplan"
	"duban/seeds"
)

// TestIndicatorsWithGeneratedHistory: after a year of weekly reports at
// scale 1 (seed 1, the defaults of duban gen), the board shows indicators
// met, not met and without data, the API agrees with the board, and the
// screen fits 1920×1080.
func TestIndicatorsWithGeneratedHistory(t *testing.T) {
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
	require.Greater(t, sum.IndicatorValues, int64(100), "indicator values were generated")

	w := &world{t: t, db: db, clock: &testClock{now: sum.LastEvent.Add(24 * time.Hour)}}
	w.srv = server.New(testConfig(t), db, quietLog(), server.WithClock(w.clock.Now), server.WithPasswordParams(auth.TestParams))
	w.h = w.srv.Handler()
	w.users[leader] = w.createUser("screenleader", workplan.UserLeader, 0, false)
	w.tokens[leader], _ = w.startSession(w.users[leader].ID)
	w.apiToken = auth.NewAPIToken()
	_, err = db.CreateAPIToken(bg, workplan.System("test"), workplan.NewAPIToken{Name: "board", Hash: auth.HashToken(w.apiToken)})
	require.NoError(t, err)
	require.NoError(t, db.Pool.QueryRow(bg, `SELECT slug FROM plans LIMIT 1`).Scan(&w.plan.slug))

	// The statuses from each unit's latest values (what most pages read)
	// are those from every value (what the board reads, for its trends);
	// and what each costs a plan state, for the record: the fastest of five
	// reads (the first pays for the plan and the cache), one evaluation.
	var planID int64
	require.NoError(t, db.Pool.QueryRow(bg, `SELECT id FROM plans WHERE slug = $1`, w.plan.slug).Scan(&planID))
	pa, err := db.PlanAt(bg, planID, w.clock.Now(), true)
	require.NoError(t, err)
	pic := status.Evaluate(pa, deadline.DefaultPolicy())
	type read func(context.Context, int64, time.Time) ([]workplan.Indicator, []workplan.IndicatorReading, error)
	evaluate := func(name string, f read) *status.Indicators {
		var inds []workplan.Indicator
		var readings []workplan.IndicatorReading
		took := time.Duration(1 << 62)
		for range 5 {
			start := time.Now()
			inds, readings, err = f(bg, planID, w.clock.Now())
			require.NoError(t, err)
			took = min(took, time.Since(start))
		}
		start := time.Now()
		b := status.EvaluateIndicators(pic, inds, readings)
		t.Logf("indicator board from %s: %d indicators, %d values read in %v, evaluated in %v", name, len(inds), len(readings), took, time.Since(start))
		return b
	}
	all := evaluate("every value", db.PlanIndicatorReadings)
	latest := evaluate("latest values", func(ctx context.Context, planID int64, _ time.Time) ([]workplan.Indicator, []workplan.IndicatorReading, error) {
		return db.PlanIndicatorLatest(ctx, planID)
	})
	require.Len(t, latest.List, len(all.List))
	assert.Equal(t, all.Counts, latest.Counts)
	for i, a := range all.List {
		l := latest.List[i]
		assert.Equal(t, a.Indicator, l.Indicator)
		assert.Equal(t, []any{a.Status, a.HasValue, a.Value, a.At, a.LastAt, a.Counted, a.Reported, a.Units},
			[]any{l.Status, l.HasValue, l.Value, l.At, l.LastAt, l.Counted, l.Reported, l.Units}, a.Indicator.Text)
	}

	req, _ := http.NewRequest(http.MethodGet, "/api/v1/indicators?plan="+w.plan.slug, nil)
	req.Header.Set("Authorization", "Bearer "+w.apiToken)
	res := w.sendRequest(req)
	require.Equal(t, http.StatusOK, res.Code, res.Body.String())
	var out indicatorsJSON
	require.NoError(t, json.Unmarshal(res.Body.Bytes(), &out))
	t.Logf("indicators at %s: %v", out.AsOf, out.Counts)
	assert.Positive(t, out.Counts["met"], "some indicators met")
	assert.Positive(t, out.Counts["not_met"], "some not met")
	assert.Positive(t, out.Counts["no_data"], "some without data")
	assert.Equal(t, len(out.Indicators), out.Counts["met"]+out.Counts["not_met"]+out.Counts["no_data"])

	// Keep the API's answer, and task 16's part of it, for the record.
	dir := filepath.Dir(testOut(t))
	var pretty map[string]any
	require.NoError(t, json.Unmarshal(res.Body.Bytes(), &pretty))
	b, _ := json.MarshalIndent(pretty, "", "  ")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "indicators-api.json"), b, 0o644))
	var task16 []any
	for _, i := range pretty["indicators"].([]any) {
		if i.(map[string]any)["task"].(float64) == 16 {
			task16 = append(task16, i)
		}
	}
	require.NotEmpty(t, task16, "task 16 has an indicator (网上可办率)")
	b, _ = json.MarshalIndent(map[string]any{"plan": pretty["plan"], "as_of": pretty["as_of"], "indicators": task16}, "", "  ")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "indicators-task16.json"), b, 0o644))
	t.Logf("task 16:\n%s", b)

	// The board says what the API says.
	res = w.do(leader, http.MethodGet, "/plans/"+w.plan.slug+"/indicators", nil)
	require.Equal(t, http.StatusOK, res.Code)
	body := res.Body.String()
	for st, n := range out.Counts {
		assert.Contains(t, body, `data-testid="ind-count-`+st+`">`+itoa(n)+`<`, st)
	}
	assert.Equal(t, len(out.Indicators), strings.Count(body, `data-testid="indicator-row"`))
	assert.NotContains(t, strings.ToLower(body), "<script")

	t.Run("screenshots", func(t *testing.T) {
		chromium(t)
		srv := httptest.NewServer(w.h)
		t.Cleanup(srv.Close)
		br := newBrowser(t, srv.URL)
		ctx := br.as("screenleader")
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/plans/"+w.plan.slug+"/indicators"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=indicator-board]`))))
		br.shot(ctx, "indicators-board.png", 1280)
		require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 1000)))
		top, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(testOut(t), "indicators-board-top.png"), top, 0o644))
		for _, theme := range []string{"", "dark"} {
			name := "screen-1920x1080.png"
			url := srv.URL + "/plans/" + w.plan.slug + "/screen"
			if theme != "" {
				name, url = "screen-1920x1080-"+theme+".png", url+"?theme="+theme
			}
			require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(url),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=screen]`))))
			size, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.scrollHeight]`))
			require.NoError(t, err)
			assert.Equal(t, []int{1920, 1080}, size, "%s fits the screen without scrolling", name)
			png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(testOut(t), name), png, 0o644))
			overdue, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid=screen-count-overdue]`)))
			require.NoError(t, err)
			assert.NotEmpty(t, overdue)
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
