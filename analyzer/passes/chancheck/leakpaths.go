package chancheck

// This file holds what the searches of goroutine-leak-channel take into
// account: flags set beside a partner, loop heads, select cases that never
// proceed, channels that signal the end, and how a path leaves the
// function or a loop.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"github.com/secondlook/secondlook/analyzer/passes/internal/flow"
)

// partnerFlags returns the local variables of body that record whether a
// partner ran: every assignment to one, past its declaration, lies in a
// branch that also runs a partner (closed = true beside close(ch)). A path
// that tests such a flag is correlated with the partner in a way the
// search does not follow (the branch that skips the close is the one that
// left the flag unset), so searches stop there rather than report a path
// that cannot run.
func partnerFlags(info *types.Info, body *ast.BlockStmt, partners []*op) map[types.Object]bool {
	flags := make(map[types.Object]bool)
	bad := make(map[types.Object]bool)
	// Each assignment is seen once, from the innermost branch around it.
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
			ast.Inspect(n, func(m ast.Node) bool {
				if m == n {
					return true
				}
				if as, ok := m.(*ast.AssignStmt); ok {
					partnerAssign(info, as, n, body, partners, flags, bad)
				}
				switch m.(type) {
				case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
					return false // visited as a branch of its own
				}
				return true
			})
		}
		return true
	})
	for v := range bad {
		delete(flags, v)
	}
	return flags
}

// partnerAssign records what assignment as, directly in branch, says of
// the variables it assigns: a flag when the branch runs a partner, not one
// otherwise.
func partnerAssign(info *types.Info, as *ast.AssignStmt, branch ast.Node, body *ast.BlockStmt, partners []*op, flags, bad map[types.Object]bool) {
	withPartner := slices.ContainsFunc(partners, func(p *op) bool { return astx.Contains(branch, p.node) })
	for _, lhs := range as.Lhs {
		id, ok := ast.Unparen(lhs).(*ast.Ident)
		if !ok {
			continue
		}
		if info.Defs[id] != nil {
			continue // its declaration
		}
		v, ok := info.Uses[id].(*types.Var)
		if !ok || v.Pos() < body.Pos() || v.Pos() >= body.End() {
			continue // not a local of the function
		}
		if withPartner && branch != body {
			flags[v] = true
		} else {
			bad[v] = true
		}
	}
}

// testsFlag reports whether atom a is a condition that reads one of flags.
func testsFlag(info *types.Info, a ast.Node, flags map[types.Object]bool) bool {
	e, ok := a.(ast.Expr)
	if !ok || len(flags) == 0 {
		return false
	}
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && flags[info.Uses[id]] {
			found = true
		}
		return !found
	})
	return found
}

// loopHeads returns the heads of the loops around ops that do not start
// one of starts: the condition of a for loop, or a range statement. A path
// that skips such a loop has run it zero times, which its condition rules
// out as often as not.
func loopHeads(ops []*op, starts []*start) map[ast.Node]bool {
	heads := make(map[ast.Node]bool)
	for _, p := range ops {
		loop := p.loop
		if p.kind == opRange {
			loop = p.node
		}
		if loop == nil || slices.ContainsFunc(starts, func(s *start) bool { return astx.Contains(loop, s.stmt) }) {
			continue
		}
		switch l := loop.(type) {
		case *ast.ForStmt:
			if l.Cond != nil {
				heads[l.Cond] = true
			}
		case *ast.RangeStmt:
			heads[l] = true
		}
	}
	return heads
}

// deadComm reports whether atom a is the communication of a select case
// that never proceeds: a send on a local unbuffered channel nothing
// receives from.
func deadComm(f *fn, a ast.Node) bool {
	send, ok := a.(*ast.SendStmt)
	if !ok {
		return false
	}
	for _, l := range f.chans {
		if !l.capOK || l.cap != 0 {
			continue
		}
		mine, recv := false, false
		for _, o := range l.ops {
			mine = mine || o.node == send
			recv = recv || o.kind == opRecv || o.kind == opRange
		}
		if mine {
			return !recv
		}
	}
	return false
}

// makesIn reports whether a make of l lies within loop: each turn then has
// its own channel.
func makesIn(l *local, loop ast.Node) bool {
	return slices.ContainsFunc(l.makes, func(mk *ast.CallExpr) bool { return astx.Contains(loop, mk) })
}

// atomHas returns a function that counts the ops an atom runs.
func atomHas(g *flow.Graph, ops []*op) func(ast.Node) int {
	atoms := make(map[ast.Node]int)
	for _, o := range ops {
		if a, ok := g.AtomOf(o.node); ok {
			atoms[a]++
		}
	}
	return func(a ast.Node) int { return atoms[a] }
}

// signalChans returns the channels other than l that the goroutines send
// on or close: a receive from one of them may tell the function that the
// goroutines are done with l.
func signalChans(info *types.Info, starts []*start, l types.Object) map[types.Object]bool {
	chans := make(map[types.Object]bool)
	add := func(e ast.Expr) {
		if id, ok := ast.Unparen(e).(*ast.Ident); ok {
			if obj := info.Uses[id]; obj != nil && obj != l {
				chans[obj] = true
			}
		}
	}
	for _, s := range starts {
		add := func(e ast.Expr) {
			if id, ok := ast.Unparen(e).(*ast.Ident); ok {
				if v, ok := info.Uses[id].(*types.Var); ok && s.params[v] != nil {
					if s.params[v] != l {
						chans[s.params[v]] = true
					}
					return
				}
			}
			add(e)
		}
		ast.Inspect(s.body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SendStmt:
				add(n.Chan)
			case *ast.CallExpr:
				if builtin(info, n) == "close" && len(n.Args) == 1 {
					add(n.Args[0])
				}
			}
			return true
		})
	}
	return chans
}

