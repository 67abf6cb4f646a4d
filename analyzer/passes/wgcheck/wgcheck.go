// Package wgcheck defines an Analyzer that reports misuses of
// sync.WaitGroup that go vet's waitgroup and copylocks passes miss. It
// reports bugs, not risk signals: each diagnostic's Category names a rule of
// the findings catalogue (findings/catalogue_detectors.go), which holds its
// user-facing help; the comments next to each check say what it leaves
// out. It leaves to go vet what go vet reports: Add as the first statement
// of the goroutine it counts (waitgroup) and a WaitGroup passed or copied
// by value (copylocks).
package wgcheck

import (
	"go/ast"
	"go/constant"
	"go/types"
	"slices"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"github.com/secondlook/secondlook/analyzer/passes/internal/flow"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Doc's first line is a title; then a line per category. The rules' help
// lives in the findings catalogue.
const Doc = `report sync.WaitGroup misuse

waitgroup-wait-before-add: a goroutine that calls Wait is started before the Add or Go calls it should wait for.
waitgroup-done-skipped: a return in a goroutine or worker that calls Done without defer reaches no Done.
waitgroup-done-extra: Done runs twice on one path with no Add between.`

// Categories are the rules this pass reports, each a catalogue rule Name.
var Categories = []string{
	"waitgroup-wait-before-add",
	"waitgroup-done-skipped",
	"waitgroup-done-extra",
}

var Analyzer = &analysis.Analyzer{
	Name:     "wgcheck",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/wgcheck",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// A call is a call of a WaitGroup (or errgroup.Group) method in one function.
type call struct {
	method   string // "Add", "Done", "Wait", "Go"
	group    bool   // errgroup.Group
	key      key
	node     *ast.CallExpr
	cur      inspector.Cursor
	deferred bool // run by a defer statement, directly or in a deferred literal
	atom     ast.Node
}

// A fn is one function body under analysis.
type fn struct {
	cur   inspector.Cursor
	body  *ast.BlockStmt
	calls []*call
	graph *flow.Graph
}

func (f *fn) g(info *types.Info) *flow.Graph {
	if f.graph == nil {
		f.graph = flow.New(info, f.body)
		for _, c := range f.calls {
			c.atom, _ = f.graph.AtomOf(c.node)
			if c.deferred {
				// A deferred call runs at the return; its defer statement
				// is where it is registered.
				for p := c.cur; p.Node() != nil; p = p.Parent() {
					if d, ok := p.Node().(*ast.DeferStmt); ok {
						c.atom = d
						break
					}
				}
			}
		}
	}
	return f.graph
}

func run(pass *analysis.Pass) (any, error) {
	inspect := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	info := pass.TypesInfo
	r := &reporter{astx.NewReporter(pass)}

	// Functions and methods of the package that some go statement runs.
	started := make(map[*types.Func]bool)
	for cur := range inspect.Root().Preorder((*ast.GoStmt)(nil)) {
		if callee := typeutil.StaticCallee(info, cur.Node().(*ast.GoStmt).Call); callee != nil && callee.Pkg() == pass.Pkg {
			started[callee.Origin()] = true
		}
	}
	fns := make(map[ast.Node]*fn)
	for cur := range inspect.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		var body *ast.BlockStmt
		switch n := cur.Node().(type) {
		case *ast.FuncDecl:
			body = n.Body
		case *ast.FuncLit:
			body = n.Body
		}
		if body == nil {
			continue // assembly stub
		}
		f := &fn{cur: cur, body: body, calls: wgCalls(info, cur)}
		fns[cur.Node()] = f
	}
	for cur := range inspect.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		f := fns[cur.Node()]
		if f == nil || len(f.calls) == 0 && !hasGo(cur) {
			continue
		}
		checkDoneSkipped(r, f, started)
		checkDoneExtra(r, f, fns)
		checkWaitBeforeAdd(r, f, fns)
	}
	return nil, nil
}

