package loadtest

import (
	"bytes"
	"mime"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/postgres"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 99, 0},
		{"one", ms(7), 50, 7 * time.Millisecond},
		{"median of four is the second", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of 100 is the 99th", hundred, 99, 99 * time.Millisecond},
		{"p100 is the max", hundred, 100, 100 * time.Millisecond},
		{"p99 of 10 is the max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Percentile(tt.sorted, tt.p))
		})
	}
}

func TestRecorderStats(t *testing.T) {
	t.Parallel()
	r := newRecorder()
	r.add(3*time.Millisecond, 200, "hit", outcomeOK, "")
	r.add(1*time.Millisecond, 200, "miss", outcomeOK, "")
	r.add(2*time.Millisecond, 409, "", outcomeConflict, "")
	r.add(9*time.Millisecond, 503, "", outcomeError, "status 503")
	r.add(5*time.Millisecond, 0, "", outcomeError, "connection refused")
	s := r.stats("x", 3, 2*time.Second)
	assert.Equal(t, 5, s.Requests)
	assert.Equal(t, 2.5, s.RPS())
	assert.Equal(t, []int{2, 1, 2}, []int{s.OK, s.Conflicts, s.Errors})
	assert.Equal(t, 3*time.Millisecond, s.P50)
	assert.Equal(t, 9*time.Millisecond, s.P99)
	assert.Equal(t, 0.5, s.HitRate())
	assert.Equal(t, "status 503", s.FirstError)
	assert.Equal(t, map[int]int{200: 2, 409: 1, 503: 1, 0: 1}, s.Statuses)
	assert.Equal(t, -1.0, Stats{}.HitRate(), "no cache header")
}

func TestCombineKeepsWorstPercentiles(t *testing.T) {
	t.Parallel()
	a := []Stats{{Op: OpFloor, Requests: 100, Elapsed: time.Second, P99: 5 * time.Millisecond, Statuses: map[int]int{200: 100}},
		{Op: OpDashboard, Requests: 50, Elapsed: time.Second, P99: 9 * time.Millisecond, Statuses: map[int]int{200: 50}}}
	b := []Stats{{Op: OpFloor, Requests: 300, Elapsed: time.Second, P99: 3 * time.Millisecond, Statuses: map[int]int{200: 300}},
		{Op: OpDashboard, Requests: 150, Elapsed: time.Second, P99: 12 * time.Millisecond, Statuses: map[int]int{200: 150}}}
	c := Combine([][]Stats{a, b})
	require.Len(t, c, 2)
	assert.Equal(t, 200.0, c[0].RPS())
	assert.Equal(t, 5*time.Millisecond, c[0].P99)
	assert.Equal(t, 12*time.Millisecond, c[1].P99)
	assert.Equal(t, 200, c[1].Statuses[200])
	assert.Equal(t, 100, a[0].Statuses[200], "the rounds are left alone")
	var out bytes.Buffer
	Table(&out, c)
	assert.Contains(t, out.String(), "0.50", "dashboard at half the floor")
}

func TestParseReportFormAndBody(t *testing.T) {
	t.Parallel()
	page := `<form method="post" action="/assignments/7/report" enctype="multipart/form-data">
		<input type="hidden" name="csrf" value="a&#43;b"/><input type="hidden" name="version" value="12"/>
		<input type="number" id="percent" name="percent" min="0" max="100" step="1" required value="40" inputmode="numeric"/>
		<input type="number" id="ind-3" name="ind-3" step="any" value="2.5"/>
		<input type="number" id="ind-4" name="ind-4" step="any" value=""/>`
	f, err := parseReportForm([]byte(page))
	require.NoError(t, err)
	assert.Equal(t, reportForm{csrf: "a+b", version: 12, percent: 40, indicators: [][2]string{{"ind-3", "2.5"}, {"ind-4", ""}}}, f)

	body, ct := reportBody(f, "loadtest x #1")
	_, params, err := mime.ParseMediaType(ct)
	require.NoError(t, err)
	form, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).ReadForm(1 << 20)
	require.NoError(t, err)
	assert.Equal(t, []string{"a+b"}, form.Value["csrf"])
	assert.Equal(t, []string{"12"}, form.Value["version"], "the version read is posted back")
	assert.Equal(t, []string{"41"}, form.Value["percent"])
	assert.Equal(t, []string{"loadtest x #1"}, form.Value["progress"])
	assert.Equal(t, []string{"2.5"}, form.Value["ind-3"], "indicators posted back as a browser does")

	_, err = parseReportForm([]byte(`<p>signed out</p>`))
	assert.Error(t, err)
}

func TestParseStatus(t *testing.T) {
	t.Parallel()
	m := parseStatus([]byte("Name:\tduban\nVmHWM:\t  185456 kB\nVmRSS:\t   36632 kB\nThreads:\t9\n"))
	assert.Equal(t, Memory{RSS: 36632 << 10, HWM: 185456 << 10}, m)
}

