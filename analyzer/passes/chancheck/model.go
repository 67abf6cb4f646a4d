package chancheck

// This file gathers, for one function, the goroutines it starts and the
// channels it makes that nothing outside the function and those goroutines
// can reach.

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"github.com/secondlook/secondlook/analyzer/passes/internal/flow"
	"golang.org/x/tools/go/ast/inspector"
)

// A fn is one function body (a declaration or a literal) under analysis.
type fn struct {
	cur    inspector.Cursor
	body   *ast.BlockStmt
	graph  *flow.Graph // built on first use
	starts []*start
	chans  []*local
}

// A start is a goroutine the function starts directly: go func() {...}(),
// or a literal handed to errgroup.Group.Go or sync.WaitGroup.Go.
type start struct {
	stmt ast.Stmt         // the go statement, or the statement holding the g.Go call
	fn   inspector.Cursor // the function it runs: a literal, or a declaration of the package
	body *ast.BlockStmt
	loop ast.Node // the innermost loop of the function around the start, or nil
	// params maps the parameters of fn that receive a local channel as
	// an argument to that channel's variable.
	params map[*types.Var]*types.Var
	args   map[*ast.Ident]bool // the arguments that params receive
}

func (s *start) lit() *ast.FuncLit {
	lit, _ := s.fn.Node().(*ast.FuncLit)
	return lit
}

// A local is a channel variable the function declares and assigns only
// from make, used only in the function and the goroutines it starts, and
// only by channel operations.
type local struct {
	obj   *types.Var
	makes []*ast.CallExpr
	cap   int  // the buffer size of its makes when constant and equal
	capOK bool // cap is known
	ops   []*op
}

type opKind int

const (
	opSend opKind = iota
	opRecv
	opRange
	opClose
)

// An op is a send, receive, range or close of a local channel.
type op struct {
	kind     opKind
	node     ast.Node // *ast.SendStmt, *ast.UnaryExpr, *ast.RangeStmt, *ast.CallExpr
	in       *start   // the goroutine it runs in, nil for the function itself
	sel      *ast.SelectStmt
	deferred bool     // a deferred close
	loop     ast.Node // the innermost loop around it within its function, or nil
	cur      inspector.Cursor
}

// guarded reports whether op is a communication of a select that can take
// another case or a default.
func (o *op) guarded() bool { return o.sel != nil && len(o.sel.Body.List) > 1 }

func (f *fn) g(info *types.Info) *flow.Graph {
	if f.graph == nil {
		f.graph = flow.New(info, f.body)
	}
	return f.graph
}

