package wgcheck

// Syntax and type helpers.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// inspectDirect calls f for fn and each node of fn outside nested function literals.
func inspectDirect(fn inspector.Cursor, f func(inspector.Cursor)) {
	fn.Inspect(nil, func(c inspector.Cursor) bool {
		if _, ok := c.Node().(*ast.FuncLit); ok && c != fn {
			return false
		}
		f(c)
		return true
	})
}

// enclosingLoop returns the innermost loop whose body holds cur, within
// cur's function, or nil.
func enclosingLoop(cur inspector.Cursor) ast.Node {
	pos := cur.Node().Pos()
	for c := range cur.Enclosing() {
		switch n := c.Node().(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return nil
		case *ast.ForStmt:
			if c != cur && n.Body.Pos() <= pos && pos < n.Body.End() {
				return n
			}
		case *ast.RangeStmt:
			if c != cur && n.Body.Pos() <= pos && pos < n.Body.End() {
				return n
			}
		}
	}
	return nil
}

// contains reports whether node n lies within outer.
func contains(outer, n ast.Node) bool {
	return outer != nil && n != nil && outer.Pos() <= n.Pos() && n.End() <= outer.End()
}

func calleeFunc(info *types.Info, call *ast.CallExpr) *types.Func {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	return fn
}

// isMethod reports whether fn is the method name of pkg's type typ.
func isMethod(fn *types.Func, pkg, typ, name string) bool {
	if fn == nil || fn.Name() != name || fn.Pkg() == nil || fn.Pkg().Path() != pkg || fn.Signature().Recv() == nil {
		return false
	}
	t := fn.Signature().Recv().Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	return ok && named.Obj().Name() == typ
}

// A key names a WaitGroup by a variable and a path of fields: wg, s.wg.
type key struct {
	root types.Object
	path string // ".wg", "" for the variable itself
}

func (k key) String() string { return k.root.Name() + k.path }

// keyOf returns the key of an expression made of a variable and field
// selections, through & and *.
func keyOf(info *types.Info, e ast.Expr) (key, bool) {
	path := ""
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			v, ok := info.Uses[x].(*types.Var)
			if !ok {
				return key{}, false
			}
			return key{v, path}, true
		case *ast.SelectorExpr:
			sel, ok := info.Selections[x]
			if !ok || sel.Kind() != types.FieldVal {
				return key{}, false
			}
			path = "." + x.Sel.Name + path
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.UnaryExpr:
			if x.Op != token.AND {
				return key{}, false
			}
			e = x.X
		default:
			return key{}, false
		}
	}
}

type lineCat struct {
	file     string
	line     int
	category string
}

// reporter reports each category at most once per line.
type reporter struct {
	pass *analysis.Pass
	seen map[lineCat]bool
}

func (r *reporter) line(pos token.Pos) int { return r.pass.Fset.Position(pos).Line }

func (r *reporter) report(n ast.Node, category string, related []analysis.RelatedInformation, format string, args ...any) {
	p := r.pass.Fset.Position(n.Pos())
	key := lineCat{p.Filename, p.Line, category}
	if r.seen[key] {
		return
	}
	r.seen[key] = true
	r.pass.Report(analysis.Diagnostic{
		Pos: n.Pos(), End: n.End(), Category: category,
		Message: fmt.Sprintf(format, args...), Related: related,
	})
}

// rel is one piece of evidence.
func rel(n ast.Node, format string, args ...any) analysis.RelatedInformation {
	return analysis.RelatedInformation{Pos: n.Pos(), End: n.End(), Message: fmt.Sprintf(format, args...)}
}
