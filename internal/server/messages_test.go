package server_test

import (
	"encoding/json"
	"html"
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

var (
	alertRe = regexp.MustCompile(`(?s)role="alert"[^>]*>(.*?)</div>`)
	hanRe   = regexp.MustCompile(`\p{Han}`)
	wordRe  = regexp.MustCompile(`[A-Za-z]{2,}`)
)

// alertText is the text of a page's first alert (the error box of an error
// page or of a form shown again), or "".
func alertText(body string) string {
	m := alertRe.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(html.UnescapeString(tagRe.ReplaceAllString(m[1], " "))), " ")
}

// withLang adds lang=en to a path's query.
func withLang(path string) string {
	if strings.Contains(path, "?") {
		return path + "&lang=en"
	}
	return path + "?lang=en"
}

// TestErrorsSpeakTheInterfaceLanguage sends requests that the domain, the
// store or a handler refuses with a message that used to be written in
// Chinese in the code, and checks the message in each interface language:
// the Chinese as it was, and in English no Chinese at all (nor a message
// key).
func TestErrorsSpeakTheInterfaceLanguage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ext := "/extensions/" + id(w.plan.extension.ID) + "/decide"
	report := "/assignments/" + id(w.plan.ownAsg.ID) + "/report"
	tests := []struct {
		name   string
		as     who
		method string
		path   string
		form   url.Values
		status int
		zh     string
	}{
		{"a handler: a decision that is none", supervisor, http.MethodPost, ext, url.Values{"decision": {"maybe"}}, 422, "审批结果应为 approve 或 reject"},
		{"the store: a rejection without a reason", supervisor, http.MethodPost, ext, url.Values{"decision": {"reject"}}, 422, "驳回延期申请时请填写理由"},
		{"a date that is none", supervisor, http.MethodGet, "/plans/fixture/dashboard?as_of=2023-02-30", nil, 422, "日期 as_of=\"2023-02-30\" 无效,应为 YYYY-MM-DD"},
		{"the store: a unit without a name, the form again", admin, http.MethodPost, "/admin/units", url.Values{"name": {" "}, "kind": {"city_department"}}, 422, "请填写单位名称"},
		{"a percentage that is no number, the form again", staffOwn, http.MethodPost, report, url.Values{"version": {strconv.Itoa(w.version(w.plan.ownAsg.ID))}, "percent": {"abc"}, "progress": {"x"}}, 422, "完成百分比应为 0 到 100 的整数"},
		{"a review without the form's version", supervisor, http.MethodPost, "/reports/" + id(w.plan.claim.ID) + "/review", url.Values{"decision": {"accept"}}, 422, "表单缺少版本号,请刷新页面后重试"},
		{"another unit's reports", staffOther, http.MethodGet, "/assignments/" + id(w.plan.ownAsg.ID), nil, 403, ""},
		{"the form token", supervisor, http.MethodPost, ext, url.Values{"decision": {"approve"}, "csrf": {"forged"}}, 403, "表单已过期或来源无效,请返回上一页刷新后重试"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := w.do(tt.as, tt.method, tt.path, tt.form)
			require.Equal(t, tt.status, res.Code, snippet(res.Body.String()))
			zh := alertText(res.Body.String())
			require.NotEmpty(t, zh, "the page says why")
			assert.Contains(t, zh, tt.zh)
			assert.Regexp(t, hanRe, zh, "Chinese in the Chinese interface")
			assert.NotContains(t, zh, "err.", "a message, not its key")

			res = w.do(tt.as, tt.method, withLang(tt.path), tt.form)
			require.Equal(t, tt.status, res.Code, snippet(res.Body.String()))
			en := alertText(res.Body.String())
			require.NotEmpty(t, en, "the page says why")
			assert.NotRegexp(t, hanRe, en, "no Chinese in the English interface")
			assert.NotContains(t, en, "err.", "a message, not its key")
			assert.NotEqual(t, zh, en)
		})
	}

	// The JSON API answers in the request's language, Chinese by default.
	apiError := func(lang string) string {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/tasks", nil)
		if lang != "" {
			req.Header.Set("Accept-Language", lang)
		}
		res := w.sendRequest(req)
		require.Equal(t, http.StatusUnauthorized, res.Code)
		var body map[string]string
		require.NoError(t, json.Unmarshal(res.Body.Bytes(), &body))
		return body["error"]
	}
	assert.Equal(t, "需要有效的 API 令牌(Authorization: Bearer …)", apiError(""))
	assert.Equal(t, "A valid API token is needed (Authorization: Bearer …)", apiError("en-GB,en;q=0.9"))
}

// TestUploadErrorsSpeakTheInterfaceLanguage uploads documents the parser or
// the PDF extraction refuses and checks the message in each language: in
// the Chinese interface no English but the names of formats and programs
// (the issue saw "invalid UTF-8 at byte offset 2"), in the English one no
// Chinese.
func TestUploadErrorsSpeakTheInterfaceLanguage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	names := map[string]bool{}
	for _, n := range []string{"UTF", "GBK", "GB", "BOM", "WPS", "Word", "doc", "docx", "wps", "PDF", "RTF", "NUL", "OCR", "pdftotext", "poppler", "utils", "duban", "plan", "parse", "MB"} {
		names[n] = true
	}
	docs := []struct{ name, file, content string }{
		{"bytes of no encoding", "bad.txt", "(1)测试。\n牵头单位:市大数据中心\n\xff\xfe"},
		{"a NUL", "nul.txt", "(1)测试\x00。"},
		{"an old Word file", "old.doc", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + strings.Repeat("\x00", 64)},
		{"an RTF file", "plan.rtf", `{\rtf1\ansi 测试}`},
		{"a damaged .docx", "plan.docx", "PK\x03\x04 not a zip"},
		{"no tasks", "note.txt", "会议通知:请准时参加。"},
		{"a damaged PDF", "plan.pdf", "%PDF-1.4\nnot a pdf"},
	}
	for _, d := range docs {
		t.Run(d.name, func(t *testing.T) {
			res := w.postFiles(admin, "/admin/plans/upload", url.Values{"plan": {"fixture"}}, formFile{"file", d.file, []byte(d.content)})
			require.Equal(t, http.StatusUnprocessableEntity, res.Code, snippet(res.Body.String()))
			zh := alertText(res.Body.String())
			require.Regexp(t, hanRe, zh)
			for _, word := range wordRe.FindAllString(zh, -1) {
				assert.True(t, names[word], "English %q in the Chinese message %q", word, zh)
			}

			res = w.postFiles(admin, "/admin/plans/upload?lang=en", url.Values{"plan": {"fixture"}}, formFile{"file", d.file, []byte(d.content)})
			require.Equal(t, http.StatusUnprocessableEntity, res.Code)
			en := alertText(res.Body.String())
			require.NotEmpty(t, en)
			assert.NotRegexp(t, hanRe, strings.NewReplacer("(X牵头,Y配合)", "").Replace(en), "no Chinese in the English message")
		})
	}
}
