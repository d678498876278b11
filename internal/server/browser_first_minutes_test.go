package server_test

// Browser test of a newcomer's first minutes (issue 16, points 2, 4, 5 and
// 8): the demo history make run loads, read by the demo accounts at 1366
// and 375 px wide, with screenshots in testout/screenshots (firstmin-*).

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/auth"
	"duban/internal/cli"
	"duban/internal/deadline"
	"duban/internal/gen"
	"duban/internal/loadtest"
	"duban/internal/pgtest"
	"duban/internal/postgres"
	"duban/internal/server"
	"duban/seeds"
)

// asWith signs in as username with password in a fresh browser context.
func (b *browser) asWith(username, password string) context.Context {
	b.t.Helper()
	ctx := b.anonymous()
	require.NoError(b.t, chromedp.Do(ctx,
		chromedp.Navigate(b.base+"/login?lang=zh-CN"),
		chromedp.SendKeys(chromedp.CSS(`#username`), username),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Click(chromedp.CSS(`form[data-testid=login-form] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=current-user]`)),
	), "sign in as %s", username)
	return ctx
}

// open navigates to path and waits for sel.
func (b *browser) open(ctx context.Context, path, sel string) {
	b.t.Helper()
	require.NoError(b.t, chromedp.Do(ctx, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS(sel))), "open %s", path)
}

// eval runs a script in the page.
func eval[T any](b *browser, ctx context.Context, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	require.NoError(b.t, err, "evaluate %s", js)
	return v
}

// overlapsJS counts pairs of the matched elements whose boxes overlap.
const overlapsJS = `(sel => { const r = Array.from(document.querySelectorAll(sel)).map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0);
	let n = 0; for (let i = 0; i < r.length; i++) for (let j = i + 1; j < r.length; j++)
	if (r[i].left < r[j].right - 1 && r[j].left < r[i].right - 1 && r[i].top < r[j].bottom - 1 && r[j].top < r[i].bottom - 1) n++; return n; })`

