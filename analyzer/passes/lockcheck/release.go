package lockcheck

// lock-not-released: a path that leaves the locked section with the lock held.

import (
	"go/ast"
	"go/token"
	"go/types"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
)

// checkReleases reports each Lock of fn that reaches a return, or a break or
// continue out of the locked section, with the lock held, where another
// path releases the same lock after that point. The later release is what
// tells a leak from a function that means to return with the lock held.
//
// Left out: functions that hand the unlock to their caller (returning
// s.mu.Unlock or a closure that unlocks), that defer the unlock, that start
// a goroutine which unlocks it, that are called with the lock held (named
// *Locked, documented so, or unlocking before they lock) and that are named
// for acquiring a lock; and a return that hands the held lock to the
// caller: it returns what holds the mutex (return sh, return &sh.mu, a value
// it made that points to it), or stores such a value where it outlives the
// call, or the doc says the caller unlocks.
func (c *checker) checkReleases(fn *function) {
	if fn.lit == nil && (calledLocked(fn.decl) || acquirer(fn.decl.Name.Name)) {
		return
	}
	for b := range fn.events {
		for i := range fn.events[b] {
			l := &fn.events[b][i]
			if l.kind != evLock || l.cond {
				continue
			}
			k := l.key
			if fn.handoff[k] || fn.deferred[k] || heldOnEntry(fn, k) {
				continue
			}
			type exit struct {
				p  point
				ev *event
			}
			var unlocks []*event
			var exits []exit
			reach(fn, point{int32(b), i + 1}, func(p point, ev *event) bool {
				switch {
				case releases(ev, k, l.read):
					if ev.kind == evUnlock {
						unlocks = append(unlocks, ev)
					}
					return true
				case ev.kind == evLock && ev.key == k:
					return true // taken again while held: a double lock, not this
				case ev.kind == evReturn:
					exits = append(exits, exit{p, ev})
					return true
				case ev.kind == evBranch:
					exits = append(exits, exit{p, ev})
				}
				return false
			})
			if len(unlocks) == 0 {
				continue // the function keeps the lock on every path: by design
			}
			slices.SortFunc(exits, func(a, b exit) int { return int(a.ev.pos()) - int(b.ev.pos()) })
			for _, x := range exits {
				if x.ev.pos() <= l.pos() {
					continue
				}
				var u *event
				for _, e := range unlocks {
					if e.pos() > x.ev.pos() && (u == nil || e.pos() < u.pos()) {
						u = e
					}
				}
				if u == nil {
					continue
				}
				if c.reportRelease(fn, l, x.p, x.ev, u) {
					break
				}
			}
		}
	}
}

// reportRelease reports lock l held at exit x, or reports nothing and
// returns false when x is a branch that does not leak the lock.
func (c *checker) reportRelease(fn *function, l *event, p point, x, u *event) bool {
	k := l.key
	unlocked := related(u.node, "%s is unlocked here, on the path that does not leave early", k)
	if x.kind == evReturn && c.handsOver(fn, l, x) {
		return false
	}
	if x.kind == evReturn {
		c.report(l.node, "lock-not-released",
			[]analysis.RelatedInformation{related(x.node, "returns with %s held", k), unlocked},
			"%s is not released on the path that returns at line %d; another path unlocks it at line %d",
			c.callString(l), c.line(x.pos()), c.line(u.pos()))
		return true
	}
	br := x.node.(*ast.BranchStmt)
	target := c.branchTarget(br)
	if br.Tok == token.GOTO || target == nil || !(target.Pos() <= l.pos() && l.pos() < target.End()) {
		return false // the branch stays inside the locked section
	}
	end := leakAfter(fn, p, k, l.read)
	if end == nil {
		return false // released after the loop, as in: for { mu.Lock(); if done { break }; mu.Unlock() }; mu.Unlock()
	}
	var then string
	var endInfo analysis.RelatedInformation
	if end.kind == evReturn {
		then = "the function returns at line " + strconv.Itoa(c.line(end.pos())) + " without unlocking it"
		endInfo = related(end.node, "returns with %s held", k)
	} else if end == l && fn.stable(k) && !(target.Pos() <= k.root.Pos() && k.root.Pos() < target.End()) {
		then = "the next iteration locks it again and deadlocks"
		endInfo = related(end.node, "%s is locked again here while held", k)
	} else if end == l {
		then = "the loop moves on without unlocking it"
		endInfo = related(end.node, "the next iteration locks another %s here", k)
	} else {
		then = "it is locked again at line " + strconv.Itoa(c.line(end.pos())) + " without being unlocked"
		endInfo = related(end.node, "%s is locked again here", k)
	}
	c.report(l.node, "lock-not-released",
		[]analysis.RelatedInformation{related(x.node, "%s with %s held", br.Tok, k), endInfo, unlocked},
		"%s is still held at the %s on line %d, and %s; the other path unlocks it at line %d",
		c.callString(l), br.Tok, c.line(x.pos()), then, c.line(u.pos()))
	return true
}

