// Package contexts defines an Analyzer that reports risk signals around context.Context: contexts that
// are derived, dropped, leaked or never consulted.
package contexts

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report context creation and misuse as risk signals

ctx-derive (use): a call to context.WithCancel, WithTimeout, WithDeadline, WithValue or their Cause
variants.

ctx-background (risky): context.Background() or context.TODO() in a function that already has a context
in scope (a context.Context parameter or an *http.Request, also of an enclosing function), so the
caller's cancellation and values are dropped. Quiet inside if ctx == nil, and once the function has
received from a Done channel, where a fresh context for cleanup is deliberate.

cancel-leak (risky): the cancel function of a derived context is discarded (assigned to _), never
referenced, or not referenced on some path to a return, so the context lives until its parent ends.

ctx-unused (risky): a named context.Context parameter is never used although the function does blocking
work (a channel operation, a call taking a context or having a ...Context variant, an HTTP request,
time.Sleep, WaitGroup.Wait), so that work cannot be cancelled.

ctx-variant (risky): a call to a function or method that has a ...Context variant (db.Query and
QueryContext, exec.Command and CommandContext, http.NewRequest and NewRequestWithContext), or to
http.Get/Head/Post/PostForm, while a context is in scope.`

// Signals maps each category this pass reports to its weight (see CONTRACT.md for the scale).
var Signals = map[string]float64{
	"ctx-derive":     1,
	"ctx-background": 6,
	"cancel-leak":    5,
	"ctx-unused":     5,
	"ctx-variant":    4,
}

var Analyzer = &analysis.Analyzer{
	Name:     "contexts",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/contexts",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	for c := range insp.Root().Preorder((*ast.CallExpr)(nil)) {
		checkCall(pass, c)
	}
	for c := range insp.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		name, typ, body := funcParts(c.Node())
		if body == nil {
			continue // assembly stub
		}
		checkUnusedCtx(pass, name, typ, body)
		checkCancels(pass, body)
	}
	return nil, nil
}

func funcParts(n ast.Node) (name string, typ *ast.FuncType, body *ast.BlockStmt) {
	switch n := n.(type) {
	case *ast.FuncDecl:
		return n.Name.Name, n.Type, n.Body
	case *ast.FuncLit:
		return "func literal", n.Type, n.Body
	}
	return "", nil, nil
}

var derives = map[string]bool{
	"WithCancel": true, "WithCancelCause": true, "WithTimeout": true, "WithTimeoutCause": true,
	"WithDeadline": true, "WithDeadlineCause": true, "WithValue": true,
}

func checkCall(pass *analysis.Pass, c inspector.Cursor) {
	call := c.Node().(*ast.CallExpr)
	fn, _ := typeutil.Callee(pass.TypesInfo, call).(*types.Func)
	if fn == nil || fn.Pkg() == nil {
		return
	}
	if fn.Pkg().Path() == "context" && fn.Signature().Recv() == nil {
		switch name := fn.Name(); {
		case derives[name]:
			report(pass, call, "ctx-derive", "context.%s derives a context", name)
		case name == "Background" || name == "TODO":
			ctx, body := contextInScope(pass.TypesInfo, c)
			if ctx != "" && !receivesDone(pass.TypesInfo, body, call.Pos()) && !defaultsNil(pass.TypesInfo, c) {
				report(pass, call, "ctx-background",
					"context.%s() drops the cancellation of %s in scope; derive from it (context.WithoutCancel if detaching is meant)",
					name, ctx)
			}
		}
		return
	}
	if variant := contextVariant(fn); variant != "" {
		if ctx, _ := contextInScope(pass.TypesInfo, c); ctx != "" {
			report(pass, call, "ctx-variant", "%s ignores %s in scope; use %s", calleeName(fn), ctx, variant)
		}
	}
}

// contextInScope returns how to reach a context from the call at c (the name of a context.Context
// parameter, or r.Context() for an *http.Request parameter) and the body of the function declaring it.
func contextInScope(info *types.Info, c inspector.Cursor) (string, *ast.BlockStmt) {
	for fc := range c.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		_, typ, body := funcParts(fc.Node())
		for _, field := range typ.Params.List {
			for _, name := range field.Names {
				v, _ := info.Defs[name].(*types.Var)
				switch {
				case v == nil || name.Name == "_":
				case isContext(v.Type()):
					return name.Name, body
				case isNamed(v.Type(), "net/http", "Request"):
					return name.Name + ".Context()", body
				}
			}
		}
	}
	return "", nil
}

// defaultsNil reports whether c lies in an if ctx == nil block, the idiom for defaulting a missing
// context.
func defaultsNil(info *types.Info, c inspector.Cursor) bool {
	for e := range c.Enclosing((*ast.IfStmt)(nil), (*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		ifs, ok := e.Node().(*ast.IfStmt)
		if !ok {
			return false
		}
		if bin, ok := ast.Unparen(ifs.Cond).(*ast.BinaryExpr); ok && bin.Op == token.EQL &&
			(isContext(info.TypeOf(bin.X)) || isContext(info.TypeOf(bin.Y))) && c.Node().Pos() >= ifs.Body.Pos() {
			return true
		}
	}
	return false
}

// receivesDone reports whether body receives from a context's Done channel before pos.
func receivesDone(info *types.Info, body *ast.BlockStmt, pos token.Pos) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if u, ok := n.(*ast.UnaryExpr); ok && u.Op == token.ARROW && u.Pos() < pos {
			if call, ok := ast.Unparen(u.X).(*ast.CallExpr); ok {
				fn, _ := typeutil.Callee(info, call).(*types.Func)
				found = found || fn != nil && fn.Name() == "Done" && fn.Pkg() != nil && fn.Pkg().Path() == "context"
			}
		}
		return !found
	})
	return found
}

// contextVariant returns what to call instead of fn when a context is at hand, or "" if fn has no
// context-taking variant.
func contextVariant(fn *types.Func) string {
	sig := fn.Signature()
	if hasContextParam(sig) {
		return ""
	}
	if fn.Pkg().Path() == "net/http" && (sig.Recv() == nil || isNamed(sig.Recv().Type(), "net/http", "Client")) {
		switch fn.Name() {
		case "Get", "Head", "Post", "PostForm":
			return "http.NewRequestWithContext and Client.Do"
		}
	}
	for _, suffix := range []string{"Context", "WithContext"} {
		name := fn.Name() + suffix
		var alt types.Object
		if recv := sig.Recv(); recv != nil {
			alt, _, _ = types.LookupFieldOrMethod(recv.Type(), true, fn.Pkg(), name)
		} else {
			alt = fn.Pkg().Scope().Lookup(name)
		}
		if m, ok := alt.(*types.Func); ok && hasContextParam(m.Signature()) {
			return calleeName(m)
		}
	}
	return ""
}

func checkUnusedCtx(pass *analysis.Pass, fname string, typ *ast.FuncType, body *ast.BlockStmt) {
	for _, field := range typ.Params.List {
		for _, name := range field.Names {
			v, _ := pass.TypesInfo.Defs[name].(*types.Var)
			if v == nil || name.Name == "_" || !isContext(v.Type()) || references(pass.TypesInfo, body, v) {
				continue
			}
			if pos, what := blockingWork(pass.TypesInfo, body); pos.IsValid() {
				report(pass, name, "ctx-unused", "%s is never used although %s blocks (%s at line %d)",
					name.Name, fname, what, pass.Fset.Position(pos).Line)
			}
		}
	}
}

// blockingWork returns the first operation in body (closures included) that may block and should
// honour cancellation.
func blockingWork(info *types.Info, body *ast.BlockStmt) (pos token.Pos, what string) {
	ast.Inspect(body, func(n ast.Node) bool {
		if pos.IsValid() {
			return false
		}
		switch n := n.(type) {
		case *ast.SendStmt:
			pos, what = n.Pos(), "channel send"
		case *ast.UnaryExpr:
			if n.Op == token.ARROW {
				pos, what = n.Pos(), "channel receive"
			}
		case *ast.SelectStmt:
			pos, what = n.Pos(), "select"
		case *ast.RangeStmt:
			if t := info.TypeOf(n.X); t != nil {
				if _, ok := t.Underlying().(*types.Chan); ok {
					pos, what = n.Pos(), "range over channel"
				}
			}
		case *ast.CallExpr:
			fn, _ := typeutil.Callee(info, n).(*types.Func)
			if fn == nil || fn.Pkg() == nil {
				break
			}
			switch fn.FullName() {
			case "time.Sleep", "(*sync.WaitGroup).Wait", "(*sync.Cond).Wait":
				pos, what = n.Pos(), fn.FullName()
			default:
				if hasContextParam(fn.Signature()) || contextVariant(fn) != "" {
					pos, what = n.Pos(), "call to "+calleeName(fn)
				}
			}
		}
		return true
	})
	return pos, what
}

func references(info *types.Info, n ast.Node, v *types.Var) bool {
	return referencesExcept(info, n, v, nil)
}

func referencesExcept(info *types.Info, n ast.Node, v *types.Var, except *ast.Ident) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id != except && info.Uses[id] == v {
			found = true
		}
		return !found
	})
	return found
}

func hasContextParam(sig *types.Signature) bool {
	for p := range sig.Params().Variables() {
		if isContext(p.Type()) {
			return true
		}
	}
	return false
}

func isContext(t types.Type) bool { return isNamed(t, "context", "Context") }

// isNamed reports whether t, or what it points to, is the named type path.name.
func isNamed(t types.Type, path, name string) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == path && n.Obj().Name() == name
}

// calleeName renders fn as a reader would write it: http.Get, (*sql.DB).Query → DB.Query.
func calleeName(fn *types.Func) string {
	if recv := fn.Signature().Recv(); recv != nil {
		t := recv.Type()
		if p, ok := types.Unalias(t).(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := types.Unalias(t).(*types.Named); ok {
			return n.Obj().Name() + "." + fn.Name()
		}
		return fn.Name()
	}
	return fn.Pkg().Name() + "." + fn.Name()
}

func report(pass *analysis.Pass, n ast.Node, category, format string, args ...any) {
	pass.Report(analysis.Diagnostic{Pos: n.Pos(), End: n.End(), Category: category, Message: fmt.Sprintf(format, args...)})
}
