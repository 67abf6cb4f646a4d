// Package goroutines defines an Analyzer that reports risk signals around goroutine starts.
package goroutines

import (
	"go/ast"
	"go/token"
	"go/types"
	"go/version"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report goroutine starts as risk signals

The goroutines analyzer marks each goroutine start (a go statement, or a
function handed to errgroup.Group.Go or sync.WaitGroup.Go) and the patterns
around it that often hide a bug.

go-stmt: a goroutine start; mere use of the feature.

go-in-loop: a goroutine started inside a for or range loop, where its
lifetime and the number of goroutines depend on the data.

loopvar-capture: the goroutine's function literal refers to a variable
declared by an enclosing loop, in a file whose Go version is before go1.22;
there every iteration shares one variable, so the goroutines see whatever
value it holds when they run.

no-exit: the goroutine runs an endless "for {}" loop that has no return, no
break or goto out of it and no panic, so nothing (ctx.Done, a closed
channel) can ever stop it.

test-fatal: t.Fatal, t.FailNow, t.Skip and their variants called from a
goroutine; they must run on the goroutine running the test.

shared-write: the goroutine's function literal assigns a variable captured
from the enclosing function, with no lock held at the assignment, and either
several goroutines of a loop write it, or nothing (WaitGroup.Done, a channel
send or close, errgroup) orders the write before the enclosing function reads
it. Also an element of a captured slice or array written by the goroutines of
a loop at an index that is not the goroutine's own (a loop variable, a
parameter, or a variable declared in the goroutine or the loop body): each
goroutine writing res[i] of its own i is the fan-out idiom and stays quiet.

map-write-concurrent: a map captured from the enclosing function is written
(m[k] = v, m[k]++, delete, clear) by a goroutine with no lock held at the
write, and several goroutines can run the write: the goroutine is started in
a loop, or several goroutine starts write the same map, or a lone goroutine's
write is not ordered before the caller's reads. A map reached through the
goroutine's own element (shards[i].m with i its own) is its own. Concurrent
map writes crash the program.

