// Package ctxcheck defines an Analyzer that reports goroutines that ignore
// their context and contexts used after their cancel. It reports bugs, not
// risk signals: each diagnostic's Category names a rule of the findings
// catalogue (findings/catalogue_detectors.go), which holds its user-facing
// help; the comments next to each check say what it leaves out. go vet's
// lostcancel reports a cancel function that is not called; this pass
// reports what lostcancel does not.
package ctxcheck

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"github.com/secondlook/secondlook/analyzer/passes/internal/flow"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Doc's first line is a title; then a line per category. The rules' help
// lives in the findings catalogue.
const Doc = `report goroutines that ignore their context and contexts used after cancel

ctx-loop-unwatched: a goroutine with a context in scope runs an endless blocking loop that never refers to the context.
ctx-used-after-cancel: a context is passed to a call on a path after its cancel function was called.`

// Categories are the rules this pass reports, each a catalogue rule Name.
var Categories = []string{
	"ctx-loop-unwatched",
	"ctx-used-after-cancel",
}

var Analyzer = &analysis.Analyzer{
	Name:     "ctxcheck",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/ctxcheck",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// reporter reports once per line and category.
type reporter struct{ *astx.Reporter }

func run(pass *analysis.Pass) (any, error) {
	inspect := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	info := pass.TypesInfo
	r := &reporter{astx.NewReporter(pass)}
	started := make(map[*types.Func]bool)
	for cur := range inspect.Root().Preorder((*ast.GoStmt)(nil)) {
		if callee := typeutil.StaticCallee(info, cur.Node().(*ast.GoStmt).Call); callee != nil && callee.Pkg() == pass.Pkg {
			started[callee.Origin()] = true
		}
	}
	for cur := range inspect.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		var body *ast.BlockStmt
		switch n := cur.Node().(type) {
		case *ast.FuncDecl:
			body = n.Body
		case *ast.FuncLit:
			body = n.Body
		}
		if body == nil {
			continue // assembly stub
		}
		if runsAsGoroutine(info, cur, started) {
			checkLoops(r, cur, body)
		}
		if !strings.HasSuffix(pass.Fset.File(body.Pos()).Name(), "_test.go") {
			checkUseAfterCancel(r, cur, body)
		}
	}
	return nil, nil
}

// runsAsGoroutine reports whether the function at cur is a literal started
// by go or errgroup.Group.Go, or a function or method of the package that a
// go statement starts.
func runsAsGoroutine(info *types.Info, cur inspector.Cursor, started map[*types.Func]bool) bool {
	switch n := cur.Node().(type) {
	case *ast.FuncDecl:
		obj, _ := info.Defs[n.Name].(*types.Func)
		return obj != nil && started[obj]
	case *ast.FuncLit:
		parent, ok := cur.Parent().Node().(*ast.CallExpr)
		if !ok {
			return false
		}
		if parent.Fun == n {
			_, isGo := cur.Parent().Parent().Node().(*ast.GoStmt)
			return isGo
		}
		callee, _ := typeutil.Callee(info, parent).(*types.Func)
		return astx.IsMethod(callee, "golang.org/x/sync/errgroup", "Group", "Go")
	}
	return false
}

// isContext reports whether t is context.Context.
func isContext(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

// contextsInScope returns the context.Context variables visible in the
// function at cur: its parameters, and for a literal the parameters and
// locals of the functions around it declared before it.
func contextsInScope(info *types.Info, cur inspector.Cursor) []*types.Var {
	var ctxs []*types.Var
	pos := cur.Node().Pos()
	add := func(v *types.Var) {
		if v != nil && isContext(v.Type()) {
			ctxs = append(ctxs, v)
		}
	}
	first := true
	for c := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		var ftype *ast.FuncType
		var body *ast.BlockStmt
		switch n := c.Node().(type) {
		case *ast.FuncDecl:
			ftype, body = n.Type, n.Body
		case *ast.FuncLit:
			ftype, body = n.Type, n.Body
		}
		for _, field := range ftype.Params.List {
			for _, name := range field.Names {
				v, _ := info.Defs[name].(*types.Var)
				add(v)
			}
		}
		if !first && body != nil {
			// Locals of an enclosing function whose scope holds the literal.
			ast.Inspect(body, func(n ast.Node) bool {
				if _, ok := n.(*ast.FuncLit); ok {
					return n.Pos() <= pos && pos < n.End()
				}
				if id, ok := n.(*ast.Ident); ok && id.Pos() < pos {
					if v, ok := info.Defs[id].(*types.Var); ok && v.Parent() != nil && v.Parent().Contains(pos) {
						add(v)
					}
				}
				return true
			})
		}
		first = false
	}
	return ctxs
}