// handsOver reports whether return x, reached with lock l held, hands the
// lock to the caller: it returns what holds the mutex (return sh, return
// &sh.mu, or a value it made that points to it: return &txn{db: db}), or
// the function stores such a value where it outlives the call (db.rwtx = t)
// before x, or its doc says the caller unlocks. The caller is then meant
// to unlock it; whether every caller does is past what one function shows.
func (c *checker) handsOver(fn *function, l, x *event) bool {
	if fn.lit == nil && callerUnlocks.MatchString(fn.decl.Doc.Text()) {
		return true
	}
	k := l.key
	containers := c.containers(k)
	holds := func(e ast.Expr) bool {
		if k2 := c.keyOf(e); k2.valid() && k.hasPrefix(k2) {
			return true
		}
		if !c.madeHere(fn, e) {
			return false
		}
		return reaches(c.info.TypeOf(e), containers, 3)
	}
	for _, r := range x.node.(*ast.ReturnStmt).Results {
		if holds(r) {
			return true
		}
	}
	found := false
	ast.Inspect(fn.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			if n.Pos() < l.pos() || n.Pos() > x.pos() || len(n.Lhs) != len(n.Rhs) {
				return true
			}
			for i, lhs := range n.Lhs {
				if id, ok := ast.Unparen(lhs).(*ast.Ident); ok && c.localTo(fn, c.info.ObjectOf(id)) {
					continue // a local dies with the call
				}
				if holds(n.Rhs[i]) {
					found = true
				}
			}
		}
		return !found
	})
	return found
}

// callerUnlocks matches a doc comment saying the caller releases a lock.
var callerUnlocks = regexp.MustCompile(`(?is)\bcallers?\b[^.]*\b(r?unlock|releas)|\b(r?unlock|releas)\w*\b[^.]*\bby (the|its) callers?\b`)

// containers returns the named types on the path of key k before the mutex:
// for db.meta.mu, the types of db and db.meta.
func (c *checker) containers(k lockKey) map[*types.TypeName]bool {
	out := make(map[*types.TypeName]bool)
	t := k.root.Type()
	for _, name := range strings.Split(k.path, ".")[1:] {
		if i := strings.IndexByte(name, '['); i >= 0 {
			name = name[:i]
		}
		n := astx.NamedOf(t)
		if n == nil {
			break
		}
		out[n.Obj()] = true
		st, ok := n.Underlying().(*types.Struct)
		if !ok {
			break
		}
		var next types.Type
		for i := range st.NumFields() {
			if st.Field(i).Name() == name {
				next = st.Field(i).Type()
			}
		}
		if next == nil {
			break
		}
		t = next
	}
	return out
}

// reaches reports whether a value of type t holds a pointer to one of the
// named types, in a field at most depth levels down.
func reaches(t types.Type, named map[*types.TypeName]bool, depth int) bool {
	if t == nil || depth < 0 {
		return false
	}
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		if n := astx.NamedOf(p.Elem()); n != nil && named[n.Obj()] {
			return true
		}
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := range st.NumFields() {
		if reaches(st.Field(i).Type(), named, depth-1) {
			return true
		}
	}
	return false
}

// madeHere reports whether e is a value fn makes: a composite literal, or a
// local fn assigned one to.
func (c *checker) madeHere(fn *function, e ast.Expr) bool {
	if c.made(e) {
		return true
	}
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && fn.fresh[c.info.ObjectOf(id)]
}

// localTo reports whether obj is declared in fn's body.
func (c *checker) localTo(fn *function, obj types.Object) bool {
	return obj != nil && fn.body.Pos() <= obj.Pos() && obj.Pos() < fn.body.End()
}

// leakAfter returns what follows branch point p on some path with lock k
// still held: a return, or a Lock of k. It returns nil if every path
// releases k first.
func leakAfter(fn *function, p point, k lockKey, read bool) *event {
	var found []*event
	reach(fn, point{p.block, p.index + 1}, func(_ point, ev *event) bool {
		switch {
		case releases(ev, k, read):
			return true
		case ev.kind == evReturn, ev.kind == evLock && ev.key == k:
			found = append(found, ev)
			return true
		}
		return false
	})
	return earliest(found)
}

// heldOnEntry reports whether fn can unlock k before it locks it: the
// lock is held by its caller, and the function may return with it held.
func heldOnEntry(fn *function, k lockKey) bool {
	held := false
	reach(fn, point{0, 0}, func(_ point, ev *event) bool {
		if ev.key != k {
			return false
		}
		switch ev.kind {
		case evLock:
			return true
		case evUnlock:
			held = true
			return true
		}
		return false
	})
	return held
}

// acquirer reports whether a function's name says it takes a lock for its
// caller: lock, rlockShard, acquire, tryAcquire.
func acquirer(name string) bool {
	return hasWord(name, "lock", "rlock", "locks", "acquire", "acquires", "enter", "grab")
}

// hasWord reports whether one of the words of name is among ws.
func hasWord(name string, ws ...string) bool {
	return slices.ContainsFunc(words(name), func(w string) bool { return slices.Contains(ws, w) })
}

// words splits a mixed-caps or snake-case name into lower-case words:
// "tryRLockShard" is try, rlock, shard; "readBlock" is read, block.
func words(name string) []string {
	var ws []string
	start := 0
	for i := 1; i <= len(name); i++ {
		if i < len(name) && name[i] != '_' && !(name[i] >= 'A' && name[i] <= 'Z' && name[i-1] >= 'a' && name[i-1] <= 'z') {
			continue
		}
		if w := strings.ToLower(strings.Trim(name[start:i], "_")); w != "" {
			ws = append(ws, w)
		}
		start = i
	}
	return ws
}

// branchTarget returns the statement that break or continue br leaves or
// continues, or nil.
func (c *checker) branchTarget(br *ast.BranchStmt) ast.Node {
	cur, ok := c.insp.Root().FindNode(br)
	if !ok {
		return nil
	}
	var target ast.Node
	for e := range cur.Enclosing() {
		switch n := e.Node().(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return nil
		case *ast.LabeledStmt:
			if br.Label != nil && n.Label.Name == br.Label.Name {
				target = n
			}
		case *ast.ForStmt, *ast.RangeStmt:
			if br.Label == nil {
				target = n
			}
		case *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			if br.Label == nil && br.Tok == token.BREAK {
				target = n
			}
		}
		if target != nil {
			break
		}
	}
	return target
}
