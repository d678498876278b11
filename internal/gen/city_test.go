package gen

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"duban/internal/planparse"
	"duban/internal/workplan"
	"duban/seeds"
)

func baseRegistry(t testing.TB) workplan.Registry {
	t.Helper()
	b, err := seeds.FS.ReadFile(seeds.Registry)
	require.NoError(t, err)
	reg, err := workplan.ParseRegistry(b)
	require.NoError(t, err)
	return reg
}

func baseDocument(t testing.TB) []byte {
	t.Helper()
	b, err := seeds.FS.ReadFile(seeds.DefaultPlan)
	require.NoError(t, err)
	return b
}

func TestCitiesAreDistinct(t *testing.T) {
	t.Parallel()
	reg := baseRegistry(t)
	cities := Cities(1, 300, reg)
	require.Len(t, cities, 300)
	assert.Equal(t, "平凉", cities[0].Name)
	assert.True(t, cities[0].Base())
	assert.Equal(t, "plan-2023-001", cities[0].Slug(2023))
	assert.Equal(t, "plan-2023-300", cities[299].Slug(2023))

	// All registries together are one valid registry: no name or alias is
	// used twice across the province.
	var all workplan.Registry
	for _, c := range cities {
		all.Units = append(all.Units, c.Registry(1, reg).Units...)
	}
	var buf bytes.Buffer
	buf.WriteString(`{"units": [`)
	for i, u := range all.Units {
		if i > 0 {
			buf.WriteString(",")
		}
		buf.WriteString(unitJSON(u))
	}
	buf.WriteString("]}")
	_, err := workplan.ParseRegistry(buf.Bytes())
	require.NoError(t, err)

	again := Cities(1, 300, reg)
	other := Cities(2, 300, reg)
	for i := range cities {
		assert.Equal(t, cities[i].Name, again[i].Name, "same seed, same names")
	}
	assert.NotEqual(t, cities[1].Name, other[1].Name, "another seed, other names")
}

func unitJSON(u workplan.RegistryUnit) string {
	q := func(s []string) string {
		var parts []string
		for _, x := range s {
			parts = append(parts, `"`+x+`"`)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return `{"name": "` + u.Name + `", "kind": "` + string(u.Kind) + `", "aliases": ` + q(u.Aliases) + `, "members": ` + q(u.Members) + `}`
}

func TestUnitName(t *testing.T) {
	t.Parallel()
	reg := baseRegistry(t)
	c := Cities(1, 2, reg)[1]
	n := c.Name
	tests := []struct{ base, want string }{
		{"市工信局", n + "市工信局"},
		{"电信平凉分公司", "电信" + n + "分公司"},
		{"人行平凉市中心支行", "人行" + n + "市中心支行"},
		{"平凉工业园区(高新区)管委会", n + "工业园区(高新区)管委会"},
		{"中、省驻平有关单位", "中、省驻" + n + "有关单位"},
		{"各县(市、区)人民政府", n + "市各县(市、区)人民政府"},
		{"有关企业", n + "市有关企业"},
		{"崆峒区人民政府", c.Counties[0] + "人民政府"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, c.UnitName(tt.base), tt.base)
	}
}

// TestDocument checks that a city's document parses into the same plan with
// the city's unit names, every one of them in the city's registry.
func TestDocument(t *testing.T) {
	t.Parallel()
	reg := baseRegistry(t)
	src := baseDocument(t)
	base, err := planparse.Parse(bytes.NewReader(src), "base")
	require.NoError(t, err)
	for _, c := range Cities(7, 4, reg)[1:] {
		doc, err := planparse.Parse(bytes.NewReader(c.Document(src, reg)), c.Name)
		require.NoError(t, err)
		assert.Equal(t, strings.ReplaceAll(base.Title, "平凉", c.Name), doc.Title)
		assert.Equal(t, base.IssuedOn, doc.IssuedOn)
		require.Len(t, doc.Tasks, len(base.Tasks))
		known := map[string]bool{}
		for _, u := range c.Registry(7, reg).Units {
			known[u.Name] = true
			for _, a := range u.Aliases {
				known[a] = true
			}
		}
		for i, bt := range base.Tasks {
			got := doc.Tasks[i]
			assert.Equal(t, bt.Number, got.Number)
			assert.Equal(t, bt.Deadline, got.Deadline)
			assert.Len(t, got.Indicators, len(bt.Indicators))
			for _, lists := range [][2][]string{{bt.LeadUnits, got.LeadUnits}, {bt.ResponsibleUnits, got.ResponsibleUnits}, {bt.CooperatingUnits, got.CooperatingUnits}} {
				want := make([]string, len(lists[0]))
				for j, u := range lists[0] {
					want[j] = c.UnitName(u)
				}
				assert.Equal(t, want, lists[1], "task %d", bt.Number)
			}
		}
		for _, u := range doc.Units() {
			assert.True(t, known[u], "%s: unit %q is not in the city's registry", c.Name, u)
		}
		assert.Len(t, doc.Warnings, len(base.Warnings))
	}
}

func TestRegistryMapsOpenCollectives(t *testing.T) {
	t.Parallel()
	reg := baseRegistry(t)
	c := Cities(1, 2, reg)[1]
	creg := c.Registry(1, reg)
	require.Len(t, creg.Units, len(reg.Units))
	names := map[string]workplan.UnitKind{}
	for _, u := range creg.Units {
		names[u.Name] = u.Kind
	}
	for i, u := range creg.Units {
		if u.Kind != workplan.UnitCollective {
			assert.Empty(t, u.Members)
			continue
		}
		assert.NotEmpty(t, u.Members, "%s has members in an invented city", u.Name)
		if len(reg.Units[i].Members) > 0 {
			want := make([]string, len(reg.Units[i].Members))
			for j, m := range reg.Units[i].Members {
				want[j] = c.UnitName(m)
			}
			assert.Equal(t, want, u.Members)
		}
		for _, m := range u.Members {
			assert.Contains(t, []workplan.UnitKind{workplan.UnitCityDepartment, workplan.UnitCountyGovernment,
				workplan.UnitCentralProvincial, workplan.UnitEnterprise}, names[m], "member %q of %q", m, u.Name)
		}
	}
}
