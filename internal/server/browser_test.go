package server_test

// Browser tests: the report flow driven through headless Chromium, the way
// people use it: sign in, fill forms, click. They need Chromium (apt-get
// install chromium); without it they skip loudly, and fail under CI=true.
// Screenshots of the dashboard and the report form, at desktop width and at
// 360 px, are written to testout/screenshots (or $DUBAN_TESTOUT).

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/workplan"
	"duban/seeds"
)

// chromium returns the path of the browser, or skips (fails under CI).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROME_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	msg := "browser tests need Chromium: apt-get install -y chromium (or set CHROME_PATH)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip("SKIPPED (no browser) " + msg)
	return ""
}

// testOut is the folder for screenshots.
func testOut(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("DUBAN_TESTOUT")
	if dir == "" {
		dir = filepath.Join("..", "..", "testout")
	}
	dir = filepath.Join(dir, "screenshots")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// browser is a headless Chromium with one isolated context per user.
type browser struct {
	t     *testing.T
	alloc context.Context
	base  string
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)), chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("lang", "zh-CN"),
		chromedp.WindowSize(1280, 900))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	// Start the browser once; users get their own browser contexts.
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(cancelRoot)
	require.NoError(t, chromedp.Do(root, chromedp.Navigate("about:blank")))
	return &browser{t: t, alloc: root, base: base}
}

