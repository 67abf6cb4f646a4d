package analyzer

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// calls returns the places in body that call a function of the module, take
// one as a value, or call an interface method (any module method of that
// name and signature may run there), by line.
func (ix *pkgIndex) calls(body ast.Node) []Call {
	if body == nil {
		return nil
	}
	info := ix.pkg.TypesInfo
	fset := ix.pkg.Fset
	var goStmts []*ast.GoStmt
	called := map[ast.Expr]bool{}  // the Fun of every call, without parentheses
	sels := map[*ast.Ident]bool{}  // the Sel of every selector: part of its selector, not a value of its own
	handler := map[ast.Expr]bool{} // arguments registered as HTTP handlers
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			goStmts = append(goStmts, n)
		case *ast.CallExpr:
			called[ast.Unparen(n.Fun)] = true
			if registersHandler(n) {
				for _, a := range n.Args {
					handler[ast.Unparen(a)] = true
				}
			}
		case *ast.SelectorExpr:
			sels[n.Sel] = true
		}
		return true
	})
	inGo := func(pos token.Pos) bool {
		for _, g := range goStmts {
			if g.Pos() <= pos && pos < g.End() {
				return true
			}
		}
		return false
	}
	var out []Call
	seen := map[Call]bool{}
	add := func(c Call) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	value := func(expr ast.Expr, id *ast.Ident) {
		fn, ok := info.Uses[id].(*types.Func)
		if !ok || !ix.local(fn) {
			return
		}
		add(Call{Key: fn.Origin().FullName(), Line: fset.Position(expr.Pos()).Line, Kind: CallValue, Go: inGo(expr.Pos()), Handler: handler[expr]})
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			fn, ok := typeutil.Callee(info, n).(*types.Func)
			if !ok {
				return true
			}
			line := fset.Position(n.Lparen).Line
			if recv := fn.Signature().Recv(); recv != nil && types.IsInterface(recv.Type()) {
				add(Call{Key: fn.FullName(), Line: line, Kind: CallInterface, Go: inGo(n.Pos()), Method: fn.Name(), Sig: sigString(fn.Signature())})
			} else if ix.local(fn) {
				add(Call{Key: fn.Origin().FullName(), Line: line, Kind: CallDirect, Go: inGo(n.Pos())})
			}
		case *ast.SelectorExpr:
			if !called[n] {
				value(n, n.Sel)
			}
		case *ast.Ident:
			if !called[n] && !sels[n] {
				value(n, n)
			}
		}
		return true
	})
	slices.SortStableFunc(out, func(a, b Call) int { return a.Line - b.Line })
	return out
}

// varCalls records the calls of a package-level variable's initializer
// in ix.vars.
func (ix *pkgIndex) varCalls(name *ast.Ident, value ast.Expr, rel string, test bool) {
	calls := ix.calls(value)
	if len(calls) == 0 {
		return
	}
	fset := ix.pkg.Fset
	ix.vars = append(ix.vars, &Func{
		Package:  ix.pkg.PkgPath,
		File:     rel,
		Name:     name.Name,
		Start:    fset.Position(name.Pos()).Line,
		End:      fset.Position(value.End()).Line,
		Test:     test,
		Calls:    calls,
		Exported: name.IsExported(),
		Command:  ix.pkg.Name == "main",
	})
}

// registersHandler reports whether a call registers its function
// arguments as HTTP handlers: a method or function named HandleFunc or
// Handle, or a conversion to a type named HandlerFunc.
func registersHandler(call *ast.CallExpr) bool {
	name := ""
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		name = f.Name
	case *ast.SelectorExpr:
		name = f.Sel.Name
	}
	return name == "HandleFunc" || name == "Handle" || name == "HandlerFunc"
}

// describe sets what the review map needs to know of a declared function:
// exported, main, an HTTP handler, its signature.
func (ix *pkgIndex) describe(fn *Func, d *ast.FuncDecl, obj *types.Func) {
	fn.Exported = d.Name.IsExported()
	if obj != nil {
		if recv := obj.Signature().Recv(); recv != nil {
			t := recv.Type()
			if p, ok := t.(*types.Pointer); ok {
				t = p.Elem()
			}
			if n, ok := types.Unalias(t).(*types.Named); ok {
				fn.Exported = fn.Exported && n.Obj().Exported()
			}
		}
	}
	fn.Command = ix.pkg.Name == "main"
	fn.Main = fn.Command && d.Recv == nil && d.Name.Name == "main"
	if obj == nil {
		return
	}
	sig := obj.Signature()
	if sig.Recv() != nil {
		fn.Sig = sigString(sig)
	}
	fn.Handler = isHandlerSig(sig)
}

// sigString prints a signature without its receiver, with full package
// paths, so that a method and the interface method it implements print the
// same.
func sigString(sig *types.Signature) string {
	unnamed := func(t *types.Tuple) *types.Tuple {
		vars := make([]*types.Var, t.Len())
		for i := range vars {
			vars[i] = types.NewParam(0, nil, "", t.At(i).Type())
		}
		return types.NewTuple(vars...)
	}
	// Parameter names differ between a method and its interface's.
	return types.TypeString(types.NewSignatureType(nil, nil, nil, unnamed(sig.Params()), unnamed(sig.Results()), sig.Variadic()), nil)
}

// isHandlerSig reports whether sig is func(http.ResponseWriter, *http.Request).
func isHandlerSig(sig *types.Signature) bool {
	if sig.Params().Len() != 2 || sig.Results().Len() != 0 {
		return false
	}
	return isNamed(sig.Params().At(0).Type(), "net/http", "ResponseWriter") &&
		isNamed(pointee(sig.Params().At(1).Type()), "net/http", "Request")
}

func pointee(t types.Type) types.Type {
	if p, ok := t.(*types.Pointer); ok {
		return p.Elem()
	}
	return nil
}

func isNamed(t types.Type, pkg, name string) bool {
	if t == nil {
		return false
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg && n.Obj().Name() == name
}

// shortPkg is the last element of an import path.
func shortPkg(path string) string {
	return path[strings.LastIndexByte(path, '/')+1:]
}
