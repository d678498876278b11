package loadtest

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSumSeries(t *testing.T) {
	t.Parallel()
	text := `# HELP duban_http_requests_total HTTP requests answered.
# TYPE duban_http_requests_total counter
duban_http_requests_total{code="2xx",method="GET",route="/plans/{slug}/dashboard"} 120543
duban_http_requests_total{code="3xx",method="GET",route="/plans/{slug}/dashboard"} 2
duban_http_requests_total{code="2xx",method="GET",route="/debug/floor"} 99999
duban_http_request_duration_seconds_count{route="/plans/{slug}/dashboard"} 120545
`
	n, err := sumSeries(strings.NewReader(text), "duban_http_requests_total{", `route="/plans/{slug}/dashboard"`)
	require.NoError(t, err)
	assert.Equal(t, 120545.0, n)
}

func TestOverheadRelative(t *testing.T) {
	t.Parallel()
	stats := func(floor, dash int) []Stats {
		return []Stats{{Op: OpFloor, Requests: floor, Elapsed: time.Second}, {Op: OpDashboard, Requests: dash, Elapsed: time.Second}}
	}
	o := Overhead{Off: stats(7000, 10500), On: stats(7000, 10290)}
	assert.InDelta(t, 1.5, Ratio(o.Off), 1e-9)
	assert.InDelta(t, 0.98, o.Relative(), 1e-9)
	assert.Zero(t, Ratio(nil))
	assert.Zero(t, Overhead{}.Relative())
}

func TestParseCPUTime(t *testing.T) {
	t.Parallel()
	// A command with spaces and parentheses in its name; utime 1234 and
	// stime 66 ticks.
	stat := "4242 (duban (serve) x) S 1 4242 4242 0 -1 4194560 1543 0 0 0 1234 66 0 0 20 0 9 0 1000 1 2 3"
	d, err := parseCPUTime(stat)
	require.NoError(t, err)
	assert.Equal(t, 13*time.Second, d)
	_, err = parseCPUTime("garbage")
	assert.Error(t, err)
	d, err = cpuTime(os.Getpid())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, d, time.Duration(0))
}

func TestCPUShare(t *testing.T) {
	t.Parallel()
	o := Overhead{Off: []Stats{{Op: OpDashboard, Requests: 1000}}, On: []Stats{{Op: OpDashboard, Requests: 990}},
		CPU: map[string][2]time.Duration{OpDashboard: {100 * time.Millisecond, 100 * time.Millisecond}}}
	assert.InDelta(t, 1000.0/990, o.CPUShare(OpDashboard), 1e-3)
	assert.Zero(t, o.CPUShare(OpFloor))
}
