package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/devdb"
)

// TestDevUnderAPrivateFolder is `make run` from a clone under a folder
// only root may enter (issue 16: cloned under /root, as root, initdb could
// not reach .devdb): `duban-dev dev --data <clone>/.devdb`, as make run does
// from the clone, must reach ready, with the cluster moved where the
// postgres OS user can reach it, and stop cleanly on cancel.
func TestDevUnderAPrivateFolder(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("only root runs PostgreSQL as another OS user")
	}
	if _, err := devdb.FindBinaries(os.Getenv); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip("SKIPPED (no PostgreSQL binaries) ", err)
	}
	product := buildProduct(t)
	private, err := os.MkdirTemp("", "duban-private-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(private) })
	require.NoError(t, os.Chmod(private, 0o700))
	data := filepath.Join(private, "duban", ".devdb")

	getenv := func(k string) string {
		switch k {
		case "PATH", "PG_BINDIR":
			return os.Getenv(k)
		case "LISTEN_ADDR":
			return "127.0.0.1:0"
		case "LOG_LEVEL":
			return "warn"
		}
		return "" // no DATABASE_URL: the project-local cluster
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		done <- run(ctx, []string{"dev", "--data", data, "--duban", product}, getenv, strings.NewReader(""), &stdout, &stderr)
	}()
	t.Cleanup(func() {
		if b, err := os.ReadFile(filepath.Join(data, devdb.LocationNote)); err == nil {
			os.RemoveAll(strings.SplitN(string(b), "\n", 2)[0])
		}
	})

	running := regexp.MustCompile(`duban is running: (http://\S+)`)
	var base string
	for base == "" {
		select {
		case err := <-done:
			t.Fatalf("duban-dev dev ended: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
		if m := running.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
		}
		require.Less(t, time.Since(start), 90*time.Second, "not ready:\n%s\n%s", stdout.String(), stderr.String())
	}
	resp, err := http.Get(base + "/readyz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	t.Logf("ready after %s", time.Since(start).Round(100*time.Millisecond))
	assert.Contains(t, stderr.String(), "the postgres OS user cannot reach "+data)
	assert.Contains(t, stdout.String(), "Sign in with a demo account")

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(60 * time.Second):
		t.Fatal("duban-dev dev did not stop")
	}
	assert.Contains(t, stderr.String(), "PostgreSQL stopped")
}

// syncBuffer collects output written from several goroutines.
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

// buildProduct builds the product binary that duban-dev dev runs.
func buildProduct(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "duban")
	out, err := exec.Command("go", "build", "-o", bin, "duban/cmd/duban").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}
