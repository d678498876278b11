package web

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every field that can be marked aria-invalid has the message beside it
// that aria-describedby points to.
func TestEveryMarkedFieldHasItsMessage(t *testing.T) {
	attrRe := regexp.MustCompile(`FieldAttrs\(ctx, ([^,]+), ("[^"]+"|[A-Za-z.]+)\)`)
	errRe := regexp.MustCompile(`@FieldError\(([^,]+), ("[^"]+"|[A-Za-z.]+)\)`)
	files, err := filepath.Glob("*.templ")
	require.NoError(t, err)
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		errs := map[string]bool{}
		for _, m := range errRe.FindAllStringSubmatch(string(b), -1) {
			errs[strings.TrimSpace(m[1])+" "+m[2]] = true
		}
		for _, m := range attrRe.FindAllStringSubmatch(string(b), -1) {
			n++
			assert.True(t, errs[strings.TrimSpace(m[1])+" "+m[2]], "%s: field %s of form %s has no @FieldError", f, m[2], m[1])
		}
	}
	assert.Greater(t, n, 15, "the scan found the marked fields")
}

func TestKeptValues(t *testing.T) {
	ctx := context.Background()
	assert.Equal(t, "def", Kept(ctx, "/a", "x", "def"), "no refusal: the page's own value")
	ctx = WithFormState(ctx, FormState{Action: "/a", Values: url.Values{"x": {"typed"}, "c": {"2"}}, Field: "x", Message: "bad"})
	assert.Equal(t, "typed", Kept(ctx, "/a", "x", "def"))
	assert.Equal(t, "", Kept(ctx, "/a", "y", ""), "a field left empty stays empty")
	assert.Equal(t, "def", Kept(ctx, "/b", "x", "def"), "another form of the page keeps its own value")
	assert.True(t, KeptChecked(ctx, "/a", "c", "2", false))
	assert.False(t, KeptChecked(ctx, "/a", "c", "1", true), "unchecked as posted")
	assert.True(t, KeptChecked(ctx, "/b", "c", "1", true))
	assert.Equal(t, "true", FieldAttrs(ctx, "/a", "x")["aria-invalid"])
	assert.Empty(t, FieldAttrs(ctx, "/a", "y"))
	assert.True(t, Refused(ctx, "/a"))
	assert.False(t, Refused(ctx, "/b"))

	// What was refused for a NUL, a control character or bytes that are not
	// UTF-8 comes back showable: U+FFFD where the bad character was, lines kept.
	ctx = WithFormState(context.Background(), FormState{Action: "/a", Values: url.Values{"p": {"a\x00b\x1bc\xffd\r\n\te\x7f"}}})
	assert.Equal(t, "a\uFFFDb\uFFFDc\uFFFDd\r\n\te\uFFFD", Kept(ctx, "/a", "p", ""))
}