// wgCalls returns the WaitGroup and errgroup.Group method calls that the
// function at cur makes directly or in a deferred literal.
func wgCalls(info *types.Info, cur inspector.Cursor) []*call {
	var calls []*call
	var visit func(c inspector.Cursor, deferred bool)
	visit = func(root inspector.Cursor, deferred bool) {
		root.Inspect(nil, func(c inspector.Cursor) bool {
			switch n := c.Node().(type) {
			case *ast.FuncLit:
				if c == root {
					return true
				}
				// defer func() { wg.Done() }()
				if call, ok := c.Parent().Node().(*ast.CallExpr); ok && call.Fun == n {
					if _, ok := c.Parent().Parent().Node().(*ast.DeferStmt); ok {
						visit(c, true)
					}
				}
				return false
			case *ast.CallExpr:
				fn := typeutil.Callee(info, n)
				f, _ := fn.(*types.Func)
				var m string
				group := false
				for _, name := range []string{"Add", "Done", "Wait", "Go"} {
					if astx.IsMethod(f, "sync", "WaitGroup", name) {
						m = name
					}
					if astx.IsMethod(f, "golang.org/x/sync/errgroup", "Group", name) {
						m, group = name, true
					}
				}
				sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr)
				if m == "" || !ok {
					return true
				}
				k, ok := keyOf(info, sel.X)
				if !ok {
					return true
				}
				_, isDefer := c.Parent().Node().(*ast.DeferStmt)
				calls = append(calls, &call{method: m, group: group, key: k, node: n, cur: c, deferred: deferred || isDefer})
			}
			return true
		})
	}
	visit(cur, false)
	return calls
}

func hasGo(cur inspector.Cursor) bool {
	for range cur.Preorder((*ast.GoStmt)(nil)) {
		return true
	}
	return false
}

// passes returns a predicate that holds for atoms handing the variable of
// k, or something reached from it, to a call other than a WaitGroup
// method: the callee may call Done or Add.
func passes(info *types.Info, k key) func(ast.Node) bool {
	return func(a ast.Node) bool {
		found := false
		flow.InspectAtom(a, func(n ast.Node) {
			c, ok := n.(*ast.CallExpr)
			if !ok || found {
				return
			}
			if f, _ := typeutil.Callee(info, c).(*types.Func); f != nil && (astx.IsMethod(f, "sync", "WaitGroup", f.Name()) || astx.IsMethod(f, "golang.org/x/sync/errgroup", "Group", f.Name())) {
				return
			}
			args := c.Args
			if sel, ok := ast.Unparen(c.Fun).(*ast.SelectorExpr); ok {
				args = append(slices.Clip(args), sel.X)
			}
			for _, arg := range args {
				// The WaitGroup, or a value it is reached from: s.wg, s.
				if ak, ok := keyOf(info, arg); ok && ak.root == k.root && strings.HasPrefix(k.path+".", ak.path+".") {
					found = true
				}
			}
		})
		return found
	}
}

// runsAsGoroutine reports whether the function at f is a literal started by
// go or errgroup.Group.Go, or a function or method of the package that a go
// statement starts.
func runsAsGoroutine(info *types.Info, f *fn, started map[*types.Func]bool) bool {
	switch n := f.cur.Node().(type) {
	case *ast.FuncDecl:
		obj, _ := info.Defs[n.Name].(*types.Func)
		return obj != nil && started[obj]
	case *ast.FuncLit:
		parent, ok := f.cur.Parent().Node().(*ast.CallExpr)
		if !ok {
			return false
		}
		if parent.Fun == n {
			_, isGo := f.cur.Parent().Parent().Node().(*ast.GoStmt)
			return isGo
		}
		callee, _ := typeutil.Callee(info, parent).(*types.Func)
		return astx.IsMethod(callee, "golang.org/x/sync/errgroup", "Group", "Go")
	}
	return false
}

// isParam reports whether v is a parameter or the receiver of the function at f.
func isParam(f *fn, v types.Object) bool {
	var ftype *ast.FuncType
	var recv *ast.FieldList
	switch n := f.cur.Node().(type) {
	case *ast.FuncDecl:
		ftype, recv = n.Type, n.Recv
	case *ast.FuncLit:
		ftype = n.Type
	}
	for _, list := range []*ast.FieldList{recv, ftype.Params} {
		if list == nil {
			continue
		}
		for _, field := range list.List {
			for _, name := range field.Names {
				if name.Pos() == v.Pos() {
					return true
				}
			}
		}
	}
	return false
}

// declaredIn reports whether v is declared within the function at f,
// its parameters included.
func declaredIn(f *fn, v types.Object) bool {
	return f.cur.Node().Pos() <= v.Pos() && v.Pos() < f.cur.Node().End()
}

