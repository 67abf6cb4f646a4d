package astx_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"testing"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/ast/inspector"
)

// decls are the types the cases' functions work on.
const decls = `package p

type T struct {
	n   int
	m   map[string]int
	s   []int
	arr [2]int
	p   *T
	b   Buf
	sb  Safe
	E
}

type E struct{ x int }

type Buf struct{ x int }

func (b *Buf) Write()  {}
func (b Buf) Len() int { return 0 }

type Safe struct{}

func (s *Safe) Set() {}

func g() *T { return nil }

var global T
`

// check type-checks decls and a function with body, and returns the file
// with its type information.
func check(t *testing.T, body string) (*ast.File, *types.Info) {
	t.Helper()
	fset := token.NewFileSet()
	src := decls + "\nfunc f(c *T, v T, k string) {\n" + body + "\n}\n"
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	info := &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Uses:       map[*ast.Ident]types.Object{},
		Defs:       map[*ast.Ident]types.Object{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
	}
	if _, err := (&types.Config{}).Check("p", fset, []*ast.File{f}, info); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return f, info
}

func TestIsWrite(t *testing.T) {
	safe := func(t types.Type) bool { return types.TypeString(t, nil) == "p.Safe" }
	for _, tc := range []struct {
		body  string
		field string // the field of c whose selection is asked about
		want  bool
		safe  bool // with safe accepting Safe, not nil
	}{
		{"c.n++", "n", true, false},
		{"c.n = 1", "n", true, false},
		{"(c.n) = 2", "n", true, false},
		{"c.n, k = 1, k", "n", true, false},
		{"_ = c.n", "n", false, false},
		{"k = string(rune(c.n))", "n", false, false},
		{"c.m[k] = 1", "m", true, false},
		{"c.m[k]++", "m", true, false},
		{"_ = c.m[k]", "m", false, false},
		{"c.m = nil", "m", true, false},
		{"delete(c.m, k)", "m", true, false},
		{"clear(c.s)", "s", true, false},
		{"_ = len(c.s)", "s", false, false},
		{"c.arr[0] = 1", "arr", true, false},
		{"c.s[0] = 1", "s", true, false}, // an element of the field's slice counts as the field
		{"c.b.Write()", "b", true, false},
		{"_ = c.b.Len()", "b", false, false},
		{"c.b.x = 1", "b", true, false},
		{"c.p.n = 1", "p", false, false}, // through a pointer: another value
		{"*c.p = T{}", "p", false, false},
		{"c.p = nil", "p", true, false},
		{"_ = &c.n", "n", false, false},
		{"c.sb.Set()", "sb", true, false},
		{"c.sb.Set()", "sb", false, true},
		{"c.b.Write()", "b", true, true}, // safe speaks for its types alone
	} {
		f, info := check(t, tc.body)
		var s func(types.Type) bool
		if tc.safe {
			s = safe
		}
		found := false
		for cur := range inspector.New([]*ast.File{f}).Root().Preorder((*ast.SelectorExpr)(nil)) {
			se := cur.Node().(*ast.SelectorExpr)
			if id, ok := se.X.(*ast.Ident); !ok || id.Name != "c" || se.Sel.Name != tc.field {
				continue
			}
			found = true
			if got := astx.IsWrite(info, cur, s); got != tc.want {
				t.Errorf("%s: IsWrite(c.%s, safe %v) = %v, want %v", tc.body, tc.field, tc.safe, got, tc.want)
			}
		}
		if !found {
			t.Errorf("%s: no selection c.%s", tc.body, tc.field)
		}
	}
}

func TestFieldPath(t *testing.T) {
	for _, tc := range []struct {
		expr       string
		addr       bool
		root, path string // root "" means not ok
	}{
		{"v", false, "v", ""},
		{"v.n", false, "v", ".n"},
		{"v.b.x", false, "v", ".b.x"},
		{"c.p.p.n", false, "c", ".p.p.n"},
		{"(*c).n", false, "c", ".n"},
		{"*c.p", false, "c", ".p"},
		{"(v.n)", false, "v", ".n"},
		{"v.x", false, "v", ".x"}, // a promoted field is spelled as written, not as v.E.x
		{"global.n", false, "global", ".n"},
		{"&v.n", true, "v", ".n"},
		{"(&v).n", true, "v", ".n"},
		{"&v.n", false, "", ""},
		{"(&v).n", false, "", ""},
		{"g().n", false, "", ""},
		{"v.arr[0]", false, "", ""},
		{"v.b.Len", false, "", ""}, // a method value
		{"-v.n", true, "", ""},
		{"1", false, "", ""},
	} {
		f, info := check(t, "_ = "+tc.expr)
		fn := f.Decls[len(f.Decls)-1].(*ast.FuncDecl)
		e := fn.Body.List[0].(*ast.AssignStmt).Rhs[0]
		v, path, ok := astx.FieldPath(info, e, tc.addr)
		if ok != (tc.root != "") {
			t.Errorf("FieldPath(%s, addr %v) ok = %v, want %v", tc.expr, tc.addr, ok, !ok)
			continue
		}
		if !ok {
			if v != nil || path != "" {
				t.Errorf("FieldPath(%s, addr %v) = %v, %q, false; want nil, \"\"", tc.expr, tc.addr, v, path)
			}
			continue
		}
		if v.Name() != tc.root || path != tc.path {
			t.Errorf("FieldPath(%s, addr %v) = %s, %q; want %s, %q", tc.expr, tc.addr, v.Name(), path, tc.root, tc.path)
		}
	}
}

func TestWords(t *testing.T) {
	for name, want := range map[string][]string{
		"isOriginAllowed":     {"is", "origin", "allowed"},
		"VerifyJWT":           {"verify", "jwt"},
		"CheckHostKey":        {"check", "host", "key"},
		"validate_request":    {"validate", "request"},
		"HTTPServerAuthorize": {"http", "server", "authorize"},
		"parseV2Header":       {"parse", "v2", "header"},
		"x":                   {"x"},
	} {
		if got := astx.Words(name); !slices.Equal(got, want) {
			t.Errorf("Words(%q) = %q, want %q", name, got, want)
		}
	}
}
