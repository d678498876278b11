package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
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
