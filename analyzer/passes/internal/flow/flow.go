// Package flow holds the control-flow Graph and the path searches that
// secondlook's detector passes (chancheck, wgcheck, ctxcheck) share.
package flow

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/cfg"
	"golang.org/x/tools/go/types/typeutil"
)

// A Graph is the control-flow Graph of one function body with the atoms of
// each block (the statements and expressions it runs) in order. Unlike
// go/cfg, which evaluates every communication of a select before choosing a
// case, a case's communication sits at the start of that case's block, so a
// path through one case does not perform the others; and a range loop's
// head holds the RangeStmt itself, so a range over a channel receives on
// each turn.
type Graph struct {
	body  *ast.BlockStmt
	cfg   *cfg.CFG
	atoms map[*cfg.Block][]ast.Node
	at    map[ast.Node]point // atom -> where it runs
	cuts  map[cut]bool       // edges that searches do not take
}

// A cut is an edge of the Graph: successor i of block b.
type cut struct {
	b *cfg.Block
	i int
}

// CutBranch makes searches skip the branch of the if or for condition cond
// that runs when cond is true (or false): the branch on which, say, an
// acquisition failed.
func (g *Graph) CutBranch(cond ast.Expr, when bool) {
	p, ok := g.at[cond]
	if !ok || p.i != len(g.atoms[p.b])-1 || len(p.b.Succs) != 2 {
		return
	}
	i := 0
	if !when {
		i = 1
	}
	if g.cuts == nil {
		g.cuts = make(map[cut]bool)
	}
	g.cuts[cut{p.b, i}] = true
}

// A point is a place in a Graph: atom i of block b.
type point struct {
	b *cfg.Block
	i int
}

func New(info *types.Info, body *ast.BlockStmt) *Graph {
	g := &Graph{
		body:  body,
		cfg:   cfg.New(body, func(call *ast.CallExpr) bool { return MayReturn(info, call) }),
		atoms: make(map[*cfg.Block][]ast.Node),
		at:    make(map[ast.Node]point),
	}
	comms := make(map[ast.Node]bool)
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CommClause:
			if n.Comm != nil {
				comms[n.Comm] = true
			}
		}
		return true
	})
	for _, b := range g.cfg.Blocks {
		var atoms []ast.Node
		switch b.Kind {
		case cfg.KindSelectCaseBody:
			if cc, ok := b.Stmt.(*ast.CommClause); ok && cc.Comm != nil {
				atoms = append(atoms, cc.Comm)
			}
		case cfg.KindRangeLoop:
			atoms = append(atoms, b.Stmt)
		}
		for _, n := range b.Nodes {
			if !comms[n] {
				atoms = append(atoms, n)
			}
		}
		g.atoms[b] = atoms
		for i, n := range atoms {
			g.at[n] = point{b, i}
		}
	}
	return g
}

// AtomOf returns the atom that runs n, a node within the body.
func (g *Graph) AtomOf(n ast.Node) (ast.Node, bool) {
	if _, ok := g.at[n]; ok {
		return n, true
	}
	var best ast.Node
	for a := range g.at {
		if _, isRange := a.(*ast.RangeStmt); isRange {
			continue // the head of a loop does not run its body
		}
		if a.Pos() <= n.Pos() && n.End() <= a.End() && (best == nil || best.End()-best.Pos() > a.End()-a.Pos()) {
			best = a
		}
	}
	return best, best != nil
}

// A step is an atom on a path, and how many counted atoms came before it.
type step struct {
	atom ast.Node
	n    int
}

