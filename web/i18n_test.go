package web

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/planparse"
)

// TestEveryMessageKeyExists finds every literal key passed to T in the
// templates and the server, and checks the catalogue has it in both
// languages: a missing key would show as the key itself.
func TestEveryMessageKeyExists(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`\bT\((?:ctx|r\.Context\(\)|context\.Background\(\)), "([a-z0-9_.]*[a-z0-9_])"`)
	var files []string
	for _, pattern := range []string{"*.templ", "*.go", "../internal/server/*.go"} {
		m, err := filepath.Glob(pattern)
		require.NoError(t, err)
		files = append(files, m...)
	}
	found := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			found++
			msg, ok := messages[m[1]]
			if assert.True(t, ok, "%s: message %q is not in the catalogue", f, m[1]) {
				assert.NotEmpty(t, msg[0], "%s: %q has no Chinese text", f, m[1])
				assert.NotEmpty(t, msg[1], "%s: %q has no English text", f, m[1])
			}
		}
	}
	assert.Greater(t, found, 100, "the scan found the keys")
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
