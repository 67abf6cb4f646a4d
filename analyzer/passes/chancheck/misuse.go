package chancheck

// This file holds close-twice, send-after-close and close-by-receiver, and
// the channel keys they and nil-channel share.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"github.com/secondlook/secondlook/analyzer/passes/internal/flow"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
)

// checkGoroutineCloses reports a channel closed unconditionally by each
// goroutine started in a loop, or by several goroutines.
func checkGoroutineCloses(r *reporter, f *fn) {
	info := r.Pass.TypesInfo
	type closer struct {
		s     *start
		close *ast.CallExpr
		key   chanKey
	}
	var closers []closer
	for _, s := range f.starts {
		for _, stmt := range s.body.List {
			var call *ast.CallExpr
			switch st := stmt.(type) {
			case *ast.ExprStmt:
				call, _ = ast.Unparen(st.X).(*ast.CallExpr)
			case *ast.DeferStmt:
				call = st.Call
			}
			if call == nil || builtin(info, call) != "close" || len(call.Args) != 1 {
				continue
			}
			k, ok := keyOf(info, call.Args[0])
			if v, isVar := k.root.(*types.Var); ok && isVar && k.path == "" && s.params[v] != nil {
				k.root = s.params[v] // go worker(ch) closing its parameter
			} else if !ok || astx.Contains(s.fn.Node(), declOf(k)) {
				continue // the goroutine's own channel, or a parameter
			}
			closers = append(closers, closer{s, call, k})
		}
	}
	for i, c := range closers {
		if c.s.loop != nil && !astx.Contains(c.s.loop, declOf(c.key)) && !assignedIn(info, c.s.loop, c.key) {
			r.ReportRelated(c.close, "close-twice",
				[]analysis.RelatedInformation{astx.Related(c.s.loop, "starts a goroutine on each turn")},
				"each goroutine started by the loop at line %d closes %s; the second close panics", r.Line(c.s.loop.Pos()), c.key)
			continue
		}
		for _, d := range closers[:i] {
			if d.key != c.key || d.s == c.s {
				continue
			}
			// Both goroutines start on one path.
			g := f.g(info)
			renews := func(a ast.Node) bool { return assignedIn(info, a, c.key) }
			if g.Search(d.s.stmt, func(a ast.Node) bool { return a == c.s.stmt }, renews, nil, 1) != nil {
				r.ReportRelated(c.close, "close-twice",
					[]analysis.RelatedInformation{astx.Related(d.close, "another goroutine closes %s here", c.key)},
					"goroutines started at lines %d and %d both close %s; the second close panics", r.Line(d.s.stmt.Pos()), r.Line(c.s.stmt.Pos()), c.key)
				break
			}
		}
	}
}

// A chanKey names a channel by a variable and a path of fields: ch, s.done.
type chanKey struct {
	root types.Object
	path string // ".done", "" for the variable itself
}

func (k chanKey) String() string { return k.root.Name() + k.path }

// keyOf returns the key of a channel expression made of a variable and
// field selections, through * but not &.
func keyOf(info *types.Info, e ast.Expr) (chanKey, bool) {
	v, path, ok := astx.FieldPath(info, e, false)
	if !ok {
		return chanKey{}, false
	}
	return chanKey{v, path}, true
}

// declOf returns a node at the declaration of k's variable.
func declOf(k chanKey) ast.Node { return flow.PosNode(k.root.Pos()) }

// assignedIn reports whether n assigns k, a variable or field on its path
// (ch = ..., s.done = ..., s = ...), or takes the address of one.
func assignedIn(info *types.Info, n ast.Node, k chanKey) bool {
	found := false
	ast.Inspect(n, func(x ast.Node) bool {
		switch x := x.(type) {
		case *ast.AssignStmt:
			for _, lhs := range x.Lhs {
				found = found || prefixOf(info, lhs, k)
			}
		case *ast.RangeStmt:
			found = found || x.Key != nil && prefixOf(info, x.Key, k) || x.Value != nil && prefixOf(info, x.Value, k)
		case *ast.UnaryExpr:
			found = found || x.Op == token.AND && prefixOf(info, x.X, k)
		case *ast.ValueSpec:
			for _, name := range x.Names {
				found = found || info.Defs[name] == k.root && len(x.Values) > 0
			}
		}
		return !found
	})
	return found
}

