// Package unsafereflect defines an Analyzer that reports risk signals around package unsafe and
// package reflect: pointer conversions, uintptr round trips, and reflect.Value calls that panic on
// the wrong kind.
package unsafereflect

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report unsafe and reflect use as risk signals

unsafe-pointer: a conversion to or from unsafe.Pointer, or a call of unsafe.Slice, unsafe.String,
unsafe.SliceData, unsafe.StringData or unsafe.Add. One per line.

uintptr-to-pointer: unsafe.Pointer(u) where u reads a uintptr variable or field and is not, in
the same expression, uintptr(unsafe.Pointer(p)) plus or minus an offset, nor
reflect.Value.Pointer/UnsafeAddr: the address waited in a uintptr, and the garbage collector may
have freed or moved the object meanwhile.

pointer-in-uintptr: uintptr(unsafe.Pointer(p)) stored in a variable or field rather than used in
the same expression. Harmless for identity or printing, so it weighs less than the round trip.

reflect-value: a call of reflect.Value.Interface, Elem, Field, FieldByName, Index, MapIndex, Call or a
Set method, each of which panics on the wrong kind or an unexported field.

reflect-elem-nonptr: reflect.ValueOf(x).Elem() where x is not statically a pointer and no Kind
check comes before it; Elem panics unless the value is a pointer or interface.

