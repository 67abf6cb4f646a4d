// Package channels defines an Analyzer that reports risk signals around channel operations.
package channels

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report channel operations as risk signals

The channels analyzer marks channel creation, sends, receives, closes and
selects, and the patterns among them that often hide a leak, a deadlock or a
panic.

make-unbuffered, make-buffered: make(chan T) without or with a buffer; mere use.

send, receive, close, range-chan: a send, a receive, a close, a for range
over a channel; mere use.

select-ctx-done: a select with a case on a Done() channel such as ctx.Done();
use, usually correct.

send-select-default: a send in a select with a default, which never blocks; use.

close-foreign: close of a channel this function did not make (a parameter, a
field); whoever else may close it too makes a double close panic. Closes
inside sync.Once.Do, and of send-only (chan<- T) channels, are not reported.

close-in-loop: close inside a loop, of a channel the loop did not declare,
with no return or break after it; the second iteration panics.

select-no-cancel: a select in a loop, or in a function run as a goroutine,
with no default and no case on ctx.Done(), a chan struct{}, time.After or a
comma-ok receive; it may block forever.

select-no-cancel-loop: the same inside a loop of a goroutine, which then
cannot be stopped.

send-leak: a goroutine sends on an unbuffered channel its starter made, and
the starter's receive sits in a select with a case that can leave first, or
follows a return: the goroutine then blocks forever on its send.`

var Analyzer = &analysis.Analyzer{
	Name:     "channels",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/channels",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Signals maps each category this pass reports to its weight (0–10): how
// strongly a signal of that category predicts a bug in the enclosing function.
var Signals = map[string]float64{
	"make-unbuffered":       1,
	"make-buffered":         1,
	"send":                  1,
	"receive":               1,
	"close":                 1,
	"range-chan":            1,
	"select-ctx-done":       1,
	"send-select-default":   1,
	"close-foreign":         3,
	"close-in-loop":         6,
	"select-no-cancel":      3,
	"select-no-cancel-loop": 6,
	"send-leak":             8,
}

func run(pass *analysis.Pass) (any, error) {
	inspect := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	info := pass.TypesInfo
	r := &reporter{astx.NewReporter(pass)}
	goFuncs := goroutineFuncs(pass, inspect)
	made := make(map[ast.Node]map[string]bool) // per outermost function: the channels it makes
	filter := []ast.Node{(*ast.FuncDecl)(nil), (*ast.FuncLit)(nil), (*ast.CallExpr)(nil), (*ast.SendStmt)(nil),
		(*ast.UnaryExpr)(nil), (*ast.RangeStmt)(nil), (*ast.SelectStmt)(nil)}
	for cur := range inspect.Root().Preorder(filter...) {
		switch n := cur.Node().(type) {
		case *ast.FuncDecl:
			if n.Body != nil {
				checkLeaks(r, cur)
			}
		case *ast.FuncLit:
			checkLeaks(r, cur)
		case *ast.CallExpr:
			switch builtin(info, n) {
			case "make":
				if _, ok := chanType(info, n); !ok {
					break
				}
				if len(n.Args) > 1 && !isZero(info, n.Args[1]) {
					r.Report(n, "make-buffered", "buffered channel made: %s", types.ExprString(n))
				} else {
					r.Report(n, "make-unbuffered", "unbuffered channel made: %s", types.ExprString(n))
				}
			case "close":
				if len(n.Args) == 1 {
					checkClose(r, cur, n, made)
				}
			}
		case *ast.SendStmt:
			r.Report(n, "send", "send on %s", types.ExprString(n.Chan))
			if sel, ok := commSelect(cur); ok && hasDefault(sel) {
				r.Report(n, "send-select-default", "non-blocking send on %s (select with default)", types.ExprString(n.Chan))
			}
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				r.Report(n, "receive", "receive from %s", types.ExprString(n.X))
			}
		case *ast.RangeStmt:
			if _, ok := chanType(info, n.X); ok {
				r.Report(n, "range-chan", "for range over channel %s", types.ExprString(n.X))
			}
		case *ast.SelectStmt:
			checkSelect(r, cur, n, goFuncs)
		}
	}
	return nil, nil
}

func checkClose(r *reporter, cur inspector.Cursor, call *ast.CallExpr, made map[ast.Node]map[string]bool) {
	info := r.Pass.TypesInfo
	arg := ast.Unparen(call.Args[0])
	key := types.ExprString(arg)
	r.Report(call, "close", "close of %s", key)

	var top ast.Node // the outermost function: closures share their creator's channels
	inOnce := false
	for c := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		top = c.Node()
		if call, ok := c.Parent().Node().(*ast.CallExpr); ok && astx.IsMethod(astx.CalleeFunc(info, call), "sync", "Once", "Do") {
			inOnce = true
		}
	}
	if top != nil && !inOnce {
		if made[top] == nil {
			made[top] = madeChans(info, top)
		}
		// A function handed a send-only channel owns closing it: func gen(out chan<- int).
		ch, _ := chanType(info, arg)
		if !made[top][key] && (ch == nil || ch.Dir() != types.SendOnly) {
			r.Report(call, "close-foreign", "close of %s, a channel this function did not make; a second close elsewhere panics", key)
		}
	}

	loop, ok := enclosingLoop(cur)
	if !ok || mentionsDeclaredIn(info, arg, loop) {
		return // no loop, or a different channel each iteration
	}
	if stmt := cur.Parent(); isExprStmt(stmt) {
		for s, ok := stmt.NextSibling(); ok; s, ok = s.NextSibling() {
			if leavesLoop(info, s, loop) {
				return
			}
		}
		if flagGuarded(info, stmt, key) {
			return
		}
	}
	r.Report(call, "close-in-loop", "close of %s inside a loop (line %d); a second iteration closes it again and panics", key, r.Line(loop.Pos()))
}

func checkSelect(r *reporter, cur inspector.Cursor, sel *ast.SelectStmt, goFuncs map[ast.Node]bool) {
	if len(sel.Body.List) == 0 {
		return // select {} blocks forever on purpose
	}
	cancel := hasDefault(sel)
	for _, s := range sel.Body.List {
		if comm := s.(*ast.CommClause).Comm; comm != nil {
			desc, isDone := cancels(r.Pass.TypesInfo, comm)
			if isDone {
				r.Report(sel, "select-ctx-done", "select waits on %s", desc)
			}
			cancel = cancel || desc != ""
		}
	}
	if cancel {
		return
	}
	_, inLoop := enclosingLoop(cur)
	inGo := goFuncs[enclosingFunc(cur)]
	const none = "has no default and no ctx.Done, done-channel, timeout or comma-ok case"
	switch {
	case inLoop && inGo:
		r.Report(sel, "select-no-cancel-loop", "select in a goroutine's loop %s; the goroutine cannot be stopped", none)
	case inLoop:
		r.Report(sel, "select-no-cancel", "select in a loop %s; it may block forever", none)
	case inGo:
		r.Report(sel, "select-no-cancel", "select in a goroutine %s; it may block forever", none)
	}
}

// checkLeaks reports goroutines started by fn that send on an unbuffered
// channel fn made, when fn may stop waiting for the value before it receives.
func checkLeaks(r *reporter, fn inspector.Cursor) {
	info := r.Pass.TypesInfo
	unbuffered := make(map[types.Object]bool)
	drained := make(map[types.Object]bool)
	var starts, recvs []inspector.Cursor
	var returns []token.Pos
	astx.InspectDirect(fn, func(c inspector.Cursor) {
		switch n := c.Node().(type) {
		case *ast.AssignStmt:
			for i := range n.Rhs {
				if len(n.Lhs) == len(n.Rhs) && isUnbufferedMake(info, n.Rhs[i]) && objOf(info, n.Lhs[i]) != nil {
					unbuffered[objOf(info, n.Lhs[i])] = true
				}
			}
		case *ast.ValueSpec:
			for i := range n.Values {
				if len(n.Names) == len(n.Values) && isUnbufferedMake(info, n.Values[i]) {
					unbuffered[info.Defs[n.Names[i]]] = true
				}
			}
		case *ast.GoStmt:
			if _, ok := ast.Unparen(n.Call.Fun).(*ast.FuncLit); ok {
				starts = append(starts, c)
			}
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				recvs = append(recvs, c)
			}
		case *ast.RangeStmt:
			if obj := objOf(info, n.X); obj != nil {
				drained[obj] = true
			}
		case *ast.ReturnStmt:
			returns = append(returns, n.Pos())
		}
	})
	if len(unbuffered) == 0 {
		return
	}
	for _, g := range starts {
		lit, _ := g.FindNode(ast.Unparen(g.Node().(*ast.GoStmt).Call.Fun))
		astx.InspectDirect(lit, func(c inspector.Cursor) {
			send, ok := c.Node().(*ast.SendStmt)
			if !ok {
				return
			}
			obj := objOf(info, send.Chan)
			if !unbuffered[obj] || drained[obj] {
				return
			}
			if sel, ok := commSelect(c); ok && len(sel.Body.List) > 1 {
				return // the sender can leave too
			}
			if why := receiverLeaves(r, g.Node().End(), obj, recvs, returns); why != "" {
				r.Report(send, "send-leak", "goroutine sends on unbuffered channel %s; %s, and the goroutine then blocks forever",
					types.ExprString(send.Chan), why)
			}
		})
	}
}

// receiverLeaves says how the first receive from ch after a goroutine start
// may never happen, or returns "".
func receiverLeaves(r *reporter, started token.Pos, ch types.Object, recvs []inspector.Cursor, returns []token.Pos) string {
	info := r.Pass.TypesInfo
	for _, rc := range recvs {
		recv := rc.Node().(*ast.UnaryExpr)
		if recv.Pos() < started || objOf(info, recv.X) != ch {
			continue
		}
		selCur, ok := commSelectCursor(rc)
		if !ok {
			for _, ret := range returns {
				if started < ret && ret < recv.Pos() {
					return fmt.Sprintf("the receiver can return at line %d before receiving", r.Line(ret))
				}
			}
			return ""
		}
		_, inLoop := enclosingLoop(selCur)
		for _, s := range selCur.Node().(*ast.SelectStmt).Body.List {
			cc := s.(*ast.CommClause)
			switch {
			case cc.Comm == nil:
				return fmt.Sprintf("the receiver can leave via default (line %d)", r.Line(cc.Pos()))
			case cc.Comm.Pos() <= recv.Pos() && recv.Pos() < cc.Comm.End():
				// the receive itself
			case !inLoop || leaves(info, cc.Body):
				return fmt.Sprintf("the receiver can leave via %s (line %d)", commString(cc.Comm), r.Line(cc.Pos()))
			}
		}
		return ""
	}
	return ""
}
