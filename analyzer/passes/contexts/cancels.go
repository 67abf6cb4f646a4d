package contexts

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/cfg"
	"golang.org/x/tools/go/types/typeutil"
)

// This file holds cancel-leak.

var cancelers = map[string]bool{
	"WithCancel": true, "WithCancelCause": true, "WithTimeout": true, "WithTimeoutCause": true,
	"WithDeadline": true, "WithDeadlineCause": true,
}

// checkCancels reports cancel functions of derived contexts that some path to a return never touches.
// Like lostcancel, any reference to the cancel variable (a call, a defer, storing or returning it)
// counts as handling it.
func checkCancels(pass *analysis.Pass, body *ast.BlockStmt) {
	info := pass.TypesInfo
	var g *cfg.CFG
	ast.Inspect(body, func(n ast.Node) bool {
		var lhs, rhs []ast.Expr
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // analysed on its own
		case *ast.AssignStmt:
			lhs, rhs = n.Lhs, n.Rhs
		case *ast.ValueSpec:
			lhs, rhs = identExprs(n.Names), n.Values
		default:
			return true
		}
		if len(lhs) != 2 || len(rhs) != 1 {
			return true
		}
		call, _ := ast.Unparen(rhs[0]).(*ast.CallExpr)
		id, _ := lhs[1].(*ast.Ident)
		if call == nil || id == nil {
			return true
		}
		fn, _ := typeutil.Callee(info, call).(*types.Func)
		if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "context" || !cancelers[fn.Name()] {
			return true
		}
		if id.Name == "_" {
			report(pass, id, "cancel-leak", "cancel func of context.%s is discarded; the context lives until its parent ends", fn.Name())
			return true
		}
		v, _ := info.ObjectOf(id).(*types.Var)
		if v == nil || v.Pos() < body.Pos() || v.Pos() > body.End() {
			return true // declared outside the body (a named result, a captured variable): someone else may call it
		}
		if !referencesExcept(info, body, v, id) {
			report(pass, id, "cancel-leak", "%s from context.%s is never called", id.Name, fn.Name())
			return true
		}
		if g == nil {
			g = cfg.New(body, mayReturn(info))
		}
		if ret := lostPath(info, g, n, v); ret != nil {
			report(pass, id, "cancel-leak", "%s from context.%s is not called on the path to the return at line %d",
				id.Name, fn.Name(), pass.Fset.Position(ret.Pos()).Line)
		}
		return true
	})
}

func identExprs(ids []*ast.Ident) []ast.Expr {
	out := make([]ast.Expr, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// lostPath returns a return statement reachable from def without any reference to v, or nil.
func lostPath(info *types.Info, g *cfg.CFG, def ast.Node, v *types.Var) *ast.ReturnStmt {
	var start *cfg.Block
	var rest []ast.Node
	for _, b := range g.Blocks {
		for i, n := range b.Nodes {
			if n == def {
				start, rest = b, b.Nodes[i+1:]
			}
		}
	}
	if start == nil {
		return nil
	}
	for _, n := range rest {
		if references(info, n, v) {
			return nil
		}
	}
	if ret := start.Return(); ret != nil {
		return ret
	}
	seen := map[*cfg.Block]bool{}
	var search func([]*cfg.Block) *ast.ReturnStmt
	search = func(blocks []*cfg.Block) *ast.ReturnStmt {
		for _, b := range blocks {
			if seen[b] {
				continue
			}
			seen[b] = true
			used := false
			for _, n := range b.Nodes {
				used = used || references(info, n, v)
			}
			if used {
				continue
			}
			if ret := b.Return(); ret != nil {
				return ret
			}
			if ret := search(b.Succs); ret != nil {
				return ret
			}
		}
		return nil
	}
	return search(start.Succs)
}

// mayReturn tells the CFG builder which calls end the goroutine or the program.
func mayReturn(info *types.Info) func(*ast.CallExpr) bool {
	return func(call *ast.CallExpr) bool {
		switch fn := typeutil.Callee(info, call).(type) {
		case *types.Builtin:
			return fn.Name() != "panic"
		case *types.Func:
			if fn.Pkg() == nil {
				return true
			}
			switch fn.Pkg().Path() + "." + fn.Name() {
			case "os.Exit", "runtime.Goexit", "log.Fatal", "log.Fatalf", "log.Fatalln", "log.Panic", "log.Panicf",
				"log.Panicln", "testing.Fatal", "testing.Fatalf", "testing.FailNow", "testing.Skip", "testing.Skipf",
				"testing.SkipNow":
				return false
			}
		}
		return true
	}
}
