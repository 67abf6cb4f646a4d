// Package timers defines an Analyzer that reports risk signals around time.Timer, time.Ticker,
// time.After, time.Tick, time.Sleep and time.Time comparison.
package timers

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"go/version"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report timer, ticker and time comparison hazards as risk signals

Several categories depend on the Go version of the file (its go.mod go line or //go:build constraint):
Go 1.23 made unstopped timers and tickers collectable and timer channels unbuffered. A file of unknown
version counts as Go 1.23 or later.

time-after-loop-leak (risky): time.After inside a loop in a file before Go 1.23: every iteration
allocates a timer that lives until it fires.

time-after-loop (use): time.After inside a loop in a file from Go 1.23 on: a timer per iteration, and
the timeout restarts on every iteration, which is sometimes not what was meant.

time-tick-leak (risky): time.Tick outside main, init and package-level initialisers in a file before
Go 1.23: the ticker can never be stopped or collected.

ticker-unstopped (risky): a time.NewTicker whose Stop is never called in the function and which is
neither returned nor stored nor passed on.

timer-unstopped (use with risk): the same for time.NewTimer; a timer that fires is released, so this
only matters for long durations or Reset.

timer-reset (risky): Timer.Reset in a file before Go 1.23 without a preceding receive from the timer's
channel (a drain such as if !t.Stop() { <-t.C }, or the select case that received it), so a stale
value can fire right after the reset.

sleep-poll (use): time.Sleep inside a loop, usually polling or retrying without cancellation.

time-equal (risky): time.Time values compared with == or !=, which compares the location and the
monotonic reading as well as the instant; use Equal. Comparison with time.Time{} stays quiet.`

// Signals maps each category this pass reports to its weight (see CONTRACT.md for the scale).
var Signals = map[string]float64{
	"time-after-loop-leak": 5,
	"time-after-loop":      2,
	"time-tick-leak":       4,
	"ticker-unstopped":     4,
	"timer-unstopped":      2,
	"timer-reset":          4,
	"sleep-poll":           2,
	"time-equal":           6,
}

var Analyzer = &analysis.Analyzer{
	Name:     "timers",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/timers",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	for c := range insp.Root().Preorder((*ast.CallExpr)(nil), (*ast.BinaryExpr)(nil)) {
		switch n := c.Node().(type) {
		case *ast.CallExpr:
			checkCall(pass, c, n)
		case *ast.BinaryExpr:
			checkEqual(pass, n)
		}
	}
	return nil, nil
}

// before123 reports whether the file holding pos is known to be older than Go 1.23.
func before123(pass *analysis.Pass, pos token.Pos) bool {
	for _, f := range pass.Files {
		if f.FileStart <= pos && pos < f.FileEnd {
			v := pass.TypesInfo.FileVersions[f]
			return version.IsValid(v) && version.Compare(v, "go1.23") < 0
		}
	}
	return false
}

func checkCall(pass *analysis.Pass, c inspector.Cursor, call *ast.CallExpr) {
	fn, _ := typeutil.Callee(pass.TypesInfo, call).(*types.Func)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "time" {
		return
	}
	old := before123(pass, call.Pos())
	switch fn.FullName() {
	case "time.After":
		switch {
		case !inLoop(c):
		case old:
			report(pass, call, "time-after-loop-leak", "time.After in a loop allocates a timer per iteration that lives until it fires (before Go 1.23)")
		default:
			report(pass, call, "time-after-loop", "time.After in a loop creates a timer per iteration and restarts the timeout each time")
		}
	case "time.Tick":
		fd := enclosingDecl(c)
		if old && fd != nil && !(fd.Recv == nil && (fd.Name.Name == "init" || fd.Name.Name == "main" && pass.Pkg.Name() == "main")) {
			report(pass, call, "time-tick-leak", "time.Tick in %s leaks its ticker once it returns (before Go 1.23); use time.NewTicker and Stop",
				fd.Name.Name)
		}
	case "time.NewTicker", "time.NewTimer":
		checkUnstopped(pass, c, call, fn.Name())
	case "(*time.Timer).Reset":
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && old && !drained(pass.TypesInfo, c, types.ExprString(sel.X)) {
			report(pass, call, "timer-reset", "%s.Reset without a preceding drain of %s.C; a stale value can fire right after it (before Go 1.23)",
				types.ExprString(sel.X), types.ExprString(sel.X))
		}
	case "time.Sleep":
		if inLoop(c) {
			report(pass, call, "sleep-poll", "time.Sleep in a loop polls without cancellation")
		}
	}
}

func enclosingDecl(c inspector.Cursor) *ast.FuncDecl {
	for fc := range c.Enclosing((*ast.FuncDecl)(nil)) {
		return fc.Node().(*ast.FuncDecl)
	}
	return nil
}

// inLoop reports whether c is inside a loop body of its own function.
func inLoop(c inspector.Cursor) bool {
	for e := range c.Parent().Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.FuncLit)(nil), (*ast.FuncDecl)(nil)) {
		switch n := e.Node().(type) {
		case *ast.ForStmt:
			return n.Body.Pos() <= c.Node().Pos()
		case *ast.RangeStmt:
			return n.Body.Pos() <= c.Node().Pos()
		}
		return false
	}
	return false
}

// checkUnstopped reports a new ticker or timer that its function neither stops nor hands on.
func checkUnstopped(pass *analysis.Pass, c inspector.Cursor, call *ast.CallExpr, ctor string) {
	category, what := "ticker-unstopped", "ticker"
	if ctor == "NewTimer" {
		category, what = "timer-unstopped", "timer"
	}
	var v *types.Var
	switch p := c.Parent().Node().(type) {
	case *ast.SelectorExpr: // time.NewTicker(d).C: nobody can stop it
		if p.Sel.Name == "C" {
			report(pass, call, category, "%s from time.%s is used only for its channel and can never be stopped", what, ctor)
		}
		return
	case *ast.AssignStmt:
		if len(p.Lhs) == len(p.Rhs) {
			for i, rhs := range p.Rhs {
				if id, ok := p.Lhs[i].(*ast.Ident); ok && rhs == call {
					v, _ = pass.TypesInfo.ObjectOf(id).(*types.Var)
				}
			}
		}
	case *ast.ValueSpec:
		for i, val := range p.Values {
			if val == call && i < len(p.Names) {
				v, _ = pass.TypesInfo.ObjectOf(p.Names[i]).(*types.Var)
			}
		}
	}
	var fn inspector.Cursor
	found := false
	for fn = range c.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		found = true
		break
	}
	if v == nil || !found || v.Pos() < fn.Node().Pos() || v.Pos() > fn.Node().End() {
		return // stored elsewhere, or a package-level ticker
	}
	for ref := range fn.Preorder((*ast.Ident)(nil)) {
		if pass.TypesInfo.Uses[ref.Node().(*ast.Ident)] != v {
			continue
		}
		sel, ok := ref.Parent().Node().(*ast.SelectorExpr)
		if !ok || sel.Sel.Name == "Stop" {
			return // stopped, or handed on
		}
	}
	report(pass, call, category, "%s %s from time.%s is never stopped in this function", what, v.Name(), ctor)
}

// drained reports whether the Reset call at c follows a receive from timer.C: in an earlier statement
// of an enclosing block, or in the comm of the enclosing select case.
func drained(info *types.Info, c inspector.Cursor, timer string) bool {
	child := c
	for p := c.Parent(); p.Node() != nil; child, p = p, p.Parent() {
		switch n := p.Node().(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			return false
		case *ast.CommClause:
			if n.Comm != nil && receives(n.Comm, timer) {
				return true
			}
		}
		for _, s := range astx.StmtList(p.Node()) {
			if s == child.Node() {
				break
			}
			if receives(s, timer) {
				return true
			}
		}
	}
	return false
}

// receives reports whether n receives from timer.C.
func receives(n ast.Node, timer string) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if u, ok := n.(*ast.UnaryExpr); ok && u.Op == token.ARROW && types.ExprString(ast.Unparen(u.X)) == timer+".C" {
			found = true
		}
		return !found
	})
	return found
}

func checkEqual(pass *analysis.Pass, bin *ast.BinaryExpr) {
	if bin.Op != token.EQL && bin.Op != token.NEQ {
		return
	}
	for _, e := range []ast.Expr{bin.X, bin.Y} {
		if !isTime(pass.TypesInfo.TypeOf(e)) {
			return
		}
		if lit, ok := ast.Unparen(e).(*ast.CompositeLit); ok && len(lit.Elts) == 0 {
			return // zero-value test, same as IsZero
		}
	}
	report(pass, bin, "time-equal", "time.Time compared with %s; it also compares location and monotonic reading, use %s.Equal",
		bin.Op, types.ExprString(bin.X))
}

func isTime(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	if t == nil || !ok {
		return false
	}
	return n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Time"
}

func report(pass *analysis.Pass, n ast.Node, category, format string, args ...any) {
	pass.Report(analysis.Diagnostic{Pos: n.Pos(), End: n.End(), Category: category, Message: fmt.Sprintf(format, args...)})
}
