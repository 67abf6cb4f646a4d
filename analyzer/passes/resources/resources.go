// Package resources defines an Analyzer that reports risk signals around the lifetimes of resources
// that must be released: files, connections, SQL rows and statements, HTTP response bodies, buffered
// and compressing writers, pipes.
package resources

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"
	"golang.org/x/tools/go/types/typeutil"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report unreleased and misreleased resources as risk signals

A resource is the result of os.Open/Create/OpenFile/CreateTemp, net and tls Dial/Listen, sql Query,
Prepare and Conn, http.Get/Post/Head/PostForm and Client.Do (its Body), bufio.NewWriter (Flush),
gzip/zlib/zip/tar writers and io.Pipe, assigned to a local variable. Passing it to a parameter that can
release it, returning it, storing it or capturing it in a closure hands it on; reading from it does not.
Timers and tickers are left to the timers pass.

resource-leak (risky): the resource is never released nor handed on, or some path from the acquisition
to a return neither releases nor hands it on. Branches where the acquisition failed (err != nil,
os.IsNotExist(err), errors.Is(err, ...)) are excluded, a finished rows.Next loop counts as closing the
rows, and a closure declared before the acquisition (a deferred cleanup) counts as handling it. For
writers that hold only memory (bufio, gzip, zlib, zip, tar) only "never" is reported: skipping Flush
or Close on an error path loses nothing.

body-unclosed (risky): an HTTP response body that the function never closes nor hands on.

defer-before-check (risky): defer x.Close() placed before the acquisition's error check, so it runs on
a nil x when the acquisition fails (quiet for *os.File, whose Close tolerates nil).

defer-in-loop (risky): a defer inside a loop body, which runs only when the function returns, so
resources (or locks) accumulate across iterations.

rows-err-unchecked (use with risk): sql rows iterated with Next but rows.Err is never consulted, so an
iteration error looks like the end of the result set.

