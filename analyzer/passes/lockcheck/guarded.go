package lockcheck

// unguarded-field: guarded-by inference over the methods of a type.

import (
	"go/ast"
	"go/token"
	"go/types"
	"regexp"
	"slices"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// accessInfo is what the syntax says of a field access.
type accessInfo struct {
	write  bool
	atomic bool   // &s.n passed to a sync/atomic function
	sub    string // the fields selected on from the field's value: ".timeout" in s.opts.timeout
}

// An accessRec is a field access with the locks around it.
type accessRec struct {
	fn     *function
	ev     *event
	write  bool
	guard  *types.Var // the receiver's mutex held on every path, or nil
	anyMay bool       // some lock may be held
}

// A callRec is a call of a method or function of the package.
type callRec struct {
	fn     *function
	callee *types.Func
	locked bool // a mutex of the callee's receiver is held on every path
	anyMay bool
}

// findAccesses records the fields of its receiver that method decl reads
// or writes, in its body and its literals.
func (c *checker) findAccesses(cur inspector.Cursor, decl *ast.FuncDecl) {
	recv := recvVar(c.info, decl)
	for sc := range cur.Preorder((*ast.SelectorExpr)(nil)) {
		se := sc.Node().(*ast.SelectorExpr)
		x, ok := ast.Unparen(se.X).(*ast.Ident)
		sel := c.info.Selections[se]
		if !ok || c.info.Uses[x] != recv || sel == nil || sel.Kind() != types.FieldVal || len(sel.Index()) != 1 {
			continue
		}
		field := sel.Obj().(*types.Var)
		if astx.IsSyncType(field.Type()) || astx.LeadsToLock(c.info, sc) {
			continue
		}
		c.accesses[se] = accessInfo{write: astx.IsWrite(c.info, sc, c.selfSynced), atomic: atomicArg(c.info, sc), sub: subPath(c.info, sc)}
	}
}

// recordAccess notes a field access and the locks held around it.
func (c *checker) recordAccess(fn *function, ev *event, must, may lockset) {
	r := accessRec{fn: fn, ev: ev, write: !ev.read, anyMay: len(may) > 0}
	var guards []*types.Var
	for k, h := range must {
		if k.root != fn.recv || strings.Count(k.path, ".") != 1 || k.indexed() || k.pseudo() {
			continue
		}
		if f, ok := h.ev.class.(*types.Var); ok && f.IsField() {
			guards = append(guards, f)
		}
	}
	if len(guards) > 0 {
		slices.SortFunc(guards, func(a, b *types.Var) int { return strings.Compare(a.Name(), b.Name()) })
		r.guard = guards[0]
	}
	c.records = append(c.records, r)
}

// recordCall notes a call of a function of the package and whether a
// mutex of its receiver is held.
func (c *checker) recordCall(fn *function, ev *event, must, may lockset) {
	r := callRec{fn: fn, callee: ev.via, anyMay: len(may) > 0}
	if ev.key.valid() && fn.fresh[ev.key.root] {
		r.locked = true // not shared yet: s := newStream(); s.inUnlock()
	}
	if ev.key.valid() {
		for k := range must {
			if k != ev.key && !k.pseudo() && k.hasPrefix(ev.key) {
				r.locked = true
			}
		}
	}
	c.calls = append(c.calls, r)
}

// reportGuarded infers, for each field of the receivers, the mutex that
// guards it, and reports accesses without it that can race.
//
// A field is guarded when the type's methods access it with one of the
// receiver's mutexes held, in at least two methods and at least one write;
// an access with no lock held is reported in code that another goroutine can
// run at the same time: an exported method, a goroutine or a method they
// call. The guarded side must be an exported method or a goroutine too, and
// hold a write if the unguarded side only reads.
//
// Left out: methods called with the lock held (named *Locked, documented
// so, or called only under the lock), methods documented as not for
// concurrent use or as called before the value is shared, exported methods
// named for setting a value up (InitialState, Setup), tests, methods used
// as values (sync.Once.Do(s.init)), unexported methods that take no lock
// and write several fields (resets of values not shared yet), calls on
// values the function has just made (in a local or a named result: db =
// &DB{}; db.init()), code after a call that took and released the lock
// (lazy initialization), code under a lock of the program's own (a method
// named lock or acquire), fields of sync and sync/atomic types, fields
// passed to sync/atomic functions, and fields where the accesses without a
// lock outnumber those with it.
//
// A call is under the locks held where it starts, so a helper that releases
// its caller's lock (updateAndUnlock) runs with it held. Two sub-fields of a
// struct field (s.opts.timeout, s.opts.onClose) are two variables. A method
// call on a field whose type synchronizes itself (a sync.Map wrapper, an
// atomic flag, a struct with its own mutex) is no write. A read after
// receiving from a channel field of the receiver is no race when every
// write of the field is followed by closing that channel (case <-s.done:
// return s.err).
func (c *checker) reportGuarded() {
	if len(c.records) == 0 {
		return
	}
	goEntry, values := c.methodRefs()

	// Methods that run with the lock held by their caller.
	trusted := make(map[*types.Func]bool)
	for fn, decl := range c.decls {
		trusted[fn] = calledLocked(decl)
	}
	callsOf := make(map[*types.Func][]callRec)
	for _, r := range c.calls {
		// A test calls internals directly, on one goroutine.
		if !c.inTestFile(r.fn) {
			callsOf[r.callee] = append(callsOf[r.callee], r)
		}
	}
	inTrusted := func(fn *function) bool {
		return fn.decl != nil && (fn.lit == nil || fn.role == roleInPlace) && trusted[c.funcOf(fn.decl)]
	}
	for changed := true; changed; {
		changed = false
		for f, calls := range callsOf {
			if trusted[f] || f.Exported() || goEntry[f] || values[f] || len(calls) == 0 {
				continue
			}
			all := true
			for _, r := range calls {
				all = all && (r.locked || inTrusted(r.fn))
			}
			if all {
				trusted[f], changed = true, true
			}
		}
	}

	// Code another goroutine can run at the same time: exported functions,
	// goroutines, methods used as values, and what they call unlocked.
	// A method used as a value (sync.Once.Do(s.init), a handler field) runs
	// where its taker calls it: neither known to race nor known to be locked.
	reach := make(map[*types.Func]bool)
	entry := make(map[*types.Func]bool)
	for fn, decl := range c.decls {
		// A method named for setting a value up (InitialState, Setup) runs
		// before the value is shared.
		exported := fn.Exported() && !initName(decl.Name.Name)
		reach[fn] = (exported || goEntry[fn]) && !notConcurrent.MatchString(decl.Doc.Text()) && !c.isTestFile(decl.Pos())
		entry[fn] = reach[fn]
	}
	reachable := func(fn *function) bool {
		return fn.role == roleGo || fn.decl != nil && reach[c.funcOf(fn.decl)]
	}
	for changed := true; changed; {
		changed = false
		for f, calls := range callsOf {
			if reach[f] || trusted[f] {
				continue
			}
			for _, r := range calls {
				if reachable(r.fn) && !r.locked && !r.anyMay {
					reach[f], changed = true, true
					break
				}
			}
		}
	}

	// An unexported method that takes no lock and writes several fields
	// resets or initializes a value that is not shared yet (or any more).
	written := make(map[*function]map[*types.Var]bool)
	for _, r := range c.records {
		if r.write && r.guard == nil {
			if written[r.fn] == nil {
				written[r.fn] = make(map[*types.Var]bool)
			}
			written[r.fn][r.ev.field] = true
		}
	}
	initializer := func(fn *function) bool {
		return fn.decl != nil && !fn.decl.Name.IsExported() && len(written[fn]) >= 3 && !fn.locks()
	}

	byField := make(map[*types.Var][]accessRec)
	var fields []*types.Var
	atomic := make(map[*types.Var]bool)
	for _, r := range c.records {
		f := r.ev.field
		if c.accesses[r.ev.node.(*ast.SelectorExpr)].atomic {
			atomic[f] = true
		}
		if r.fn.role == roleDeferred || r.fn.createdLocked || inTrusted(r.fn) || initializer(r.fn) {
			continue
		}
		if byField[f] == nil {
			fields = append(fields, f)
		}
		byField[f] = append(byField[f], r)
	}
	// The guarded side of a race must be an entry itself: an exported
	// method or a goroutine. A lazy initializer (parse, unpack) that writes
	// under the lock before its callers read is not.
	isEntry := func(fn *function) bool {
		return fn.role == roleGo || fn.decl != nil && entry[c.funcOf(fn.decl)]
	}
	for _, f := range fields {
		if !atomic[f] {
			c.reportField(f, byField[f], reachable, isEntry)
		}
	}
}

// notConcurrent matches a doc comment that rules out concurrent calls:
// "must not be called concurrently with Add", "not safe for concurrent use".
var notConcurrent = regexp.MustCompile(`(?i)\bnot\b[^.]*\bconcurren|\bnot (thread|goroutine)[- ]safe\b|\bbefore\b[^.]*\b(start|use|serv|run|shar|dial|open|connect|build|regist)`)

// initName reports whether a method's name says it sets its value up:
// init, InitialState, Setup, Configure.
func initName(name string) bool {
	return hasWord(name, "init", "initial", "initialize", "initialise", "setup", "configure", "preset")
}

// reportField reports the unguarded accesses of field f that race with
// the guarded ones.
func (c *checker) reportField(f *types.Var, recs []accessRec, reachable, isEntry func(*function) bool) {
	// The guard: the mutex held at the most accesses, in two functions or more.
	var guard *types.Var
	var guarded []accessRec
	for _, r := range recs {
		if r.guard == nil {
			continue
		}
		var g []accessRec
		for _, s := range recs {
			if s.guard == r.guard {
				g = append(g, s)
			}
		}
		if len(g) > len(guarded) {
			guard, guarded = r.guard, g
		}
	}
	if guard == nil || len(guarded) < 2 || countDecls(guarded) < 2 || !slices.ContainsFunc(guarded, func(r accessRec) bool { return r.write }) {
		return
	}
	var unguarded []accessRec
	for _, r := range recs {
		if r.guard == nil && !r.anyMay && reachable(r.fn) {
			unguarded = append(unguarded, r)
		}
	}
	// A lock held by few of the field's users is more likely held for
	// something else.
	if countDecls(unguarded) > countDecls(guarded)+1 {
		return
	}
	apart := func(a, b accessRec) bool {
		return a.fn != b.fn && (a.fn.decl != b.fn.decl || a.fn.role == roleGo || b.fn.role == roleGo)
	}
	reported := make(map[*function]bool)
	for _, u := range unguarded {
		if reported[u.fn] {
			continue
		}
		// A race needs a write on one side, and the two sides in code
		// that can run at the same time.
		var against []accessRec
		for _, g := range guarded {
			if apart(u, g) && (u.write || g.write) && isEntry(g.fn) && overlap(c.sub(u), c.sub(g)) {
				against = append(against, g)
			}
		}
		if len(against) == 0 || c.published(u, recs) {
			continue
		}
		reported[u.fn] = true
		slices.SortStableFunc(against, func(a, b accessRec) int {
			if a.write != b.write {
				if a.write {
					return -1
				}
				return 1
			}
			return c.comparePos(a.ev.pos(), b.ev.pos())
		})
		var rel []analysis.RelatedInformation
		var names []string
		seenDecl := make(map[*ast.FuncDecl]bool)
		for _, g := range against {
			if seenDecl[g.fn.decl] || len(rel) == 3 {
				continue
			}
			seenDecl[g.fn.decl] = true
			verb := "read"
			if g.write {
				verb = "written"
			}
			rel = append(rel, related(g.ev.node, "%s %s with %s held in %s", types.ExprString(g.ev.node.(ast.Expr)), verb, guard.Name(), g.fn.name()))
			names = append(names, g.fn.name())
		}
		verb := "read"
		if u.write {
			verb = "written"
		}
		x := u.ev.node.(*ast.SelectorExpr)
		c.report(x, "unguarded-field", rel,
			"%s is %s without holding %s.%s, which guards it in %s; %s can run concurrently with them",
			types.ExprString(x), verb, types.ExprString(x.X), guard.Name(), strings.Join(names, " and "), u.fn.name())
	}
}

// countDecls counts the declarations the accesses lie in, a goroutine
// counting apart from the method that starts it.
func countDecls(recs []accessRec) int {
	type where struct {
		decl *ast.FuncDecl
		lit  *ast.FuncLit
	}
	seen := make(map[where]bool)
	for _, r := range recs {
		w := where{decl: r.fn.decl}
		if r.fn.role == roleGo {
			w.lit = r.fn.lit
		}
		seen[w] = true
	}
	return len(seen)
}

// methodRefs returns the functions of the package started by a go
// statement, and those used as values (handed to a callback, a timer, a
// pool), which may run on another goroutine.
func (c *checker) methodRefs() (goEntry, values map[*types.Func]bool) {
	goEntry = make(map[*types.Func]bool)
	values = make(map[*types.Func]bool)
	for cur := range c.insp.Root().Preorder((*ast.GoStmt)(nil), (*ast.SelectorExpr)(nil), (*ast.Ident)(nil)) {
		switch n := cur.Node().(type) {
		case *ast.GoStmt:
			if fn := typeutil.StaticCallee(c.info, n.Call); fn != nil {
				goEntry[fn.Origin()] = true
			}
		case *ast.SelectorExpr, *ast.Ident:
			var id *ast.Ident
			if se, ok := n.(*ast.SelectorExpr); ok {
				id = se.Sel
			} else {
				id = n.(*ast.Ident)
			}
			fn, ok := c.info.Uses[id].(*types.Func)
			if !ok || c.decls[fn.Origin()] == nil {
				continue
			}
			// A use other than the callee of a call, and not the selector's
			// own name inside a selector.
			p := cur.Parent().Node()
			if se, ok := p.(*ast.SelectorExpr); ok && se.Sel == n {
				continue
			}
			if call, ok := p.(*ast.CallExpr); ok && ast.Unparen(call.Fun) == n {
				continue
			}
			if _, ok := p.(*ast.ParenExpr); ok {
				continue
			}
			values[fn.Origin()] = true
		}
	}
	return goEntry, values
}

// locks reports whether fn takes or releases any lock itself.
func (fn *function) locks() bool {
	for _, evs := range fn.events {
		for _, e := range evs {
			if e.kind == evLock || e.kind == evUnlock || e.kind == evDefer {
				return true
			}
		}
	}
	return false
}

func (c *checker) isTestFile(pos token.Pos) bool {
	return strings.HasSuffix(c.pass.Fset.Position(pos).Filename, "_test.go")
}

func (c *checker) inTestFile(fn *function) bool { return c.isTestFile(fn.body.Pos()) }

func (c *checker) funcOf(decl *ast.FuncDecl) *types.Func {
	if decl == nil {
		return nil
	}
	fn, _ := c.info.Defs[decl.Name].(*types.Func)
	return fn
}
