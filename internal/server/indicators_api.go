package server

import (
	"net/http"
	"time"

	"duban/internal/deadline"
	"duban/internal/status"
	"duban/internal/workplan"
)

// apiIndicatorJSON is one indicator in the API.
type apiIndicatorJSON struct {
	Task       int                    `json:"task"`
	Text       string                 `json:"text"`
	Comparator string                 `json:"comparator"`
	Target     float64                `json:"target"`
	Unit       string                 `json:"unit"`
	Rule       workplan.Combine       `json:"rule"`
	RuleSet    bool                   `json:"rule_set"`
	Status     status.IndicatorStatus `json:"status"`
	Counted    int                    `json:"units_counted"`
	Reported   int                    `json:"units_reported"`
	Latest     apiLatestJSON          `json:"latest"`
}

// apiLatestJSON is an indicator's task value (null without one), when it
// was reported, and every listed unit's latest value.
type apiLatestJSON struct {
	Value      *float64           `json:"value"`
	At         *time.Time         `json:"at"`
	UnitValues []apiUnitValueJSON `json:"unit_values"`
}

// apiUnitValueJSON is one unit's latest value of an indicator.
type apiUnitValueJSON struct {
	Unit    string        `json:"unit"`
	Role    workplan.Role `json:"role"`
	Value   *float64      `json:"value"`
	At      *time.Time    `json:"at"`
	Counted bool          `json:"counted"`
}

// apiIndicators returns every indicator of a plan's tasks in force now or
// at the end of a date, with its status and values then.
func (s *Server) apiIndicators(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	plan, at, asOf, label, err := s.apiPlan(r)
	if err != nil {
		return err
	}
	ps, err := s.loadPlanState(ctx, plan, at, asOf)
	if err != nil {
		return err
	}
	board, err := s.planIndicators(ctx, ps)
	if err != nil {
		return err
	}
	out := struct {
		Plan       string             `json:"plan"`
		AsOf       string             `json:"as_of"`
		Issued     bool               `json:"issued"`
		Counts     map[string]int     `json:"counts"`
		Indicators []apiIndicatorJSON `json:"indicators"`
	}{Plan: plan.Slug, AsOf: label, Issued: !ps.NotIssued, Counts: map[string]int{}, Indicators: []apiIndicatorJSON{}}
	for _, st := range status.IndicatorStatuses {
		out.Counts[string(st)] = board.Counts[st]
	}
	for _, ind := range board.List {
		j := apiIndicatorJSON{Task: ind.Task.Task.Number, Text: ind.Indicator.Text, Comparator: ind.Indicator.Comparator, Target: ind.Indicator.Value,
			Unit: ind.Indicator.Unit, Rule: ind.Rule, RuleSet: ind.RuleSet, Status: ind.Status, Counted: ind.Counted, Reported: ind.Reported,
			Latest: apiLatestJSON{UnitValues: []apiUnitValueJSON{}}}
		if ind.HasValue {
			v, t := ind.Value, ind.At.In(deadline.Shanghai)
			j.Latest.Value, j.Latest.At = &v, &t
		}
		for _, u := range ind.Units {
			uv := apiUnitValueJSON{Unit: u.UnitName, Role: u.Role, Counted: u.Counted}
			if u.Has {
				v, t := u.Value, u.At.In(deadline.Shanghai)
				uv.Value, uv.At = &v, &t
			}
			j.Latest.UnitValues = append(j.Latest.UnitValues, uv)
		}
		out.Indicators = append(out.Indicators, j)
	}
	return writeJSON(w, out)
}