// prefixOf reports whether e denotes k or a variable or field on its path.
func prefixOf(info *types.Info, e ast.Expr, k chanKey) bool {
	if id, ok := ast.Unparen(e).(*ast.Ident); ok && info.Defs[id] == k.root {
		return true
	}
	ek, ok := keyOf(info, e)
	return ok && ek.root == k.root && (ek.path == k.path || len(ek.path) < len(k.path) && k.path[:len(ek.path)] == ek.path && k.path[len(ek.path)] == '.')
}

// chanUse is a close, send or receive of a channel by key in a function's
// own body.
type chanUse struct {
	kind opKind
	node ast.Node
	key  chanKey
	atom ast.Node
	cur  inspector.Cursor
}

// checkClosePaths reports a close that a path runs twice and a send after
// a close, in f's own body: an explicit close and a deferred close of the
// same channel, and a close or a send reachable from an earlier close of
// the same channel with no new channel assigned between them (a close in a
// loop with no break or return after it).
func checkClosePaths(r *reporter, f *fn) {
	info := r.Pass.TypesInfo
	var closes, deferred, sends []chanUse
	astx.InspectDirect(f.cur, func(c inspector.Cursor) {
		var kind opKind
		var e ast.Expr
		switch n := c.Node().(type) {
		case *ast.CallExpr:
			if builtin(info, n) != "close" || len(n.Args) != 1 {
				return
			}
			kind, e = opClose, n.Args[0]
		case *ast.SendStmt:
			kind, e = opSend, n.Chan
		default:
			return
		}
		k, ok := keyOf(info, e)
		if !ok {
			return
		}
		u := chanUse{kind: kind, node: c.Node(), key: k, cur: c}
		switch {
		case kind == opSend:
			sends = append(sends, u)
		case isDeferStmt(c.Parent()):
			deferred = append(deferred, u)
		case !guardedClose(info, c, k):
			closes = append(closes, u)
		}
	})
	if len(closes) == 0 {
		return
	}
	g := f.g(info)
	locate := func(us []chanUse) []chanUse {
		var out []chanUse
		for _, u := range us {
			if a, ok := g.AtomOf(u.node); ok {
				u.atom = a
				out = append(out, u)
			}
		}
		return out
	}
	closes, deferred, sends = locate(closes), locate(deferred), locate(sends)
	// What may change the channel a key denotes: an assignment to it or a
	// variable on its path; for a field, also a call that receives its root.
	kills := func(k chanKey) func(ast.Node) bool {
		return func(a ast.Node) bool {
			if _, isRange := a.(*ast.RangeStmt); isRange {
				rs := a.(*ast.RangeStmt)
				return rs.Key != nil && prefixOf(info, rs.Key, k) || rs.Value != nil && prefixOf(info, rs.Value, k)
			}
			if assignedIn(info, a, k) {
				return true
			}
			return k.path != "" && callsWith(info, a, k.root)
		}
	}
	for _, c := range closes {
		stop := kills(c.key)
		for _, d := range deferred {
			if d.key != c.key {
				continue
			}
			if g.Search(d.atom, func(a ast.Node) bool { return a == c.atom }, stop, nil, 1) != nil ||
				g.Search(c.atom, func(a ast.Node) bool { return a == d.atom }, stop, nil, 1) != nil {
				r.ReportRelated(c.node, "close-twice", []analysis.RelatedInformation{astx.Related(d.node, "closes %s again when the function returns", c.key)},
					"%s is closed here and again by the deferred close at line %d; the second close panics", c.key, r.Line(d.node.Pos()))
			}
		}
		again := func(a ast.Node) bool {
			return slices.ContainsFunc(closes, func(u chanUse) bool { return u.atom == a && u.key == c.key })
		}
		if path := g.Search(c.atom, again, stop, nil, 1); path != nil {
			second := path[len(path)-1]
			if second == c.atom {
				// Only a close that runs on every turn: one under a
				// condition may run once (if ticks == cancelTick).
				loop := astx.EnclosingLoop(c.cur)
				if loop == nil || !unconditional(c.cur, loop, false) {
					continue
				}
				r.ReportRelated(c.node, "close-twice", []analysis.RelatedInformation{astx.Related(loop, "loops back to the close with the same channel")},
					"close of %s inside the loop at line %d runs again on the next turn; the second close panics", c.key, r.Line(loop.Pos()))
			} else {
				r.ReportRelated(second, "close-twice", []analysis.RelatedInformation{astx.Related(c.node, "first closes %s", c.key)},
					"%s may already be closed at line %d on this path; the second close panics", c.key, r.Line(c.node.Pos()))
			}
		}
		sendAgain := func(a ast.Node) bool {
			return slices.ContainsFunc(sends, func(u chanUse) bool { return u.atom == a && u.key == c.key })
		}
		if path := g.Search(c.atom, sendAgain, stop, nil, 1); path != nil {
			a := path[len(path)-1]
			for _, u := range sends {
				if u.atom == a && u.key == c.key {
					r.ReportRelated(u.node, "send-after-close", []analysis.RelatedInformation{astx.Related(c.node, "closes %s", c.key)},
						"send on %s, which is closed at line %d on this path; the send panics", c.key, r.Line(c.node.Pos()))
				}
			}
		}
	}
}

