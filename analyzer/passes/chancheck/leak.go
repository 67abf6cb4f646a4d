package chancheck

// This file holds goroutine-leak-channel.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"github.com/secondlook/secondlook/analyzer/passes/internal/flow"
	"golang.org/x/tools/go/analysis"
)

// checkLeaks reports goroutines that f starts and that block forever on a
// local channel of f because f can return without being their partner.
//
// A sender, outside a select that can take another case, leaks when f can
// return without receiving its value: before its receive (an early error
// return), through another case of the select that receives (a timeout,
// ctx.Done), after receiving once from goroutines started in a loop, or by
// leaving the loop that receives on an error or another select case. A
// buffer large enough for every sender, a receive from another channel the
// goroutine sends on or closes (errc beside resc), and a new make of the
// channel on the way are taken into account; a path that tests a local
// flag set only on branches that also run the partner (closed = true beside
// close(ch)) is not followed, since the test and the partner go together in
// a way the pass does not track. A receiver leaks from an unbuffered channel
// (or a range over any) that f can return without sending on or closing.
func checkLeaks(r *reporter, f *fn) {
	for _, l := range f.chans {
		var gSend, gRecv, pSend, pRecv int
		for _, o := range l.ops {
			switch {
			case o.in != nil && o.kind == opSend:
				gSend++
			case o.in != nil && (o.kind == opRecv || o.kind == opRange):
				gRecv++
			case o.in == nil && o.kind == opSend:
				pSend++
			case o.in == nil && (o.kind == opRecv || o.kind == opRange):
				pRecv++
			}
		}
		// When goroutines both send and receive, the partner of one may be
		// another: we cannot tell.
		switch {
		case gSend > 0 && gRecv == 0 && pSend == 0:
			senderLeaks(r, f, l)
		case gRecv > 0 && gSend == 0 && pRecv == 0:
			receiverLeaks(r, f, l)
		}
	}
}

// senderLeaks reports goroutines blocked sending on l.
func senderLeaks(r *reporter, f *fn, l *local) {
	if !l.capOK {
		return // a buffer sized at run time: we cannot count
	}
	info := r.Pass.TypesInfo
	g := f.g(info)
	var partners []*op // the function's receives
	for _, o := range l.ops {
		if o.in == nil && (o.kind == opRecv || o.kind == opRange) {
			partners = append(partners, o)
		}
		if o.in == nil && o.kind == opClose {
			return // a blocked sender would panic instead: close-by-receiver
		}
	}
	blocked := make(map[*start]*op) // goroutines that can block, and their first unguarded send
	var starts []*start
	many := false // a goroutine may send more than once, or one is started per turn of a loop
	for _, o := range l.ops {
		if o.in == nil || o.kind != opSend || o.guarded() {
			continue
		}
		if _, ok := blocked[o.in]; !ok {
			blocked[o.in] = o
			starts = append(starts, o.in)
		}
		perTurn := o.in.loop != nil && !makesIn(l, o.in.loop) &&
			!(len(partners) > 0 && allIn(partners, o.in.loop)) // received in the same turn
		many = many || perTurn || o.loop != nil && !leavesAfter(info, o)
	}
	if len(starts) == 0 {
		return
	}
	if many && l.cap > 0 {
		return // how many values the buffer absorbs depends on the run
	}
	slices.SortFunc(starts, func(a, b *start) int { return int(a.stmt.Pos() - b.stmt.Pos()) })

	// Receives of the function from other channels the goroutines send on
	// or close may tell it that no value comes on l (errc beside resc).
	signals := signalChans(info, f.starts, l.obj)
	isPartner := atomHas(g, partners)
	signalled := func(a ast.Node) bool {
		found := false
		flow.InspectAtom(a, func(n ast.Node) {
			var x ast.Expr
			switch n := n.(type) {
			case *ast.UnaryExpr:
				if n.Op == token.ARROW {
					x = n.X
				}
			case *ast.RangeStmt:
				x = n.X
			}
			if id, ok := ast.Unparen(x).(*ast.Ident); ok && x != nil && signals[info.Uses[id]] {
				found = true
			}
		})
		return found
	}
	remakes := func(a ast.Node) bool {
		for _, mk := range l.makes {
			if astx.Contains(a, mk) {
				return true
			}
		}
		return false
	}
	goal := func(a ast.Node) bool { return flow.IsExit(a) || remakes(a) }
	// The loops that receive, entered at their head: a path that skips
	// such a loop has run it zero times, which the loop's condition rules
	// out as often as not; leaving it early is checked on its own.
	var loops []ast.Node
	for _, p := range partners {
		loop := p.loop
		if p.kind == opRange {
			loop = p.node
		}
		if loop != nil && !slices.ContainsFunc(starts, func(s *start) bool { return astx.Contains(loop, s.stmt) }) {
			loops = append(loops, loop)
		}
	}
	heads := loopHeads(partners, starts)
	flags := partnerFlags(info, f.body, partners)
	stop := func(a ast.Node) bool { return signalled(a) || heads[a] || deadComm(f, a) || testsFlag(info, a, flags) }
	name := l.obj.Name()
	who := func(s *start) string {
		if s.loop != nil && !makesIn(l, s.loop) {
			return fmt.Sprintf("goroutines started in the loop at line %d", r.Line(s.loop.Pos()))
		}
		return "goroutine"
	}
	verb := func(s *start, one, more string) string {
		if s.loop != nil && !makesIn(l, s.loop) {
			return more
		}
		return one
	}

	if !many {
		need := len(starts) - l.cap
		if need <= 0 {
			return // the buffer holds every value
		}
		last := starts[len(starts)-1]
		for _, p := range partners {
			if p.node.Pos() < last.stmt.Pos() && !astx.Contains(p.loop, last.stmt) {
				return // receives between the starts: we cannot count
			}
		}
		if path := g.Search(last.stmt, goal, stop, isPartner, need); path != nil {
			got := 0
			for _, a := range path {
				got += isPartner(a)
			}
			o := blocked[last]
			how := exitHow(r, g, path, partners)
			related := []analysis.RelatedInformation{astx.Related(g.Node(path[len(path)-1]), "%s", how.evidence)}
			for _, p := range partners {
				related = append(related, astx.Related(p.node, "receives from %s on other paths", name))
			}
			if len(starts) == 1 {
				r.leak(o, related,
					"%s blocks forever sending on %s: the function can %s without receiving from it", who(last), name, how.what)
			} else {
				r.leak(o, related,
					"%d goroutines send on %s, but the function can %s after receiving %d value(s); the others block forever",
					len(starts), name, how.what, got)
			}
			return
		}
		if len(starts) > 1 {
			checkLoopExits(r, blocked[last], "goroutines", "send", name, loops, partners, signals)
		}
		return
	}

	// Many values: the function must receive in a loop and stay in it.
	for _, s := range starts {
		o := blocked[s]
		if path := g.Search(s.stmt, goal, stop, isPartner, 1); path != nil {
			how := exitHow(r, g, path, partners)
			r.leak(o, []analysis.RelatedInformation{astx.Related(g.Node(path[len(path)-1]), "%s", how.evidence)},
				"%s %s forever sending on %s: the function can %s without receiving from it", who(s), verb(s, "blocks", "block"), name, how.what)
			return
		}
		if len(loops) == 0 && len(partners) == 1 && partners[0].kind == opRecv && unconditional(o.cur, s.fn.Node(), true) {
			r.leak(o, []analysis.RelatedInformation{astx.Related(partners[0].node, "the only receive from %s", name)},
				"%s %s on %s more than once, but the function receives from it only once (line %d); later sends block forever",
				who(s), verb(s, "sends", "send"), name, r.Line(partners[0].node.Pos()))
			return
		}
		if checkLoopExits(r, o, who(s), verb(s, "sends", "send"), name, loops, partners, signals) {
			return
		}
	}
}