// checkLoops reports endless blocking loops in a goroutine that never look
// at the context in scope. The goroutine is a function literal started by
// go or errgroup.Group.Go, or a function of the package a go statement
// starts; the loop is for {} or a range over a ticker's channel, blocks on
// a channel send, receive or select, and has no way out: no return, break,
// goto or panic.
func checkLoops(r *reporter, cur inspector.Cursor, body *ast.BlockStmt) {
	info := r.Pass.TypesInfo
	ctxs := contextsInScope(info, cur)
	if len(ctxs) == 0 {
		return
	}
	astx.InspectDirect(cur, func(c inspector.Cursor) {
		var loopBody *ast.BlockStmt
		what := ""
		switch n := c.Node().(type) {
		case *ast.ForStmt:
			if n.Cond != nil {
				return
			}
			loopBody, what = n.Body, "endless loop"
		case *ast.RangeStmt:
			if !isTickerChan(info, n.X) {
				return
			}
			loopBody, what = n.Body, "range over "+types.ExprString(n.X)
		default:
			return
		}
		if mentionsAny(info, loopBody, ctxs) || leaves(info, c) {
			return
		}
		block := blockingOp(info, c)
		if block == nil {
			if _, isRange := c.Node().(*ast.RangeStmt); !isRange {
				return
			}
			block = c.Node() // a range over a ticker blocks on each tick
		}
		ctx := ctxs[0]
		r.ReportRelated(c.Node(), "ctx-loop-unwatched",
			[]analysis.RelatedInformation{
				astx.Related(block, "blocks here"),
				{Pos: ctx.Pos(), End: ctx.Pos() + token.Pos(len(ctx.Name())), Message: "the context in scope"},
			},
			"%s in a goroutine blocks (line %d) with no way out and never watches %s.Done(): the goroutine outlives the cancellation of %s",
			what, r.Line(block.Pos()), ctx.Name(), ctx.Name())
	})
}

// isTickerChan reports whether e is the C field of a *time.Ticker or a
// call of time.Tick: a channel that is never closed.
func isTickerChan(info *types.Info, e ast.Expr) bool {
	switch x := ast.Unparen(e).(type) {
	case *ast.SelectorExpr:
		if x.Sel.Name != "C" {
			return false
		}
		t := info.TypeOf(x.X)
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		n, ok := types.Unalias(t).(*types.Named)
		return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Ticker"
	case *ast.CallExpr:
		fn := astx.CalleeFunc(info, x)
		return fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "time" && fn.Name() == "Tick"
	}
	return false
}

