package lockcheck

// Events: what a function body does to locks, block by block, in order.

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

type evKind int

const (
	evLock      evKind = iota // Lock or RLock, directly or by a helper that returns with it held
	evUnlock                  // Unlock or RUnlock, directly or by a helper
	evDefer                   // a deferred Unlock or RUnlock: releases at return
	evHandoff                 // the unlock is handed to someone else: s.mu.Unlock as a value, a returned closure
	evTransient               // a call of a helper that locks and releases the lock itself
	evReturn                  // a return statement
	evBranch                  // break, continue or goto
	evAccess                  // a field of the receiver read or written
	evCall                    // a call of a method of the package, for the guarded-by inference
	evLit                     // a function literal called in place: its entry state is recorded
	evCustom                  // a lock of the program's own taken (read false) or released (read true)
)

// An event is one thing a function does, at a point of its graph.
type event struct {
	kind  evKind
	read  bool // RLock, RUnlock; a read access
	key   lockKey
	class types.Object // lock events: the mutex field or package variable
	node  ast.Node     // the call, statement or selector
	via   *types.Func  // lock events through a helper: the helper
	site  ast.Node     // lock events through a helper: the helper's own lock or unlock call
	cond  bool         // helper lock events: the helper locks only on some paths
	field *types.Var   // evAccess: the field
	lit   *ast.FuncLit // evLit: the literal
}

func (e *event) pos() token.Pos { return e.node.Pos() }

// A function is a body analysed on its own: a declaration's, or a literal's.
type function struct {
	decl   *ast.FuncDecl // the declaration it is, or lies in
	lit    *ast.FuncLit  // nil for the declaration's own body
	body   *ast.BlockStmt
	role   litRole
	recv   *types.Var // the receiver of decl, if a method
	g      *cfgraph
	events [][]event // per block of g
	// assigned lists the keys of variables and fields assigned in the body:
	// a lock reached through one of them may be another lock after it.
	assigned []lockKey
	// createdLocked: a literal that runs later, made while a lock was held;
	// what it runs under is not known.
	createdLocked bool
	handoff       map[lockKey]bool // keys whose unlock the body hands elsewhere
	deferred      map[lockKey]bool // keys the body unlocks by defer
	funcVars      map[types.Object]*summary
	fresh         map[types.Object]bool // locals made here: x := &T{}, new(T), newT()
}

// litRole is how a function literal runs relative to the code around it.
type litRole int

const (
	roleDecl     litRole = iota // a declaration's body
	roleInPlace                 // called where it is written: func() { ... }()
	roleGo                      // run by a go statement
	roleDeferred                // run by a defer statement
	roleEscapes                 // stored, passed or returned: runs later or elsewhere
)

func (fn *function) name() string {
	if fn.lit != nil {
		return "a function literal in " + funcName(fn.decl)
	}
	return funcName(fn.decl)
}

// build makes the graph and the events of fn.
func (c *checker) build(fn *function) {
	fn.g = newCFG(fn.body, c.mayReturn)
	fn.events = make([][]event, len(fn.g.Blocks))
	fn.handoff = make(map[lockKey]bool)
	fn.deferred = make(map[lockKey]bool)
	fn.funcVars = make(map[types.Object]*summary)
	c.findAssigned(fn)
	c.findFresh(fn)
	for _, b := range fn.g.Blocks {
		if !b.Live {
			continue
		}
		var evs []event
		for _, n := range b.Nodes {
			c.walk(fn, n, &evs)
		}
		fn.events[b.Index] = evs
	}
}