// checkLoopExits reports the blocked send o when a loop that receives can
// be left before every value was received.
func checkLoopExits(r *reporter, o *op, who, verb, name string, loops []ast.Node, partners []*op, signals map[types.Object]bool) bool {
	info := r.Pass.TypesInfo
	for _, loop := range loops {
		p := partners[slices.IndexFunc(partners, func(p *op) bool { return astx.Contains(loop, p.node) })]
		if exit, why := earlyExit(info, loop, p, partners, signals); exit != nil {
			r.ReportRelated(o.node, "goroutine-leak-channel",
				[]analysis.RelatedInformation{astx.Related(p.node, "receives from %s", name), astx.Related(exit, "leaves the receiving loop %s", why)},
				"%s %s on %s, but the loop receiving from it (line %d) can leave at line %d %s; the remaining senders block forever",
				who, verb, name, r.Line(loop.Pos()), r.Line(exit.Pos()), why)
			return true
		}
	}
	return false
}

// allIn reports whether every op lies within n.
func allIn(ops []*op, n ast.Node) bool {
	for _, o := range ops {
		if !astx.Contains(n, o.node) {
			return false
		}
	}
	return true
}

// leavesAfter reports whether the statement of op o is followed in its
// block by a return or a break: a send in a loop that then leaves it sends once.
func leavesAfter(info *types.Info, o *op) bool {
	body := loopBody(o.loop)
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found {
			return false
		}
		var list []ast.Stmt
		switch b := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.BlockStmt:
			list = b.List
		case *ast.CaseClause:
			list = b.Body
		case *ast.CommClause:
			list = b.Body
		}
		for i, s := range list {
			if s != o.node {
				continue
			}
			for _, next := range list[i+1:] {
				switch next := next.(type) {
				case *ast.ReturnStmt:
					found = true
				case *ast.BranchStmt:
					found = found || next.Tok == token.BREAK || next.Tok == token.GOTO
				case *ast.ExprStmt:
					if call, ok := next.X.(*ast.CallExpr); ok && !flow.MayReturn(info, call) {
						found = true
					}
				}
			}
		}
		return !found
	})
	return found
}

