package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/web"
)

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	zr.Multistream(false)
	out, err := io.ReadAll(zr)
	require.NoError(t, err, "a valid gzip stream, CRC and size included")
	return string(out)
}

// TestCompression: HTML, CSS and JSON go out gzipped to clients that
// accept it, other types and small bodies as they are; every compressible
// response says Vary: Accept-Encoding.
func TestCompression(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cookies, _ := w.credentials(leader)
	get := func(path string, gz bool, token bool) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "br;q=1.0, gzip;q=0.8")
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		if token {
			req.Header.Set("Authorization", "Bearer "+w.apiToken)
		}
		return w.sendRequest(req)
	}
	tests := []struct {
		name, path string
		token      bool
		compressed bool
		contains   string
	}{
		{"ledger page", "/plans/fixture/tasks", false, true, `data-testid="ledger"`},
		{"task page", "/plans/fixture/tasks/1", false, true, "建设测试平台"},
		{"JSON API", "/api/v1/tasks", true, true, `"plan":"fixture"`},
		{"stylesheet", web.AssetPath("app.css"), false, true, "visually-hidden"},
		{"CSV export", "/plans/fixture/tasks.csv", false, false, ""},
		{"spreadsheet", "/plans/fixture/tasks.xlsx", false, false, ""},
		{"evidence", "/evidence/" + id(w.plan.evidence), false, false, ""},
		{"an error page", "/plans/nope/dashboard", false, true, "未找到"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain := get(tt.path, false, tt.token)
			res := get(tt.path, true, tt.token)
			assert.Equal(t, plain.Code, res.Code)
			assert.Empty(t, plain.Header().Get("Content-Encoding"), "not to a client that does not accept gzip")
			if !tt.compressed {
				if res.Body.Len() >= 1024 || !strings.HasPrefix(res.Header().Get("Content-Type"), "text/csv") {
					assert.Empty(t, res.Header().Get("Content-Encoding"))
				}
				return
			}
			require.Equal(t, "gzip", res.Header().Get("Content-Encoding"))
			assert.Contains(t, res.Header().Values("Vary"), "Accept-Encoding")
			assert.Contains(t, plain.Header().Values("Vary"), "Accept-Encoding", "caches keep both forms apart")
			body := gunzip(t, res.Body.Bytes())
			assert.Contains(t, body, tt.contains)
			if len(body) > 4096 {
				assert.Less(t, res.Body.Len()*2, len(body), "compressed to less than half")
			} else {
				assert.Less(t, res.Body.Len(), len(body), "compressed")
			}
			if cl := res.Header().Get("Content-Length"); cl != "" {
				assert.Equal(t, strconv.Itoa(res.Body.Len()), cl)
			}
		})
	}
	// Gzip refused explicitly.
	req := httptest.NewRequest(http.MethodGet, "/plans/fixture/tasks", nil)
	req.Header.Set("Accept-Encoding", "gzip;q=0, identity")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	assert.Empty(t, w.sendRequest(req).Header().Get("Content-Encoding"))
}

// TestCachedDashboardIsCompressedOnce serves the dashboard for real (the
// cache needs change notifications): a cache hit sends the body compressed
// when it was cached, spliced between the per-request layout, as one valid
// gzip stream equal to the uncompressed page; and the form token differs on
// every page (BREACH).
func TestCachedDashboardIsCompressedOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	cookies, _ := w.credentials(supervisor)
	fetch := func(gz bool) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/plans/fixture/dashboard", nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		res, err := client.Do(req)
		require.NoError(t, err)
		return res
	}
	read := func(res *http.Response) []byte {
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode)
		return b
	}
	deadline := time.Now().Add(5 * time.Second)
	var res *http.Response
	for {
		res = fetch(true)
		if res.Header.Get("X-Duban-Cache") == "hit" {
			break
		}
		read(res)
		require.True(t, time.Now().Before(deadline), "the dashboard is cached")
		time.Sleep(20 * time.Millisecond)
	}
	assert.Equal(t, "gzip", res.Header.Get("Content-Encoding"))
	assert.Contains(t, res.Header.Values("Vary"), "Accept-Encoding")
	compressed := read(res)
	assert.Equal(t, strconv.Itoa(len(compressed)), res.Header.Get("Content-Length"))
	page := gunzip(t, compressed)
	plainRes := fetch(false)
	assert.Empty(t, plainRes.Header.Get("Content-Encoding"))
	plain := string(read(plainRes))
	tokens := csrfRe.FindAllStringSubmatch(page, -1)
	require.NotEmpty(t, tokens)
	assert.NotEqual(t, tokens[0][1], csrfRe.FindStringSubmatch(plain)[1], "the form token is masked afresh on every page")
	norm := func(s string) string { return csrfRe.ReplaceAllString(s, `name="csrf" value=""`) }
	assert.Equal(t, norm(plain), norm(page), "the spliced stream is the page")
	assert.Contains(t, page, `data-testid="matrix"`)
	t.Logf("dashboard: %d bytes, %d gzipped", len(page), len(compressed))
	assert.Less(t, len(compressed), len(page), "compressed (the layout around the body is sent stored)")
}
