package lockcheck

// Summaries: what a helper does to its caller's locks, one level deep.

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"
)

type effKind int

const (
	effAcquire   effKind = iota // returns with the lock held: func (s *S) lock() { s.mu.Lock() }
	effRelease                  // releases a lock its caller holds: func (s *S) unlock() { s.mu.Unlock() }
	effTransient                // locks and releases it: func (s *S) Len() int { s.mu.Lock(); defer s.mu.Unlock(); ... }
)

// An effect is what a function does to one lock, as seen by its caller.
type effect struct {
	kind  effKind
	key   lockKey // rooted at the function's receiver, a parameter or a package variable
	class types.Object
	read  bool
	site  ast.Node // the lock or unlock call
	cond  bool     // acquire: only on some paths
}

// A summary lists the effects of a function or literal on its caller's locks.
type summary struct {
	fn      *types.Func // nil for a literal
	effects []effect
}

// summaryOf returns the summary of a function declared in this package, or
// nil. Only its own lock calls count: a helper of a helper is not followed.
func (c *checker) summaryOf(fn *types.Func) *summary {
	if s, ok := c.sums[fn]; ok {
		return s
	}
	c.sums[fn] = nil // breaks cycles
	decl := c.decls[fn]
	if decl == nil || decl.Body == nil {
		return nil
	}
	outside := func(root types.Object) bool {
		if v, ok := root.(*types.Var); ok && v.Pkg() != nil && v.Parent() == v.Pkg().Scope() {
			return true // a package variable
		}
		return c.params[root] == decl
	}
	s := c.bodySummary(decl.Body, outside)
	if s == nil {
		return nil
	}
	s.fn = fn
	c.sums[fn] = s
	return s
}

// litSummary returns the effects of a literal on the locks of the code
// around it.
func (c *checker) litSummary(lit *ast.FuncLit) *summary {
	if s, ok := c.litSums[lit]; ok {
		return s
	}
	outside := func(root types.Object) bool {
		return root.Pos() < lit.Pos() || root.Pos() >= lit.End()
	}
	s := c.bodySummary(lit.Body, outside)
	if s == nil {
		s = &summary{}
	}
	c.litSums[lit] = s
	return s
}

