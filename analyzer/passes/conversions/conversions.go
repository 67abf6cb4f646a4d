// Package conversions defines an Analyzer that reports integer conversions that can truncate or
// change sign, and float-to-integer conversions, as risk signals.
package conversions

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report lossy numeric conversions as risk signals

A conversion T(x) between integer types is lossy when T is narrower than x's type (int64 to int32,
int to uint8), when x is signed and T unsigned and x may be negative, or when x is unsigned and T
signed of the same size (uint64 to int). Constants, masks (x&0xff), shifts (x>>8), remainders
(x%n) and shift counts stay quiet, and so does a conversion whose operand is checked before it on
the side that matters: from above when T cannot hold the largest value of x's type (x >
math.MaxInt32 leads to a return, the conversion is inside if x <= 65535, or x = min(x, C), with
the bound no larger than T's maximum), and from below when T is unsigned and x may be negative (x
< 0 leads to a return, or x >= 0 guards the conversion). A one-sided check is not enough: n < 0
does not bound int32(n) of an int64. A strconv.ParseInt or ParseUint result whose constant bitSize
fits T needs no check on the sides that bitSize covers. A float conversion stays quiet after any
comparison of its operand with a constant.

conv-narrow: a lossy integer conversion of a value from elsewhere.

conv-narrow-input: a lossy integer conversion of a parameter, a strconv.ParseInt/ParseUint result
(unless its bitSize fits T), or a length converted to 8 or 16 bits.

conv-atoi: a strconv.Atoi result converted to a narrower or unsigned type; the text decides.

