package lockcheck

// Naming locks: which mutex a call locks, as a key comparable across the
// statements of a function, and across a call by substituting arguments.

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/types/typeutil"
)

// A lockKey names a mutex within one function: a variable (a local, a
// parameter, the receiver, a package variable) and a path of fields and
// constant or variable indices from it. Pointer indirections are ignored,
// so s.mu, (&s.mu) and (*s).mu are one key. An embedded mutex locked
// through a promoted method (s.Lock()) is s.Mutex.
type lockKey struct {
	root types.Object
	path string // ".mu", ".inner.Mutex", "[i#3].mu"; "" for the variable itself
}

func (k lockKey) valid() bool { return k.root != nil }

// indexed reports whether the key goes through an index: a[i].mu names
// another mutex once i changes.
func (k lockKey) indexed() bool { return strings.Contains(k.path, "[") }

// String is the key as a reader would write it: "s.mu", "a[i].mu".
func (k lockKey) String() string {
	if k.root == nil {
		return "?"
	}
	name := k.root.Name()
	if v, ok := k.root.(*types.Var); ok && !v.IsField() && v.Pkg() != nil && v.Parent() == v.Pkg().Scope() {
		name = v.Pkg().Name() + "." + name
	}
	var b strings.Builder
	b.WriteString(name)
	for i := 0; i < len(k.path); i++ {
		if k.path[i] == '#' { // drop the object number of an index variable
			for i+1 < len(k.path) && k.path[i+1] >= '0' && k.path[i+1] <= '9' {
				i++
			}
			continue
		}
		b.WriteByte(k.path[i])
	}
	return b.String()
}

// synced returns the key that marks a call which took and released k:
// not a lock held, but a point ordered after the other holders of k.
func (k lockKey) synced() lockKey { return lockKey{k.root, k.path + "~"} }

// pseudo reports whether k is a synced mark rather than a lock.
func (k lockKey) pseudo() bool {
	return strings.HasSuffix(k.path, "~") || strings.HasSuffix(k.path, "~L")
}

// hasPrefix reports whether k is p or lies inside it: s.conn.mu inside s.conn.
func (k lockKey) hasPrefix(p lockKey) bool {
	if k.root != p.root || !strings.HasPrefix(k.path, p.path) {
		return false
	}
	rest := k.path[len(p.path):]
	return rest == "" || rest[0] == '.' || rest[0] == '['
}

// extend returns the key of the field or index path p inside k.
func (k lockKey) extend(p string) lockKey { return lockKey{k.root, k.path + p} }

// keyOf returns the key of the value e denotes, or an invalid key when e
// is not a variable, field or index path (a call result, a map lookup).
func (c *checker) keyOf(e ast.Expr) lockKey {
	switch x := ast.Unparen(e).(type) {
	case *ast.StarExpr:
		return c.keyOf(x.X)
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return c.keyOf(x.X)
		}
	case *ast.Ident:
		if v, ok := c.info.ObjectOf(x).(*types.Var); ok {
			return lockKey{root: v}
		}
	case *ast.SelectorExpr:
		sel := c.info.Selections[x]
		if sel == nil { // a qualified identifier: pkg.mu
			if v, ok := c.info.Uses[x.Sel].(*types.Var); ok {
				return lockKey{root: v}
			}
			return lockKey{}
		}
		if sel.Kind() != types.FieldVal {
			return lockKey{}
		}
		base := c.keyOf(x.X)
		if !base.valid() {
			return lockKey{}
		}
		return base.extend(fieldPath(sel.Recv(), sel.Index()))
	case *ast.IndexExpr:
		if _, ok := c.info.TypeOf(x.X).Underlying().(*types.Map); ok {
			return lockKey{} // a map element is a copy
		}
		base := c.keyOf(x.X)
		if !base.valid() {
			return lockKey{}
		}
		if tv, ok := c.info.Types[x.Index]; ok && tv.Value != nil {
			return base.extend("[" + tv.Value.ExactString() + "]")
		}
		if id, ok := ast.Unparen(x.Index).(*ast.Ident); ok {
			if obj := c.info.ObjectOf(id); obj != nil {
				return base.extend("[" + id.Name + "#" + strconv.Itoa(c.objID(obj)) + "]")
			}
		}
	}
	return lockKey{}
}

// fieldPath spells the fields that index selects from a value of type t,
// implicit embedded fields included: ".inner.Mutex".
func fieldPath(t types.Type, index []int) string {
	var b strings.Builder
	for _, i := range index {
		st, ok := deref(t).Underlying().(*types.Struct)
		if !ok || i >= st.NumFields() {
			break
		}
		f := st.Field(i)
		b.WriteString("." + f.Name())
		t = f.Type()
	}
	return b.String()
}

