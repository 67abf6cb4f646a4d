package goroutines

// The shared-write and map-write-concurrent categories: writes of captured
// variables, maps and slice elements from goroutines, with no lock held.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/ast/inspector"
)

// A writer is one goroutine start whose literal writes captured maps.
type writer struct {
	s       start
	fn      ast.Node   // the function holding the start
	loops   []ast.Stmt // loops around the start, innermost first
	ordered bool       // something orders the goroutine's writes before the caller's reads
	maps    []mapWrite // the first unguarded write of each captured map
}

// A mapKey names a map: the variable it is reached from and the path, as in s.cache.
type mapKey struct {
	root *types.Var
	name string
}

// A mapWrite is an unguarded write of a captured map.
type mapWrite struct {
	node ast.Node   // the index expression or the delete/clear call
	root *types.Var // the captured variable the map is reached from
	name string     // the map as written: out, s.cache
}

// sharedWrites reports the unguarded writes of captured variables and slice
// elements in s's literal, and returns its map writes for reportMapWrites,
// which needs every start of the function to count the writers of a map.
func sharedWrites(r *reporter, s start, loops []ast.Stmt) *writer {
	info := r.Pass.TypesInfo
	lit := s.lit
	w := &writer{s: s, fn: enclosingFunc(s.cur), loops: loops,
		ordered: s.waited || calls(info, lit.Body, isCompletion) || hasSend(lit.Body)}
	g := lockGuards(info, lit.Body)
	captured := func(v *types.Var) bool {
		return v != nil && v.Parent() != nil && v.Parent() != r.Pass.Pkg.Scope() && v.Parent() != types.Universe &&
			!(lit.Pos() <= v.Pos() && v.Pos() < lit.End())
	}
	var loop ast.Stmt // the innermost loop around the start
	if len(loops) > 0 {
		loop = loops[0]
	}
	// loopShared reports whether every goroutine of the loop around the start sees the one v.
	loopShared := func(v *types.Var) bool { return len(loops) > 0 && v.Pos() < loops[0].Pos() }
	seenVar := make(map[*types.Var]bool)
	seenMap := make(map[mapKey]bool)
	seenElem := make(map[*types.Var]bool)

	write := func(e ast.Expr, stack []ast.Node) {
		e = ast.Unparen(e)
		if g.guarded(info, e.Pos(), stack) {
			return
		}
		if id, ok := e.(*ast.Ident); ok { // a plain variable
			v, _ := info.Uses[id].(*types.Var)
			if !captured(v) || seenVar[v] {
				return
			}
			seenVar[v] = true
			switch {
			case loopShared(v):
				r.Report(e, "shared-write", "goroutine started in a loop writes captured variable %s without a lock; every goroutine of the loop writes it", v.Name())
			case !w.ordered:
				r.Report(e, "shared-write", "goroutine writes captured variable %s without a lock, and no WaitGroup.Done, send or close orders the write before the caller reads it", v.Name())
			}
			return
		}
		base := stripFields(info, e)
		ix, ok := base.(*ast.IndexExpr)
		if !ok {
			return
		}
		if ownPath(info, ix.X, lit, loop) {
			return // shards[i].m[k] = v, grid[i][j] = v: each goroutine has its own part
		}
		if isMap(info.TypeOf(ix.X)) {
			if base != e { // m[k].f = v writes through a pointer the map holds, not the map
				return
			}
			if v := rootVar(info, ix.X); captured(v) && !seenMap[mapKey{v, types.ExprString(ix.X)}] {
				seenMap[mapKey{v, types.ExprString(ix.X)}] = true
				w.maps = append(w.maps, mapWrite{ix, v, types.ExprString(ix.X)})
			}
			return
		}
		if !isSeq(info.TypeOf(ix.X)) {
			return
		}
		v := rootVar(info, ix.X)
		if !captured(v) || seenElem[v] || !loopShared(v) || ownIndex(info, ix.Index, lit, loop) {
			return
		}
		seenElem[v] = true
		r.Report(ix, "shared-write", "goroutine started in a loop writes %s of captured %s without a lock; the index is not the goroutine's own, so goroutines of the loop can write one element",
			types.ExprString(ix), types.ExprString(ix.X))
	}

	walk(lit.Body, func(n ast.Node, stack []ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			if startsGoroutine(info, n, stack) {
				return false // a start of its own
			}
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				for _, e := range n.Lhs {
					write(e, stack)
				}
			}
		case *ast.IncDecStmt:
			write(n.X, stack)
		case *ast.CallExpr:
			// delete(m, k) and clear(m) write the map.
			if b, ok := info.Uses[identOf(n.Fun)].(*types.Builtin); ok && (b.Name() == "delete" || b.Name() == "clear") && len(n.Args) > 0 {
				m := ast.Unparen(n.Args[0])
				if !isMap(info.TypeOf(m)) || g.guarded(info, n.Pos(), stack) || ownPath(info, m, lit, loop) {
					break
				}
				if v := rootVar(info, m); captured(v) && !seenMap[mapKey{v, types.ExprString(m)}] {
					seenMap[mapKey{v, types.ExprString(m)}] = true
					w.maps = append(w.maps, mapWrite{n, v, types.ExprString(m)})
				}
			}
		}
		return true
	})
	return w
}