// checkDoneSkipped reports a return that skips the Done a goroutine owes.
// f calls Done without defer and runs as a goroutine (a function literal
// started by go or errgroup.Group.Go, or a function or method of the
// package started by go somewhere) or is handed the WaitGroup as a
// parameter; a return on a path from its entry reaches no Done. Paths
// through panic, os.Exit, log.Fatal and t.Fatal do not count, nor do paths
// that hand the WaitGroup to a call; a function with a Done in a loop, or
// with its own Add, is left alone.
func checkDoneSkipped(r *reporter, f *fn, started map[*types.Func]bool) {
	info := r.Pass.TypesInfo
	goroutine := runsAsGoroutine(info, f, started)
	done := make(map[key]bool)
	for _, c := range f.calls {
		if c.method != "Done" || c.group || done[c.key] {
			continue
		}
		done[c.key] = true
		k := c.key
		// Whose Done is it: a goroutine's, for a WaitGroup from outside
		// (captured, a parameter, a field of the receiver), or a worker's
		// handed the WaitGroup.
		outside := !declaredIn(f, k.root)
		param := isParam(f, k.root)
		if !(goroutine && (outside || param)) && !(param && k.path == "" && isWaitGroupPtr(k.root.Type())) {
			continue
		}
		skip := false
		var dones []*call
		for _, d := range f.calls {
			if d.key != k || d.group {
				continue
			}
			switch {
			case d.method == "Done" && d.deferred, d.method == "Add", d.method == "Go":
				skip = true // deferred, or counted here: not this shape
			case d.method == "Done":
				dones = append(dones, d)
				skip = skip || astx.EnclosingLoop(d.cur) != nil
			}
		}
		if skip {
			continue
		}
		g := f.g(info)
		isDone := func(a ast.Node) bool {
			return slices.ContainsFunc(dones, func(d *call) bool { return d.atom == a })
		}
		handed := passes(info, k)
		explicit := func(a ast.Node) bool { return flow.IsExit(a) && !g.Implicit(a) }
		path := g.Search(nil, explicit, func(a ast.Node) bool { return isDone(a) || handed(a) }, nil, 1)
		if path == nil {
			continue
		}
		ret := path[len(path)-1]
		related := []analysis.RelatedInformation{}
		for _, d := range dones {
			related = append(related, astx.Related(d.node, "the only Done, not deferred"))
		}
		r.ReportRelated(ret, "waitgroup-done-skipped", related,
			"return skips %s.Done() (line %d), which is not deferred; %s.Wait() then blocks forever",
			k, r.Line(dones[0].node.Pos()), k)
	}
}

// isWaitGroupPtr reports whether t is *sync.WaitGroup.
func isWaitGroupPtr(t types.Type) bool {
	p, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	n, ok := types.Unalias(p.Elem()).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "sync" && n.Obj().Name() == "WaitGroup"
}

// checkDoneExtra reports a Done that runs twice on one path with no Add
// between: an explicit Done after a deferred one, or two explicit Dones
// outside loops. A goroutine whose starter adds more than one per start is
// left alone.
func checkDoneExtra(r *reporter, f *fn, fns map[ast.Node]*fn) {
	info := r.Pass.TypesInfo
	var dones []*call
	for _, c := range f.calls {
		if c.method == "Done" && !c.group {
			dones = append(dones, c)
		}
	}
	if len(dones) < 2 {
		return
	}
	g := f.g(info)
	reported := make(map[key]bool)
	for _, a := range dones {
		if reported[a.key] || a.atom == nil || addsMany(info, f, fns, a.key) {
			continue
		}
		k := a.key
		adds := func(x ast.Node) bool {
			return slices.ContainsFunc(f.calls, func(c *call) bool {
				return c.key == k && (c.method == "Add" || c.method == "Go") && c.atom == x
			})
		}
		stop := func(x ast.Node) bool { return adds(x) || passes(info, k)(x) }
		for _, b := range dones {
			if b == a || b.key != k || b.deferred || b.atom == nil {
				continue
			}
			if !a.deferred && (astx.EnclosingLoop(a.cur) != nil || astx.EnclosingLoop(b.cur) != nil) {
				continue
			}
			if g.Search(a.atom, func(x ast.Node) bool { return x == b.atom }, stop, nil, 1) == nil {
				continue
			}
			if a.deferred {
				r.ReportRelated(b.node, "waitgroup-done-extra", []analysis.RelatedInformation{astx.Related(a.node, "deferred Done, which runs again at the return")},
					"%s.Done() here and again by the deferred %s.Done() at line %d: the counter goes negative (a panic) or Wait returns early",
					k, k, r.Line(a.node.Pos()))
			} else {
				r.ReportRelated(b.node, "waitgroup-done-extra", []analysis.RelatedInformation{astx.Related(a.node, "first Done")},
					"%s.Done() runs again after %s.Done() at line %d on this path, with no Add between: the counter goes negative (a panic) or Wait returns early",
					k, k, r.Line(a.node.Pos()))
			}
			reported[k] = true
			break
		}
	}
}