func isDeferStmt(c inspector.Cursor) bool {
	_, ok := c.Node().(*ast.DeferStmt)
	return ok
}

// guardedClose reports whether a close at c is kept from running twice by
// its surroundings: a flag or the channel assigned beside it (if !closed {
// close(ch); closed = true }, close(ch); ch = nil), a select whose default
// closes only if a receive from the channel is not ready, or a condition
// that reads the channel or a flag.
func guardedClose(info *types.Info, c inspector.Cursor, k chanKey) bool {
	stmt := c.Parent()
	if _, ok := stmt.Node().(*ast.ExprStmt); !ok {
		return false
	}
	for i, step := range []func(inspector.Cursor) (inspector.Cursor, bool){inspector.Cursor.PrevSibling, inspector.Cursor.NextSibling} {
		after := i == 1
		for s, ok := step(stmt); ok; s, ok = step(s) {
			a, ok := s.Node().(*ast.AssignStmt)
			if !ok || a.Tok != token.ASSIGN {
				continue
			}
			for _, lhs := range a.Lhs {
				if t, ok := underlying(info, lhs).(*types.Basic); ok && t.Kind() == types.Bool || after && prefixOf(info, lhs, k) {
					return true
				}
			}
		}
	}
	// select { case <-ch: default: close(ch) }
	if cc, ok := stmt.Parent().Node().(*ast.CommClause); ok {
		if sel, ok := stmt.Parent().Parent().Parent().Node().(*ast.SelectStmt); ok {
			for _, s := range sel.Body.List {
				if comm := s.(*ast.CommClause).Comm; comm != nil && s != cc {
					if readsKey(info, comm, k) {
						return true
					}
				}
			}
		}
	}
	return false
}

// readsKey reports whether n receives from the channel k.
func readsKey(info *types.Info, n ast.Node, k chanKey) bool {
	found := false
	ast.Inspect(n, func(x ast.Node) bool {
		if u, ok := x.(*ast.UnaryExpr); ok && u.Op == token.ARROW {
			if uk, ok := keyOf(info, u.X); ok && uk == k {
				found = true
			}
		}
		return !found
	})
	return found
}

// callsWith reports whether atom a calls a method of v or passes v (or its
// address) to a call: the call may assign v's fields.
func callsWith(info *types.Info, a ast.Node, v types.Object) bool {
	found := false
	flow.InspectAtom(a, func(n ast.Node) {
		call, ok := n.(*ast.CallExpr)
		if !ok || found || builtin(info, call) != "" {
			return
		}
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && rootIs(info, sel.X, v) {
			found = true
		}
		for _, arg := range call.Args {
			if u, ok := ast.Unparen(arg).(*ast.UnaryExpr); ok && u.Op == token.AND {
				arg = u.X
			}
			if rootIs(info, arg, v) {
				found = true
			}
		}
	})
	return found
}

