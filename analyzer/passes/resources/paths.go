package resources

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"
	"golang.org/x/tools/go/types/typeutil"
)

// This file holds the path search behind resource-leak.

// errCheck is the condition where the acquisition's error is first read.
type errCheck struct {
	cond         ast.Expr
	failedIfTrue bool // err != nil, os.IsNotExist(err), errors.Is(err, ...); false for err == nil
}

// errChecks returns the tests of the acquisition's error that follow it, up to the error's next
// assignment: on their failure branches nothing was acquired.
func errChecks(info *types.Info, fc inspector.Cursor, r *resource) []errCheck {
	var checks []errCheck
	if r.errv == nil {
		return nil
	}
	for c := range fc.Preorder((*ast.Ident)(nil)) {
		id := c.Node().(*ast.Ident)
		if info.Uses[id] != r.errv || id.Pos() < r.def.End() {
			continue
		}
		switch p := c.Parent().Node().(type) {
		case *ast.AssignStmt:
			return checks
		case *ast.BinaryExpr:
			if p.Op == token.NEQ || p.Op == token.EQL {
				checks = append(checks, errCheck{p, p.Op == token.NEQ})
			}
		case *ast.CallExpr: // os.IsNotExist(err), errors.Is(err, fs.ErrExist): true only for an error
			if t, ok := info.TypeOf(p).(*types.Basic); ok && t.Kind() == types.Bool {
				checks = append(checks, errCheck{p, true})
			}
		}
	}
	return checks
}

// leakPath returns a return statement reachable from r's acquisition through no node that handles it,
// skipping the branch where the acquisition failed and the exit of a finished rows.Next loop.
func leakPath(g *cfg.CFG, r *resource, handled []token.Pos, checks []errCheck) *ast.ReturnStmt {
	handles := func(n ast.Node) bool {
		for _, p := range handled {
			if n.Pos() <= p && p < n.End() {
				return true
			}
		}
		return false
	}
	var start *cfg.Block
	var rest []ast.Node
	for _, b := range g.Blocks {
		for i, n := range b.Nodes {
			if n == r.def {
				start, rest = b, b.Nodes[i+1:]
			}
		}
	}
	if start == nil {
		return nil
	}
	seen := map[*cfg.Block]bool{}
	var search func(b *cfg.Block, nodes []ast.Node) *ast.ReturnStmt
	search = func(b *cfg.Block, nodes []ast.Node) *ast.ReturnStmt {
		for _, n := range nodes {
			if handles(n) {
				return nil
			}
		}
		if ret := b.Return(); ret != nil {
			return ret
		}
		succs := b.Succs
		if len(succs) == 2 && len(b.Nodes) > 0 {
			cond := b.Nodes[len(b.Nodes)-1]
			for _, check := range checks {
				if cond == check.cond && check.failedIfTrue {
					succs = succs[1:] // err != nil: nothing was acquired
				} else if cond == check.cond {
					succs = succs[:1]
				}
			}
			if r.kind.rows && mentionsNext(cond) {
				succs = succs[:1] // Next returned false and closed the rows
			}
		}
		for _, s := range succs {
			if !seen[s] {
				seen[s] = true
				if ret := search(s, s.Nodes); ret != nil {
					return ret
				}
			}
		}
		return nil
	}
	return search(start, rest)
}

func mentionsNext(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "Next" {
			found = true
		}
		return !found
	})
	return found
}

// mayReturn tells the CFG builder which calls end the goroutine or the program.
func mayReturn(info *types.Info) func(*ast.CallExpr) bool {
	return func(call *ast.CallExpr) bool {
		switch fn := typeutil.Callee(info, call).(type) {
		case *types.Builtin:
			return fn.Name() != "panic"
		case *types.Func:
			if fn.Pkg() == nil {
				return true
			}
			switch fn.Pkg().Path() + "." + fn.Name() {
			case "os.Exit", "runtime.Goexit", "log.Fatal", "log.Fatalf", "log.Fatalln", "log.Panic", "log.Panicf",
				"log.Panicln", "testing.Fatal", "testing.Fatalf", "testing.FailNow", "testing.Skip", "testing.Skipf",
				"testing.SkipNow":
				return false
			}
		}
		return true
	}
}
