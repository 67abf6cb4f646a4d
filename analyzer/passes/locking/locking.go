// Package locking defines an Analyzer that reports risk signals around sync
// primitives: mutexes, condition variables, wait groups and sync.Once.
package locking

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report uses of sync primitives as risk signals

The locking analyzer marks calls to sync.Mutex, sync.RWMutex, sync.Locker,
sync.Cond, sync.WaitGroup and sync.Once methods, and the patterns among them
that often hide a deadlock, a leaked lock or a race.

lock-defer-unlock: Lock or RLock released by a deferred Unlock; idiomatic use.

lock-no-defer: Lock released by an explicit Unlock on every path the pass
can see, or not released in this function at all.

lock-early-exit: Lock with no deferred Unlock, and a return, panic, break,
continue or goto between it and the last Unlock that leaves the locked region
without an Unlock before it; the lock stays held on that path.

rlock-then-lock: Lock of an RWMutex after RLock of the same mutex with no
RUnlock between them; read locks cannot be upgraded, so this deadlocks.

lock-held-send: a channel send while a mutex is held; if the receiver needs
the mutex, or never comes, every user of the mutex blocks.

lock-held-callback: a call of a function value (a parameter, a field, a
local variable) while a mutex is held; the callee may block or take the mutex
again.

cond-wait, cond-wait-no-loop: sync.Cond.Wait inside or outside a for loop.
Wait can return before the condition holds, so it belongs in a loop that
rechecks the condition.

wg-wait, wg-go: WaitGroup.Wait and WaitGroup.Go; use.

wg-add-in-goroutine: WaitGroup.Add inside the goroutine whose Done it
balances (not an Add for goroutines it starts after); Wait can run before Add
and return early.

wg-done-no-defer: WaitGroup.Done called without defer in a function that
can return or panic after its Add and before reaching it; Wait then blocks
forever.

once-do: sync.Once.Do; use.

