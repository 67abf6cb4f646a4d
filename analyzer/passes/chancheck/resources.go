package chancheck

// This file holds resource-not-closed and defer-in-loop.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"go/version"
	"slices"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"github.com/secondlook/secondlook/analyzer/passes/internal/flow"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
)

// A resKind is a kind of resource: how it is acquired and released.
type resKind struct {
	noun    string // "response body", "file", "rows", "ticker"
	release string // the method that releases it: "Close", "Stop"
	body    bool   // released by v.Body.Close()
	rows    bool   // a finished rows.Next loop releases it too
	reads   map[string]bool
}

var (
	bodyKind = &resKind{noun: "response body", release: "Close", body: true, reads: setOf(
		"Status", "StatusCode", "Proto", "ProtoMajor", "ProtoMinor", "Header", "ContentLength",
		"TransferEncoding", "Uncompressed", "Trailer", "Request", "TLS", "Location", "Cookies")}
	fileKind = &resKind{noun: "file", release: "Close", reads: setOf(
		"Read", "ReadAt", "Write", "WriteAt", "WriteString", "Seek", "Stat", "Name", "Sync", "Fd",
		"ReadDir", "Readdir", "Readdirnames", "Chmod", "Chown", "Truncate", "ReadFrom", "WriteTo")}
	rowsKind = &resKind{noun: "rows", release: "Close", rows: true, reads: setOf(
		"Next", "Scan", "Err", "Columns", "ColumnTypes", "NextResultSet")}
	// Before Go 1.23 a ticker that is not stopped is never collected.
	tickerKind = &resKind{noun: "ticker", release: "Stop", reads: setOf("C", "Reset")}
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool)
	for _, n := range names {
		m[n] = true
	}
	return m
}

// acquired returns the kind of resource the call returns as its first
// result, or nil; goVersion is the file's Go version.
func acquired(info *types.Info, call *ast.CallExpr, goVersion string) *resKind {
	fn := astx.CalleeFunc(info, call)
	if fn == nil || fn.Pkg() == nil {
		return nil
	}
	name := fn.Name()
	switch fn.Pkg().Path() {
	case "time":
		if name == "NewTicker" && fn.Signature().Recv() == nil && version.IsValid(goVersion) && version.Compare(goVersion, "go1.23") < 0 {
			return tickerKind
		}
	case "net/http":
		recv := fn.Signature().Recv()
		// Not Head: the body of a response to HEAD is http.NoBody.
		switch {
		case recv == nil && (name == "Get" || name == "Post" || name == "PostForm"):
			return bodyKind
		case astx.IsMethod(fn, "net/http", "Client", name) && (name == "Do" || name == "Get" || name == "Post" || name == "PostForm"):
			return bodyKind
		}
	case "os":
		if fn.Signature().Recv() == nil && (name == "Open" || name == "Create" || name == "OpenFile" || name == "CreateTemp") {
			return fileKind
		}
	case "database/sql":
		for _, typ := range []string{"DB", "Tx", "Conn", "Stmt"} {
			if astx.IsMethod(fn, "database/sql", typ, name) && (name == "Query" || name == "QueryContext") {
				return rowsKind
			}
		}
	}
	return nil
}

// nonClosers are functions that read from or write to a value without
// closing it: handing a resource to them keeps it ours.
var nonClosers = setOf(
	"io.ReadAll", "io.Copy", "io.CopyN", "io.CopyBuffer", "io.ReadFull", "io.ReadAtLeast", "io.LimitReader", "io.WriteString",
	"io/ioutil.ReadAll", "encoding/json.NewDecoder", "encoding/json.NewEncoder", "encoding/xml.NewDecoder", "encoding/xml.NewEncoder",
	"encoding/csv.NewReader", "encoding/csv.NewWriter", "encoding/gob.NewDecoder", "encoding/gob.NewEncoder",
	"bufio.NewReader", "bufio.NewReaderSize", "bufio.NewScanner", "bufio.NewWriter", "bufio.NewWriterSize",
	"fmt.Fprint", "fmt.Fprintf", "fmt.Fprintln", "fmt.Fscan", "fmt.Fscanf", "fmt.Fscanln")

// A resource is one acquisition into a local variable.
type resource struct {
	kind     *resKind
	v        *types.Var
	errv     types.Object // the error result, if assigned to a variable
	assign   *ast.AssignStmt
	call     *ast.CallExpr
	releases []ast.Node // Close calls, and defer statements that close
}

