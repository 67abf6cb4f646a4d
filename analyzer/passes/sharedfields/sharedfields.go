// Package sharedfields defines an Analyzer that reports struct fields that
// some code accesses under a mutex and other code accesses without it.
package sharedfields

import (
	"go/ast"
	"go/token"
	"go/types"
	"regexp"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report struct fields accessed both with and without their lock

The sharedfields analyzer looks at the fields of the struct types a package
declares. An access counts as guarded where a mutex is held: after Lock or
RLock and before the matching Unlock, or to the end of the function after a
deferred Unlock. Methods whose name ends in "Locked", methods whose doc
comment says the lock is held, and unexported methods that are only called
with a lock held (or run by sync.Once.Do) are trusted to run under the lock. Accesses in functions
that are not methods of the type are ignored, except in goroutines, and so
are constructors (functions named New* or new*). Fields of sync and
sync/atomic types, and fields never written outside constructors, are
exempt.

unguarded-access: a field that methods access under a mutex of the same
value (c.mu for c.items) is accessed here, in another method or in a
goroutine, without any mutex held. Reported at the unguarded access; the
message names the guarded one. A field is taken as guarded only when the
functions accessing it without a lock outnumber those holding it by at
most one, so that a lock held by chance does not count.

goroutine-write: a field that no code guards is written inside a goroutine
started by a method of its type, without a lock, and the goroutine does not
close a channel, send or call WaitGroup.Done; it races with the method's
callers.

map-write-unlocked: a map field is changed here (an index assignment,
delete or clear) with no lock held, while another method accesses it
under a mutex of the same value; too few of its users lock for
unguarded-access. A place to look, weighted low.

goroutine-shared: a field of a struct type of the package, or a package
variable, is accessed here without a lock, and on the other side of a
goroutine too: in a goroutine's literal or in a function started with go
on one side, outside goroutines on the other, and written by one of them
(constructors and init aside). It selects the plain functions of a data
race, which hold no lock or channel of their own; weighted low, below the
categories that see a risky pattern.`

var Analyzer = &analysis.Analyzer{
	Name:     "sharedfields",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/sharedfields",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Signals maps each category this pass reports to its weight (0–10): how
// strongly a signal of that category predicts a bug in the enclosing function.
var Signals = map[string]float64{
	"unguarded-access":   7,
	"goroutine-write":    5,
	"map-write-unlocked": 2,
	"goroutine-shared":   2,
}

// An access is a selection of a field of a tracked struct type.
type access struct {
	sel       *ast.SelectorExpr
	write     bool
	where     string // the function it is in: "(*Cache).Get", "a goroutine in (*Cache).Start"
	goroutine bool   // in a function literal run by a go statement
	inMethod  bool   // in a method of the field's type, or a goroutine it starts
	guard     string // the mutex held, "c.mu"; "" if none
	own       bool   // guard is a mutex of the accessed value: c.mu for c.items
	trusted   bool   // in a method that runs with the lock held by its caller
	ordered   bool   // in a goroutine that signals its end: close, send, WaitGroup.Done
}

// A region is where a lock taken at from may be held: until to.
type region struct {
	key      string
	from, to token.Pos
	isUnlock func(*ast.CallExpr) bool
}

// state is the pass's working set.
type state struct {
	pass    *analysis.Pass
	types   map[*types.TypeName]bool      // struct types declared in the package
	methods map[*types.Func]*ast.FuncDecl // methods of those types
	ctors   map[*ast.FuncDecl]bool        // functions named New* or new*
	trusted map[*ast.FuncDecl]bool        // methods that run with the caller holding the lock
	regions map[ast.Node][]region         // per function: where locks may be held
}

// holdsDoc matches a doc comment saying the lock is held on entry.
var holdsDoc = regexp.MustCompile(`(?is)\b(held|holds?|holding|locked)\b.*(\block|\bmutex|\bmu\b)|(\block|\bmutex|\bmu\b).*\b(held|holds?|holding|locked)\b`)

func run(pass *analysis.Pass) (any, error) {
	inspect := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	s := &state{
		pass:    pass,
		types:   make(map[*types.TypeName]bool),
		methods: make(map[*types.Func]*ast.FuncDecl),
		ctors:   make(map[*ast.FuncDecl]bool),
		trusted: make(map[*ast.FuncDecl]bool),
		regions: make(map[ast.Node][]region),
	}
	for _, name := range pass.Pkg.Scope().Names() {
		if tn, ok := pass.Pkg.Scope().Lookup(name).(*types.TypeName); ok && !tn.IsAlias() {
			if _, ok := tn.Type().Underlying().(*types.Struct); ok {
				s.types[tn] = true
			}
		}
	}
	for cur := range inspect.Root().Preorder((*ast.FuncDecl)(nil)) {
		decl := cur.Node().(*ast.FuncDecl)
		name := decl.Name.Name
		switch {
		case decl.Recv == nil && decl.Type.Results != nil && (strings.HasPrefix(name, "New") || strings.HasPrefix(name, "new")):
			s.ctors[decl] = true
		case s.recvType(decl) != nil:
			if fn, ok := pass.TypesInfo.Defs[decl.Name].(*types.Func); ok {
				s.methods[fn] = decl
			}
			s.trusted[decl] = strings.HasSuffix(name, "Locked") || holdsDoc.MatchString(decl.Doc.Text())
		}
	}
	s.trustLockedCallees(inspect)

	fields := make(map[*types.Var][]access)
	var order []*types.Var
	for cur := range inspect.Root().Preorder((*ast.FuncDecl)(nil)) {
		if decl := cur.Node().(*ast.FuncDecl); decl.Body == nil || s.ctors[decl] {
			continue
		}
		for c := range cur.Preorder((*ast.SelectorExpr)(nil)) {
			if f, a, ok := s.access(cur.Node().(*ast.FuncDecl), c); ok {
				if fields[f] == nil {
					order = append(order, f)
				}
				fields[f] = append(fields[f], a)
			}
		}
	}
	r := astx.NewReporter(pass)
	for _, f := range order {
		reportField(r, fields[f])
	}
	s.reportShared(r, inspect)
	return nil, nil
}

func reportField(r *astx.Reporter, accs []access) {
	var guarded *access // the first guarded access, named in messages
	written := false
	locked := make(map[string]bool)   // functions that access the field under its lock
	unlocked := make(map[string]bool) // functions that access it with no lock held
	for i, a := range accs {
		if a.own && guarded == nil {
			guarded = &accs[i]
		}
		written = written || a.write
		locked[a.where] = locked[a.where] || a.own || a.trusted
		unlocked[a.where] = unlocked[a.where] || a.guard == "" && !a.trusted
	}
	if !written {
		return // set up by constructors, then only read
	}
	// A lock taken by most users of a field guards it; one taken by a
	// minority is more likely held for something else.
	locker := guarded // kept for map-write-unlocked
	if count(unlocked) > count(locked)+1 {
		guarded = nil
	}
	for _, a := range accs {
		switch {
		case guarded != nil && a.guard == "" && !a.trusted:
			r.Report(a.sel, "unguarded-access", "field %s is accessed under %s in %s (line %d) but not here",
				types.ExprString(a.sel), guarded.guard, guarded.where, r.Line(guarded.sel.Pos()))
		case guarded == nil && a.goroutine && a.inMethod && a.write && a.guard == "" && !a.ordered:
			r.Report(a.sel, "goroutine-write", "field %s is written in %s without a lock", types.ExprString(a.sel), a.where)
		case guarded == nil && locker != nil && a.write && a.guard == "" && !a.trusted && isMap(r.Pass.TypesInfo, a.sel) && a.where != locker.where:
			r.Report(a.sel, "map-write-unlocked", "map %s is changed here without a lock; %s holds %s while it accesses it (line %d)",
				types.ExprString(a.sel), locker.where, locker.guard, r.Line(locker.sel.Pos()))
		}
	}
}

// access classifies the selector at c, in decl, as an access of a field of a
// tracked type through the receiver of one of its methods or in a goroutine.
func (s *state) access(decl *ast.FuncDecl, c inspector.Cursor) (*types.Var, access, bool) {
	info := s.pass.TypesInfo
	sel := c.Node().(*ast.SelectorExpr)
	selection := info.Selections[sel]
	x, ok := ast.Unparen(sel.X).(*ast.Ident)
	if selection == nil || selection.Kind() != types.FieldVal || !ok {
		return nil, access{}, false
	}
	field := selection.Obj().(*types.Var).Origin()
	xv, _ := info.Uses[x].(*types.Var)
	if xv == nil || astx.IsSyncType(field.Type()) || s.tracked(xv.Type()) == nil || astx.LeadsToLock(info, c) {
		return nil, access{}, false
	}
	a := access{sel: sel, write: astx.IsWrite(info, c, nil)}
	if lit, ok := goroutineLit(c); ok {
		a.goroutine, a.ordered = true, signalsEnd(info, lit.Node().(*ast.FuncLit).Body)
	}
	a.inMethod = s.recvType(decl) == s.tracked(xv.Type())
	switch {
	case a.goroutine:
		a.where = "a goroutine in " + funcName(decl)
	case a.inMethod && xv == recvVar(info, decl):
		a.where, a.trusted = funcName(decl), s.trusted[decl]
	default:
		return nil, access{}, false
	}
	a.guard = s.guardAt(c)
	// c's own mutex is c (embedded) or c.mu, not c.conn.mu, which guards c.conn's fields.
	rest, ok := strings.CutPrefix(a.guard, x.Name+".")
	a.own = a.guard == x.Name || ok && !strings.Contains(rest, ".")
	return field, a, true
}

// trustLockedCallees marks as trusted the unexported methods whose every
// call runs with a lock held, in a trusted method or in a constructor.
func (s *state) trustLockedCallees(inspect *inspector.Inspector) {
	uses := make(map[*ast.FuncDecl][]inspector.Cursor)
	for c := range inspect.Root().Preorder((*ast.SelectorExpr)(nil)) {
		fn, _ := s.pass.TypesInfo.Uses[c.Node().(*ast.SelectorExpr).Sel].(*types.Func)
		if decl := s.methods[funcOrigin(fn)]; decl != nil && !decl.Name.IsExported() {
			uses[decl] = append(uses[decl], c)
		}
	}
	for changed := true; changed; {
		changed = false
		for decl, cs := range uses {
			if s.trusted[decl] {
				continue
			}
			all := true
			for _, c := range cs {
				all = all && s.calledLocked(c)
			}
			s.trusted[decl], changed = all, changed || all
		}
	}
}

// calledLocked reports whether the method selected at c is called, not by a
// go statement, where a lock is held or the caller is trusted or a
// constructor; or handed to sync.Once.Do, which orders it before every return of Do.
func (s *state) calledLocked(c inspector.Cursor) bool {
	call, ok := c.Parent().Node().(*ast.CallExpr)
	if ok && call.Fun != c.Node() {
		fn, _ := typeutil.Callee(s.pass.TypesInfo, call).(*types.Func)
		return fn != nil && fn.Name() == "Do" && fn.Pkg() != nil && fn.Pkg().Path() == "sync"
	}
	if !ok {
		return false // a method value
	}
	if _, ok := c.Parent().Parent().Node().(*ast.GoStmt); ok {
		return false
	}
	if s.guardAt(c) != "" {
		return true
	}
	if _, inGo := goroutineLit(c); inGo {
		return false
	}
	for f := range c.Enclosing((*ast.FuncDecl)(nil)) {
		decl := f.Node().(*ast.FuncDecl)
		return s.ctors[decl] || s.trusted[decl]
	}
	return false
}

// guardAt returns the mutex held at c, or "": it looks at c's function and,
// for literals that run in place (sort.Slice's less), at the functions around them.
func (s *state) guardAt(c inspector.Cursor) string {
	pos := c.Node().Pos()
	for f := range c.Enclosing((*ast.FuncLit)(nil), (*ast.FuncDecl)(nil)) {
		for _, reg := range s.regionsOf(f) {
			if reg.from < pos && pos < reg.to && !releasedBy(c, reg.from, reg.isUnlock) {
				return reg.key
			}
		}
		if _, ok := f.Node().(*ast.FuncDecl); ok || isGoLit(f) {
			break
		}
	}
	return ""
}

// regionsOf returns where the locks that function f takes may be held.
func (s *state) regionsOf(f inspector.Cursor) []region {
	if regs, ok := s.regions[f.Node()]; ok {
		return regs
	}
	info := s.pass.TypesInfo
	var body *ast.BlockStmt
	switch n := f.Node().(type) {
	case *ast.FuncDecl:
		body = n.Body
	case *ast.FuncLit:
		body = n.Body
	}
	type lockOp struct {
		method, key string
		call        *ast.CallExpr
		cur         inspector.Cursor
		deferred    bool
	}
	var ops []lockOp
	add := func(c inspector.Cursor, call *ast.CallExpr, deferred bool) {
		if method, key, ok := mutexCall(info, call); ok {
			ops = append(ops, lockOp{method, key, call, c, deferred})
		}
	}
	f.Inspect(nil, func(c inspector.Cursor) bool {
		switch n := c.Node().(type) {
		case *ast.FuncLit:
			return c == f
		case *ast.DeferStmt: // defer func() { mu.Unlock() }()
			if lit, ok := ast.Unparen(n.Call.Fun).(*ast.FuncLit); ok {
				ast.Inspect(lit.Body, func(m ast.Node) bool {
					if call, ok := m.(*ast.CallExpr); ok {
						add(c, call, true)
					}
					return true
				})
			}
		case *ast.CallExpr:
			_, deferred := c.Parent().Node().(*ast.DeferStmt)
			add(c, n, deferred)
		}
		return true
	})
	var regs []region
	for i, l := range ops {
		if l.deferred || l.method != "Lock" && l.method != "RLock" {
			continue
		}
		unlock := "Unlock"
		if l.method == "RLock" {
			unlock = "RUnlock"
		}
		reg := region{key: l.key, from: l.call.Pos(), to: body.End()}
		reg.isUnlock = func(call *ast.CallExpr) bool {
			method, key, ok := mutexCall(info, call)
			return ok && key == l.key && method == unlock
		}
		last, next := token.NoPos, body.End()
		for _, o := range ops[i+1:] {
			if o.key != l.key {
				continue
			}
			if !o.deferred && (o.method == "Lock" || o.method == "RLock") {
				next = o.call.Pos()
				break // a new region starts
			}
			if o.method == unlock && o.deferred {
				last = token.NoPos
				break
			}
			if o.method == unlock {
				last = o.call.Pos()
			}
		}
		// An Unlock in the Lock's own statement list ends the region on every path that gets there.
		if stmt := l.cur.Parent(); last.IsValid() && isExprStmt(stmt) {
			for sib, ok := stmt.NextSibling(); ok; sib, ok = sib.NextSibling() {
				if call := stmtCall(sib.Node()); call != nil && call.Pos() < next && reg.isUnlock(call) {
					last = call.Pos()
					break
				}
			}
		}
		if last.IsValid() {
			reg.to = last
		}
		regs = append(regs, reg)
	}
	s.regions[f.Node()] = regs
	return regs
}
