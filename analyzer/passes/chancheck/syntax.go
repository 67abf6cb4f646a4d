package chancheck

// Syntax and type helpers.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
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
