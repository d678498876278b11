package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/workplan"
)

// auditEntries returns the visible text of each entry of an audit page.
func auditEntries(t *testing.T, body string) []string {
	t.Helper()
	list := regexp.MustCompile(`(?s)<ol class="audit-log"[^>]*>(.*?)</ol>`).FindStringSubmatch(body)
	if list == nil {
		return nil
	}
	var out []string
	for _, part := range strings.Split(list[1], `<li class="audit-entry"`)[1:] {
		out = append(out, helpText("<li"+part))
	}
	return out
}

// entryWith returns the first entry whose text holds all of parts.
func entryWith(entries []string, parts ...string) string {
next:
	for _, e := range entries {
		for _, p := range parts {
			if !strings.Contains(e, p) {
				continue next
			}
		}
		return e
	}
	return ""
}

// TestAuditReadsAsSentences: every entry of the trail is a sentence — who,
// the action's Chinese name, the thing it was done to (named and linked) —
// with "字段: 旧值 → 新值" for what changed, never raw JSON or an action
// code; entries filter by entity (kind and ID), and the filter survives
// paging.
func TestAuditReadsAsSentences(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	target := id(w.target.ID)
	res := w.do(admin, http.MethodPost, "/admin/users/"+target, url.Values{"version": {strconv.Itoa(w.target.Version)},
		"display_name": {"改了名"}, "unit_id": {id(w.ownUnit.ID)}, "role": {"supervisor"}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	w.login("target", "wrong", "192.0.2.77")
	res = w.do(staffOwn, http.MethodPost, "/reports/"+id(w.plan.claim.ID)+"/review",
		url.Values{"version": {strconv.Itoa(w.version(w.plan.otherAsg.ID))}, "decision": {"return"}, "reason": {"缺少佐证材料"}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	res = w.do(admin, http.MethodPost, "/admin/units/"+id(w.collective.ID)+"/members",
		url.Values{"version": {strconv.Itoa(w.collective.Version)}, "member": {id(w.otherUnt.ID), id(w.ownUnit.ID)}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())

	res = w.do(admin, http.MethodGet, "/admin/audit", nil)
	require.Equal(t, http.StatusOK, res.Code)
	body := res.Body.String()
	entries := auditEntries(t, body)
	require.Equal(t, strings.Count(body, `data-testid="audit-row"`), len(entries))
	require.NotEmpty(t, entries)
	var codes []string
	rows, err := w.db.Pool.Query(bg, `SELECT DISTINCT action FROM audit_log`)
	require.NoError(t, err)
	for rows.Next() {
		var c string
		require.NoError(t, rows.Scan(&c))
		codes = append(codes, c)
	}
	require.NoError(t, rows.Err())
	require.Greater(t, len(codes), 8)
	for _, e := range entries {
		for _, c := range codes {
			assert.NotContains(t, e, c, "no action code in %q", e)
		}
		assert.NotContains(t, e, `{"`, "no JSON in %q", e)
		assert.NotContains(t, e, `":`, "no JSON in %q", e)
		assert.NotRegexp(t, `\b(display_name|unit_id|report_id|extended_due|completed_at)\b`, e, "no field name in %q", e)
	}

	// An account edited: its name and role, old → new, the version left out.
	e := entryWith(entries, "修改账号")
	assert.Contains(t, e, "用户 admin 修改账号 用户 改了名(target)")
	assert.Contains(t, e, "姓名: 用户 target → 改了名")
	assert.Contains(t, e, "角色: 经办人 → 督查室")
	assert.NotContains(t, e, "版本")
	assert.Contains(t, body, `<a href="/admin/users/`+target+`" data-testid="audit-entity">改了名(target)</a>`)
	assert.Contains(t, body, `href="/admin/audit?entity=user&amp;entity_id=`+target+`"`)

	// A failed sign-in, with its reason in words.
	assert.Contains(t, entryWith(entries, "登录失败"), "理由: 密码错误")

	// A review: the unit's part in the task, linked; the decision in words.
	e = entryWith(entries, "审核完成申报")
	assert.Contains(t, e, "用户 own 审核完成申报 任务分工 崆峒区人民政府 承担的任务(1)")
	assert.Contains(t, e, "审核结论: 退回")
	assert.Contains(t, e, "理由: 缺少佐证材料")
	assert.Contains(t, e, "已申报完成: 是 → 否")
	assert.Contains(t, body, `<a href="/assignments/`+id(w.plan.otherAsg.ID)+`" data-testid="audit-entity">`)

	// A designation's members: unit IDs shown by name, the tasks by number.
	e = entryWith(entries, "设置集合称谓的成员单位")
	assert.Contains(t, e, "单位 各县(市、区)人民政府")
	assert.Contains(t, e, "成员单位: 崆峒区人民政府 → 市大数据中心、崆峒区人民政府", "members by name, in ID order")
	assert.Contains(t, body, `<a href="/admin/units/`+id(w.collective.ID)+`" data-testid="audit-entity">各县(市、区)人民政府</a>`)

	// A report filed, by the fixtures: what it set.
	e = entryWith(entries, "报送进展", "市大数据中心")
	assert.Contains(t, e, "完成百分比: 0 → 30")
	assert.Contains(t, e, "佐证材料数: 1")

	// The plan loaded by the system.
	e = entryWith(entries, "导入方案")
	assert.Contains(t, e, "fixtures 导入方案 方案 平凉市测试工作方案")
	assert.Contains(t, e, "新增任务: 2")
	assert.Contains(t, body, `href="/plans/fixture/dashboard" data-testid="audit-entity"`)

	// The filter by entity: one user's history only, and the action names
	// in the filter's choices.
	res = w.do(admin, http.MethodGet, "/admin/audit?entity=user&entity_id="+target, nil)
	require.Equal(t, http.StatusOK, res.Code)
	only := auditEntries(t, res.Body.String())
	require.NotEmpty(t, only)
	for _, e := range only {
		assert.Contains(t, e, "(target)", "only the target's entries: %q", e)
	}
	assert.Equal(t, w.count(`SELECT count(*) FROM audit_log WHERE entity = 'user' AND entity_id = '`+target+`'`), len(only))
	assert.Contains(t, res.Body.String(), `data-testid="audit-filtered"`)
	assert.Contains(t, res.Body.String(), `<option value="user.update">修改账号</option>`)
	assert.Contains(t, res.Body.String(), `<option value="user" selected>用户</option>`)

	// In English.
	res = w.do(admin, http.MethodGet, "/admin/audit?lang=en", nil)
	en := auditEntries(t, res.Body.String())
	e = entryWith(en, "edited an account")
	assert.Contains(t, e, "name: 用户 target → 改了名")
	assert.Contains(t, e, "role: Staff → Supervisor")
}

// TestAuditEntityFilterPages: the filter by one entity keeps working across
// keyset pages.
func TestAuditEntityFilterPages(t *testing.T) {
	t.Parallel()
	w := newEmptyWorld(t)
	sys := workplan.System("t")
	u, err := w.db.CreateRegistryUnit(bg, sys, workplan.UnitEdit{Name: "市测试局", Kind: workplan.UnitOther})
	require.NoError(t, err)
	for i := range 55 {
		u, err = w.db.UpdateRegistryUnit(bg, sys, u.ID, u.Version, workplan.UnitEdit{Name: "市测试局" + strconv.Itoa(i), Kind: workplan.UnitOther})
		require.NoError(t, err)
	}
	res := w.do(admin, http.MethodGet, "/admin/audit?entity=unit&entity_id="+id(u.ID), nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Equal(t, 50, strings.Count(res.Body.String(), `data-testid="audit-row"`))
	next := nextRe.FindStringSubmatch(res.Body.String())
	require.NotNil(t, next)
	href := strings.ReplaceAll(next[1], "&amp;", "&")
	assert.Contains(t, href, "entity_id="+id(u.ID))
	res = w.do(admin, http.MethodGet, href, nil)
	assert.Equal(t, 6, strings.Count(res.Body.String(), `data-testid="audit-row"`), "55 edits and the creation")
	e := entryWith(auditEntries(t, res.Body.String()), "新建单位")
	assert.Contains(t, e, "名称: 市测试局")
	assert.Contains(t, e, "类别: 其他")
}