// newFn gathers the starts and local channels of the function at cur;
// decls holds the package's function declarations.
func newFn(info *types.Info, cur inspector.Cursor, body *ast.BlockStmt, decls map[*types.Func]inspector.Cursor) *fn {
	f := &fn{cur: cur, body: body}
	byLit := make(map[*ast.FuncLit]*start)
	vars := make(map[*types.Var]*local)
	var order []*types.Var
	astx.InspectDirect(cur, func(c inspector.Cursor) {
		switch n := c.Node().(type) {
		case *ast.GoStmt:
			fun := ast.Unparen(n.Call.Fun)
			if lit, ok := fun.(*ast.FuncLit); ok {
				litCur, _ := c.FindNode(lit)
				s := &start{stmt: n, fn: litCur, body: lit.Body, loop: astx.EnclosingLoop(c)}
				f.starts = append(f.starts, s)
				byLit[lit] = s
			} else if callee := astx.CalleeFunc(info, n.Call); callee != nil {
				// go worker(ch): a function of this package, but not this one.
				if dc, ok := decls[callee.Origin()]; ok && dc.Node() != cur.Node() {
					f.starts = append(f.starts, &start{stmt: n, fn: dc, body: dc.Node().(*ast.FuncDecl).Body, loop: astx.EnclosingLoop(c)})
				}
			}
		case *ast.CallExpr:
			if !isGroupGo(info, n) {
				break
			}
			lit, ok := ast.Unparen(n.Args[0]).(*ast.FuncLit)
			if stmt, isStmt := c.Parent().Node().(ast.Stmt); ok && isStmt {
				litCur, _ := c.FindNode(lit)
				s := &start{stmt: stmt, fn: litCur, body: lit.Body, loop: astx.EnclosingLoop(c)}
				f.starts = append(f.starts, s)
				byLit[lit] = s
			}
		case *ast.Ident:
			v, ok := info.Defs[n].(*types.Var)
			if !ok || v.IsField() || v.Pos() < body.Pos() {
				break
			}
			if _, isChan := v.Type().Underlying().(*types.Chan); !isChan {
				break
			}
			// Declared by make, or without a value and assigned later.
			l := &local{obj: v}
			switch p := c.Parent().Node().(type) {
			case *ast.AssignStmt:
				for i, lhs := range p.Lhs {
					if lhs == n && len(p.Lhs) == len(p.Rhs) {
						if mk := makeChan(info, p.Rhs[i]); mk != nil {
							l.makes = append(l.makes, mk)
						}
					}
				}
				if len(l.makes) == 0 {
					return
				}
			case *ast.ValueSpec:
				for i, name := range p.Names {
					if name == n && len(p.Names) == len(p.Values) {
						if mk := makeChan(info, p.Values[i]); mk != nil {
							l.makes = append(l.makes, mk)
						}
					}
				}
				if len(l.makes) == 0 && len(p.Values) > 0 {
					return
				}
			default:
				return
			}
			vars[v] = l
			order = append(order, v)
		}
	})
	if len(vars) == 0 {
		return f
	}
	bad := make(map[*types.Var]bool)
	// A parameter of a started function that receives a local channel
	// stands for it there.
	for _, s := range f.starts {
		g, ok := s.stmt.(*ast.GoStmt)
		if !ok || g.Call.Ellipsis.IsValid() {
			continue
		}
		var ftype *ast.FuncType
		switch fn := s.fn.Node().(type) {
		case *ast.FuncLit:
			ftype = fn.Type
		case *ast.FuncDecl:
			ftype = fn.Type
		}
		params := paramVars(info, ftype)
		for i, arg := range g.Call.Args {
			id, ok := ast.Unparen(arg).(*ast.Ident)
			if !ok {
				continue
			}
			if v, ok := info.Uses[id].(*types.Var); ok && vars[v] != nil && i < len(params) && params[i] != nil {
				if s.params == nil {
					s.params, s.args = make(map[*types.Var]*types.Var), make(map[*ast.Ident]bool)
				}
				s.params[params[i]] = v
				s.args[id] = true
			}
		}
	}
	startArgs := make(map[*ast.Ident]bool)
	for _, s := range f.starts {
		for id := range s.args {
			startArgs[id] = true
		}
	}
	use := func(c inspector.Cursor, owner ast.Node, in *start) {
		id := c.Node().(*ast.Ident)
		v, _ := info.Uses[id].(*types.Var)
		if v == nil {
			return
		}
		if in != nil {
			if a, ok := in.params[v]; ok {
				v = a
			}
		}
		l := vars[v]
		if l == nil || bad[v] {
			return
		}
		if enclosingFunc(c) != owner {
			bad[v] = true // another closure: we cannot tell when it runs
			return
		}
		o, ok := classify(info, c, in, l, startArgs)
		if !ok {
			bad[v] = true
			return
		}
		if o != nil {
			l.ops = append(l.ops, o)
		}
	}
	for c := range cur.Preorder((*ast.Ident)(nil)) {
		// Which function runs this use: ours, or a goroutine literal we start.
		var in *start
		owner := cur.Node()
		if lit, ok := enclosingFunc(c).(*ast.FuncLit); ok && byLit[lit] != nil {
			in, owner = byLit[lit], lit
		}
		use(c, owner, in)
	}
	for _, s := range f.starts {
		if _, isDecl := s.fn.Node().(*ast.FuncDecl); isDecl && s.params != nil {
			for c := range s.fn.Preorder((*ast.Ident)(nil)) {
				use(c, s.fn.Node(), s)
			}
		}
	}
	for _, v := range order {
		l := vars[v]
		if bad[v] || len(l.makes) == 0 {
			continue
		}
		l.capOK = true
		for i, mk := range l.makes {
			n := 0
			if len(mk.Args) > 1 {
				tv := info.Types[mk.Args[1]]
				if tv.Value == nil {
					l.capOK = false
					break
				}
				k, exact := constant.Int64Val(constant.ToInt(tv.Value))
				if !exact {
					l.capOK = false
					break
				}
				n = int(k)
			}
			if i > 0 && n != l.cap {
				l.capOK = false
			}
			l.cap = n
		}
		f.chans = append(f.chans, l)
	}
	return f
}