// as signs in as username in a fresh browser context and returns it.
func (b *browser) as(username string) context.Context {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.alloc, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	b.t.Cleanup(cancelT)
	require.NoError(b.t, chromedp.Do(ctx,
		chromedp.Navigate(b.base+"/login?lang=zh-CN"),
		chromedp.SendKeys(chromedp.CSS(`#username`), username),
		chromedp.SendKeys(chromedp.CSS(`#password`), testPassword),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=current-user]`)),
	), "sign in as %s", username)
	return ctx
}

func (b *browser) text(ctx context.Context, sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(b.t, err, "text of %s", sel)
	return s
}

func (b *browser) shot(ctx context.Context, name string, width int64) {
	b.t.Helper()
	require.NoError(b.t, chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)))
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(b.t, err)
	require.NoError(b.t, os.WriteFile(filepath.Join(testOut(b.t), name), png, 0o644))
	require.NoError(b.t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
}

func latestReport(t *testing.T, w *world, asg int64) string {
	t.Helper()
	var id int64
	require.NoError(t, w.db.Pool.QueryRow(bg, `SELECT max(id) FROM reports WHERE assignment_id = $1`, asg).Scan(&id))
	return strconv.FormatInt(id, 10)
}

// TestBrowserReportFlow: staff file a report with evidence and see it on the
// task page; the lead unit returns it with a reason; staff refile; a
// supervisor accepts the completion; the leader's dashboard shows it, and the
// as-of view still shows the state before.
func TestBrowserReportFlow(t *testing.T) {
	t.Parallel()
	chromium(t)
	w := newWorld(t)
	// The real plan, in which 市大数据中心 (staffOwn) leads task 15 and the
	// county governments, here 崆峒区 (staffOther), are responsible.
	src, err := seeds.FS.ReadFile(seeds.DefaultPlan)
	require.NoError(t, err)
	_, err = w.db.Seed(bg, workplan.SeedInput{Slug: "plan-2023", SourceName: seeds.DefaultPlan, Source: src, Document: mustRead(src), Actor: workplan.System("test")})
	require.NoError(t, err)
	var asgID int64
	require.NoError(t, w.db.Pool.QueryRow(bg, `
		SELECT a.id FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN plans p ON p.id = t.plan_id
		WHERE p.slug = 'plan-2023' AND t.number = 15 AND a.unit_id = $1`, w.otherUnt.ID).Scan(&asgID))
	asg := strconv.FormatInt(asgID, 10)
	srv := httptest.NewServer(w.h)
	t.Cleanup(srv.Close)
	b := newBrowser(t, srv.URL)
	evidence := filepath.Join(t.TempDir(), "上线截图.pdf")
	require.NoError(t, os.WriteFile(evidence, pdf, 0o644))
	cellSel := `a[href="/assignments/` + asg + `"]`

	// Staff of 崆峒区 file a completion claim with evidence.
	staff := b.as("other")
	require.NoError(t, chromedp.Do(staff,
		chromedp.Navigate(srv.URL+"/my"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=my-tasks]`)),
		chromedp.Navigate(srv.URL+"/assignments/"+asg+"/report"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=report-form]`)),
	))
	b.shot(staff, "report-form-desktop.png", 1280)
	b.shot(staff, "report-form-360.png", 360)
	require.NoError(t, chromedp.Do(staff,
		chromedp.SetValue(chromedp.CSS(`#percent`), "100"),
		chromedp.SendKeys(chromedp.CSS(`#progress`), "运营指挥中心已接入本区视频资源"),
		chromedp.Click(chromedp.CSS(`#claims`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#evidence`), []string{evidence}),
		chromedp.Click(chromedp.CSS(`[data-testid=submit-report]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=timeline]`)),
	))
	assert.Contains(t, b.text(staff, `[data-testid=timeline]`), "运营指挥中心已接入本区视频资源")
	assert.Contains(t, b.text(staff, `[data-testid=evidence-link]`), "上线截图.pdf")
	require.NoError(t, chromedp.Do(staff, chromedp.Navigate(srv.URL+"/plans/plan-2023/tasks/15"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=timeline]`))))
	assert.Contains(t, b.text(staff, `[data-testid=timeline]`), "运营指挥中心已接入本区视频资源", "the report is on the task page")

	// The lead unit (市大数据中心) returns it with a reason. Its queue also
	// holds the fixture plan's claim, so the form is picked by report.
	lead := b.as("own")
	form := `form[action="/reports/` + latestReport(t, w, asgID) + `/review"]`
	require.NoError(t, chromedp.Do(lead,
		chromedp.Navigate(srv.URL+"/review"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=review-queue]`)),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=reason]`), "缺少接入清单"),
		chromedp.Click(chromedp.CSS(form+` [data-testid=return]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=reviewed]`)),
	))
	assert.Equal(t, 1, w.count(`SELECT count(*) FROM reviews WHERE decision = 'return' AND reason = '缺少接入清单'`))

	// Staff see the reason and refile; the form is pre-filled.
	require.NoError(t, chromedp.Do(staff, chromedp.Navigate(srv.URL+"/assignments/"+asg), chromedp.WaitVisible(chromedp.CSS(`[data-testid=timeline]`))))
	assert.Contains(t, b.text(staff, `[data-testid=timeline]`), "缺少接入清单")
	require.NoError(t, chromedp.Do(staff,
		chromedp.Navigate(srv.URL+"/assignments/"+asg+"/report"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=report-form]`)),
	))
	pre, err := chromedp.Run(staff, chromedp.Value(chromedp.CSS(`#progress`)))
	require.NoError(t, err)
	assert.Equal(t, "运营指挥中心已接入本区视频资源", pre, "pre-filled from the last report")
	require.NoError(t, chromedp.Do(staff,
		chromedp.SendKeys(chromedp.CSS(`#progress`), ",已补充接入清单"),
		chromedp.Click(chromedp.CSS(`#claims`)),
		chromedp.Click(chromedp.CSS(`[data-testid=submit-report]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=timeline]`)),
	))

	// The leader's dashboard before the acceptance: the cell is not done.
	leader := b.as("leader")
	require.NoError(t, chromedp.Do(leader, chromedp.Navigate(srv.URL+"/plans/plan-2023/dashboard"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=matrix]`))))
	cell := func() string {
		cls, err := chromedp.Run(leader, chromedp.Evaluate[string](`document.querySelector('`+cellSel+`').parentElement.className`))
		require.NoError(t, err)
		return cls
	}
	assert.NotContains(t, cell(), "done")

	// A supervisor accepts the completion.
	sup := b.as("supervisor")
	form = `form[action="/reports/` + latestReport(t, w, asgID) + `/review"]`
	require.NoError(t, chromedp.Do(sup,
		chromedp.Navigate(srv.URL+"/review"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=review-queue]`)),
		chromedp.Click(chromedp.CSS(form+` [data-testid=accept]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=reviewed]`)),
	))
	assert.Equal(t, 1, w.count(`SELECT count(*) FROM reviews WHERE decision = 'accept' AND assignment_id = $1`, asgID))

	// The dashboard shows the change; the as-of view of the day before does not.
	require.NoError(t, chromedp.Do(leader, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid=matrix]`))))
	assert.Contains(t, cell(), "done", "the accepted completion shows on the dashboard")
	b.shot(leader, "dashboard-desktop.png", 1280)
	b.shot(leader, "dashboard-360.png", 360)
	yesterday := w.clock.Now().AddDate(0, 0, -1).Format("2006-01-02")
	require.NoError(t, chromedp.Do(leader,
		chromedp.SetValue(chromedp.CSS(`#as_of`), yesterday),
		chromedp.Click(chromedp.CSS(`[data-testid=asof-form] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=asof-notice]`)),
	))
	loc, err := chromedp.Run(leader, chromedp.Location())
	require.NoError(t, err)
	assert.True(t, strings.Contains(loc, "as_of="+yesterday), loc)
	cellAsOf, err := chromedp.Run(leader, chromedp.Evaluate[string](`document.querySelector('a[href="/assignments/`+asg+`?as_of=`+yesterday+`"]').parentElement.className`))
	require.NoError(t, err)
	assert.NotContains(t, cellAsOf, "done", "as of the day before, the task was not done")
}

