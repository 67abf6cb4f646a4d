// Package astx holds the syntax helpers secondlook's passes share, so that
// each pass need not keep its own copy.
package astx

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// CalleeFunc returns the function or method a call calls statically, or nil.
func CalleeFunc(info *types.Info, call *ast.CallExpr) *types.Func {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	return fn
}

// NamedOf returns the named type t or *t denotes, or nil.
func NamedOf(t types.Type) *types.Named {
	if t == nil {
		return nil
	}
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, _ := types.Unalias(t).(*types.Named)
	return n
}

// IsText reports whether t is a string or a byte slice type.
func IsText(t types.Type) bool {
	if t == nil {
		return false
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Info()&types.IsString != 0
	case *types.Slice:
		b, ok := u.Elem().Underlying().(*types.Basic)
		return ok && b.Kind() == types.Byte
	}
	return false
}

// Contains reports whether node n lies within outer.
func Contains(outer, n ast.Node) bool {
	return outer != nil && n != nil && outer.Pos() <= n.Pos() && n.End() <= outer.End()
}

// EnclosingLoop returns the innermost loop whose body holds cur, within
// cur's function, or nil.
func EnclosingLoop(cur inspector.Cursor) ast.Node {
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

// InspectDirect calls f for fn and each node of fn outside nested function literals.
func InspectDirect(fn inspector.Cursor, f func(inspector.Cursor)) {
	fn.Inspect(nil, func(c inspector.Cursor) bool {
		if _, ok := c.Node().(*ast.FuncLit); ok && c != fn {
			return false
		}
		f(c)
		return true
	})
}

// IsMethod reports whether fn is the method name of pkg's type typ.
func IsMethod(fn *types.Func, pkg, typ, name string) bool {
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

// Related is one piece of evidence.
func Related(n ast.Node, format string, args ...any) analysis.RelatedInformation {
	return analysis.RelatedInformation{Pos: n.Pos(), End: n.End(), Message: fmt.Sprintf(format, args...)}
}

// StmtExpr returns the expression statement s runs: x in `x`, and the one
// right-hand side of an assignment (`v := <-ch`); nil otherwise.
func StmtExpr(s ast.Stmt) ast.Expr {
	switch s := s.(type) {
	case *ast.ExprStmt:
		return s.X
	case *ast.AssignStmt:
		if len(s.Rhs) == 1 {
			return s.Rhs[0]
		}
	}
	return nil
}

// StmtList returns the statements of a block, a case of a switch or a case
// of a select, and nil for any other node.
func StmtList(n ast.Node) []ast.Stmt {
	switch n := n.(type) {
	case *ast.BlockStmt:
		return n.List
	case *ast.CaseClause:
		return n.Body
	case *ast.CommClause:
		return n.Body
	}
	return nil
}

// Reporter reports a pass's diagnostics, once per line and category: two
// constructs of one kind on one line say the same thing to a reader.
type Reporter struct {
	Pass *analysis.Pass
	seen map[lineCategory]bool
}

type lineCategory struct {
	file     string
	line     int
	category string
}

// NewReporter returns a Reporter for pass.
func NewReporter(pass *analysis.Pass) *Reporter {
	return &Reporter{Pass: pass, seen: make(map[lineCategory]bool)}
}

// Line returns the line of pos.
func (r *Reporter) Line(pos token.Pos) int { return r.Pass.Fset.Position(pos).Line }

// Reported reports whether some category was reported at pos's line: a
// pass whose categories overlap reports the stronger first and skips the
// line for the weaker.
func (r *Reporter) Reported(pos token.Pos) bool {
	p := r.Pass.Fset.Position(pos)
	return r.seen[lineCategory{p.Filename, p.Line, ""}]
}

// Report reports n under category, unless its line has one already.
func (r *Reporter) Report(n ast.Node, category, format string, args ...any) {
	r.ReportRelated(n, category, nil, format, args...)
}

// ReportRelated is Report with evidence: the places a reader checks the
// claim against.
func (r *Reporter) ReportRelated(n ast.Node, category string, related []analysis.RelatedInformation, format string, args ...any) {
	p := r.Pass.Fset.Position(n.Pos())
	key := lineCategory{p.Filename, p.Line, category}
	if r.seen[key] {
		return
	}
	r.seen[key] = true
	r.seen[lineCategory{p.Filename, p.Line, ""}] = true // for Reported
	r.Pass.Report(analysis.Diagnostic{
		Pos: n.Pos(), End: n.End(), Category: category,
		Message: fmt.Sprintf(format, args...), Related: related,
	})
}