deepequal-suspect: reflect.DeepEqual on errors (compares wrapped internals, not identity; use
errors.Is) or on values containing funcs (never equal unless both nil).`

var Analyzer = &analysis.Analyzer{
	Name:     "unsafereflect",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/unsafereflect",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Signals maps each category this pass reports to its weight (0–10, see CONTRACT.md).
var Signals = map[string]float64{
	"unsafe-pointer":      3,
	"uintptr-to-pointer":  7,
	"pointer-in-uintptr":  4,
	"reflect-value":       2,
	"reflect-elem-nonptr": 3,
	"deepequal-suspect":   4,
}

var reflectMethods = map[string]bool{
	"Interface": true, "Elem": true, "Field": true, "FieldByName": true, "FieldByIndex": true,
	"Index": true, "MapIndex": true, "Call": true, "CallSlice": true,
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	c := &checker{pass: pass, seen: map[[3]string]bool{}}
	insp.Nodes([]ast.Node{(*ast.FuncDecl)(nil), (*ast.FuncLit)(nil), (*ast.GenDecl)(nil)}, func(n ast.Node, push bool) bool {
		c.unit(n)
		return false
	})
	return nil, nil
}

type checker struct {
	pass *analysis.Pass
	seen map[[3]string]bool
}

func (c *checker) report(n ast.Node, cat, format string, args ...any) {
	p := c.pass.Fset.Position(n.Pos())
	if k := [3]string{p.Filename, fmt.Sprint(p.Line), cat}; !c.seen[k] {
		c.seen[k] = true
		c.pass.Report(analysis.Diagnostic{Pos: n.Pos(), End: n.End(), Category: cat, Message: fmt.Sprintf(format, args...)})
	}
}

// unit checks one top-level declaration: a function with its closures, or a var block.
func (c *checker) unit(root ast.Node) {
	info := c.pass.TypesInfo
	valueOf := map[types.Object]ast.Expr{} // v := reflect.ValueOf(x): v -> x
	var kindChecks []token.Pos             // v.Kind() calls
	stored := map[ast.Expr]bool{}          // right-hand sides stored in variables or fields
	var markStored func(e ast.Expr)
	markStored = func(e ast.Expr) {
		e = ast.Unparen(e)
		stored[e] = true
		if be, ok := e.(*ast.BinaryExpr); ok {
			markStored(be.X)
			markStored(be.Y)
		}
	}
	ast.Inspect(root, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, r := range n.Rhs {
				markStored(r)
				if x := c.valueOfArg(r); x != nil && len(n.Lhs) == len(n.Rhs) {
					if id, ok := n.Lhs[i].(*ast.Ident); ok && info.ObjectOf(id) != nil {
						valueOf[info.ObjectOf(id)] = x
					}
				}
			}
		case *ast.ValueSpec:
			for i, r := range n.Values {
				markStored(r)
				if x := c.valueOfArg(r); x != nil && len(n.Names) == len(n.Values) {
					valueOf[info.Defs[n.Names[i]]] = x
				}
			}
		case *ast.KeyValueExpr:
			markStored(n.Value)
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Kind" {
				kindChecks = append(kindChecks, n.Pos())
			}
		}
		return true
	})
	nested := map[ast.Node]bool{} // inside an unsafe construct already reported
	ast.Inspect(root, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		conv := len(call.Args) == 1 && info.Types[call.Fun].IsType()
		if (conv && (isBasic(info.TypeOf(call), types.UnsafePointer) || isBasic(info.TypeOf(call.Args[0]), types.UnsafePointer)) ||
			c.unsafeFunc(call) != "") && !nested[call] {
			// (*T)(unsafe.Pointer(&x)) is one use of unsafe, not two.
			ast.Inspect(call, func(m ast.Node) bool { nested[m] = m != call; return true })
			if !conv {
				c.report(call, "unsafe-pointer", "unsafe.%s builds a value the compiler cannot check", c.unsafeFunc(call))
			}
		}
		switch {
		case conv:
			c.conversion(call, stored[call], !nested[call])
		case c.unsafeFunc(call) != "":
		default:
			c.reflectCall(call, valueOf, kindChecks)
		}
		return true
	})
}

func (c *checker) conversion(call *ast.CallExpr, stored, outermost bool) {
	info := c.pass.TypesInfo
	to, from := info.TypeOf(call), info.TypeOf(call.Args[0])
	switch {
	case isBasic(to, types.UnsafePointer) && isBasic(from, types.Uintptr) && !isSafeUintptr(info, call.Args[0]) && holdsVar(info, call.Args[0]):
		c.report(call, "uintptr-to-pointer", "%s turns a uintptr computed earlier back into a pointer; the object may be gone or moved",
			types.ExprString(call))
	case isBasic(to, types.Uintptr) && isBasic(from, types.UnsafePointer) && stored:
		c.report(call, "pointer-in-uintptr", "%s is stored as a uintptr, which does not keep the object alive", types.ExprString(call))
	case isBasic(to, types.UnsafePointer) != isBasic(from, types.UnsafePointer) && outermost:
		c.report(call, "unsafe-pointer", "%s converts through unsafe.Pointer", types.ExprString(call))
	}
}

func (c *checker) unsafeFunc(call *ast.CallExpr) string {
	var id *ast.Ident
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.SelectorExpr:
		id = fun.Sel
	case *ast.Ident:
		id = fun
	}
	b, ok := c.pass.TypesInfo.Uses[id].(*types.Builtin)
	if !ok || b.Pkg() != types.Unsafe {
		return ""
	}
	switch b.Name() {
	case "Slice", "String", "SliceData", "StringData", "Add":
		return b.Name()
	}
	return ""
}

// valueOfArg returns x when e is reflect.ValueOf(x).
func (c *checker) valueOfArg(e ast.Expr) ast.Expr {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if ok && len(call.Args) == 1 && funcName(c.pass.TypesInfo, call) == "reflect.ValueOf" {
		return call.Args[0]
	}
	return nil
}

func (c *checker) reflectCall(call *ast.CallExpr, valueOf map[types.Object]ast.Expr, kindChecks []token.Pos) {
	info := c.pass.TypesInfo
	name := funcName(info, call)
	if name == "reflect.DeepEqual" && len(call.Args) == 2 {
		for _, a := range call.Args {
			if why := suspect(info.TypeOf(a), map[types.Type]bool{}); why != "" {
				c.report(call, "deepequal-suspect", "reflect.DeepEqual on %s (%s): %s", types.ExprString(a), info.TypeOf(a), why)
				return
			}
		}
		return
	}
	method, ok := strings.CutPrefix(name, "reflect.Value.")
	if !ok || !reflectMethods[method] && !strings.HasPrefix(method, "Set") {
		return
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || info.Types[sel.X].IsType() {
		return // a method expression such as reflect.Value.Elem(v)
	}
	recv := ast.Unparen(sel.X)
	if method == "Elem" {
		x := c.valueOfArg(recv)
		if id, ok := recv.(*ast.Ident); ok && x == nil {
			x = valueOf[info.ObjectOf(id)]
		}
		checked := false
		for _, p := range kindChecks {
			checked = checked || p < call.Pos()
		}
		if t := info.TypeOf(x); x != nil && t != nil && !checked {
			if _, isPtr := t.Underlying().(*types.Pointer); !isPtr {
				c.report(call, "reflect-elem-nonptr", "%s panics unless %s (%s) holds a pointer; no Kind check before it",
					types.ExprString(call), types.ExprString(x), t)
				return
			}
		}
	}
	c.report(call, "reflect-value", "reflect.Value.%s on %s panics on the wrong kind", method, types.ExprString(recv))
}

// suspect explains why DeepEqual on a value of type t misleads: t is an error or holds a func.
func suspect(t types.Type, seen map[types.Type]bool) string {
	if t == nil || seen[t] {
		return ""
	}
	seen[t] = true
	errType := types.Universe.Lookup("error").Type().Underlying().(*types.Interface)
	if types.Implements(t, errType) {
		return "errors compare by internals; use errors.Is"
	}
	switch u := t.Underlying().(type) {
	case *types.Signature:
		return "funcs are never deeply equal unless both nil"
	case *types.Pointer:
		return suspect(u.Elem(), seen)
	case *types.Slice:
		return suspect(u.Elem(), seen)
	case *types.Array:
		return suspect(u.Elem(), seen)
	case *types.Map:
		return suspect(u.Elem(), seen)
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if _, isFunc := u.Field(i).Type().Underlying().(*types.Signature); isFunc {
				return "field " + u.Field(i).Name() + " is a func, never deeply equal unless both nil"
			}
			if why := suspect(u.Field(i).Type(), seen); why != "" {
				return why
			}
		}
	}
	return ""
}

// isSafeUintptr reports whether x, a uintptr, may be converted to unsafe.Pointer: the rules of
// package unsafe (3) and (5), as vet's unsafeptr checks them.
func isSafeUintptr(info *types.Info, x ast.Expr) bool {
	switch x := ast.Unparen(x).(type) {
	case *ast.CallExpr:
		if len(x.Args) == 1 {
			return isBasic(info.TypeOf(x.Fun), types.Uintptr) && isBasic(info.TypeOf(x.Args[0]), types.UnsafePointer)
		}
		name := funcName(info, x)
		return name == "reflect.Value.Pointer" || name == "reflect.Value.UnsafeAddr"
	case *ast.BinaryExpr:
		switch x.Op {
		case token.ADD, token.SUB, token.AND_NOT:
			return isSafeUintptr(info, x.X) && !isSafeUintptr(info, x.Y)
		}
	}
	return false
}

// holdsVar reports whether e reads a uintptr variable or field, where an address may have waited.
func holdsVar(info *types.Info, e ast.Expr) (found bool) {
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if v, ok := info.Uses[id].(*types.Var); ok && isBasic(v.Type(), types.Uintptr) {
				found = true
			}
		}
		return !found
	})
	return found
}

func isBasic(t types.Type, kind types.BasicKind) bool {
	if t == nil {
		return false
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == kind
}

// funcName returns "pkg.Func" or "pkg.Type.Method" for a static call, else "".
func funcName(info *types.Info, call *ast.CallExpr) string {
	fn, ok := typeutil.Callee(info, call).(*types.Func)
	if !ok || fn.Pkg() == nil {
		return ""
	}
	if recv := fn.Signature().Recv(); recv != nil {
		t := recv.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if named, ok := t.(*types.Named); ok {
			return fn.Pkg().Path() + "." + named.Obj().Name() + "." + fn.Name()
		}
		return ""
	}
	return fn.Pkg().Path() + "." + fn.Name()
}