// lastField returns the field that index finally selects, or nil.
func lastField(t types.Type, index []int) *types.Var {
	var f *types.Var
	for _, i := range index {
		st, ok := deref(t).Underlying().(*types.Struct)
		if !ok || i >= st.NumFields() {
			return nil
		}
		f = st.Field(i)
		t = f.Type()
	}
	return f
}

func (c *checker) objID(obj types.Object) int {
	id, ok := c.ids[obj]
	if !ok {
		id = len(c.ids) + 1
		c.ids[obj] = id
	}
	return id
}

func deref(t types.Type) types.Type {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

// A lockOp is a call of Lock, Unlock, RLock or RUnlock on a sync.Mutex,
// sync.RWMutex or sync.Locker.
type lockOp struct {
	method string
	key    lockKey
	class  types.Object // the mutex field or package variable; nil for locals and parameters
}

func (o lockOp) acquires() bool { return o.method == "Lock" || o.method == "RLock" }
func (o lockOp) read() bool     { return o.method == "RLock" || o.method == "RUnlock" }

// mutexMethod returns the sync method that call calls, and the expression
// of the lock it is called on, handling promoted methods of embedded
// mutexes, (&mu).Lock() and (*sync.Mutex).Lock(&mu).
func (c *checker) mutexMethod(call *ast.CallExpr) (method string, x ast.Expr, sel *types.Selection, ok bool) {
	fn, _ := typeutil.Callee(c.info, call).(*types.Func)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "sync" || fn.Signature().Recv() == nil {
		return "", nil, nil, false
	}
	se, isSel := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !isSel {
		return "", nil, nil, false
	}
	switch n := astx.NamedOf(fn.Signature().Recv().Type()); {
	case n == nil:
		return "", nil, nil, false
	case n.Obj().Name() == "Mutex", n.Obj().Name() == "RWMutex", n.Obj().Name() == "Locker":
	case n.Obj().Name() == "Cond" && fn.Name() == "Wait":
	default:
		return "", nil, nil, false
	}
	s := c.info.Selections[se]
	if s != nil && s.Kind() == types.MethodExpr {
		if len(call.Args) == 0 {
			return "", nil, nil, false
		}
		return fn.Name(), call.Args[0], nil, true
	}
	return fn.Name(), se.X, s, true
}

// lockCall identifies a Lock, Unlock, RLock or RUnlock call and the lock.
func (c *checker) lockCall(call *ast.CallExpr) (lockOp, bool) {
	method, x, sel, ok := c.mutexMethod(call)
	switch method {
	case "Lock", "Unlock", "RLock", "RUnlock":
	default:
		return lockOp{}, false
	}
	if !ok {
		return lockOp{}, false
	}
	op := lockOp{method: method, key: c.keyOf(x)}
	if !op.key.valid() {
		return lockOp{}, false
	}
	// The class of the lock, for lock ordering: the field that holds it.
	if sel != nil && len(sel.Index()) > 1 { // promoted through embedded fields
		op.key = op.key.extend(fieldPath(sel.Recv(), sel.Index()[:len(sel.Index())-1]))
		if f := lastField(sel.Recv(), sel.Index()[:len(sel.Index())-1]); f != nil {
			op.class = f.Origin()
		}
	} else {
		op.class = c.classOf(x)
	}
	return op, true
}

// classOf returns the field or package variable that expression x, a
// mutex, names; nil for a local or a parameter.
func (c *checker) classOf(x ast.Expr) types.Object {
	switch e := ast.Unparen(x).(type) {
	case *ast.StarExpr:
		return c.classOf(e.X)
	case *ast.UnaryExpr:
		if e.Op == token.AND {
			return c.classOf(e.X)
		}
	case *ast.SelectorExpr:
		if sel := c.info.Selections[e]; sel != nil && sel.Kind() == types.FieldVal {
			return sel.Obj().(*types.Var).Origin()
		}
		if sel := c.info.Selections[e]; sel == nil {
			return c.info.Uses[e.Sel]
		}
	case *ast.Ident:
		if v, ok := c.info.ObjectOf(e).(*types.Var); ok && v.Pkg() != nil && v.Parent() == v.Pkg().Scope() {
			return v
		}
	}
	return nil
}

// isMutexType reports whether t, or what it points to, is a sync.Mutex or
// sync.RWMutex.
func isMutexType(t types.Type) bool {
	n := astx.NamedOf(t)
	if n == nil || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "sync" {
		return false
	}
	return n.Obj().Name() == "Mutex" || n.Obj().Name() == "RWMutex"
}