// checkResources reports resources f acquires into a local variable and
// neither releases nor hands on, on some path or on all.
//
// The resources: an HTTP response (http.Get, Post, PostForm and the Client
// methods, but not Head, whose body is http.NoBody), a file (os.Open,
// Create, OpenFile, CreateTemp), SQL rows (Query, QueryContext) or, in a
// file whose Go version is before go1.23 (when unstopped tickers began to be
// collected), a time.NewTicker. Reading one to its end releases it too (a
// response body by io.ReadAll or io.Copy, rows in a for rows.Next() loop,
// whose end closes them but whose body does not). A path is not reported
// inside the branch where the acquisition failed (err != nil,
// os.IsNotExist(err)). A variable returned, stored, captured by a closure
// other than a deferred one that closes it, or passed to a call that might
// close it is left alone; reading it (io.ReadAll, json.NewDecoder, bufio,
// fmt.Fprint and the type's own methods) is not handing it on. go vet's
// httpresponse and sqlrowserr check other things: the use of a response
// before its error check, and rows.Err.
func checkResources(r *reporter, f *fn) {
	info := r.Pass.TypesInfo
	goVersion := ""
	for c := range f.cur.Enclosing((*ast.File)(nil)) {
		goVersion = info.FileVersions[c.Node().(*ast.File)]
	}
	var res []*resource
	astx.InspectDirect(f.cur, func(c inspector.Cursor) {
		as, ok := c.Node().(*ast.AssignStmt)
		if !ok || len(as.Rhs) != 1 || len(as.Lhs) < 1 {
			return
		}
		call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		if !ok {
			return
		}
		kind := acquired(info, call, goVersion)
		id, isID := as.Lhs[0].(*ast.Ident)
		if kind == nil || !isID || id.Name == "_" {
			return
		}
		v, _ := info.ObjectOf(id).(*types.Var)
		if v == nil || v.Parent() == nil || v.Parent() == types.Universe || !astx.Contains(f.body, flow.PosNode(v.Pos())) {
			return
		}
		rs := &resource{kind: kind, v: v, assign: as, call: call}
		if len(as.Lhs) == 2 {
			if eid, ok := as.Lhs[1].(*ast.Ident); ok && eid.Name != "_" {
				rs.errv = info.ObjectOf(eid)
			}
		}
		res = append(res, rs)
	})
	for _, rs := range res {
		if handedOn(info, f, rs) {
			continue
		}
		if len(rs.releases) == 0 {
			r.ReportRelated(rs.call, "resource-not-closed", []analysis.RelatedInformation{astx.Related(rs.assign, "assigned to %s", rs.v.Name())},
				"%s %s is never %s%s: %s", rs.kind.noun, release(rs), closed(rs.kind), nextClause(rs), leakEffect(rs.kind))
			continue
		}
		checkResourcePaths(r, f, rs)
	}
}

func release(rs *resource) string {
	if rs.kind.body {
		return rs.v.Name() + ".Body"
	}
	return rs.v.Name()
}

func closed(k *resKind) string {
	if k.release == "Stop" {
		return "stopped"
	}
	return "closed"
}

func nextClause(rs *resource) string {
	if rs.kind.rows || rs.kind.body {
		return " nor read to its end"
	}
	return ""
}

func leakEffect(k *resKind) string {
	switch {
	case k == tickerKind:
		return "before Go 1.23 a ticker that is not stopped is never collected and ticks forever"
	case k.body:
		return "the connection is neither reused nor freed"
	case k.rows:
		return "its connection stays busy"
	}
	return "the descriptor leaks"
}