// bodySummary summarises the lock calls of body whose lock is visible to
// the caller (outside accepts its root).
func (c *checker) bodySummary(body *ast.BlockStmt, outside func(types.Object) bool) *summary {
	type op struct {
		lockOp
		call     *ast.CallExpr
		deferred bool
		top      bool // an expression statement of the body itself
	}
	var ops []op
	top := make(map[ast.Node]bool)
	for _, s := range body.List {
		if es, ok := s.(*ast.ExprStmt); ok {
			top[ast.Unparen(es.X)] = true
		}
	}
	var visit func(n ast.Node, deferred bool)
	visit = func(n ast.Node, deferred bool) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit, *ast.GoStmt:
				return false
			case *ast.DeferStmt:
				if lit, ok := ast.Unparen(n.Call.Fun).(*ast.FuncLit); ok {
					visit(lit.Body, true)
					return false
				}
				if o, ok := c.lockCall(n.Call); ok {
					ops = append(ops, op{o, n.Call, true, false})
				}
				return false
			case *ast.CallExpr:
				if o, ok := c.lockCall(n); ok {
					ops = append(ops, op{o, n, deferred, !deferred && top[n]})
				}
			}
			return true
		})
	}
	visit(body, false)

	var s summary
	done := make(map[lockKey]bool)
	for _, first := range ops {
		k := first.key
		if done[k] || !outside(k.root) || k.indexed() {
			continue
		}
		done[k] = true
		var locks, unlocks []op
		for _, o := range ops {
			if o.key != k {
				continue
			}
			if o.acquires() && !o.deferred {
				locks = append(locks, o)
			} else if !o.acquires() {
				unlocks = append(unlocks, o)
			}
		}
		switch {
		case len(locks) == 0 && len(unlocks) > 0:
			u := unlocks[0]
			s.effects = append(s.effects, effect{kind: effRelease, key: k, class: u.class, read: u.read(), site: u.call})
		case len(locks) > 0 && len(unlocks) == 0:
			l := locks[0]
			s.effects = append(s.effects, effect{kind: effAcquire, key: k, class: l.class, read: l.read(), site: l.call, cond: !l.top || len(locks) > 1})
		case first.acquires() && first.top:
			// Locked first, unconditionally, and released: a deadlock if the
			// caller holds it.
			s.effects = append(s.effects, effect{kind: effTransient, key: k, class: first.class, read: first.read(), site: first.call})
		}
	}
	// A helper that, unconditionally, calls another that locks and releases
	// a lock, locks and releases it too: t.removeLease(l) calling
	// t.cache.remove(l), which begins with c.mu.Lock().
	for _, st := range body.List {
		call := stmtCall(st)
		if call == nil {
			continue
		}
		if _, ok := c.lockCall(call); ok {
			continue
		}
		callee := typeutil.StaticCallee(c.info, call)
		if callee == nil || c.decls[callee.Origin()] == nil {
			continue
		}
		sub := c.summaryOf(callee.Origin())
		if sub == nil {
			continue
		}
		b := c.bind(call, callee.Origin())
		for _, e := range sub.effects {
			if e.kind != effTransient {
				continue
			}
			k, ok := bindKey(e.key, b)
			if !ok || done[k] || !outside(k.root) || k.indexed() {
				continue
			}
			done[k] = true
			s.effects = append(s.effects, effect{kind: effTransient, key: k, class: e.class, read: e.read, site: e.site})
		}
	}
	if len(s.effects) == 0 {
		return nil
	}
	return &s
}

func stmtCall(n ast.Stmt) *ast.CallExpr {
	if es, ok := n.(*ast.ExprStmt); ok {
		call, _ := ast.Unparen(es.X).(*ast.CallExpr)
		return call
	}
	return nil
}

// bind maps the receiver and parameters of callee to the keys of the
// call's receiver and arguments.
func (c *checker) bind(call *ast.CallExpr, callee *types.Func) map[types.Object]lockKey {
	decl := c.decls[callee]
	b := make(map[types.Object]lockKey)
	args := call.Args
	if se, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		if sel := c.info.Selections[se]; sel != nil {
			switch sel.Kind() {
			case types.MethodVal:
				if recv := recvVar(c.info, decl); recv != nil {
					if k := c.keyOf(se.X); k.valid() {
						if len(sel.Index()) > 1 { // promoted through embedded fields
							k = k.extend(fieldPath(sel.Recv(), sel.Index()[:len(sel.Index())-1]))
						}
						b[recv] = k
					}
				}
			case types.MethodExpr:
				if recv := recvVar(c.info, decl); recv != nil && len(args) > 0 {
					if k := c.keyOf(args[0]); k.valid() {
						b[recv] = k
					}
					args = args[1:]
				}
			}
		}
	}
	var params []*types.Var
	for _, f := range decl.Type.Params.List {
		for _, name := range f.Names {
			v, _ := c.info.Defs[name].(*types.Var)
			params = append(params, v)
		}
	}
	if call.Ellipsis.IsValid() || len(params) != len(args) {
		return b
	}
	for i, p := range params {
		if p == nil {
			continue
		}
		if k := c.keyOf(args[i]); k.valid() {
			b[p] = k
		}
	}
	return b
}

// bindKey rewrites a key of a callee into the caller's terms.
func bindKey(k lockKey, b map[types.Object]lockKey) (lockKey, bool) {
	if v, ok := k.root.(*types.Var); ok && v.Pkg() != nil && v.Parent() == v.Pkg().Scope() {
		return k, true
	}
	to, ok := b[k.root]
	if !ok {
		return lockKey{}, false
	}
	return to.extend(k.path), true
}
