package gen

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"duban/internal/workplan"
)

// baseCity is the city of the bundled plan and registry.
const baseCity = "平凉"

// City is one plan of a generated province: the bundled Pingliang plan
// (Index 1) or an invented city that issued the same plan for its own units.
type City struct {
	// Index numbers the cities from 1; the plan's slug is made from it.
	Index int
	// Name is the city's short name: 平凉, 安宁 ….
	Name string
	// Counties are the invented place names (崆峒区 …) standing for the base
	// registry's county governments, in registry order; nil for Pingliang.
	Counties []string
	// places rewrites the base city's place names into this city's.
	places *strings.Replacer
}

// Slug is the plan's key: plan-2023-001 ….
func (c City) Slug(year int) string { return fmt.Sprintf("plan-%d-%03d", year, c.Index) }

// Base reports whether c is the city of the bundled plan, whose units are
// the registry's own.
func (c City) Base() bool { return c.places == nil }

// Nearby first characters and second characters of invented place names.
var (
	placeFirst  = []rune("安白宝滨昌长常辰成承崇楚川春丹德定东丰凤福富阜固广贵海汉和河衡红怀淮黄吉嘉建江金晋景九开康兰乐丽利临龙隆鹿洛马茂梅蒙绵民明南齐祁庆清泉仁荣瑞沙山商韶邵神胜石寿舒双顺松泰天通同铜万威渭文武西霞咸湘祥新信兴宣延盐扬永玉元岳云枣湛漳昭镇正舟珠资遵")
	placeSecond = []rune("安宁阳川山江州城原泉水源化丰德和康乐林陵门南西东北台溪兴远云昌定都峰谷河湖吉靖口梁岭隆泰海")
)

// Cities returns the n cities of a province: Pingliang first, then invented
// cities whose names, like their counties', are unique and never part of a
// name in the base registry, so every unit name of every city is distinct.
func Cities(seed uint64, n int, base workplan.Registry) []City {
	counties := countyPlaces(base)
	taken := map[string]bool{baseCity: true}
	var baseNames []string
	for _, u := range base.Units {
		baseNames = append(baseNames, u.Name)
		baseNames = append(baseNames, u.Aliases...)
	}
	all := strings.Join(baseNames, "\n")
	r := rngFor(seed, "places")
	var names []string
	for _, a := range placeFirst {
		for _, b := range placeSecond {
			if a == b {
				continue
			}
			name := string([]rune{a, b})
			if !strings.Contains(all, name) {
				names = append(names, name)
			}
		}
	}
	r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	next := 0
	fresh := func() string {
		for next < len(names) {
			s := names[next]
			next++
			if !taken[s] {
				taken[s] = true
				return s
			}
		}
		panic("gen: out of invented place names")
	}
	out := []City{{Index: 1, Name: baseCity}}
	for i := 2; i <= n; i++ {
		c := City{Index: i, Name: fresh()}
		pairs := []string{baseCity, c.Name, "驻平", "驻" + c.Name}
		for _, place := range counties {
			suffix := string([]rune(place)[len([]rune(place))-1:]) // 区, 市 or 县
			county := fresh() + suffix
			c.Counties = append(c.Counties, county)
			pairs = append(pairs, place, county)
		}
		c.places = strings.NewReplacer(pairs...)
		out = append(out, c)
	}
	return out
}

// countyPlaces returns the place names of the base registry's county
// governments (崆峒区 for 崆峒区人民政府).
func countyPlaces(base workplan.Registry) []string {
	var out []string
	for _, u := range base.Units {
		if u.Kind == workplan.UnitCountyGovernment && strings.HasSuffix(u.Name, "人民政府") {
			out = append(out, strings.TrimSuffix(u.Name, "人民政府"))
		}
	}
	return out
}

// UnitName returns this city's name for the base registry's unit name (or
// alias) n: place names are replaced (电信平凉分公司 → 电信安宁分公司), and a
// name without one gets the city's (市工信局 → 安宁市工信局, 有关企业 →
// 安宁市有关企业).
func (c City) UnitName(n string) string {
	if c.Base() {
		return n
	}
	if s := c.places.Replace(n); s != n {
		return s
	}
	if strings.HasPrefix(n, "市") {
		return c.Name + n
	}
	return c.Name + "市" + n
}

// Registry returns the unit registry of c: the base registry with every
// name, alias and member renamed. An invented city's administrator has also
// mapped the collective designations the base registry leaves open (市直有关部门
// …) to some of its units, so its plans expand them into assignments.
func (c City) Registry(seed uint64, base workplan.Registry) workplan.Registry {
	if c.Base() {
		return base
	}
	r := rngFor(seed, "registry", c.Index)
	var departments, central, enterprises []string
	for _, u := range base.Units {
		switch u.Kind {
		case workplan.UnitCityDepartment:
			departments = append(departments, c.UnitName(u.Name))
		case workplan.UnitCentralProvincial:
			central = append(central, c.UnitName(u.Name))
		case workplan.UnitEnterprise:
			enterprises = append(enterprises, c.UnitName(u.Name))
		}
	}
	out := workplan.Registry{Units: make([]workplan.RegistryUnit, 0, len(base.Units))}
	for _, u := range base.Units {
		m := workplan.RegistryUnit{Name: c.UnitName(u.Name), Kind: u.Kind}
		for _, a := range u.Aliases {
			// 平凉市大数据中心 and 市大数据中心 are both 安宁市大数据中心 in 安宁
			if a := c.UnitName(a); a != m.Name && !slices.Contains(m.Aliases, a) {
				m.Aliases = append(m.Aliases, a)
			}
		}
		for _, name := range u.Members {
			m.Members = append(m.Members, c.UnitName(name))
		}
		if u.Kind == workplan.UnitCollective && len(u.Members) == 0 {
			switch {
			case strings.Contains(u.Name, "企业"):
				m.Members = slices.Clone(enterprises)
			case strings.Contains(u.Name, "中、省"):
				m.Members = slices.Clone(central)
			default:
				d := slices.Clone(departments)
				r.Shuffle(len(d), func(i, j int) { d[i], d[j] = d[j], d[i] })
				m.Members = d[:between(r, 4, 9)]
				slices.Sort(m.Members)
			}
		}
		out.Units = append(out.Units, m)
	}
	return out
}

// Document returns the bundled plan document as city c issued it: every unit
// name and alias of the base registry, and the city's place names, replaced
// by c's. Replacements are longest-first, so 平凉市人民政府办公室 becomes
// 安宁市人民政府办公室 rather than a name built from its parts.
func (c City) Document(src []byte, base workplan.Registry) []byte {
	if c.Base() {
		return src
	}
	type pair struct{ from, to string }
	var pairs []pair
	seen := map[string]bool{}
	add := func(from, to string) {
		if !seen[from] {
			seen[from] = true
			pairs = append(pairs, pair{from, to})
		}
	}
	for _, u := range base.Units {
		add(u.Name, c.UnitName(u.Name))
		for _, a := range u.Aliases {
			add(a, c.UnitName(a))
		}
	}
	add(baseCity, c.Name)
	add("驻平", "驻"+c.Name)
	for i, place := range countyPlaces(base) {
		add(place, c.Counties[i])
	}
	slices.SortStableFunc(pairs, func(a, b pair) int {
		return cmp.Or(cmp.Compare(len(b.from), len(a.from)), cmp.Compare(a.from, b.from))
	})
	args := make([]string, 0, 2*len(pairs))
	for _, p := range pairs {
		args = append(args, p.from, p.to)
	}
	return []byte(strings.NewReplacer(args...).Replace(string(src)))
}
