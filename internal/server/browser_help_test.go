package server_test

// Browser tests of the help page, the plan preview and the audit trail
// (issue 16, points 3, 6 and 7), at 1366 and 375 px wide, with screenshots
// in testout/screenshots.

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/workplan"
	"duban/seeds"
)

// widths are the screens the pages must fit: a laptop and a phone.
var widths = []int64{1366, 375}

// fits loads nothing: at width, it checks that the page needs no sideways
// scrolling (the document is no wider than the screen) and writes a
// screenshot of the whole page, name-WIDTH.png, and of its first screen,
// name-WIDTH-top.png.
func (b *browser) fits(ctx context.Context, name string, width int64) {
	b.t.Helper()
	require.NoError(b.t, chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)))
	over, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
	require.NoError(b.t, err)
	if !assert.LessOrEqual(b.t, over, 0, "%s at %d px: the page is %d px wider than the screen", name, width, over) {
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + (e.textContent || '').slice(0, 30))`))
		require.NoError(b.t, err)
		b.t.Logf("wider than the screen: %q", wide)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(b.t, err)
	require.NoError(b.t, os.WriteFile(filepath.Join(testOut(b.t), name+"-"+itoa64(width)+".png"), png, 0o644))
	// The first screen, as a person sees it on arriving.
	png, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(b.t, err)
	require.NoError(b.t, os.WriteFile(filepath.Join(testOut(b.t), name+"-"+itoa64(width)+"-top.png"), png, 0o644))
	require.NoError(b.t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
}

func itoa64(n int64) string { return id(n) }

// emulateMedia makes the page use the CSS of media ("print"; "" for the
// screen again).
func emulateMedia(media string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
		return err
	})
}

// anonymous is a fresh browser context that has not signed in.
func (b *browser) anonymous() context.Context {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.alloc, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	b.t.Cleanup(cancelT)
	return ctx
}

// TestBrowserHelpPreviewAudit: a visitor finds help from the sign-in page
// and reads it on a phone; printed, it drops the navigation; staff find it in
// the header. An administrator uploads a revised plan and reads the preview
// (old beside new, chips, the deadline highlighted), applies it, and finds
// it in the audit trail as a sentence, filtered to the plan.
func TestBrowserHelpPreviewAudit(t *testing.T) {
	t.Parallel()
	chromium(t)
	w := newWorld(t)
	src, err := seeds.FS.ReadFile(seeds.DefaultPlan)
	require.NoError(t, err)
	_, err = w.db.Seed(bg, workplan.SeedInput{Slug: "plan-2023", SourceName: seeds.DefaultPlan, Source: src, Document: mustRead(src), Actor: workplan.System("test")})
	require.NoError(t, err)
	srv := httptest.NewServer(w.h)
	t.Cleanup(srv.Close)
	b := newBrowser(t, srv.URL)

	// Help, signed out: from the sign-in page.
	anon := b.anonymous()
	require.NoError(t, chromedp.Do(anon,
		chromedp.Navigate(srv.URL+"/login?lang=zh-CN"),
		chromedp.Click(chromedp.CSS(`[data-testid=login-help] a[href="/help"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=help]`)),
	))
	assert.Contains(t, b.text(anon, `[data-testid=help-lights]`), "14 天内到期")
	assert.Contains(t, b.text(anon, `[data-testid=help-contact]`), "督查室")
	for _, wd := range widths {
		b.fits(anon, "help-signed-out", wd)
	}
	// Printed: no navigation, no table of contents, the content whole.
	require.NoError(t, chromedp.Do(anon, emulateMedia("print")))
	hidden, err := chromedp.Run(anon, chromedp.Evaluate[[]string](`[getComputedStyle(document.querySelector('.help-toc')).display,
		getComputedStyle(document.querySelector('footer.site')).display, getComputedStyle(document.querySelector('[data-testid=help-lights]')).display]`))
	require.NoError(t, err)
	assert.Equal(t, []string{"none", "none", "table"}, hidden, "printed: the table of contents and the footer go, the lights stay")
	require.NoError(t, chromedp.Do(anon, emulateMedia("")))

	// Help, signed in: in the header, the staff's own role marked.
	staff := b.as("own")
	require.NoError(t, chromedp.Do(staff,
		chromedp.Click(chromedp.CSS(`header nav a[href="/help"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=help]`)),
	))
	assert.Contains(t, b.text(staff, `[data-testid=help-your-role]`), "经办人")
	for _, wd := range widths {
		b.fits(staff, "help", wd)
	}

	// The plan preview: an administrator uploads a revision of the plan.
	revised := string(src)
	for _, r := range [][2]string{
		{"市级大厅进驻事项1200项以上", "市级大厅进驻事项1300项以上"},
		{"责任单位:各县(市、区)人民政府,平凉工业园区(高新区)管委会,市直有关部门,中、省驻平有关单位\n\n  完成时限:2023年9月底前",
			"责任单位:各县(市、区)人民政府,市大数据中心,市直有关部门,中、省驻平有关单位\n\n  完成时限:2023年12月底前"},
		{"  牵头单位:市公管办\n\n  责任单位:各县(市、区)人民政府\n\n", "  牵头单位:市公管办、市大数据中心\n\n  责任单位:各县(市、区)人民政府\n\n"},
	} {
		require.Contains(t, revised, r[0])
		revised = strings.Replace(revised, r[0], r[1], 1)
	}
	adm := b.as("admin")
	require.NoError(t, chromedp.Do(adm,
		chromedp.Navigate(srv.URL+"/admin/plans"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=seed-form]`)),
		chromedp.SetValue(chromedp.CSS(`#plan`), "plan-2023"),
		chromedp.SetValue(chromedp.CSS(`#text`), revised),
		chromedp.Click(chromedp.CSS(`[data-testid=seed-form] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=changed]`)),
	))
	changed := b.text(adm, `[data-testid=changed]`)
	assert.Contains(t, changed, "(11) 规范市、县政务服务中心事项进驻")
	assert.Contains(t, changed, "完成时限")
	assert.NotContains(t, changed, "responsible_units")
	added, err := chromedp.Run(adm, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('[data-testid=chip-added]')).map(e => e.textContent)`))
	require.NoError(t, err)
	assert.Contains(t, added, "+ 新增:市大数据中心")
	removed, err := chromedp.Run(adm, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('[data-testid=chip-removed]')).map(e => e.textContent)`))
	require.NoError(t, err)
	assert.Contains(t, removed, "− 移除:平凉工业园区(高新区)管委会")
	ins, err := chromedp.Run(adm, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.preview-changes ins')).map(e => e.textContent)`))
	require.NoError(t, err)
	assert.Contains(t, ins, "3", "1200 → 1300: the changed digit is marked")
	assert.Contains(t, ins, "2023年12月底前", "the new deadline whole")
	for _, wd := range widths {
		b.fits(adm, "plan-preview", wd)
	}
	require.NoError(t, chromedp.Do(adm,
		chromedp.Click(chromedp.CSS(`[data-testid=confirm]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-testid=confirm-form]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=seed-summary]`)),
	))

	// The audit trail: the plan load as a sentence, linked, filtered to it.
	require.NoError(t, chromedp.Do(adm,
		chromedp.Navigate(srv.URL+"/admin/audit"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=audit]`)),
	))
	first := b.text(adm, `[data-testid=audit-row]`)
	assert.Contains(t, first, "导入方案")
	assert.Contains(t, first, "修改任务: 2")
	assert.NotContains(t, first, "plan.seed")
	for _, wd := range widths {
		b.fits(adm, "audit", wd)
	}
	require.NoError(t, chromedp.Do(adm,
		chromedp.Click(chromedp.CSS(`[data-testid=audit-row] [data-testid=audit-filter-entity]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=audit-filtered]`)),
	))
	loc, err := chromedp.Run(adm, chromedp.Location())
	require.NoError(t, err)
	assert.Contains(t, loc, "entity=plan&entity_id=plan-2023")
	rows, err := chromedp.Run(adm, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=audit-row]').length`))
	require.NoError(t, err)
	assert.Equal(t, 2, rows, "the plan's two loads")
}