mutex-copy: a value holding a sync lock passed, received or copied by value
(go vet's copylocks reports this too).`

var Analyzer = &analysis.Analyzer{
	Name:     "locking",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/locking",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Signals maps each category this pass reports to its weight (0–10): how
// strongly a signal of that category predicts a bug in the enclosing function.
var Signals = map[string]float64{
	"lock-defer-unlock":   1,
	"lock-no-defer":       2,
	"lock-early-exit":     9,
	"rlock-then-lock":     8,
	"lock-held-send":      5,
	"lock-held-callback":  5,
	"cond-wait":           1,
	"cond-wait-no-loop":   7,
	"wg-wait":             1,
	"wg-go":               1,
	"wg-add-in-goroutine": 6,
	"wg-done-no-defer":    6,
	"once-do":             1,
	"mutex-copy":          2,
}

// An op is a call of a method of a sync type, seen directly in one function.
type op struct {
	typ, method string // "RWMutex", "RLock"; a sync.Locker counts as a Mutex
	key         string // the receiver expression: "c.mu"
	call        *ast.CallExpr
	cur         inspector.Cursor
	deferred    bool // run by a defer statement, directly or in a deferred literal
}

func (o op) name() string { return o.key + "." + o.method + "()" }

func (o op) isLock() bool {
	return o.method == "Lock" && (o.typ == "Mutex" || o.typ == "RWMutex") || o.method == "RLock" && o.typ == "RWMutex"
}

// A region is where the lock taken by a Lock or RLock call may be held: from the call to end.
type region struct {
	lock     op
	unlock   string                   // the method that releases it: "Unlock", "RUnlock"
	isUnlock func(*ast.CallExpr) bool // reports a call of unlock on the same mutex
	end      token.Pos
}

// facts is what checkFunc gathers from one function body, outside nested literals.
type facts struct {
	body                    *ast.BlockStmt
	goroutine               bool // the function is a literal run by a go statement
	ops                     []op // in source order
	exits, sends, callbacks []inspector.Cursor
}

func run(pass *analysis.Pass) (any, error) {
	inspect := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	info := pass.TypesInfo
	r := &reporter{astx.NewReporter(pass)}
	filter := []ast.Node{(*ast.FuncDecl)(nil), (*ast.FuncLit)(nil), (*ast.RangeStmt)(nil), (*ast.AssignStmt)(nil)}
	for cur := range inspect.Root().Preorder(filter...) {
		switch n := cur.Node().(type) {
		case *ast.FuncDecl:
			checkParamCopies(r, n.Recv, "receiver")
			checkParamCopies(r, n.Type.Params, "parameter")
			if n.Body != nil {
				checkFunc(r, cur, n.Body)
			}
		case *ast.FuncLit:
			checkParamCopies(r, n.Type.Params, "parameter")
			checkFunc(r, cur, n.Body)
		case *ast.RangeStmt:
			if n.Value == nil || isBlank(n.Value) {
				break
			}
			if lock := lockIn(info.TypeOf(n.Value)); lock != "" {
				r.Report(n.Value, "mutex-copy", "range copies each element into %s, copying its %s", types.ExprString(n.Value), lock)
			}
		case *ast.AssignStmt:
			for i, rhs := range n.Rhs {
				if len(n.Lhs) != len(n.Rhs) || isBlank(n.Lhs[i]) || !isCopy(rhs) {
					continue
				}
				if lock := lockIn(info.TypeOf(rhs)); lock != "" {
					r.Report(rhs, "mutex-copy", "assignment copies %s and its %s", types.ExprString(rhs), lock)
				}
			}
		}
	}
	return nil, nil
}

func checkFunc(r *reporter, fn inspector.Cursor, body *ast.BlockStmt) {
	info := r.Pass.TypesInfo
	f := &facts{body: body}
	if call, ok := fn.Parent().Node().(*ast.CallExpr); ok && ast.Unparen(call.Fun) == fn.Node() {
		_, f.goroutine = fn.Parent().Parent().Node().(*ast.GoStmt)
	}
	astx.InspectDirect(fn, func(c inspector.Cursor) {
		switch n := c.Node().(type) {
		case *ast.CallExpr:
			if o, ok := syncCall(info, n); ok {
				_, o.deferred = c.Parent().Node().(*ast.DeferStmt)
				o.cur = c
				f.ops = append(f.ops, o)
				checkUse(r, o)
			} else if isCallback(info, n) && !isDeferOrGo(c.Parent()) {
				f.callbacks = append(f.callbacks, c)
			} else if builtin(info, n) == "panic" {
				f.exits = append(f.exits, c)
			}
		case *ast.DeferStmt: // defer func() { mu.Unlock() }()
			if lit, ok := ast.Unparen(n.Call.Fun).(*ast.FuncLit); ok {
				litCur, _ := c.FindNode(lit)
				astx.InspectDirect(litCur, func(c inspector.Cursor) {
					if call, ok := c.Node().(*ast.CallExpr); ok {
						if o, ok := syncCall(info, call); ok {
							o.cur, o.deferred = c, true
							f.ops = append(f.ops, o)
						}
					}
				})
			}
		case *ast.ReturnStmt:
			f.exits = append(f.exits, c)
		case *ast.BranchStmt:
			if n.Tok != token.FALLTHROUGH {
				f.exits = append(f.exits, c)
			}
		case *ast.SendStmt:
			if !inSelectWithDefault(c) {
				f.sends = append(f.sends, c)
			}
		}
	})
	var regions []region
	for _, o := range f.ops {
		if o.isLock() && !o.deferred {
			regions = append(regions, checkLock(r, f, o))
		}
	}
	checkHeld(r, f, regions)
	checkRLockThenLock(r, f)
	checkWaitGroup(r, f)
}

// checkUse reports the plain uses, and Cond.Wait outside a loop.
func checkUse(r *reporter, o op) {
	switch o.typ + "." + o.method {
	case "Cond.Wait":
		if _, ok := enclosingLoop(o.cur); ok {
			r.Report(o.call, "cond-wait", "%s in a loop", o.name())
		} else {
			r.Report(o.call, "cond-wait-no-loop", "%s not in a for loop; the condition may not hold when Wait returns", o.name())
		}
	case "WaitGroup.Wait":
		r.Report(o.call, "wg-wait", "%s waits for goroutines", o.name())
	case "WaitGroup.Go":
		r.Report(o.call, "wg-go", "%s starts a goroutine", o.key+".Go")
	case "Once.Do":
		r.Report(o.call, "once-do", "%s runs a function once", o.key+".Do")
	}
}

// checkLock reports how lock is released and returns the region where it may be held.
func checkLock(r *reporter, f *facts, lock op) region {
	reg := region{lock: lock, unlock: "Unlock", end: f.body.End()}
	if lock.method == "RLock" {
		reg.unlock = "RUnlock"
	}
	reg.isUnlock = func(call *ast.CallExpr) bool {
		o, ok := syncCall(r.Pass.TypesInfo, call)
		return ok && o.key == lock.key && o.method == reg.unlock
	}
	next := f.body.End() // the next Lock of the same mutex starts a new region
	for _, o := range f.ops {
		if o.key == lock.key && o.isLock() && !o.deferred && o.call.Pos() > lock.call.Pos() {
			next = o.call.Pos()
			break
		}
	}
	var last *ast.CallExpr
	for _, o := range f.ops {
		if o.key != lock.key || o.method != reg.unlock || o.call.Pos() < lock.call.Pos() || o.call.Pos() > next {
			continue
		}
		if o.deferred {
			r.Report(lock.call, "lock-defer-unlock", "%s released by deferred %s", lock.name(), reg.unlock)
			return reg
		}
		last = o.call
	}
	if last == nil {
		r.Report(lock.call, "lock-no-defer", "%s is not released in this function", lock.name())
		return reg
	}
	// An Unlock in the Lock's own statement list ends the region on every
	// path that gets there; otherwise the last Unlock does.
	if stmt := lock.cur.Parent(); isExprStmt(stmt) {
		for s, ok := stmt.NextSibling(); ok; s, ok = s.NextSibling() {
			if call := stmtCall(s.Node()); call != nil && call.Pos() < next && reg.isUnlock(call) {
				last = call
				break
			}
		}
	}
	reg.end = last.Pos()
	for _, e := range f.exits {
		pos := e.Node().Pos()
		if lock.call.End() < pos && pos < reg.end && leavesRegion(e, lock) && !released(e, reg) && !apart(e, lock.cur) {
			r.Report(lock.call, "lock-early-exit", "%s not released by defer; %s at line %d while it may be held",
				lock.name(), exitVerb(e), r.Line(pos))
			return reg
		}
	}
	r.Report(lock.call, "lock-no-defer", "%s released by %s at line %d without defer", lock.name(), reg.unlock, r.Line(last.Pos()))
	return reg
}

// checkHeld reports sends and callback calls made while a lock may be held.
func checkHeld(r *reporter, f *facts, regions []region) {
	for _, c := range f.sends {
		if reg, ok := heldAt(c, regions); ok {
			r.Report(c.Node(), "lock-held-send", "send on %s while %s is held (locked at line %d)",
				types.ExprString(c.Node().(*ast.SendStmt).Chan), reg.lock.key, r.Line(reg.lock.call.Pos()))
		}
	}
	for _, c := range f.callbacks {
		if reg, ok := heldAt(c, regions); ok {
			r.Report(c.Node(), "lock-held-callback", "call of function value %s while %s is held (locked at line %d)",
				types.ExprString(c.Node().(*ast.CallExpr).Fun), reg.lock.key, r.Line(reg.lock.call.Pos()))
		}
	}
}

func checkRLockThenLock(r *reporter, f *facts) {
	for i, rl := range f.ops {
		if rl.method != "RLock" || rl.deferred {
			continue
		}
		for _, o := range f.ops[i+1:] {
			if o.key != rl.key || o.deferred {
				continue
			}
			if o.method == "RUnlock" {
				break
			}
			if o.method == "Lock" {
				r.Report(o.call, "rlock-then-lock", "%s while %s from line %d may still be held; an RWMutex cannot be upgraded, so this deadlocks",
					o.name(), rl.name(), r.Line(rl.call.Pos()))
				break
			}
		}
	}
}

func checkWaitGroup(r *reporter, f *facts) {
	has := func(key string, deferred bool) bool {
		for _, o := range f.ops {
			if o.typ == "WaitGroup" && o.method == "Done" && o.key == key && (o.deferred || !deferred) {
				return true
			}
		}
		return false
	}
	reported := make(map[string]bool)
	for _, o := range f.ops {
		if o.typ != "WaitGroup" || o.deferred {
			continue
		}
		if o.method == "Add" && f.goroutine && has(o.key, false) && !goAfter(f, o.call.Pos()) {
			r.Report(o.call, "wg-add-in-goroutine", "%s inside the goroutine it counts; %s.Wait can run before it and return early", o.key+".Add", o.key)
		}
		if o.method != "Done" || reported[o.key] || has(o.key, true) {
			continue
		}
		isDone := func(call *ast.CallExpr) bool {
			d, ok := syncCall(r.Pass.TypesInfo, call)
			return ok && d.typ == "WaitGroup" && d.method == "Done" && d.key == o.key
		}
		from := f.body.Lbrace // exits before the Add that Done balances need no Done
		for _, a := range f.ops {
			if a.typ == "WaitGroup" && a.method == "Add" && a.key == o.key && a.call.Pos() < o.call.Pos() {
				from = a.call.Pos()
			}
		}
		for _, e := range f.exits {
			pos := e.Node().Pos()
			if _, branch := e.Node().(*ast.BranchStmt); !branch && from < pos && pos < o.call.Pos() &&
				!releasedBy(e, from, isDone) && !apart(e, o.cur) {
				r.Report(o.call, "wg-done-no-defer", "%s not deferred; %s at line %d without calling it, and %s.Wait blocks forever",
					o.name(), exitVerb(e), r.Line(e.Node().Pos()), o.key)
				reported[o.key] = true
				break
			}
		}
	}
}

// checkParamCopies reports parameters or a receiver that hold a lock by value.
func checkParamCopies(r *reporter, fields *ast.FieldList, what string) {
	if fields == nil {
		return
	}
	for _, field := range fields.List {
		lock := lockIn(r.Pass.TypesInfo.TypeOf(field.Type))
		if lock == "" {
			continue
		}
		for _, name := range field.Names {
			r.Report(name, "mutex-copy", "%s %s is passed by value, copying its %s", what, name.Name, lock)
		}
		if len(field.Names) == 0 {
			r.Report(field, "mutex-copy", "%s of type %s is passed by value, copying its %s", what, types.ExprString(field.Type), lock)
		}
	}
}

// heldAt returns a region in which the node at c may run with the lock held.
func heldAt(c inspector.Cursor, regions []region) (region, bool) {
	pos := c.Node().Pos()
	for _, reg := range regions {
		if reg.lock.call.End() <= pos && pos < reg.end && !released(c, reg) {
			return reg, true
		}
	}
	return region{}, false
}
