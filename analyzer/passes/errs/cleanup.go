package errs

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// This file decides err-dropped-cleanup: a dropped error of a cleanup call on a failure path.

// cleanupNames are the methods and functions whose error a failure path may ignore: they release or
// discard what the failed operation made.
var cleanupNames = map[string]bool{
	"Close": true, "CloseWithError": true, "Remove": true, "RemoveAll": true, "Rollback": true, "Abort": true, "Kill": true,
}

var errorIface = errorType.Underlying().(*types.Interface)

// cleanup reports whether call, a statement at c, is a cleanup call in a cleanup position: on a
// failure path (inside if err != nil, or a nested block that ends by returning an error), in a
// deferred function, or a Close next to a removal of the file.
func cleanup(info *types.Info, c inspector.Cursor, call *ast.CallExpr) bool {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if fn == nil || !cleanupNames[fn.Name()] {
		return false
	}
	removal := fn.Name() == "Remove" || fn.Name() == "RemoveAll"
	conditional := false // under an if or case within its function
	child, first := c.Node(), true
	for p := c.Parent(); ; p = p.Parent() {
		switch n := p.Node().(type) {
		case nil, *ast.FuncDecl:
			return false
		case *ast.FuncLit:
			// A deferred function cleans up: removals always, a Close when a condition picks the path.
			return isDeferred(p) && (removal || conditional)
		case *ast.IfStmt:
			switch {
			case child == n.Body && (failing(info, n.Cond, token.NEQ) || recovers(info, n.Init)),
				child == n.Else && failing(info, n.Cond, token.EQL):
				return true
			}
			conditional = conditional || child == n.Body || child == n.Else
		case *ast.CaseClause:
			for _, e := range n.List {
				if e != child && failing(info, e, token.NEQ) {
					return true
				}
			}
			conditional = true
			if endsInFailure(info, n.Body) || first && fn.Name() == "Close" && removes(info, n.Body) {
				return true
			}
		case *ast.CommClause:
			if endsInFailure(info, n.Body) || first && fn.Name() == "Close" && removes(info, n.Body) {
				return true
			}
		case *ast.BlockStmt:
			_, funcBody := p.Parent().Node().(*ast.FuncDecl)
			if _, ok := p.Parent().Node().(*ast.FuncLit); ok {
				funcBody = true
			}
			if !funcBody && endsInFailure(info, n.List) || first && fn.Name() == "Close" && removes(info, n.List) {
				return true
			}
		}
		switch p.Node().(type) {
		case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
			first = false // the Close-next-to-Remove rule looks at the innermost list only
		}
		child = p.Node()
	}
}

func isDeferred(lit inspector.Cursor) bool {
	call, ok := lit.Parent().Node().(*ast.CallExpr)
	if !ok || ast.Unparen(call.Fun) != lit.Node() {
		return false
	}
	d, ok := lit.Parent().Parent().Node().(*ast.DeferStmt)
	return ok && d.Call == call
}

// failing reports whether cond holds a comparison "e op nil" of an error e: err != nil marks the
// failure path with op NEQ, err == nil marks it (in the else branch) with op EQL.
func failing(info *types.Info, cond ast.Expr, op token.Token) bool {
	found := false
	ast.Inspect(cond, func(n ast.Node) bool {
		if be, ok := n.(*ast.BinaryExpr); ok && be.Op == op {
			for _, pair := range [][2]ast.Expr{{be.X, be.Y}, {be.Y, be.X}} {
				if isNil(info, pair[1]) && isErrorLike(info.TypeOf(pair[0])) {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

func isErrorLike(t types.Type) bool {
	if t == nil {
		return false
	}
	if _, ok := t.Underlying().(*types.Interface); !ok {
		return false // a pointer to an error type is compared with nil for other reasons too
	}
	return isError(t) || types.Implements(t, errorIface)
}

// recovers reports whether an if statement's init is r := recover(): its body runs on a panic.
func recovers(info *types.Info, init ast.Stmt) bool {
	as, ok := init.(*ast.AssignStmt)
	if !ok || len(as.Rhs) != 1 {
		return false
	}
	call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
	if !ok {
		return false
	}
	b, ok := typeutil.Callee(info, call).(*types.Builtin)
	return ok && b.Name() == "recover"
}

// endsInFailure reports whether a statement list ends by returning a non-nil error or by panicking.
func endsInFailure(info *types.Info, list []ast.Stmt) bool {
	if len(list) == 0 {
		return false
	}
	switch s := list[len(list)-1].(type) {
	case *ast.ReturnStmt:
		if len(s.Results) == 0 {
			return false
		}
		last := s.Results[len(s.Results)-1]
		return isErrorLike(info.TypeOf(last)) && !isNil(info, last)
	case *ast.ExprStmt:
		call, ok := ast.Unparen(s.X).(*ast.CallExpr)
		if !ok {
			return false
		}
		switch fn := typeutil.Callee(info, call).(type) {
		case *types.Builtin:
			return fn.Name() == "panic"
		case *types.Func:
			if fn.Pkg() == nil {
				return false
			}
			switch fn.Pkg().Path() + "." + fn.Name() {
			case "log.Fatal", "log.Fatalf", "log.Fatalln", "log.Panic", "log.Panicf", "log.Panicln", "os.Exit":
				return true
			}
		}
	}
	return false
}

// removes reports whether a statement list removes a file or directory with os.Remove or
// os.RemoveAll: a Close beside it closes what is being thrown away.
func removes(info *types.Info, list []ast.Stmt) bool {
	for _, s := range list {
		call, ok := ast.Unparen(astx.StmtExpr(s)).(*ast.CallExpr)
		if !ok {
			continue
		}
		if fn, ok := typeutil.Callee(info, call).(*types.Func); ok && fn.Pkg() != nil && fn.Pkg().Path() == "os" &&
			(fn.Name() == "Remove" || fn.Name() == "RemoveAll") {
			return true
		}
	}
	return false
}