// search looks for a path that starts just after the atom from (at the
// function's entry if from is nil), passes no atom for which stop holds,
// and reaches an atom for which goal holds with the counts of the atoms on
// the way, the goal included, summing to less than need (need 1 and count
// nil: any path). It returns the atoms of such a path, the goal last, or
// nil. An atom runs before it counts as the goal: return <-ch receives.
func (g *Graph) Search(from ast.Node, goal, stop func(ast.Node) bool, count func(ast.Node) int, need int) []ast.Node {
	// A state is a block entered with n counted atoms behind; the first
	// state enters the start block part way, after from.
	type state struct {
		b       *cfg.Block
		n       int
		partial bool
	}
	first := state{b: g.cfg.Blocks[0]}
	skip := 0
	if from != nil {
		p, ok := g.at[from]
		if !ok {
			return nil
		}
		first, skip = state{b: p.b, partial: true}, p.i+1
	}
	prev := map[state]state{first: first}
	path := func(last state, end ast.Node) []ast.Node {
		var states []state
		for s := last; ; s = prev[s] {
			states = append(states, s)
			if s == first {
				break
			}
		}
		var atoms []ast.Node
		for i := len(states) - 1; i >= 0; i-- {
			for j, a := range g.atoms[states[i].b] {
				if states[i].partial && j < skip {
					continue
				}
				atoms = append(atoms, a)
				if i == 0 && a == end {
					return atoms
				}
			}
		}
		return atoms
	}
	queue := []state{first}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		atoms := g.atoms[s.b]
		if s.partial {
			atoms = atoms[skip:]
		}
		n, blocked := s.n, false
		for _, a := range atoms {
			if stop != nil && stop(a) {
				blocked = true
				break
			}
			if count != nil {
				n = min(n+count(a), need)
			}
			if goal(a) && n < need {
				return path(s, a)
			}
		}
		if blocked {
			continue
		}
		for i, succ := range s.b.Succs {
			if g.cuts[cut{s.b, i}] {
				continue
			}
			next := state{b: succ, n: n}
			if _, ok := prev[next]; ok {
				continue
			}
			prev[next] = s
			queue = append(queue, next)
		}
	}
	return nil
}

// implicit reports whether atom a is the return go/cfg adds where control
// falls off the end of the body.
func (g *Graph) Implicit(a ast.Node) bool {
	ret, ok := a.(*ast.ReturnStmt)
	return ok && ret.Return == g.body.Rbrace && len(ret.Results) == 0
}

// node returns the node to show for atom a: the closing brace for an
// implicit return.
func (g *Graph) Node(a ast.Node) ast.Node {
	if g.Implicit(a) {
		return PosNode(g.body.Rbrace)
	}
	return a
}

// PosNode is a node of one position.
type PosNode token.Pos

func (p PosNode) Pos() token.Pos { return token.Pos(p) }
func (p PosNode) End() token.Pos { return token.Pos(p) + 1 }

// IsExit reports whether atom a returns from the function.
func IsExit(a ast.Node) bool {
	_, ok := a.(*ast.ReturnStmt)
	return ok
}

// InspectAtom calls f for each node an atom runs now: not the bodies of
// function literals, not the body of a range loop, and not a deferred call
// (whose arguments it does run).
func InspectAtom(a ast.Node, f func(ast.Node)) {
	if r, ok := a.(*ast.RangeStmt); ok {
		f(r)
		return
	}
	ast.Inspect(a, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			for _, arg := range n.Call.Args {
				InspectAtom(arg, f)
			}
			return false
		case nil:
			return false
		}
		f(n)
		return true
	})
}

// MayReturn reports whether a call may return: panic, os.Exit, log.Fatal,
// runtime.Goexit and a test's Fatal, FailNow and Skip do not.
func MayReturn(info *types.Info, call *ast.CallExpr) bool {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := info.Uses[id].(*types.Builtin); ok && b.Name() == "panic" {
			return false
		}
	}
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if fn == nil || fn.Pkg() == nil {
		return true
	}
	name := fn.Name()
	switch fn.Pkg().Path() {
	case "os", "syscall":
		return name != "Exit"
	case "runtime":
		return name != "Goexit"
	case "log":
		return !hasPrefix(name, "Fatal") && !hasPrefix(name, "Panic")
	case "testing":
		return fn.Signature().Recv() == nil || !hasPrefix(name, "Fatal") && !hasPrefix(name, "Skip") && name != "FailNow"
	}
	return true
}

func hasPrefix(s, prefix string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix }

// CaseEntry returns the select case whose body n begins: the case's
// communication, the first atom of its block.
func (g *Graph) CaseEntry(n ast.Node) (*ast.CommClause, bool) {
	p, ok := g.at[n]
	if !ok || p.b.Kind != cfg.KindSelectCaseBody || p.i != 0 {
		return nil, false
	}
	cc, ok := p.b.Stmt.(*ast.CommClause)
	return cc, ok
}
