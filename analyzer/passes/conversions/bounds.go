package conversions

// Range checks: which comparisons before a conversion bound its operand, from above or below.

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
)

// needs says which bounds a lossy integer conversion still lacks.
type needs struct{ upper, lower bool }

func (n needs) any() bool { return n.upper || n.lower }

// needs says which checks make converting x from one integer type to another safe: an upper bound
// when T cannot hold the largest value of x's type, a lower bound when T is unsigned and x may be
// negative. A signed narrowing needs only the upper bound, as in n > math.MaxInt32: code that
// bounds the size of something seldom checks the far negative end, and a value below the
// minimum is most often a negative already rejected elsewhere.
func (f *funcInfo) needs(from, to *types.Basic, x ast.Expr) needs {
	fs, ts := f.pass.TypesSizes.Sizeof(from), f.pass.TypesSizes.Sizeof(to)
	fromSigned, toSigned := from.Info()&types.IsUnsigned == 0, to.Info()&types.IsUnsigned == 0
	switch {
	case fromSigned == toSigned:
		return needs{upper: ts < fs}
	case fromSigned: // to unsigned
		return needs{upper: ts < fs, lower: !f.isNonNeg(x)}
	default: // unsigned to signed
		return needs{upper: ts <= fs}
	}
}

// limits returns the smallest and largest value of the integer type t.
func (f *funcInfo) limits(t *types.Basic) (lo, hi constant.Value) {
	bits := uint(f.pass.TypesSizes.Sizeof(t) * 8)
	one := constant.MakeInt64(1)
	if t.Info()&types.IsUnsigned != 0 {
		return constant.MakeInt64(0), constant.BinaryOp(constant.Shift(one, token.SHL, bits), token.SUB, one)
	}
	hi = constant.BinaryOp(constant.Shift(one, token.SHL, bits-1), token.SUB, one)
	return constant.UnaryOp(token.SUB, constant.Shift(one, token.SHL, bits-1), 0), hi
}

// parseLimits returns the range of a strconv.ParseInt or ParseUint result of a constant bitSize.
func parseLimits(s source) (lo, hi constant.Value) {
	one := constant.MakeInt64(1)
	if !s.signed {
		return constant.MakeInt64(0), constant.BinaryOp(constant.Shift(one, token.SHL, uint(s.bits)), token.SUB, one)
	}
	hi = constant.BinaryOp(constant.Shift(one, token.SHL, uint(s.bits-1)), token.SUB, one)
	return constant.UnaryOp(token.SUB, constant.Shift(one, token.SHL, uint(s.bits-1)), 0), hi
}

// atoms are what a conversion's operand is made of: variables, and field paths such as s.total.
type atoms struct {
	objs  map[types.Object]bool
	paths map[string]bool
}

func (f *funcInfo) atomsOf(x ast.Expr) atoms {
	a := atoms{objs: map[types.Object]bool{}, paths: map[string]bool{}}
	ast.Inspect(x, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if sel, ok := f.pass.TypesInfo.Selections[n]; ok && sel.Kind() == types.FieldVal && isPath(n) {
				a.paths[types.ExprString(n)] = true
				return false
			}
		case *ast.Ident:
			if v, ok := f.obj(n).(*types.Var); ok {
				a.objs[v] = true
			}
		case *ast.FuncLit:
			return false
		}
		return true
	})
	return a
}

// isPath reports whether e is a chain of field selections on a variable: s.a.b.
func isPath(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		return isPath(e.X)
	}
	return false
}

// mentions reports whether e refers to one of the atoms.
func (f *funcInfo) mentions(e ast.Expr, a atoms) (found bool) {
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if a.paths[types.ExprString(n)] {
				found = true
			}
		case *ast.Ident:
			if o := f.obj(n); o != nil && a.objs[o] {
				found = true
			}
		}
		return !found
	})
	return found
}

// checker collects what is known about x's range where it is converted.
type checker struct {
	f      *funcInfo
	x      atoms
	lo, hi constant.Value // the target type's limits
	upper  bool           // an upper bound that fits the target is known
	lower  bool           // a lower bound that fits the target is known
	used   map[ast.Expr]bool
}

// bound records x <= hi (when hi is known) and x >= lo (when lo is known).
func (c *checker) bound(lo, hi constant.Value) {
	if hi != nil && hi.Kind() == constant.Int && constant.Compare(hi, token.LEQ, c.hi) {
		c.upper = true
	}
	if lo != nil && lo.Kind() == constant.Int && constant.Compare(lo, token.GEQ, c.lo) {
		c.lower = true
	}
}

