// Package chancheck defines an Analyzer that reports goroutines leaked on
// channels, channels closed, sent on or used in ways that panic or block
// for good, and resources left open.
package chancheck

import (
	"go/ast"
	"go/types"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report goroutines leaked on channels, channel misuse and unclosed resources

The chancheck analyzer reports bugs, not risk signals: each diagnostic's
Category names a catalogue rule. It looks at one function at a time, with
the goroutines that function starts (function literals run by go,
errgroup.Group.Go or sync.WaitGroup.Go, and functions of the package run by
go with the channel as an argument), and at channels the function makes and
keeps to itself: a channel stored, returned, passed to another call or used
by another closure may have partners elsewhere, so it is left alone.

goroutine-leak-channel: a goroutine sends on a channel, outside a select
that can take another case, and the function can return without receiving
the value: before its receive (an early error return), through another case
of the select that receives (a timeout, ctx.Done), after receiving once from
goroutines started in a loop, or by leaving the loop that receives on an
error or another select case. A buffer large enough for every sender, a
receive from another channel the goroutine sends on or closes (errc beside
resc), and a new make of the channel on the way are taken into account; a
path that tests a local flag set only on branches that also run the partner
(closed = true beside close(ch)) is not followed, since the test and the
partner go together in a way the pass does not track.
Also a goroutine receiving from an unbuffered channel (or ranging over any)
that the function can return without sending on or closing, and a goroutine
ranging over a ticker's channel with no way out of the loop, in a package
that stops tickers: Stop does not close the channel, so the goroutine never
ends.

close-twice: a close of a channel that can run again on the same path: a
goroutine started in a loop, or several goroutines, each closing a channel
of the function unconditionally; an explicit close and a deferred close of
the same channel; a close reachable from an earlier close of the same
channel with no new channel assigned between them (a close in a loop with no
break or return after it).

send-after-close: a send on a channel reachable from a close of the same
channel in the same function, with no new channel assigned between them.

nil-channel: a send, a receive, a range or a close outside a select of a
channel variable declared without a value and never assigned in the
function, or of an unexported struct field of channel type that the package
never assigns; the send or receive blocks forever and the close panics.

close-by-receiver: the function closes a channel that goroutines it started
send on, on a path where it has not waited for them (WaitGroup.Wait, a
receive from a channel they close or send on, or receiving every value): a
sender still running panics.

resource-not-closed: an HTTP response (http.Get, Post, PostForm and the
Client methods, but not Head, whose body is http.NoBody), a file
(os.Open, Create, OpenFile, CreateTemp), SQL rows (Query, QueryContext) or,
in a file whose Go version is before go1.23 (when unstopped tickers began to
be collected), a time.NewTicker, assigned to a local variable that the
function never closes (stops) nor reads to its end (a response body by
io.ReadAll or io.Copy, rows in a for rows.Next() loop, whose end closes
them but whose body does not), or closes on some paths but
returns on another without closing, outside the branch where the
acquisition failed (err != nil, os.IsNotExist(err)). A variable returned,
stored, captured by a closure other than a deferred one that closes it, or
passed to a call that might close it is left alone; reading it (io.ReadAll,
json.NewDecoder, bufio, fmt.Fprint and the type's own methods) is not
handing it on. go vet's httpresponse and sqlrowserr check other things:
the use of a response before its error check, and rows.Err.

defer-in-loop: a defer directly in a loop body, with no return or break
after it in that body, that unlocks a mutex the same turn locked (the lock
taken on the first turn is still held when the second turn takes it, a
deadlock), or, outside test files, closes or stops what the turn acquired
(a variable declared or assigned in the body) or cancels a context the turn
derived: the deferred calls run only when the function returns, so
descriptors, connections and timers pile up. A table test's few turns make
the latter harmless, so test files are left out.`

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