// addsMany reports whether the function at f is a literal whose starter
// adds more than one to k for it: Add(2), or Add(n) outside a loop.
func addsMany(info *types.Info, f *fn, fns map[ast.Node]*fn, k key) bool {
	if _, ok := f.cur.Node().(*ast.FuncLit); !ok {
		return false
	}
	var outer *fn
	for c := range f.cur.Parent().Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		outer = fns[c.Node()]
		break
	}
	if outer == nil {
		return true
	}
	startLoop := astx.EnclosingLoop(f.cur)
	for _, c := range outer.calls {
		if c.key != k || c.method != "Add" || len(c.node.Args) != 1 {
			continue
		}
		tv := info.Types[c.node.Args[0]]
		if tv.Value != nil {
			if n, ok := constant.Int64Val(constant.ToInt(tv.Value)); ok && n <= 1 {
				continue
			}
		}
		if startLoop == nil || !astx.Contains(startLoop, c.node) {
			return true
		}
	}
	return false
}

// checkWaitBeforeAdd reports an Add after a goroutine that waits was started.
// The goroutine is one f starts that calls Wait (of a sync.WaitGroup or an
// errgroup.Group), and f calls Add (or Go) after starting it, with no Add
// before.
func checkWaitBeforeAdd(r *reporter, f *fn, fns map[ast.Node]*fn) {
	info := r.Pass.TypesInfo
	astx.InspectDirect(f.cur, func(c inspector.Cursor) {
		gs, ok := c.Node().(*ast.GoStmt)
		if !ok {
			return
		}
		lit, ok := ast.Unparen(gs.Call.Fun).(*ast.FuncLit)
		if !ok {
			return
		}
		litCur, _ := c.FindNode(lit)
		gf := fns[lit]
		if gf == nil {
			return
		}
		for _, w := range gf.calls {
			if w.method != "Wait" || w.deferred || declaredIn(gf, w.key.root) || !unconditionalIn(w.cur, litCur) {
				continue
			}
			k := w.key
			var adds []*call
			early := false
			for _, a := range f.calls {
				if a.key == k && (a.method == "Add" || a.method == "Go") {
					adds = append(adds, a)
					early = early || a.node.Pos() < gs.Pos()
				}
			}
			if early || len(adds) == 0 {
				continue
			}
			g := f.g(info)
			isAdd := func(x ast.Node) bool {
				return slices.ContainsFunc(adds, func(a *call) bool { return a.atom == x })
			}
			path := g.Search(gs, isAdd, nil, nil, 1)
			if path == nil {
				continue
			}
			end := path[len(path)-1]
			add := adds[slices.IndexFunc(adds, func(a *call) bool { return a.atom == end })]
			r.ReportRelated(add.node, "waitgroup-wait-before-add",
				[]analysis.RelatedInformation{astx.Related(w.node, "waits in the goroutine started at line %d", r.Line(gs.Pos()))},
				"%s.%s after the goroutine started at line %d calls %s.Wait(), with no Add before it: Wait can see a zero counter and return at once",
				k, add.method, r.Line(gs.Pos()), k)
			return
		}
	})
}

// unconditionalIn reports whether the call at c runs whenever the literal at
// lit runs: only blocks and simple statements lie between them.
func unconditionalIn(c inspector.Cursor, lit inspector.Cursor) bool {
	body := lit.Node().(*ast.FuncLit).Body
	for p := c.Parent(); p.Node() != body; p = p.Parent() {
		switch p.Node().(type) {
		case nil:
			return false
		case *ast.BlockStmt, *ast.ExprStmt, *ast.LabeledStmt, *ast.SendStmt, *ast.AssignStmt, *ast.ReturnStmt:
		default:
			return false
		}
	}
	return true
}
