package lockcheck

// Field accesses: what the syntax and the types say of one access (atomic,
// a path to a lock, a sub-field) and of a field's type (one that
// synchronizes itself).

import (
	"go/ast"
	"go/types"
	"path"
	"slices"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// atomicArg reports whether the field selected at cur is passed by
// address to a sync/atomic function: atomic.AddInt64(&c.n, 1).
func atomicArg(info *types.Info, cur inspector.Cursor) bool {
	u, ok := cur.Parent().Node().(*ast.UnaryExpr)
	if !ok {
		return false
	}
	call, ok := cur.Parent().Parent().Node().(*ast.CallExpr)
	if !ok || !slices.Contains(call.Args, ast.Expr(u)) {
		return false
	}
	fn := typeutil.StaticCallee(info, call)
	return fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "sync/atomic"
}

// subPath spells the fields selected, through struct values, on the field
// selected at cur: ".timeout" for s.opts.timeout, "" for s.opts. Two
// accesses of one field touch the same variable only if one path is a
// prefix of the other.
func subPath(info *types.Info, cur inspector.Cursor) string {
	var b strings.Builder
	for {
		if _, ptr := types.Unalias(info.TypeOf(cur.Node().(ast.Expr))).(*types.Pointer); ptr {
			break // what it points to is another variable
		}
		p := cur.Parent()
		se, ok := p.Node().(*ast.SelectorExpr)
		if !ok || se.X != cur.Node() {
			break
		}
		sel := info.Selections[se]
		if sel == nil || sel.Kind() != types.FieldVal {
			break
		}
		b.WriteString(fieldPath(sel.Recv(), sel.Index()))
		cur = p
	}
	return b.String()
}

// sub returns the sub-path of the access r.
func (c *checker) sub(r accessRec) string {
	return c.accesses[r.ev.node.(*ast.SelectorExpr)].sub
}

// overlap reports whether two sub-paths of a field touch the same variable.
func overlap(a, b string) bool {
	return a == b || strings.HasPrefix(a, b+".") || strings.HasPrefix(b, a+".") || a == "" || b == ""
}

// selfSynced reports whether values of type t synchronize their own
// methods: sync and sync/atomic types, types of packages named for them
// (go.uber.org/atomic, grpcsync), structs holding such values (a typed
// wrapper of sync.Map, a struct with its own mutex), and types of this
// package whose methods use sync/atomic on their receiver.
func (c *checker) selfSynced(t types.Type) bool {
	n := astx.NamedOf(t)
	if n == nil {
		return false
	}
	if pkg := n.Obj().Pkg(); pkg != nil {
		last := path.Base(pkg.Path())
		if pkg.Path() == "sync" || strings.Contains(last, "atomic") || strings.HasSuffix(last, "sync") {
			return true
		}
	}
	return c.atomicTypes[n.Origin().Obj()] || holdsSync(n.Underlying(), 3)
}

// holdsSync reports whether a struct type has a field of a sync or
// sync/atomic type, directly or in struct fields at most depth down.
func holdsSync(t types.Type, depth int) bool {
	st, ok := t.(*types.Struct)
	if !ok || depth < 0 {
		return false
	}
	for i := range st.NumFields() {
		ft := st.Field(i).Type()
		if astx.IsSyncType(ft) || holdsSync(ft.Underlying(), depth-1) {
			return true
		}
	}
	return false
}

// findAtomicTypes records the types of the package whose methods call a
// sync/atomic function: type flag struct{ v int32 } with Set storing v
// atomically.
func (c *checker) findAtomicTypes() {
	c.atomicTypes = make(map[*types.TypeName]bool)
	for cur := range c.insp.Root().Preorder((*ast.FuncDecl)(nil)) {
		decl := cur.Node().(*ast.FuncDecl)
		recv := recvVar(c.info, decl)
		if recv == nil {
			continue
		}
		n := astx.NamedOf(recv.Type())
		if n == nil || c.atomicTypes[n.Obj()] {
			continue
		}
		for cc := range cur.Preorder((*ast.CallExpr)(nil)) {
			fn := typeutil.StaticCallee(c.info, cc.Node().(*ast.CallExpr))
			if fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "sync/atomic" {
				c.atomicTypes[n.Obj()] = true
				break
			}
		}
	}
}