// rootIs reports whether e is v or a selection from v.
func rootIs(info *types.Info, e ast.Expr, v types.Object) bool {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			return info.Uses[x] == v
		case *ast.SelectorExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		default:
			return false
		}
	}
}

// checkCloseByReceiver reports a close by f of a local channel that
// goroutines f started send on, on a path where f has not waited for them:
// no WaitGroup.Wait, no receive from a channel they close or send on, and
// not every value received.
func checkCloseByReceiver(r *reporter, f *fn) {
	info := r.Pass.TypesInfo
	for _, l := range f.chans {
		var senders []*start
		var sendOps, closes, recvs []*op
		bail, many := false, false
		for _, o := range l.ops {
			switch {
			case o.in != nil && o.kind == opSend:
				if !slices.Contains(senders, o.in) {
					senders = append(senders, o.in)
				}
				sendOps = append(sendOps, o)
			case o.in != nil:
				bail = true // a goroutine closes or receives
			case o.kind == opClose:
				closes = append(closes, o)
			case o.kind == opRecv:
				recvs = append(recvs, o)
			case o.kind == opRange:
				many = true // receives an unknown number of values
			default:
				bail = true // the function sends too
			}
		}
		if bail || len(senders) == 0 || len(closes) == 0 {
			continue
		}
		for _, o := range sendOps {
			many = many || o.loop != nil || o.in.loop != nil && !makesIn(l, o.in.loop)
		}
		need := len(senders)
		allRecvs := recvs
		if many {
			recvs = nil // receiving cannot tell that all have sent
		}
		g := f.g(info)
		signals := signalChans(info, f.starts, l.obj)
		waits := func(a ast.Node) bool {
			found := false
			flow.InspectAtom(a, func(n ast.Node) {
				switch n := n.(type) {
				case *ast.CallExpr:
					if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == "Wait" {
						found = true
					}
				case *ast.UnaryExpr:
					if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && n.Op == token.ARROW && signals[info.Uses[id]] {
						found = true
					}
				}
			})
			return found
		}
		received := atomHas(g, recvs)
		for _, c := range closes {
			ca, ok := g.AtomOf(c.node)
			if !ok {
				continue
			}
			for _, s := range senders {
				var path []ast.Node
				if !c.deferred {
					path = g.Search(s.stmt, func(a ast.Node) bool { return a == ca }, waits, received, need)
				} else if isTopLevel(f.body, ca) && ca.Pos() < s.stmt.Pos() {
					path = g.Search(s.stmt, flow.IsExit, waits, received, need)
				} else if p1 := g.Search(s.stmt, func(a ast.Node) bool { return a == ca }, waits, received, need); p1 != nil {
					got := 0
					for _, a := range p1 {
						got += received(a)
					}
					path = g.Search(ca, flow.IsExit, waits, received, need-got)
				}
				if path == nil {
					continue
				}
				send := sendOps[slices.IndexFunc(sendOps, func(o *op) bool { return o.in == s })]
				how := ""
				if e := exitHow(r, g, path, allRecvs); strings.Contains(e.what, "(via") {
					how = " " + e.what[strings.Index(e.what, "(via"):]
				}
				where := "here"
				if c.deferred {
					where = fmt.Sprintf("when the function returns at line %d", r.Line(path[len(path)-1].Pos()))
				}
				r.ReportRelated(c.node, "close-by-receiver",
					[]analysis.RelatedInformation{astx.Related(send.node, "a goroutine started at line %d sends on %s", r.Line(s.stmt.Pos()), l.obj.Name())},
					"%s is closed %s while the goroutine started at line %d may still send on it%s; its send panics",
					l.obj.Name(), where, r.Line(s.stmt.Pos()), how)
				break
			}
		}
	}
}

// isTopLevel reports whether atom a is a statement of body's own list.
func isTopLevel(body *ast.BlockStmt, a ast.Node) bool {
	return slices.ContainsFunc(body.List, func(s ast.Stmt) bool { return s == a })
}
