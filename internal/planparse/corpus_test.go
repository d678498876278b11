package planparse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpusDoc is the expected reading of a real document of the corpus,
// written by hand from its text (testdata/corpus/NAME.json beside NAME.txt,
// whose first line names its source).
type corpusDoc struct {
	Source string   `json:"source"`
	Family string   `json:"family"` // labelled, inline, report, table
	Notes  string   `json:"notes"`
	Unsure []string `json:"unsure"`
	Tasks  []struct {
		Title       string   `json:"title"` // a prefix of the task's title
		Lead        []string `json:"lead"`
		Responsible []string `json:"responsible"`
		Cooperating []string `json:"cooperating"`
		Deadline    string   `json:"deadline"`
		People      []Person `json:"people"`
	} `json:"tasks"`
}

// corpusFloors are the scores each family must keep: a little under what the
// parser reaches today, so that a change that reads real documents worse
// fails. Raise them as the parser improves.
var corpusFloors = map[string]float64{"labelled": 0.90, "inline": 0.95, "report": 0.95, "table": 0.95}

// TestCorpus parses each real document of testdata/corpus and scores it
// against its expected reading, field by field: per task its title, lead,
// responsible and cooperating units, deadline and (where named) people; a
// task missing or extra scores nothing for its fields. It prints the score
// per family and per document (go test -v -run TestCorpus), and fails when a
// family falls under its floor.
func TestCorpus(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.txt"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 15, "at least 15 real documents")
	type score struct{ got, of int }
	families := map[string]*score{}
	var lines []string
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		first, text, _ := bytes.Cut(b, []byte("\n"))
		require.True(t, bytes.HasPrefix(first, []byte("# source: http")), "%s: the first line names the source", name)
		jb, err := os.ReadFile(strings.TrimSuffix(f, ".txt") + ".json")
		require.NoError(t, err, name)
		var want corpusDoc
		require.NoError(t, json.Unmarshal(jb, &want), name)
		require.Contains(t, corpusFloors, want.Family, name)
		require.NotEmpty(t, want.Tasks, name)

		got, of, misses := scoreDoc(text, want)
		s := families[want.Family]
		if s == nil {
			s = &score{}
			families[want.Family] = s
		}
		s.got += got
		s.of += of
		line := fmt.Sprintf("  %-16s %-9s %3d/%3d %5.1f%%", name, want.Family, got, of, 100*float64(got)/float64(of))
		if len(misses) > 0 {
			line += "  misses: " + strings.Join(misses[:min(len(misses), 4)], "; ")
			if len(misses) > 4 {
				line += fmt.Sprintf("; … (%d in all)", len(misses))
			}
		}
		lines = append(lines, line)
	}
	names := make([]string, 0, len(families))
	for n := range families {
		names = append(names, n)
	}
	sort.Strings(names)
	t.Logf("corpus: %d real documents; score = fields read as the hand-written reading has them", len(files))
	for _, n := range names {
		s := families[n]
		t.Logf("corpus: family %-9s %4d/%4d = %5.1f%%", n, s.got, s.of, 100*float64(s.got)/float64(s.of))
		assert.GreaterOrEqual(t, float64(s.got)/float64(s.of), corpusFloors[n], "family %s fell under its floor", n)
	}
	for _, l := range lines {
		t.Log("corpus: " + l)
	}
}

// scoreDoc parses a document and counts the fields read as expected.
func scoreDoc(text []byte, want corpusDoc) (got, of int, misses []string) {
	fields := func(i int) int {
		n := 5
		if len(want.Tasks[i].People) > 0 {
			n++
		}
		return n
	}
	for i := range want.Tasks {
		of += fields(i)
	}
	doc, err := Parse(bytes.NewReader(text), "corpus")
	if err != nil {
		return 0, of, []string{"not read: " + err.Error()}
	}
	if extra := len(doc.Tasks) - len(want.Tasks); extra > 0 {
		of += 5 * extra
		misses = append(misses, fmt.Sprintf("%d tasks too many", extra))
	}
	for i, w := range want.Tasks {
		if i >= len(doc.Tasks) {
			misses = append(misses, fmt.Sprintf("task %d missing", i+1))
			continue
		}
		g := doc.Tasks[i]
		check := func(ok bool, what string, v any) {
			if ok {
				got++
				return
			}
			misses = append(misses, fmt.Sprintf("task %d %s %v", i+1, what, v))
		}
		check(strings.HasPrefix(strings.ReplaceAll(g.Title, " ", ""), w.Title), "title", clip(g.Title))
		check(sameSet(g.LeadUnits, w.Lead), "lead", g.LeadUnits)
		check(sameSet(g.ResponsibleUnits, w.Responsible), "responsible", g.ResponsibleUnits)
		check(sameSet(g.CooperatingUnits, w.Cooperating), "cooperating", g.CooperatingUnits)
		check(g.Deadline.Text == w.Deadline, "deadline", g.Deadline.Text)
		if len(w.People) > 0 {
			check(slices.Equal(g.People, w.People), "people", g.People)
		}
	}
	return got, of, misses
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