acquire-in-loop (use with risk): a resource acquired inside a loop.`

// Signals maps each category this pass reports to its weight (see CONTRACT.md for the scale).
var Signals = map[string]float64{
	"resource-leak":      7,
	"body-unclosed":      8,
	"defer-before-check": 6,
	"defer-in-loop":      6,
	"rows-err-unchecked": 4,
	"acquire-in-loop":    3,
}

var Analyzer = &analysis.Analyzer{
	Name:     "resources",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/resources",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// kind describes how a resource is released.
type kind struct {
	release string // method that releases it
	body    bool   // the release is x.Body.Close()
	nilSafe bool   // release tolerates a nil receiver
	rows    bool   // *sql.Rows: Next closes it when it returns false
	memory  bool   // holds only memory: skipping the release on an error path loses nothing
	results []int  // which results are resources
}

var (
	closer   = kind{release: "Close", results: []int{0}}
	file     = kind{release: "Close", nilSafe: true, results: []int{0}}
	rows     = kind{release: "Close", rows: true, results: []int{0}}
	response = kind{release: "Close", body: true, results: []int{0}}
	flusher  = kind{release: "Flush", memory: true, results: []int{0}}
	encoder  = kind{release: "Close", memory: true, results: []int{0}}
	pipe     = kind{release: "Close", results: []int{0, 1}}
)

// acquirers maps "pkgpath.Func" or "pkgpath.Type.Method" to the kind of resource it returns.
var acquirers = map[string]kind{
	"os.Open": file, "os.Create": file, "os.OpenFile": file, "os.CreateTemp": file, "os.Pipe": pipe,
	"net.Dial": closer, "net.DialTimeout": closer, "net.Listen": closer, "net.ListenPacket": closer,
	"net.DialTCP": closer, "net.DialUDP": closer, "net.ListenTCP": closer, "net.ListenUDP": closer,
	"net.Dialer.Dial": closer, "net.Dialer.DialContext": closer, "net.ListenConfig.Listen": closer,
	"crypto/tls.Dial": closer, "crypto/tls.DialWithDialer": closer, "crypto/tls.Listen": closer,
	"database/sql.DB.Query": rows, "database/sql.DB.QueryContext": rows, "database/sql.Tx.Query": rows,
	"database/sql.Tx.QueryContext": rows, "database/sql.Conn.QueryContext": rows, "database/sql.Stmt.Query": rows,
	"database/sql.Stmt.QueryContext": rows, "database/sql.DB.Prepare": closer, "database/sql.DB.PrepareContext": closer,
	"database/sql.Tx.Prepare": closer, "database/sql.Tx.PrepareContext": closer, "database/sql.DB.Conn": closer,
	"net/http.Get": response, "net/http.Head": response, "net/http.Post": response, "net/http.PostForm": response,
	"net/http.Client.Get": response, "net/http.Client.Head": response, "net/http.Client.Post": response,
	"net/http.Client.PostForm": response, "net/http.Client.Do": response, "net/http.Transport.RoundTrip": response,
	"bufio.NewWriter": flusher, "bufio.NewWriterSize": flusher, "compress/gzip.NewWriter": encoder,
	"compress/gzip.NewWriterLevel": encoder, "compress/zlib.NewWriter": encoder, "archive/zip.NewWriter": encoder,
	"archive/tar.NewWriter": encoder, "io.Pipe": pipe,
}

func acquirer(info *types.Info, call *ast.CallExpr) (string, kind, bool) {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if fn == nil || fn.Pkg() == nil {
		return "", kind{}, false
	}
	key, name := fn.Pkg().Path()+"."+fn.Name(), fn.Pkg().Name()+"."+fn.Name()
	if recv := fn.Signature().Recv(); recv != nil {
		t := recv.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		n, ok := t.(*types.Named)
		if !ok {
			return "", kind{}, false
		}
		key, name = fn.Pkg().Path()+"."+n.Obj().Name()+"."+fn.Name(), types.ExprString(call.Fun)
	}
	k, ok := acquirers[key]
	return name, k, ok
}

// resource is a local variable holding an acquired resource.
type resource struct {
	v    *types.Var
	errv *types.Var // the acquisition's error, if any
	def  ast.Node   // the AssignStmt or ValueSpec acquiring it
	name string     // the acquiring call, as written
	kind kind
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	for c := range insp.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		var body *ast.BlockStmt
		switch n := c.Node().(type) {
		case *ast.FuncDecl:
			body = n.Body
		case *ast.FuncLit:
			body = n.Body
		}
		if body != nil {
			checkFunc(pass, c, body)
		}
	}
	return nil, nil
}

func checkFunc(pass *analysis.Pass, fc inspector.Cursor, body *ast.BlockStmt) {
	info := pass.TypesInfo
	var res []*resource
	var g *cfg.CFG
	fc.Inspect(nil, func(c inspector.Cursor) bool {
		switch n := c.Node().(type) {
		case *ast.FuncLit:
			return n == fc.Node() // nested functions are checked on their own
		case *ast.DeferStmt:
			if inLoop(c) {
				report(pass, n, "defer-in-loop", "defer %s inside a loop runs only when the function returns; what it releases accumulates across iterations", types.ExprString(n.Call))
			}
		case *ast.CallExpr:
			if name, _, ok := acquirer(info, n); ok && inLoop(c) {
				report(pass, n, "acquire-in-loop", "%s acquires a resource inside a loop", name)
			}
		case *ast.AssignStmt:
			if len(n.Rhs) == 1 {
				res = append(res, acquired(info, fc.Node(), n, n.Lhs, n.Rhs[0])...)
			}
		case *ast.ValueSpec:
			if len(n.Values) == 1 {
				lhs := make([]ast.Expr, len(n.Names))
				for i, id := range n.Names {
					lhs[i] = id
				}
				res = append(res, acquired(info, fc.Node(), n, lhs, n.Values[0])...)
			}
		}
		return true
	})
	for _, r := range res {
		if g == nil {
			g = cfg.New(body, mayReturn(info))
		}
		checkResource(pass, fc, g, r)
	}
}

// inLoop reports whether c is inside a loop body of its own function.
func inLoop(c inspector.Cursor) bool {
	for e := range c.Parent().Enclosing((*ast.ForStmt)(nil), (*ast.RangeStmt)(nil), (*ast.FuncLit)(nil), (*ast.FuncDecl)(nil)) {
		switch n := e.Node().(type) {
		case *ast.ForStmt:
			return n.Body.Pos() <= c.Node().Pos()
		case *ast.RangeStmt:
			return n.Body.Pos() <= c.Node().Pos()
		}
		return false
	}
	return false
}

// acquired returns the resources that def, in function fn, assigns to local variables of fn.
func acquired(info *types.Info, fn, def ast.Node, lhs []ast.Expr, rhs ast.Expr) []*resource {
	var bodyPos token.Pos // params and named results are the caller's business
	switch fn := fn.(type) {
	case *ast.FuncDecl:
		bodyPos = fn.Body.Pos()
	case *ast.FuncLit:
		bodyPos = fn.Body.Pos()
	}
	call, ok := ast.Unparen(rhs).(*ast.CallExpr)
	if !ok {
		return nil
	}
	name, k, ok := acquirer(info, call)
	if !ok {
		return nil
	}
	var errv *types.Var
	if id, ok := lhs[len(lhs)-1].(*ast.Ident); ok && len(lhs) > 1 {
		if v, ok := info.ObjectOf(id).(*types.Var); ok && types.Identical(v.Type(), types.Universe.Lookup("error").Type()) {
			errv = v
		}
	}
	var out []*resource
	for _, i := range k.results {
		if i >= len(lhs) {
			continue
		}
		id, _ := lhs[i].(*ast.Ident)
		if id == nil || id.Name == "_" {
			continue
		}
		if v, ok := info.ObjectOf(id).(*types.Var); ok && v.Pos() > bodyPos && v.Pos() < fn.End() {
			out = append(out, &resource{v: v, errv: errv, def: def, name: name, kind: k})
		}
	}
	return out
}

func checkResource(pass *analysis.Pass, fc inspector.Cursor, g *cfg.CFG, r *resource) {
	info := pass.TypesInfo
	var handled []token.Pos // references that release or hand on the resource
	var released, escaped, next, errCalled, capturedEarly bool
	var nextCall ast.Node
	var deferRelease *ast.DeferStmt
	for c := range fc.Preorder((*ast.Ident)(nil)) {
		id := c.Node().(*ast.Ident)
		if info.Uses[id] != r.v {
			continue
		}
		if id.Pos() < r.def.End() {
			// A closure declared before the acquisition (typically a deferred cleanup) sees it.
			capturedEarly = capturedEarly || inClosure(fc, c)
			continue
		}
		rel, esc, method := classify(info, fc, c, r.kind)
		released, escaped = released || rel, escaped || esc
		if rel || esc {
			handled = append(handled, id.Pos())
		}
		switch method {
		case "Next":
			next, nextCall = true, id
			released = released || r.kind.rows // a finished Next loop closes the rows
		case "Err":
			errCalled = true
		}
		for d := range c.Enclosing((*ast.DeferStmt)(nil)) {
			if d := d.Node().(*ast.DeferStmt); rel && deferRelease == nil && d.Call.Fun.Pos() <= id.Pos() && id.Pos() < d.Call.Fun.End() {
				deferRelease = d
			}
			break
		}
	}
	checks := errChecks(info, fc, r)
	v := r.v.Name()
	if r.kind.body {
		v += ".Body"
	}
	verb := map[string]string{"Close": "closed", "Flush": "flushed"}[r.kind.release]
	switch {
	case capturedEarly:
	case deferRelease != nil && len(checks) > 0 && deferRelease.Pos() < checks[0].cond.Pos() && !r.kind.nilSafe:
		report(pass, deferRelease, "defer-before-check", "defer %s runs before %s is checked at line %d; %s is nil when %s fails",
			types.ExprString(deferRelease.Call), r.errv.Name(), pass.Fset.Position(checks[0].cond.Pos()).Line, r.v.Name(), r.name)
	case !released && !escaped && r.kind.body:
		report(pass, r.def, "body-unclosed", "%s from %s is never closed nor handed on", v, r.name)
	case !released && !escaped:
		report(pass, r.def, "resource-leak", "%s from %s is never %s nor handed on", v, r.name, verb)
	case !r.kind.memory:
		if ret := leakPath(g, r, handled, checks); ret != nil {
			report(pass, r.def, "resource-leak", "%s from %s is not %s on the path to the return at line %d",
				v, r.name, verb, pass.Fset.Position(ret.Pos()).Line)
		}
	}
	if r.kind.rows && next && !errCalled && !escaped {
		report(pass, nextCall, "rows-err-unchecked", "%s.Next loop without %s.Err(); an iteration error looks like the end of the rows", r.v.Name(), r.v.Name())
	}
}

// classify tells what the reference to the resource at c does: release it, hand it on (escape), or
// only use it; method is the method called on it, if any.
func classify(info *types.Info, fc, c inspector.Cursor, k kind) (release, escape bool, method string) {
	if inClosure(fc, c) {
		return false, true, "" // a closure takes it over
	}
	e, p := c.Node().(ast.Expr), c.Parent()
	if sel, ok := p.Node().(*ast.SelectorExpr); ok && k.body && sel.Sel.Name == "Body" {
		e, p = sel, p.Parent() // resp.Body is the resource; other fields of resp are plain reads
	}
	switch n := p.Node().(type) {
	case *ast.SelectorExpr:
		if call, ok := p.Parent().Node().(*ast.CallExpr); ok && call.Fun == n {
			return n.Sel.Name == k.release && (!k.body || e != c.Node()), false, n.Sel.Name
		}
		return false, false, ""
	case *ast.BinaryExpr:
		return false, false, ""
	case *ast.AssignStmt:
		if slices.Contains(n.Lhs, e) {
			return false, false, "" // overwritten: a leak if nothing handled the old value
		}
	case *ast.CallExpr:
		if n.Fun == e {
			return false, false, ""
		}
		tv, ok := info.Types[n.Fun]
		sig, _ := tv.Type.(*types.Signature)
		if !ok || tv.IsType() || tv.IsBuiltin() || sig == nil {
			return false, true, ""
		}
		for i, arg := range n.Args {
			if arg != e {
				continue
			}
			pt := paramType(sig, i)
			if k.body && e == c.Node() { // the whole response: the callee may close its body
				return false, true, ""
			}
			obj, _, _ := types.LookupFieldOrMethod(pt, true, nil, k.release)
			_, isIface := pt.Underlying().(*types.Interface)
			return false, obj != nil || isIface && pt.Underlying().(*types.Interface).Empty(), ""
		}
	}
	return false, true, ""
}

// inClosure reports whether c lies in a function literal nested in fc.
func inClosure(fc, c inspector.Cursor) bool {
	for e := range c.Enclosing((*ast.FuncLit)(nil)) {
		if e.Node() != fc.Node() && fc.Contains(e) {
			return true
		}
	}
	return false
}

func paramType(sig *types.Signature, i int) types.Type {
	params := sig.Params()
	if sig.Variadic() && i >= params.Len()-1 {
		if s, ok := params.At(params.Len() - 1).Type().(*types.Slice); ok {
			return s.Elem()
		}
	}
	if i < params.Len() {
		return params.At(i).Type()
	}
	return types.Typ[types.Invalid]
}

func report(pass *analysis.Pass, n ast.Node, category, format string, args ...any) {
	pass.Report(analysis.Diagnostic{Pos: n.Pos(), End: n.End(), Category: category, Message: fmt.Sprintf(format, args...)})
}
