package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goFiles parses the non-test Go files of dir.
func goFiles(t *testing.T, dir string) (*token.FileSet, []*ast.File) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	fset := token.NewFileSet()
	var files []*ast.File
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, 0)
		require.NoError(t, err)
		files = append(files, f)
	}
	require.NotEmpty(t, files, dir)
	return fset, files
}

// stringLit returns the value of a string literal, or false.
func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// keyUses finds the message keys that the Go source under root (the module)
// names, with where each is named: the literal key of every call of a
// message's constructor or renderer — workplan.E(code, KEY, …),
// workplan.M(KEY, …), web.T(ctx, KEY, …) and web.Message(lang, KEY, …)
// (templates included, through their generated Go), the deadline's
// phrase(KEY, …) —, the Key of a workplan.Error, workplan.Msg or
// deadline.Explanation literal, and any argument of any call that is a
// literal shaped like a key of the err.* and explain.* families (the
// spreadsheet import's fail(KEY, …)). It counts the calls whose key is built at run
// time ("cat."+category), which it cannot check.
func keyUses(t *testing.T, root string) (found map[string]string, dynamic int) {
	t.Helper()
	found = map[string]string{}
	family := regexp.MustCompile(`^(err|explain)\.[a-z0-9_.]*[a-z0-9_]$`)
	// keyArg is the argument holding the key of a call of pkg.name, or -1.
	keyArg := func(pkg, name string) int {
		switch pkg + "." + name {
		case "workplan.E", "web.T", "web.Message":
			return 1
		case "workplan.M", "deadline.phrase":
			return 0
		}
		return -1
	}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "node_modules" || n == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		self := f.Name.Name
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				i := -1
				switch fn := n.Fun.(type) {
				case *ast.Ident:
					i = keyArg(self, fn.Name)
				case *ast.SelectorExpr:
					if x, ok := fn.X.(*ast.Ident); ok {
						i = keyArg(x.Name, fn.Sel.Name)
					}
				}
				if i >= 0 && i < len(n.Args) {
					if k, ok := stringLit(n.Args[i]); ok {
						found[k] = fset.Position(n.Pos()).String()
					} else {
						dynamic++
					}
				}
				// The parser's own keys (err.empty …) are its table's,
				// checked under parse.* by TestEveryParserMessageIsTranslated.
				parser := self == "planparse"
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
					if x, ok := sel.X.(*ast.Ident); ok && x.Name == "planparse" {
						parser = true
					}
				}
				for _, a := range n.Args {
					if k, ok := stringLit(a); ok && family.MatchString(k) && !parser {
						found[k] = fset.Position(a.Pos()).String()
					}
				}
			case *ast.CompositeLit:
				name := ""
				switch typ := n.Type.(type) {
				case *ast.Ident:
					name = typ.Name
				case *ast.SelectorExpr:
					name = typ.Sel.Name
				}
				if name == "Error" || name == "Msg" || name == "Explanation" {
					for _, el := range n.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							if id, ok := kv.Key.(*ast.Ident); ok && id.Name == "Key" {
								if k, ok := stringLit(kv.Value); ok {
									found[k] = fset.Position(kv.Pos()).String()
								}
							}
						}
					}
				}
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
	return found, dynamic
}