conv-float-int: a float converted to an integer; out-of-range values give unspecified results.`

var Analyzer = &analysis.Analyzer{
	Name:     "conversions",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/conversions",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Signals maps each category this pass reports to its weight (0–10, see CONTRACT.md).
var Signals = map[string]float64{
	"conv-narrow":       3,
	"conv-narrow-input": 5,
	"conv-atoi":         6,
	"conv-float-int":    2,
}

// source says where an integer variable's value came from.
type source struct {
	desc    string // "parameter n", "strconv.Atoi result n", ...
	kind    string // "param", "atoi", "parse", "len"
	bits    int64  // bitSize of ParseInt/ParseUint, 0 when not constant
	signed  bool   // ParseInt rather than ParseUint
	derived bool   // computed from the source, not the source itself
}

type funcInfo struct {
	pass    *analysis.Pass
	seen    map[[3]string]bool
	cmps    [][3]ast.Expr // comparison (as its own node), its two sides
	src     map[types.Object]source
	nonneg  map[types.Object]bool // len results, range keys, non-negative constants
	spoiled map[types.Object]bool // assigned something that may be negative
	skipped map[ast.Expr]bool     // shift counts
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	seen := map[[3]string]bool{}
	// A top-level function with its closures is one unit: a bound check outside a closure counts.
	insp.Nodes([]ast.Node{(*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)}, func(n ast.Node, push bool) bool {
		body := (*ast.BlockStmt)(nil)
		if fd, ok := n.(*ast.FuncDecl); ok {
			body = fd.Body
		} else {
			body = n.(*ast.FuncLit).Body
		}
		if body != nil {
			f := &funcInfo{pass: pass, seen: seen, src: map[types.Object]source{},
				nonneg: map[types.Object]bool{}, spoiled: map[types.Object]bool{}, skipped: map[ast.Expr]bool{}}
			f.collect(n, body)
			walk(body, func(n ast.Node, stack []ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					f.conversion(call, stack)
				}
				return true
			})
		}
		return false
	})
	return nil, nil
}

func (f *funcInfo) obj(id *ast.Ident) types.Object { return f.pass.TypesInfo.ObjectOf(id) }

func (f *funcInfo) collect(fn ast.Node, body *ast.BlockStmt) {
	info := f.pass.TypesInfo
	ast.Inspect(fn, func(n ast.Node) bool {
		if ft, ok := n.(*ast.FuncType); ok && ft.Params != nil {
			for _, fld := range ft.Params.List {
				for _, name := range fld.Names {
					if o := info.Defs[name]; o != nil {
						f.src[o] = source{desc: "parameter " + name.Name, kind: "param"}
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
				f.cmps = append(f.cmps, [3]ast.Expr{n, n.X, n.Y})
			case token.SHL, token.SHR:
				f.skipped[ast.Unparen(n.Y)] = true
			}
		case *ast.RangeStmt:
			// The index of a slice, array, string or integer range; a map's keys may be negative.
			if id, ok := n.Key.(*ast.Ident); ok && f.obj(id) != nil && indexed(typeOf(f.pass.TypesInfo, n.X)) {
				f.nonneg[f.obj(id)] = true
			}
		case *ast.IncDecStmt:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Tok == token.DEC && f.obj(id) != nil {
				f.spoiled[f.obj(id)] = true
			}
		case *ast.AssignStmt:
			switch n.Tok {
			case token.ASSIGN, token.DEFINE:
				f.assign(n.Lhs, n.Rhs)
			default: // x += 1 keeps a non-negative x so; any other operation may not
				for _, l := range n.Lhs {
					if id, ok := ast.Unparen(l).(*ast.Ident); ok && f.obj(id) != nil && !(n.Tok == token.ADD_ASSIGN && f.isNonNeg(n.Rhs[0])) {
						f.spoiled[f.obj(id)] = true
					}
				}
			}
		case *ast.ValueSpec:
			lhs := make([]ast.Expr, len(n.Names))
			for i, id := range n.Names {
				lhs[i] = id
			}
			f.assign(lhs, n.Values)
		}
		return true
	})
}

func (f *funcInfo) assign(lhs, rhs []ast.Expr) {
	info := f.pass.TypesInfo
	if len(rhs) == 1 && len(lhs) > 1 {
		for _, l := range lhs {
			if id, ok := l.(*ast.Ident); ok && f.obj(id) != nil {
				f.spoiled[f.obj(id)] = true
			}
		}
		id, ok := lhs[0].(*ast.Ident)
		call, isCall := ast.Unparen(rhs[0]).(*ast.CallExpr)
		if !ok || !isCall || f.obj(id) == nil {
			return
		}
		fn, _ := typeutil.Callee(info, call).(*types.Func)
		if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "strconv" {
			return
		}
		switch fn.Name() {
		case "Atoi":
			f.src[f.obj(id)] = source{desc: "strconv.Atoi result " + id.Name, kind: "atoi"}
		case "ParseInt", "ParseUint":
			s := source{desc: "strconv." + fn.Name() + " result " + id.Name, kind: "parse", signed: fn.Name() == "ParseInt"}
			if len(call.Args) == 3 && info.Types[call.Args[2]].Value != nil {
				s.bits, _ = constant.Int64Val(info.Types[call.Args[2]].Value)
			}
			f.src[f.obj(id)] = s
		}
		return
	}
	for i := 0; i < len(lhs) && len(lhs) == len(rhs); i++ {
		id, ok := lhs[i].(*ast.Ident)
		if !ok || f.obj(id) == nil {
			continue
		}
		if f.isNonNeg(rhs[i]) {
			f.nonneg[f.obj(id)] = true
		} else {
			f.spoiled[f.obj(id)] = true
		}
		// One level of data flow: a variable computed from a sourced one inherits the source.
		if s, ok := f.source(rhs[i]); ok {
			if _, same := ast.Unparen(rhs[i]).(*ast.Ident); !same {
				s.desc = id.Name + " from " + s.desc
				s.derived = true
			}
			f.src[f.obj(id)] = s
		}
	}
}

// source returns where the first sourced operand of e came from; a len call is a source itself.
func (f *funcInfo) source(e ast.Expr) (s source, found bool) {
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			s, found = f.src[f.obj(n)]
		case *ast.CallExpr:
			if isBuiltin(f.pass.TypesInfo, n.Fun, "len") {
				s, found = source{desc: "a length", kind: "len"}, true
			}
		case *ast.FuncLit:
			return false
		}
		return !found
	})
	return s, found
}

func (f *funcInfo) isNonNeg(e ast.Expr) bool {
	e = ast.Unparen(e)
	if call, ok := e.(*ast.CallExpr); ok {
		return isBuiltin(f.pass.TypesInfo, call.Fun, "len") || isBuiltin(f.pass.TypesInfo, call.Fun, "cap")
	}
	if v := f.pass.TypesInfo.Types[e].Value; v != nil {
		return (v.Kind() == constant.Int || v.Kind() == constant.Float) && constant.Sign(v) >= 0
	}
	id, ok := e.(*ast.Ident)
	return ok && f.nonneg[f.obj(id)] && !f.spoiled[f.obj(id)]
}

// anyCompared reports whether a comparison of x (or a variable in it) with a constant comes before
// pos. It is the bound check for float conversions, where any range check is a sign of care.
func (f *funcInfo) anyCompared(x ast.Expr, pos token.Pos) bool {
	xs := types.ExprString(x)
	subject := func(e ast.Expr) (found bool) {
		ast.Inspect(e, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if _, isVar := f.obj(id).(*types.Var); isVar && mentionsObj(f, x, f.obj(id)) {
					found = true
				}
			}
			return !found
		})
		return found || types.ExprString(e) == xs
	}
	isConst := func(e ast.Expr) bool { return f.pass.TypesInfo.Types[e].Value != nil }
	for _, c := range f.cmps {
		if c[0].Pos() < pos && (subject(c[1]) && isConst(c[2]) || subject(c[2]) && isConst(c[1])) {
			return true
		}
	}
	return false
}

func mentionsObj(f *funcInfo, e ast.Expr, o types.Object) (found bool) {
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && f.obj(id) == o {
			found = true
		}
		return !found
	})
	return found
}

func (f *funcInfo) conversion(call *ast.CallExpr, stack []ast.Node) {
	info := f.pass.TypesInfo
	if len(call.Args) != 1 || !info.Types[call.Fun].IsType() || f.skipped[call] {
		return
	}
	x := call.Args[0]
	to, _ := typeOf(info, call).Underlying().(*types.Basic)
	from, _ := typeOf(info, x).Underlying().(*types.Basic)
	if to == nil || from == nil || info.Types[x].Value != nil || to.Info()&types.IsInteger == 0 {
		return
	}
	tname, xname := types.TypeString(typeOf(info, call), types.RelativeTo(f.pass.Pkg)), types.TypeString(typeOf(info, x), types.RelativeTo(f.pass.Pkg))
	text := fmt.Sprintf("%s(%s)", tname, types.ExprString(x))
	if from.Info()&types.IsFloat != 0 {
		if !f.anyCompared(x, call.Pos()) {
			f.report(call, "conv-float-int", fmt.Sprintf("%s converts %s to %s; out-of-range values give unspecified results", text, xname, tname))
		}
		return
	}
	if from.Info()&types.IsInteger == 0 || intentional(info, x) || f.rangeTest(call, from, to, stack) || bitCount(info, x) {
		return
	}
	need := f.needs(from, to, x)
	s, ok := f.source(x)
	if need.any() && ok && s.kind == "parse" && !s.derived && s.bits > 0 {
		// ParseInt(s, 10, 32) already rejected values outside int32.
		lo, hi := parseLimits(s)
		tlo, thi := f.limits(to)
		need.upper = need.upper && constant.Compare(hi, token.GTR, thi)
		need.lower = need.lower && constant.Compare(lo, token.LSS, tlo)
	}
	if need.any() {
		upper, lower := f.bounds(x, to, call, stack)
		need.upper = need.upper && !upper
		need.lower = need.lower && !lower
	}
	if !need.any() {
		return
	}
	missing := "no range check"
	switch {
	case !need.lower:
		missing = "no upper bound check"
	case !need.upper:
		missing = "no check for negative values"
	}
	toBits := f.pass.TypesSizes.Sizeof(to) * 8
	switch {
	case ok && s.kind == "atoi":
		f.report(call, "conv-atoi", fmt.Sprintf("%s converts %s to %s with %s; large or negative input wraps", text, s.desc, tname, missing))
	case ok && (s.kind == "param" || s.kind == "parse" || s.kind == "len" && toBits <= 16):
		f.report(call, "conv-narrow-input", fmt.Sprintf("%s may truncate or change the sign of %s (%s) with %s", text, s.desc, xname, missing))
	default:
		f.report(call, "conv-narrow", fmt.Sprintf("%s may truncate or change the sign of %s %s; %s", text, xname, types.ExprString(x), missing))
	}
}

// intentional reports truncation idioms: masks, shifts that extract bytes, remainders.
func intentional(info *types.Info, x ast.Expr) bool {
	be, ok := ast.Unparen(x).(*ast.BinaryExpr)
	if !ok {
		return false
	}
	switch be.Op {
	case token.AND, token.SHR, token.REM:
		return true
	}
	return false
}

func (f *funcInfo) report(n ast.Node, cat, msg string) {
	p := f.pass.Fset.Position(n.Pos())
	if k := [3]string{p.Filename, fmt.Sprint(p.Line), cat}; !f.seen[k] {
		f.seen[k] = true
		f.pass.Report(analysis.Diagnostic{Pos: n.Pos(), End: n.End(), Category: cat, Message: msg})
	}
}

func typeOf(info *types.Info, e ast.Expr) types.Type {
	if t := info.TypeOf(e); t != nil {
		return t
	}
	return types.Typ[types.Invalid]
}

func isBuiltin(info *types.Info, fun ast.Expr, name string) bool {
	id, ok := ast.Unparen(fun).(*ast.Ident)
	b, isB := info.Uses[id].(*types.Builtin)
	return ok && isB && b.Name() == name
}

// indexed reports whether ranging over a value of type t gives indexes: a slice, array, pointer
// to array, string or integer.
func indexed(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Slice, *types.Array:
		return true
	case *types.Pointer:
		_, ok := u.Elem().Underlying().(*types.Array)
		return ok
	case *types.Basic:
		return u.Info()&(types.IsString|types.IsInteger) != 0
	}
	return false
}

// rangeTest reports whether the conversion is an operand of an ordered comparison that sees a
// signed value as unsigned of at least its size, so that a negative one fails the test along with
// the ones too large: uint(i) < uint(len(s)), uint32(r) <= 0xff.
func (f *funcInfo) rangeTest(call *ast.CallExpr, from, to *types.Basic, stack []ast.Node) bool {
	if len(stack) == 0 {
		return false
	}
	be, ok := stack[len(stack)-1].(*ast.BinaryExpr)
	if !ok {
		return false
	}
	switch be.Op {
	case token.LSS, token.LEQ, token.GTR, token.GEQ:
	default:
		return false
	}
	sizes := f.pass.TypesSizes
	return from.Info()&types.IsUnsigned == 0 && to.Info()&types.IsUnsigned != 0 && sizes.Sizeof(to) >= sizes.Sizeof(from)
}

// bitCount reports a call of a math/bits function whose result counts bits (0 to 64): Len,
// LeadingZeros, TrailingZeros, OnesCount and their sized forms. It fits every integer type.
func bitCount(info *types.Info, x ast.Expr) bool {
	call, ok := ast.Unparen(x).(*ast.CallExpr)
	if !ok {
		return false
	}
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "math/bits" {
		return false
	}
	for _, p := range []string{"Len", "LeadingZeros", "TrailingZeros", "OnesCount"} {
		if strings.HasPrefix(fn.Name(), p) {
			return true
		}
	}
	return false
}
