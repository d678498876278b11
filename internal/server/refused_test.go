package server_test

// Errors never dead-end: a refused form (422) is shown again on the page it
// was on, with what was typed kept and the message beside the field; other
// error pages link back to where the user was.

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sendFrom sends a form as p from page referer (the Referer a browser sends
// for a form on that page; "" for none).
func (w *world) sendFrom(p who, path, referer string, form url.Values) *httptest.ResponseRecorder {
	w.t.Helper()
	cookies, csrf := w.credentials(p)
	f := url.Values{"csrf": {csrf}}
	for k, v := range form {
		f[k] = v
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if referer != "" {
		req.Header.Set("Referer", referer)
	}
	req.RemoteAddr = "192.0.2.1:5555"
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return w.sendRequest(req)
}

// invalidFieldRe finds the field marked aria-invalid; nameRe and describedRe
// read its name and the id of the message it points to.
var (
	invalidFieldRe = regexp.MustCompile(`<(?:input|textarea|select)[^>]*aria-invalid="true"[^>]*>`)
	nameRe         = regexp.MustCompile(`\bname="([^"]+)"`)
	describedRe    = regexp.MustCompile(`aria-describedby="([^"]+)"`)
)

func TestRefusedFormsKeepInput(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	own, other := w.plan.ownAsg, w.plan.otherAsg
	long := strings.Repeat("长", 2001)
	cases := []struct {
		name    string
		who     who
		path    string
		referer string
		form    url.Values
		field   string   // the field the message is beside, "" for the form
		kept    []string // what was typed, found again on the page
		page    string   // a mark of the page shown again
		msg     string   // part of the message
	}{
		{name: "report: a control character in one field keeps the others",
			who: staffOwn, path: "/assignments/" + id(own.ID) + "/report",
			form:  url.Values{"version": {strconv.Itoa(w.version(own.ID))}, "percent": {"35"}, "progress": {"进展\x01文字"}, "problems": {"问题保留原样"}, "next_steps": {"下一步保留"}, "claims": {"1"}},
			field: "progress", kept: []string{"问题保留原样", "下一步保留", `value="35"`}, page: `data-testid="report-form"`},
		{name: "report: a percent that is not a number",
			who: staffOwn, path: "/assignments/" + id(own.ID) + "/report", referer: "http://example.com/assignments/" + id(own.ID) + "/report",
			form:  url.Values{"version": {strconv.Itoa(w.version(own.ID))}, "percent": {"三十"}, "progress": {"本周进展保留"}},
			field: "percent", kept: []string{"本周进展保留", `value="三十"`}, page: `data-testid="report-form"`, msg: "完成百分比"},
		{name: "extension: a date that is not one, on the assignment page",
			who: staffOwn, path: "/assignments/" + id(own.ID) + "/extension", referer: "http://example.com/assignments/" + id(own.ID),
			form:  url.Values{"requested_due": {"下个月"}, "reason": {"设备未到货,申请延期"}},
			field: "requested_due", kept: []string{"设备未到货,申请延期"}, page: `data-testid="extension-form"`},
		{name: "comment: too long, on the task page (no Referer: the page above the form)",
			who: leader, path: "/plans/fixture/tasks/1/comments",
			form:  url.Values{"text": {long}},
			field: "text", kept: []string{long}, page: `data-testid="task-title"`},
		{name: "review: a return without a reason, from the review queue",
			who: staffOwn, path: "/reports/" + id(w.plan.claim.ID) + "/review", referer: "http://example.com/review",
			form:  url.Values{"version": {strconv.Itoa(w.version(other.ID))}, "decision": {"return"}},
			field: "reason", page: `data-testid="review-queue"`},
		{name: "review: a reason with a control character, from the assignment page",
			who: staffOwn, path: "/reports/" + id(w.plan.claim.ID) + "/review", referer: "http://example.com/assignments/" + id(other.ID),
			form:  url.Values{"version": {strconv.Itoa(w.version(other.ID))}, "decision": {"return"}, "reason": {"请补充\x07截图"}},
			field: "reason", page: `data-testid="assignment-title"`},
		{name: "督办单: a reply date that is not one; the folded form is unfolded",
			who: supervisor, path: "/assignments/" + id(other.ID) + "/orders", referer: "http://example.com/assignments/" + id(other.ID),
			form:  url.Values{"reason": {"进度滞后,请说明原因"}, "reply_by": {"尽快"}, "level": {"2"}},
			field: "reply_by", kept: []string{"进度滞后,请说明原因", `<details class="no-print" open`, `value="2" selected`}, page: `data-testid="order-form"`},
		{name: "user: a display name too long",
			who: admin, path: "/admin/users/" + id(w.users[staffOther].ID), referer: "http://example.com/admin/users/" + id(w.users[staffOther].ID),
			form:  url.Values{"version": {"1"}, "display_name": {strings.Repeat("名", 51)}, "role": {"staff"}, "unit_id": {id(w.otherUnt.ID)}},
			field: "display_name", kept: []string{strings.Repeat("名", 51)}, page: `data-testid="user-form"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := w.count(`SELECT (SELECT count(*) FROM reports) + (SELECT count(*) FROM task_comments) + (SELECT count(*) FROM supervision_orders) + (SELECT count(*) FROM extension_requests) + (SELECT count(*) FROM audit_log)`)
			res := w.sendFrom(c.who, c.path, c.referer, c.form)
			body := res.Body.String()
			require.Equal(t, http.StatusUnprocessableEntity, res.Code, body)
			assert.Contains(t, body, c.page, "the page that held the form")
			assert.NotContains(t, body, `data-testid="error"`, "not an error page")
			assert.Contains(t, body, `data-testid="refused-banner"`, "the top of the page links to the form")
			assert.Contains(t, body, `id="form-error"`)
			assert.Contains(t, body, `action="`+c.path+`"`)
			for _, k := range c.kept {
				assert.Contains(t, body, k, "kept: %.40s", k)
			}
			if c.msg != "" {
				assert.Contains(t, body, c.msg)
			}
			fields := invalidFieldRe.FindAllString(body, -1)
			require.Len(t, fields, 1, "one field is marked aria-invalid")
			name, desc := nameRe.FindStringSubmatch(fields[0]), describedRe.FindStringSubmatch(fields[0])
			require.NotNil(t, name)
			require.NotNil(t, desc)
			assert.Equal(t, c.field, name[1])
			assert.Regexp(t, `<p class="field-error" id="`+regexp.QuoteMeta(desc[1])+`"[^>]*>[^<]+</p>`, body, "the message the field points to is there")
			assert.Equal(t, before, w.count(`SELECT (SELECT count(*) FROM reports) + (SELECT count(*) FROM task_comments) + (SELECT count(*) FROM supervision_orders) + (SELECT count(*) FROM extension_requests) + (SELECT count(*) FROM audit_log)`), "nothing written")
		})
	}

	t.Run("the English interface shows the page in English", func(t *testing.T) {
		res := w.sendFrom(leader, "/plans/fixture/tasks/1/comments?lang=en", "", url.Values{"text": {long}})
		require.Equal(t, http.StatusUnprocessableEntity, res.Code)
		assert.Contains(t, res.Body.String(), "Not sent: see the message in the form below.")
	})
}

// backRe finds the error page's way back.
var backRe = regexp.MustCompile(`data-testid="error-back" href="([^"]*)"|href="([^"]*)"[^>]*data-testid="error-back"`)

func backOf(body string) string {
	m := backRe.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1] + m[2]
}

func TestErrorPagesLeadBack(t *testing.T) {
	t.Parallel()
	w := newWorld(t)

	// A task that does not exist: the ledger above it.
	res := w.do(leader, http.MethodGet, "/plans/fixture/tasks/99", nil)
	require.Equal(t, http.StatusNotFound, res.Code)
	assert.Equal(t, "/plans/fixture/tasks", backOf(res.Body.String()))
	assert.Contains(t, res.Body.String(), `href="/"`, "and home")

	// An action refused from a page: back to that page, query kept.
	res = w.sendFrom(staffOther, "/extensions/"+id(w.plan.extension.ID)+"/decide", "http://example.com/assignments/"+id(w.plan.otherAsg.ID)+"?as_of=2024-02-01", url.Values{"decision": {"approve"}})
	require.Equal(t, http.StatusForbidden, res.Code)
	assert.Equal(t, "/assignments/"+id(w.plan.otherAsg.ID)+"?as_of=2024-02-01", strings.ReplaceAll(backOf(res.Body.String()), "&amp;", "&"))

	// Another site's Referer is not followed: the nearest page above.
	for _, ref := range []string{"http://evil.example/review", "//evil.example/x", "javascript:alert(1)"} {
		res = w.sendFrom(supervisor, "/extensions/99999/decide", ref, url.Values{"decision": {"approve"}})
		require.Equal(t, http.StatusNotFound, res.Code, ref)
		back := backOf(res.Body.String())
		assert.NotContains(t, back, "evil", ref)
		assert.NotContains(t, back, "javascript", ref)
	}

	// A page with nothing above it offers home only.
	res = w.do(leader, http.MethodGet, "/no/such/page", nil)
	require.Equal(t, http.StatusNotFound, res.Code)
	assert.Equal(t, "", backOf(res.Body.String()))
	assert.Contains(t, res.Body.String(), `href="/"`)
}
