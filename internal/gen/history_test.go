package gen

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/deadline"
	"duban/internal/planparse"
	"duban/internal/postgres"
	"duban/internal/workplan"
)

// fakePlan builds city c's assignments and accounts from the bundled
// document the way Seed and PlanUsers would, with made-up IDs, so that the
// history can be checked without a database.
func fakePlan(t testing.TB, c City) ([]postgres.PlanAssignment, Staff) {
	t.Helper()
	reg := c.Registry(1, baseRegistry(t))
	doc, err := planparse.Parse(bytes.NewReader(c.Document(baseDocument(t), baseRegistry(t))), "plan")
	require.NoError(t, err)
	ids := map[string]int64{}
	kinds := map[string]workplan.UnitKind{}
	members := map[string][]string{}
	for i, u := range reg.Units {
		ids[u.Name], kinds[u.Name], members[u.Name] = int64(i+1), u.Kind, u.Members
		for _, a := range u.Aliases {
			ids[a], kinds[a], members[a] = int64(i+1), u.Kind, u.Members
		}
	}
	name := map[int64]string{}
	for _, u := range reg.Units {
		name[ids[u.Name]] = u.Name
	}
	var out []postgres.PlanAssignment
	next := int64(1000)
	var indID int64
	for _, task := range doc.Tasks {
		var inds []workplan.Indicator
		for i, ind := range task.Indicators {
			indID++
			inds = append(inds, workplan.Indicator{ID: indID, Position: i + 1, Text: ind.Text, Comparator: ind.Comparator, Value: ind.Value, Unit: ind.Unit})
		}
		seen := map[int64]bool{}
		var leads []int64
		add := func(unit string, role workplan.Role) {
			id := ids[unit]
			if seen[id] {
				return
			}
			seen[id] = true
			if role == workplan.RoleLead {
				leads = append(leads, id)
			}
			next++
			out = append(out, postgres.PlanAssignment{
				Assignment: workplan.Assignment{ID: next, TaskID: int64(task.Number), UnitID: id, UnitName: name[id], Role: role},
				UnitKind:   kinds[unit], TaskNumber: task.Number, TaskTitle: task.Title, Deadline: task.Deadline,
				Start: *doc.IssuedOn, Indicators: inds,
			})
		}
		for _, l := range []struct {
			role  workplan.Role
			units []string
		}{{workplan.RoleLead, task.LeadUnits}, {workplan.RoleResponsible, task.ResponsibleUnits}, {workplan.RoleCooperating, task.CooperatingUnits}} {
			for _, u := range l.units {
				if ms := members[u]; len(ms) > 0 {
					for _, m := range ms {
						add(m, l.role)
					}
					continue
				}
				add(u, l.role)
			}
		}
		for i := range out {
			if out[i].TaskNumber == task.Number {
				out[i].Leads = leads
			}
		}
	}
	units := map[string]int64{}
	for _, n := range SupervisorUnits {
		units[c.UnitName(n)] = ids[c.UnitName(n)]
	}
	users := PlanUsers(Params{Seed: 1}, c, out, units, Account{CreatedAt: time.Date(2023, 8, 1, 8, 0, 0, 0, deadline.Shanghai)})
	for i := range users {
		users[i].ID = int64(100*c.Index + i + 1)
	}
	return out, StaffOf(users)
}

// TestHistoryIsConsistent checks, for a whole plan, the rules the database
// relies on: each state is the fold of its events, events are in time order
// and refer to the rows that caused them, and what people do follows the
// application's rules.
func TestHistoryIsConsistent(t *testing.T) {
	t.Parallel()
	reg := baseRegistry(t)
	for _, c := range Cities(1, 3, reg) {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			as, staff := fakePlan(t, c)
			p := Params{Seed: 1, Weeks: 52}
			h := PlanHistory(p, c, as, staff, LocalIDs{})
			checkHistory(t, p, as, staff, h)
		})
	}
}