// reportMapWrites reports the unguarded map writes that several goroutines
// can run at once: a start in a loop, several starts in one function writing
// one map, or a lone goroutine whose write nothing orders before the caller's
// use of the map.
func reportMapWrites(r *reporter, writers []*writer) {
	type key struct {
		fn ast.Node
		m  mapKey
	}
	by := make(map[key][]*writer)
	for _, w := range writers {
		for _, m := range w.maps {
			k := key{w.fn, mapKey{m.root, m.name}}
			by[k] = append(by[k], w)
		}
	}
	for _, w := range writers {
		for _, m := range w.maps {
			all := by[key{w.fn, mapKey{m.root, m.name}}]
			switch {
			case len(w.loops) > 0 && m.root.Pos() < w.loops[0].Pos():
				r.Report(m.node, "map-write-concurrent", "goroutine started in the loop at line %d writes map %s without holding a lock; concurrent map writes crash the program",
					r.Line(w.loops[0].Pos()), m.name)
			case len(all) > 1:
				lines := make([]string, len(all))
				for i, o := range all {
					lines[i] = fmt.Sprint(r.Line(o.s.cur.Node().Pos()))
				}
				r.Report(m.node, "map-write-concurrent", "%d goroutines (started at lines %s) write map %s without holding a lock; concurrent map writes crash the program",
					len(all), strings.Join(lines, ", "), m.name)
			case !w.ordered && isIdent(m.name, m.root):
				r.Report(m.node, "map-write-concurrent", "goroutine writes map %s without holding a lock, and no WaitGroup.Done, send or close orders the write before the caller uses the map",
					m.name)
			}
		}
	}
}

// isIdent reports whether the map is the variable itself, not a field reached from it: a lone
// goroutine that owns a field map of a server is a common design, a lone goroutine filling a
// local map that the caller goes on to use is not.
func isIdent(name string, v *types.Var) bool { return name == v.Name() }

// guards are the lock and unlock calls of a goroutine body.
type guards struct {
	locks, unlocks []lockCall
}

type lockCall struct {
	pos   token.Pos
	recv  string   // the receiver as written, without & and parentheses
	block ast.Node // the innermost statement list holding the call
}

// lockGuards finds the Lock/TryLock and (not deferred) Unlock calls in body.
// Any locker counts: a method Lock or TryLock without parameters, as on
// sync.Mutex, sync.RWMutex (not RLock: readers may not write), a struct
// embedding one, or a lock type of another package.
func lockGuards(info *types.Info, body *ast.BlockStmt) *guards {
	g := &guards{}
	walk(body, func(n ast.Node, stack []ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
		fn := astx.CalleeFunc(info, call)
		if !ok || fn == nil || fn.Signature().Recv() == nil || fn.Signature().Params().Len() != 0 {
			return true
		}
		lc := lockCall{call.Pos(), recvString(sel.X), innermostBlock(stack)}
		switch fn.Name() {
		case "Lock", "TryLock":
			g.locks = append(g.locks, lc)
		case "Unlock":
			if d, ok := stack[len(stack)-1].(*ast.DeferStmt); !ok || d.Call != call {
				g.unlocks = append(g.unlocks, lc)
			}
		}
		return true
	})
	return g
}

// guarded reports whether a write at pos, with the given enclosing nodes, holds a lock or runs
// inside a sync.Once: a Lock before it in a block that encloses it, with no Unlock of the same
// receiver in between in a block that encloses it.
func (g *guards) guarded(info *types.Info, pos token.Pos, stack []ast.Node) bool {
	for i, n := range stack {
		if lit, ok := n.(*ast.FuncLit); ok && i > 0 {
			if call, ok := stack[i-1].(*ast.CallExpr); ok && slices.Contains(call.Args, ast.Expr(lit)) && isOnce(astx.CalleeFunc(info, call)) {
				return true
			}
		}
	}
	encloses := func(b ast.Node) bool { return b != nil && b.Pos() <= pos && pos < b.End() }
	for _, l := range g.locks {
		if l.pos >= pos || !encloses(l.block) {
			continue
		}
		released := slices.ContainsFunc(g.unlocks, func(u lockCall) bool {
			return u.recv == l.recv && l.pos < u.pos && u.pos < pos && encloses(u.block)
		})
		if !released {
			return true
		}
	}
	return false
}

// isOnce reports whether fn runs its function argument at most once, serialized: sync.Once.Do,
// sync.OnceFunc, sync.OnceValue, sync.OnceValues.
func isOnce(fn *types.Func) bool {
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "sync" {
		return false
	}
	switch fn.Name() {
	case "OnceFunc", "OnceValue", "OnceValues":
		return fn.Signature().Recv() == nil
	}
	return astx.IsMethod(fn, "sync", "Once", "Do")
}

