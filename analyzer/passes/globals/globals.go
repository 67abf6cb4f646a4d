// Package globals defines an Analyzer that reports risk signals around package-level mutable state:
// package variables written after initialisation, above all maps and slices mutated where code runs
// concurrently.
package globals

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report writes to package-level variables as risk signals

A package variable counts when its type is not from sync or sync/atomic. Writes in init, in main of
package main, in package-level initialisers (also immediately called function literals there) and in
functions run by sync.Once, OnceFunc, OnceValue or OnceValues set up state once and stay quiet; so does everything in _test.go files, where
tests commonly swap package variables. Apart from global-write, one signal per function, variable and category.

global-write (use with risk): package variables assigned (whole, or a field of them) in another
function; one signal per function, at its first such write.

global-write-concurrent (risky): a package variable mutated — a map or slice element written, an append
to it, delete, clear, ++ or op= — in code that likely runs concurrently (a method, an HTTP handler, a
function that starts goroutines, or a goroutine's function literal) and that locks no sync.Mutex or
RWMutex before the write.

global-map-unlocked (risky): a package-level map both read and written outside initialisation in a
package that never locks a sync.Mutex or sync.RWMutex. Reported once per map, at its first write.`

// Signals maps each category this pass reports to its weight (see CONTRACT.md for the scale).
var Signals = map[string]float64{
	"global-write":            4,
	"global-write-concurrent": 7,
	"global-map-unlocked":     6,
}

var Analyzer = &analysis.Analyzer{
	Name:     "globals",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/globals",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

type key struct {
	fn       ast.Node
	v        *types.Var
	category string
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	info := pass.TypesInfo
	once := runOnce(pass, insp)
	seen := map[key]bool{}
	plain := map[ast.Node][]*ast.Ident{}      // plain writes per function, one per variable
	var fns []ast.Node                        // keys of plain in source order
	firstWrite := map[*types.Var]*ast.Ident{} // maps only
	var maps []*types.Var                     // keys of firstWrite in source order
	read := map[*types.Var]bool{}
	for c := range insp.Root().Preorder((*ast.Ident)(nil)) {
		id := c.Node().(*ast.Ident)
		v, ok := info.Uses[id].(*types.Var)
		if !ok || v.Parent() != pass.Pkg.Scope() || isSync(v.Type()) || isTestFile(pass, id.Pos()) || isTestFile(pass, v.Pos()) {
			continue
		}
		fn, setup := function(pass, c, once)
		if setup {
			continue
		}
		write, mutate := access(info, c, v)
		_, isMap := v.Type().Underlying().(*types.Map)
		if !write {
			read[v] = read[v] || isMap
			continue
		}
		if isMap && firstWrite[v] == nil {
			firstWrite[v] = id
			maps = append(maps, v)
		}
		category, why := "global-write", ""
		if mutate && !lockedBefore(info, c) {
			if why = concurrent(info, c); why != "" {
				category = "global-write-concurrent"
			}
		}
		if k := (key{fn, v, category}); !seen[k] {
			seen[k] = true
			if why != "" {
				report(pass, id, category, "package variable %s mutated in %s", v.Name(), why)
			} else {
				if plain[fn] == nil {
					fns = append(fns, fn)
				}
				plain[fn] = append(plain[fn], id)
			}
		}
	}
	// One global-write per function: a setup function that assigns twenty flags is one place to look.
	for _, fn := range fns {
		ids := plain[fn]
		names := ids[0].Name
		for i, id := range ids[1:] {
			if i == 3 {
				names += fmt.Sprintf(" and %d more", len(ids)-4)
				break
			}
			names += ", " + id.Name
		}
		report(pass, ids[0], "global-write", "package variable %s written outside initialisation", names)
	}
	if !locksMutex(info) {
		for _, v := range maps {
			if read[v] {
				report(pass, firstWrite[v], "global-map-unlocked", "package map %s is read and written after initialisation and the package has no mutex", v.Name())
			}
		}
	}
	return nil, nil
}

func isTestFile(pass *analysis.Pass, pos token.Pos) bool {
	f := pass.Fset.File(pos)
	return f != nil && strings.HasSuffix(f.Name(), "_test.go")
}

// function returns the outermost function around c, and whether c runs as setup: in init, main.main,
// a package-level initialiser or a function run by sync.Once (or OnceFunc, OnceValue), and not in a
// function literal kept for later (a handler registered in init, a goroutine started by main).
func function(pass *analysis.Pass, c inspector.Cursor, once map[ast.Node]bool) (fn ast.Node, setup bool) {
	later := false
	for e := range c.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		fn = e.Node()
		if lit, ok := fn.(*ast.FuncLit); ok {
			if once[lit] && !later {
				return fn, true
			}
			call, ok := e.Parent().Node().(*ast.CallExpr)
			later = later || !ok || call.Fun != lit
		}
	}
	switch fd := fn.(type) {
	case nil:
		return nil, true
	case *ast.FuncDecl:
		name := fd.Name.Name
		return fn, !later && (once[fd] || fd.Recv == nil && (name == "init" || name == "main" && pass.Pkg.Name() == "main"))
	}
	return fn, !later
}

// runOnce returns the function literals and declarations that the package hands to sync.Once.Do,
// sync.OnceFunc, OnceValue or OnceValues.
func runOnce(pass *analysis.Pass, insp *inspector.Inspector) map[ast.Node]bool {
	decls := map[types.Object]*ast.FuncDecl{}
	for c := range insp.Root().Preorder((*ast.FuncDecl)(nil)) {
		fd := c.Node().(*ast.FuncDecl)
		decls[pass.TypesInfo.Defs[fd.Name]] = fd
	}
	once := map[ast.Node]bool{}
	for c := range insp.Root().Preorder((*ast.CallExpr)(nil)) {
		call := c.Node().(*ast.CallExpr)
		fn, _ := typeutil.Callee(pass.TypesInfo, call).(*types.Func)
		if fn == nil || len(call.Args) != 1 || fn.Pkg() == nil || fn.Pkg().Path() != "sync" {
			continue
		}
		switch fn.FullName() {
		case "(*sync.Once).Do", "sync.OnceFunc", "sync.OnceValue", "sync.OnceValues":
			switch arg := ast.Unparen(call.Args[0]).(type) {
			case *ast.FuncLit:
				once[arg] = true
			case *ast.Ident:
				if fd := decls[pass.TypesInfo.Uses[arg]]; fd != nil {
					once[fd] = true
				}
			case *ast.SelectorExpr:
				if fd := decls[pass.TypesInfo.Uses[arg.Sel]]; fd != nil {
					once[fd] = true
				}
			}
		}
	}
	return once
}

// access tells whether the reference at c writes v, and whether the write mutates it in place or
// read-modify-writes it (element store, append, delete, clear, ++, op=).
func access(info *types.Info, c inspector.Cursor, v *types.Var) (write, mutate bool) {
	e, indexed := c, false
walk:
	for {
		switch n := e.Parent().Node().(type) {
		case *ast.SelectorExpr:
			if n.X != e.Node() {
				break walk
			}
		case *ast.IndexExpr:
			if n.X != e.Node() {
				break walk
			}
			indexed = true
		case *ast.StarExpr, *ast.ParenExpr:
		default:
			break walk
		}
		e = e.Parent()
	}
	switch n := e.Parent().Node().(type) {
	case *ast.AssignStmt:
		for i, lhs := range n.Lhs {
			if lhs == e.Node() {
				return true, indexed || n.Tok != token.ASSIGN || len(n.Rhs) == len(n.Lhs) && isAppendTo(info, n.Rhs[i], v)
			}
		}
	case *ast.IncDecStmt:
		return true, true
	case *ast.CallExpr:
		if b, ok := info.Uses[calleeIdent(n)].(*types.Builtin); ok && (b.Name() == "delete" || b.Name() == "clear") && len(n.Args) > 0 && n.Args[0] == e.Node() {
			return true, true
		}
	}
	return false, false
}

func calleeIdent(call *ast.CallExpr) *ast.Ident {
	id, _ := ast.Unparen(call.Fun).(*ast.Ident)
	return id
}

func isAppendTo(info *types.Info, e ast.Expr, v *types.Var) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok || len(call.Args) == 0 {
		return false
	}
	b, ok := info.Uses[calleeIdent(call)].(*types.Builtin)
	id, _ := ast.Unparen(call.Args[0]).(*ast.Ident)
	return ok && b.Name() == "append" && id != nil && info.Uses[id] == v
}

// concurrent describes why the code at c likely runs concurrently, or returns "".
func concurrent(info *types.Info, c inspector.Cursor) string {
	for e := range c.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		switch fn := e.Node().(type) {
		case *ast.FuncLit:
			if call, ok := e.Parent().Node().(*ast.CallExpr); ok && call.Fun == fn {
				if _, ok := e.Parent().Parent().Node().(*ast.GoStmt); ok {
					return "a goroutine"
				}
			}
			if isHandler(info, fn.Type) {
				return "an HTTP handler"
			}
		case *ast.FuncDecl:
			switch {
			case isHandler(info, fn.Type):
				return "HTTP handler " + fn.Name.Name
			case fn.Recv != nil:
				return "method " + fn.Name.Name
			case fn.Body != nil && startsGoroutine(fn.Body):
				return fn.Name.Name + ", which starts goroutines"
			}
		}
	}
	return ""
}

func startsGoroutine(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		_, ok := n.(*ast.GoStmt)
		found = found || ok
		return !found
	})
	return found
}

// isHandler reports whether typ has the parameters of an http.HandlerFunc.
func isHandler(info *types.Info, typ *ast.FuncType) bool {
	var w, r bool
	for _, f := range typ.Params.List {
		t := info.TypeOf(f.Type)
		w = w || isNamed(t, "net/http", "ResponseWriter")
		r = r || isNamed(t, "net/http", "Request")
	}
	return w && r
}

// lockedBefore reports whether the function around c, or one enclosing it (which may call a closure
// with the lock held), locks a sync.Mutex or sync.RWMutex before c.
func lockedBefore(info *types.Info, c inspector.Cursor) bool {
	var outer inspector.Cursor
	found := false
	for fn := range c.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		outer, found = fn, true
	}
	if !found {
		return false
	}
	for call := range outer.Preorder((*ast.CallExpr)(nil)) {
		if call.Node().Pos() < c.Node().Pos() && isLock(typeutil.Callee(info, call.Node().(*ast.CallExpr))) {
			return true
		}
	}
	return false
}

func isLock(obj types.Object) bool {
	fn, ok := obj.(*types.Func)
	if !ok {
		return false
	}
	switch fn.FullName() {
	case "(*sync.Mutex).Lock", "(*sync.RWMutex).Lock", "(*sync.RWMutex).RLock":
		return true
	}
	return false
}

// locksMutex reports whether the package calls Lock or RLock of a sync.Mutex or sync.RWMutex.
func locksMutex(info *types.Info) bool {
	for _, obj := range info.Uses {
		if isLock(obj) {
			return true
		}
	}
	return false
}

// isSync reports whether t, or what it points to, is a type from sync or sync/atomic.
func isSync(t types.Type) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && (n.Obj().Pkg().Path() == "sync" || n.Obj().Pkg().Path() == "sync/atomic")
}

// isNamed reports whether t, or what it points to, is the named type path.name.
func isNamed(t types.Type, path, name string) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == path && n.Obj().Name() == name
}

func report(pass *analysis.Pass, n ast.Node, category, format string, args ...any) {
	pass.Report(analysis.Diagnostic{Pos: n.Pos(), End: n.End(), Category: category, Message: fmt.Sprintf(format, args...)})
}
