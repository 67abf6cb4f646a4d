package chancheck

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

// enclosingFunc returns the innermost function declaration or literal around cur.
func enclosingFunc(cur inspector.Cursor) ast.Node {
	for c := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		return c.Node()
	}
	return nil
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

// loopBody returns the body of a for or range statement.
func loopBody(loop ast.Node) *ast.BlockStmt {
	switch l := loop.(type) {
	case *ast.ForStmt:
		return l.Body
	case *ast.RangeStmt:
		return l.Body
	}
	return nil
}

// contains reports whether node n lies within outer.
func contains(outer, n ast.Node) bool {
	return outer != nil && n != nil && outer.Pos() <= n.Pos() && n.End() <= outer.End()
}

func builtin(info *types.Info, call *ast.CallExpr) string {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := info.Uses[id].(*types.Builtin); ok {
			return b.Name()
		}
	}
	return ""
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

func isNil(info *types.Info, e ast.Expr) bool {
	tv, ok := info.Types[e]
	return ok && tv.IsNil()
}

// mentionsError reports whether e reads a value of type error other than
// a call's result: err != nil, r.err != nil.
func mentionsError(info *types.Info, e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if x, ok := n.(ast.Expr); ok && !found {
			if t := info.TypeOf(x); t != nil && types.Identical(t, errorType) {
				if _, isCall := x.(*ast.CallExpr); !isCall {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

var errorType = types.Universe.Lookup("error").Type()

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

// underlying returns the underlying type of e, or nil when e has none (the blank identifier).
func underlying(info *types.Info, e ast.Expr) types.Type {
	if t := info.TypeOf(e); t != nil {
		return t.Underlying()
	}
	return nil
}

// unconditional reports whether the statement at c runs whenever the body
// of outer (a function literal or loop) runs a turn: only blocks, labels
// and, if loops is set, loops lie between them.
func unconditional(c inspector.Cursor, outer ast.Node, loops bool) bool {
	body := outer
	switch o := outer.(type) {
	case *ast.FuncLit:
		body = o.Body
	case *ast.FuncDecl:
		body = o.Body
	case *ast.ForStmt:
		body = o.Body
	case *ast.RangeStmt:
		body = o.Body
	}
	for p := c.Parent(); p.Node() != body; p = p.Parent() {
		switch p.Node().(type) {
		case nil:
			return false
		case *ast.BlockStmt, *ast.LabeledStmt, *ast.ExprStmt:
		case *ast.ForStmt, *ast.RangeStmt:
			if !loops {
				return false
			}
		default:
			return false
		}
	}
	return true
}