// TestEveryPreviewFieldHasALabel finds every field name the plan diff
// reports (workplan.Diff's metadata, taskFields, the unit lists per role,
// NoteAssignments) and checks the preview has its label in both languages:
// a field without one would show as its name (deadline, assignments).
func TestEveryPreviewFieldHasALabel(t *testing.T) {
	t.Parallel()
	_, files := goFiles(t, "../internal/workplan")
	want := map[string]string{} // message key -> where found
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				prefix := map[string]string{"Diff": "plans.meta.", "taskFields": "plans.field.", "NoteAssignments": "plans.field."}[d.Name.Name]
				if prefix == "" {
					continue
				}
				ast.Inspect(d, func(n ast.Node) bool {
					switch n := n.(type) {
					case *ast.CallExpr:
						if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "add" && len(n.Args) > 0 {
							if s, ok := stringLit(n.Args[0]); ok {
								want[prefix+s] = d.Name.Name
							}
						}
					case *ast.KeyValueExpr:
						if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Field" {
							if s, ok := stringLit(n.Value); ok {
								want[prefix+s] = d.Name.Name
							}
						}
					}
					return true
				})
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					vs, ok := spec.(*ast.ValueSpec)
					if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "unitFields" {
						continue
					}
					ast.Inspect(vs, func(n ast.Node) bool {
						if kv, ok := n.(*ast.KeyValueExpr); ok {
							if s, ok := stringLit(kv.Value); ok {
								want["plans.field."+s] = "unitFields"
							}
						}
						return true
					})
				}
			}
		}
	}
	for _, k := range []string{"plans.field.deadline", "plans.field.lead_units", "plans.field.assignments", "plans.meta.issued_on"} {
		require.Contains(t, want, k, "the scan finds the fields")
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		m, ok := messages[k]
		if assert.True(t, ok, "field %q (%s) has no label %q in the message table", strings.TrimPrefix(strings.TrimPrefix(k, "plans.field."), "plans.meta."), want[k], k) {
			assert.NotEmpty(t, m[0], k)
			assert.NotEmpty(t, m[1], k)
		}
	}
}

// auditScan reads the store's source (internal/postgres, and
// internal/gen's record of generated data) for what it writes to the audit
// trail: the actions and the keys of the states.
type auditScan struct {
	t     *testing.T
	fset  *token.FileSet
	files []*ast.File
	funcs map[string][]*ast.FuncDecl
}

func newAuditScan(t *testing.T) *auditScan {
	s := &auditScan{t: t, funcs: map[string][]*ast.FuncDecl{}}
	s.fset = token.NewFileSet()
	for _, dir := range []string{"../internal/postgres", "../internal/gen"} {
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		for _, n := range names {
			if strings.HasSuffix(n, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(s.fset, n, nil, parser.ParseComments)
			require.NoError(t, err)
			s.files = append(s.files, f)
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok {
					s.funcs[fd.Name.Name] = append(s.funcs[fd.Name.Name], fd)
				}
			}
		}
	}
	return s
}

// auditCalls calls visit for every call that writes an audit entry, with
// the function it is in and the argument holding the action: audit(ctx,
// tx, actor, ACTION, …) and auditArgs(actor, ACTION, …).
func (s *auditScan) auditCalls(visit func(fn *ast.FuncDecl, call *ast.CallExpr, action ast.Expr)) {
	for _, fns := range s.funcs {
		for _, fn := range fns {
			ast.Inspect(fn, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				if id, ok := call.Fun.(*ast.Ident); ok {
					switch {
					case id.Name == "audit" && len(call.Args) >= 4:
						visit(fn, call, call.Args[3])
					case id.Name == "auditArgs" && len(call.Args) >= 2:
						visit(fn, call, call.Args[1])
					}
				}
				return true
			})
		}
	}
}

