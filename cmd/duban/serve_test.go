package main

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/cli"
	"duban/internal/config"
	"duban/internal/devdb"
	"duban/internal/pgtest"
)

// syncBuffer collects a log written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	res, err := c.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b)
}

// TestServeMetricsOnTheirOwnListener runs duban serve as production wires
// it, with METRICS_ADDR set: the metrics are on that listener only.
func TestServeMetricsOnTheirOwnListener(t *testing.T) {
	t.Parallel()
	port, err := devdb.FreePort()
	require.NoError(t, err)
	vars := map[string]string{
		"DATABASE_URL": pgtest.URL(t),
		"LISTEN_ADDR":  "127.0.0.1:0",
		"METRICS_ADDR": "127.0.0.1:" + strconv.Itoa(port),
		"LOG_LEVEL":    "warn",
		// Leave the test process's memory limit alone.
		"GOMEMLIMIT": "off",
	}
	getenv := func(k string) string { return vars[k] }
	cfg, err := config.Load(getenv)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := make(chan string, 1)
	done := make(chan error, 1)
	logs := &syncBuffer{}
	go func() {
		done <- serve(ctx, cli.Env{Program: "duban", Getenv: getenv, Stdout: io.Discard, Stderr: logs}, cfg, false, func(a string) { addr <- a })
	}()
	var public string
	select {
	case public = <-addr:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start within 30 s")
	}
	public = "http://" + public
	metricsURL := "http://" + cfg.MetricsAddr + "/metrics"

	for range 2 {
		code, _ := httpGet(t, public+"/livez")
		require.Equal(t, http.StatusOK, code)
	}
	code, body := httpGet(t, public+"/metrics")
	assert.Equal(t, http.StatusNotFound, code, "the public port has no metrics")
	assert.NotContains(t, body, "duban_")

	code, body = httpGet(t, metricsURL)
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `duban_http_requests_total{code="2xx",method="GET",route="/livez"} 2`)
	assert.Contains(t, body, `duban_http_requests_total{code="4xx",method="GET",route="unmatched"} 1`)
	assert.Contains(t, body, "duban_db_pool_max_connections 20")
	assert.Contains(t, body, "duban_db_pool_total_connections ")
	// The snapshot job runs at start, through the counting wrapper.
	assert.Eventually(t, func() bool {
		_, body := httpGet(t, metricsURL)
		return strings.Contains(body, `duban_snapshot_runs_total{result="ok"} 1`)
	}, 10*time.Second, 100*time.Millisecond, "the snapshot job's first run is counted")

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s")
	}
	_, err = (&http.Client{Timeout: time.Second}).Get(metricsURL)
	assert.Error(t, err, "the metrics listener is closed with the server")
}