// handedOn reports whether rs's variable is used other than by reads and
// releases: returned, stored, passed to a call that may close it, assigned
// again, or used in a closure other than a deferred one that closes it.
// It fills rs.releases.
func handedOn(info *types.Info, f *fn, rs *resource) bool {
	handed, used := false, false
	for c := range f.cur.Preorder((*ast.Ident)(nil)) {
		id := c.Node().(*ast.Ident)
		if info.Uses[id] != rs.v || handed {
			continue
		}
		if lit, ok := enclosingFunc(c).(*ast.FuncLit); ok && lit != f.cur.Node() {
			// defer func() { v.Close() }() closes; other closures: we cannot tell.
			if d := deferredLit(c, lit); d != nil && isRelease(info, c, rs) {
				rs.releases = append(rs.releases, d)
				continue
			}
			return true
		}
		if isRelease(info, c, rs) {
			node := c.Node()
			for p := c.Parent(); p.Node() != nil; p = p.Parent() {
				if call, ok := p.Node().(*ast.CallExpr); ok {
					node = call
					if d, ok := p.Parent().Node().(*ast.DeferStmt); ok {
						node = d
					}
					break
				}
			}
			rs.releases = append(rs.releases, node)
			continue
		}
		if !isRead(info, c, rs) {
			handed = true
		}
		if be, ok := c.Parent().Node().(*ast.BinaryExpr); !ok || !isNil(info, be.X) && !isNil(info, be.Y) {
			used = true
		}
	}
	// Only compared with nil: the code expects no resource (a test of a
	// failing call), or has none to close.
	return handed || !used && len(rs.releases) == 0
}

// deferredLit returns the defer statement that runs lit, or nil.
func deferredLit(c inspector.Cursor, lit *ast.FuncLit) *ast.DeferStmt {
	for p := c.Parent(); p.Node() != nil; p = p.Parent() {
		if p.Node() == lit {
			if call, ok := p.Parent().Node().(*ast.CallExpr); ok && call.Fun == lit {
				d, _ := p.Parent().Parent().Node().(*ast.DeferStmt)
				return d
			}
			return nil
		}
	}
	return nil
}

// isRelease reports whether the use at c is v.Close() (v.Body.Close() for
// a response, or reading the body to its end with io.ReadAll or io.Copy),
// or the v.Next() of a for loop over rows.
func isRelease(info *types.Info, c inspector.Cursor, rs *resource) bool {
	p := c.Parent()
	if rs.kind.body {
		sel, ok := p.Node().(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Body" {
			return false
		}
		p = p.Parent()
		// Reading the body to its end frees the connection too.
		if call, ok := p.Node().(*ast.CallExpr); ok {
			if fn := astx.CalleeFunc(info, call); fn != nil && fn.Pkg() != nil && fn.Signature().Recv() == nil {
				switch fn.Pkg().Path() + "." + fn.Name() {
				case "io.ReadAll", "io/ioutil.ReadAll":
					return len(call.Args) == 1 && call.Args[0] == sel
				case "io.Copy", "io.CopyBuffer":
					return len(call.Args) >= 2 && call.Args[1] == sel
				}
			}
		}
	}
	sel, ok := p.Node().(*ast.SelectorExpr)
	if !ok {
		return false
	}
	call, ok := p.Parent().Node().(*ast.CallExpr)
	if !ok || call.Fun != sel {
		return false
	}
	if sel.Sel.Name == rs.kind.release {
		return true
	}
	if rs.kind.rows && sel.Sel.Name == "Next" {
		loop, ok := p.Parent().Parent().Node().(*ast.ForStmt)
		return ok && loop.Cond == call
	}
	return false
}

// isRead reports whether the use at c keeps the resource: a field read, a
// method that does not close it, a comparison with nil, or an argument to
// a function known not to close it.
func isRead(info *types.Info, c inspector.Cursor, rs *resource) bool {
	p := c.Parent()
	switch n := p.Node().(type) {
	case *ast.BinaryExpr:
		return (n.Op == token.EQL || n.Op == token.NEQ) && (isNil(info, n.X) || isNil(info, n.Y))
	case *ast.SelectorExpr:
		if rs.kind.body && n.Sel.Name == "Body" {
			// resp.Body.Read(...), io.ReadAll(resp.Body)
			pp := p.Parent()
			if s, ok := pp.Node().(*ast.SelectorExpr); ok {
				return s.Sel.Name == "Read"
			}
			return argOfNonCloser(info, pp, n)
		}
		return rs.kind.reads[n.Sel.Name]
	case *ast.CallExpr:
		return argOfNonCloser(info, p, c.Node().(ast.Expr))
	}
	return false
}

// argOfNonCloser reports whether e is an argument of the call at c, a
// function known not to close it.
func argOfNonCloser(info *types.Info, c inspector.Cursor, e ast.Expr) bool {
	call, ok := c.Node().(*ast.CallExpr)
	if !ok || !slices.Contains(call.Args, e) {
		return false
	}
	fn := astx.CalleeFunc(info, call)
	if fn == nil || fn.Pkg() == nil || fn.Signature().Recv() != nil || !nonClosers[fn.Pkg().Path()+"."+fn.Name()] {
		return false
	}
	// A wrapper returned hands the resource on with it: return bufio.NewReader(f).
	_, returned := c.Parent().Node().(*ast.ReturnStmt)
	return !returned
}

