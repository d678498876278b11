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
	assert.Contains(t, body, "形成并印发测试方案")
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
	res = w.postFiles(admin, "/admin/plans/upload", url.Values{"plan": {""}, "new_slug": {"pasted"}, "text": {fixturePlan}})
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
