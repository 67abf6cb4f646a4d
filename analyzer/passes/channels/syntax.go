package channels

// Syntax and type helpers of the channels analyzer.

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// cancels describes the receive of a select case that lets the select stop
// waiting (ctx.Done(), a chan struct{}, time.After, a comma-ok receive), and
// whether it is a Done() channel; "" if the case is not one.
func cancels(info *types.Info, comm ast.Stmt) (desc string, isDone bool) {
	u, commaOK := recvOf(comm)
	if u == nil {
		return "", false
	}
	desc = types.ExprString(u)
	if call, ok := ast.Unparen(u.X).(*ast.CallExpr); ok {
		if fn := astx.CalleeFunc(info, call); fn != nil {
			if fn.Name() == "Done" && fn.Signature().Recv() != nil && len(call.Args) == 0 {
				return desc, true
			}
			if fn.Pkg() != nil && fn.Pkg().Path() == "time" && fn.Name() == "After" {
				return desc, false
			}
		}
	}
	if ch, ok := chanType(info, u.X); ok {
		if s, ok := ch.Elem().Underlying().(*types.Struct); ok && s.NumFields() == 0 {
			return desc, false
		}
	}
	if commaOK {
		return desc, false
	}
	return "", false
}

func recvOf(comm ast.Stmt) (recv *ast.UnaryExpr, commaOK bool) {
	var x ast.Expr
	switch s := comm.(type) {
	case *ast.ExprStmt:
		x = s.X
	case *ast.AssignStmt:
		if len(s.Rhs) == 1 {
			x, commaOK = s.Rhs[0], len(s.Lhs) == 2
		}
	}
	if u, ok := ast.Unparen(x).(*ast.UnaryExpr); ok && u.Op == token.ARROW {
		return u, commaOK
	}
	return nil, false
}

// commString describes a select case's communication: "<-ctx.Done()", "out <- v".
func commString(comm ast.Stmt) string {
	if u, _ := recvOf(comm); u != nil {
		return types.ExprString(u)
	}
	if s, ok := comm.(*ast.SendStmt); ok {
		return types.ExprString(s.Chan) + " <- " + types.ExprString(s.Value)
	}
	return "another case"
}

// commSelect returns the select whose case communication is the send or
// receive at cur.
func commSelect(cur inspector.Cursor) (*ast.SelectStmt, bool) {
	c, ok := commSelectCursor(cur)
	if !ok {
		return nil, false
	}
	return c.Node().(*ast.SelectStmt), true
}

func commSelectCursor(cur inspector.Cursor) (inspector.Cursor, bool) {
	stmt := cur
	if _, ok := cur.Node().(ast.Stmt); !ok {
		stmt = cur.Parent()
	}
	if cc, ok := stmt.Parent().Node().(*ast.CommClause); ok && cc.Comm == stmt.Node() {
		return stmt.Parent().Parent().Parent(), true // CommClause, BlockStmt, SelectStmt
	}
	return inspector.Cursor{}, false
}

func hasDefault(sel *ast.SelectStmt) bool {
	for _, s := range sel.Body.List {
		if s.(*ast.CommClause).Comm == nil {
			return true
		}
	}
	return false
}

// leaves reports whether stmts hold a return, goto, labeled break or panic.
func leaves(info *types.Info, stmts []ast.Stmt) bool {
	found := false
	for _, s := range stmts {
		ast.Inspect(s, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				found = true
			case *ast.BranchStmt:
				found = n.Tok == token.GOTO || n.Tok == token.BREAK && n.Label != nil
			case *ast.CallExpr:
				found = builtin(info, n) == "panic"
			}
			return !found
		})
	}
	return found
}

// leavesLoop reports whether statement s leaves loop.
func leavesLoop(info *types.Info, s inspector.Cursor, loop ast.Node) bool {
	switch n := s.Node().(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.ExprStmt:
		call, ok := n.X.(*ast.CallExpr)
		return ok && builtin(info, call) == "panic"
	case *ast.BranchStmt:
		if n.Tok == token.GOTO || n.Tok == token.BREAK && n.Label != nil {
			return true
		}
		if n.Tok == token.BREAK {
			for c := range s.Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.SwitchStmt)(nil),
				(*ast.TypeSwitchStmt)(nil), (*ast.SelectStmt)(nil)) {
				return c.Node() == loop
			}
		}
	}
	return false
}

// flagGuarded reports whether a statement beside stmt assigns a bool flag or
// the channel itself: if !closed { close(ch); closed = true }, or close(ch); ch = nil.
func flagGuarded(info *types.Info, stmt inspector.Cursor, key string) bool {
	for _, step := range []func(inspector.Cursor) (inspector.Cursor, bool){inspector.Cursor.PrevSibling, inspector.Cursor.NextSibling} {
		for c, ok := step(stmt); ok; c, ok = step(c) {
			a, ok := c.Node().(*ast.AssignStmt)
			if !ok || a.Tok != token.ASSIGN {
				continue
			}
			for _, lhs := range a.Lhs {
				if b, ok := info.TypeOf(lhs).Underlying().(*types.Basic); ok && b.Kind() == types.Bool ||
					types.ExprString(ast.Unparen(lhs)) == key {
					return true
				}
			}
		}
	}
	return false
}