// checkResourcePaths reports a return reached from rs's acquisition
// without a release, skipping the branch where the acquisition failed.
func checkResourcePaths(r *reporter, f *fn, rs *resource) {
	info := r.Pass.TypesInfo
	g := flow.New(info, f.body) // a graph of its own: its cuts are this resource's
	// The branches where the acquisition failed: err != nil, err == nil
	// false, os.IsNotExist(err), errors.Is(err, ...).
	isErr := func(e ast.Expr) bool {
		id, ok := ast.Unparen(e).(*ast.Ident)
		return ok && rs.errv != nil && info.Uses[id] == rs.errv
	}
	for c := range f.cur.Preorder((*ast.BinaryExpr)(nil), (*ast.CallExpr)(nil)) {
		if c.Node().Pos() < rs.assign.End() {
			continue
		}
		switch n := c.Node().(type) {
		case *ast.BinaryExpr:
			if (n.Op == token.NEQ || n.Op == token.EQL) && isErr(n.X) && isNil(info, n.Y) {
				g.CutBranch(n, n.Op == token.NEQ)
			}
			// if v != nil { v.Close() }: nothing to close when nil.
			if id, ok := ast.Unparen(n.X).(*ast.Ident); ok && info.Uses[id] == rs.v && isNil(info, n.Y) && (n.Op == token.NEQ || n.Op == token.EQL) {
				g.CutBranch(n, n.Op == token.EQL)
			}
		case *ast.CallExpr:
			if b, ok := underlying(info, n).(*types.Basic); ok && b.Kind() == types.Bool && len(n.Args) > 0 && isErr(n.Args[0]) {
				g.CutBranch(n, true)
			}
		}
	}
	var atoms []ast.Node
	for _, rel := range rs.releases {
		// A for rows.Next() loop closes the rows when it ends: leaving it
		// through its head is a release, leaving its body is not.
		if call, ok := rel.(*ast.CallExpr); ok && rs.kind.rows {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Next" {
				g.CutBranch(call, false)
				continue
			}
		}
		if a, ok := g.AtomOf(rel); ok {
			atoms = append(atoms, a)
		}
	}
	// A path back to the acquisition overwrites the variable: that is the
	// next turn's business.
	releases := func(a ast.Node) bool { return slices.Contains(atoms, a) || a == rs.assign }
	path := g.Search(rs.assign, flow.IsExit, releases, nil, 1)
	if path == nil {
		return
	}
	ret := path[len(path)-1]
	var where []string
	for _, rel := range rs.releases {
		where = append(where, fmt.Sprint(r.Line(rel.Pos())))
	}
	r.ReportRelated(g.Node(ret), "resource-not-closed",
		[]analysis.RelatedInformation{astx.Related(rs.call, "acquires %s", rs.v.Name()), astx.Related(rs.releases[0], "closes it on other paths")},
		"%s leaves %s %s open: it is %s on other paths (line %s), not on this one", exitWord(g, ret), rs.kind.noun, release(rs), closed(rs.kind), strings.Join(where, ", "))
}

func exitWord(g *flow.Graph, a ast.Node) string {
	if g.Implicit(a) {
		return "the end of the function"
	}
	return "return"
}