func checkHistory(t *testing.T, p Params, as []postgres.PlanAssignment, staff Staff, h postgres.History) {
	t.Helper()
	byID := map[int64]postgres.PlanAssignment{}
	for _, a := range as {
		byID[a.ID] = a
	}
	reports := map[int64]workplan.Report{}
	for i, r := range h.Reports {
		require.Equal(t, int64(i+1), r.ID, "local report IDs count from 1")
		reports[r.ID] = r
		in := workplan.ReportInput{AssignmentID: r.AssignmentID, Percent: r.Percent, Progress: r.Progress, Problems: r.Problems,
			NextSteps: r.NextSteps, ClaimsCompletion: r.ClaimsCompletion}
		assert.NoError(t, in.Validate(), "report %d passes the form's validation", r.ID)
		a := byID[r.AssignmentID]
		assert.Equal(t, staff.ByUnit[a.UnitID].ID, r.AuthorID, "staff of the unit files its reports")
		assertOfficeHours(t, r.SubmittedAt)
	}
	reviews := map[int64]postgres.BulkReview{}
	for _, v := range h.Reviews {
		reviews[v.ID] = v
		rep := reports[v.ReportID]
		assert.Equal(t, rep.AssignmentID, v.AssignmentID)
		assert.True(t, v.ReviewedAt.After(rep.SubmittedAt), "review after its report")
		assert.NoError(t, workplan.ReviewInput{ReportID: v.ReportID, Decision: v.Decision, Reason: v.Reason}.Validate())
		a := byID[v.AssignmentID]
		reviewer := workplan.Actor{UserID: v.ReviewerID, Role: workplan.UserSupervisor}
		for _, u := range staff.ByUnit {
			if u.ID == v.ReviewerID {
				reviewer = workplan.Actor{UserID: u.ID, Role: workplan.UserStaff, UnitID: u.UnitID}
			}
		}
		assert.True(t, reviewer.CanReview(a.Leads), "review %d by someone who may review", v.ID)
		assert.NotEqual(t, a.UnitID, reviewer.UnitID, "no unit reviews its own reports")
		assertOfficeHours(t, v.ReviewedAt)
	}
	decisions := map[int64]postgres.BulkExtension{}
	for _, x := range h.Extensions {
		a := byID[x.Request.AssignmentID]
		require.True(t, a.Deadline.Kind.HasDue())
		assert.True(t, x.Request.RequestedAt.Before(a.Deadline.Due.End(deadline.Shanghai)), "requested before the due date")
		assert.True(t, x.Request.RequestedDue.After(a.Deadline.Due))
		if d := x.Request.Decision; d != nil {
			decisions[x.DecisionID] = x
			assert.True(t, d.DecidedAt.After(x.Request.RequestedAt))
			assert.True(t, d.Approved || d.Reason != "", "a rejection has a reason")
		}
	}
	events := map[int64][]deadline.Event{}
	approved := 0
	for _, e := range h.Events {
		if prev := events[e.AssignmentID]; len(prev) > 0 {
			require.True(t, e.Event.At.After(prev[len(prev)-1].At), "events of assignment %d strictly in time order", e.AssignmentID)
		}
		a := byID[e.AssignmentID]
		assert.False(t, e.Event.At.Before(a.Start.Time(deadline.Shanghai)))
		assert.True(t, e.Event.At.Before(a.Start.AddDays(7*p.Weeks).Time(deadline.Shanghai)))
		switch e.Event.Kind {
		case deadline.EventReport:
			r := reports[e.ReportID]
			assert.Equal(t, e.AssignmentID, r.AssignmentID)
			assert.Equal(t, r.SubmittedAt, e.Event.At)
			assert.Equal(t, r.Percent, e.Event.Percent)
			assert.Equal(t, r.ClaimsCompletion, e.Event.Claims)
		case deadline.EventAccept, deadline.EventReturn:
			v := reviews[e.ReviewID]
			assert.Equal(t, e.AssignmentID, v.AssignmentID)
			assert.Equal(t, v.ReviewedAt, e.Event.At)
			assert.Equal(t, reports[v.ReportID].SubmittedAt, e.Event.ReportAt)
			assert.Equal(t, string(e.Event.Kind), string(v.Decision))
		case deadline.EventExtension:
			x := decisions[e.DecisionID]
			require.NotNil(t, x.Request.Decision)
			assert.True(t, x.Request.Decision.Approved)
			assert.Equal(t, x.Request.Decision.DecidedAt, e.Event.At)
			assert.Equal(t, x.Request.RequestedDue, e.Event.NewDue)
			approved++
		}
		events[e.AssignmentID] = append(events[e.AssignmentID], e.Event)
	}
	nApproved := 0
	for _, x := range decisions {
		if x.Request.Decision.Approved {
			nApproved++
		}
	}
	assert.Equal(t, nApproved, approved, "one extension event per approval")
	assert.Len(t, h.States, len(events), "a state for every assignment with history")
	for _, s := range h.States {
		evs := events[s.AssignmentID]
		assert.Equal(t, deadline.Fold(deadline.Facts{}, evs), s.Facts, "state of %d is the fold of its events", s.AssignmentID)
		assert.Equal(t, len(evs), s.Version)
		assert.Equal(t, evs[len(evs)-1].At, s.UpdatedAt)
		var latest int64
		for _, r := range h.Reports {
			if r.AssignmentID == s.AssignmentID {
				latest = r.ID
			}
		}
		assert.Equal(t, latest, s.LastReportID)
	}
}

