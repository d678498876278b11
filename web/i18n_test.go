package web

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
