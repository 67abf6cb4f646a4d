package goroutines

// Syntax and type helpers of the goroutines analyzer.

import (
	"go/ast"
	"go/types"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
)

// enclosingLoops returns the loops around cur within its function, innermost first.
func enclosingLoops(cur inspector.Cursor) []ast.Stmt {
	var loops []ast.Stmt
	for c := range cur.Parent().Enclosing() {
		switch n := c.Node().(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return loops
		case *ast.ForStmt:
			loops = append(loops, n)
		case *ast.RangeStmt:
			loops = append(loops, n)
		}
	}
	return loops
}

func funcDecls(pass *analysis.Pass) map[*types.Func]*ast.FuncDecl {
	decls := make(map[*types.Func]*ast.FuncDecl)
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					decls[fn] = fd
				}
			}
		}
	}
	return decls
}

// calls reports whether body holds a call that pred accepts.
func calls(info *types.Info, body *ast.BlockStmt, pred func(*types.Info, *ast.CallExpr) bool) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && pred(info, call) {
			found = true
		}
		return !found
	})
	return found
}

func hasSend(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if _, ok := n.(*ast.SendStmt); ok {
			found = true
		}
		return !found
	})
	return found
}

func isCompletion(info *types.Info, call *ast.CallExpr) bool {
	if b, ok := info.Uses[identOf(call.Fun)].(*types.Builtin); ok {
		return b.Name() == "close"
	}
	return astx.IsMethod(astx.CalleeFunc(info, call), "sync", "WaitGroup", "Done")
}

func neverReturns(info *types.Info, call *ast.CallExpr) bool {
	if b, ok := info.Uses[identOf(call.Fun)].(*types.Builtin); ok {
		return b.Name() == "panic"
	}
	fn := astx.CalleeFunc(info, call)
	if fn == nil || fn.Pkg() == nil {
		return false
	}
	switch fn.Pkg().Path() + "." + fn.Name() {
	case "os.Exit", "runtime.Goexit", "log.Fatal", "log.Fatalf", "log.Fatalln", "log.Panic", "log.Panicf", "log.Panicln":
		return true
	}
	return false
}

// identOf returns the identifier an expression ends in: x, or Sel of p.x.
func identOf(e ast.Expr) *ast.Ident {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return e
	case *ast.SelectorExpr:
		return e.Sel
	case *ast.IndexExpr: // generic instantiation f[T]
		return identOf(e.X)
	}
	return nil
}

// reporter reports once per line and category.
type reporter struct{ *astx.Reporter }