// walk appends the events of node n, in the order they happen.
func (c *checker) walk(fn *function, n ast.Node, out *[]event) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			c.escaping(fn, n, out)
			return false
		case *ast.GoStmt:
			// The arguments are evaluated here, the call runs elsewhere; a
			// goroutine that unlocks takes the unlock over.
			if lit, ok := ast.Unparen(n.Call.Fun).(*ast.FuncLit); ok {
				for _, e := range c.litSummary(lit).effects {
					if e.kind == effRelease {
						fn.handoff[e.key] = true
						*out = append(*out, event{kind: evHandoff, key: e.key, node: lit})
					}
				}
			} else if callee := typeutil.StaticCallee(c.info, n.Call); callee != nil && c.decls[callee.Origin()] != nil {
				// go w.finish(done), where finish unlocks w.mu: the same.
				if s := c.summaryOf(callee.Origin()); s != nil {
					b := c.bind(n.Call, callee.Origin())
					for _, e := range s.effects {
						if k, ok := bindKey(e.key, b); ok && e.kind == effRelease {
							fn.handoff[k] = true
							*out = append(*out, event{kind: evHandoff, key: k, node: n.Call})
						}
					}
				}
			}
			c.walkCallee(fn, n.Call.Fun, out)
			for _, a := range n.Call.Args {
				c.walk(fn, a, out)
			}
			return false
		case *ast.DeferStmt:
			c.deferStmt(fn, n, out)
			return false
		case *ast.AssignStmt:
			// unlock := func() { mu.Unlock() }: a call of unlock unlocks.
			if len(n.Lhs) == len(n.Rhs) {
				for i, rhs := range n.Rhs {
					lit, ok := ast.Unparen(rhs).(*ast.FuncLit)
					id, isID := ast.Unparen(n.Lhs[i]).(*ast.Ident)
					if ok && isID && c.info.ObjectOf(id) != nil {
						if _, isVar := c.info.ObjectOf(id).(*types.Var); isVar {
							fn.funcVars[c.info.ObjectOf(id)] = c.litSummary(lit)
							c.walk(fn, n.Lhs[i], out)
							continue
						}
					}
					c.walk(fn, n.Lhs[i], out)
					c.walk(fn, rhs, out)
				}
				return false
			}
		case *ast.CallExpr:
			c.call(fn, n, out)
			return false
		case *ast.SelectorExpr:
			c.selector(fn, n, out)
		case *ast.ReturnStmt:
			for _, r := range n.Results {
				c.walk(fn, r, out)
			}
			*out = append(*out, event{kind: evReturn, node: n})
			return false
		case *ast.BranchStmt:
			*out = append(*out, event{kind: evBranch, node: n})
		}
		return true
	})
}

// walkCallee walks the operands of a called function expression, without
// counting the selected method as a method value.
func (c *checker) walkCallee(fn *function, fun ast.Expr, out *[]event) {
	switch f := ast.Unparen(fun).(type) {
	case *ast.SelectorExpr:
		if sel := c.info.Selections[f]; sel != nil && sel.Kind() != types.FieldVal {
			c.walk(fn, f.X, out)
			return
		}
		c.walk(fn, f, out)
	case *ast.FuncLit, *ast.Ident:
	default:
		c.walk(fn, f, out)
	}
}

// call appends the events of a call: its operands first, then its effect.
func (c *checker) call(fn *function, call *ast.CallExpr, out *[]event) {
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
		for _, a := range call.Args {
			c.walk(fn, a, out)
		}
		// Its own locks are checked when it is analysed with the state
		// recorded here; its net effect on the caller's locks applies here.
		*out = append(*out, event{kind: evLit, node: call, lit: lit})
		c.apply(fn, c.litSummary(lit), nil, call, false, out)
		return
	}
	c.walkCallee(fn, call.Fun, out)
	for _, a := range call.Args {
		c.walk(fn, a, out)
	}
	c.effect(fn, call, false, out)
}