// startsGoroutine reports whether lit, with the given enclosing nodes, is run by a go statement,
// errgroup.Group.Go or WaitGroup.Go.
func startsGoroutine(info *types.Info, lit *ast.FuncLit, stack []ast.Node) bool {
	if len(stack) == 0 {
		return false
	}
	call, ok := stack[len(stack)-1].(*ast.CallExpr)
	if !ok {
		return false
	}
	if ast.Unparen(call.Fun) == lit {
		if len(stack) > 1 {
			_, ok := stack[len(stack)-2].(*ast.GoStmt)
			return ok
		}
		return false
	}
	fn := astx.CalleeFunc(info, call)
	return astx.IsMethod(fn, "golang.org/x/sync/errgroup", "Group", "Go") || astx.IsMethod(fn, "sync", "WaitGroup", "Go")
}

// ownIndex reports whether an index expression names an element each goroutine has to itself:
// it is made of a variable declared in the goroutine's literal (its parameters, a range inside it)
// or in the loop that starts it (a loop variable, a per-iteration copy), fields of such variables,
// conversions, constants, + - and *. A remainder, mask, division or call (hashing into buckets)
// can give two goroutines one element; so can an index of only shared variables.
func ownIndex(info *types.Info, index ast.Expr, lit *ast.FuncLit, loop ast.Stmt) bool {
	own := false
	var ok func(e ast.Expr) bool
	ok = func(e ast.Expr) bool {
		switch e := ast.Unparen(e).(type) {
		case *ast.BasicLit:
			return true
		case *ast.Ident:
			switch o := info.Uses[e].(type) {
			case *types.Const:
				return true
			case *types.Var:
				in := func(n ast.Node) bool { return n != nil && n.Pos() <= o.Pos() && o.Pos() < n.End() }
				own = own || in(lit) || in(loop)
				return true
			}
		case *ast.SelectorExpr:
			if sel, found := info.Selections[e]; found && sel.Kind() == types.FieldVal {
				return ok(e.X)
			}
			_, isConst := info.Uses[e.Sel].(*types.Const)
			return isConst
		case *ast.BinaryExpr:
			switch e.Op {
			case token.ADD, token.SUB, token.MUL:
				return ok(e.X) && ok(e.Y)
			}
		case *ast.CallExpr: // a conversion int(i)
			return len(e.Args) == 1 && info.Types[e.Fun].IsType() && ok(e.Args[0])
		}
		return false
	}
	return ok(index) && own
}

// ownPath reports whether the path to a map or slice goes through an element that is the
// goroutine's own, as in shards[i].m or grid[i].
func ownPath(info *types.Info, e ast.Expr, lit *ast.FuncLit, loop ast.Stmt) bool {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.IndexExpr:
			if ownIndex(info, x.Index, lit, loop) {
				return true
			}
			e = x.X
		case *ast.SelectorExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		default:
			return false
		}
	}
}

// stripFields returns e without the field selections and dereferences it ends in: res[i] for
// res[i].n or *res[i].p.
func stripFields(info *types.Info, e ast.Expr) ast.Expr {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.SelectorExpr:
			if sel, ok := info.Selections[x]; !ok || sel.Kind() != types.FieldVal {
				return x
			}
			e = x.X
		case *ast.StarExpr:
			e = x.X
		default:
			return x
		}
	}
}

// rootVar returns the variable an expression like s.m, m[a] or (*p).m is reached from, or nil
// when the path goes through a call or a package-qualified name.
func rootVar(info *types.Info, e ast.Expr) *types.Var {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			v, _ := info.Uses[x].(*types.Var)
			return v
		case *ast.SelectorExpr:
			if sel, ok := info.Selections[x]; !ok || sel.Kind() != types.FieldVal {
				return nil
			}
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		default:
			return nil
		}
	}
}

func isMap(t types.Type) bool {
	if t == nil {
		return false
	}
	_, ok := t.Underlying().(*types.Map)
	return ok
}

// isSeq reports whether indexing t addresses an element in place: a slice, an array or a pointer to one.
func isSeq(t types.Type) bool {
	if t == nil {
		return false
	}
	switch u := t.Underlying().(type) {
	case *types.Slice, *types.Array:
		return true
	case *types.Pointer:
		_, ok := u.Elem().Underlying().(*types.Array)
		return ok
	}
	return false
}

// recvString spells a lock's receiver so that x.Lock() and (&x).Lock() match.
func recvString(e ast.Expr) string {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		e = ast.Unparen(u.X)
	}
	return types.ExprString(e)
}

// innermostBlock returns the innermost statement list among the enclosing nodes.
func innermostBlock(stack []ast.Node) ast.Node {
	for i := len(stack) - 1; i >= 0; i-- {
		switch stack[i].(type) {
		case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
			return stack[i]
		}
	}
	return nil
}

// enclosingFunc returns the function declaration or literal a goroutine start is in.
func enclosingFunc(cur inspector.Cursor) ast.Node {
	for c := range cur.Parent().Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		return c.Node()
	}
	return nil
}

// walk is ast.Inspect that also hands f the nodes enclosing n, outermost first.
func walk(root ast.Node, f func(n ast.Node, stack []ast.Node) bool) {
	var stack []ast.Node
	ast.Inspect(root, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if !f(n, stack) {
			return false
		}
		stack = append(stack, n)
		return true
	})
}
