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
	Name    string   `json:"name"`
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
