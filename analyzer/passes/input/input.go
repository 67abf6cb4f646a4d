// Package input defines an Analyzer that reports risk signals where an integer read from untrusted
// input sizes an allocation, a slice or a loop before anything bounds it.
package input

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/format"
	"go/token"
	"go/types"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report untrusted input used as a size as risk signals

Sources are integers read from input: encoding/binary (ByteOrder.Uint16/32/64, Uvarint, Varint,
ReadUvarint, binary.Read into an integer or a struct), bytes of a []byte parameter or field or of a
buffer filled by io.ReadFull or Read (int(b[i]), b[i]<<8|b[i+1]), ReadByte results, strconv.Atoi,
ParseInt and ParseUint results, the ContentLength of an http.Request or http.Response, and integer
fields of a struct filled by Unmarshal or Decode. A value computed from a source is one too; min()
with a bound, x & constant and x % y end it. A source is bounded once a comparison of it (or of a
value computed from it) with anything but 0 comes after it and before the use; loop conditions do
not count, and the condition of an if bounds a use inside that if only in the branch where it says
the value is small (if n > 1024 { make([]byte, n) } is not bounded). A single byte (at most 255) only counts as a slice or index bound.

input-size-alloc: make([]T, n), make([]T, 0, n), make(map[K]V, n), bytes.Repeat or strings.Repeat
with count n, io.CopyN or io.LimitReader with limit n, where n is an unbounded source: input can
ask for gigabytes.

input-size-slice: a slice bound or index into a slice or string that is an unbounded source (n,
int(n), n*4). Bounds computed by + or - and strconv or decoded-field sources are the indexing
pass's (index-arith, index-decoded), so this pass stays quiet on those to count each shape once.

input-size-loop: a for loop bound (i < n) or range over an integer that is an unbounded source:
input chooses how many times the body runs (and appends, if it does).