// effect appends what a call does to locks, or would do at the function's
// end if deferred.
func (c *checker) effect(fn *function, call *ast.CallExpr, deferred bool, out *[]event) {
	if op, ok := c.lockCall(call); ok {
		ev := event{key: op.key, class: op.class, node: call, read: op.read()}
		switch {
		case deferred && !op.acquires():
			ev.kind = evDefer
			fn.deferred[op.key] = true
		case deferred:
			return
		case op.acquires():
			ev.kind = evLock
		default:
			ev.kind = evUnlock
		}
		*out = append(*out, ev)
		return
	}
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if s := fn.funcVars[c.info.ObjectOf(id)]; s != nil {
			c.apply(fn, s, nil, call, deferred, out)
			return
		}
	}
	if !deferred {
		c.customLock(call, out)
	}
	callee := typeutil.StaticCallee(c.info, call)
	if callee == nil {
		return
	}
	callee = callee.Origin()
	if fn.lit == nil && callee == c.funcOf(fn.decl) {
		return // recursion
	}
	// The call is recorded with the locks held when it starts: a callee that
	// releases its caller's lock (updateAndUnlock) runs with it held.
	if !deferred && c.decls[callee] != nil {
		ev := event{kind: evCall, node: call, via: callee}
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			ev.key = c.keyOf(sel.X)
		}
		*out = append(*out, ev)
	}
	if s := c.summaryOf(callee); s != nil {
		c.apply(fn, s, c.bind(call, callee), call, deferred, out)
	}
}

// customLock appends an evCustom event for a call of a lock of the
// program's own (s.gate.lock(), s.acquire()): what it guards is not known,
// so the guarded-by inference treats the code after it as maybe locked.
func (c *checker) customLock(call *ast.CallExpr, out *[]event) {
	se, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return
	}
	fn, _ := typeutil.Callee(c.info, call).(*types.Func)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() == "sync" || fn.Signature().Recv() == nil {
		return
	}
	name := strings.ToLower(fn.Name())
	unlock := strings.Contains(name, "unlock") || strings.Contains(name, "release")
	if !unlock && !strings.Contains(name, "lock") && !strings.Contains(name, "acquire") {
		return
	}
	k := c.keyOf(se.X)
	if !k.valid() {
		return
	}
	*out = append(*out, event{kind: evCustom, key: lockKey{k.root, k.path + "~L"}, node: call, read: unlock})
}

// apply appends the effects of summary s at call, its keys bound by b
// (nil: the summary's keys are the caller's own, as for literals).
func (c *checker) apply(fn *function, s *summary, b map[types.Object]lockKey, call *ast.CallExpr, deferred bool, out *[]event) {
	for _, e := range s.effects {
		key := e.key
		if b != nil {
			k, ok := bindKey(key, b)
			if !ok {
				continue
			}
			key = k
		}
		ev := event{key: key, class: e.class, read: e.read, node: call, via: s.fn, site: e.site, cond: e.cond}
		switch {
		case deferred && e.kind == effRelease:
			ev.kind = evDefer
			fn.deferred[key] = true
		case deferred:
			continue
		case e.kind == effAcquire:
			ev.kind = evLock
		case e.kind == effRelease:
			ev.kind = evUnlock
		case e.kind == effTransient:
			if s.fn == nil {
				continue // a literal called in place is analysed with the caller's state
			}
			ev.kind = evTransient
		}
		*out = append(*out, ev)
	}
}

// deferStmt appends the events of a defer statement: its operands now,
// its releases at the function's end.
func (c *checker) deferStmt(fn *function, d *ast.DeferStmt, out *[]event) {
	if lit, ok := ast.Unparen(d.Call.Fun).(*ast.FuncLit); ok {
		for _, a := range d.Call.Args {
			c.walk(fn, a, out)
		}
		c.apply(fn, c.litSummary(lit), nil, d.Call, true, out)
		return
	}
	c.walkCallee(fn, d.Call.Fun, out)
	for _, a := range d.Call.Args {
		c.walk(fn, a, out)
	}
	c.effect(fn, d.Call, true, out)
}

// escaping handles a literal that is neither called in place nor
// deferred: if it unlocks, the unlock is handed elsewhere.
func (c *checker) escaping(fn *function, lit *ast.FuncLit, out *[]event) {
	*out = append(*out, event{kind: evLit, node: lit, lit: lit})
	for _, e := range c.litSummary(lit).effects {
		if e.kind == effRelease {
			fn.handoff[e.key] = true
			*out = append(*out, event{kind: evHandoff, key: e.key, node: lit})
		}
	}
}

