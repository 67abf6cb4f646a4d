package lockcheck

// cond-wait-not-in-loop.

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
)

// checkCondWaits reports sync.Cond.Wait under an if or a switch case and
// not inside a loop of its function: the condition is checked once, and
// may no longer hold when Wait returns. A Wait with no condition around it
// (a helper whose caller loops) is left alone.
func (c *checker) checkCondWaits(insp *inspector.Inspector) {
	for cur := range insp.Root().Preorder((*ast.CallExpr)(nil)) {
		call := cur.Node().(*ast.CallExpr)
		method, _, _, ok := c.mutexMethod(call)
		if !ok || method != "Wait" {
			continue
		}
		var cond ast.Node
	up:
		for e := range cur.Enclosing() {
			switch n := e.Node().(type) {
			case *ast.ForStmt, *ast.RangeStmt:
				cond = nil
				break up
			case *ast.FuncLit, *ast.FuncDecl:
				break up
			case *ast.IfStmt:
				if cond == nil && n.Body.Pos() <= call.Pos() && call.End() <= n.Body.End() {
					cond = n
				}
			case *ast.CaseClause:
				if cond == nil {
					cond = n
				}
			}
		}
		if cond == nil {
			continue
		}
		c.report(call, "cond-wait-not-in-loop", nil,
			"%s() under the condition at line %d, not in a for loop; the condition may no longer hold when Wait returns, so check it again in a loop",
			types.ExprString(call.Fun), c.line(cond.Pos()))
	}
}
