package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/workplan"
)

// TestPageCacheKeys: each kind of key changes with what its pages depend
// on, and only with that.
func TestPageCacheKeys(t *testing.T) {
	t.Parallel()
	c := newPageCache(1 << 20)
	_, ok := c.key(1, "x")
	assert.False(t, ok, "nothing is cached before notifications flow")
	c.setListening(true)
	snap := func() [5]string {
		var k [5]string
		k[0], _ = c.key(1, "p")
		k[1], _ = c.keyPlans([]int64{2, 3}, "p")
		k[2], _ = c.keyAll("p")
		k[3], _ = c.keyNotices(7, "p")
		k[4], _ = c.keyNotices(8, "p")
		return k
	}
	tests := []struct {
		name    string
		change  workplan.Change
		changes [5]bool
	}{
		{"progress of plan 1", workplan.Change{Plan: 1}, [5]bool{true, false, true, false, false}},
		{"progress of plan 3", workplan.Change{Plan: 3}, [5]bool{false, true, true, false, false}},
		{"structure of every plan", workplan.Change{Structure: true}, [5]bool{true, true, true, false, false}},
		{"notifications of user 7", workplan.Change{Notices: true, User: 7}, [5]bool{false, false, false, true, false}},
		{"notifications of everyone", workplan.Change{Notices: true}, [5]bool{false, false, false, true, true}},
		{"an account", workplan.Change{Accounts: true, User: 7}, [5]bool{}},
	}
	for _, tt := range tests {
		before := snap()
		c.changed(tt.change)
		after := snap()
		for i := range before {
			assert.Equal(t, tt.changes[i], before[i] != after[i], "%s: key %d", tt.name, i)
		}
	}
}

// TestOwnWritesAppliedOnce: a change of this replica's write, announced
// by its handler and by the database's notification in either order, is
// applied once; another replica's, or one without a write, every time.
func TestOwnWritesAppliedOnce(t *testing.T) {
	t.Parallel()
	c := newPageCache(1 << 20)
	c.setListening(true)
	applied := func(ch workplan.Change, here bool) bool {
		before, _ := c.keyAll("p")
		if here {
			c.changedHere(ch)
		} else {
			c.changed(ch)
		}
		after, _ := c.keyAll("p")
		return before != after
	}
	const handler, notification = true, false
	w1, w2, w3 := c.newWrite(), c.newWrite(), c.newWrite()
	assert.NotEqual(t, w1, w2)
	assert.True(t, applied(workplan.Change{Plan: 1, Write: w1}, handler), "the handler's announcement")
	assert.False(t, applied(workplan.Change{Plan: 1, Write: w1}, notification), "its notification, after")
	assert.True(t, applied(workplan.Change{Plan: 1, Write: w2}, notification), "a notification first")
	assert.True(t, applied(workplan.Change{Plan: 2, Write: w2}, notification), "another change of the same write")
	assert.False(t, applied(workplan.Change{Plan: 1, Write: w2}, handler), "the handler's announcement, after")
	assert.True(t, applied(workplan.Change{Plan: 1, Write: w1}, notification), "a third announcement is a new change")
	assert.True(t, applied(workplan.Change{Plan: 1, Write: w3}, notification), "a write of two transactions")
	assert.True(t, applied(workplan.Change{Plan: 1, Write: w3}, notification), "two notifications never cancel each other")
	assert.True(t, applied(workplan.Change{Plan: 3, Write: w3}, handler))
	assert.True(t, applied(workplan.Change{Plan: 3, Write: w3}, handler), "nor two handler's announcements")
	other := newPageCache(1 << 20).newWrite()
	assert.True(t, applied(workplan.Change{Plan: 1, Write: other}, notification), "another replica's write")
	assert.True(t, applied(workplan.Change{Plan: 1, Write: other}, notification), "another replica's write, again")
	assert.True(t, applied(workplan.Change{Plan: 1}, notification))
	assert.True(t, applied(workplan.Change{Plan: 1}, notification))
	c.setListening(false)
	c.setListening(true)
	assert.Empty(t, c.own, "forgotten when notifications resume")
}

