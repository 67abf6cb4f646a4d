// Package optional defines an Analyzer that reports risk signals where a
// function dereferences an optional pointer field of a decoded type with
// no nil check of it.
//
// A struct that JSON, YAML, protobuf or another decoder fills leaves a
// pointer field nil when the input lacks it, and the input is whoever
// sent it: code that reads req.Spec.Name before looking at req.Spec panics
// on a message that leaves Spec out, a denial of service any client can
// send. Nothing else marks such a function: it takes no lock, starts no
// goroutine, often calls nothing risky. The code cannot show whether the
// field was checked by a caller, so the signal weighs little: it selects
// the function for a closer look.
package optional

import (
	"cmp"
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"slices"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report dereferences of optional pointer fields of decoded types as risk signals

optional-deref: x.F.G (a field of what F points to) or *x.F, where F is a pointer field of a wire
type: a struct with json, xml, yaml, protobuf, bson, msgpack, toml, cbor, asn1, mapstructure,
form or query tags on its fields, or a generated protobuf message (a ProtoReflect or ProtoMessage
method). A decoder leaves F nil when the input lacks it; a field whose tags all say "-" is never
decoded and is left out. Quiet when the function, or one it is nested in, compares x.F with nil,
calls x.GetF(), assigns x.F, takes &x.F, or builds x itself from a composite literal; method calls
on x.F are left alone (they may be nil-safe). Reported once per field path per function, at the
first dereference.

Test files and generated files are left out.`

var Analyzer = &analysis.Analyzer{
	Name:     "optional",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/optional",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Signals maps each category this pass reports to its weight (0–10, see
// CONTRACT.md).
var Signals = map[string]float64{
	"optional-deref": 3,
}

// wireTags are the struct tag keys of decoders that fill a struct from
// outside input.
var wireTags = []string{"json", "xml", "yaml", "protobuf", "bson", "msgpack", "toml", "cbor", "asn1", "mapstructure", "form", "query"}

// A fieldKey names a field path from a variable, as astx.FieldPath spells
// it: (req, ".Spec").
type fieldKey struct {
	v    *types.Var
	path string
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	c := &checker{pass: pass, r: astx.NewReporter(pass), wire: make(map[*types.Struct]bool)}
	for cur := range insp.Root().Preorder((*ast.File)(nil)) {
		f := cur.Node().(*ast.File)
		if strings.HasSuffix(pass.Fset.Position(f.Pos()).Filename, "_test.go") || ast.IsGenerated(f) {
			continue
		}
		// The outermost function is the scope: a nil check in it covers
		// the literals nested in it, which run while it holds the value.
		cur.Inspect([]ast.Node{(*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)}, func(fn inspector.Cursor) bool {
			c.function(fn)
			return false
		})
	}
	return nil, nil
}

type checker struct {
	pass *analysis.Pass
	r    *astx.Reporter
	wire map[*types.Struct]bool // whether a struct is a wire type, by struct
}

// function reports the unchecked optional dereferences of the function at
// fn and the literals nested in it.
func (c *checker) function(fn inspector.Cursor) {
	info := c.pass.TypesInfo
	checked := make(map[fieldKey]bool) // compared with nil, read by a getter, assigned
	built := make(map[fieldKey]bool)   // made here from a composite literal, with all below it
	mark := func(set map[fieldKey]bool, e ast.Expr, addr bool) {
		if id, ok := ast.Unparen(e).(*ast.Ident); ok {
			if v, ok := info.Defs[id].(*types.Var); ok {
				set[fieldKey{v, ""}] = true // m := &Msg{}
			}
		}
		if v, path, ok := astx.FieldPath(info, e, addr); ok {
			set[fieldKey{v, path}] = true
		}
	}
	assigned := func(lhs, rhs ast.Expr) {
		if _, ok := ast.Unparen(lhs).(*ast.StarExpr); ok {
			return // *x.F = v writes through x.F, it does not set it
		}
		mark(checked, lhs, false)
		if rhs != nil && isLiteral(info, rhs) {
			mark(built, lhs, false)
		}
	}
	for cur := range fn.Preorder() {
		switch n := cur.Node().(type) {
		case *ast.BinaryExpr:
			if n.Op == token.EQL || n.Op == token.NEQ {
				if isNil(info, n.Y) {
					mark(checked, n.X, false)
				} else if isNil(info, n.X) {
					mark(checked, n.Y, false)
				}
			}
		case *ast.CallExpr:
			// x.GetF() is the nil-safe read of x.F that generated code offers.
			if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok && strings.HasPrefix(sel.Sel.Name, "Get") && len(sel.Sel.Name) > 3 {
				if v, path, ok := astx.FieldPath(info, sel.X, false); ok {
					checked[fieldKey{v, path + "." + sel.Sel.Name[3:]}] = true
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				mark(checked, n.X, false)
			}
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				var rhs ast.Expr
				if len(n.Lhs) == len(n.Rhs) {
					rhs = n.Rhs[i]
				}
				assigned(lhs, rhs)
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				var rhs ast.Expr
				if len(n.Names) == len(n.Values) {
					rhs = n.Values[i]
				}
				if v, ok := info.Defs[name].(*types.Var); ok && rhs != nil && isLiteral(info, rhs) {
					built[fieldKey{v, ""}] = true
				}
			}
		}
	}
	quiet := func(k fieldKey) bool {
		if checked[k] {
			return true
		}
		for p := k.path; ; {
			if built[fieldKey{k.v, p}] {
				return true
			}
			i := strings.LastIndexByte(p, '.')
			if i < 0 {
				return false
			}
			p = p[:i]
		}
	}
	// Dereferences in order of evaluation: in d.Spec.Template.Image the
	// first is d.Spec's, at d.Spec.Template, which starts where the whole
	// chain does and ends first.
	var derefs []ast.Expr
	for cur := range fn.Preorder((*ast.SelectorExpr)(nil), (*ast.StarExpr)(nil)) {
		switch n := cur.Node().(type) {
		case *ast.SelectorExpr:
			if sel, ok := info.Selections[n]; ok && sel.Kind() == types.FieldVal {
				derefs = append(derefs, n) // not a method: it may be nil-safe
			}
		case *ast.StarExpr:
			if tv, ok := info.Types[n.X]; ok && tv.IsValue() {
				derefs = append(derefs, n) // not a pointer type
			}
		}
	}
	slices.SortStableFunc(derefs, func(a, b ast.Expr) int {
		return cmp.Or(cmp.Compare(a.Pos(), b.Pos()), cmp.Compare(a.End(), b.End()))
	})
	reported := make(map[fieldKey]bool)
	for _, n := range derefs {
		var ptr ast.Expr // the optional field dereferenced
		switch n := n.(type) {
		case *ast.SelectorExpr:
			ptr = n.X
		case *ast.StarExpr:
			ptr = n.X
		}
		field, owner, ok := c.optionalField(ptr)
		if !ok {
			continue
		}
		v, path, ok := astx.FieldPath(info, ptr, false)
		if !ok {
			continue
		}
		k := fieldKey{v, path}
		if reported[k] || quiet(k) {
			continue
		}
		reported[k] = true
		c.r.Report(n, "optional-deref", "%s dereferenced; %s is an optional %s of %s, a decoded type, and no nil check of %s is in the function",
			types.ExprString(n), field.Name(), types.TypeString(field.Type(), c.qualifier), owner, v.Name()+path)
	}
}

// optionalField returns the field that e selects, and the name of the
// type declaring it, if e is a selection x.F of a pointer field F of a
// wire type.
func (c *checker) optionalField(e ast.Expr) (*types.Var, string, bool) {
	se, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok {
		return nil, "", false
	}
	sel, ok := c.pass.TypesInfo.Selections[se]
	if !ok || sel.Kind() != types.FieldVal {
		return nil, "", false
	}
	field := sel.Obj().(*types.Var)
	if _, ok := field.Type().Underlying().(*types.Pointer); !ok {
		return nil, "", false
	}
	if _, ok := field.Type().(*types.Pointer); !ok {
		return nil, "", false // a named pointer type: its own methods speak for it
	}
	// Walk the selection's path to the struct that declares the field, and
	// the named type that struct is.
	t := sel.Recv()
	var st *types.Struct
	for j, i := range sel.Index() {
		if j > 0 {
			t = st.Field(sel.Index()[j-1]).Type()
		}
		if p, ok := t.Underlying().(*types.Pointer); ok {
			t = p.Elem()
		}
		st, ok = t.Underlying().(*types.Struct)
		if !ok || i >= st.NumFields() {
			return nil, "", false
		}
	}
	if skipped(st.Tag(sel.Index()[len(sel.Index())-1])) {
		return nil, "", false // json:"-": no decoder sets it
	}
	owner := "a struct"
	named, _ := types.Unalias(t).(*types.Named)
	if named != nil {
		owner = named.Obj().Name()
	}
	if !c.isWire(st, named) {
		return nil, "", false
	}
	return field, owner, true
}

// isWire reports whether st, the underlying struct of named (if not nil),
// is filled by a decoder: it has wire tags, or it is a protobuf message.
func (c *checker) isWire(st *types.Struct, named *types.Named) bool {
	if w, ok := c.wire[st]; ok {
		return w
	}
	w := false
	for i := range st.NumFields() {
		tag := reflect.StructTag(st.Tag(i))
		for _, key := range wireTags {
			if _, ok := tag.Lookup(key); ok {
				w = true
			}
		}
	}
	if !w && named != nil {
		ms := types.NewMethodSet(types.NewPointer(named))
		w = ms.Lookup(named.Obj().Pkg(), "ProtoReflect") != nil || ms.Lookup(named.Obj().Pkg(), "ProtoMessage") != nil
	}
	c.wire[st] = w
	return w
}

// skipped reports whether tag tells every decoder it names to leave its
// field alone (json:"-").
func skipped(tag string) bool {
	named := false
	for _, key := range wireTags {
		if val, ok := reflect.StructTag(tag).Lookup(key); ok {
			if name, _, _ := strings.Cut(val, ","); name != "-" {
				return false
			}
			named = true
		}
	}
	return named
}

// isNil reports whether e is the predeclared nil.
func isNil(info *types.Info, e ast.Expr) bool {
	tv, ok := info.Types[e]
	return ok && tv.IsNil()
}

// isLiteral reports whether e is a composite literal, or its address, or
// new(T): a value the function builds rather than receives.
func isLiteral(info *types.Info, e ast.Expr) bool {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = ast.Unparen(u.X)
	}
	switch e := e.(type) {
	case *ast.CompositeLit:
		return true
	case *ast.CallExpr:
		id, ok := ast.Unparen(e.Fun).(*ast.Ident)
		if !ok {
			return false
		}
		b, ok := info.Uses[id].(*types.Builtin)
		return ok && b.Name() == "new"
	}
	return false
}

// qualifier names other packages by their name, as the code that imports
// them spells them, and the package analyzed not at all.
func (c *checker) qualifier(p *types.Package) string {
	if p == c.pass.Pkg {
		return ""
	}
	return p.Name()
}
