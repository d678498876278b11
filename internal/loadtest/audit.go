package loadtest

import (
	"fmt"
	"sort"
	"strings"

	"duban/internal/postgres"
)

// Verdict says whether the reports a run filed are exactly those the
// database holds: no acknowledged write missing, no refused write present.
type Verdict struct {
	// Acknowledged, Refused and Unknown count the writes by answer (303,
	// 409, anything else or no answer).
	Acknowledged, Refused, Unknown int
	// Missing are acknowledged writes not in the database.
	Missing []string
	// Written are refused writes found in the database anyway.
	Written []string
	// Strays are reports with the run's marker that no write of the run
	// filed, or that are stored twice.
	Strays []string
	// UnknownStored counts the unknown writes that did reach the database.
	UnknownStored int
	// ReportsAdded and EventsAdded are the growth of the reports and
	// report events of the assignments written to.
	ReportsAdded, EventsAdded int
}

// Check compares what the database held before and after a run (both from
// postgres.DB.AuditReports over the run's assignments, after with the run's
// marker) with the run's record of writes. Nothing but the run may have
// written to those assignments meanwhile.
func Check(before, after postgres.ReportAudit, w Writes) Verdict {
	v := Verdict{Acknowledged: len(w.Acknowledged), Refused: len(w.Refused), Unknown: len(w.Unknown)}
	for text, id := range w.Acknowledged {
		if got, ok := after.Marked[text]; !ok || got != id {
			v.Missing = append(v.Missing, text)
		}
	}
	for text := range w.Refused {
		if _, ok := after.Marked[text]; ok {
			v.Written = append(v.Written, text)
		}
	}
	for text, id := range after.Marked {
		_, ack := w.Acknowledged[text]
		_, unk := w.Unknown[text]
		switch {
		case id < 0:
			v.Strays = append(v.Strays, text+" (stored twice)")
		case unk:
			v.UnknownStored++
		case !ack && w.Refused[text] == 0:
			v.Strays = append(v.Strays, text)
		}
	}
	for id, n := range after.Reports {
		v.ReportsAdded += n - before.Reports[id]
	}
	for id, n := range after.ReportEvents {
		v.EventsAdded += n - before.ReportEvents[id]
	}
	sort.Strings(v.Missing)
	sort.Strings(v.Written)
	sort.Strings(v.Strays)
	return v
}

// OK reports whether no update was lost or invented: every acknowledged
// report is stored once, no refused one is, and the assignments grew by
// exactly the reports stored (each with its history event).
func (v Verdict) OK() bool {
	stored := v.Acknowledged + v.UnknownStored
	return len(v.Missing) == 0 && len(v.Written) == 0 && len(v.Strays) == 0 &&
		v.ReportsAdded == stored && v.EventsAdded == stored
}

// String is one line for the log.
func (v Verdict) String() string {
	var b strings.Builder
	word := "OK"
	if !v.OK() {
		word = "FAILED"
	}
	fmt.Fprintf(&b, "no lost update: %s: %d acknowledged (303), %d refused (409), %d without answer (%d of them stored); reports +%d, report events +%d",
		word, v.Acknowledged, v.Refused, v.Unknown, v.UnknownStored, v.ReportsAdded, v.EventsAdded)
	if len(v.Missing) > 0 {
		fmt.Fprintf(&b, "; MISSING %d, e.g. %q", len(v.Missing), v.Missing[0])
	}
	if len(v.Written) > 0 {
		fmt.Fprintf(&b, "; REFUSED BUT STORED %d, e.g. %q", len(v.Written), v.Written[0])
	}
	if len(v.Strays) > 0 {
		fmt.Fprintf(&b, "; STRAY %d, e.g. %q", len(v.Strays), v.Strays[0])
	}
	return b.String()
}
