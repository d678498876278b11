package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/workplan"
)

// TestReviewsMeanWhatTheySay: only a pending completion claim can be
// accepted, and only a pending or accepted claim returned; a report that
// claims nothing is not "通过".
func TestReviewsMeanWhatTheySay(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	review := func(as who, report int64, asg int64, decision string) *httptest.ResponseRecorder {
		return w.do(as, http.MethodPost, "/reports/"+id(report)+"/review",
			url.Values{"version": {strconv.Itoa(w.version(asg))}, "decision": {decision}, "reason": {"理由"}})
	}
	progress := mustLatest(t, w, w.plan.ownAsg.ID) // 30%, claims nothing
	for _, d := range []string{"accept", "return"} {
		res := review(supervisor, progress, w.plan.ownAsg.ID, d)
		assert.Equal(t, http.StatusUnprocessableEntity, res.Code, d)
		assert.Contains(t, res.Body.String(), "该报送没有申报完成,无需审核", d)
	}
	assert.Zero(t, w.count(`SELECT count(*) FROM reviews WHERE report_id = $1`, progress), "nothing recorded")
	page := w.do(supervisor, http.MethodGet, "/assignments/"+id(w.plan.ownAsg.ID), nil)
	assert.NotContains(t, page.Body.String(), ">通过<")

	// A claim superseded by a later report that claims nothing.
	other := workplan.ActorOf(w.users[staffOther], "t", "192.0.2.1")
	w.clock.Advance(time.Minute)
	_, err := w.db.FileReport(bg, other, workplan.ReportInput{AssignmentID: w.plan.otherAsg.ID, BaseVersion: w.version(w.plan.otherAsg.ID),
		Percent: 90, Progress: "发现问题,继续整改"})
	require.NoError(t, err)
	res := review(supervisor, w.plan.claim.ID, w.plan.otherAsg.ID, "accept")
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Contains(t, res.Body.String(), "已被该单位之后的报送取代")
	var notDone bool
	require.NoError(t, w.db.Pool.QueryRow(bg, `SELECT completed_at IS NULL FROM assignment_state WHERE assignment_id = $1`, w.plan.otherAsg.ID).Scan(&notDone))
	assert.True(t, notDone, "the unit is not done")

	// The pending claim is accepted, then returned by a supervisor.
	w.clock.Advance(time.Minute)
	claim, err := w.db.FileReport(bg, other, workplan.ReportInput{AssignmentID: w.plan.otherAsg.ID, BaseVersion: w.version(w.plan.otherAsg.ID),
		Percent: 100, ClaimsCompletion: true, Progress: "整改完成"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusSeeOther, review(supervisor, claim.ID, w.plan.otherAsg.ID, "accept").Code)
	assert.Equal(t, http.StatusSeeOther, review(supervisor, claim.ID, w.plan.otherAsg.ID, "return").Code, "an accepted claim can be returned")
}

// TestNoForeignLinks: no link on a page is protocol-relative, and none is
// built from the Referer header.
func TestNoForeignLinks(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, p := range []string{"//evil.example/x", "/\\evil.example/x", "///evil.example"} {
		for _, as := range []who{anon, leader} {
			res := w.do(as, http.MethodGet, p, nil)
			body := res.Body.String()
			assert.Equal(t, http.StatusNotFound, res.Code, p)
			assert.NotRegexp(t, `(href|action|src)="(//|/\\|\\)`, body, "%s as %s: no protocol-relative link", p, as)
			assert.Regexp(t, `<a href="/[^/\\"][^"]*\?lang=en" hreflang="en">`, body, "%s as %s: the language link stays on this site", p, as)
		}
	}

	// The 409 page of a stale review links to the assignment, whatever the
	// Referer says.
	cookies, csrf := w.credentials(supervisor)
	form := url.Values{"version": {strconv.Itoa(w.version(w.plan.otherAsg.ID) - 1)}, "decision": {"accept"}, "csrf": {csrf}}
	req := httptest.NewRequest(http.MethodPost, "/reports/"+id(w.plan.claim.ID)+"/review", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", "javascript:alert(document.cookie)")
	req.RemoteAddr = "192.0.2.1:5555"
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res := w.sendRequest(req)
	require.Equal(t, http.StatusConflict, res.Code, snippet(res.Body.String()))
	assert.NotContains(t, res.Body.String(), "javascript:")
	assert.Contains(t, res.Body.String(), `href="/assignments/`+id(w.plan.otherAsg.ID)+`#r`+id(w.plan.claim.ID)+`" data-testid="conflict-reload"`)

	// Deciding an extension goes back to its assignment, not to the Referer
	// (saying what was decided, issue 14).
	form = url.Values{"decision": {"approve"}, "csrf": {csrf}}
	req = httptest.NewRequest(http.MethodPost, "/extensions/"+id(w.plan.extension.ID)+"/decide", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", "https://evil.example/phish")
	req.RemoteAddr = "192.0.2.1:5555"
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res = w.sendRequest(req)
	require.Equal(t, http.StatusSeeOther, res.Code)
	assert.Equal(t, "/assignments/"+id(w.plan.otherAsg.ID)+"?decided=approve", res.Header().Get("Location"))
}