// TestBrowserReturnNotifiesTheAuthor: a supervisor returns a completion
// claim with a reason; its author sees the bell's count, the notification,
// and the returned report first on /my with the reason (issue 14).
func TestBrowserReturnNotifiesTheAuthor(t *testing.T) {
	t.Parallel()
	chromium(t)
	w := newWorld(t)
	srv := httptest.NewServer(w.h)
	t.Cleanup(srv.Close)
	b := newBrowser(t, srv.URL)

	author := b.as("other")
	require.NoError(t, chromedp.Do(author, chromedp.Navigate(srv.URL+"/my"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=my-tasks]`))))
	bells, err := chromedp.Run(author, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=bell-count]').length`))
	require.NoError(t, err)
	assert.Equal(t, 0, bells, "nothing unread yet")

	sup := b.as("supervisor")
	form := `form[action="/reports/` + strconv.FormatInt(w.plan.claim.ID, 10) + `/review"]`
	require.NoError(t, chromedp.Do(sup,
		chromedp.Navigate(srv.URL+"/review"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=review-queue]`)),
		// A return without a reason shows the form again, with the message.
		chromedp.Click(chromedp.CSS(form+` [data-testid=return]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=form-error]`)),
	))
	assert.Contains(t, b.text(sup, `[data-testid=form-error]`), "退回时请填写理由")
	require.NoError(t, chromedp.Do(sup,
		chromedp.SendKeys(chromedp.CSS(form+` input[name=reason]`), "缺少上线验收报告"),
		chromedp.Click(chromedp.CSS(form+` [data-testid=return]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=reviewed]`)),
	))

	require.NoError(t, chromedp.Do(author, chromedp.Navigate(srv.URL+"/my"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=bell-count]`))))
	assert.Equal(t, "1", b.text(author, `[data-testid=bell-count]`), "the bell counts the notification")
	first := b.text(author, `[data-testid=my-tasks] li:first-child`)
	assert.Contains(t, first, "已退回", "the returned report comes first")
	assert.Contains(t, first, "缺少上线验收报告", "with the reason")
	b.shot(author, "my-returned-desktop.png", 1280)
	require.NoError(t, chromedp.Do(author, chromedp.Click(chromedp.CSS(`[data-testid=bell]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=notifications]`))))
	n := b.text(author, `[data-testid=notification]`)
	assert.Contains(t, n, "报送被退回:(1)建设测试平台")
	assert.Contains(t, n, "缺少上线验收报告")
	b.shot(author, "notifications-360.png", 360)
	// Following it leads to the report form and marks it read.
	require.NoError(t, chromedp.Do(author,
		chromedp.Click(chromedp.CSS(`[data-testid=notification] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=report-form]`)),
	))
	left, err := chromedp.Run(author, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=bell-count]').length`))
	require.NoError(t, err)
	assert.Equal(t, 0, left, "read once followed")

	// The fixture's 督办单, as its unit prints it.
	own := b.as("own")
	require.NoError(t, chromedp.Do(own, chromedp.Navigate(srv.URL+"/orders/"+strconv.FormatInt(w.plan.order.ID, 10)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=order-print]`))))
	assert.Equal(t, "督办〔2024〕1号", b.text(own, `[data-testid=order-number]`))
	b.shot(own, "order-print.png", 800)
}