// compared returns the comparison e as "x op k", with x (a mention of the atoms) on the left. wrap
// is set when x is seen through a conversion to an unsigned type at least as wide, as in
// uint(i) < uint(n): an upper bound below wrap then also rules out negative values.
func (c *checker) compared(e ast.Expr) (op token.Token, k, wrap constant.Value, ok bool) {
	be, isBin := ast.Unparen(e).(*ast.BinaryExpr)
	if !isBin {
		return 0, nil, nil, false
	}
	switch be.Op {
	case token.LSS, token.LEQ, token.GTR, token.GEQ, token.EQL, token.NEQ:
	default:
		return 0, nil, nil, false
	}
	info := c.f.pass.TypesInfo
	op = be.Op
	subject := be.X
	switch {
	case info.Types[be.Y].Value != nil && c.f.mentions(be.X, c.x):
		k = info.Types[be.Y].Value
	case info.Types[be.X].Value != nil && c.f.mentions(be.Y, c.x):
		k, subject = info.Types[be.X].Value, be.Y
		op = map[token.Token]token.Token{token.LSS: token.GTR, token.LEQ: token.GEQ, token.GTR: token.LSS,
			token.GEQ: token.LEQ, token.EQL: token.EQL, token.NEQ: token.NEQ}[op]
	default:
		return 0, nil, nil, false
	}
	if conv, isCall := ast.Unparen(subject).(*ast.CallExpr); isCall && len(conv.Args) == 1 && info.Types[conv.Fun].IsType() {
		to, _ := typeOf(info, conv).Underlying().(*types.Basic)
		from, _ := typeOf(info, conv.Args[0]).Underlying().(*types.Basic)
		sizes := c.f.pass.TypesSizes
		if to != nil && from != nil && to.Info()&types.IsUnsigned != 0 && from.Info()&types.IsInteger != 0 &&
			from.Info()&types.IsUnsigned == 0 && sizes.Sizeof(to) >= sizes.Sizeof(from) {
			wrap = constant.Shift(constant.MakeInt64(1), token.SHL, uint(sizes.Sizeof(from)*8-1))
		}
	}
	k = constant.ToInt(k)
	return op, k, wrap, k.Kind() == constant.Int
}

// rangeOfSeen returns the bounds "x op k" sets, with x seen through a conversion that wraps
// negative values above wrap (nil when it does not).
func rangeOfSeen(op token.Token, k, wrap constant.Value) (lo, hi constant.Value) {
	lo, hi = rangeOf(op, k)
	if wrap != nil && hi != nil && constant.Compare(hi, token.LSS, wrap) && lo == nil {
		lo = constant.MakeInt64(0)
	}
	return lo, hi
}

var negated = map[token.Token]token.Token{token.LSS: token.GEQ, token.LEQ: token.GTR, token.GTR: token.LEQ,
	token.GEQ: token.LSS, token.EQL: token.NEQ, token.NEQ: token.EQL}

// rangeOf returns the bounds "x op k" sets.
func rangeOf(op token.Token, k constant.Value) (lo, hi constant.Value) {
	one := constant.MakeInt64(1)
	switch op {
	case token.LSS:
		return nil, constant.BinaryOp(k, token.SUB, one)
	case token.LEQ:
		return nil, k
	case token.GTR:
		return constant.BinaryOp(k, token.ADD, one), nil
	case token.GEQ:
		return k, nil
	case token.EQL:
		return k, k
	}
	return nil, nil
}

// holds records what e being true (or false, when truth is false) says about x. Only what a
// conjunction (or, when false, a disjunction) implies of each part is known.
func (c *checker) holds(e ast.Expr, truth bool) {
	ast.Inspect(e, func(n ast.Node) bool {
		if be, ok := n.(*ast.BinaryExpr); ok {
			c.used[be] = true
		}
		return true
	})
	switch e := ast.Unparen(e).(type) {
	case *ast.UnaryExpr:
		if e.Op == token.NOT {
			c.holds(e.X, !truth)
		}
		return
	case *ast.BinaryExpr:
		switch {
		case e.Op == token.LAND && truth, e.Op == token.LOR && !truth:
			c.holds(e.X, truth)
			c.holds(e.Y, truth)
			return
		case e.Op == token.LAND, e.Op == token.LOR:
			return
		}
	}
	if op, k, wrap, ok := c.compared(e); ok {
		if !truth {
			op = negated[op]
		}
		c.bound(rangeOfSeen(op, k, wrap))
	}
}