// values resolves an expression to the strings it can hold: a literal; a
// variable assigned literals in its function; a parameter, through every
// call of its function; a concatenation of those. Anything else fails the
// test, so that a new way of naming actions is noticed.
func (s *auditScan) values(fn *ast.FuncDecl, e ast.Expr, depth int) []string {
	s.t.Helper()
	require.Less(s.t, depth, 8, "%s: the action's value is too far from a literal", s.fset.Position(e.Pos()))
	switch e := e.(type) {
	case *ast.BasicLit:
		v, ok := stringLit(e)
		require.True(s.t, ok, s.fset.Position(e.Pos()))
		return []string{v}
	case *ast.ParenExpr:
		return s.values(fn, e.X, depth+1)
	case *ast.BinaryExpr:
		require.Equal(s.t, token.ADD, e.Op, s.fset.Position(e.Pos()))
		var out []string
		for _, x := range s.values(fn, e.X, depth+1) {
			for _, y := range s.values(fn, e.Y, depth+1) {
				out = append(out, x+y)
			}
		}
		return out
	case *ast.Ident:
		// A parameter: what every caller passes.
		i := 0
		for _, field := range fn.Type.Params.List {
			for _, name := range field.Names {
				if name.Name == e.Name {
					return s.callers(fn.Name.Name, i, depth)
				}
				i++
			}
		}
		// A variable: every value assigned to it in the function.
		var out []string
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for j, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == e.Name && j < len(n.Rhs) {
						out = append(out, s.values(fn, n.Rhs[j], depth+1)...)
					}
				}
			case *ast.ValueSpec:
				for j, id := range n.Names {
					if id.Name == e.Name && j < len(n.Values) {
						out = append(out, s.values(fn, n.Values[j], depth+1)...)
					}
				}
			}
			return true
		})
		require.NotEmpty(s.t, out, "%s: cannot tell what %s holds", s.fset.Position(e.Pos()), e.Name)
		return out
	}
	require.Failf(s.t, "cannot read an audit action", "%s: %T", s.fset.Position(e.Pos()), e)
	return nil
}

// callers resolves argument i of every call of function name.
func (s *auditScan) callers(name string, i, depth int) []string {
	var out []string
	for _, fns := range s.funcs {
		for _, fn := range fns {
			ast.Inspect(fn, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || i >= len(call.Args) {
					return true
				}
				switch f := call.Fun.(type) {
				case *ast.Ident:
					ok = f.Name == name
				case *ast.SelectorExpr:
					ok = f.Sel.Name == name
				default:
					ok = false
				}
				if ok {
					out = append(out, s.values(fn, call.Args[i], depth+1)...)
				}
				return true
			})
		}
	}
	require.NotEmpty(s.t, out, "nobody calls %s", name)
	return out
}

// TestEveryAuditActionHasALabel finds every action the store writes to the
// audit trail, by reading its source (literal actions, variables and
// parameters traced to their literals: login.failure is kind+".failure"),
// and checks each has a name in both languages: the audit page would
// otherwise show the code.
func TestEveryAuditActionHasALabel(t *testing.T) {
	t.Parallel()
	s := newAuditScan(t)
	found := map[string]string{}
	s.auditCalls(func(fn *ast.FuncDecl, call *ast.CallExpr, action ast.Expr) {
		for _, a := range s.values(fn, action, 0) {
			found[a] = s.fset.Position(call.Pos()).String()
		}
	})
	for _, a := range []string{"plan.seed", "report.file", "report.review", "unit.members", "designation.map", "login.failure",
		"password.failure", "login.throttled", "throttle.lift", "logout", "session.end", "user.disable", "data.generate"} {
		require.Contains(t, found, a, "the scan finds %s", a)
	}
	actions := make([]string, 0, len(found))
	for a := range found {
		actions = append(actions, a)
	}
	sort.Strings(actions)
	for _, a := range actions {
		m, ok := messages["audit.action."+a]
		if assert.True(t, ok, "%s writes the audit action %q, which has no name: add audit.action.%s to web/i18n_audit.go", found[a], a, a) {
			assert.NotEmpty(t, m[0], a)
			assert.NotEmpty(t, m[1], a)
		}
	}
	t.Logf("%d audit actions, each named", len(actions))
}

