package web

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/outputs"
	"duban/internal/planparse"
	"duban/internal/workplan"
)

// TestEveryMessageKeyExists finds every message key the module's Go source
// names (keyUses: the keys of T and Message, of workplan.E and workplan.M,
// of the deadline's explanations, the templates through their generated
// Go) and every T call in the templates themselves, and checks the table has
// each in both languages: a missing key would show as the key itself.
func TestEveryMessageKeyExists(t *testing.T) {
	t.Parallel()
	found, dynamic := keyUses(t, "..")
	// The templates, for a .templ edited but not yet generated.
	re := regexp.MustCompile(`\bT\((?:ctx|r\.Context\(\)|context\.Background\(\)), "([a-z0-9_.]*[a-z0-9_])"`)
	templs, err := filepath.Glob("*.templ")
	require.NoError(t, err)
	for _, f := range templs {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			found[m[1]] = f
		}
	}
	for _, k := range []string{"err.report.percent_range", "err.unit.name_required", "err.import.percent", "explain.overdue",
		"explain.days", "evidence.file", "input.too_long", "home.title", "error.not_found", "plans.line"} {
		require.Contains(t, found, k, "the scan finds %s", k)
	}
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		msg, ok := messages[k]
		if assert.True(t, ok, "%s: message %q is not in the table", found[k], k) {
			assert.NotEmpty(t, msg[0], "%s: %q has no Chinese text", found[k], k)
			assert.NotEmpty(t, msg[1], "%s: %q has no English text", found[k], k)
		}
	}
	assert.Greater(t, len(found), 800, "the scan found the keys")
	t.Logf("%d message keys named in the source, each in the table; %d calls with a key built at run time", len(found), dynamic)
}

// TestEveryMessageHasBothLanguages walks the whole message table: every
// message has Chinese and English taking the same arguments (a verb for each
// argument, in either order), and the messages of errors and explanations
// say nothing in the other language: no Chinese in the English but what it
// quotes (“是”), no English field names such as “(reason)” in the Chinese.
func TestEveryMessageHasBothLanguages(t *testing.T) {
	t.Parallel()
	han := regexp.MustCompile(`\p{Han}`)
	quoted := regexp.MustCompile(`“[^”]*”`)
	fieldName := regexp.MustCompile(`\([a-z_]+(: %[a-z])?\)`)
	own := func(k string) bool {
		for _, p := range []string{"err.", "explain.", "input.", "evidence.", "api.", "review.err.", "ranking.formula.text", "ranking.span"} {
			if strings.HasPrefix(k, p) {
				return true
			}
		}
		return false
	}
	n := 0
	for k, m := range messages {
		if !assert.NotEmpty(t, m[0], "%s has no Chinese", k) || !assert.NotEmpty(t, m[1], "%s has no English", k) {
			continue
		}
		assert.Equal(t, argVerbs(m[0]), argVerbs(m[1]), "%s: the Chinese and the English take different arguments", k)
		if own(k) {
			n++
			assert.NotRegexp(t, han, quoted.ReplaceAllString(m[1], ""), "%s: Chinese in the English", k)
			assert.NotRegexp(t, fieldName, m[0], "%s: a field's name in the Chinese", k)
		}
	}
	assert.Greater(t, n, 150, "the error and explanation messages were checked")
}

// argVerbs maps each argument of a format to its verb's letter: "%d of
// %[1]d" takes argument 1 as d. Flags and widths do not matter; a % that is
// not a verb (a percentage in a text without arguments) is ignored.
func argVerbs(format string) map[int]byte {
	out := map[int]byte{}
	next := 1
	for _, m := range verbRe.FindAllStringSubmatch(format, -1) {
		if m[0] == "%%" {
			continue
		}
		i := next
		if m[1] != "" {
			i, _ = strconv.Atoi(m[1])
		}
		out[i] = m[2][0]
		next = i + 1
	}
	return out
}

var verbRe = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*[0-9]*(?:\.[0-9]+)?([sdqvfgxXtcT%])`)

// TestRenderNestedMessages: an argument that is a message itself is
// rendered in the same language.
func TestRenderNestedMessages(t *testing.T) {
	t.Parallel()
	en := WithLang(context.Background(), LangEN)
	err := workplan.E(workplan.EInvalid, "err.review.already", workplan.M("audit.value.decision.accept"))
	assert.Equal(t, "该报送已经是“通过”状态", ErrorMessage(context.Background(), err))
	assert.Equal(t, "The report is already “accepted”", ErrorMessage(en, fmt.Errorf("postgres: review: %w", err)))
	assert.Equal(t, "服务器内部错误", ErrorMessage(context.Background(), errors.New("boom")))
	assert.Equal(t, "user create: 单位不存在", ErrorText(LangZH, fmt.Errorf("user create: %w", workplan.E(workplan.EInvalid, "err.user.unit_unknown"))))
	assert.Equal(t, "plain", ErrorText(LangZH, errors.New("plain")))
	// The bulletin's formula (a Chinese document, outputs) and the ranking
	// page's (the table) say the same.
	w := outputs.DefaultWeights()
	assert.Equal(t, w.Formula(), Message(LangZH, "ranking.formula.text", w.FormulaArgs()...))
}

// TestEveryParserMessageIsTranslated: each message of the plan parser has
// Chinese (the parser's own) and English, with the same verbs, so that the
// upload preview never shows Chinese in the English interface or the reverse.
func TestEveryParserMessageIsTranslated(t *testing.T) {
	t.Parallel()
	keys := planparse.MessageKeys()
	require.NotEmpty(t, keys)
	for _, k := range keys {
		m, ok := messages["parse."+k]
		require.True(t, ok, k)
		assert.NotEmpty(t, m[0], k)
		if assert.NotEmpty(t, m[1], "%s has no English", k) {
			assert.Equal(t, strings.Count(m[0], "%s"), strings.Count(m[1], "%s"), "%s: arguments differ", k)
			assert.NotRegexp(t, `[\p{Han}]{2,}`, strings.NewReplacer("牵头", "", "配合", "").Replace(m[1]), "%s: Chinese in the English text", k)
		}
	}
	for k := range parseEN {
		assert.Contains(t, keys, k, "English for a key the parser does not have")
	}
	en := WithLang(context.Background(), LangEN)
	assert.Equal(t, "line 3: Task 7 has no lead unit", ParseMessage(en, 3, "task.nolead", []string{"7"}))
	assert.Equal(t, "第3行:任务7没有牵头单位", ParseMessage(context.Background(), 3, "task.nolead", []string{"7"}))
}
