package astx

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ast/inspector"
)

// IsWrite reports whether the value selected at cur (a field selection, as
// c.n) is assigned, incremented, deleted from, or changed through a pointer
// method: c.n++, c.m[k] = v, delete(c.m, k), c.buf.WriteString(s). Writes
// through a pointer (c.conn.closed = true, *c.p = 1) change another value,
// not this one, and so does what happens through its address (&c.n). A
// method call on a value whose type safe accepts is no write: a type that
// synchronizes itself (a wrapper of sync.Map, an atomic flag) guards its own
// writes. safe may be nil.
func IsWrite(info *types.Info, cur inspector.Cursor, safe func(types.Type) bool) bool {
	for {
		p := cur.Parent()
		t := info.TypeOf(cur.Node().(ast.Expr))
		_, ptr := types.Unalias(t).(*types.Pointer)
		switch n := p.Node().(type) {
		case *ast.ParenExpr:
		case *ast.StarExpr:
			if ptr {
				return false
			}
		case *ast.IndexExpr:
			if n.X != cur.Node() || ptr {
				return false
			}
		case *ast.SelectorExpr:
			if sel := info.Selections[n]; sel != nil && sel.Kind() == types.MethodVal {
				if safe != nil && safe(t) {
					return false
				}
				_, ptrRecv := sel.Obj().(*types.Func).Signature().Recv().Type().(*types.Pointer)
				return ptrRecv && !ptr
			}
			if ptr {
				return false
			}
		case *ast.AssignStmt:
			return slices.Contains(n.Lhs, cur.Node().(ast.Expr))
		case *ast.IncDecStmt:
			return true
		case *ast.CallExpr:
			id, _ := ast.Unparen(n.Fun).(*ast.Ident)
			b, ok := info.Uses[id].(*types.Builtin)
			return ok && (b.Name() == "delete" || b.Name() == "clear") && len(n.Args) > 0 && n.Args[0] == cur.Node()
		default:
			return false // &c.n among them: what happens through the pointer is not seen
		}
		cur = p
	}
}

// FieldPath splits e, a variable and a chain of field selections, into the
// variable and the path of field names as written: s.done is (s, ".done"),
// wg is (wg, ""). Pointer indirections are looked through (*p, (*s).done),
// and so is taking an address (&s.wg) when addr is set. ok is false for
// anything else: a call, an index, a method value, a qualified identifier.
func FieldPath(info *types.Info, e ast.Expr, addr bool) (v *types.Var, path string, ok bool) {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			v, ok := info.Uses[x].(*types.Var)
			if !ok {
				return nil, "", false
			}
			return v, path, true
		case *ast.SelectorExpr:
			sel, ok := info.Selections[x]
			if !ok || sel.Kind() != types.FieldVal {
				return nil, "", false
			}
			path = "." + x.Sel.Name + path
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.UnaryExpr:
			if !addr || x.Op != token.AND {
				return nil, "", false
			}
			e = x.X
		default:
			return nil, "", false
		}
	}
}

// LeadsToLock reports whether the field selected at cur leads to a lock, as
// c.cc in c.cc.mu.Lock(): reaching a mutex is not an access it guards.
func LeadsToLock(info *types.Info, cur inspector.Cursor) bool {
	for p := cur.Parent(); ; cur, p = p, p.Parent() {
		sel, ok := p.Node().(*ast.SelectorExpr)
		if !ok || sel.X != cur.Node() {
			return false
		}
		if selection := info.Selections[sel]; selection != nil {
			if fn, ok := selection.Obj().(*types.Func); ok && fn.Pkg() != nil && fn.Pkg().Path() == "sync" {
				return true // a promoted method of an embedded mutex
			}
			if selection.Kind() == types.FieldVal && IsSyncType(selection.Obj().Type()) {
				return true
			}
		}
	}
}

// IsSyncType reports whether t, or what it points to, is a type of sync or
// sync/atomic: a value that synchronizes itself.
func IsSyncType(t types.Type) bool {
	n := NamedOf(t)
	if n == nil || n.Obj().Pkg() == nil {
		return false
	}
	path := n.Obj().Pkg().Path()
	return path == "sync" || path == "sync/atomic"
}