func assertOfficeHours(t *testing.T, at time.Time) {
	t.Helper()
	l := at.In(deadline.Shanghai)
	m := l.Hour()*60 + l.Minute()
	assert.True(t, workday(deadline.DateOf(at, deadline.Shanghai)), "%s is a working day", l)
	assert.True(t, m >= morningFrom && m < morningTo || m >= afternoonFrom && m < afternoonTo, "%s is in office hours", l)
	assert.Zero(t, at.Nanosecond()%1000, "microsecond precision")
}

// TestHistoryVariety checks that a province's history has what the
// dashboards must show: finished, late and never-finished work, returned
// claims, extensions both ways, units that stopped reporting and ones that
// never did, and about 37 reports per assignment over a year.
func TestHistoryVariety(t *testing.T) {
	t.Parallel()
	reg := baseRegistry(t)
	p := Params{Seed: 1, Weeks: 52}
	var reports, assignments, evidence int
	lights := map[deadline.Light]int{}
	states := map[deadline.State]int{}
	var returned, revoked, rejected, approved int
	for _, c := range Cities(1, 6, reg) {
		as, staff := fakePlan(t, c)
		h := PlanHistory(p, c, as, staff, LocalIDs{})
		reports += len(h.Reports)
		assignments += len(as)
		evidence += len(h.Evidence)
		accepted := map[int64]bool{}
		for _, v := range h.Reviews {
			if v.Decision == workplan.DecisionAccept {
				accepted[v.ReportID] = true
			} else if accepted[v.ReportID] {
				revoked++
			} else {
				returned++
			}
		}
		for _, x := range h.Extensions {
			if d := x.Request.Decision; d != nil && d.Approved {
				approved++
			} else if d != nil {
				rejected++
			}
		}
		byID := map[int64]postgres.BulkState{}
		for _, s := range h.States {
			byID[s.AssignmentID] = s
		}
		end := as[0].Start.AddDays(7 * p.Weeks).Time(deadline.Shanghai)
		for _, a := range as {
			f := byID[a.ID].Facts
			f.Deadline, f.Start = a.Deadline, a.Start
			st := deadline.Evaluate(f, end, deadline.DefaultPolicy())
			lights[st.Light]++
			states[st.State]++
		}
	}
	perAssignment := float64(reports) / float64(assignments)
	t.Logf("%d assignments, %.1f reports each, evidence on %.1f%%; lights %v; states %v; returned %d, revoked %d, extensions approved %d, rejected %d",
		assignments, perAssignment, 100*float64(evidence)/float64(reports), lights, states, returned, revoked, approved, rejected)
	assert.InDelta(t, 37, perAssignment, 6, "reports per assignment and year")
	assert.InDelta(t, 0.1, float64(evidence)/float64(reports), 0.05, "evidence on about one report in ten")
	for _, l := range []deadline.Light{deadline.LightRed, deadline.LightYellow, deadline.LightGreen} {
		assert.Positive(t, lights[l], "some assignments are %s", l)
	}
	assert.Positive(t, states[deadline.StateCompletedOnTime])
	assert.Positive(t, states[deadline.StateCompletedLate])
	assert.Positive(t, returned)
	assert.Positive(t, revoked)
	assert.Positive(t, approved)
	assert.Positive(t, rejected)
}

// TestHistoryIsDeterministic checks that a seed gives the same history and
// another seed another one.
func TestHistoryIsDeterministic(t *testing.T) {
	t.Parallel()
	c := Cities(1, 2, baseRegistry(t))[1]
	as, staff := fakePlan(t, c)
	a := PlanHistory(Params{Seed: 5, Weeks: 20}, c, as, staff, LocalIDs{})
	b := PlanHistory(Params{Seed: 5, Weeks: 20}, c, as, staff, LocalIDs{})
	d := PlanHistory(Params{Seed: 6, Weeks: 20}, c, as, staff, LocalIDs{})
	assert.Equal(t, a, b)
	assert.NotEqual(t, a.Events, d.Events)
}

// BenchmarkPlanHistory measures inventing one invented city's year: about
// 15,000 reports.
func BenchmarkPlanHistory(b *testing.B) {
	c := Cities(1, 2, baseRegistry(b))[1]
	as, staff := fakePlan(b, c)
	for b.Loop() {
		h := PlanHistory(Params{Seed: 1, Weeks: 52}, c, as, staff, LocalIDs{})
		b.ReportMetric(float64(len(h.Reports)), "reports/op")
	}
}