func TestBrowserFirstMinutes(t *testing.T) {
	t.Parallel()
	chromium(t)
	ctx := context.Background()
	db := pgtest.Open(t)

	// What make run loads into an empty database (duban-dev dev): the demo
	// history, the demo accounts, last month's bulletin.
	reg, err := cli.Registry()
	require.NoError(t, err)
	src, err := seeds.FS.ReadFile(seeds.DefaultPlan)
	require.NoError(t, err)
	_, err = gen.Run(ctx, db, gen.Demo(src, reg, db.Now()))
	require.NoError(t, err)
	accounts, err := db.CreateDemoAccounts(ctx)
	require.NoError(t, err)
	account := func(name string) postgres.DemoAccount {
		for _, a := range accounts {
			if a.Username == name {
				require.NotEmpty(t, a.Password, "demo account %s: %s", name, a.Skipped)
				return a
			}
		}
		t.Fatalf("no demo account %s", name)
		return postgres.DemoAccount{}
	}
	plans, err := db.ListPlans(ctx)
	require.NoError(t, err)
	require.Len(t, plans, 1)
	slug := plans[0].Slug
	srv := httptest.NewServer(server.New(testConfig(t), db, quietLog(), server.WithPasswordParams(auth.TestParams)).Handler())
	t.Cleanup(srv.Close)
	today := deadline.DateOf(time.Now(), deadline.Shanghai)
	start := deadline.NewDate(today.Year, today.Month-1, 1)
	sup := account("supervisor")
	require.NoError(t, loadtest.PublishBulletin(ctx, srv.URL, sup.Username, sup.Password, slug, start, deadline.NewDate(start.Year, start.Month+1, 0)))
	b := newBrowser(t, srv.URL)

	// 2. A demo that looks alive: the leader's dashboard shows a plan in
	// progress, with at least three kinds of light, late units, completed
	// work; a ranking and a published bulletin.
	ld := account("leader")
	leader := b.asWith(ld.Username, ld.Password)
	b.open(leader, "/dashboard", `[data-testid=category-counts]`)
	kinds := eval[[]string](b, leader, `Array.from(new Set(Array.from(document.querySelectorAll('[data-testid=matrix] td.cell:not(.none)')).map(e => e.classList[1])))`)
	assert.GreaterOrEqual(t, len(kinds), 3, "kinds of light in the matrix: %v", kinds)
	assert.NotEqual(t, "0", b.text(leader, `[data-testid=count-overdue]`), "overdue tasks")
	assert.NotEqual(t, "0", b.text(leader, `[data-testid=count-lagging]`), "lagging tasks")
	for _, c := range []string{"normal", "done"} {
		// A task counts by its latest unit; its units' parts (项次) on time
		// or done show beside.
		assert.NotRegexp(t, `(^|\D)0 项次`, eval[string](b, leader, `document.querySelector('[data-testid=count-`+c+`]').closest('li').textContent`), "units' parts %s", c)
	}
	assert.Contains(t, b.text(leader, `[data-testid=overdue-units]`), "超期单位")
	for _, wd := range widths {
		b.fits(leader, "firstmin-dashboard", wd)
	}
	// On a phone the navigation is a menu: the header stays short, and the
	// menu, named by the current page, opens without JavaScript.
	require.NoError(t, chromedp.Do(leader, chromedp.EmulateViewport(375, 900)))
	assert.Less(t, eval[float64](b, leader, `document.querySelector('header.site').getBoundingClientRect().height`), 150.0, "the header on a phone")
	assert.Zero(t, eval[float64](b, leader, `document.querySelector('header .nav-wide').getBoundingClientRect().height`), "the wide navigation is hidden")
	assert.Contains(t, b.text(leader, `[data-testid=nav-menu] summary`), "督办看板", "the menu names the current page")
	openLinks := `Array.from(document.querySelectorAll('[data-testid=nav-menu] nav a')).filter(a => a.checkVisibility()).length`
	assert.Zero(t, eval[int](b, leader, openLinks), "the menu starts closed")
	require.NoError(t, chromedp.Do(leader, chromedp.Click(chromedp.CSS(`[data-testid=nav-menu] summary`))))
	assert.GreaterOrEqual(t, eval[int](b, leader, openLinks), 5, "the menu's links once opened")
	require.NoError(t, chromedp.Do(leader, chromedp.EmulateViewport(1280, 900)))
	b.open(leader, "/ranking", `[data-testid=rank-row]`)
	assert.Greater(t, eval[int](b, leader, `document.querySelectorAll('[data-testid=rank-row]').length`), 5, "a ranking of units")
	b.open(leader, "/bulletins", `main`)
	assert.Contains(t, b.text(leader, `main`), "第1期", "the published bulletin")

	// 4. The matrix: headers never overlap the rows, the first column
	// stays while the table scrolls sideways on a phone (the page itself
	// does not scroll sideways: fits above).
	b.open(leader, "/dashboard", `[data-testid=matrix]`)
	require.NoError(t, chromedp.Do(leader, chromedp.EmulateViewport(375, 800)))
	geo := eval[map[string]float64](b, leader, `(() => { const w = document.querySelector('.matrix-wrap'), h = document.querySelector('.matrix thead'), r = document.querySelector('.matrix tbody tr');
		const first = document.querySelector('.matrix tbody th.task-col'); const before = first.getBoundingClientRect().left;
		w.scrollLeft = 200; const after = first.getBoundingClientRect().left;
		return {scrolls: w.scrollWidth - w.clientWidth, headBottom: h.getBoundingClientRect().bottom, rowTop: r.getBoundingClientRect().top, moved: Math.abs(after - before), sticky: getComputedStyle(first).position === 'sticky' ? 1 : 0}; })()`)
	assert.Greater(t, geo["scrolls"], 0.0, "the matrix scrolls sideways inside its frame")
	assert.LessOrEqual(t, geo["headBottom"], geo["rowTop"]+0.5, "the headers end above the first row")
	assert.Equal(t, 1.0, geo["sticky"], "the task column is sticky")
	assert.Less(t, geo["moved"], 1.0, "the task column stays in place while the matrix scrolls")
	require.NoError(t, chromedp.Do(leader, chromedp.EmulateViewport(1280, 900)))
	eval[bool](b, leader, `(document.querySelector('[data-testid=matrix]').scrollIntoView(), true)`)
	for _, wd := range widths {
		require.NoError(t, chromedp.Do(leader, chromedp.EmulateViewport(wd, 900)))
		png, err := chromedp.Run(leader, chromedp.Screenshot(chromedp.CSS(`.matrix-wrap`)))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(testOut(t), "firstmin-matrix-"+itoa64(wd)+".png"), png, 0o644))
	}
	require.NoError(t, chromedp.Do(leader, chromedp.EmulateViewport(1280, 900)))

	// 5. Phones: the ledger's filters never overlap; wide tables become
	// cards whose task titles read as lines, not two characters a line.
	for _, wd := range widths {
		b.open(leader, "/ledger", `[data-testid=ledger]`)
		require.NoError(t, chromedp.Do(leader, chromedp.EmulateViewport(wd, 900)))
		assert.Zero(t, eval[int](b, leader, overlapsJS+`('[data-testid=ledger-filters] label, [data-testid=ledger-filters] input, [data-testid=ledger-filters] select, [data-testid=ledger-filters] button')`), "ledger filters overlap at %d px", wd)
		titleWidth := eval[float64](b, leader, `document.querySelector('[data-testid=ledger] tbody tr td a, [data-testid=ledger] tbody tr th a').getBoundingClientRect().width`)
		assert.Greater(t, titleWidth, 150.0, "a task title at %d px is a line, not a column of characters", wd)
		b.fits(leader, "firstmin-ledger", wd)
	}
	for _, page := range []struct{ path, sel, name string }{
		{"/weekly", `[data-testid=weekly-form]`, "weekly"},
		{"/ranking", `[data-testid=rank-row]`, "ranking"},
	} {
		b.open(leader, page.path, page.sel)
		for _, wd := range widths {
			b.fits(leader, "firstmin-"+page.name, wd)
		}
	}
	require.NoError(t, chromedp.Do(leader, chromedp.EmulateViewport(375, 900)))
	b.open(leader, "/ranking", `[data-testid=rank-row]`)
	assert.Equal(t, "block", eval[string](b, leader, `getComputedStyle(document.querySelector('[data-testid=rank-row] td')).display`), "ranking rows are cards on a phone")
	require.NoError(t, chromedp.Do(leader, chromedp.EmulateViewport(1280, 900)))

	// 8. Errors never dead-end. Staff file a report whose evidence is refused
	// (a web page named .pdf): the form comes back with what they typed and
	// the message beside the file field.
	st := account("bigdata")
	staff := b.asWith(st.Username, st.Password)
	b.open(staff, "/my", `main`)
	link, err := chromedp.Run(staff, chromedp.AttributeValue(chromedp.CSS(`main a[href$="/report"]`), "href"))
	require.NoError(t, err)
	report := link.Value
	require.NotEmpty(t, report, "the staff member has an assignment to report on")
	fake := filepath.Join(t.TempDir(), "截图.pdf")
	require.NoError(t, os.WriteFile(fake, []byte("<!DOCTYPE html><script>alert(1)</script>"), 0o600))
	typed := "本周完成平台联调,正在整理上线材料"
	b.open(staff, report, `[data-testid=report-form]`)
	eval[bool](b, staff, `(document.querySelector('#progress').value = '', true)`)
	require.NoError(t, chromedp.Do(staff,
		chromedp.SendKeys(chromedp.CSS(`#progress`), typed),
		chromedp.SetUploadFiles(`#evidence`, []string{fake}),
		chromedp.Click(chromedp.CSS(`[data-testid=submit-report]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=form-error]`)),
	))
	assert.Equal(t, typed, eval[string](b, staff, `document.querySelector('#progress').value`), "what was typed is kept")
	assert.Equal(t, "true", eval[string](b, staff, `document.querySelector('#evidence').getAttribute('aria-invalid')`))
	assert.Contains(t, b.text(staff, `p.field-error`), "内容与扩展名不符", "the message beside the file field")
	for _, wd := range widths {
		b.fits(staff, "firstmin-refused-report", wd)
	}
	// Sent again without the file, it is filed.
	require.NoError(t, chromedp.Do(staff,
		chromedp.Click(chromedp.CSS(`[data-testid=submit-report]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=filed]`)),
	))

	// An error page leads back: a task that does not exist offers the
	// ledger above it, and home.
	b.open(staff, "/plans/"+slug+"/tasks/999", `[data-testid=error]`)
	for _, wd := range widths {
		b.fits(staff, "firstmin-not-found", wd)
	}
	require.NoError(t, chromedp.Do(staff,
		chromedp.Click(chromedp.CSS(`[data-testid=error-back]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=ledger]`)),
	))
	here, err := chromedp.Run(staff, chromedp.Location())
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(here, "/plans/"+slug+"/tasks"), "back at the ledger: %s", here)
}