// classify returns the op a use of l is, nil for a use that is no
// operation (a definition by make, len, cap, a comparison with nil, a
// argument to a goroutine literal), or false when the channel escapes.
func classify(info *types.Info, c inspector.Cursor, in *start, l *local, startArgs map[*ast.Ident]bool) (*op, bool) {
	id := c.Node().(*ast.Ident)
	pc := c.Parent()
	for {
		if _, ok := pc.Node().(*ast.ParenExpr); !ok {
			break
		}
		pc = pc.Parent()
	}
	loop := astx.EnclosingLoop(c)
	switch p := pc.Node().(type) {
	case *ast.SendStmt:
		if ast.Unparen(p.Chan) == id {
			return &op{kind: opSend, node: p, in: in, sel: commOf(pc), loop: loop, cur: pc}, true
		}
	case *ast.UnaryExpr:
		if p.Op == token.ARROW {
			return &op{kind: opRecv, node: p, in: in, sel: commOf(pc), loop: loop, cur: pc}, true
		}
	case *ast.RangeStmt:
		if ast.Unparen(p.X) == id {
			return &op{kind: opRange, node: p, in: in, loop: loop, cur: pc}, true
		}
	case *ast.BinaryExpr:
		if (p.Op == token.EQL || p.Op == token.NEQ) && (isNil(info, p.X) || isNil(info, p.Y)) {
			return nil, true
		}
	case *ast.CallExpr:
		switch builtin(info, p) {
		case "len", "cap":
			return nil, true
		case "close":
			_, deferred := pc.Parent().Node().(*ast.DeferStmt)
			return &op{kind: opClose, node: p, in: in, deferred: deferred, loop: loop, cur: pc}, true
		}
		// An argument of a started function: its parameter stands for the channel.
		if gs, ok := pc.Parent().Node().(*ast.GoStmt); ok && in == nil && gs.Call == p {
			return nil, startArgs[id]
		}
	case *ast.AssignStmt:
		if in != nil {
			break // a goroutine replaces the channel
		}
		for i, lhs := range p.Lhs {
			if lhs == id && len(p.Lhs) == len(p.Rhs) {
				if mk := makeChan(info, p.Rhs[i]); mk != nil {
					l.makes = append(l.makes, mk)
					return nil, true
				}
			}
		}
	}
	return nil, false
}

// paramVars returns the parameters of a function type, nil for blank
// and unnamed ones.
func paramVars(info *types.Info, ftype *ast.FuncType) []*types.Var {
	var params []*types.Var
	for _, field := range ftype.Params.List {
		if len(field.Names) == 0 {
			params = append(params, nil)
		}
		for _, name := range field.Names {
			v, _ := info.Defs[name].(*types.Var)
			params = append(params, v)
		}
	}
	return params
}

// commOf returns the select whose case communicates by the send or receive
// at c, or nil.
func commOf(c inspector.Cursor) *ast.SelectStmt {
	stmt := c
	if _, ok := c.Node().(ast.Stmt); !ok {
		stmt = c.Parent()
		if as, ok := stmt.Node().(*ast.AssignStmt); ok && (len(as.Rhs) != 1 || ast.Unparen(as.Rhs[0]) != c.Node()) {
			return nil
		}
		if es, ok := stmt.Node().(*ast.ExprStmt); ok && ast.Unparen(es.X) != c.Node() {
			return nil
		}
	}
	if cc, ok := stmt.Parent().Node().(*ast.CommClause); ok && cc.Comm == stmt.Node() {
		sel, _ := stmt.Parent().Parent().Parent().Node().(*ast.SelectStmt)
		return sel
	}
	return nil
}

// makeChan returns e as a make(chan T[, n]) call, or nil.
func makeChan(info *types.Info, e ast.Expr) *ast.CallExpr {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || builtin(info, call) != "make" {
		return nil
	}
	if _, ok := underlying(info, call).(*types.Chan); !ok {
		return nil
	}
	return call
}

// isGroupGo reports whether call is errgroup.Group.Go or sync.WaitGroup.Go
// with one argument.
func isGroupGo(info *types.Info, call *ast.CallExpr) bool {
	fn := astx.CalleeFunc(info, call)
	return len(call.Args) == 1 && (astx.IsMethod(fn, "golang.org/x/sync/errgroup", "Group", "Go") || astx.IsMethod(fn, "sync", "WaitGroup", "Go"))
}