// TestPageCacheBudget: bodies are evicted least recently used first to
// stay within the byte budget, and nothing is kept while notifications do
// not flow.
func TestPageCacheBudget(t *testing.T) {
	t.Parallel()
	c := newPageCache(100_000)
	body := func(n int) *renderedBody {
		return newRenderedBody("t", []byte(strings.Repeat("x", n)))
	}
	c.put("a", body(10))
	_, ok := c.get("a")
	assert.False(t, ok, "not listening: not kept")
	c.setListening(true)
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		c.put(k, body(9_000))
	}
	_, ok = c.get("a")
	assert.True(t, ok)
	for _, k := range []string{"g", "h", "i", "j"} {
		c.put(k, body(9_000))
	}
	assert.LessOrEqual(t, c.bytes, c.maxBytes)
	_, ok = c.get("a")
	assert.True(t, ok, "used lately: kept")
	_, ok = c.get("b")
	assert.False(t, ok, "the least recently used went first")
	c.put("huge", body(50_000))
	_, ok = c.get("huge")
	assert.False(t, ok, "a body above an eighth of the budget is not kept")
	c.setListening(false)
	_, ok = c.get("a")
	assert.False(t, ok, "dropped when notifications stop")
}

// TestMemoFollowsStructure: what depends on structure is kept until a
// structure change, and what was read before a change (or before
// notifications resumed) is not kept.
func TestMemoFollowsStructure(t *testing.T) {
	t.Parallel()
	c := newPageCache(1 << 20)
	c.setListening(true)
	seen := c.mark()
	c.memoPut("k", 1, seen)
	v, ok := c.memoGet("k")
	require.True(t, ok)
	assert.Equal(t, 1, v)
	c.changed(workplan.Change{Plan: 1})
	_, ok = c.memoGet("k")
	assert.True(t, ok, "progress does not change structure")
	c.changed(workplan.Change{Plan: 1, Structure: true})
	_, ok = c.memoGet("k")
	assert.False(t, ok)
	seen = c.mark()
	c.changed(workplan.Change{Plan: 2, Structure: true})
	c.memoPut("k", 2, seen)
	_, ok = c.memoGet("k")
	assert.False(t, ok, "read before a change: not kept")
	seen = c.mark()
	c.setListening(false)
	c.setListening(true)
	c.memoPut("k", 3, seen)
	_, ok = c.memoGet("k")
	assert.False(t, ok, "read before notifications resumed: not kept")
}

// TestSplicedBody: a body with holes, served gzipped with a token in
// each, is one valid gzip stream equal to the page with the tokens in
// place.
func TestSplicedBody(t *testing.T) {
	t.Parallel()
	hole := string(formTokenHole)
	html := `<form><input name="csrf" value="` + hole + `"/></form>` + strings.Repeat("<p>正文</p>", 500) +
		`<form><input name="csrf" value="` + hole + `"/></form><p>end</p>`
	rb := newRenderedBody("title", []byte(html))
	assert.Equal(t, 2, rb.holes())
	deflate, ok := rb.deflated()
	require.True(t, ok)
	var out bytes.Buffer
	writeGzipPage(&out, []byte("<head>"), rb.parts, deflate, []byte("TOKEN"), []byte("</html>"))
	zr, err := gzip.NewReader(&out)
	require.NoError(t, err)
	got, err := io.ReadAll(zr)
	require.NoError(t, err, "CRC and size check out")
	assert.Equal(t, "<head>"+strings.ReplaceAll(html, hole, "TOKEN")+"</html>", string(got))
	var plain bytes.Buffer
	rb.appendHTML(&plain, []byte("T2"))
	assert.Equal(t, strings.ReplaceAll(html, hole, "T2"), plain.String())
}
