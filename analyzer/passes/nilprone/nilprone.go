// Package nilprone defines an Analyzer that reports risk signals around nil maps, unchecked type
// assertions, values used before their error is checked, typed nil pointers stored in interfaces,
// and results that may be nil used without a check.
package nilprone

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"regexp"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report nil-prone map, pointer and interface use as risk signals

nil-map-write: an assignment into a map variable declared "var m map[K]V" with no assignment to m
before it and no nil check of m, or into an unexported map field (any field, in package main) that
nothing in the package ever initializes (no assignment, composite literal key, or &x.f). Writing a
nil map panics.

type-assert-unchecked: a single-value type assertion x.(T) on an interface taken from a parameter,
a map or a channel, outside a type switch on x and with no comma-ok assertion on x before it. Map
fields of other packages' types (pass.ResultOf[a]) are trusted to their package's invariants.

err-value-before-check: in "v, err := f()", v (a pointer or interface) is dereferenced or has a
method called (defer resp.Body.Close()) before err is looked at or v compared with nil.

typed-nil-error: a pointer that may be nil (declared without a value, a parameter, (*T)(nil), or the
result of a function in this package that returns nil) returned as, assigned to, or compared with
an interface such as error: the interface is then non-nil.

nil-result-unchecked: the result of a map lookup of pointers, or of a function that may return nil
(flag.Lookup, list.Front, a function in this package whose doc says it returns nil), dereferenced
with no nil or ok check first.`

var Analyzer = &analysis.Analyzer{
	Name:     "nilprone",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/nilprone",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Signals maps each category this pass reports to its weight (0–10, see CONTRACT.md).
var Signals = map[string]float64{
	"nil-map-write":          7,
	"type-assert-unchecked":  5,
	"err-value-before-check": 7,
	"typed-nil-error":        8,
	"nil-result-unchecked":   3,
}

// mayReturnNil lists library functions documented to return nil: "pkg.Func" or "pkg.Type.Method".
var mayReturnNil = map[string]bool{
	"flag.Lookup": true, "flag.FlagSet.Lookup": true, "text/template.Template.Lookup": true,
	"html/template.Template.Lookup": true, "container/list.List.Front": true, "container/list.List.Back": true,
	"container/list.Element.Next": true, "container/list.Element.Prev": true, "runtime.FuncForPC": true,
	"go/types.Scope.Lookup": true, "go/token.FileSet.File": true, "errors.Unwrap": true,
}

// docSaysNil matches doc comments that promise a nil result; docNilIfNil those that return nil
// only for a nil argument or receiver ("a clone of c, or nil if c is nil").
var (
	docSaysNil  = regexp.MustCompile(`(?i)\b(returns?|or|result is|may be|can be)\s+nil\b|\bnil (if|when)\b`)
	docNilIfNil = regexp.MustCompile(`(?i)\bnil,? (if|when) (the )?\w+ is nil\b`)
)

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	pf := &pkgFacts{pass: pass, seen: map[[3]string]bool{}, init: map[types.Object]bool{}, decls: map[types.Object]*ast.FuncDecl{}}
	for _, file := range pass.Files {
		ast.Inspect(file, pf.collect)
	}
	insp.Nodes([]ast.Node{(*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)}, func(n ast.Node, push bool) bool {
		if fd, ok := n.(*ast.FuncDecl); !ok || fd.Body != nil {
			newFunc(pf, n).check()
		}
		return false
	})
	return nil, nil
}

// pkgFacts records what the whole package does to fields, package variables and functions.
type pkgFacts struct {
	pass  *analysis.Pass
	seen  map[[3]string]bool
	init  map[types.Object]bool // fields and variables assigned, keyed in a literal, or address-taken
	decls map[types.Object]*ast.FuncDecl
}

func (pf *pkgFacts) collect(n ast.Node) bool {
	info := pf.pass.TypesInfo
	mark := func(e ast.Expr) {
		switch e := ast.Unparen(e).(type) {
		case *ast.Ident:
			pf.init[origin(info.ObjectOf(e))] = true
		case *ast.SelectorExpr:
			pf.init[origin(info.ObjectOf(e.Sel))] = true
		}
	}
	switch n := n.(type) {
	case *ast.FuncDecl:
		pf.decls[info.Defs[n.Name]] = n
	case *ast.AssignStmt:
		for _, l := range n.Lhs {
			mark(l)
		}
	case *ast.ValueSpec:
		for _, id := range n.Names {
			if len(n.Values) > 0 {
				mark(id)
			}
		}
	case *ast.UnaryExpr:
		if _, lit := n.X.(*ast.CompositeLit); n.Op == token.AND && !lit {
			mark(n.X)
			// json.Unmarshal(data, &v) and friends may fill every map field of v.
			if st, ok := typeOf(info, n.X).Underlying().(*types.Struct); ok {
				for i := 0; i < st.NumFields(); i++ {
					pf.init[st.Field(i).Origin()] = true
				}
			}
		}
	case *ast.CompositeLit:
		st, ok := derefType(info.TypeOf(n)).Underlying().(*types.Struct)
		for i, elt := range n.Elts {
			if kv, isKV := elt.(*ast.KeyValueExpr); isKV {
				mark(kv.Key)
			} else if ok && i < st.NumFields() {
				pf.init[st.Field(i).Origin()] = true
			}
		}
	}
	return true
}

func (pf *pkgFacts) report(n ast.Node, cat, format string, args ...any) {
	p := pf.pass.Fset.Position(n.Pos())
	if k := [3]string{p.Filename, fmt.Sprint(p.Line), cat}; !pf.seen[k] {
		pf.seen[k] = true
		pf.pass.Report(analysis.Diagnostic{Pos: n.Pos(), End: n.End(), Category: cat, Message: fmt.Sprintf(format, args...)})
	}
}

type event struct {
	pos  token.Pos
	expr ast.Expr
}

// funcInfo holds what one top-level function (with its closures) does, gathered before checking.
type funcInfo struct {
	*pkgFacts
	info      *types.Info
	root      ast.Node
	funcs     []ast.Node               // the function and every closure in it
	params    map[types.Object]bool    // parameters, closures' included
	nilDecl   map[types.Object]bool    // var p *T / var m map[K]V with no value
	assigned  map[types.Object][]event // assignments and &x, in order
	refs      map[types.Object][]event // every use, in order
	nilCmps   []event                  // x == nil, x != nil: the x
	checked   []event                  // x in x.(T) comma-ok, a type switch on x, reflect.TypeOf(x)
	switches  []*ast.TypeSwitchStmt
	commaOK   map[*ast.TypeAssertExpr]bool
	assertSrc map[types.Object]string // v := m[k], v := <-ch
	nilSrc    map[types.Object]string // v := m[k] (pointers), v := flag.Lookup(...)
	okVar     map[types.Object]types.Object
	errPairs  []*ast.AssignStmt
	derefOf   map[ast.Expr]ast.Expr // x -> x.f or *x
	reported  map[types.Object]bool
}

func newFunc(pf *pkgFacts, root ast.Node) *funcInfo {
	f := &funcInfo{pkgFacts: pf, info: pf.pass.TypesInfo, root: root, params: map[types.Object]bool{},
		nilDecl: map[types.Object]bool{}, assigned: map[types.Object][]event{}, refs: map[types.Object][]event{},
		commaOK: map[*ast.TypeAssertExpr]bool{}, assertSrc: map[types.Object]string{}, nilSrc: map[types.Object]string{},
		okVar: map[types.Object]types.Object{}, reported: map[types.Object]bool{}, derefOf: map[ast.Expr]ast.Expr{}}
	ast.Inspect(root, f.collect)
	return f
}

func (f *funcInfo) collect(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.FuncDecl, *ast.FuncLit:
		f.funcs = append(f.funcs, n)
	case *ast.FuncType:
		for _, fld := range fieldList(n.Params) {
			for _, id := range fld.Names {
				f.params[f.info.Defs[id]] = true
			}
		}
	case *ast.Ident:
		if o := f.info.Uses[n]; o != nil {
			f.refs[o] = append(f.refs[o], event{n.Pos(), n})
		}
	case *ast.ValueSpec:
		for i, id := range n.Names {
			if len(n.Values) == 0 {
				f.nilDecl[f.info.Defs[id]] = true
			} else if len(n.Values) == len(n.Names) {
				f.assign(id, n.Values[i], nil)
			}
		}
	case *ast.AssignStmt:
		for i, l := range n.Lhs {
			// "p = nil" leaves p nil; anything else may not.
			if id, ok := l.(*ast.Ident); ok && (len(n.Lhs) != len(n.Rhs) || !isNil(f.info, n.Rhs[i])) {
				f.assigned[f.info.ObjectOf(id)] = append(f.assigned[f.info.ObjectOf(id)], event{n.Pos(), l})
			}
		}
		if len(n.Lhs) == len(n.Rhs) {
			for i := range n.Lhs {
				f.assign(n.Lhs[i], n.Rhs[i], nil)
			}
		} else if len(n.Rhs) == 1 {
			if ta, ok := n.Rhs[0].(*ast.TypeAssertExpr); ok {
				f.commaOK[ta] = true
				f.checked = append(f.checked, event{n.Pos(), ta.X})
			} else if isErrorType(f.info.TypeOf(n.Lhs[len(n.Lhs)-1])) {
				f.errPairs = append(f.errPairs, n)
			}
			f.assign(n.Lhs[0], n.Rhs[0], n.Lhs[1])
		}
	case *ast.RangeStmt:
		if _, ok := typeOf(f.info, n.X).Underlying().(*types.Chan); ok {
			if id, ok := n.Key.(*ast.Ident); ok {
				f.assertSrc[f.info.ObjectOf(id)] = "a channel"
			}
		}
	case *ast.UnaryExpr:
		if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Op == token.AND {
			f.assigned[f.info.ObjectOf(id)] = append(f.assigned[f.info.ObjectOf(id)], event{n.Pos(), n})
		}
	case *ast.BinaryExpr:
		if n.Op == token.EQL || n.Op == token.NEQ {
			if isNil(f.info, n.Y) {
				f.nilCmps = append(f.nilCmps, event{n.Pos(), n.X})
			} else if isNil(f.info, n.X) {
				f.nilCmps = append(f.nilCmps, event{n.Pos(), n.Y})
			}
		}
	case *ast.TypeSwitchStmt:
		f.switches = append(f.switches, n)
	case *ast.SelectorExpr:
		f.derefOf[n.X] = n
	case *ast.StarExpr:
		f.derefOf[n.X] = n
	case *ast.CallExpr:
		if fn := callee(f.info, n); fn == "reflect.TypeOf" && len(n.Args) == 1 {
			f.checked = append(f.checked, event{n.Pos(), n.Args[0]})
		}
	}
	return true
}

// assign records where l's value came from; ok is the second variable of a comma-ok form.
func (f *funcInfo) assign(l, r ast.Expr, ok ast.Expr) {
	id, isID := l.(*ast.Ident)
	if !isID || f.info.ObjectOf(id) == nil {
		return
	}
	o := f.info.ObjectOf(id)
	if okID, isOK := ok.(*ast.Ident); isOK && f.info.ObjectOf(okID) != nil {
		f.okVar[o] = f.info.ObjectOf(okID)
	}
	if src := f.assertSource(r); src != "" {
		f.assertSrc[o] = src
	}
	if src := f.mayBeNilSource(r); src != "" {
		f.nilSrc[o] = src
	}
}

func (f *funcInfo) assertSource(e ast.Expr) string {
	switch e := ast.Unparen(e).(type) {
	case *ast.IndexExpr:
		// A map field of another package's type (pass.ResultOf) keeps that package's invariants.
		if sel, ok := ast.Unparen(e.X).(*ast.SelectorExpr); ok {
			if v, ok := f.info.ObjectOf(sel.Sel).(*types.Var); ok && v.IsField() && v.Pkg() != f.pass.Pkg {
				return ""
			}
		}
		if _, ok := typeOf(f.info, e.X).Underlying().(*types.Map); ok {
			return "a map"
		}
	case *ast.UnaryExpr:
		if e.Op == token.ARROW {
			return "a channel"
		}
	case *ast.Ident:
		if f.params[f.info.ObjectOf(e)] {
			return "parameter " + e.Name
		}
		return f.assertSrc[f.info.ObjectOf(e)]
	}
	return ""
}

// mayBeNilSource describes e when it is a lookup or call result that may be nil, else "".
func (f *funcInfo) mayBeNilSource(e ast.Expr) string {
	if !nillable(typeOf(f.info, e)) {
		return ""
	}
	switch e := ast.Unparen(e).(type) {
	case *ast.IndexExpr:
		if _, ok := typeOf(f.info, e.X).Underlying().(*types.Map); ok {
			return "map lookup " + types.ExprString(e)
		}
	case *ast.CallExpr:
		name := callee(f.info, e)
		fn, _ := typeutil.Callee(f.info, e).(*types.Func)
		if d := f.decls[fn]; mayReturnNil[name] || d != nil && d.Doc != nil && docSaysNil.MatchString(d.Doc.Text()) && !docNilIfNil.MatchString(d.Doc.Text()) {
			return name + " result"
		}
	}
	return ""
}

// before reports whether an event in evs satisfying pred lies in (from, to).
func before(evs []event, from, to token.Pos, pred func(event) bool) bool {
	for _, ev := range evs {
		if ev.pos > from && ev.pos < to && (pred == nil || pred(ev)) {
			return true
		}
	}
	return false
}

func (f *funcInfo) nilChecked(x ast.Expr, from, to token.Pos) bool {
	xs := types.ExprString(x)
	return before(f.nilCmps, from, to, func(ev event) bool { return types.ExprString(ev.expr) == xs })
}

func (f *funcInfo) check() {
	for _, as := range f.errPairs {
		f.errValue(as)
	}
	ast.Inspect(f.root, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				f.mapWrite(l)
				if n.Tok == token.ASSIGN && len(n.Lhs) == len(n.Rhs) && isInterface(f.info.TypeOf(l)) {
					f.typedNil(n.Rhs[i], "assigned to "+types.ExprString(l), isErrorType(f.info.TypeOf(l)))
				}
			}
		case *ast.IncDecStmt:
			f.mapWrite(n.X)
		case *ast.TypeAssertExpr:
			f.assertion(n)
		case *ast.ReturnStmt:
			f.returns(n)
		case *ast.BinaryExpr:
			if (n.Op == token.EQL || n.Op == token.NEQ) && isInterface(f.info.TypeOf(n.X)) != isInterface(f.info.TypeOf(n.Y)) {
				f.typedNil(n.X, "compared with "+types.ExprString(n.Y), false)
				f.typedNil(n.Y, "compared with "+types.ExprString(n.X), false)
			}
		case *ast.SelectorExpr:
			f.deref(n, n.X)
		case *ast.StarExpr:
			f.deref(n, n.X)
		}
		return true
	})
}

func (f *funcInfo) mapWrite(l ast.Expr) {
	ix, ok := ast.Unparen(l).(*ast.IndexExpr)
	if !ok {
		return
	}
	if _, isMap := typeOf(f.info, ix.X).Underlying().(*types.Map); !isMap {
		return
	}
	var o types.Object
	switch x := ast.Unparen(ix.X).(type) {
	case *ast.Ident:
		o = f.info.ObjectOf(x)
		// A nil comparison anywhere means the author handles nil (lazily, maybe later in a loop).
		local := f.nilDecl[o] && !before(f.assigned[o], 0, ix.Pos(), nil) && !f.nilChecked(x, 0, token.Pos(1<<62))
		pkgVar := o != nil && o.Parent() == f.pass.Pkg.Scope() && !f.init[o]
		if !local && !pkgVar {
			return
		}
	case *ast.SelectorExpr:
		o = origin(f.info.ObjectOf(x.Sel))
		// Other packages may set exported fields, except in package main.
		if v, ok := o.(*types.Var); !ok || !v.IsField() || v.Pkg() != f.pass.Pkg || f.init[o] || v.Exported() && f.pass.Pkg.Name() != "main" {
			return
		}
	default:
		return
	}
	if !f.reported[o] {
		f.reported[o] = true
		f.report(ix, "nil-map-write", "%s is written but nothing makes the map %s; writing a nil map panics", types.ExprString(ix), types.ExprString(ix.X))
	}
}

func (f *funcInfo) assertion(ta *ast.TypeAssertExpr) {
	if ta.Type == nil || f.commaOK[ta] {
		return
	}
	src := f.assertSource(ta.X)
	xs := types.ExprString(ta.X)
	for _, ts := range f.switches {
		var guard ast.Expr
		switch a := ts.Assign.(type) {
		case *ast.AssignStmt:
			guard = a.Rhs[0]
		case *ast.ExprStmt:
			guard = a.X
		}
		if subj, ok := guard.(*ast.TypeAssertExpr); ok && types.ExprString(subj.X) == xs && ts.Body.Pos() < ta.Pos() && ta.Pos() < ts.Body.End() {
			return
		}
	}
	if src == "" || before(f.checked, 0, ta.Pos(), func(ev event) bool { return types.ExprString(ev.expr) == xs }) {
		return
	}
	f.report(ta, "type-assert-unchecked", "%s panics if %s from %s holds another type; use the comma-ok form", types.ExprString(ta), xs, src)
}

// errValue reports v dereferenced after "v, err := f()" before err is looked at.
func (f *funcInfo) errValue(as *ast.AssignStmt) {
	errID, ok := as.Lhs[len(as.Lhs)-1].(*ast.Ident)
	if !ok || errID.Name == "_" {
		return
	}
	errUses := f.refs[f.info.ObjectOf(errID)]
	for _, l := range as.Lhs[:len(as.Lhs)-1] {
		id, ok := l.(*ast.Ident)
		if !ok || id.Name == "_" || !nillable(f.info.TypeOf(id)) {
			continue
		}
		for _, use := range f.refs[f.info.ObjectOf(id)] {
			if use.pos <= as.End() {
				continue
			}
			if before(errUses, as.End(), use.pos, nil) || f.nilChecked(id, as.End(), use.pos) {
				break
			}
			if p := f.derefOf[use.expr]; p != nil {
				f.report(p, "err-value-before-check", "%s is used before %s from %s is checked; %s may be nil",
					types.ExprString(p), errID.Name, types.ExprString(as.Rhs[0]), id.Name)
				break
			}
		}
	}
}

func (f *funcInfo) returns(ret *ast.ReturnStmt) {
	var sig *types.Signature
	var innermost ast.Node
	for _, fn := range f.funcs {
		if fn.Pos() < ret.Pos() && ret.End() <= fn.End() && (innermost == nil || fn.Pos() > innermost.Pos()) {
			innermost = fn
		}
	}
	switch fn := innermost.(type) {
	case *ast.FuncDecl:
		if o, ok := f.info.Defs[fn.Name].(*types.Func); ok {
			sig = o.Signature()
		}
	case *ast.FuncLit:
		sig, _ = f.info.TypeOf(fn).(*types.Signature)
	}
	if sig == nil || sig.Results().Len() != len(ret.Results) {
		return
	}
	for i, e := range ret.Results {
		if isInterface(sig.Results().At(i).Type()) {
			t := sig.Results().At(i).Type()
			f.typedNil(e, "returned as "+types.TypeString(t, types.RelativeTo(f.pass.Pkg)), isErrorType(t))
		}
	}
}

// typedNil reports e, a concrete pointer that may be nil, stored in or compared with an interface.
// A pointer parameter counts only when the interface is error: handing a possibly-nil *bufio.Reader
// on as an io.Reader is common and usually fine.
func (f *funcInfo) typedNil(e ast.Expr, how string, isErr bool) {
	if _, ok := typeOf(f.info, e).Underlying().(*types.Pointer); !ok || isNil(f.info, e) {
		return
	}
	why := ""
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		o := f.info.ObjectOf(x)
		addr := before(f.assigned[o], 0, e.Pos(), func(ev event) bool { _, ok := ev.expr.(*ast.UnaryExpr); return ok })
		if (f.nilDecl[o] || f.params[o] && isErr) && !addr && !f.nilChecked(x, 0, e.Pos()) && !f.dominated(o, e.Pos()) {
			why = x.Name + " may still be nil"
		}
	case *ast.CallExpr:
		if !isErr {
			break // (*T)(nil) and constructors stored in other interfaces are mostly deliberate
		}
		if f.info.Types[x.Fun].IsType() && len(x.Args) == 1 && isNil(f.info, x.Args[0]) {
			why = "it is a nil pointer"
		} else if fn, ok := typeutil.Callee(f.info, x).(*types.Func); ok && returnsNil(f.decls[fn]) {
			why = fn.Name() + " can return nil"
		}
	}
	if why != "" {
		f.report(e, "typed-nil-error", "%s (%s) %s; %s, so the interface is non-nil", types.ExprString(e), typeOf(f.info, e), how, why)
	}
}

// dominated reports whether an assignment to o sits in a block that also holds pos, before it:
// every path to pos then went through it (barring goto).
func (f *funcInfo) dominated(o types.Object, pos token.Pos) bool {
	for _, ev := range f.assigned[o] {
		if _, isAddr := ev.expr.(*ast.UnaryExpr); isAddr || ev.pos >= pos {
			continue
		}
		var block ast.Node
		ast.Inspect(f.root, func(n ast.Node) bool {
			if n == nil || n.Pos() > ev.pos || ev.pos >= n.End() {
				return false
			}
			switch n.(type) {
			case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
				block = n
			}
			return true
		})
		if block != nil && pos < block.End() {
			return true
		}
	}
	return false
}

// deref reports sel (x.f or *x) when x may be nil and was not checked.
func (f *funcInfo) deref(n, x ast.Expr) {
	x = ast.Unparen(x)
	src := f.mayBeNilSource(x)
	if id, ok := x.(*ast.Ident); ok && src == "" {
		o := f.info.ObjectOf(id)
		src = f.nilSrc[o]
		decl := f.assigned[o]
		if src == "" || len(decl) == 0 || f.reported[o] || f.nilChecked(id, decl[0].pos, n.Pos()) ||
			f.okVar[o] != nil && before(f.refs[f.okVar[o]], decl[0].pos, n.Pos(), nil) {
			return
		}
		f.reported[o] = true
	}
	if sel, ok := n.(*ast.SelectorExpr); ok && f.info.Selections[sel] == nil {
		return // a qualified identifier, not a field or method
	}
	if src != "" {
		f.report(n, "nil-result-unchecked", "%s dereferences %s with no nil check", types.ExprString(n), src)
	}
}