// mentionsAny reports whether n refers to one of vars.
func mentionsAny(info *types.Info, n ast.Node, vars []*types.Var) bool {
	found := false
	ast.Inspect(n, func(x ast.Node) bool {
		if id, ok := x.(*ast.Ident); ok {
			for _, v := range vars {
				if info.Uses[id] == v {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// leaves reports whether the loop at c can be left: a return, a goto, a
// break that targets it, a panic or a call that does not return, outside
// nested function literals.
func leaves(info *types.Info, c inspector.Cursor) bool {
	loop := c.Node()
	var label types.Object
	if ls, ok := c.Parent().Node().(*ast.LabeledStmt); ok {
		label = info.Defs[ls.Label]
	}
	found := false
	var visit func(n ast.Node, inner bool) // inner: inside a nested for, switch or select
	visit = func(n ast.Node, inner bool) {
		ast.Inspect(n, func(x ast.Node) bool {
			if found || x == nil {
				return false
			}
			switch x := x.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				if x != loop && !inner {
					visit(x, true)
					return false
				}
			case *ast.ReturnStmt:
				found = true
			case *ast.BranchStmt:
				switch {
				case x.Tok == token.GOTO:
					found = true
				case x.Tok == token.BREAK && x.Label == nil:
					found = !inner
				case x.Tok == token.BREAK:
					found = info.Uses[x.Label] == label
				}
			case *ast.CallExpr:
				found = !flow.MayReturn(info, x)
			}
			return !found
		})
	}
	visit(loop, false)
	return found
}

// blockingOp returns the first channel send, receive or select without
// default in the loop at c, outside nested function literals, or nil.
func blockingOp(info *types.Info, c inspector.Cursor) ast.Node {
	var found ast.Node
	ast.Inspect(c.Node(), func(x ast.Node) bool {
		if found != nil {
			return false
		}
		switch x := x.(type) {
		case *ast.FuncLit:
			return false
		case *ast.SelectStmt:
			for _, s := range x.Body.List {
				if s.(*ast.CommClause).Comm == nil {
					return true // never blocks; look inside the cases
				}
			}
			found = x
		case *ast.SendStmt:
			found = x
		case *ast.UnaryExpr:
			if x.Op == token.ARROW {
				found = x
			}
		}
		return found == nil
	})
	return found
}

// checkUseAfterCancel reports a context passed to a call after its cancel
// function ran on the same path. The context comes from
// context.WithCancel, WithTimeout or WithDeadline, the cancel is called
// explicitly, and no new context is assigned between. Calls of its methods
// (ctx.Err(), ctx.Done()) and context.Cause or WithoutCancel are not
// reported; nor are test files, where cancelling first is how cancellation
// is tested.
func checkUseAfterCancel(r *reporter, cur inspector.Cursor, body *ast.BlockStmt) {
	info := r.Pass.TypesInfo
	type derived struct {
		ctx, cancel types.Object
	}
	var ds []derived
	astx.InspectDirect(cur, func(c inspector.Cursor) {
		as, ok := c.Node().(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 2 || len(as.Rhs) != 1 {
			return
		}
		call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		if !ok {
			return
		}
		fn := astx.CalleeFunc(info, call)
		if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "context" || !strings.HasPrefix(fn.Name(), "With") || fn.Name() == "WithValue" || fn.Name() == "WithoutCancel" {
			return
		}
		ctxID, ok1 := as.Lhs[0].(*ast.Ident)
		cancelID, ok2 := as.Lhs[1].(*ast.Ident)
		if !ok1 || !ok2 {
			return
		}
		ctx, cancel := info.ObjectOf(ctxID), info.ObjectOf(cancelID)
		if ctx == nil || cancel == nil || ctxID.Name == "_" || cancelID.Name == "_" {
			return
		}
		ds = append(ds, derived{ctx, cancel})
	})
	if len(ds) == 0 {
		return
	}
	var g *flow.Graph
	for _, d := range ds {
		var cancels []*ast.CallExpr
		astx.InspectDirect(cur, func(c inspector.Cursor) {
			call, ok := c.Node().(*ast.CallExpr)
			if !ok || len(call.Args) != 0 {
				return
			}
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && info.Uses[id] == d.cancel {
				if _, deferred := c.Parent().Node().(*ast.DeferStmt); !deferred {
					cancels = append(cancels, call)
				}
			}
		})
		if len(cancels) == 0 {
			continue
		}
		if g == nil {
			g = flow.New(info, body)
		}
		renews := func(a ast.Node) bool { return assigns(info, a, d.ctx) }
		uses := func(a ast.Node) bool { return passesCtx(info, a, d.ctx) != nil }
		for _, cc := range cancels {
			a, ok := g.AtomOf(cc)
			if !ok {
				continue
			}
			path := g.Search(a, uses, renews, nil, 1)
			if path == nil {
				continue
			}
			use := passesCtx(info, path[len(path)-1], d.ctx)
			r.ReportRelated(use, "ctx-used-after-cancel", []analysis.RelatedInformation{astx.Related(cc, "cancels %s", d.ctx.Name())},
				"%s is passed to %s after %s() at line %d cancelled it: the call gets a context that is already done",
				d.ctx.Name(), calleeName(info, use), d.cancel.Name(), r.Line(cc.Pos()))
			break
		}
	}
}

// assigns reports whether atom a assigns v.
func assigns(info *types.Info, a ast.Node, v types.Object) bool {
	found := false
	ast.Inspect(a, func(n ast.Node) bool {
		if as, ok := n.(*ast.AssignStmt); ok {
			for _, lhs := range as.Lhs {
				if id, ok := lhs.(*ast.Ident); ok && info.ObjectOf(id) == v {
					found = true
				}
			}
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		return !found
	})
	return found
}

// passesCtx returns the call in atom a that receives v as an argument,
// other than context.Cause and context.WithoutCancel, or nil.
func passesCtx(info *types.Info, a ast.Node, v types.Object) *ast.CallExpr {
	var found *ast.CallExpr
	flow.InspectAtom(a, func(n ast.Node) {
		call, ok := n.(*ast.CallExpr)
		if !ok || found != nil {
			return
		}
		if fn := astx.CalleeFunc(info, call); fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "context" && (fn.Name() == "Cause" || fn.Name() == "WithoutCancel") {
			return
		}
		for _, arg := range call.Args {
			if id, ok := ast.Unparen(arg).(*ast.Ident); ok && info.Uses[id] == v {
				found = call
			}
		}
	})
	return found
}

func calleeName(info *types.Info, call *ast.CallExpr) string {
	if fn := astx.CalleeFunc(info, call); fn != nil && fn.Signature().Recv() == nil && fn.Pkg() != nil {
		if _, local := ast.Unparen(call.Fun).(*ast.Ident); !local {
			return fn.Pkg().Name() + "." + fn.Name()
		}
	}
	return types.ExprString(call.Fun)
}
