// Package lockcheck defines an Analyzer that reports mutex misuse as
// findings: a lock not released on some path, a lock taken twice, two locks
// taken in opposite orders, a field used both with and without the lock
// that guards it, and sync.Cond.Wait outside a loop. Each category is a rule
// of the findings catalogue (findings/catalogue_detectors.go), which holds
// its user-facing help; the comments next to each check say what it leaves
// out.
//
// The pass follows each function's control-flow graph and the locks of
// sync.Mutex, sync.RWMutex and sync.Locker values in it, named by the
// variable and field path that reaches them (s.mu, s.Mutex for an embedded
// mutex). It looks one call deep into the functions and methods of the
// package: a helper that only unlocks (func (s *S) unlock()), only locks,
// or locks and releases (a method that begins with s.mu.Lock()) counts as
// doing so at the call. It reports only what it can show on a path of one
// function, and is silent otherwise.
package lockcheck

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"regexp"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/ctrlflow"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Doc's first line is a title; then a line per category. The rules' help
// lives in the findings catalogue.
const Doc = `report mutexes left locked, locked twice, taken in opposite orders or not held where they guard

lock-not-released: a Lock or RLock reaches a return, break or continue with the mutex held while another path releases it.
double-lock: a mutex is locked again on a path where it is already held.
recursive-rlock: RLock is taken again while the same goroutine holds it for reading.
lock-order-inversion: two mutexes are taken in one order in one place of the package and in the opposite order in another.
unguarded-field: a field that the type's methods guard with a mutex is accessed without it where another goroutine can run.
cond-wait-not-in-loop: sync.Cond.Wait is called under an if instead of in a loop that rechecks the condition.`

var Analyzer = &analysis.Analyzer{
	Name:     "lockcheck",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/lockcheck",
	Requires: []*analysis.Analyzer{inspect.Analyzer, ctrlflow.Analyzer},
	Run:      run,
}

// Categories are the rule names this pass reports, one per Diagnostic.Category.
var Categories = []string{
	"lock-not-released",
	"double-lock",
	"recursive-rlock",
	"lock-order-inversion",
	"unguarded-field",
	"cond-wait-not-in-loop",
}

// checker is the pass's working set.
type checker struct {
	pass     *analysis.Pass
	insp     *inspector.Inspector
	info     *types.Info
	cfgs     *ctrlflow.CFGs
	ids      map[types.Object]int
	decls    map[*types.Func]*ast.FuncDecl
	params   map[types.Object]*ast.FuncDecl // receivers and parameters of declarations
	sums     map[*types.Func]*summary
	litSums  map[*ast.FuncLit]*summary
	accesses map[*ast.SelectorExpr]accessInfo
	litEntry map[*ast.FuncLit][2]lockset // must and may states where a literal is called in place
	// atomicTypes are the types of the package whose methods use sync/atomic.
	atomicTypes map[*types.TypeName]bool
	funcs       []*function
	edges       []orderEdge
	doubles     []double
	records     []accessRec
	calls       []callRec
	rep         *astx.Reporter
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	c := &checker{
		pass:     pass,
		insp:     insp,
		info:     pass.TypesInfo,
		ids:      make(map[types.Object]int),
		decls:    make(map[*types.Func]*ast.FuncDecl),
		params:   make(map[types.Object]*ast.FuncDecl),
		sums:     make(map[*types.Func]*summary),
		litSums:  make(map[*ast.FuncLit]*summary),
		accesses: make(map[*ast.SelectorExpr]accessInfo),
		litEntry: make(map[*ast.FuncLit][2]lockset),
		rep:      astx.NewReporter(pass),
	}
	c.cfgs, _ = pass.ResultOf[ctrlflow.Analyzer].(*ctrlflow.CFGs)
	c.findAtomicTypes()
	for cur := range insp.Root().Preorder((*ast.FuncDecl)(nil)) {
		decl := cur.Node().(*ast.FuncDecl)
		if fn, ok := c.info.Defs[decl.Name].(*types.Func); ok {
			c.decls[fn] = decl
		}
		for _, list := range []*ast.FieldList{decl.Recv, decl.Type.Params} {
			if list == nil {
				continue
			}
			for _, f := range list.List {
				for _, name := range f.Names {
					if obj := c.info.Defs[name]; obj != nil {
						c.params[obj] = decl
					}
				}
			}
		}
		if decl.Body != nil && recvVar(c.info, decl) != nil {
			c.findAccesses(cur, decl)
		}
	}

	// Declarations first, then the literals in them, outer before inner, so
	// that a literal called in place starts from the state at its call.
	var decl *ast.FuncDecl
	for cur := range insp.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		switch n := cur.Node().(type) {
		case *ast.FuncDecl:
			decl = n
			if n.Body != nil {
				c.funcs = append(c.funcs, &function{decl: n, body: n.Body, role: roleDecl, recv: recvVar(c.info, n)})
			}
		case *ast.FuncLit:
			d := decl
			if d != nil && !(d.Pos() <= n.Pos() && n.End() <= d.End()) {
				d = nil // a literal at package level
			}
			fn := &function{decl: d, lit: n, body: n.Body, role: litRoleOf(cur)}
			if d != nil {
				fn.recv = recvVar(c.info, d)
			}
			c.funcs = append(c.funcs, fn)
		}
	}
	for _, fn := range c.funcs {
		c.build(fn)
		c.analyse(fn)
	}
	c.reportDoubles()
	c.reportOrders()
	c.reportGuarded()
	c.checkCondWaits(insp)
	return nil, nil
}