// checkDeferInLoop reports a defer inside a loop body that releases what
// the same turn of the loop acquired: the releases pile up until the
// function returns, and a lock taken each turn is still held on the next.
//
// The defer must sit directly in the loop body, with no return or break
// after it in that body. It unlocks a mutex the same turn locked or, outside
// test files, closes or stops what the turn acquired (a variable declared
// or assigned in the body) or cancels a context the turn derived. A table
// test's few turns make the latter harmless, so test files are left out.
func checkDeferInLoop(r *reporter, f *fn) {
	info := r.Pass.TypesInfo
	astx.InspectDirect(f.cur, func(c inspector.Cursor) {
		d, ok := c.Node().(*ast.DeferStmt)
		if !ok {
			return
		}
		// Only a defer on every turn: one under a condition may run once.
		loop := astx.EnclosingLoop(c)
		if loop == nil || c.Parent().Node() != loopBody(loop) || leavesAfterDefer(info, c, loop) {
			return
		}
		// In tests, closing late what a table's turns opened is harmless.
		test := strings.HasSuffix(r.Pass.Fset.File(d.Pos()).Name(), "_test.go")
		body := loopBody(loop)
		if id, ok := ast.Unparen(d.Call.Fun).(*ast.Ident); ok {
			// defer cancel() of a context derived on this turn.
			if v, ok := info.Uses[id].(*types.Var); ok && !test && derivedIn(info, body, v) {
				r.ReportRelated(d, "defer-in-loop", []analysis.RelatedInformation{astx.Related(loop, "the loop")},
					"defer %s() inside the loop at line %d runs only when the function returns: every turn's context and its timer live until then",
					id.Name, r.Line(loop.Pos()))
			}
			return
		}
		sel, ok := ast.Unparen(d.Call.Fun).(*ast.SelectorExpr)
		if !ok {
			return
		}
		k, ok := keyOf(info, sel.X)
		if !ok {
			return
		}
		switch sel.Sel.Name {
		case "Unlock", "RUnlock":
			lock := "Lock"
			if sel.Sel.Name == "RUnlock" {
				lock = "RLock"
			}
			// The same mutex on every turn: not one reached from a
			// variable the loop changes (for p := c; p != nil; p = p.parent).
			if astx.Contains(loop, declOf(k)) || assignedIn(info, loop, k) {
				return
			}
			if l := lockedIn(info, body, k, lock, d.Pos()); l != nil {
				r.ReportRelated(d, "defer-in-loop", []analysis.RelatedInformation{astx.Related(l, "locks %s on every turn", k)},
					"defer %s.%s() inside the loop at line %d runs only when the function returns: the %s at line %d is still held on the next turn, which blocks forever",
					k, sel.Sel.Name, r.Line(loop.Pos()), lock, r.Line(l.Pos()))
			}
		case "Close", "Stop", "Release", "Rollback":
			if test || k.path != "" || !astx.Contains(body, declOf(k)) && !assignedIn(info, body, k) {
				return // not acquired by this turn
			}
			r.ReportRelated(d, "defer-in-loop", []analysis.RelatedInformation{astx.Related(loop, "the loop")},
				"defer %s.%s() inside the loop at line %d runs only when the function returns: every turn's %s stays open until then",
				k, sel.Sel.Name, r.Line(loop.Pos()), k)
		}
	})
}

// leavesAfterDefer reports whether a statement after the defer at c in
// the loop body leaves the loop unconditionally: the loop then runs the
// defer once.
func leavesAfterDefer(info *types.Info, c inspector.Cursor, loop ast.Node) bool {
	body := loopBody(loop)
	if c.Parent().Node() != body {
		return false
	}
	for s, ok := c.NextSibling(); ok; s, ok = s.NextSibling() {
		switch n := s.Node().(type) {
		case *ast.ReturnStmt:
			return true
		case *ast.BranchStmt:
			if n.Tok == token.BREAK || n.Tok == token.GOTO {
				return true
			}
		case *ast.ExprStmt:
			if call, ok := n.X.(*ast.CallExpr); ok && !flow.MayReturn(info, call) {
				return true
			}
		}
	}
	return false
}

// lockedIn returns a call of k.lock in body before pos, outside nested
// function literals, or nil.
func lockedIn(info *types.Info, body *ast.BlockStmt, k chanKey, lock string, pos token.Pos) *ast.CallExpr {
	var found *ast.CallExpr
	ast.Inspect(body, func(n ast.Node) bool {
		if found != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == lock && n.Pos() < pos {
				if lk, ok := keyOf(info, sel.X); ok && lk == k {
					found = n
				}
			}
		}
		return true
	})
	return found
}

// derivedIn reports whether body assigns v the cancel function of a
// context.With... call.
func derivedIn(info *types.Info, body *ast.BlockStmt, v *types.Var) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || found || len(as.Lhs) != 2 || len(as.Rhs) != 1 {
			return !found
		}
		if id, ok := as.Lhs[1].(*ast.Ident); ok && info.ObjectOf(id) == v {
			if call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr); ok {
				fn := astx.CalleeFunc(info, call)
				found = fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == "context" && strings.HasPrefix(fn.Name(), "With")
			}
		}
		return !found
	})
	return found
}
