// Package indexing defines an Analyzer that reports risk signals around index and slice expressions:
// arithmetic bounds, first/last element access without a length check, indexes taken from parameters
// or decoded input, and strings.Index results used before the -1 check.
package indexing

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/format"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report risky index and slice expressions as risk signals

index-arith: an index or slice bound computes + or - (s[i+1], s[:n-1], buf[off:off+4]) and no
comparison of one of its variables against a length (or, for subtraction, against a constant)
comes before it in the function. An index that is a variable assigned once, from such a sum or
difference (p := end - r; s[p]), counts as the sum itself, unless the variable is compared first;
last := len(s) - 1 is left to index-last-unchecked.

index-last-unchecked: s[0], s[1], s[2], s[len(s)-1] or s[:len(s)-1] on a local or field slice or
string with no length check of s earlier in the function (len(s) compared, s compared with "", a
range loop over s around it, s made with a constant length, s filled by append or strings.Split for
s[0]). Reported once per container and function. Arrays (checked by the compiler) and
package-level tables stay quiet.

index-decoded: an index or bound taken from decoded input (a strconv.Atoi/ParseInt/ParseUint
result, a field of a struct filled by Unmarshal or Decode) with no comparison against a length.

index-param: an index or bound taken from an integer parameter with no comparison against a
length. Accessors that let a bad index panic are idiomatic, so this weighs less.

