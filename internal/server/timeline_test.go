package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/workplan"
)

var (
	reportIDRe = regexp.MustCompile(`id="r(\d+)" class="report"`)
	olderRe    = regexp.MustCompile(`href="([^"]+)" data-testid="timeline-older"`)
	newestRe   = regexp.MustCompile(`href="([^"]+)" data-testid="timeline-newest"`)
)

// TestTimelinePages: an assignment with more reports than a timeline shows
// is read a page at a time, newest first, with links to the older page and
// back; no report is skipped or shown twice, even when reports share their
// instant; only the newest page offers a review.
func TestTimelinePages(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	asg := w.plan.ownAsg.ID
	own := workplan.ActorOf(w.users[staffOwn], "t", "192.0.2.1")
	// The test clock stands still: every report has the same instant.
	for i := range 35 {
		_, err := w.db.FileReport(bg, own, workplan.ReportInput{AssignmentID: asg, BaseVersion: w.version(asg),
			Percent: 100, ClaimsCompletion: i == 34, Progress: fmt.Sprintf("第 %d 次", i+1)})
		require.NoError(t, err)
	}
	var want []string
	rows, err := w.db.Pool.Query(bg, `SELECT id FROM reports WHERE assignment_id = $1 ORDER BY submitted_at DESC, id DESC`, asg)
	require.NoError(t, err)
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		want = append(want, strconv.FormatInt(id, 10))
	}
	require.NoError(t, rows.Err())
	require.Len(t, want, 36, "the fixture's report and 35 more")

	ids := func(body string) []string {
		var out []string
		for _, m := range reportIDRe.FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	path := fmt.Sprintf("/assignments/%d", asg)
	res := w.do(supervisor, http.MethodGet, path+"?filed=1", nil)
	require.Equal(t, http.StatusOK, res.Code)
	first := res.Body.String()
	assert.Equal(t, want[:30], ids(first), "the newest 30")
	assert.Contains(t, first, `/reports/`+want[0]+`/review`, "the newest report can be reviewed")
	assert.NotRegexp(t, newestRe, first)
	older := olderRe.FindStringSubmatch(first)
	require.NotNil(t, older, "a link to the older reports")
	assert.Equal(t, path+"?before="+want[29]+"#timeline", strings.ReplaceAll(older[1], "&amp;", "&"), "without ?filed")

	res = w.do(supervisor, http.MethodGet, strings.TrimSuffix(older[1], "#timeline"), nil)
	require.Equal(t, http.StatusOK, res.Code)
	second := res.Body.String()
	assert.Equal(t, want[30:], ids(second), "the rest, none twice")
	assert.NotContains(t, second, `data-testid="review-form"`, "no review on an older page")
	assert.NotRegexp(t, olderRe, second)
	newest := newestRe.FindStringSubmatch(second)
	require.NotNil(t, newest)
	assert.Equal(t, path+"#timeline", newest[1])

	// The task page pages the same way, keeping its other parameters.
	res = w.do(supervisor, http.MethodGet, "/plans/fixture/tasks/2?"+url.Values{"before": {want[9]}}.Encode(), nil)
	require.Equal(t, http.StatusOK, res.Code)
	assert.Equal(t, want[10:36], ids(res.Body.String()))

	res = w.do(supervisor, http.MethodGet, path+"?before=x", nil)
	assert.Equal(t, http.StatusUnprocessableEntity, res.Code)
	assert.Contains(t, res.Body.String(), "before")
}