// receiverLeaks reports goroutines blocked receiving from l.
func receiverLeaks(r *reporter, f *fn, l *local) {
	info := r.Pass.TypesInfo
	if fd, ok := f.cur.Node().(*ast.FuncDecl); ok && fd.Recv == nil && (fd.Name.Name == "main" && r.Pass.Pkg.Name() == "main" || fd.Name.Name == "init") {
		return // the process ends with it
	}
	var sends, closes []*op
	for _, o := range l.ops {
		if o.in != nil || o.kind != opSend && o.kind != opClose {
			continue
		}
		if o.deferred {
			return // closed when the function returns
		}
		if o.kind == opSend {
			sends = append(sends, o)
		} else {
			closes = append(closes, o)
		}
	}
	if len(sends)+len(closes) == 0 {
		return // never signalled at all: not a partner that can be skipped
	}
	g := f.g(info)
	seen := make(map[*start]bool)
	name := l.obj.Name()
	for _, o := range l.ops {
		if o.in == nil || o.kind != opRecv && o.kind != opRange || o.guarded() || seen[o.in] {
			continue
		}
		seen[o.in] = true
		// A range waits for a close; a receive for a send or a close, and
		// from a buffered channel perhaps for a send made before the start.
		untilClosed := o.kind == opRange
		if !untilClosed && (!l.capOK || l.cap > 0) {
			continue
		}
		partners := closes
		if !untilClosed {
			partners = append(slices.Clip(sends), closes...)
		}
		isPartner := atomHas(g, partners)
		heads := loopHeads(partners, []*start{o.in})
		goal := func(a ast.Node) bool {
			if flow.IsExit(a) {
				return true
			}
			for _, mk := range l.makes {
				if astx.Contains(a, mk) {
					return true
				}
			}
			return false
		}
		flags := partnerFlags(info, f.body, partners)
		stop := func(a ast.Node) bool {
			return isPartner(a) > 0 || heads[a] || deadComm(f, a) || testsFlag(info, a, flags)
		}
		path := g.Search(o.in.stmt, goal, stop, nil, 1)
		if path == nil {
			continue
		}
		var related []analysis.RelatedInformation
		how := exitHow(r, g, path, partners)
		related = append(related, astx.Related(g.Node(path[len(path)-1]), "%s", how.evidence))
		for _, p := range partners {
			related = append(related, astx.Related(p.node, "%s %s on other paths", map[opKind]string{opSend: "sends on", opClose: "closes"}[p.kind], name))
		}
		switch {
		case untilClosed && len(closes) == 0:
			r.leak(o, related,
				"goroutine receives from %s until it is closed, but the function never closes it; the goroutine blocks forever", name)
		case untilClosed:
			r.leak(o, related,
				"goroutine receives from %s until it is closed, but the function can %s without closing it", name, how.what)
		default:
			r.leak(o, related,
				"goroutine blocks forever receiving from %s: the function can %s without sending on or closing it", name, how.what)
		}
	}
}

// leak reports the goroutine-leak-channel finding of the blocked operation
// o: at o when the goroutine runs a literal of the function, else at the go
// statement, with o as evidence, so that the finding sits in the function
// whose paths leak.
func (r *reporter) leak(o *op, related []analysis.RelatedInformation, format string, args ...any) {
	at := o.node
	if o.in.lit() == nil {
		at = o.in.stmt
		related = append([]analysis.RelatedInformation{astx.Related(o.node, "the goroutine blocks here")}, related...)
	}
	r.ReportRelated(at, "goroutine-leak-channel", related, format, args...)
}

// checkTickerRanges reports goroutines started by f that range over a
// ticker's channel with no way out of the loop, in a package that stops
// tickers: Stop does not close the channel, so the goroutine never ends.
func checkTickerRanges(r *reporter, f *fn, stops []*ast.CallExpr) {
	if len(stops) == 0 {
		return
	}
	info := r.Pass.TypesInfo
	for _, s := range f.starts {
		for _, stmt := range s.body.List {
			rs, ok := stmt.(*ast.RangeStmt)
			if !ok || !isTickerC(info, rs.X) || loopLeaves(info, rs) {
				continue
			}
			r.ReportRelated(rs, "goroutine-leak-channel", []analysis.RelatedInformation{astx.Related(stops[0], "stops a ticker; Stop does not close its channel")},
				"goroutine ranges over %s, which is never closed (Stop does not close a ticker's channel): the loop has no way out and the goroutine never ends",
				types.ExprString(rs.X))
		}
	}
}

// isTickerC reports whether e is the C field of a *time.Ticker.
func isTickerC(info *types.Info, e ast.Expr) bool {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "C" && isTicker(info.TypeOf(sel.X))
}

func isTicker(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Ticker"
}

// loopLeaves reports whether a loop can be left: a return, a goto, a
// break that targets it, or a call that does not return, outside nested
// function literals.
func loopLeaves(info *types.Info, loop ast.Node) bool {
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
				found = x.Tok == token.GOTO || x.Tok == token.BREAK && (x.Label != nil || !inner)
			case *ast.CallExpr:
				found = !flow.MayReturn(info, x)
			}
			return !found
		})
	}
	visit(loop, false)
	return found
}
