package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPlanPreviewSideBySide: the preview of a revised plan shows each
// changed task as its own block, field by field under Chinese labels, old
// beside new with the changed words marked, the deadline highlighted, and
// unit lists as chips of units kept, added and removed (a unit whose name
// holds 、 inside brackets stays one chip); no field name reaches the page.
func TestPlanPreviewSideBySide(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	revised := fixturePlan
	for _, r := range [][2]string{
		{"(1)建设测试平台。完成测试平台建设,上线事项100项以上。", "(1)建设测试平台。完成测试平台建设并接入省级平台,上线事项100项以上。"},
		{"责任单位:崆峒区人民政府", "责任单位:各县(市、区)人民政府"},
		{"完成时限:2024年12月底前\n\n  (2)", "完成时限:2025年6月底前\n\n  (2)"},
		{"(2)编制测试方案。", "(2)编制并印发测试方案。"},
	} {
		require.Contains(t, revised, r[0])
		revised = strings.Replace(revised, r[0], r[1], 1)
	}
	require.NotEqual(t, fixturePlan, revised)
	res := w.postFiles(admin, "/admin/plans/upload", url.Values{"plan": {"fixture"}}, formFile{"file", "修订版.txt", []byte(revised)})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	preview := res.Header().Get("Location")

	res = w.do(admin, http.MethodGet, preview, nil)
	require.Equal(t, http.StatusOK, res.Code)
	body := res.Body.String()
	assert.Equal(t, 2, strings.Count(body, `data-testid="task-change"`), "two tasks changed, each its own block")
	assert.Contains(t, body, `<h3>(1) 建设测试平台</h3>`)

	// Text: old beside new, the change marked, no space added in Chinese.
	assert.Contains(t, body, `完成测试平台建设<ins>并接入省级平台</ins>,上线事项100项以上。`)
	assert.Contains(t, body, `编制<ins>并印发</ins>测试方案`)
	assert.Regexp(t, `(?s)<tr class="field-text" data-field="title"><th scope="row">任务名称</th>.*?<td class="before"[^>]*><span class="text-change">编制测试方案</span></td>`, body,
		"a pure insertion shows the old text unmarked")

	// The deadline: its own row, highlighted, old struck and new marked whole.
	assert.Regexp(t, `(?s)<tr class="field-deadline" data-field="deadline"><th scope="row">完成时限</th>.*?<del>2024年12月底前</del>.*?<ins>2025年6月底前</ins>`, body)

	// Units: chips; the designation with 、 inside its brackets is one chip.
	chips := regexp.MustCompile(`data-testid="chip-(added|removed)"><span aria-hidden="true">[+−] </span><span class="visually-hidden">[^<]*</span>([^<]*)</li>`).FindAllStringSubmatch(body, -1)
	got := map[string][]string{}
	for _, c := range chips {
		got[c[1]] = append(got[c[1]], c[2])
	}
	assert.Contains(t, got["added"], "各县(市、区)人民政府")
	assert.Contains(t, got["removed"], "崆峒区人民政府")
	assert.NotContains(t, got["added"], "区)人民政府", "not split inside the brackets")
	assert.Regexp(t, `<tr class="field-units" data-field="responsible_units"><th scope="row">责任单位</th>`, body)

	text := helpText(body)
	for _, raw := range []string{"responsible_units", "lead_units", "deadline", "assignments", "body", "title"} {
		assert.NotContains(t, text, raw, "no field name is shown")
	}
	assert.NotContains(t, text, "plans.", "no message key is shown")

	// English labels through the message table.
	res = w.do(admin, http.MethodGet, preview+"?lang=en", nil)
	require.Equal(t, http.StatusOK, res.Code)
	en := helpText(res.Body.String())
	assert.Contains(t, en, "Responsible units")
	assert.Contains(t, en, "Deadline")
	assert.NotContains(t, en, "responsible_units")
}