func TestCheck(t *testing.T) {
	t.Parallel()
	before := postgres.ReportAudit{Reports: map[int64]int{1: 10, 2: 5}, ReportEvents: map[int64]int{1: 10, 2: 5}}
	w := Writes{
		Acknowledged: map[string]int64{"m a": 1, "m b": 2},
		Refused:      map[string]int64{"m c": 1},
		Unknown:      map[string]int64{"m d": 2, "m e": 2},
	}
	good := postgres.ReportAudit{Reports: map[int64]int{1: 11, 2: 7}, ReportEvents: map[int64]int{1: 11, 2: 7},
		Marked: map[string]int64{"m a": 1, "m b": 2, "m d": 2}}
	v := Check(before, good, w)
	assert.True(t, v.OK(), "%s", v)
	assert.Equal(t, 1, v.UnknownStored)
	assert.Contains(t, v.String(), "OK: 2 acknowledged (303), 1 refused (409), 2 without answer (1 of them stored)")

	tests := []struct {
		name  string
		after postgres.ReportAudit
		want  string
	}{
		{"an acknowledged report missing", postgres.ReportAudit{Reports: map[int64]int{1: 10, 2: 7}, ReportEvents: map[int64]int{1: 10, 2: 7},
			Marked: map[string]int64{"m b": 2, "m d": 2}}, "MISSING 1"},
		{"a refused report stored", postgres.ReportAudit{Reports: map[int64]int{1: 12, 2: 7}, ReportEvents: map[int64]int{1: 12, 2: 7},
			Marked: map[string]int64{"m a": 1, "m b": 2, "m c": 1, "m d": 2}}, "REFUSED BUT STORED 1"},
		{"stored twice", postgres.ReportAudit{Reports: map[int64]int{1: 12, 2: 7}, ReportEvents: map[int64]int{1: 12, 2: 7},
			Marked: map[string]int64{"m a": -1, "m b": 2, "m d": 2}}, "STRAY 1"},
		{"a report without its event", postgres.ReportAudit{Reports: map[int64]int{1: 11, 2: 7}, ReportEvents: map[int64]int{1: 11, 2: 6},
			Marked: map[string]int64{"m a": 1, "m b": 2, "m d": 2}}, "report events +2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Check(before, tt.after, w)
			assert.False(t, v.OK())
			assert.True(t, strings.Contains(v.String(), tt.want), "%s", v)
		})
	}
}

func TestPacedRate(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]float64{"paced": 1, "paced@4": 4, "paced@0.5": 0.5} {
		got, err := PacedRate(name)
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
		assert.True(t, IsWriting(name), name)
	}
	for _, name := range []string{"paced@", "paced@0", "paced@-1", "paced@x", "paced@5000", "report"} {
		_, err := PacedRate(name)
		assert.Error(t, err, name)
	}
	assert.True(t, IsWriting("report"))
	assert.True(t, IsWriting("mixed"))
	assert.False(t, IsWriting("dashboard"))
}

func TestSweep(t *testing.T) {
	t.Parallel()
	level := func(op string, answered int, p99 time.Duration) Stats {
		return Stats{Op: op, Connections: 50, Requests: answered * 10, Elapsed: 10 * time.Second, P99: p99}
	}
	got := sweep([]Stats{
		level(OpPacedReportForm, 50, time.Millisecond),
		level(OpPacedReport, 50, 10*time.Millisecond),
		level("paced@8/report", 400, 40*time.Millisecond),
		level("paced@4/report", 200, 12*time.Millisecond),
		level("paced@12/report", 500, 30*time.Millisecond), // fell behind: 500 of 600 a second
		level(OpReport, 650, 100*time.Millisecond),
	})
	assert.Equal(t, "report submission at steady rates: p99 under 50 ms up to 400 reports/s (50/s offered, 50/s answered, p99 10.0ms; "+
		"200/s offered, 200/s answered, p99 12.0ms; 400/s offered, 400/s answered, p99 40.0ms; 600/s offered, 500/s answered, p99 30.0ms)", got)
	assert.Contains(t, sweep([]Stats{level(OpPacedReport, 50, 60*time.Millisecond), level("paced@4/report", 200, 70*time.Millisecond)}), "at none of them")
	assert.Empty(t, sweep([]Stats{level(OpPacedReport, 50, 10*time.Millisecond)}), "one rate is no sweep")
}

func TestDailyTargets(t *testing.T) {
	t.Parallel()
	st := func(op string, rps int, p99 time.Duration) Stats {
		return Stats{Op: op, Requests: rps, Elapsed: time.Second, P99: p99}
	}
	byOp := map[string]Stats{
		OpFloor:             st(OpFloor, 1000, 10*time.Millisecond),
		OpLedger:            st(OpLedger, 600, 40*time.Millisecond),
		OpLedger + "+gz":    st(OpLedger+"+gz", 550, 45*time.Millisecond),
		OpWeekly:            st(OpWeekly, 600, 40*time.Millisecond),
		OpWeekly + "+gz":    st(OpWeekly+"+gz", 400, 45*time.Millisecond),
		OpRanking:           st(OpRanking, 900, 60*time.Millisecond),
		OpNotifications:     st(OpNotifications, 900, 10*time.Millisecond),
		"notifications+gzz": st("x", 1, time.Hour),
	}
	var out bytes.Buffer
	dailyTargets(&out, 1, byOp)
	s := out.String()
	assert.Contains(t, s, "ledger        ledger 0.60, p99 40.0ms; ledger+gz 0.55, p99 45.0ms: met")
	assert.Contains(t, s, "weekly+gz 0.40, p99 45.0ms: NOT MET", "gzipped below half the floor")
	assert.Contains(t, s, "ranking 0.90, p99 60.0ms: NOT MET", "p99 above 50 ms")
	assert.Contains(t, s, "NOT MET by weekly, ranking")
	assert.NotContains(t, s, "dashboard", "pages not measured are not listed")
	out.Reset()
	dailyTargets(&out, 200, byOp)
	assert.Contains(t, out.String(), "all met", "0.3 of the floor and 100 ms at scale 200")
}
