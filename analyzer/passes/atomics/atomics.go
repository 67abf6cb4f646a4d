// Package atomics defines an Analyzer that reports risk signals around sync/atomic.
package atomics

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report uses of sync/atomic as risk signals

The atomics analyzer marks calls of sync/atomic functions and methods, and
variables that the package accesses both atomically and plainly.

atomic-call: a call of a sync/atomic function such as atomic.AddInt64; use.

atomic-method: a call of a method of a sync/atomic type such as
atomic.Int64.Add or atomic.Value.Load; use.

mixed-access: a plain read or write of a variable or struct field that the
package elsewhere accesses through sync/atomic functions; the plain access
races with the atomic ones. Reported at the plain access. Accesses in
composite literals, in functions named New* or new*, through &x, and after a
WaitGroup or errgroup Wait or a testing.B.RunParallel in the same function
are not reported, nor are accesses of a function's own variables when no
function literal accesses them atomically.`

var Analyzer = &analysis.Analyzer{
	Name:     "atomics",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/atomics",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Signals maps each category this pass reports to its weight (0–10): how
// strongly a signal of that category predicts a bug in the enclosing function.
var Signals = map[string]float64{
	"atomic-call":   1,
	"atomic-method": 1,
	"mixed-access":  7,
}

// An atomicSite is where a variable is first accessed atomically.
type atomicSite struct {
	fn        string // "atomic.AddInt64"
	line      int
	inClosure bool // some atomic access of the variable is in a function literal
}

func run(pass *analysis.Pass) (any, error) {
	inspect := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	info := pass.TypesInfo
	r := &reporter{astx.NewReporter(pass)}

	// First the atomic calls, and the variables they access.
	sites := make(map[*types.Var]atomicSite)
	for cur := range inspect.Root().Preorder((*ast.CallExpr)(nil)) {
		call := cur.Node().(*ast.CallExpr)
		fn, _ := typeutil.Callee(info, call).(*types.Func)
		if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "sync/atomic" {
			continue
		}
		name := types.ExprString(call.Fun)
		if fn.Signature().Recv() != nil {
			r.Report(call, "atomic-method", "%s on an atomic type", name)
			continue
		}
		if len(call.Args) == 0 {
			r.Report(call, "atomic-call", "%s", name)
			continue
		}
		r.Report(call, "atomic-call", "%s on %s", name, types.ExprString(call.Args[0]))
		if addr, ok := ast.Unparen(call.Args[0]).(*ast.UnaryExpr); ok && addr.Op == token.AND {
			if v := varOf(info, addr.X); v != nil {
				site, seen := sites[v]
				if !seen {
					site = atomicSite{fn: "atomic." + fn.Name(), line: r.Line(call.Pos())}
				}
				for range cur.Enclosing((*ast.FuncLit)(nil)) {
					site.inClosure = true
				}
				sites[v] = site
			}
		}
	}
	if len(sites) == 0 {
		return nil, nil
	}

	// Then the plain accesses of those variables.
	for cur := range inspect.Root().Preorder((*ast.Ident)(nil)) {
		id := cur.Node().(*ast.Ident)
		v, _ := info.Uses[id].(*types.Var)
		if v == nil {
			continue
		}
		site, ok := sites[v.Origin()]
		if !ok || !site.inClosure && isLocal(pass.Pkg, v) {
			continue // a function's own variable, with no closure to share it
		}
		expr := cur // the whole access: x, or p.x
		if sel, ok := cur.Parent().Node().(*ast.SelectorExpr); ok && sel.Sel == id {
			expr = cur.Parent()
		}
		if !isPlain(expr) || exempt(info, expr) {
			continue
		}
		what := "read"
		if isWrite(expr) {
			what = "written"
		}
		r.Report(expr.Node(), "mixed-access", "%s is %s without sync/atomic but accessed with %s at line %d",
			types.ExprString(expr.Node().(ast.Expr)), what, site.fn, site.line)
	}
	return nil, nil
}

// varOf returns the variable or field an expression names, or nil.
func varOf(info *types.Info, e ast.Expr) *types.Var {
	var id *ast.Ident
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		id = e
	case *ast.SelectorExpr:
		id = e.Sel
	}
	if v, ok := info.Uses[id].(*types.Var); ok {
		return v.Origin()
	}
	return nil
}

// isPlain reports whether the access at c is a plain read or write rather
// than an address taken (for sync/atomic or anyone else) or a literal's key.
func isPlain(c inspector.Cursor) bool {
	p := c.Parent()
	for {
		if _, ok := p.Node().(*ast.ParenExpr); !ok {
			break
		}
		p = p.Parent()
	}
	switch n := p.Node().(type) {
	case *ast.UnaryExpr:
		return n.Op != token.AND
	case *ast.KeyValueExpr:
		_, lit := p.Parent().Node().(*ast.CompositeLit)
		return !lit || n.Key != c.Node()
	}
	return true
}

// exempt reports whether the access is in a constructor, or follows a Wait
// that orders it after the atomic writers, outside any goroutine.
func exempt(info *types.Info, c inspector.Cursor) bool {
	var decl *ast.FuncDecl
	for f := range c.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		if d, ok := f.Node().(*ast.FuncDecl); ok {
			decl = d
		} else if call, ok := f.Parent().Node().(*ast.CallExpr); ok && ast.Unparen(call.Fun) == f.Node() {
			if _, ok := f.Parent().Parent().Node().(*ast.GoStmt); ok {
				return false // in a goroutine: no Wait orders it
			}
		}
	}
	if decl == nil {
		return false
	}
	if name := decl.Name.Name; decl.Recv == nil && (strings.HasPrefix(name, "New") || strings.HasPrefix(name, "new")) {
		return true
	}
	waited := false
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && call.Pos() < c.Node().Pos() {
			fn, _ := typeutil.Callee(info, call).(*types.Func)
			waited = waited || astx.IsMethod(fn, "sync", "WaitGroup", "Wait") ||
				astx.IsMethod(fn, "golang.org/x/sync/errgroup", "Group", "Wait") || astx.IsMethod(fn, "testing", "B", "RunParallel")
		}
		return !waited
	})
	return waited
}

// isLocal reports whether v, or the struct type declaring field v, is declared inside a function.
func isLocal(pkg *types.Package, v *types.Var) bool {
	inner := pkg.Scope().Innermost(v.Pos())
	return inner != nil && inner != pkg.Scope() && inner.Parent() != pkg.Scope()
}

// isWrite reports whether the access at c is assigned to or incremented.
func isWrite(c inspector.Cursor) bool {
	switch n := c.Parent().Node().(type) {
	case *ast.AssignStmt:
		for _, lhs := range n.Lhs {
			if ast.Unparen(lhs) == c.Node() {
				return true
			}
		}
	case *ast.IncDecStmt:
		return true
	}
	return false
}

// reporter reports once per line and category.
type reporter struct{ *astx.Reporter }
