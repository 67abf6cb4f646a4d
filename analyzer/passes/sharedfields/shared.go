package sharedfields

// The goroutine-shared category: state that a goroutine and other code both
// reach, so that a full scan reads the plain functions of a data race too.

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// A use is one access of a field of a tracked struct type or of a package
// variable, in a function of the package.
type use struct {
	node   ast.Node      // the selector or identifier
	name   string        // as written: s.items, cache
	decl   *ast.FuncDecl // the function it is in
	goPos  token.Pos     // the go statement that runs it; NoPos outside goroutines
	where  string        // "(*S).flush", "a goroutine in (*S).Start", "(*S).loop, run by go in (*S).Start"
	write  bool
	locked bool // a mutex is held here, or the method runs under its caller's lock
}

// reportShared reports, in every function, the first unlocked access of each
// field or package variable that a goroutine also accesses while code outside
// goroutines accesses it too, when something writes it outside constructors.
// A goroutine that signals its end (close, send, WaitGroup.Done) does not
// count: its starter may wait for it, as goroutine-write assumes too.
func (s *state) reportShared(r *astx.Reporter, inspect *inspector.Inspector) {
	info := s.pass.TypesInfo
	decls := make(map[*types.Func]*ast.FuncDecl)
	for cur := range inspect.Root().Preorder((*ast.FuncDecl)(nil)) {
		decl := cur.Node().(*ast.FuncDecl)
		if fn, ok := info.Defs[decl.Name].(*types.Func); ok {
			decls[fn] = decl
		}
	}
	// Functions of the package that a go statement starts: go s.loop(), go worker(ch).
	type start struct {
		pos token.Pos
		in  *ast.FuncDecl
	}
	started := make(map[*ast.FuncDecl]start)
	for cur := range inspect.Root().Preorder((*ast.GoStmt)(nil)) {
		fn, _ := typeutil.Callee(info, cur.Node().(*ast.GoStmt).Call).(*types.Func)
		decl := decls[funcOrigin(fn)]
		if decl == nil || decl.Body == nil || signalsEnd(info, decl.Body) {
			continue // not ours, or its starter may wait for it
		}
		if _, ok := started[decl]; !ok {
			for f := range cur.Enclosing((*ast.FuncDecl)(nil)) {
				started[decl] = start{cur.Node().Pos(), f.Node().(*ast.FuncDecl)}
				break
			}
		}
	}

	uses := make(map[types.Object][]use)
	var order []types.Object
	for cur := range inspect.Root().Preorder((*ast.FuncDecl)(nil)) {
		decl := cur.Node().(*ast.FuncDecl)
		if decl.Body == nil || s.ctors[decl] || decl.Recv == nil && decl.Name.Name == "init" {
			continue
		}
		for c := range cur.Preorder((*ast.SelectorExpr)(nil), (*ast.Ident)(nil)) {
			obj, name := s.sharedObj(c)
			if obj == nil {
				continue
			}
			u := use{node: c.Node(), name: name, decl: decl, where: funcName(decl), write: astx.IsWrite(info, c, nil),
				locked: s.guardAt(c) != "" || s.trusted[decl] || inCallback(c)}
			if lit, ok := goroutineLit(c); ok {
				if signalsEnd(info, lit.Node().(*ast.FuncLit).Body) {
					continue // its starter may wait for it before reading
				}
				u.goPos, u.where = lit.Parent().Parent().Node().Pos(), "a goroutine in "+funcName(decl)
			} else if st, ok := started[decl]; ok {
				u.goPos, u.where = st.pos, funcName(decl)+", run by go in "+funcName(st.in)
			}
			if uses[obj] == nil {
				order = append(order, obj)
			}
			uses[obj] = append(uses[obj], u)
		}
	}

	for _, obj := range order {
		us := uses[obj]
		var inGo, outside, written *use
		for i := range us {
			u := &us[i]
			if u.goPos.IsValid() && inGo == nil {
				inGo = u
			}
			if !u.goPos.IsValid() && outside == nil {
				outside = u
			}
			if u.write && written == nil {
				written = u
			}
		}
		if inGo == nil || outside == nil || written == nil {
			continue
		}
		reported := make(map[string]bool) // per function and side
		for i := range us {
			u := &us[i]
			key := u.where
			if u.locked || reported[key] || r.Reported(u.node.Pos()) {
				continue // a stronger category of this pass may have seen the line
			}
			reported[key] = true
			// Name an access of the other side, a write if there is one.
			var other *use
			for j := range us {
				o := &us[j]
				if o.goPos.IsValid() != u.goPos.IsValid() && (other == nil || o.write && !other.write) {
					other = o
				}
			}
			verb := "read"
			if other.write {
				verb = "written"
			}
			if u.goPos.IsValid() {
				r.Report(u.node, "goroutine-shared", "%s is accessed here in %s without a lock, and %s outside goroutines in %s (line %d)",
					u.name, u.where, verb, other.where, r.Line(other.node.Pos()))
			} else {
				r.Report(u.node, "goroutine-shared", "%s is accessed here without a lock, and %s in %s (line %d)",
					u.name, verb, other.where, r.Line(other.node.Pos()))
			}
		}
	}
}

// sharedObj returns what the node at c accesses, when it is a field of a
// struct type the package declares (not of a sync type) or a package
// variable (not of a sync type), with its spelling.
func (s *state) sharedObj(c inspector.Cursor) (types.Object, string) {
	info := s.pass.TypesInfo
	switch n := c.Node().(type) {
	case *ast.SelectorExpr:
		sel := info.Selections[n]
		if sel == nil || sel.Kind() != types.FieldVal {
			return nil, ""
		}
		field := sel.Obj().(*types.Var).Origin()
		if astx.IsSyncType(field.Type()) || s.tracked(info.TypeOf(n.X)) == nil || astx.LeadsToLock(info, c) {
			return nil, ""
		}
		return field, types.ExprString(n)
	case *ast.Ident:
		v, ok := info.Uses[n].(*types.Var)
		if !ok || v.Parent() != s.pass.Pkg.Scope() || astx.IsSyncType(v.Type()) || astx.LeadsToLock(info, c) {
			return nil, ""
		}
		return v, n.Name
	}
	return nil, ""
}

// inCallback reports whether c lies in a function literal handed to a call
// (not a go statement's): the callee may hold a lock while it runs it, as
// an update(func(s *state) { ... }) under a mutex does, so "without a lock"
// would not be known to be true.
func inCallback(c inspector.Cursor) bool {
	for f := range c.Enclosing((*ast.FuncLit)(nil)) {
		if isGoLit(f) {
			return false
		}
		if call, ok := f.Parent().Node().(*ast.CallExpr); ok && call.Fun != f.Node() {
			return true
		}
	}
	return false
}