// An exit says how a path leaves: "return at line 42 (via case
// <-ctx.Done())", and the evidence message for the exit's position.
type exit struct{ what, evidence string }

// exitHow describes the end of path: a return, or a new make of the
// channel, and the select case the path took around a partner.
func exitHow(r *reporter, g *flow.Graph, path []ast.Node, partners []*op) exit {
	end := path[len(path)-1]
	what := fmt.Sprintf("return at line %d", r.Line(end.Pos()))
	evidence := "returns here"
	if g.Implicit(end) {
		what = fmt.Sprintf("reach its end (line %d)", r.Line(end.Pos()))
		evidence = "the function ends here"
	}
	if !flow.IsExit(end) {
		what = fmt.Sprintf("make a new channel at line %d", r.Line(end.Pos()))
		evidence = "replaces the channel here"
	}
	// The last select case on the path whose select holds a partner in
	// another case.
	for i := len(path) - 1; i >= 0; i-- {
		cc, ok := g.CaseEntry(path[i])
		if !ok {
			continue
		}
		for _, o := range partners {
			if o.sel != nil && !astx.Contains(cc, o.node) && astx.Contains(o.sel, cc) {
				what += fmt.Sprintf(" (via case %s)", commString(cc.Comm))
				evidence += fmt.Sprintf(" after case %s", commString(cc.Comm))
				return exit{what, evidence}
			}
		}
	}
	return exit{what, evidence}
}

// commString describes a select case's communication: "<-ctx.Done()", "out <- v".
func commString(comm ast.Stmt) string {
	switch s := comm.(type) {
	case *ast.SendStmt:
		return types.ExprString(s.Chan) + " <- " + types.ExprString(s.Value)
	case *ast.ExprStmt:
		return types.ExprString(s.X)
	case *ast.AssignStmt:
		if len(s.Rhs) == 1 {
			return types.ExprString(s.Rhs[0])
		}
	}
	return "another case"
}

// earlyExit returns a statement that leaves loop, where the function
// receives from the channel by p, before the channel is drained: a return
// or break under a test of an error, or in another case of the select that
// receives. It says why: "on an error", "via case <-ctx.Done()".
func earlyExit(info *types.Info, loop ast.Node, p *op, partners []*op, signals map[types.Object]bool) (ast.Node, string) {
	body := loopBody(loop)
	var found ast.Node
	why := ""
	var stack []ast.Node
	ast.Inspect(body, func(n ast.Node) bool {
		if found != nil {
			return false
		}
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		switch n.(type) {
		case *ast.FuncLit:
			return false
		}
		stack = append(stack, n)
		if !leavesLoop(info, n, stack, body) || n.Pos() < p.node.Pos() && p.kind != opRange {
			return true
		}
		if p.kind == opRange && p.node == loop {
			// A range over the channel ends when it is closed: any other
			// way out leaves senders behind.
			found, why = n, "before the channel is closed"
			return false
		}
		for i := len(stack) - 2; i >= 0; i-- {
			switch s := stack[i].(type) {
			case *ast.IfStmt:
				if mentionsError(info, s.Cond) && astx.Contains(s.Body, n) {
					found, why = n, "on an error"
				}
			case *ast.CommClause:
				isPartner := slices.ContainsFunc(partners, func(o *op) bool { return astx.Contains(s, o.node) })
				if !isPartner && s.Comm != nil && !receivesFrom(info, s.Comm, signals) {
					for _, o := range partners {
						if o.sel != nil && astx.Contains(o.sel, s) {
							found, why = n, fmt.Sprintf("via case %s", commString(s.Comm))
						}
					}
				}
			}
			if found != nil {
				break
			}
		}
		return found == nil
	})
	return found, why
}

// leavesLoop reports whether n, with its ancestors within a loop's body on
// stack, is a return, or a goto or break that leaves the loop.
func leavesLoop(info *types.Info, n ast.Node, stack []ast.Node, body *ast.BlockStmt) bool {
	switch n := n.(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.BranchStmt:
		if n.Label != nil {
			if n.Tok != token.GOTO && n.Tok != token.BREAK {
				return false
			}
			label := info.Uses[n.Label]
			// Leaves unless the label is declared inside the body.
			return label != nil && (label.Pos() < body.Pos() || label.Pos() >= body.End())
		}
		switch n.Tok {
		case token.BREAK:
			for i := len(stack) - 2; i >= 0; i-- {
				switch stack[i].(type) {
				case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
					return false
				}
			}
			return true
		}
	}
	return false
}

// receivesFrom reports whether n receives from one of chans.
func receivesFrom(info *types.Info, n ast.Node, chans map[types.Object]bool) bool {
	found := false
	ast.Inspect(n, func(x ast.Node) bool {
		if u, ok := x.(*ast.UnaryExpr); ok && u.Op == token.ARROW {
			if id, ok := ast.Unparen(u.X).(*ast.Ident); ok && chans[info.Uses[id]] {
				found = true
			}
		}
		return !found
	})
	return found
}
