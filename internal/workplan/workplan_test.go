package workplan

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAccessRules(t *testing.T) {
	t.Parallel()
	asg := Assignment{ID: 1, TaskID: 2, UnitID: 10}
	leads := []int64{20}
	tests := []struct {
		name                       string
		actor                      Actor
		file, review, read, decide bool
	}{
		{"staff of the unit", Actor{Role: UserStaff, UnitID: 10}, true, false, true, false},
		{"staff of the lead unit", Actor{Role: UserStaff, UnitID: 20}, false, true, true, false},
		{"staff of another unit", Actor{Role: UserStaff, UnitID: 30}, false, false, false, false},
		{"staff without a unit", Actor{Role: UserStaff}, false, false, false, false},
		{"supervisor", Actor{Role: UserSupervisor, UnitID: 10}, false, true, true, true},
		{"leader", Actor{Role: UserLeader}, false, false, true, false},
		{"admin", Actor{Role: UserAdmin}, false, false, true, false},
		{"nobody", Actor{}, false, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.file, tt.actor.CanFileReport(asg), "file")
			assert.Equal(t, tt.review, tt.actor.CanReview(leads), "review")
			assert.Equal(t, tt.read, tt.actor.CanReadReports(asg, leads), "read")
			assert.Equal(t, tt.decide, tt.actor.CanDecideExtension(), "decide")
		})
	}
}

func TestReportInputValidate(t *testing.T) {
	t.Parallel()
	ok := ReportInput{Percent: 40, Progress: "进展"}
	require.NoError(t, ok.Validate())
	tests := []struct {
		name string
		in   ReportInput
		want string
	}{
		{"percent over 100", ReportInput{Percent: 101, Progress: "x"}, "err.report.percent_range(101)"},
		{"negative percent", ReportInput{Percent: -1, Progress: "x"}, "err.report.percent_range(-1)"},
		{"claim below 100", ReportInput{Percent: 90, ClaimsCompletion: true}, "err.report.claim_percent(90)"},
		{"no progress", ReportInput{Percent: 10}, "err.report.progress_required"},
		{"long text", ReportInput{Percent: 10, Progress: strings.Repeat("字", MaxReportText+1)}, "err.report.progress_long(5000)"},
		{"NUL byte", ReportInput{Percent: 10, Progress: "x", Problems: "a\x00b"}, "err.report.nul"},
		{"too many files", ReportInput{Percent: 10, Progress: "x", Evidence: make([]EvidenceFile, MaxEvidenceFiles+1)}, "err.report.evidence_count(10)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.in.Validate()
			require.Error(t, err)
			assert.Equal(t, EInvalid, ErrorCode(err))
			assert.Equal(t, tt.want, err.Error(), "the message key and its arguments")
		})
	}
	assert.Error(t, ReviewInput{Decision: DecisionReturn}.Validate(), "a return needs a reason")
	assert.NoError(t, ReviewInput{Decision: DecisionAccept}.Validate())
	assert.Error(t, ReviewInput{Decision: "maybe"}.Validate())
}

func TestParseRegistry(t *testing.T) {
	t.Parallel()
	_, err := ParseRegistry([]byte(`{"units":[{"name":"甲","kind":"city_department"},{"name":"各","kind":"collective","members":["甲"]}]}`))
	require.NoError(t, err)
	tests := []struct {
		name, json, want string
	}{
		{"bad kind", `{"units":[{"name":"甲","kind":"ministry"}]}`, "kind"},
		{"empty name", `{"units":[{"name":" ","kind":"other"}]}`, "empty"},
		{"duplicate", `{"units":[{"name":"甲","kind":"other"},{"name":"乙","kind":"other","aliases":["甲"]}]}`, "already used"},
		{"unknown member", `{"units":[{"name":"各","kind":"collective","members":["丙"]}]}`, "丙"},
		{"members of a non-collective", `{"units":[{"name":"甲","kind":"other","members":["甲"]}]}`, "collective"},
		{"not json", `units:`, "registry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseRegistry([]byte(tt.json))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	assert.Equal(t, UnitCollective, GuessUnitKind("市直有关部门"))
	assert.Equal(t, UnitEnterprise, GuessUnitKind("电信平凉分公司"))
	assert.Equal(t, UnitCountyGovernment, GuessUnitKind("静宁县人民政府"))
	assert.Equal(t, UnitCityDepartment, GuessUnitKind("市林草局"))
}

func TestUnitNameVariants(t *testing.T) {
	t.Parallel()
	assert.Contains(t, UnitNameVariants("发展改革委"), "市发展改革委")
	assert.Contains(t, UnitNameVariants("发展改革委"), "市发展和改革委员会")
	assert.Contains(t, UnitNameVariants("市发展和改革委员会"), "市发展改革委")
	assert.Contains(t, UnitNameVariants("财政局"), "市财政局")
	assert.Contains(t, UnitNameVariants("崆峒区政府"), "崆峒区人民政府")
	assert.NotContains(t, UnitNameVariants("市财政局"), "市财政局", "not the name itself")
	assert.NotContains(t, UnitNameVariants("各县区政府"), "市各县区政府", "designations get no city prefix")
}