// selector appends a field access of the receiver, or a handoff for an
// unlock method used as a value (return s.mu.Unlock, t.Cleanup(s.unlock)).
func (c *checker) selector(fn *function, se *ast.SelectorExpr, out *[]event) {
	sel := c.info.Selections[se]
	if sel == nil {
		return
	}
	if sel.Kind() == types.MethodVal {
		m, _ := sel.Obj().(*types.Func)
		if m == nil {
			return
		}
		switch {
		case m.Pkg() != nil && m.Pkg().Path() == "sync" && (m.Name() == "Unlock" || m.Name() == "RUnlock"):
			if k := c.keyOf(se.X); k.valid() {
				if len(sel.Index()) > 1 {
					k = k.extend(fieldPath(sel.Recv(), sel.Index()[:len(sel.Index())-1]))
				}
				fn.handoff[k] = true
				*out = append(*out, event{kind: evHandoff, key: k, node: se})
			}
		case c.decls[m.Origin()] != nil:
			if s := c.summaryOf(m.Origin()); s != nil {
				b := map[types.Object]lockKey{}
				if recv := recvVar(c.info, c.decls[m.Origin()]); recv != nil {
					b[recv] = c.keyOf(se.X)
				}
				for _, e := range s.effects {
					if k, ok := bindKey(e.key, b); ok && e.kind == effRelease {
						fn.handoff[k] = true
						*out = append(*out, event{kind: evHandoff, key: k, node: se})
					}
				}
			}
		}
		return
	}
	if sel.Kind() != types.FieldVal || fn.decl == nil {
		return
	}
	x, ok := ast.Unparen(se.X).(*ast.Ident)
	if !ok || fn.recv == nil || c.info.Uses[x] != fn.recv || len(sel.Index()) != 1 {
		return
	}
	if a, ok := c.accesses[se]; ok {
		*out = append(*out, event{kind: evAccess, node: se, field: sel.Obj().(*types.Var).Origin(), read: !a.write})
	}
}

// mayReturn reports whether a call in an expression statement may return:
// panic, os.Exit, log.Fatal, t.Fatal and functions of this package that
// never return end their path.
func (c *checker) mayReturn(call *ast.CallExpr) bool {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := c.info.Uses[id].(*types.Builtin); ok && b.Name() == "panic" {
			return false
		}
	}
	if fn := typeutil.StaticCallee(c.info, call); fn != nil && c.cfgs != nil && c.cfgs.NoReturn(fn) {
		return false
	}
	fn, _ := typeutil.Callee(c.info, call).(*types.Func)
	if fn == nil || fn.Pkg() == nil {
		return true
	}
	name := fn.Name()
	switch fn.Pkg().Path() {
	case "os", "syscall":
		return name != "Exit"
	case "runtime":
		return name != "Goexit"
	case "log", "log/slog":
		return !strings.HasPrefix(name, "Fatal") && !strings.HasPrefix(name, "Panic")
	case "testing":
		switch name {
		case "Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow":
			return false
		}
	}
	return true
}

// funcName names a declaration as a stack trace would: "(*Cache).Get".
func funcName(decl *ast.FuncDecl) string {
	if decl.Recv == nil || len(decl.Recv.List) == 0 {
		return decl.Name.Name
	}
	t := decl.Recv.List[0].Type
	star, ok := t.(*ast.StarExpr)
	if ok {
		t = star.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	if ok {
		return "(*" + types.ExprString(t) + ")." + decl.Name.Name
	}
	return types.ExprString(t) + "." + decl.Name.Name
}

func recvVar(info *types.Info, decl *ast.FuncDecl) *types.Var {
	if decl == nil || decl.Recv == nil || len(decl.Recv.List) == 0 || len(decl.Recv.List[0].Names) == 0 {
		return nil
	}
	v, _ := info.Defs[decl.Recv.List[0].Names[0]].(*types.Var)
	return v
}
