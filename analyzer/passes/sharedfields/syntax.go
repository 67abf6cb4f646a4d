package sharedfields

// Control-flow, syntax and type helpers of the sharedfields analyzer.

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// releasedBy reports whether a statement list on the way from c up to the
// node holding from has, after from and before c's ancestor, a statement
// calling what match accepts: mu.Lock(); if err != nil { mu.Unlock(); return }.
func releasedBy(c inspector.Cursor, from token.Pos, match func(*ast.CallExpr) bool) bool {
	for ; c.Node() != nil; c = c.Parent() {
		if n := c.Node(); n.Pos() <= from && from < n.End() {
			return false
		}
		for p, ok := c.PrevSibling(); ok && p.Node().Pos() > from; p, ok = p.PrevSibling() {
			if call := stmtCall(p.Node()); call != nil && match(call) {
				return true
			}
		}
	}
	return false
}

// mutexCall identifies a Lock, Unlock, RLock or RUnlock call on a sync lock
// and names the lock: "c.mu" for c.mu.Lock() and (&c.mu).Lock(), "c" for an
// embedded mutex, the argument of a method expression.
func mutexCall(info *types.Info, call *ast.CallExpr) (method, key string, ok bool) {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	sel, isSel := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if fn == nil || !isSel || fn.Pkg() == nil || fn.Pkg().Path() != "sync" || fn.Signature().Recv() == nil {
		return "", "", false
	}
	switch fn.Name() {
	case "Lock", "Unlock", "RLock", "RUnlock":
	default:
		return "", "", false
	}
	switch n := astx.NamedOf(fn.Signature().Recv().Type()); {
	case n == nil, n.Obj().Name() != "Mutex" && n.Obj().Name() != "RWMutex" && n.Obj().Name() != "Locker":
		return "", "", false
	}
	x := sel.X
	if s := info.Selections[sel]; s != nil && s.Kind() == types.MethodExpr {
		if len(call.Args) == 0 {
			return "", "", false
		}
		x = call.Args[0]
	}
	for {
		switch e := ast.Unparen(x).(type) {
		case *ast.StarExpr:
			x = e.X
			continue
		case *ast.UnaryExpr:
			if e.Op == token.AND {
				x = e.X
				continue
			}
		}
		return fn.Name(), types.ExprString(ast.Unparen(x)), true
	}
}

// signalsEnd reports whether a goroutine's body closes a channel, sends,
// or calls WaitGroup.Done: something its starter may wait on before reading.
func signalsEnd(info *types.Info, body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SendStmt:
			found = true
		case *ast.CallExpr:
			if b, ok := info.Uses[identOf(n.Fun)].(*types.Builtin); ok {
				found = b.Name() == "close"
			} else if fn, ok := typeutil.Callee(info, n).(*types.Func); ok {
				found = fn.Name() == "Done" && fn.Pkg() != nil && fn.Pkg().Path() == "sync"
			}
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

func count(set map[string]bool) int {
	n := 0
	for _, ok := range set {
		if ok {
			n++
		}
	}
	return n
}

// goroutineLit returns the innermost function literal around c that a go
// statement runs.
func goroutineLit(c inspector.Cursor) (inspector.Cursor, bool) {
	for f := range c.Enclosing((*ast.FuncLit)(nil)) {
		if isGoLit(f) {
			return f, true
		}
	}
	return inspector.Cursor{}, false
}

func isGoLit(f inspector.Cursor) bool {
	call, ok := f.Parent().Node().(*ast.CallExpr)
	if !ok || call.Fun != f.Node() {
		return false
	}
	_, ok = f.Parent().Parent().Node().(*ast.GoStmt)
	return ok
}

// tracked returns the struct type declared in this package that t or *t names.
func (s *state) tracked(t types.Type) *types.TypeName {
	if n := astx.NamedOf(t); n != nil && s.types[n.Origin().Obj()] {
		return n.Origin().Obj()
	}
	return nil
}

func (s *state) recvType(decl *ast.FuncDecl) *types.TypeName {
	if decl.Recv == nil || len(decl.Recv.List) == 0 {
		return nil
	}
	return s.tracked(s.pass.TypesInfo.TypeOf(decl.Recv.List[0].Type))
}

func recvVar(info *types.Info, decl *ast.FuncDecl) types.Object {
	if decl.Recv == nil || len(decl.Recv.List) == 0 || len(decl.Recv.List[0].Names) == 0 {
		return nil
	}
	return info.Defs[decl.Recv.List[0].Names[0]]
}

// funcName names a function as a stack trace would: "(*Cache).Get", "Cache.Len", "Start".
func funcName(decl *ast.FuncDecl) string {
	if decl.Recv == nil || len(decl.Recv.List) == 0 {
		return decl.Name.Name
	}
	t := decl.Recv.List[0].Type
	star, ok := t.(*ast.StarExpr)
	if ok {
		t = star.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	if ok {
		return "(*" + types.ExprString(t) + ")." + decl.Name.Name
	}
	return types.ExprString(t) + "." + decl.Name.Name
}

// isMap reports whether e is of a map type.
func isMap(info *types.Info, e ast.Expr) bool {
	_, ok := types.Unalias(info.TypeOf(e)).Underlying().(*types.Map)
	return ok
}

func funcOrigin(fn *types.Func) *types.Func {
	if fn == nil {
		return nil
	}
	return fn.Origin()
}

func identOf(e ast.Expr) *ast.Ident {
	id, _ := ast.Unparen(e).(*ast.Ident)
	return id
}