A write counts as guarded when a Lock (or TryLock) call of any mutex or
locker comes before it in a block that encloses it with no Unlock of that
receiver in between (a deferred Unlock holds to the end), or when it is
inside a function passed to sync.Once.Do, sync.OnceFunc or sync.OnceValue(s).`

var Analyzer = &analysis.Analyzer{
	Name:     "goroutines",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/goroutines",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Signals maps each category this pass reports to its weight (0–10): how
// strongly a signal of that category predicts a bug in the enclosing function.
var Signals = map[string]float64{
	"go-stmt":         1,
	"go-in-loop":      2,
	"loopvar-capture": 8,
	"no-exit":         4,
	"test-fatal":      7,
	"shared-write":    6,

	"map-write-concurrent": 7,
}

// A start is one goroutine start.
type start struct {
	cur    inspector.Cursor // the *ast.GoStmt, or the *ast.CallExpr of g.Go
	name   string           // how messages name the start: "go statement", "g.Go"
	runs   string           // how messages name what it runs: "p.worker", "a function literal"
	lit    *ast.FuncLit     // the literal the goroutine runs, if it runs one
	body   *ast.BlockStmt   // the body the goroutine runs, if declared in this package
	waited bool             // started by errgroup.Group.Go or WaitGroup.Go, whose Wait orders its writes
}

func run(pass *analysis.Pass) (any, error) {
	inspect := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	r := &reporter{astx.NewReporter(pass)}
	decls := funcDecls(pass)
	var writers []*writer
	for cur := range inspect.Root().Preorder((*ast.GoStmt)(nil), (*ast.CallExpr)(nil)) {
		s, ok := goroutineStart(pass.TypesInfo, decls, cur)
		if !ok {
			continue
		}
		n := cur.Node()
		r.Report(n, "go-stmt", "%s starts %s", s.name, s.runs)
		loops := enclosingLoops(cur)
		if len(loops) > 0 {
			r.Report(n, "go-in-loop", "loop at line %d starts a goroutine running %s each iteration", r.Line(loops[0].Pos()), s.runs)
		}
		if s.lit != nil {
			checkLoopVars(r, s, loops)
			writers = append(writers, sharedWrites(r, s, loops))
		}
		if s.body != nil {
			checkNoExit(r, s)
			checkTestFatal(r, s)
		}
	}
	reportMapWrites(r, writers)
	return nil, nil
}

// goroutineStart reports whether cur starts a goroutine, and what it runs.
func goroutineStart(info *types.Info, decls map[*types.Func]*ast.FuncDecl, cur inspector.Cursor) (start, bool) {
	s := start{cur: cur, runs: "a function literal"}
	switch n := cur.Node().(type) {
	case *ast.GoStmt:
		s.name = "go statement"
		if lit, ok := ast.Unparen(n.Call.Fun).(*ast.FuncLit); ok {
			s.lit, s.body = lit, lit.Body
			return s, true
		}
		s.runs = types.ExprString(n.Call.Fun)
		if fn := typeutil.StaticCallee(info, n.Call); fn != nil && decls[fn.Origin()] != nil {
			s.body = decls[fn.Origin()].Body
		}
		return s, true
	case *ast.CallExpr:
		fn := astx.CalleeFunc(info, n)
		if len(n.Args) != 1 || !astx.IsMethod(fn, "golang.org/x/sync/errgroup", "Group", "Go") && !astx.IsMethod(fn, "sync", "WaitGroup", "Go") {
			return s, false
		}
		s.name, s.waited = types.ExprString(n.Fun), true
		switch arg := ast.Unparen(n.Args[0]).(type) {
		case *ast.FuncLit:
			s.lit, s.body = arg, arg.Body
		case *ast.Ident, *ast.SelectorExpr:
			s.runs = types.ExprString(arg)
			if fn, ok := info.Uses[identOf(arg)].(*types.Func); ok && decls[fn.Origin()] != nil {
				s.body = decls[fn.Origin()].Body
			}
		}
		return s, true
	}
	return s, false
}

// checkLoopVars reports a literal that captures a variable of an enclosing
// loop in a file whose Go version shares loop variables across iterations.
func checkLoopVars(r *reporter, s start, loops []ast.Stmt) {
	info := r.Pass.TypesInfo
	var file *ast.File
	for c := range s.cur.Enclosing((*ast.File)(nil)) {
		file = c.Node().(*ast.File)
	}
	v := info.FileVersions[file]
	if len(loops) == 0 || !version.IsValid(v) || version.Compare(version.Lang(v), "go1.22") >= 0 {
		return
	}
	vars := make(map[types.Object]bool)
	for _, loop := range loops {
		for _, obj := range loopVars(info, loop) {
			vars[obj] = true
		}
	}
	ast.Inspect(s.lit.Body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && vars[info.Uses[id]] {
			delete(vars, info.Uses[id])
			r.Report(id, "loopvar-capture", "goroutine captures loop variable %s; before go1.22 (this file is %s) every iteration shares it", id.Name, v)
		}
		return true
	})
}

// loopVars returns the variables a loop statement declares.
func loopVars(info *types.Info, loop ast.Stmt) []types.Object {
	var lhs []ast.Expr
	switch l := loop.(type) {
	case *ast.RangeStmt:
		if l.Tok == token.DEFINE {
			lhs = []ast.Expr{l.Key, l.Value}
		}
	case *ast.ForStmt:
		if a, ok := l.Init.(*ast.AssignStmt); ok && a.Tok == token.DEFINE {
			lhs = a.Lhs
		}
	}
	var objs []types.Object
	for _, e := range lhs {
		if id, ok := e.(*ast.Ident); ok && info.Defs[id] != nil {
			objs = append(objs, info.Defs[id])
		}
	}
	return objs
}

// checkNoExit reports a goroutine whose body holds an endless loop that nothing can leave.
func checkNoExit(r *reporter, s start) {
	done := false
	ast.Inspect(s.body, func(n ast.Node) bool {
		if done {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return n == s.lit
		case *ast.ForStmt:
			if n.Cond == nil && !loopExits(r.Pass.TypesInfo, n) {
				r.Report(s.cur.Node(), "no-exit", "goroutine runs an endless for loop (line %d) with no return, break or ctx.Done exit", r.Line(n.Pos()))
				done = true
			}
		}
		return true
	})
}

// loopExits reports whether control can leave loop: a return, a goto, a
// break that targets loop or an outer statement, or a call that never returns.
func loopExits(info *types.Info, loop *ast.ForStmt) bool {
	exits := false
	var walk func(root ast.Node, depth int)
	walk = func(root ast.Node, depth int) {
		ast.Inspect(root, func(n ast.Node) bool {
			if exits {
				return false
			}
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				if n != root {
					walk(n, depth+1) // an unlabeled break in n leaves n, not loop
					return false
				}
			case *ast.ReturnStmt:
				exits = true
			case *ast.BranchStmt:
				switch {
				case n.Tok == token.GOTO:
					exits = true
				case n.Tok == token.BREAK && n.Label != nil:
					if l := info.Uses[n.Label]; l != nil {
						exits = l.Pos() < loop.Pos() || l.Pos() >= loop.End()
					}
				case n.Tok == token.BREAK:
					exits = depth == 0
				}
			case *ast.CallExpr:
				exits = neverReturns(info, n)
			}
			return !exits
		})
	}
	walk(loop.Body, 0)
	return exits
}

// checkTestFatal reports t.Fatal and friends called on a goroutine other than the test's.
func checkTestFatal(r *reporter, s start) {
	ast.Inspect(s.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return n == s.lit
		case *ast.CallExpr:
			fn := astx.CalleeFunc(r.Pass.TypesInfo, n)
			if fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "testing" && fn.Signature().Recv() != nil {
				switch fn.Name() {
				case "Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow":
					if s.lit != nil {
						r.Report(n, "test-fatal", "%s called from a goroutine; it must run on the test goroutine", types.ExprString(n.Fun))
					} else { // report at the start: the callee may be fine when called directly
						r.Report(s.cur.Node(), "test-fatal", "goroutine runs a function that calls %s (line %d); it must run on the test goroutine", types.ExprString(n.Fun), r.Line(n.Pos()))
					}
				}
			}
		}
		return true
	})
}