// madeChans returns the channel expressions fn assigns a make(chan) to.
func madeChans(info *types.Info, fn ast.Node) map[string]bool {
	made := make(map[string]bool)
	add := func(lhs ast.Expr, rhs ast.Expr) {
		if call, ok := ast.Unparen(rhs).(*ast.CallExpr); ok && builtin(info, call) == "make" {
			made[types.ExprString(ast.Unparen(lhs))] = true
		}
	}
	ast.Inspect(fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for i := range n.Lhs {
					add(n.Lhs[i], n.Rhs[i])
				}
			}
		case *ast.ValueSpec:
			if len(n.Names) == len(n.Values) {
				for i := range n.Names {
					add(n.Names[i], n.Values[i])
				}
			}
		}
		return true
	})
	return made
}

// goroutineFuncs returns the function literals and declarations this package runs as goroutines.
func goroutineFuncs(pass *analysis.Pass, inspect *inspector.Inspector) map[ast.Node]bool {
	decls := make(map[*types.Func]*ast.FuncDecl)
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					decls[fn] = fd
				}
			}
		}
	}
	funcs := make(map[ast.Node]bool)
	for cur := range inspect.Root().Preorder((*ast.GoStmt)(nil), (*ast.CallExpr)(nil)) {
		var fun ast.Expr
		switch n := cur.Node().(type) {
		case *ast.GoStmt:
			fun = n.Call.Fun
			if fn := typeutil.StaticCallee(pass.TypesInfo, n.Call); fn != nil && decls[fn.Origin()] != nil {
				funcs[decls[fn.Origin()]] = true
			}
		case *ast.CallExpr:
			fn := astx.CalleeFunc(pass.TypesInfo, n)
			if len(n.Args) == 1 && (astx.IsMethod(fn, "golang.org/x/sync/errgroup", "Group", "Go") || astx.IsMethod(fn, "sync", "WaitGroup", "Go")) {
				fun = n.Args[0]
			}
		}
		if lit, ok := ast.Unparen(fun).(*ast.FuncLit); ok {
			funcs[lit] = true
		}
	}
	return funcs
}

func enclosingFunc(cur inspector.Cursor) ast.Node {
	for c := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		return c.Node()
	}
	return nil
}

// enclosingLoop returns the innermost loop around cur within its function.
func enclosingLoop(cur inspector.Cursor) (ast.Node, bool) {
	for c := range cur.Enclosing() {
		switch n := c.Node().(type) {
		case *ast.FuncLit, *ast.FuncDecl:
			return nil, false
		case *ast.ForStmt, *ast.RangeStmt:
			if c != cur {
				return n, true
			}
		}
	}
	return nil, false
}

// mentionsDeclaredIn reports whether e refers to a variable declared inside n.
func mentionsDeclaredIn(info *types.Info, e ast.Expr, n ast.Node) bool {
	found := false
	ast.Inspect(e, func(x ast.Node) bool {
		if id, ok := x.(*ast.Ident); ok {
			if obj := info.Uses[id]; obj != nil && n.Pos() <= obj.Pos() && obj.Pos() < n.End() {
				found = true
			}
		}
		return !found
	})
	return found
}

func isExprStmt(c inspector.Cursor) bool {
	_, ok := c.Node().(*ast.ExprStmt)
	return ok
}

func isUnbufferedMake(info *types.Info, e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || builtin(info, call) != "make" {
		return false
	}
	_, isChan := chanType(info, call)
	return isChan && (len(call.Args) == 1 || isZero(info, call.Args[1]))
}

func chanType(info *types.Info, e ast.Expr) (*types.Chan, bool) {
	t := info.TypeOf(e)
	if t == nil {
		return nil, false
	}
	ch, ok := t.Underlying().(*types.Chan)
	return ch, ok
}

func isZero(info *types.Info, e ast.Expr) bool {
	tv := info.Types[e]
	return tv.Value != nil && constant.Sign(tv.Value) == 0
}

// objOf returns the variable a plain identifier expression names, or nil.
func objOf(info *types.Info, e ast.Expr) types.Object {
	if id, ok := ast.Unparen(e).(*ast.Ident); ok {
		if v, ok := info.ObjectOf(id).(*types.Var); ok {
			return v
		}
	}
	return nil
}

func builtin(info *types.Info, call *ast.CallExpr) string {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := info.Uses[id].(*types.Builtin); ok {
			return b.Name()
		}
	}
	return ""
}

// reporter reports once per line and category.
type reporter struct{ *astx.Reporter }
