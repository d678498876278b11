package server_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/simplifiedchinese"
)

var baseVersionRe = regexp.MustCompile(`name="base_version" value="(\d+)"`)

// TestPlanImportPreviewThenConfirm: an administrator uploads a revised plan,
// sees exactly what would change while nothing changes, and confirms; a
// second confirmation or one against a changed plan is refused.
func TestPlanImportPreviewThenConfirm(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	revised := strings.Replace(fixturePlan, "完成时限:2024年12月底前\n\n  (2)", "完成时限:2025年6月底前\n\n  (2)", 1)
	revised = strings.Replace(revised, "(2)编制测试方案。形成测试方案。", "(2)编制测试方案。形成并印发测试方案。", 1)
	require.NotEqual(t, fixturePlan, revised)

	res := w.postFiles(admin, "/admin/plans/upload", url.Values{"plan": {"fixture"}}, formFile{"file", "修订版.txt", []byte(revised)})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	preview := res.Header().Get("Location")
	require.True(t, strings.HasPrefix(preview, "/admin/plans/uploads/"))

	res = w.do(admin, http.MethodGet, preview, nil)
	require.Equal(t, http.StatusOK, res.Code)
	body := res.Body.String()
	assert.Contains(t, body, `data-testid="changed"`)
	assert.Contains(t, body, "2025年6月底前")
	assert.Contains(t, helpText(body), "形成并印发测试方案")
	assert.NotContains(t, body, `data-testid="archived"`)
	assert.Equal(t, 1, w.count(`SELECT count(*) FROM plan_versions v JOIN plans p ON p.id = v.plan_id WHERE p.slug = 'fixture'`), "nothing applied by the preview")
	base := baseVersionRe.FindStringSubmatch(body)
	require.NotNil(t, base)

	// Another upload applied first makes this confirmation stale.
	other := w.postFiles(admin, "/admin/plans/upload", url.Values{"plan": {"fixture"}})
	assert.Equal(t, http.StatusUnprocessableEntity, other.Code, "no file and no text is refused")
	res = w.do(admin, http.MethodPost, preview, url.Values{"base_version": {base[1]}})
	require.Equal(t, http.StatusOK, res.Code, res.Body.String())
	assert.Contains(t, res.Body.String(), `data-testid="seed-summary"`)
	assert.Equal(t, "2025-06-30", queryOne(t, w, `SELECT t.due_on::text FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE p.slug = 'fixture' AND t.number = 1`))
	assert.Equal(t, 2, w.count(`SELECT count(*) FROM plan_versions v JOIN plans p ON p.id = v.plan_id WHERE p.slug = 'fixture'`))

	res = w.do(admin, http.MethodPost, preview, url.Values{"base_version": {base[1]}})
	assert.Equal(t, http.StatusConflict, res.Code, "an upload is applied once")

	// A bad document is refused with the reason, and nothing is kept.
	res = w.postFiles(admin, "/admin/plans/upload", url.Values{"plan": {"fixture"}}, formFile{"file", "bad.txt", []byte{0xe5, 0xb9, 0xb3, 0xff, 0xfe}})
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Contains(t, res.Body.String(), "第1行:从第4字节起的文字无法识别")
	// Pasted text works too, and the applied documents can be downloaded.
	res = w.postFiles(admin, "/admin/plans/upload", url.Values{"plan": {"new"}, "new_slug": {"pasted"}, "text": {fixturePlan}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	res = w.do(admin, http.MethodGet, "/admin/plans/fixture/versions/2", nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Equal(t, revised, res.Body.String())
	assert.Contains(t, res.Header().Get("Content-Disposition"), "attachment")
}

func queryOne(t *testing.T, w *world, sql string, args ...any) string {
	t.Helper()
	var s string
	require.NoError(t, w.db.Pool.QueryRow(bg, sql, args...).Scan(&s))
	return s
}

// TestUploadTargetIsExplicit checks that a plan upload loads into the plan
// chosen, and creates a plan only when "new" is chosen: an unknown plan is
// refused rather than created (it would become the default plan of
// /dashboard and of the API).
func TestUploadTargetIsExplicit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	plans := func() int { return w.count(`SELECT count(*) FROM plans`) }
	uploads := func() int { return w.count(`SELECT count(*) FROM seed_uploads`) }
	n, u := plans(), uploads()
	tests := []struct {
		name   string
		fields url.Values
		want   string
	}{
		{"unknown plan", url.Values{"plan": {"plan-2099"}}, "方案“plan-2099”不存在"},
		{"hostile plan", url.Values{"plan": {"Bad Slug'--"}}, "方案“Bad Slug&#39;--”不存在"},
		{"no choice", url.Values{"plan": {""}}, "请选择要更新的方案"},
		{"no choice and a key", url.Values{"new_slug": {"other"}}, "请选择要更新的方案"},
		{"new plan with a bad key", url.Values{"plan": {"new"}, "new_slug": {"Bad Slug'--"}}, "方案标识(new_slug)只能包含"},
		{"new plan under a taken key", url.Values{"plan": {"new"}, "new_slug": {"fixture"}}, "方案“fixture”已经存在"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fields.Set("text", fixturePlan)
			res := w.postFiles(admin, "/admin/plans/upload", tt.fields)
			assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
			assert.Contains(t, res.Body.String(), tt.want)
			assert.Equal(t, n, plans(), "no plan created")
			assert.Equal(t, u, uploads(), "nothing kept")
		})
	}

	// A plan file holding NUL is refused with the reason, not a 500.
	res := w.postFiles(admin, "/admin/plans/upload", url.Values{"plan": {"fixture"}}, formFile{"file", "nul.txt", []byte(strings.Replace(fixturePlan, "测试平台", "测试\x00平台", 1))})
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Contains(t, res.Body.String(), "NUL")

	res = w.postFiles(admin, "/admin/plans/upload", url.Values{"plan": {"new"}, "new_slug": {"plan-2025"}, "text": {fixturePlan}})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	preview := w.do(admin, http.MethodGet, res.Header().Get("Location"), nil)
	require.Equal(t, http.StatusOK, preview.Code)
	assert.Contains(t, preview.Body.String(), "确认后将新建方案“plan-2025”", "the preview says a plan will be created")
	assert.Equal(t, n, plans(), "nothing created before confirming")

	form := w.do(admin, http.MethodGet, "/admin/plans", nil)
	assert.Contains(t, form.Body.String(), `<option value="" disabled selected>`, "no plan is chosen by default")
	assert.Contains(t, form.Body.String(), `<option value="new">`)
}

// TestPlanImportSpeaksTheInterfaceLanguage: a plan saved by Notepad in GBK is
// read; a document that cannot be read is refused with the parser's message
// and its line in Chinese, or in English in the English interface (never the
// other); and the preview's parser warnings follow the language too.
func TestPlanImportSpeaksTheInterfaceLanguage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(fixturePlan)
	require.NoError(t, err)
	res := w.postFiles(admin, "/admin/plans/upload", url.Values{"plan": {"fixture"}}, formFile{"file", "记事本.txt", []byte(gbk)})
	require.Equal(t, http.StatusSeeOther, res.Code, res.Body.String())
	preview := res.Header().Get("Location")

	res = w.do(admin, http.MethodGet, preview, nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Contains(t, res.Body.String(), "第17行:任务2没有牵头单位")
	assert.Contains(t, res.Body.String(), "与当前方案相同,没有变化", "the GBK copy is the plan as loaded")
	res = w.do(admin, http.MethodGet, preview+"?lang=en", nil)
	require.Equal(t, http.StatusOK, res.Code)
	body := html.UnescapeString(res.Body.String())
	assert.Contains(t, body, "line 17: Task 2 has no lead unit")
	assert.NotContains(t, body, "没有牵头单位")

	bad := []byte("(1)测试。\n牵头单位:市大数据中心\n\xff\xfe")
	res = w.postFiles(admin, "/admin/plans/upload", url.Values{"plan": {"fixture"}}, formFile{"file", "bad.txt", bad})
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Contains(t, res.Body.String(), "第3行:从第")
	res = w.postFiles(admin, "/admin/plans/upload?lang=en", url.Values{"plan": {"fixture"}}, formFile{"file", "bad.txt", bad})
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	body = html.UnescapeString(res.Body.String())
	assert.Contains(t, body, "line 3: The text from byte")
	assert.NotContains(t, body, "无法识别")

	res = w.postFiles(admin, "/admin/plans/upload?lang=en", url.Values{"plan": {"fixture"}},
		formFile{"file", "old.doc", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 64)...)})
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Contains(t, html.UnescapeString(res.Body.String()), "old Word (.doc) or WPS (.wps) file")
}
