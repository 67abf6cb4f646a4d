package chancheck

// Syntax and type helpers.

import (
	"go/ast"
	"go/types"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/ast/inspector"
)

// enclosingFunc returns the innermost function declaration or literal around cur.
func enclosingFunc(cur inspector.Cursor) ast.Node {
	for c := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		return c.Node()
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

func builtin(info *types.Info, call *ast.CallExpr) string {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := info.Uses[id].(*types.Builtin); ok {
			return b.Name()
		}
	}
	return ""
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

// reporter reports once per line and category.
type reporter struct{ *astx.Reporter }

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