// TestEveryAuditFieldHasALabel finds every key of the states the store
// writes to the audit trail — the keys of its map[string]any literals (all
// of them audit states), the keys set on maps in the functions that write
// audit entries (after["reason"] = …), the JSON names of its *Audit structs
// and of the registry entry the registry load records — and checks each has
// a label in both languages: the audit page shows "label: old → new".
func TestEveryAuditFieldHasALabel(t *testing.T) {
	t.Parallel()
	s := newAuditScan(t)
	found := map[string]string{}
	isAnyMap := func(e ast.Expr) bool {
		m, ok := e.(*ast.MapType)
		if !ok {
			return false
		}
		k, _ := m.Key.(*ast.Ident)
		switch v := m.Value.(type) {
		case *ast.Ident:
			return k != nil && k.Name == "string" && v.Name == "any"
		case *ast.InterfaceType:
			return k != nil && k.Name == "string" && len(v.Methods.List) == 0
		}
		return false
	}
	tags := func(st *ast.StructType, where string) {
		for _, f := range st.Fields.List {
			if f.Tag == nil {
				continue
			}
			tag, _ := strconv.Unquote(f.Tag.Value)
			for _, part := range strings.Fields(tag) {
				if v, ok := strings.CutPrefix(part, `json:"`); ok {
					if name, _, _ := strings.Cut(strings.TrimSuffix(v, `"`), ","); name != "" && name != "-" {
						found[name] = where
					}
				}
			}
		}
	}
	// Keys set one by one (after["reason"] = …) count in the functions that
	// write audit entries; elsewhere a map may be anything.
	writers := map[*ast.FuncDecl]bool{}
	s.auditCalls(func(fn *ast.FuncDecl, _ *ast.CallExpr, _ ast.Expr) { writers[fn] = true })
	for fn := range writers {
		ast.Inspect(fn, func(n ast.Node) bool {
			if as, ok := n.(*ast.AssignStmt); ok {
				for _, l := range as.Lhs {
					if ix, ok := l.(*ast.IndexExpr); ok {
						if k, ok := stringLit(ix.Index); ok {
							found[k] = s.fset.Position(ix.Pos()).String()
						}
					}
				}
			}
			return true
		})
	}
	for _, f := range s.files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				if isAnyMap(n.Type) {
					for _, el := range n.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							if k, ok := stringLit(kv.Key); ok {
								found[k] = s.fset.Position(kv.Pos()).String()
							}
						}
					}
				}
			case *ast.TypeSpec:
				if st, ok := n.Type.(*ast.StructType); ok && strings.HasSuffix(n.Name.Name, "Audit") {
					tags(st, n.Name.Name)
				}
			}
			return true
		})
	}
	// The registry load records a registry entry whole (unit.create).
	_, wp := goFiles(t, "../internal/workplan")
	for _, f := range wp {
		ast.Inspect(f, func(n ast.Node) bool {
			if ts, ok := n.(*ast.TypeSpec); ok && ts.Name.Name == "RegistryUnit" {
				tags(ts.Type.(*ast.StructType), "workplan.RegistryUnit")
			}
			return true
		})
	}
	for _, k := range []string{"display_name", "role", "percent", "reason", "decision", "members", "added", "until", "elapsed_seconds", "aliases"} {
		require.Contains(t, found, k, "the scan finds %s", k)
	}
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		m, ok := messages["audit.field."+k]
		if assert.True(t, ok, "%s: the audit state key %q has no label: add audit.field.%s to web/i18n_audit.go", found[k], k, k) {
			assert.NotEmpty(t, m[0], k)
			assert.NotEmpty(t, m[1], k)
		}
	}
	t.Logf("%d audit state keys, each labelled", len(keys))
}

// TestHelpAuditPreviewMessagesAgree: the help page's, the audit trail's and
// the plan preview's messages take the same arguments in both languages,
// and the English has no Chinese but the names it quotes.
func TestHelpAuditPreviewMessagesAgree(t *testing.T) {
	t.Parallel()
	verbs := func(s string) []string {
		var out []string
		for i := 0; i < len(s)-1; i++ {
			if s[i] == '%' {
				out = append(out, s[i:i+2])
				i++
			}
		}
		return out
	}
	n := 0
	for k, m := range messages {
		if !strings.HasPrefix(k, "help.") && !strings.HasPrefix(k, "audit.") && !strings.HasPrefix(k, "plans.field.") && !strings.HasPrefix(k, "plans.meta.") {
			continue
		}
		n++
		assert.Equal(t, verbs(m[0]), verbs(m[1]), "%s: the arguments differ", k)
	}
	assert.Greater(t, n, 150)
}
