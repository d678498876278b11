package workplan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// MaxUnitName bounds a unit's name, in characters: the longest office
// names, such as 国家税务总局平凉市税务局第一稽查局, have about twenty.
const MaxUnitName = 100

// RegistryUnit is one entry of the unit registry file (seeds/units.json).
type RegistryUnit struct {
	Name string `json:"name"`
	// Short is the name for narrow columns (崆峒区 for 崆峒区人民政府), "" when
	// the full name is short enough. Names are never cut by code.
	Short   string   `json:"short,omitempty"`
	Kind    UnitKind `json:"kind"`
	Aliases []string `json:"aliases"`
	// Members are the names of the units a collective designation stands for.
	Members []string `json:"members"`
}

// Registry is the list of known units of a city.
type Registry struct {
	Units []RegistryUnit `json:"units"`
}

// ParseRegistry reads and validates a registry file. Errors name the entry.
func ParseRegistry(b []byte) (Registry, error) {
	var r Registry
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&r); err != nil {
		return r, fmt.Errorf("registry: %w", err)
	}
	names := map[string]int{}
	for i, u := range r.Units {
		at := fmt.Sprintf("registry: unit %d (%q)", i+1, u.Name)
		if strings.TrimSpace(u.Name) == "" {
			return r, fmt.Errorf("%s: name is empty", at)
		}
		if n := len([]rune(u.Short)); n > 8 || strings.ContainsAny(u.Short, "\x00\n") {
			return r, fmt.Errorf("%s: short name %q is longer than 8 characters", at, u.Short)
		}
		if !u.Kind.Valid() {
			return r, fmt.Errorf("%s: kind %q is not one of %v", at, u.Kind, UnitKinds)
		}
		if len(u.Members) > 0 && u.Kind != UnitCollective {
			return r, fmt.Errorf("%s: only a collective designation has members", at)
		}
		for _, n := range append([]string{u.Name}, u.Aliases...) {
			if j, dup := names[n]; dup {
				return r, fmt.Errorf("%s: name %q already used by unit %d", at, n, j)
			}
			names[n] = i + 1
		}
	}
	for i, u := range r.Units {
		for _, m := range u.Members {
			if _, ok := names[m]; !ok {
				return r, fmt.Errorf("registry: unit %d (%q): member %q is not in the registry", i+1, u.Name, m)
			}
		}
	}
	return r, nil
}

// GuessUnitKind classifies a unit name met in a plan but not in the registry,
// so it appears in the right group until an administrator confirms it.
func GuessUnitKind(name string) UnitKind {
	switch {
	case strings.HasPrefix(name, "各") || strings.Contains(name, "有关") || strings.Contains(name, "相关"):
		return UnitCollective
	case strings.HasSuffix(name, "公司") || strings.HasSuffix(name, "企业"):
		return UnitEnterprise
	case strings.HasSuffix(name, "人民政府") && !strings.HasPrefix(name, "市"):
		return UnitCountyGovernment
	case strings.HasPrefix(name, "市"):
		return UnitCityDepartment
	}
	return UnitOther
}

// unitNameForms are long and short forms of the same office, as documents
// write them.
var unitNameForms = [][2]string{
	{"发展和改革委员会", "发展改革委"}, {"发展和改革局", "发展改革局"}, {"发改委", "发展改革委"}, {"发改局", "发展改革局"},
	{"工业和信息化局", "工信局"}, {"人力资源和社会保障局", "人社局"}, {"住房和城乡建设局", "住建局"},
	{"市场监督管理局", "市场监管局"}, {"医疗保障局", "医保局"}, {"人民政府", "政府"},
	{"委员会", "委"}, {"办公室", "办"},
}

// UnitNameVariants returns other spellings under which the registry may know
// a unit a document names: with the city prefix 市 when the name has no
// level prefix (documents of one city often drop it: 财政局, 发展改革委), and
// with long and short forms of the office swapped (市发展和改革委员会 and
// 市发展改革委). The name itself is not among them. A caller uses a variant
// only when it finds exactly one unit, never guessing between two.
func UnitNameVariants(name string) []string {
	bases := []string{name}
	prefixed := false
	for _, p := range []string{"市", "省", "县", "区", "州", "各", "有关", "相关", "中", "国家"} {
		if strings.HasPrefix(name, p) {
			prefixed = true
			break
		}
	}
	if !prefixed {
		bases = append(bases, "市"+name)
	}
	seen := map[string]bool{name: true}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, b := range bases {
		add(b)
		for _, f := range unitNameForms {
			if strings.Contains(b, f[0]) {
				add(strings.Replace(b, f[0], f[1], 1))
			}
			if strings.Contains(b, f[1]) {
				add(strings.Replace(b, f[1], f[0], 1))
			}
		}
	}
	return out
}
