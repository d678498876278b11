package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"duban/internal/workplan"
)

func TestLocalPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                        "/",
		"/":                       "/",
		"/admin/users?role=staff": "/admin/users?role=staff",
		"//evil.example/x":        "/",
		"/\\evil.example":         "/",
		"https://evil.example/":   "/",
		"evil.example":            "/",
		"/ok\r\nSet-Cookie: x=1":  "/",
		"/%2F%2Fevil.example":     "/%2F%2Fevil.example",
	} {
		assert.Equal(t, want, localPath(in), in)
	}
}

// TestTokenOf: requireToken hands the token to the API handlers.
func TestTokenOf(t *testing.T) {
	t.Parallel()
	_, ok := tokenOf(context.Background())
	assert.False(t, ok)
	want := workplan.APIToken{ID: 7, Name: "dashboard"}
	var got workplan.APIToken
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got, _ = tokenOf(r.Context()) })
	req := httptest.NewRequest(http.MethodGet, "/api/v1/x", nil)
	h.ServeHTTP(httptest.NewRecorder(), req.WithContext(context.WithValue(req.Context(), keyToken, want)))
	assert.Equal(t, want, got)
}
