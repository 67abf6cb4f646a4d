package locking

// Control-flow, syntax and type helpers of the locking analyzer.

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// apart reports whether a and b lie in different branches of an if, switch
// or select, so that no single run reaches both.
func apart(a, b inspector.Cursor) bool {
	bn := b.Node()
	for c := a; c.Node() != nil; c = c.Parent() {
		if n := c.Node(); n.Pos() <= bn.Pos() && bn.End() <= n.End() {
			switch n.(type) {
			case *ast.IfStmt:
				return true
			case *ast.BlockStmt:
				switch c.Parent().Node().(type) {
				case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
					return true
				}
			}
			return false
		}
	}
	return false
}

// goAfter reports whether f starts a goroutine after pos.
func goAfter(f *facts, pos token.Pos) bool {
	found := false
	ast.Inspect(f.body, func(n ast.Node) bool {
		if g, ok := n.(*ast.GoStmt); ok && g.Pos() > pos {
			found = true
		}
		return !found
	})
	return found
}

func stmtCall(n ast.Node) *ast.CallExpr {
	if es, ok := n.(*ast.ExprStmt); ok {
		call, _ := es.X.(*ast.CallExpr)
		return call
	}
	return nil
}

func isExprStmt(c inspector.Cursor) bool {
	_, ok := c.Node().(*ast.ExprStmt)
	return ok
}

// released reports whether an explicit unlock of reg runs before c on c's
// own path: mu.Lock(); if err != nil { mu.Unlock(); return err }.
func released(c inspector.Cursor, reg region) bool {
	return releasedBy(c, reg.lock.call.Pos(), reg.isUnlock)
}

// releasedBy reports whether a statement list on the way from c up to the
// node holding from has, before c's ancestor and after from, a statement
// calling a function that match accepts.
func releasedBy(c inspector.Cursor, from token.Pos, match func(*ast.CallExpr) bool) bool {
	for ; c.Node() != nil; c = c.Parent() {
		if n := c.Node(); n.Pos() <= from && from < n.End() {
			return false
		}
		for s, ok := c.PrevSibling(); ok && s.Node().Pos() > from; s, ok = s.PrevSibling() {
			if call := stmtCall(s.Node()); call != nil && match(call) {
				return true
			}
		}
	}
	return false
}

// leavesRegion reports whether exit e leaves the statement that holds lock:
// a return, panic or goto does; a break or continue does when its target
// statement contains the Lock call.
func leavesRegion(e inspector.Cursor, lock op) bool {
	b, ok := e.Node().(*ast.BranchStmt)
	if !ok || b.Tok == token.GOTO {
		return true
	}
	var target ast.Node
	for c := range e.Enclosing() {
		switch n := c.Node().(type) {
		case *ast.LabeledStmt:
			if b.Label != nil && n.Label.Name == b.Label.Name {
				target = n
			}
		case *ast.ForStmt, *ast.RangeStmt:
			if b.Label == nil {
				target = n
			}
		case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			if b.Label == nil && b.Tok == token.BREAK {
				target = n
			}
		}
		if target != nil {
			break
		}
	}
	return target == nil || target.Pos() <= lock.call.Pos() && lock.call.Pos() < target.End()
}

func exitVerb(e inspector.Cursor) string {
	switch n := e.Node().(type) {
	case *ast.ReturnStmt:
		return "function returns"
	case *ast.BranchStmt:
		return n.Tok.String()
	}
	return "function panics"
}

// syncCall identifies a call of a method of a sync type, and the receiver
// it is called on; it handles promoted methods of embedded locks, (&mu).Lock()
// and method expressions such as (*sync.Mutex).Lock(&mu).
func syncCall(info *types.Info, call *ast.CallExpr) (op, bool) {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "sync" || fn.Signature().Recv() == nil {
		return op{}, false
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return op{}, false
	}
	x := sel.X
	if s := info.Selections[sel]; s != nil && s.Kind() == types.MethodExpr {
		if len(call.Args) == 0 {
			return op{}, false
		}
		x = call.Args[0]
	}
	t := fn.Signature().Recv().Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return op{}, false
	}
	typ := named.Obj().Name()
	if typ == "Locker" {
		typ = "Mutex"
	}
	return op{typ: typ, method: fn.Name(), key: exprKey(x), call: call}, true
}

// exprKey names the value an expression denotes, without parens, & and *.
func exprKey(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.UnaryExpr:
			if x.Op != token.AND {
				return types.ExprString(e)
			}
			e = x.X
		default:
			return types.ExprString(e)
		}
	}
}

// isCallback reports whether call calls a function value held in a variable,
// parameter or field, whose code the caller does not control.
func isCallback(info *types.Info, call *ast.CallExpr) bool {
	var id *ast.Ident
	switch f := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	}
	v, ok := info.Uses[id].(*types.Var)
	if !ok || v.Parent() != nil && v.Parent() == v.Pkg().Scope() {
		return false // package-level func variables are mostly test hooks (nowFunc)
	}
	_, ok = v.Type().Underlying().(*types.Signature)
	return ok
}

func isDeferOrGo(c inspector.Cursor) bool {
	switch c.Node().(type) {
	case *ast.DeferStmt, *ast.GoStmt:
		return true
	}
	return false
}

func inSelectWithDefault(send inspector.Cursor) bool {
	cc, ok := send.Parent().Node().(*ast.CommClause)
	if !ok || cc.Comm != send.Node() {
		return false
	}
	for _, s := range send.Parent().Parent().Node().(*ast.BlockStmt).List {
		if s.(*ast.CommClause).Comm == nil {
			return true
		}
	}
	return false
}

// lockIn names the sync type that a value of type t holds by value, or "".
func lockIn(t types.Type) string { return lockInDepth(t, 0) }

func lockInDepth(t types.Type, depth int) string {
	if t == nil || depth > 8 {
		return ""
	}
	if n, ok := types.Unalias(t).(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "sync" {
		switch n.Obj().Name() {
		case "Mutex", "RWMutex", "WaitGroup", "Cond", "Once":
			return "sync." + n.Obj().Name()
		}
	}
	switch u := t.Underlying().(type) {
	case *types.Struct:
		for i := range u.NumFields() {
			if lock := lockInDepth(u.Field(i).Type(), depth+1); lock != "" {
				return lock
			}
		}
	case *types.Array:
		return lockInDepth(u.Elem(), depth+1)
	}
	return ""
}

// isCopy reports whether e reads an existing value (x, p.f, a[i], *p), as
// opposed to making a new one.
func isCopy(e ast.Expr) bool {
	switch ast.Unparen(e).(type) {
	case *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr, *ast.StarExpr:
		return true
	}
	return false
}

func isBlank(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "_"
}

// enclosingLoop returns the innermost loop around cur within its function.
func enclosingLoop(cur inspector.Cursor) (ast.Node, bool) {
	for c := range cur.Enclosing() {
		switch n := c.Node().(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return nil, false
		case *ast.ForStmt, *ast.RangeStmt:
			if c != cur {
				return n, true
			}
		}
	}
	return nil, false
}

func builtin(info *types.Info, call *ast.CallExpr) string {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := info.Uses[id].(*types.Builtin); ok {
			return b.Name()
		}
	}
	return ""
}

// reporter reports once per line and category.
type reporter struct{ *astx.Reporter }