index-of-unchecked: the result of strings.Index (IndexByte, LastIndex, bytes.Index, slices.Index,
...) used as an index or slice bound with no comparison of it first; -1 panics or slices wrongly.
Index+1 stays quiet: s[strings.LastIndex(s, "/")+1:] relies on -1+1 == 0 on purpose.`

var Analyzer = &analysis.Analyzer{
	Name:     "indexing",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/indexing",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Signals maps each category this pass reports to its weight (0–10, see CONTRACT.md).
var Signals = map[string]float64{
	"index-arith":          4,
	"index-last-unchecked": 3,
	"index-decoded":        6,
	"index-param":          3,
	"index-of-unchecked":   8,
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	rep := astx.NewReporter(pass)
	// A top-level function with its closures is one unit: a check outside a closure guards it.
	insp.Nodes([]ast.Node{(*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)}, func(n ast.Node, push bool) bool {
		body := (*ast.BlockStmt)(nil)
		if fd, ok := n.(*ast.FuncDecl); ok {
			body = fd.Body
		} else {
			body = n.(*ast.FuncLit).Body
		}
		if body != nil {
			f := &funcInfo{pass: pass, rep: rep, lenVars: map[types.Object]string{}, taint: map[types.Object]string{},
				decoded: map[types.Object]bool{}, indexOf: map[types.Object]string{}, reported: map[string]bool{},
				copies: map[types.Object][]types.Object{}, arith: map[types.Object]*ast.BinaryExpr{}, assigned: map[types.Object]int{}}
			f.collect(n, body)
			ast.Inspect(body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.IndexExpr:
					f.judge(n, n.X, []ast.Expr{n.Index}, true)
				case *ast.SliceExpr:
					f.judge(n, n.X, []ast.Expr{n.Low, n.High, n.Max}, false)
				}
				return true
			})
		}
		return false
	})
	return nil, nil
}

type cmp struct {
	pos  token.Pos
	x, y ast.Expr // y is nil for a switch tag
}

type fact struct {
	pos   token.Pos
	x     string
	sized bool // x = y[a:a+K] or make(T, K): small constant indexes are in range
}

// funcInfo holds the facts gathered from one function before its indexes are judged.
type funcInfo struct {
	pass     *analysis.Pass
	rep      *astx.Reporter // once per line and category
	cmps     []cmp
	ranges   []*ast.RangeStmt
	lenVars  map[types.Object]string          // n := len(s): n -> "s"
	taint    map[types.Object]string          // integer variable -> where it came from
	decoded  map[types.Object]bool            // v in json.Unmarshal(data, &v)
	indexOf  map[types.Object]string          // i := strings.Index(...): i -> "strings.Index"
	nonEmpty []fact                           // s known non-empty from pos on
	reported map[string]bool                  // containers already reported as index-last-unchecked
	copies   map[types.Object][]types.Object  // v := x or v := T(x): x -> v, and v -> x
	arith    map[types.Object]*ast.BinaryExpr // v := a + b or v := a - b
	assigned map[types.Object]int             // how often each variable is assigned, its definition included
}

func (f *funcInfo) report(n ast.Node, cat, msg string) {
	f.rep.Report(n, cat, "%s", msg)
}

// text renders n as gofmt would, for messages.
func (f *funcInfo) text(n ast.Expr) string {
	var b strings.Builder
	if format.Node(&b, f.pass.Fset, n) != nil {
		return types.ExprString(n)
	}
	return b.String()
}

func (f *funcInfo) obj(id *ast.Ident) types.Object { return f.pass.TypesInfo.ObjectOf(id) }

func (f *funcInfo) collect(fn ast.Node, body *ast.BlockStmt) {
	info := f.pass.TypesInfo
	ast.Inspect(fn, func(n ast.Node) bool {
		if ft, ok := n.(*ast.FuncType); ok && ft.Params != nil {
			for _, fld := range ft.Params.List {
				for _, name := range fld.Names {
					if o := info.Defs[name]; o != nil && isInteger(o.Type()) {
						f.taint[o] = "parameter " + name.Name
					}
				}
			}
		}
		return true
	})
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			switch n.Op {
			case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
				f.cmps = append(f.cmps, cmp{n.Pos(), n.X, n.Y})
			}
		case *ast.SwitchStmt:
			if n.Tag != nil {
				f.cmps = append(f.cmps, cmp{n.Pos(), n.Tag, nil})
			}
		case *ast.RangeStmt:
			f.ranges = append(f.ranges, n)
		case *ast.IncDecStmt:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && f.obj(id) != nil {
				f.assigned[f.obj(id)]++
			}
		case *ast.AssignStmt:
			f.assign(n.Lhs, n.Rhs)
		case *ast.ValueSpec:
			lhs := make([]ast.Expr, len(n.Names))
			for i, id := range n.Names {
				lhs[i] = id
			}
			f.assign(lhs, n.Values)
		case *ast.CallExpr:
			fn := typeutil.Callee(info, n)
			switch {
			case fn == nil:
			case fn.Name() == "Unmarshal" || fn.Name() == "Decode":
				for _, a := range n.Args {
					if u, ok := ast.Unparen(a).(*ast.UnaryExpr); ok && u.Op == token.AND {
						if id, ok := ast.Unparen(u.X).(*ast.Ident); ok && f.obj(id) != nil {
							f.decoded[f.obj(id)] = true
						}
					}
				}
			case (fn.Name() == "HasPrefix" || fn.Name() == "HasSuffix") && len(n.Args) == 2:
				if v := info.Types[n.Args[1]].Value; v != nil && v.Kind() == constant.String && constant.StringVal(v) != "" {
					f.nonEmpty = append(f.nonEmpty, fact{n.Pos(), types.ExprString(n.Args[0]), false})
				}
			}
		}
		return true
	})
}

func (f *funcInfo) assign(lhs, rhs []ast.Expr) {
	info := f.pass.TypesInfo
	if len(rhs) == 1 && len(lhs) > 1 {
		call, ok := ast.Unparen(rhs[0]).(*ast.CallExpr)
		id, isID := lhs[0].(*ast.Ident)
		if name := ""; ok && isID && f.obj(id) != nil {
			if name = funcName(info, call, "strconv", "Atoi", "ParseInt", "ParseUint"); name != "" {
				f.taint[f.obj(id)] = name + " result " + id.Name
			}
		}
		return
	}
	for i := 0; i < len(lhs) && len(lhs) == len(rhs); i++ {
		e, ls := ast.Unparen(rhs[i]), types.ExprString(lhs[i])
		id, _ := lhs[i].(*ast.Ident)
		var o types.Object
		if id != nil {
			o = f.obj(id)
		}
		if o != nil {
			f.assigned[o]++
			if be, ok := e.(*ast.BinaryExpr); ok && (be.Op == token.ADD || be.Op == token.SUB) {
				f.arith[o] = be
			}
		}
		// v := x and v := T(x) hold the same number: a bound checked on
		// one holds for the other (if i := int(k); i < len(t) { t[k] }).
		if src := copied(info, e); src != nil && o != nil {
			if so := f.obj(src); so != nil && so != o {
				f.copies[so] = append(f.copies[so], o)
				f.copies[o] = append(f.copies[o], so)
			}
		}
		switch e := e.(type) {
		case *ast.CallExpr:
			if isBuiltin(info, e.Fun, "len") && len(e.Args) == 1 && o != nil {
				f.lenVars[o] = types.ExprString(e.Args[0])
			}
			// x = append(x, v), and strings.Split with a non-empty separator, give a non-empty x.
			if isBuiltin(info, e.Fun, "append") && len(e.Args) > 1 && types.ExprString(e.Args[0]) == ls ||
				funcName(info, e, "strings", "Split", "SplitAfter") != "" {
				f.nonEmpty = append(f.nonEmpty, fact{e.Pos(), ls, false})
			}
			if isBuiltin(info, e.Fun, "make") && len(e.Args) > 1 {
				if n := info.Types[e.Args[1]].Value; n != nil && constant.Sign(n) > 0 {
					f.nonEmpty = append(f.nonEmpty, fact{e.Pos(), ls, true})
				}
			}
			if name := indexFunc(info, e); name != "" && o != nil {
				f.indexOf[o] = name
			}
		case *ast.CompositeLit:
			if len(e.Elts) > 0 {
				f.nonEmpty = append(f.nonEmpty, fact{e.Pos(), ls, false})
			}
		case *ast.SliceExpr:
			if be, ok := ast.Unparen(e.High).(*ast.BinaryExpr); ok && e.Low != nil && be.Op == token.ADD &&
				types.ExprString(be.X) == types.ExprString(e.Low) && info.Types[be.Y].Value != nil {
				f.nonEmpty = append(f.nonEmpty, fact{e.Pos(), ls, true})
			}
		}
		// One level of data flow: a variable computed from a tainted one is tainted too.
		if src, subj := f.tainted(e); src != "" && o != nil && isInteger(o.Type()) {
			if subj != e {
				src = id.Name + " from " + src
			}
			f.taint[o] = src
		}
	}
}

// tainted returns where the first parameter- or input-derived operand of e came from.
func (f *funcInfo) tainted(e ast.Expr) (src string, subject ast.Expr) {
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			if s, ok := f.taint[f.obj(n)]; ok && src == "" {
				src, subject = s, n
			}
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && f.decoded[f.obj(id)] && isInteger(f.pass.TypesInfo.TypeOf(n)) && src == "" {
				src, subject = "decoded field "+types.ExprString(n), n
			}
		case *ast.FuncLit:
			return false
		}
		return src == ""
	})
	return src, subject
}

// judge reports the weightiest category that applies to one index or slice expression.
func (f *funcInfo) judge(n ast.Expr, x ast.Expr, bounds []ast.Expr, isIndex bool) {
	kind := containerKind(f.pass.TypesInfo.TypeOf(x))
	best, msg := "", ""
	for _, e := range bounds {
		if kind == 0 || e == nil || f.pass.TypesInfo.Types[e].Value != nil && kind == isArray {
			continue
		}
		if cat, m := f.bound(n, x, e, kind, isIndex); cat != "" && (best == "" || Signals[cat] > Signals[best]) {
			best, msg = cat, m
		}
	}
	if best != "" {
		f.report(n, best, msg)
	}
}

func (f *funcInfo) bound(n, x, e ast.Expr, kind int, isIndex bool) (cat, msg string) {
	info, pos, xs, es := f.pass.TypesInfo, n.Pos(), types.ExprString(x), f.text(n)
	if src := f.indexOfUse(e, pos); src != "" {
		return "index-of-unchecked", fmt.Sprintf("%s uses %s without checking for -1", es, src)
	}
	if kind == isSlice && f.checkable(x) {
		c := info.Types[e].Value
		// Larger constant indexes are mostly into tables whose shape the code knows.
		constIdx := isIndex && c != nil && c.Kind() == constant.Int && constant.Compare(c, token.LEQ, constant.MakeInt64(2))
		if constIdx || isLenMinus(info, e, xs) {
			if f.reported[xs] || f.lenChecked(xs, pos, constIdx && constant.Sign(c) > 0) {
				return "", ""
			}
			f.reported[xs] = true // the first unchecked access stands for the rest
			return "index-last-unchecked", fmt.Sprintf("%s with no length check of %s earlier in the function", es, xs)
		}
	}
	src, subj := f.tainted(e)
	if src != "" && (f.rangeKey(subj, xs, pos) || f.compared(pos, func(e ast.Expr) bool { return f.mentions(e, subj) },
		func(e ast.Expr) bool { return f.hasLen(e, "") || kind == isArray && info.Types[e].Value != nil })) {
		src = ""
	}
	if src != "" && !strings.Contains(src, "parameter ") {
		return "index-decoded", fmt.Sprintf("%s indexes with %s; no comparison against a length before it", es, src)
	}
	if be, ok := ast.Unparen(e).(*ast.BinaryExpr); ok && (be.Op == token.ADD || be.Op == token.SUB) && !f.arithGuarded(be, pos, kind) &&
		!(!isIndex && be.Op == token.ADD && isOne(info, be.Y) && f.rangeKey(ast.Unparen(be.X), xs, pos)) {
		// s[i+1:] with i a range key over s is at most len(s).
		return "index-arith", fmt.Sprintf("%s computes %s; no comparison against a length before it", es, f.text(be))
	}
	// One assignment back: rp := end - r; s[rp].
	if id, ok := ast.Unparen(e).(*ast.Ident); ok && src == "" {
		if o := f.obj(id); o != nil && f.assigned[o] == 1 && f.arith[o] != nil && f.arith[o].Pos() < pos {
			be := f.arith[o]
			// last := len(s) - 1 is the last element, the shape index-last-unchecked judges.
			if !lengthMinus(info, be) && !f.arithGuarded(be, pos, kind) && !f.rangeKey(id, xs, pos) && !f.compared(pos, func(e ast.Expr) bool { return f.mentions(e, id) },
				func(e ast.Expr) bool { return f.hasLen(e, "") || be.Op == token.SUB && info.Types[e].Value != nil }) {
				return "index-arith", fmt.Sprintf("%s indexes with %s, computed as %s; no comparison against a length before it", es, id.Name, f.text(be))
			}
		}
	}
	if src != "" {
		return "index-param", fmt.Sprintf("%s indexes with %s; no comparison against a length before it", es, src)
	}
	return "", ""
}

// lengthMinus reports whether be is len(x) - k or x.Len() - k.
func lengthMinus(info *types.Info, be *ast.BinaryExpr) bool {
	call, ok := ast.Unparen(be.X).(*ast.CallExpr)
	if be.Op != token.SUB || !ok {
		return false
	}
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == "Len" {
		return true
	}
	return isBuiltin(info, call.Fun, "len")
}

// indexOfUse reports where e holds a strings.Index-like result not yet compared with anything.
func (f *funcInfo) indexOfUse(e ast.Expr, pos token.Pos) (src string) {
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			// s[i+1:] and s[:i+1] with i == -1 give s and "": the idiom for "after the last /".
			return !(n.Op == token.ADD && isOne(f.pass.TypesInfo, n.Y))
		case *ast.CallExpr:
			if name := indexFunc(f.pass.TypesInfo, n); name != "" && src == "" {
				src = name + " result"
			}
		case *ast.Ident:
			if name, ok := f.indexOf[f.obj(n)]; ok && src == "" &&
				!f.compared(pos, func(s ast.Expr) bool { return f.mentions(s, n) }, nil) {
				src = n.Name + " from " + name
			}
		case *ast.FuncLit:
			return false
		}
		return true
	})
	return src
}

// compared reports whether a comparison before pos has one side satisfying a and the other b
// (b == nil accepts anything).
func (f *funcInfo) compared(pos token.Pos, a, b func(ast.Expr) bool) bool {
	for _, c := range f.cmps {
		if c.pos < pos && (a(c.x) && (b == nil || c.y != nil && b(c.y)) || c.y != nil && a(c.y) && (b == nil || b(c.x))) {
			return true
		}
	}
	return false
}

func (f *funcInfo) lenChecked(xs string, pos token.Pos, beyondFirst bool) bool {
	isX := func(e ast.Expr) bool { return types.ExprString(e) == xs }
	isConst := func(e ast.Expr) bool { return f.pass.TypesInfo.Types[e].Value != nil }
	if f.compared(pos, func(e ast.Expr) bool { return f.hasLen(e, xs) }, nil) || f.compared(pos, isX, isConst) {
		return true
	}
	for _, rs := range f.ranges {
		if types.ExprString(rs.X) == xs && rs.Body.Pos() < pos && pos < rs.Body.End() {
			return true
		}
	}
	for _, fa := range f.nonEmpty {
		if (fa.sized || !beyondFirst) && fa.x == xs && fa.pos < pos {
			return true
		}
	}
	return false
}

// arithGuarded reports whether a variable of be was compared with a length before pos (with a
// constant, for subtraction or an array, whose length is a constant).
func (f *funcInfo) arithGuarded(be *ast.BinaryExpr, pos token.Pos, kind int) bool {
	var vars []*ast.Ident
	indexed := false // Index results lie in [-1, len): ±1 is a valid bound once -1 is handled
	ast.Inspect(be, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			indexed = indexed || indexFunc(f.pass.TypesInfo, n) != ""
		case *ast.Ident:
			if _, ok := f.indexOf[f.obj(n)]; ok {
				indexed = true
			} else if _, ok := f.obj(n).(*types.Var); ok {
				vars = append(vars, n)
			}
		}
		return !indexed
	})
	usesVar := func(e ast.Expr) bool {
		for _, v := range vars {
			if f.mentions(e, v) {
				return true
			}
		}
		return false
	}
	return indexed || len(vars) == 0 || f.compared(pos, usesVar, func(e ast.Expr) bool {
		return f.hasLen(e, "") || (be.Op == token.SUB || kind == isArray) && f.pass.TypesInfo.Types[e].Value != nil
	}) || f.compared(pos, func(e ast.Expr) bool { return usesVar(e) && f.hasLen(e, "") }, nil)
}

// rangeKey reports whether subj is the key of a range loop over xs that encloses pos.
func (f *funcInfo) rangeKey(subj ast.Expr, xs string, pos token.Pos) bool {
	id, ok := subj.(*ast.Ident)
	for _, rs := range f.ranges {
		if k, isID := rs.Key.(*ast.Ident); ok && isID && types.ExprString(rs.X) == xs &&
			f.obj(k) == f.obj(id) && rs.Body.Pos() < pos && pos < rs.Body.End() {
			return true
		}
	}
	return false
}

// hasLen reports whether e mentions the length of xs (of anything, when xs is ""): len(xs),
// cap(xs), a variable holding it, or a Len/Size/Cap/Count method call.
func (f *funcInfo) hasLen(e ast.Expr, xs string) (found bool) {
	info := f.pass.TypesInfo
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if (isBuiltin(info, n.Fun, "len") || isBuiltin(info, n.Fun, "cap")) && len(n.Args) == 1 &&
				(xs == "" || types.ExprString(n.Args[0]) == xs) {
				found = true
			}
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && xs == "" {
				switch sel.Sel.Name {
				case "Len", "Size", "Cap", "Count":
					found = true
				}
			}
		case *ast.Ident:
			if s, ok := f.lenVars[f.obj(n)]; ok && (xs == "" || s == xs) {
				found = true
			}
		}
		return !found
	})
	return found
}

// checkable reports whether x is something a function can check the length of (a variable or
// field, not a call result) and not a package-level variable such as os.Args or a lookup table.
func (f *funcInfo) checkable(x ast.Expr) bool {
	var id *ast.Ident
	switch x := ast.Unparen(x).(type) {
	case *ast.Ident:
		id = x
	case *ast.SelectorExpr:
		id = x.Sel
	default:
		return false
	}
	v, ok := f.obj(id).(*types.Var)
	return ok && (v.IsField() || v.Pkg() == nil || v.Parent() != v.Pkg().Scope()) // package-level tables are filled at init
}

// mentions reports whether e refers to subj: the same variable, or the same selector text.
func (f *funcInfo) mentions(e, subj ast.Expr) (found bool) {
	want := types.ExprString(subj)
	id, isID := subj.(*ast.Ident)
	ast.Inspect(e, func(n ast.Node) bool {
		if nid, ok := n.(*ast.Ident); ok && isID {
			o := f.obj(nid)
			found = found || o != nil && (o == f.obj(id) || slices.Contains(f.copies[f.obj(id)], o))
		} else if ex, ok := n.(ast.Expr); ok && !isID {
			found = found || types.ExprString(ex) == want
		}
		return !found
	})
	return found
}

// copied returns the identifier whose value e is, as it is or converted
// to another integer type, or nil.
func copied(info *types.Info, e ast.Expr) *ast.Ident {
	e = ast.Unparen(e)
	if call, ok := e.(*ast.CallExpr); ok && len(call.Args) == 1 && info.Types[call.Fun].IsType() {
		e = ast.Unparen(call.Args[0])
	}
	id, _ := e.(*ast.Ident)
	return id
}

const (
	isSlice = 1 // slice or string: bounds checked at run time
	isArray = 2 // array or pointer to array: constant indexes checked by the compiler
)

func containerKind(t types.Type) int {
	if t == nil {
		return 0
	}
	switch u := t.Underlying().(type) {
	case *types.Slice:
		return isSlice
	case *types.Basic:
		if u.Info()&types.IsString != 0 {
			return isSlice
		}
	case *types.Array:
		return isArray
	case *types.Pointer:
		if _, ok := u.Elem().Underlying().(*types.Array); ok {
			return isArray
		}
	}
	return 0
}

func isLenMinus(info *types.Info, e ast.Expr, xs string) bool {
	be, ok := ast.Unparen(e).(*ast.BinaryExpr)
	if !ok || be.Op != token.SUB || info.Types[be.Y].Value == nil {
		return false
	}
	call, ok := ast.Unparen(be.X).(*ast.CallExpr)
	return ok && isBuiltin(info, call.Fun, "len") && len(call.Args) == 1 && types.ExprString(call.Args[0]) == xs
}

func isBuiltin(info *types.Info, fun ast.Expr, name string) bool {
	id, ok := ast.Unparen(fun).(*ast.Ident)
	b, isB := info.Uses[id].(*types.Builtin)
	return ok && isB && b.Name() == name
}

func isOne(info *types.Info, e ast.Expr) bool {
	v := info.Types[e].Value
	return v != nil && constant.Compare(v, token.EQL, constant.MakeInt64(1))
}

func isInteger(t types.Type) bool {
	if t == nil {
		return false
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

// funcName returns "pkg.Name" when call calls the package-level function pkg.Name, Name in names.
func funcName(info *types.Info, call *ast.CallExpr, pkg string, names ...string) string {
	fn, ok := typeutil.Callee(info, call).(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != pkg || fn.Signature().Recv() != nil {
		return ""
	}
	for _, n := range names {
		if fn.Name() == n {
			return fn.Pkg().Name() + "." + n
		}
	}
	return ""
}

func indexFunc(info *types.Info, call *ast.CallExpr) string {
	for _, pkg := range []string{"strings", "bytes", "slices"} {
		if name := funcName(info, call, pkg, "Index", "IndexByte", "IndexRune", "IndexAny", "IndexFunc",
			"LastIndex", "LastIndexByte", "LastIndexAny", "LastIndexFunc"); name != "" {
			return name
		}
	}
	return ""
}