// clamp records the bounds of min(x, C) and max(x, C).
func (c *checker) clamp(e ast.Expr) {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return
	}
	info := c.f.pass.TypesInfo
	isMin, isMax := isBuiltin(info, call.Fun, "min"), isBuiltin(info, call.Fun, "max")
	for _, a := range call.Args {
		if v := info.Types[a].Value; v != nil && (isMin || isMax) {
			if v = constant.ToInt(v); isMin {
				c.bound(nil, v)
			} else {
				c.bound(v, nil)
			}
		}
	}
}

// bounds reports which bounds of x are known where it is converted: call is the conversion and
// stack the nodes enclosing it, outermost first. It reads the conditions of the ifs, fors and
// switch cases around the conversion (with && and || as far as they decide), the ifs and switches
// before it whose branch leaves (if n > max { return err }) or clamps x (if n > max { n = max }),
// and min/max clamps. A comparison with a constant elsewhere before the conversion, whose sense
// is unknown (ok := n <= max), counts either way, except that a test against 0 or 1 does not make
// an upper bound.
func (f *funcInfo) bounds(x ast.Expr, to *types.Basic, call *ast.CallExpr, stack []ast.Node) (upper, lower bool) {
	c := &checker{f: f, x: f.atomsOf(x), used: map[ast.Expr]bool{}}
	c.lo, c.hi = f.limits(to)
	c.clamp(x)
	child := ast.Node(call)
	for i := len(stack) - 1; i >= 0; i-- {
		switch p := stack[i].(type) {
		case *ast.IfStmt:
			if child == p.Body {
				c.holds(p.Cond, true)
			} else if child == p.Else {
				c.holds(p.Cond, false)
			}
		case *ast.ForStmt:
			if child == p.Body && p.Cond != nil {
				c.holds(p.Cond, true)
			}
		case *ast.RangeStmt:
			// for i := range N: i < N.
			if n := f.pass.TypesInfo.Types[p.X].Value; child == p.Body && n != nil && p.Key != nil && f.mentions(p.Key, c.x) {
				c.holds(&ast.BinaryExpr{X: p.Key, Op: token.LSS, Y: p.X}, true)
			}
		case *ast.BinaryExpr:
			if child == p.Y && p.Op == token.LAND {
				c.holds(p.X, true)
			} else if child == p.Y && p.Op == token.LOR {
				c.holds(p.X, false)
			}
		case *ast.CaseClause:
			if i >= 2 {
				if sw, ok := stack[i-2].(*ast.SwitchStmt); ok && sw.Tag == nil && !isExpr(child, p.List) {
					c.inCase(sw, p)
				}
			}
			c.before(p.Body, child)
		case *ast.CommClause:
			c.before(p.Body, child)
		case *ast.BlockStmt:
			c.before(p.List, child)
		}
		child = stack[i]
	}
	// Comparisons of unknown sense.
	for _, cmp := range f.cmps {
		if cmp[0].Pos() >= call.Pos() || c.used[cmp[0]] {
			continue
		}
		op, k, wrap, ok := c.compared(cmp[0])
		if !ok || op == token.EQL || op == token.NEQ {
			continue
		}
		for _, o := range []token.Token{op, negated[op]} {
			lo, hi := rangeOfSeen(o, k, wrap)
			if hi != nil && constant.Compare(hi, token.LSS, constant.MakeInt64(1)) {
				hi = nil // n > 0, n < 1: a test for empty or negative, not a limit
			}
			c.bound(lo, hi)
		}
	}
	return c.upper, c.lower
}

func isExpr(n ast.Node, list []ast.Expr) bool {
	for _, e := range list {
		if n == e {
			return true
		}
	}
	return false
}

// inCase records what reaching clause cc of a switch without a tag says: its one case holds, and
// the cases of the clauses before it (all others, for default) do not.
func (c *checker) inCase(sw *ast.SwitchStmt, cc *ast.CaseClause) {
	if len(cc.List) == 1 {
		c.holds(cc.List[0], true)
	}
	for _, s := range sw.Body.List {
		other, _ := s.(*ast.CaseClause)
		if other == cc && cc.List != nil {
			break // the cases after cc were never tested
		}
		if other != nil && other != cc {
			for _, e := range other.List {
				c.holds(e, false)
			}
		}
	}
}

