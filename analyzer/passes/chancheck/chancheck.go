// Package chancheck defines an Analyzer that reports goroutines leaked on
// channels, channels closed, sent on or used in ways that panic or block
// for good, and resources left open. It reports bugs, not risk signals:
// each diagnostic's Category names a rule of the findings catalogue
// (findings/catalogue_detectors.go), which holds its user-facing help; the
// comments next to each check say what it leaves out.
//
// The pass looks at one function at a time, with the goroutines that
// function starts (function literals run by go, errgroup.Group.Go or
// sync.WaitGroup.Go, and functions of the package run by go with the
// channel as an argument), and at channels the function makes and keeps to
// itself: a channel stored, returned, passed to another call or used by
// another closure may have partners elsewhere, so it is left alone.
package chancheck

import (
	"go/ast"
	"go/types"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Doc's first line is a title; then a line per category. The rules' help
// lives in the findings catalogue.
const Doc = `report goroutines leaked on channels, channel misuse and unclosed resources

goroutine-leak-channel: a goroutine blocks forever on a channel of the function because the function can return without being its partner.
close-twice: a channel is closed twice on one path.
send-after-close: a send on a channel is reachable from a close of the same channel.
nil-channel: a channel that is never made is sent on, received from or closed.
close-by-receiver: the function closes a channel that goroutines it started may still send on.
resource-not-closed: an HTTP response, file, SQL rows or ticker in a local variable is not closed on some path.
defer-in-loop: a defer in a loop body releases what the turn acquired only when the function returns.`

// Categories are the rules this pass reports, each a catalogue rule Name.
var Categories = []string{
	"goroutine-leak-channel",
	"close-twice",
	"send-after-close",
	"nil-channel",
	"close-by-receiver",
	"resource-not-closed",
	"defer-in-loop",
}

var Analyzer = &analysis.Analyzer{
	Name:     "chancheck",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/chancheck",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	inspect := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	r := &reporter{astx.NewReporter(pass)}
	fields := unassignedChanFields(pass, inspect)
	var stops []*ast.CallExpr // of tickers
	for cur := range inspect.Root().Preorder((*ast.CallExpr)(nil)) {
		call := cur.Node().(*ast.CallExpr)
		if fn := astx.CalleeFunc(pass.TypesInfo, call); astx.IsMethod(fn, "time", "Ticker", "Stop") {
			stops = append(stops, call)
		}
	}
	decls := make(map[*types.Func]inspector.Cursor)
	for cur := range inspect.Root().Preorder((*ast.FuncDecl)(nil)) {
		fd := cur.Node().(*ast.FuncDecl)
		if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok && fd.Body != nil {
			decls[fn] = cur
		}
	}
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
		f := newFn(pass.TypesInfo, cur, body, decls)
		checkLeaks(r, f)
		checkTickerRanges(r, f, stops)
		checkCloseByReceiver(r, f)
		checkGoroutineCloses(r, f)
		checkClosePaths(r, f)
		checkNilChans(r, f, fields)
		checkResources(r, f)
		checkDeferInLoop(r, f)
	}
	return nil, nil
}