input-decode: the function reads integers from bytes (binary decoding, or bytes shifted into
a wider integer). Weight 1: decoders get looked at, ranked low unless a size signal joins.`

var Analyzer = &analysis.Analyzer{
	Name:     "input",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/input",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Signals maps each category this pass reports to its weight (0–10, see CONTRACT.md).
var Signals = map[string]float64{
	"input-size-alloc": 6,
	"input-size-slice": 6,
	"input-size-loop":  4,
	"input-decode":     1,
}

type funcInfo struct {
	pass       *analysis.Pass
	rep        *astx.Reporter // once per line and category
	cmps       []*ast.BinaryExpr
	switches   []*ast.SwitchStmt
	ifs        map[ast.Expr]*ast.IfStmt // an if statement by its condition
	loopConds  map[ast.Expr]bool
	vars       map[types.Object]*source // integer variable -> its source
	structs    map[types.Object]*source // v in Unmarshal(data, &v), binary.Read(r, o, &v)
	containers map[types.Object]bool    // []byte read from input
	inline     map[any]*source          // a source read in place, one per node or field
	decoded    bool                     // input-decode reported for this function
	readers    map[*types.Func]bool     // functions of the package that return an integer read from their input
	dry        bool                     // finding readers: report nothing
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	rep := astx.NewReporter(pass)
	readers := findReaders(pass, insp)
	// A top-level function with its closures is one unit: a check outside a closure guards it.
	insp.Nodes([]ast.Node{(*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)}, func(n ast.Node, push bool) bool {
		var ft *ast.FuncType
		var body *ast.BlockStmt
		if fd, ok := n.(*ast.FuncDecl); ok {
			ft, body = fd.Type, fd.Body
		} else {
			ft, body = n.(*ast.FuncLit).Type, n.(*ast.FuncLit).Body
		}
		if body != nil {
			f := &funcInfo{pass: pass, rep: rep, loopConds: map[ast.Expr]bool{}, ifs: map[ast.Expr]*ast.IfStmt{}, vars: map[types.Object]*source{},
				structs: map[types.Object]*source{}, containers: map[types.Object]bool{}, inline: map[any]*source{}, readers: readers}
			f.params(ft)
			f.walk(body)
		}
		return false
	})
	return nil, nil
}

// findReaders returns the package's functions that return an integer read from their input, such as
// func u32(b []byte) uint32 { return uint32(b[0]) | uint32(b[1])<<8 | ... } or a decoder's
// readUint16 method: a call of one is a source. Two rounds let a reader call a reader.
func findReaders(pass *analysis.Pass, insp *inspector.Inspector) map[*types.Func]bool {
	readers := map[*types.Func]bool{}
	for range 2 {
		insp.Preorder([]ast.Node{(*ast.FuncDecl)(nil)}, func(n ast.Node) {
			fd := n.(*ast.FuncDecl)
			fn, _ := pass.TypesInfo.Defs[fd.Name].(*types.Func)
			if fd.Body == nil || fn == nil || readers[fn] {
				return
			}
			res := fn.Signature().Results()
			if res.Len() == 0 || res.Len() > 2 || !isInteger(res.At(0).Type()) ||
				res.Len() == 2 && res.At(1).Type().String() != "error" {
				return
			}
			f := &funcInfo{pass: pass, dry: true, loopConds: map[ast.Expr]bool{}, ifs: map[ast.Expr]*ast.IfStmt{}, vars: map[types.Object]*source{},
				structs: map[types.Object]*source{}, containers: map[types.Object]bool{}, inline: map[any]*source{}, readers: readers}
			f.params(fd.Type)
			f.walk(fd.Body)
			all, some := true, false
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.FuncLit:
					return false
				case *ast.ReturnStmt:
					if len(n.Results) == res.Len() {
						if r := n.Results[0]; pass.TypesInfo.Types[r].Value == nil {
							s := f.sourceOf(r)
							all, some = all && s != nil && s.kind == fromBytes, some || s != nil
						}
					}
				}
				return true
			})
			if all && some {
				readers[fn] = true
			}
		})
	}
	return readers
}

// params marks []byte parameters, of the function and of its closures, as input.
func (f *funcInfo) params(ft *ast.FuncType) {
	ast.Inspect(ft, func(n ast.Node) bool {
		if fl, ok := n.(*ast.FieldList); ok {
			for _, fld := range fl.List {
				for _, name := range fld.Names {
					if o := f.pass.TypesInfo.Defs[name]; o != nil && isBytes(o.Type()) {
						f.containers[o] = true
					}
				}
			}
		}
		return true
	})
}

func (f *funcInfo) walk(body *ast.BlockStmt) {
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			switch n.Op {
			case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
				f.cmps = append(f.cmps, n)
			}
		case *ast.SwitchStmt:
			f.switches = append(f.switches, n)
		case *ast.IfStmt:
			f.ifs[ast.Unparen(n.Cond)] = n
		case *ast.ForStmt:
			if n.Cond != nil {
				f.loopConds[ast.Unparen(n.Cond)] = true
			}
		case *ast.FuncLit:
			f.params(n.Type)
		}
		return true
	})
	// Facts and sinks in source order: a variable's source is the one it holds at the sink.
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			f.assign(n.Lhs, n.Rhs, n.Tok)
		case *ast.ValueSpec:
			lhs := make([]ast.Expr, len(n.Names))
			for i, id := range n.Names {
				lhs[i] = id
			}
			f.assign(lhs, n.Values, token.DEFINE)
		case *ast.CallExpr:
			f.call(n)
		case *ast.BinaryExpr:
			if n.Op == token.SHL && !f.decoded && !isByte(f.pass.TypesInfo.TypeOf(n)) {
				if s := f.sourceOf(n.X); s != nil && s.kind == fromBytes && !s.wide { // uint32(b[1]) << 8
					f.decode(n, f.text(n))
				}
			}
		case *ast.IndexExpr:
			f.bound(n, n.X, n.Index)
		case *ast.SliceExpr:
			for _, e := range []ast.Expr{n.Low, n.High, n.Max} {
				if f.bound(n, n.X, e) {
					break
				}
			}
		case *ast.ForStmt:
			if be, ok := ast.Unparen(n.Cond).(*ast.BinaryExpr); ok {
				switch {
				case be.Op == token.LSS || be.Op == token.LEQ:
					f.loop(n, be, be.Y, n.Body)
				case be.Op == token.GTR || be.Op == token.GEQ:
					f.loop(n, be, be.X, n.Body)
				}
			}
		case *ast.RangeStmt:
			if isInteger(f.pass.TypesInfo.TypeOf(n.X)) {
				f.loop(n, n.X, n.X, n.Body)
			}
		}
		return true
	})
}

func (f *funcInfo) report(n ast.Node, cat, msg string) {
	if f.dry {
		return
	}
	f.rep.Report(n, cat, "%s", msg)
}

func (f *funcInfo) decode(n ast.Node, what string) {
	if !f.decoded {
		f.decoded = true
		f.report(n, "input-decode", "reads integers from bytes: "+what)
	}
}

// text renders n as gofmt would, for messages.
func (f *funcInfo) text(n ast.Node) string {
	var b strings.Builder
	if format.Node(&b, f.pass.Fset, n) != nil {
		if e, ok := n.(ast.Expr); ok {
			return types.ExprString(e)
		}
	}
	return b.String()
}

func (f *funcInfo) obj(e ast.Expr) types.Object {
	if id, ok := ast.Unparen(e).(*ast.Ident); ok {
		return f.pass.TypesInfo.ObjectOf(id)
	}
	return nil
}

func (f *funcInfo) assign(lhs, rhs []ast.Expr, tok token.Token) {
	info := f.pass.TypesInfo
	if len(rhs) == 1 && len(lhs) > 1 {
		// v, err := strconv.Atoi(s); v, n := binary.Uvarint(b); c, err := r.ReadByte()
		call, ok := ast.Unparen(rhs[0]).(*ast.CallExpr)
		o := f.obj(lhs[0])
		if !ok || o == nil {
			return
		}
		fn := astx.CalleeFunc(info, call)
		switch {
		case fn == nil:
		case pkgFunc(fn, "strconv", "Atoi", "ParseInt", "ParseUint"):
			f.vars[o] = &source{desc: f.text(call), pos: call.Pos(), wide: true, kind: fromStrconv}
		case pkgFunc(fn, "encoding/binary", "Uvarint", "Varint", "ReadUvarint", "ReadVarint") || f.readers[fn]:
			f.vars[o] = &source{desc: f.text(call), pos: call.Pos(), wide: !isByte(o.Type()), kind: fromBytes}
		case fn.Name() == "ReadByte" && fn.Signature().Recv() != nil && isInteger(o.Type()):
			f.vars[o] = &source{desc: f.text(call), pos: call.Pos(), kind: fromBytes}
		default:
			delete(f.vars, o)
		}
		return
	}
	if len(lhs) != len(rhs) {
		return
	}
	for i := range lhs {
		o := f.obj(lhs[i])
		if o == nil {
			continue
		}
		e := ast.Unparen(rhs[i])
		switch {
		case isBytes(o.Type()):
			// buf := d.buf[4:], hdr := b: a view of input is input.
			if f.isContainer(e) {
				f.containers[o] = true
			}
		case isInteger(o.Type()):
			s := f.sourceOf(e)
			if be, ok := e.(*ast.BinaryExpr); ok && s != nil && s.kind == fromBytes && !f.mentionsVar(be) {
				// n := int(b[0])<<8 | int(b[1]) is read from input as a whole
				s = &source{desc: f.text(be), pos: s.pos, wide: s.wide, kind: s.kind}
			}
			if tok != token.DEFINE && tok != token.ASSIGN && f.vars[o] != nil {
				// n += x, n <<= 8: n keeps its source, and widens
				if s == nil || !s.wide {
					s = f.vars[o]
				}
				if tok == token.SHL_ASSIGN || tok == token.OR_ASSIGN {
					s = &source{desc: s.desc, pos: s.pos, wide: true, kind: s.kind}
				}
			}
			if s != nil {
				f.vars[o] = s
			} else {
				delete(f.vars, o)
			}
		}
	}
}

// mentionsVar reports whether e reads a variable that holds a source.
func (f *funcInfo) mentionsVar(e ast.Expr) (found bool) {
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && f.vars[f.pass.TypesInfo.ObjectOf(id)] != nil {
			found = true
		}
		return !found
	})
	return found
}

// call records reads into buffers and structs, and reports allocations and copies sized by input.
func (f *funcInfo) call(call *ast.CallExpr) {
	info := f.pass.TypesInfo
	fn := astx.CalleeFunc(info, call)
	addrOf := func(a ast.Expr) types.Object {
		if u, ok := ast.Unparen(a).(*ast.UnaryExpr); ok && u.Op == token.AND {
			return f.obj(u.X)
		}
		return nil
	}
	switch {
	case isBuiltin(info, call.Fun, "make") && len(call.Args) > 1:
		t := info.TypeOf(call.Args[0])
		if t == nil {
			return
		}
		switch t.Underlying().(type) {
		case *types.Slice, *types.Map:
			for _, a := range call.Args[1:] {
				if f.sized(call, a) {
					break
				}
			}
		}
	case fn == nil:
	case pkgFunc(fn, "bytes", "Repeat") || pkgFunc(fn, "strings", "Repeat"):
		if len(call.Args) == 2 {
			f.sized(call, call.Args[1])
		}
	case pkgFunc(fn, "io", "CopyN") && len(call.Args) == 3:
		f.sized(call, call.Args[2])
	case pkgFunc(fn, "io", "LimitReader") && len(call.Args) == 2:
		f.sized(call, call.Args[1])
	case pkgFunc(fn, "io", "ReadFull", "ReadAtLeast") && len(call.Args) > 1:
		if o := f.obj(call.Args[1]); o != nil && isBytes(o.Type()) {
			f.containers[o] = true
		}
	case (fn.Name() == "Read" || fn.Name() == "ReadAt") && fn.Signature().Recv() != nil && len(call.Args) > 0:
		if o := f.obj(call.Args[0]); o != nil && isBytes(o.Type()) {
			f.containers[o] = true
		}
	case f.readers[fn]:
		f.decode(call, f.text(call))
	case fn.Pkg() != nil && fn.Pkg().Path() == "encoding/binary":
		switch fn.Name() {
		case "Uint16", "Uint32", "Uint64", "Uvarint", "Varint", "ReadUvarint", "ReadVarint":
			f.decode(call, f.text(call))
		case "Read":
			if len(call.Args) == 3 {
				if o := addrOf(call.Args[2]); o != nil {
					s := &source{desc: f.text(call), pos: call.Pos(), wide: true, kind: fromBytes}
					if isInteger(o.Type()) {
						f.vars[o] = s
					} else {
						f.structs[o] = s
					}
					f.decode(call, f.text(call))
				}
			}
		}
	case fn.Name() == "Unmarshal" || fn.Name() == "Decode":
		for _, a := range call.Args {
			if o := addrOf(a); o != nil {
				f.structs[o] = &source{desc: f.text(call), pos: call.Pos(), wide: true, kind: fromDecoded}
			}
		}
	}
}

// bound reports an index or slice bound e of x taken from input; it returns whether it did.
func (f *funcInfo) bound(n ast.Node, x, e ast.Expr) bool {
	if e == nil || !f.sliceLike(x) {
		return false
	}
	if be, ok := ast.Unparen(e).(*ast.BinaryExpr); ok && (be.Op == token.ADD || be.Op == token.SUB) {
		return false // indexing's index-arith
	}
	s, subj := f.find(e)
	if s == nil || s.kind == fromStrconv || s.kind == fromDecoded || f.bounded(s, subj, n.Pos()) {
		return false
	}
	f.report(n, "input-size-slice", fmt.Sprintf("%s with %s; no comparison of %s with a length before it",
		f.text(n), origin(s, subj, f), f.text(subj)))
	return true
}

// sized reports a call whose size argument a is an unbounded wide source.
func (f *funcInfo) sized(n ast.Node, a ast.Expr) bool {
	s, subj := f.find(a)
	if s == nil || !s.wide || f.bounded(s, subj, n.Pos()) {
		return false
	}
	f.report(n, "input-size-alloc", fmt.Sprintf("%s with %s; no upper bound on %s is checked before it",
		f.text(n), origin(s, subj, f), f.text(subj)))
	return true
}

func (f *funcInfo) loop(loop ast.Node, cond, bound ast.Expr, body *ast.BlockStmt) {
	s, subj := f.find(bound)
	if s == nil || !s.wide || f.bounded(s, subj, cond.Pos()) {
		return
	}
	what := "loop bound " + f.text(cond)
	if _, ok := loop.(*ast.RangeStmt); ok {
		what = "range over " + f.text(cond)
	}
	appends := ""
	ast.Inspect(body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && isBuiltin(f.pass.TypesInfo, c.Fun, "append") {
			appends = " (the body appends)"
		}
		return appends == ""
	})
	f.report(cond, "input-size-loop", fmt.Sprintf("%s with %s; no upper bound on %s is checked before it%s",
		what, origin(s, subj, f), f.text(subj), appends))
}

// bounded reports whether a value of source s was compared with something other than 0 after it
// was read and before pos (loop conditions do not count), or switched on.
func (f *funcInfo) bounded(s *source, subj ast.Expr, pos token.Pos) bool {
	carries := func(e ast.Expr) bool {
		found := false
		ast.Inspect(e, func(n ast.Node) bool {
			if x, ok := n.(ast.Expr); ok && !found {
				switch x := ast.Unparen(x).(type) {
				case *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr, *ast.CallExpr:
					if t := f.sourceOf(x); t == s || types.ExprString(x) == types.ExprString(subj) {
						found = true
					}
				}
			}
			return !found
		})
		return found
	}
	isZero := func(e ast.Expr) bool {
		v := f.pass.TypesInfo.Types[e].Value
		return v != nil && v.Kind() == constant.Int && constant.Sign(v) == 0
	}
	for _, c := range f.cmps {
		if c.Pos() <= s.pos || c.Pos() >= pos || f.loopConds[c] {
			continue
		}
		left, right := carries(c.X) && !isZero(c.Y), carries(c.Y) && !isZero(c.X)
		if !left && !right {
			continue
		}
		if stmt := f.ifs[c]; stmt != nil && (inside(stmt.Body, pos) || inside(stmt.Else, pos)) {
			// The use is in a branch of the if the comparison decides: it
			// bounds the use only where it says the value is small
			// (if n <= max {use}; if n > max {…} else {use}), not in the
			// branch for the large values (if n <= 1024 {…} else {use}).
			if upperBound(c.Op, left, inside(stmt.Body, pos)) {
				return true
			}
			continue
		}
		return true
	}
	for _, sw := range f.switches {
		if sw.Tag != nil && sw.Pos() > s.pos && sw.Pos() < pos && carries(sw.Tag) {
			return true
		}
	}
	return false
}

// inside reports whether pos lies within n.
func inside(n ast.Node, pos token.Pos) bool {
	return n != nil && n.Pos() <= pos && pos < n.End()
}

// upperBound reports whether the branch (then if inThen, else otherwise) of
// an if on the comparison x op y bounds the value from above; left says
// the value is x, else it is y.
func upperBound(op token.Token, left, inThen bool) bool {
	if !left {
		switch op { // y > x is x < y
		case token.LSS:
			op = token.GTR
		case token.LEQ:
			op = token.GEQ
		case token.GTR:
			op = token.LSS
		case token.GEQ:
			op = token.LEQ
		}
	}
	switch op {
	case token.LSS, token.LEQ, token.EQL:
		return inThen
	case token.GTR, token.GEQ, token.NEQ:
		return !inThen
	}
	return true
}

func isBuiltin(info *types.Info, fun ast.Expr, name string) bool {
	id, ok := ast.Unparen(fun).(*ast.Ident)
	b, isB := info.Uses[id].(*types.Builtin)
	return ok && isB && b.Name() == name
}

func isInteger(t types.Type) bool {
	if t == nil {
		return false
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

func isByte(t types.Type) bool {
	if t == nil {
		return false
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == types.Byte
}

func isBytes(t types.Type) bool {
	if t == nil {
		return false
	}
	s, ok := t.Underlying().(*types.Slice)
	if !ok {
		return false
	}
	b, ok := s.Elem().Underlying().(*types.Basic)
	return ok && b.Kind() == types.Byte
}

// pkgFunc reports whether fn is the package-level function pkg.Name, Name in names.
func pkgFunc(fn *types.Func, pkg string, names ...string) bool {
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != pkg || fn.Signature().Recv() != nil {
		return false
	}
	for _, n := range names {
		if fn.Name() == n {
			return true
		}
	}
	return false
}
