package lockcheck

// Assignments: which variables and fields a function reassigns, so that a
// key names one mutex throughout, and which locals hold a value the
// function made, which no other goroutine can see yet.

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// findAssigned records the variables and fields that fn's body assigns.
func (c *checker) findAssigned(fn *function) {
	add := func(e ast.Expr) {
		if id, ok := ast.Unparen(e).(*ast.Ident); ok {
			if obj := c.info.Defs[id]; obj != nil {
				return // declared here, not reassigned
			}
		}
		if k := c.keyOf(e); k.valid() {
			fn.assigned = append(fn.assigned, k)
		}
	}
	ast.Inspect(fn.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return true // a closure may reassign a captured variable
		case *ast.AssignStmt:
			for _, l := range n.Lhs {
				add(l)
			}
		case *ast.IncDecStmt:
			add(n.X)
		case *ast.RangeStmt:
			if n.Tok == token.ASSIGN {
				if n.Key != nil {
					add(n.Key)
				}
				if n.Value != nil {
					add(n.Value)
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				if _, isLit := n.X.(*ast.CompositeLit); !isLit {
					if t := c.info.TypeOf(n.X); t != nil && !isMutexType(t) {
						add(n.X) // its address may be written through
					}
				}
			}
		}
		return true
	})
}

// findFresh records the local variables of fn that hold a value made in
// fn, by a composite literal, new or a constructor (new*, New*), or a
// struct variable declared without a value, and assigned nothing else: no
// other goroutine can see them until fn shares them. Named results count:
// func Open() (db *DB, err error) { db = &DB{}; db.init(); ... }.
func (c *checker) findFresh(fn *function) {
	fn.fresh = make(map[types.Object]bool)
	var ftype *ast.FuncType
	if fn.lit != nil {
		ftype = fn.lit.Type
	} else {
		ftype = fn.decl.Type
	}
	if ftype.Results != nil {
		for _, f := range ftype.Results.List {
			for _, id := range f.Names {
				if obj := c.info.Defs[id]; obj != nil {
					fn.fresh[obj] = false // fresh once made
				}
			}
		}
	}
	spoiled := make(map[types.Object]bool)
	assign := func(id *ast.Ident, rhs ast.Expr) {
		obj := c.info.ObjectOf(id)
		if _, isResult := fn.fresh[obj]; !isResult && !c.localTo(fn, obj) {
			return
		}
		if rhs != nil && c.made(rhs) {
			fn.fresh[obj] = true
		} else {
			spoiled[obj] = true
		}
	}
	ast.Inspect(fn.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			// A closure that assigns a captured variable spoils it.
			ast.Inspect(n.Body, func(m ast.Node) bool {
				if as, ok := m.(*ast.AssignStmt); ok {
					for _, l := range as.Lhs {
						if id, ok := ast.Unparen(l).(*ast.Ident); ok {
							spoiled[c.info.ObjectOf(id)] = true
						}
					}
				}
				return true
			})
			return false
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				id, ok := ast.Unparen(l).(*ast.Ident)
				if !ok {
					continue
				}
				var rhs ast.Expr
				if len(n.Lhs) == len(n.Rhs) && n.Tok != token.ADD_ASSIGN && n.Tok != token.SUB_ASSIGN {
					rhs = n.Rhs[i]
				}
				assign(id, rhs)
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				obj := c.info.Defs[id]
				switch {
				case obj == nil:
				case len(n.Names) == len(n.Values):
					assign(id, n.Values[i])
				case len(n.Values) == 0:
					if _, isStruct := obj.Type().Underlying().(*types.Struct); isStruct {
						fn.fresh[obj] = true // var d DB: a zero value of its own
					}
				default:
					spoiled[obj] = true
				}
			}
		case *ast.RangeStmt:
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if id, ok := e.(*ast.Ident); ok {
					assign(id, nil)
				}
			}
		case *ast.IncDecStmt:
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok {
				assign(id, nil)
			}
		}
		return true
	})
	for obj, ok := range fn.fresh {
		if !ok || spoiled[obj] {
			delete(fn.fresh, obj)
		}
	}
}

// made reports whether e makes a new value: &T{...}, T{...}, new(T),
// newT(...), NewT(...).
func (c *checker) made(e ast.Expr) bool {
	e = ast.Unparen(e)
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
		_, ok := ast.Unparen(u.X).(*ast.CompositeLit)
		return ok
	}
	switch e := e.(type) {
	case *ast.CompositeLit:
		return true
	case *ast.CallExpr:
		var name string
		switch f := ast.Unparen(e.Fun).(type) {
		case *ast.Ident:
			name = f.Name
		case *ast.SelectorExpr:
			name = f.Sel.Name
		}
		return strings.HasPrefix(name, "new") || strings.HasPrefix(name, "New")
	}
	return false
}

// stable reports whether key k names the same mutex wherever fn uses it:
// no index, and nothing on its path reassigned in fn.
func (fn *function) stable(k lockKey) bool {
	if k.indexed() {
		return false
	}
	for _, a := range fn.assigned {
		if k.hasPrefix(a) {
			return false
		}
	}
	return true
}
