package lockcheck

// double-lock, recursive-rlock and lock-order-inversion.

import (
	"go/ast"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
)

// reportDouble reports ev, which takes lock ev.key while h holds it on
// every path.
func (c *checker) reportDouble(fn *function, ev *event, h hold) {
	k := ev.key
	category := "double-lock"
	var why string
	switch {
	case h.read && ev.read:
		category = "recursive-rlock"
		why = "if a writer calls Lock in between, the writer waits for the first RLock and the second RLock for the writer"
	case h.read:
		why = "a read lock cannot be upgraded, so this deadlocks"
	case ev.read:
		why = "RLock waits for the write lock this goroutine holds, so this deadlocks"
	default:
		why = "sync.Mutex is not reentrant, so this deadlocks"
	}
	heldHow := "held"
	if h.read {
		heldHow = "held for reading"
	}
	first := related(h.ev.node, "%s first locked here", k)
	if h.ev.via != nil {
		first = related(h.ev.node, "%s locked here by %s", k, h.ev.via.Name())
	}
	rel := []analysis.RelatedInformation{first}
	what := c.callString(ev)
	if ev.via != nil {
		what = "call of " + c.callString(ev) + ", which locks " + k.String() + ","
		if ev.site != nil {
			rel = append(rel, related(ev.site, "%s locks it here", ev.via.Name()))
		}
	}
	c.report(ev.node, category, rel, "%s while %s is already %s (locked at line %d); %s",
		what, k, heldHow, c.line(h.ev.pos()), why)
}

// A double is a lock taken while held, to report unless another goroutine
// releases it: a mutex used as a semaphore (mu.Lock(); go func() { ...;
// mu.Unlock() }(); mu.Lock()) is locked twice on purpose.
type double struct {
	fn *function
	ev *event
	h  hold
}

func (c *checker) reportDoubles() {
	elsewhere := func(d double) bool {
		for _, f := range c.funcs {
			if f == d.fn || f.events == nil {
				continue
			}
			runsApart := f.role == roleGo || f.role == roleEscapes || d.fn.role == roleGo || d.fn.role == roleEscapes
			if !runsApart {
				continue
			}
			for _, evs := range f.events {
				for _, e := range evs {
					if e.key == d.ev.key && (e.kind == evUnlock || e.kind == evHandoff) {
						return true
					}
				}
			}
		}
		return false
	}
	for _, d := range c.doubles {
		if !d.fn.handoff[d.ev.key] && !elsewhere(d) {
			c.reportDouble(d.fn, d.ev, d.h)
		}
	}
}

// isLocker reports whether ev locks through a sync.Locker interface, whose
// Lock may be a read lock (RWMutex.RLocker) or anything else.
func (c *checker) isLocker(ev *event) bool {
	call, ok := ev.node.(*ast.CallExpr)
	if !ok || ev.via != nil {
		return false
	}
	_, x, _, ok := c.mutexMethod(call)
	if !ok {
		return false
	}
	_, iface := c.info.TypeOf(x).Underlying().(*types.Interface)
	return iface
}

// An orderEdge is one lock taken while another is held.
type orderEdge struct {
	held  hold
	taken *event
	fn    *function
}

// reportOrders reports pairs of locks taken in both orders, once per pair,
// where the two goroutines would block each other. Two mutexes are told
// apart by the field or package variable that holds them (their class), not
// by the value, so the pair may be taken in the two orders anywhere in the
// package.
func (c *checker) reportOrders() {
	type pair struct{ a, b types.Object }
	by := make(map[pair][]orderEdge)
	edges := slices.Clone(c.edges)
	slices.SortStableFunc(edges, func(x, y orderEdge) int { return c.comparePos(x.taken.pos(), y.taken.pos()) })
	for _, e := range edges {
		p := pair{e.held.ev.class, e.taken.class}
		by[p] = append(by[p], e)
	}
	done := make(map[pair]bool)
	for _, e1 := range edges {
		p := pair{e1.held.ev.class, e1.taken.class}
		rev := pair{p.b, p.a}
		if done[p] || done[rev] {
			continue
		}
		for _, e2 := range by[rev] {
			// Each goroutine waits only if its lock conflicts with what the
			// other holds: two readers pass each other.
			if e1.taken.read && e2.held.read || e2.taken.read && e1.held.read {
				continue
			}
			done[p] = true
			a1, b1 := e1.held.ev.key, e1.taken.key
			b2, a2 := e2.held.ev.key, e2.taken.key
			c.report(e1.taken.node, "lock-order-inversion", []analysis.RelatedInformation{
				related(e1.held.ev.node, "%s locked here first", a1),
				related(e2.held.ev.node, "%s locked first here, in %s", b2, e2.fn.name()),
				related(e2.taken.node, "then %s locked here while %s is held", a2, b2),
			}, "%s is locked while %s is held, but %s locks %s before %s (%s); two goroutines taking them in opposite orders deadlock",
				b1, a1, e2.fn.name(), b2, a2, c.where(e2.taken.pos(), e1.taken.pos()))
			break
		}
	}
}
