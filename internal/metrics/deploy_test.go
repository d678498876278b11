package metrics

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/deadline"
)

// futureMetrics are charted by the Grafana dashboard but do not exist yet
// (the reminders' exist since issue 14: none are left).
var futureMetrics = []string{}

// exposedFamilies returns the duban_ metric families of a fully wired
// registry, every labelled vector given a series.
func exposedFamilies(t *testing.T) []string {
	t.Helper()
	m := New()
	serve(router(m), http.MethodGet, "/livez")
	pool, err := pgxpool.New(context.Background(), "postgres://duban@127.0.0.1:1/duban")
	require.NoError(t, err)
	defer pool.Close()
	m.WatchPool(pool.Stat)
	m.Cache("dashboard", &CacheCounts{})
	m.ChangeFeed(func() bool { return true })
	m.ReportsFiled.WithLabelValues("form")
	m.ReviewsDecided.WithLabelValues("accept")
	m.SignInFailures.WithLabelValues("bad_password")
	_, _ = m.Snapshots(fakeTaker{}).TakeSnapshots(context.Background(), deadline.Date{Year: 2024, Month: 1, Day: 1})
	m.ReminderPass(time.Second, 3)
	m.Outbox(map[string]map[string]int{"pending": {"email": 1}, "failed": {}})
	var names []string
	for _, line := range strings.Split(scrape(t, m), "\n") {
		if rest, ok := strings.CutPrefix(line, "# TYPE duban_"); ok {
			names = append(names, "duban_"+strings.Fields(rest)[0])
		}
	}
	return names
}

var metricName = regexp.MustCompile(`duban_[a-z_]+`)

// family maps a series name to its family (histograms expose _bucket,
// _sum and _count).
func family(name string, exposed []string) string {
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && slices.Contains(exposed, base) {
			return base
		}
	}
	return name
}

// TestGrafanaDashboardChartsWhatIsExposed keeps deploy/grafana/duban.json
// in step with the registry: every metric it queries exists (or is one of
// the reminders' to come), and every metric that exists is charted.
func TestGrafanaDashboardChartsWhatIsExposed(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../deploy/grafana/duban.json")
	require.NoError(t, err)
	var dash struct {
		UID    string `json:"uid"`
		Panels []struct {
			ID      int    `json:"id"`
			Type    string `json:"type"`
			Title   string `json:"title"`
			Targets []struct {
				Expr       string `json:"expr"`
				Datasource struct {
					UID string `json:"uid"`
				} `json:"datasource"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(b, &dash), "the dashboard is valid JSON")
	require.NotEmpty(t, dash.UID)
	exposed := exposedFamilies(t)
	require.Contains(t, exposed, "duban_http_requests_total")
	require.Contains(t, exposed, "duban_db_pool_acquired_connections")

	ids := map[int]bool{}
	charted := map[string]bool{}
	rows := 0
	for _, p := range dash.Panels {
		assert.False(t, ids[p.ID], "panel id %d is unique", p.ID)
		ids[p.ID] = true
		if p.Type == "row" {
			rows++
			continue
		}
		require.NotEmpty(t, p.Targets, "panel %q queries something", p.Title)
		for _, tg := range p.Targets {
			assert.Equal(t, "${datasource}", tg.Datasource.UID, "panel %q uses the dashboard's data source variable", p.Title)
			assert.Contains(t, tg.Expr, `job=~"$job"`, "panel %q follows the job variable", p.Title)
			for _, name := range metricName.FindAllString(tg.Expr, -1) {
				f := family(name, exposed)
				charted[f] = true
				assert.True(t, slices.Contains(exposed, f) || slices.Contains(futureMetrics, f),
					"panel %q queries %s, which duban does not expose", p.Title, name)
			}
		}
	}
	assert.GreaterOrEqual(t, rows, 7, "traffic, errors, latency, pool, caches, activity, reminders, runtime rows")
	for _, f := range exposed {
		assert.True(t, charted[f], "the dashboard charts %s", f)
	}
	for _, f := range []string{"duban_reminder_pass_last_run_timestamp_seconds", "duban_reminder_pass_duration_seconds",
		"duban_reminder_pass_messages", "duban_outbox_pending", "duban_outbox_failed"} {
		assert.Contains(t, exposed, f, "the reminders row's metric exists")
		assert.True(t, charted[f], "the reminders row charts %s", f)
	}
}

// TestPrometheusRulesUseExposedMetrics checks the alerting rules' metric
// names against the registry.
func TestPrometheusRulesUseExposedMetrics(t *testing.T) {
	t.Parallel()
	exposed := exposedFamilies(t)
	for _, file := range []string{"../../deploy/prometheus/duban-alerts.yml", "../../deploy/prometheus/prometheus.yml"} {
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		for _, name := range metricName.FindAllString(string(b), -1) {
			f := family(name, exposed)
			assert.True(t, slices.Contains(exposed, f) || slices.Contains(futureMetrics, f), "%s names %s, which duban does not expose", file, name)
		}
	}
}
