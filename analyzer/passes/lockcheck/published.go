package lockcheck

// Publication by channel: a read without the lock that a close of a
// channel orders after every write of the field.

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/types/typeutil"
)

// published reports whether the unguarded read u is ordered after every
// write of its field by a channel: u runs after receiving from a channel
// field of the receiver (case <-s.done: return s.err), and every write of
// the field is followed in its function by closing that channel, directly
// or by a call of a function of the package that closes it. The close
// happens before the receive, so the read sees the write without the lock.
func (c *checker) published(u accessRec, recs []accessRec) bool {
	if u.write {
		return false
	}
	chans := c.receivedBefore(u)
	if len(chans) == 0 {
		return false
	}
	writes := 0
	for _, r := range recs {
		if !r.write {
			continue
		}
		writes++
		if !c.closesAfter(r, chans) {
			return false
		}
	}
	return writes > 0
}

// receivedBefore returns the channel fields of the receiver that u's
// function receives from before u on every path: the case of a select
// whose body holds u, or a receive statement earlier in a block around u.
func (c *checker) receivedBefore(u accessRec) map[*types.Var]bool {
	chans := make(map[*types.Var]bool)
	cur, ok := c.insp.Root().FindNode(u.ev.node)
	if !ok {
		return nil
	}
	recv := func(s ast.Stmt) {
		if ue, ok := ast.Unparen(astx.StmtExpr(s)).(*ast.UnaryExpr); ok && ue.Op == token.ARROW {
			if f := c.recvField(u.fn, ue.X); f != nil {
				chans[f] = true
			}
		}
	}
	child := cur.Node()
	for e := range cur.Enclosing() {
		switch n := e.Node().(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return chans
		case *ast.CommClause:
			if n.Comm != nil && n.Comm != child {
				recv(n.Comm)
			}
		}
		for _, st := range astx.StmtList(e.Node()) {
			if st.Pos() >= child.Pos() {
				break
			}
			recv(st)
		}
		child = e.Node()
	}
	return chans
}

// recvField returns the field of fn's receiver that e selects, or nil.
func (c *checker) recvField(fn *function, e ast.Expr) *types.Var {
	se, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok || fn.recv == nil {
		return nil
	}
	if x, ok := ast.Unparen(se.X).(*ast.Ident); !ok || c.info.Uses[x] != fn.recv {
		return nil
	}
	if sel := c.info.Selections[se]; sel != nil && sel.Kind() == types.FieldVal {
		return sel.Obj().(*types.Var).Origin()
	}
	return nil
}

// closesAfter reports whether the function of write w closes one of chans
// after w, or calls a function of the package that does.
func (c *checker) closesAfter(w accessRec, chans map[*types.Var]bool) bool {
	closes := func(fn *function, body ast.Node, after token.Pos) bool {
		found := false
		ast.Inspect(body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || found || call.Pos() < after {
				return !found
			}
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && len(call.Args) == 1 {
				if b, ok := c.info.Uses[id].(*types.Builtin); ok && b.Name() == "close" {
					found = chans[c.recvField(fn, call.Args[0])]
				}
			}
			return !found
		})
		return found
	}
	if closes(w.fn, w.fn.body, w.ev.pos()) {
		return true
	}
	found := false
	ast.Inspect(w.fn.body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found || call.Pos() < w.ev.pos() {
			return !found
		}
		if callee := typeutil.StaticCallee(c.info, call); callee != nil {
			if decl := c.decls[callee.Origin()]; decl != nil && decl.Body != nil {
				found = closes(&function{decl: decl, body: decl.Body, recv: recvVar(c.info, decl)}, decl.Body, decl.Body.Pos())
			}
		}
		return !found
	})
	return found
}
