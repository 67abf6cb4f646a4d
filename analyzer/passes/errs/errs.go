// Package errs defines an Analyzer that reports risk signals around error values: errors that are
// dropped, discarded, shadowed, overwritten or swallowed before anyone checks them.
package errs

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"go/version"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report ignored, shadowed and swallowed errors as risk signals

err-dropped (risky): a call whose last result is an error is used as a statement, and the callee is one
whose failure loses data or state: Close of a file opened for writing or of a writer, Write, Flush,
Sync, Commit, Exec, Encode, Unmarshal, Rename, ListenAndServe, Save and the like; or a call that fills
a buffer the caller then relies on: io.ReadFull, io.ReadAtLeast, crypto/rand.Read and Read of
crypto/rand.Reader, whose failure leaves a key or header zero or partly filled (quiet when the buffer is
made in the call itself, io.ReadFull(r, make([]byte, n)), which only skips bytes, and for crypto/rand
in a file built for Go 1.24 or later, where its Read crashes the program rather than fail).

err-dropped-cleanup (use): Close, CloseWithError, Remove, RemoveAll, Rollback, Abort or Kill dropped as
a statement where it cleans up: inside an if err != nil (or the else of if err == nil, a case err !=
nil, an if r := recover(); r != nil), in a nested block that ends by returning a non-nil error or
panicking (f.Close(); return err), in a deferred function (under a condition, such as if !ok, for a
Close; anywhere for a removal), or a Close next to an os.Remove of what it closes. A later error is
already being reported or the data is being thrown away, so the cleanup's own error is ignored by
design. A Close of a file opened for writing on the success path stays err-dropped.

err-unchecked (use): any other call whose error result is dropped as a statement. Calls whose error is
conventionally ignored stay quiet: fmt.Print*, writes to bytes.Buffer, strings.Builder, a hash, an
http.ResponseWriter or an encoder on one, io.Copy to io.Discard, Close of a file opened for reading, of
a reader or of a response body, Rollback.

err-blank (use with risk): x, _ := f() keeps a result while discarding the error, except for the
conventionally ignored calls above; _ = f() discarding everything is a visible decision and counts only
when f is one of the err-dropped callees.

err-shadowed (risky): err declared with := in an inner block shadows an outer err that is read after
the block, so the inner error never reaches that check. Quiet when := is in an if/switch/for header
(deliberate scoping), when the inner err is returned or passed to a call inside the block, when the
outer err still holds an unchecked error at the block (the later read is for that one), and when the
outer err is reassigned before it is read.

err-overwritten (risky): an error assigned from a call is assigned again, in the same block, before
anything reads it.

err-swallowed (risky): if err != nil { return ..., nil } in a function whose last result is an error,
so the failure is reported as success. err-swallowed-noted is the same with a comment, a call (a log
line) or a use of err in the block, which often marks a deliberate choice.

The drop categories (err-dropped, err-unchecked, err-blank) skip _test.go files, where ignoring errors
of setup calls is common and harmless, stay quiet for functions of this package that only ever return a
nil error (a writer keeping a sticky error), and report one signal per function and callee.`

// Signals maps each category this pass reports to its weight (see CONTRACT.md for the scale).
var Signals = map[string]float64{
	"err-dropped":         5,
	"err-unchecked":       2,
	"err-dropped-cleanup": 2,
	"err-blank":           3,
	"err-shadowed":        7,
	"err-overwritten":     6,
	"err-swallowed":       6,
	"err-swallowed-noted": 4,
}

var Analyzer = &analysis.Analyzer{
	Name:     "errs",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/errs",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

var errorType = types.Universe.Lookup("error").Type()

func isError(t types.Type) bool { return t != nil && types.Identical(t, errorType) }

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	d := &drops{files: openedFiles(pass.TypesInfo, insp), nilOnly: nilOnly(pass.TypesInfo, insp), seen: map[dropKey]bool{},
		randCannotFail: map[*token.File]bool{}}
	for _, f := range pass.Files {
		// From Go 1.24 crypto/rand's Read crashes the program rather than fail.
		if v := pass.TypesInfo.FileVersions[f]; v != "" && version.Compare(v, "go1.24") >= 0 {
			d.randCannotFail[pass.Fset.File(f.FileStart)] = true
		}
	}
	d.fset = pass.Fset
	for c := range insp.Root().Preorder((*ast.ExprStmt)(nil), (*ast.AssignStmt)(nil), (*ast.IfStmt)(nil),
		(*ast.BlockStmt)(nil), (*ast.CaseClause)(nil), (*ast.CommClause)(nil)) {
		test := strings.HasSuffix(pass.Fset.File(c.Node().Pos()).Name(), "_test.go")
		switch n := c.Node().(type) {
		case *ast.ExprStmt:
			if call, ok := ast.Unparen(n.X).(*ast.CallExpr); ok && !test {
				d.checkDropped(pass, c, call)
			}
		case *ast.AssignStmt:
			if !test {
				d.checkBlank(pass, c, n)
			}
			checkShadow(pass, c, n)
		case *ast.IfStmt:
			checkSwallow(pass, c, n)
		case *ast.BlockStmt:
			checkOverwrite(pass, n.List)
		case *ast.CaseClause:
			checkOverwrite(pass, n.Body)
		case *ast.CommClause:
			checkOverwrite(pass, n.Body)
		}
	}
	return nil, nil
}

func enclosingFunc(c inspector.Cursor) (inspector.Cursor, bool) {
	for fc := range c.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		return fc, true
	}
	return inspector.Cursor{}, false
}

func signature(info *types.Info, fn ast.Node) *types.Signature {
	var t types.Type
	switch fn := fn.(type) {
	case *ast.FuncDecl:
		if obj := info.Defs[fn.Name]; obj != nil {
			t = obj.Type()
		}
	case *ast.FuncLit:
		t = info.TypeOf(fn)
	}
	sig, _ := t.(*types.Signature)
	return sig
}

func isNil(info *types.Info, e ast.Expr) bool {
	tv, ok := info.Types[e]
	return ok && tv.IsNil()
}

func callString(call *ast.CallExpr) string { return types.ExprString(call.Fun) + "()" }

func report(pass *analysis.Pass, n ast.Node, category, format string, args ...any) {
	pass.Report(analysis.Diagnostic{Pos: n.Pos(), End: n.End(), Category: category, Message: fmt.Sprintf(format, args...)})
}