// before records what the statements of list that come before child say about x.
func (c *checker) before(list []ast.Stmt, child ast.Node) {
	for _, s := range list {
		if s == child {
			return
		}
		switch s := s.(type) {
		case *ast.IfStmt:
			switch {
			case c.f.terminates(s.Body):
				c.holds(s.Cond, false) // if n > max { return err }
			case s.Else == nil && c.assigns(s.Body):
				c.holds(s.Cond, false) // if n > max { n = max }
			case s.Else != nil && c.f.terminates(&ast.BlockStmt{List: []ast.Stmt{s.Else}}):
				c.holds(s.Cond, true) // if n <= max { ... } else { return err }
			}
		case *ast.SwitchStmt:
			if s.Tag != nil {
				break
			}
			for _, cl := range s.Body.List {
				if cc, ok := cl.(*ast.CaseClause); ok && (c.f.terminates(&ast.BlockStmt{List: cc.Body}) || c.assigns(&ast.BlockStmt{List: cc.Body})) {
					for _, e := range cc.List {
						c.holds(e, false)
					}
				}
			}
		case *ast.AssignStmt:
			for i, lhs := range s.Lhs {
				if i < len(s.Rhs) && len(s.Lhs) == len(s.Rhs) && c.f.mentions(lhs, c.x) {
					c.clamp(s.Rhs[i]) // n = min(n, max)
				}
			}
		}
	}
}

// assigns reports whether block assigns one of the atoms, as a clamp does.
func (c *checker) assigns(block *ast.BlockStmt) (found bool) {
	ast.Inspect(block, func(n ast.Node) bool {
		if as, ok := n.(*ast.AssignStmt); ok {
			for _, lhs := range as.Lhs {
				found = found || c.f.mentions(lhs, c.x)
			}
		}
		return !found
	})
	return found
}

// terminates reports whether a block ends by leaving: a return, a branch, a panic or a call
// that does not return.
func (f *funcInfo) terminates(b *ast.BlockStmt) bool {
	if b == nil || len(b.List) == 0 {
		return false
	}
	switch s := b.List[len(b.List)-1].(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.BranchStmt:
		return s.Tok != token.FALLTHROUGH
	case *ast.BlockStmt:
		return f.terminates(s)
	case *ast.IfStmt:
		if e, ok := s.Else.(*ast.BlockStmt); ok {
			return f.terminates(s.Body) && f.terminates(e)
		}
		if e, ok := s.Else.(*ast.IfStmt); ok {
			return f.terminates(s.Body) && f.terminates(&ast.BlockStmt{List: []ast.Stmt{e}})
		}
	case *ast.ExprStmt:
		call, ok := ast.Unparen(s.X).(*ast.CallExpr)
		return ok && f.noReturn(call)
	}
	return false
}

// noReturn reports calls that do not return: panic, os.Exit, log.Fatal*, log.Panic*,
// runtime.Goexit, and testing's Fatal*, FailNow and Skip*.
func (f *funcInfo) noReturn(call *ast.CallExpr) bool {
	info := f.pass.TypesInfo
	if isBuiltin(info, call.Fun, "panic") {
		return true
	}
	var id *ast.Ident
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		id = fun
	case *ast.SelectorExpr:
		id = fun.Sel
	}
	fn, _ := info.Uses[id].(*types.Func)
	if fn == nil || fn.Pkg() == nil {
		return false
	}
	name := fn.Name()
	switch fn.Pkg().Path() {
	case "os":
		return name == "Exit"
	case "runtime":
		return name == "Goexit"
	case "log":
		return len(name) >= 5 && (name[:5] == "Fatal" || name[:5] == "Panic")
	case "testing":
		return name == "FailNow" || len(name) >= 4 && name[:4] == "Skip" || len(name) >= 5 && name[:5] == "Fatal"
	}
	return false
}

// walk is ast.Inspect that also hands f the nodes enclosing n, outermost first.
func walk(root ast.Node, f func(n ast.Node, stack []ast.Node) bool) {
	var stack []ast.Node
	ast.Inspect(root, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if !f(n, stack) {
			return false
		}
		stack = append(stack, n)
		return true
	})
}
