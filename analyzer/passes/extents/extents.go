// Package extents defines an Analyzer that reports risk signals where the
// code's own text shows no bound on how much it allocates, reads or loops:
// an allocation sized by a variable, a read to the end of a stream, a loop
// with no condition.
//
// The input pass reports these when it can see that the size comes from
// untrusted input. Often it cannot: the size is a parameter, a field or
// what a method of the program's own decoder returned. On the Go
// vulnerability database the functions with one of these constructs held
// the bug about twice as often as the regions selected without them, and
// a tenth of the bug functions that no other signal selected had one
// (docs/benchmark.md). They weigh little: they select a function, and rank
// it below any function with a risky pattern.
package extents

import (
	"go/ast"
	"go/types"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report allocations, reads and loops with no visible bound as risk signals

alloc-var-size: make([]T, n), make([]T, 0, n) or make(map[K]V, n) where n is neither a constant
nor made only of len, cap and constants: whoever sets n sets the memory.

read-to-end: io.ReadAll, io.Copy or io.CopyBuffer of a reader, or a bufio.Scanner over one, that
is not an in-memory reader (strings.NewReader, bytes.NewReader, bytes.Buffer) nor wrapped in
io.LimitReader or http.MaxBytesReader at the call: the reader's end decides how much is read.

loop-no-cond: a for loop with no condition: it ends only where its body leaves it (break, return,
panic), so its progress rests on the body (parsers that do not advance, retries without a limit).

Test files are left out.`

var Analyzer = &analysis.Analyzer{
	Name:     "extents",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/extents",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Signals maps each category this pass reports to its weight (0–10, see
// CONTRACT.md).
var Signals = map[string]float64{
	"alloc-var-size": 1,
	"read-to-end":    3,
	"loop-no-cond":   3,
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	r := astx.NewReporter(pass)
	info := pass.TypesInfo
	for cur := range insp.Root().Preorder((*ast.CallExpr)(nil), (*ast.ForStmt)(nil)) {
		if strings.HasSuffix(pass.Fset.Position(cur.Node().Pos()).Filename, "_test.go") {
			continue
		}
		switch n := cur.Node().(type) {
		case *ast.ForStmt:
			if n.Cond == nil {
				r.Report(n, "loop-no-cond", "for loop with no condition: it ends only where its body leaves it")
			}
		case *ast.CallExpr:
			if size := makeSize(info, n); size != nil && !fixed(info, size) {
				r.Report(n, "alloc-var-size", "%s is sized by %s, which is neither a constant nor a length", types.ExprString(n), types.ExprString(size))
				continue
			}
			fn := astx.CalleeFunc(info, n)
			if fn == nil || fn.Pkg() == nil {
				continue
			}
			var src ast.Expr
			switch path, name := fn.Pkg().Path(), fn.Name(); {
			case (path == "io" || path == "io/ioutil") && name == "ReadAll" && len(n.Args) == 1:
				src = n.Args[0]
			case path == "io" && (name == "Copy" || name == "CopyBuffer") && len(n.Args) >= 2:
				src = n.Args[1]
			case path == "bufio" && name == "NewScanner" && len(n.Args) == 1:
				src = n.Args[0]
			}
			if src != nil && !boundedReader(info, src) {
				r.Report(n, "read-to-end", "%s reads %s until it ends", types.ExprString(n.Fun), types.ExprString(src))
			}
		}
	}
	return nil, nil
}

// makeSize returns the length or capacity argument of a make of a slice or
// map, the larger one a make with both: make([]T, 0, n) is sized by n.
func makeSize(info *types.Info, call *ast.CallExpr) ast.Expr {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok || len(call.Args) < 2 {
		return nil
	}
	if b, ok := info.Uses[id].(*types.Builtin); !ok || b.Name() != "make" {
		return nil
	}
	switch info.TypeOf(call.Args[0]).Underlying().(type) {
	case *types.Slice, *types.Map:
		return call.Args[len(call.Args)-1]
	}
	return nil
}

// fixed reports whether e is a constant or is computed only from
// constants, len and cap: a size the code already holds in memory.
func fixed(info *types.Info, e ast.Expr) bool {
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		if !ok {
			return false
		}
		ex, isExpr := n.(ast.Expr)
		if !isExpr {
			return true
		}
		if tv, has := info.Types[ex]; has && (tv.Value != nil || tv.IsType()) {
			return false // a constant, or the type of a conversion
		}
		switch n := ex.(type) {
		case *ast.BinaryExpr, *ast.ParenExpr:
			return true
		case *ast.CallExpr:
			if id, isID := ast.Unparen(n.Fun).(*ast.Ident); isID {
				if b, isB := info.Uses[id].(*types.Builtin); isB && (b.Name() == "len" || b.Name() == "cap") {
					return false
				}
			}
			if tv, has := info.Types[n.Fun]; has && tv.IsType() && len(n.Args) == 1 {
				return true // a conversion: int(len(s))
			}
		}
		ok = false
		return false
	})
	return ok
}

// boundedReader reports whether the reader e holds its data in memory or is
// limited where it is passed.
func boundedReader(info *types.Info, e ast.Expr) bool {
	e = ast.Unparen(e)
	if u, isU := e.(*ast.UnaryExpr); isU {
		e = ast.Unparen(u.X) // &buf
	}
	if call, isCall := e.(*ast.CallExpr); isCall {
		if fn := astx.CalleeFunc(info, call); fn != nil && fn.Pkg() != nil {
			switch path, name := fn.Pkg().Path(), fn.Name(); {
			case path == "io" && (name == "LimitReader" || name == "NopCloser" && len(call.Args) == 1 && boundedReader(info, call.Args[0])),
				path == "net/http" && name == "MaxBytesReader",
				(path == "strings" || path == "bytes") && (name == "NewReader" || name == "NewBufferString" || name == "NewBuffer"):
				return true
			}
		}
	}
	if n := astx.NamedOf(info.TypeOf(e)); n != nil && n.Obj().Pkg() != nil {
		switch n.Obj().Pkg().Path() + "." + n.Obj().Name() {
		case "strings.Reader", "bytes.Reader", "bytes.Buffer", "io.LimitedReader":
			return true
		}
	}
	return false
}