// litRoleOf tells how the literal at cur runs.
func litRoleOf(cur inspector.Cursor) litRole {
	lit := cur.Node()
	call, ok := cur.Parent().Node().(*ast.CallExpr)
	if !ok || ast.Unparen(call.Fun) != lit {
		if p, ok := cur.Parent().Node().(*ast.ParenExpr); ok {
			if call, ok := cur.Parent().Parent().Node().(*ast.CallExpr); ok && call.Fun == p {
				return litRoleOf(cur.Parent())
			}
		}
		return roleEscapes
	}
	switch cur.Parent().Parent().Node().(type) {
	case *ast.GoStmt:
		return roleGo
	case *ast.DeferStmt:
		return roleDeferred
	}
	return roleInPlace
}

// analyse runs the lock states of fn and the checks that follow them.
func (c *checker) analyse(fn *function) {
	var entryMust, entryMay lockset
	if fn.role == roleInPlace {
		if st, ok := c.litEntry[fn.lit]; ok {
			entryMust, entryMay = st[0], st[1]
		}
	}
	if fn.role == roleEscapes {
		fn.createdLocked = len(c.litEntry[fn.lit][1]) > 0
	}
	if entryMust == nil {
		entryMust, entryMay = lockset{}, lockset{}
	}
	must := flow(fn, entryMust, true)
	may := flow(fn, entryMay, false)
	for _, b := range fn.g.Blocks {
		if !b.Live || must[b.Index] == nil {
			continue
		}
		ms, ys := must[b.Index].clone(), may[b.Index].clone()
		for i := range fn.events[b.Index] {
			ev := &fn.events[b.Index][i]
			c.check(fn, ev, ms, ys)
			transfer(ms, ev, true)
			transfer(ys, ev, false)
		}
	}
	c.checkReleases(fn)
}

// check looks at one event with the states before it.
func (c *checker) check(fn *function, ev *event, must, may lockset) {
	switch ev.kind {
	case evLock, evTransient:
		if ev.kind == evLock && ev.cond {
			return
		}
		if h, ok := must[ev.key]; ok && fn.stable(ev.key) && !c.isLocker(ev) {
			c.doubles = append(c.doubles, double{fn, ev, h})
		}
		for k, h := range must {
			if k != ev.key && !k.pseudo() && h.ev.class != nil && ev.class != nil && h.ev.class != ev.class {
				c.edges = append(c.edges, orderEdge{held: h, taken: ev, fn: fn})
			}
		}
	case evAccess:
		c.recordAccess(fn, ev, must, may)
	case evCall:
		c.recordCall(fn, ev, must, may)
	case evLit:
		c.litEntry[ev.lit] = [2]lockset{must.clone(), may.clone()}
	}
}

// holdsDoc matches a doc comment saying a lock is held on entry.
var holdsDoc = regexp.MustCompile(`(?is)\b(held|holds?|holding|locked)\b.*(\block|\bmutex|\bmu\b)|(\block|\bmutex|\bmu\b).*\b(held|holds?|holding|locked)\b`)

// calledLocked reports whether decl says by its name or doc that it runs
// with a lock held: flushLocked, "called with c.mu held".
func calledLocked(decl *ast.FuncDecl) bool {
	if decl == nil {
		return false
	}
	name := strings.ToLower(decl.Name.Name)
	return strings.HasSuffix(name, "locked") || holdsDoc.MatchString(decl.Doc.Text())
}

func (c *checker) line(pos token.Pos) int { return c.pass.Fset.Position(pos).Line }

// where names a position for a message: "line 12", or "a.go:12" in another file.
func (c *checker) where(pos, from token.Pos) string {
	p, q := c.pass.Fset.Position(pos), c.pass.Fset.Position(from)
	if p.Filename == q.Filename {
		return fmt.Sprintf("line %d", p.Line)
	}
	return fmt.Sprintf("%s:%d", shortFile(p.Filename), p.Line)
}

func shortFile(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		return name[i+1:]
	}
	return name
}

// report reports a finding once per line and category.
func (c *checker) report(n ast.Node, category string, related []analysis.RelatedInformation, format string, args ...any) {
	c.rep.ReportRelated(n, category, related, format, args...)
}

func related(n ast.Node, format string, args ...any) analysis.RelatedInformation {
	return analysis.RelatedInformation{Pos: n.Pos(), End: n.End(), Message: fmt.Sprintf(format, args...)}
}

// callString spells a lock call for a message: "s.mu.Lock()".
func (c *checker) callString(ev *event) string {
	if call, ok := ev.node.(*ast.CallExpr); ok {
		// (*sync.Mutex).Lock(&mu) reads as mu.Lock().
		if se, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && len(call.Args) > 0 {
			if sel := c.info.Selections[se]; sel != nil && sel.Kind() == types.MethodExpr {
				x := call.Args[0]
				if u, ok := ast.Unparen(x).(*ast.UnaryExpr); ok && u.Op == token.AND {
					x = u.X
				}
				return types.ExprString(x) + "." + se.Sel.Name + "()"
			}
		}
		return types.ExprString(call.Fun) + "()"
	}
	return types.ExprString(ev.node.(ast.Expr))
}

// comparePos orders positions by file name, then offset. token.Pos alone
// does not do across files: go/packages parses a package's files in
// parallel, so their bases, and so their order, change from run to run.
func (c *checker) comparePos(a, b token.Pos) int {
	pa, pb := c.pass.Fset.Position(a), c.pass.Fset.Position(b)
	if pa.Filename != pb.Filename {
		return strings.Compare(pa.Filename, pb.Filename)
	}
	return pa.Offset - pb.Offset
}
