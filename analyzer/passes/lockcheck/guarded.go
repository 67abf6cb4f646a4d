package lockcheck

// unguarded-field: guarded-by inference over the methods of a type.

import (
	"go/ast"
	"go/token"
	"go/types"
	"path"
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
		if isSyncType(field.Type()) || lockPath(c.info, sc) {
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

// atomicArg reports whether the field selected at cur is passed by
// address to a sync/atomic function: atomic.AddInt64(&c.n, 1).
func atomicArg(info *types.Info, cur inspector.Cursor) bool {
	u, ok := cur.Parent().Node().(*ast.UnaryExpr)
	if !ok {
		return false
	}
	call, ok := cur.Parent().Parent().Node().(*ast.CallExpr)
	if !ok || !slices.Contains(call.Args, ast.Expr(u)) {
		return false
	}
	fn := typeutil.StaticCallee(info, call)
	return fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "sync/atomic"
}

// lockPath reports whether the field selected at cur leads to a lock, as
// c.cc in c.cc.mu.Lock(): reaching a mutex is not an access it guards.
func lockPath(info *types.Info, cur inspector.Cursor) bool {
	for p := cur.Parent(); ; cur, p = p, p.Parent() {
		sel, ok := p.Node().(*ast.SelectorExpr)
		if !ok || sel.X != cur.Node() {
			return false
		}
		if selection := info.Selections[sel]; selection != nil {
			if fn, ok := selection.Obj().(*types.Func); ok && fn.Pkg() != nil && fn.Pkg().Path() == "sync" {
				return true // a promoted method of an embedded mutex
			}
			if selection.Kind() == types.FieldVal && isSyncType(selection.Obj().Type()) {
				return true
			}
		}
	}
}

// subPath spells the fields selected, through struct values, on the field
// selected at cur: ".timeout" for s.opts.timeout, "" for s.opts. Two
// accesses of one field touch the same variable only if one path is a
// prefix of the other.
func subPath(info *types.Info, cur inspector.Cursor) string {
	var b strings.Builder
	for {
		if _, ptr := types.Unalias(info.TypeOf(cur.Node().(ast.Expr))).(*types.Pointer); ptr {
			break // what it points to is another variable
		}
		p := cur.Parent()
		se, ok := p.Node().(*ast.SelectorExpr)
		if !ok || se.X != cur.Node() {
			break
		}
		sel := info.Selections[se]
		if sel == nil || sel.Kind() != types.FieldVal {
			break
		}
		b.WriteString(fieldPath(sel.Recv(), sel.Index()))
		cur = p
	}
	return b.String()
}

// sub returns the sub-path of the access r.
func (c *checker) sub(r accessRec) string {
	return c.accesses[r.ev.node.(*ast.SelectorExpr)].sub
}

// overlap reports whether two sub-paths of a field touch the same variable.
func overlap(a, b string) bool {
	return a == b || strings.HasPrefix(a, b+".") || strings.HasPrefix(b, a+".") || a == "" || b == ""
}

// selfSynced reports whether values of type t synchronize their own
// methods: sync and sync/atomic types, types of packages named for them
// (go.uber.org/atomic, grpcsync), structs holding such values (a typed
// wrapper of sync.Map, a struct with its own mutex), and types of this
// package whose methods use sync/atomic on their receiver.
func (c *checker) selfSynced(t types.Type) bool {
	n := namedOf(t)
	if n == nil {
		return false
	}
	if pkg := n.Obj().Pkg(); pkg != nil {
		last := path.Base(pkg.Path())
		if pkg.Path() == "sync" || strings.Contains(last, "atomic") || strings.HasSuffix(last, "sync") {
			return true
		}
	}
	return c.atomicTypes[n.Origin().Obj()] || holdsSync(n.Underlying(), 3)
}

// holdsSync reports whether a struct type has a field of a sync or
// sync/atomic type, directly or in struct fields at most depth down.
func holdsSync(t types.Type, depth int) bool {
	st, ok := t.(*types.Struct)
	if !ok || depth < 0 {
		return false
	}
	for i := range st.NumFields() {
		ft := st.Field(i).Type()
		if isSyncType(ft) || holdsSync(ft.Underlying(), depth-1) {
			return true
		}
	}
	return false
}

// findAtomicTypes records the types of the package whose methods call a
// sync/atomic function: type flag struct{ v int32 } with Set storing v
// atomically.
func (c *checker) findAtomicTypes() {
	c.atomicTypes = make(map[*types.TypeName]bool)
	for cur := range c.insp.Root().Preorder((*ast.FuncDecl)(nil)) {
		decl := cur.Node().(*ast.FuncDecl)
		recv := recvVar(c.info, decl)
		if recv == nil {
			continue
		}
		n := namedOf(recv.Type())
		if n == nil || c.atomicTypes[n.Obj()] {
			continue
		}
		for cc := range cur.Preorder((*ast.CallExpr)(nil)) {
			fn := typeutil.StaticCallee(c.info, cc.Node().(*ast.CallExpr))
			if fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "sync/atomic" {
				c.atomicTypes[n.Obj()] = true
				break
			}
		}
	}
}

// published reports whether the unguarded read u is ordered after every
// write of its field by a channel: u runs after receiving from a channel
// field of the receiver (case <-s.done: return s.err), and every write of
// the field is followed in its function by closing that channel, directly
// or by a call of a function of the package that closes it. The close
// happens before the receive, so the read sees the write without the lock.
func (c *checker) published(u accessRec, recs []accessRec) bool {
	if u.write {
		return false
	}
	chans := c.receivedBefore(u)
	if len(chans) == 0 {
		return false
	}
	writes := 0
	for _, r := range recs {
		if !r.write {
			continue
		}
		writes++
		if !c.closesAfter(r, chans) {
			return false
		}
	}
	return writes > 0
}

// receivedBefore returns the channel fields of the receiver that u's
// function receives from before u on every path: the case of a select
// whose body holds u, or a receive statement earlier in a block around u.
func (c *checker) receivedBefore(u accessRec) map[*types.Var]bool {
	chans := make(map[*types.Var]bool)
	cur, ok := c.insp.Root().FindNode(u.ev.node)
	if !ok {
		return nil
	}
	recv := func(s ast.Stmt) {
		if ue, ok := ast.Unparen(astx.StmtExpr(s)).(*ast.UnaryExpr); ok && ue.Op == token.ARROW {
			if f := c.recvField(u.fn, ue.X); f != nil {
				chans[f] = true
			}
		}
	}
	child := cur.Node()
	for e := range cur.Enclosing() {
		switch n := e.Node().(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return chans
		case *ast.CommClause:
			if n.Comm != nil && n.Comm != child {
				recv(n.Comm)
			}
		}
		for _, st := range astx.StmtList(e.Node()) {
			if st.Pos() >= child.Pos() {
				break
			}
			recv(st)
		}
		child = e.Node()
	}
	return chans
}

// recvField returns the field of fn's receiver that e selects, or nil.
func (c *checker) recvField(fn *function, e ast.Expr) *types.Var {
	se, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok || fn.recv == nil {
		return nil
	}
	if x, ok := ast.Unparen(se.X).(*ast.Ident); !ok || c.info.Uses[x] != fn.recv {
		return nil
	}
	if sel := c.info.Selections[se]; sel != nil && sel.Kind() == types.FieldVal {
		return sel.Obj().(*types.Var).Origin()
	}
	return nil
}

// closesAfter reports whether the function of write w closes one of chans
// after w, or calls a function of the package that does.
func (c *checker) closesAfter(w accessRec, chans map[*types.Var]bool) bool {
	closes := func(fn *function, body ast.Node, after token.Pos) bool {
		found := false
		ast.Inspect(body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || found || call.Pos() < after {
				return !found
			}
			if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && len(call.Args) == 1 {
				if b, ok := c.info.Uses[id].(*types.Builtin); ok && b.Name() == "close" {
					found = chans[c.recvField(fn, call.Args[0])]
				}
			}
			return !found
		})
		return found
	}
	if closes(w.fn, w.fn.body, w.ev.pos()) {
		return true
	}
	found := false
	ast.Inspect(w.fn.body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found || call.Pos() < w.ev.pos() {
			return !found
		}
		if callee := typeutil.StaticCallee(c.info, call); callee != nil {
			if decl := c.decls[callee.Origin()]; decl != nil && decl.Body != nil {
				found = closes(&function{decl: decl, body: decl.Body, recv: recvVar(c.info, decl)}, decl.Body, decl.Body.Pos())
			}
		}
		return !found
	})
	return found
}
