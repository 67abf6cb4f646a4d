package input

// Sources: where an input-derived integer came from, and which buffers
// hold input.

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
)

// Kinds of source; the indexing pass owns slice bounds from strconv and decoded fields.
const (
	fromBytes   = iota // encoding/binary, bytes of an input buffer, ReadByte
	fromHTTP           // http.Request.ContentLength
	fromStrconv        // strconv.Atoi etc.
	fromDecoded        // a field of a struct filled by Unmarshal/Decode
)

// A source is where an input-derived integer came from; values computed
// from one share it.
type source struct {
	desc string    // "binary.BigEndian.Uint32(hdr[4:])", for messages
	pos  token.Pos // where it was read: comparisons before it do not bound it
	wide bool      // more than one byte's worth
	kind int
}

// origin says where the value subj came from.
func origin(s *source, subj ast.Expr, f *funcInfo) string {
	if t := f.text(subj); t != s.desc {
		return t + " from " + s.desc
	}
	return s.desc + " read from input"
}

// find returns the source of e and the subexpression that carries it.
func (f *funcInfo) find(e ast.Expr) (*source, ast.Expr) {
	var subj ast.Expr
	var found *source
	ast.Inspect(e, func(n ast.Node) bool {
		if found != nil {
			return false
		}
		x, ok := n.(ast.Expr)
		if !ok {
			return true
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		switch x := ast.Unparen(x).(type) {
		case *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr:
			if s := f.leaf(x); s != nil {
				found, subj = s, x
				return false
			}
		case *ast.CallExpr:
			if f.binaryCall(x) != nil {
				found, subj = f.sourceOf(x), x
				return false
			}
		}
		return f.sourceOf(x) != nil // descend only where the source is not cut off
	})
	return found, subj
}

// sourceOf returns the source of the integer value of e, or nil.
func (f *funcInfo) sourceOf(e ast.Expr) *source {
	info := f.pass.TypesInfo
	e = ast.Unparen(e)
	switch e := e.(type) {
	case *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr:
		return f.leaf(e)
	case *ast.CallExpr:
		if s := f.binaryCall(e); s != nil {
			return s
		}
		if tv := info.Types[e.Fun]; tv.IsType() && len(e.Args) == 1 {
			return f.sourceOf(e.Args[0]) // int(n)
		}
		if isBuiltin(info, e.Fun, "min") {
			var s *source
			for _, a := range e.Args {
				if s = f.sourceOf(a); s == nil {
					return nil // min(n, limit)
				}
			}
			return s
		}
		if isBuiltin(info, e.Fun, "max") {
			for _, a := range e.Args {
				if s := f.sourceOf(a); s != nil {
					return s
				}
			}
		}
		return nil
	case *ast.BinaryExpr:
		x, y := f.sourceOf(e.X), f.sourceOf(e.Y)
		switch e.Op {
		case token.AND:
			if info.Types[e.X].Value != nil || info.Types[e.Y].Value != nil {
				return nil // n & 0xff
			}
		case token.REM, token.SHR, token.QUO, token.AND_NOT:
			if e.Op == token.REM || x == nil {
				return nil
			}
			return x
		}
		s := x
		if s == nil || y != nil && y.wide && !s.wide {
			s = y
		}
		if s == nil {
			return nil
		}
		widens := e.Op == token.SHL && x != nil || (x != nil || y != nil) && e.Op == token.OR && (x == nil || x.wide || y == nil || y.wide) ||
			e.Op == token.MUL && info.Types[e.X].Value == nil && info.Types[e.Y].Value == nil
		if widens && !s.wide && !isByte(info.TypeOf(e)) {
			return &source{desc: s.desc, pos: s.pos, wide: true, kind: s.kind}
		}
		return s
	case *ast.UnaryExpr:
		if e.Op == token.SUB || e.Op == token.ADD || e.Op == token.XOR {
			return f.sourceOf(e.X)
		}
	}
	return nil
}

// leaf returns the source of a variable, field or byte read.
func (f *funcInfo) leaf(e ast.Expr) *source {
	info := f.pass.TypesInfo
	switch e := e.(type) {
	case *ast.Ident:
		if o := info.ObjectOf(e); o != nil {
			return f.vars[o]
		}
	case *ast.SelectorExpr:
		if !isInteger(info.TypeOf(e)) {
			return nil
		}
		if o := f.obj(e.X); o != nil && f.structs[o] != nil {
			s := f.structs[o]
			return f.once("field "+types.ExprString(e), s.pos, s.desc, s.kind, true)
		}
		if v, ok := info.ObjectOf(e.Sel).(*types.Var); ok && v.IsField() && v.Name() == "ContentLength" && v.Pkg() != nil && v.Pkg().Path() == "net/http" {
			return f.once("http "+types.ExprString(e), token.NoPos, f.text(e), fromHTTP, true)
		}
	case *ast.IndexExpr:
		if isInteger(info.TypeOf(e)) && isBytes(info.TypeOf(e.X)) && f.isContainer(e.X) {
			return f.once(e, e.Pos(), f.text(e), fromBytes, false)
		}
	}
	return nil
}

// once returns the source read at key (a node, or a field's text), the same one each time asked.
func (f *funcInfo) once(key any, pos token.Pos, desc string, kind int, wide bool) *source {
	if s := f.inline[key]; s != nil {
		return s
	}
	s := &source{desc: desc, pos: pos, wide: wide, kind: kind}
	f.inline[key] = s
	return s
}

// binaryCall returns the source of binary.BigEndian.Uint32(b) and the like, or nil.
func (f *funcInfo) binaryCall(call *ast.CallExpr) *source {
	fn := astx.CalleeFunc(f.pass.TypesInfo, call)
	if f.readers[fn] && fn.Signature().Results().Len() == 1 {
		return f.once(call, call.Pos(), f.text(call), fromBytes, !isByte(fn.Signature().Results().At(0).Type()))
	}
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != "encoding/binary" || fn.Signature().Recv() == nil {
		return nil
	}
	switch fn.Name() {
	case "Uint16", "Uint32", "Uint64":
		return f.once(call, call.Pos(), f.text(call), fromBytes, true)
	}
	return nil
}

// isContainer reports whether e is a []byte read from input: a parameter, a field, a buffer read
// into, or a slice of one.
func (f *funcInfo) isContainer(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return f.containers[f.pass.TypesInfo.ObjectOf(e)]
	case *ast.SelectorExpr:
		v, ok := f.pass.TypesInfo.ObjectOf(e.Sel).(*types.Var)
		return ok && v.IsField() && isBytes(v.Type())
	case *ast.SliceExpr:
		return f.isContainer(e.X)
	}
	return false
}

// sliceLike reports whether x is a slice or string that is not a constant or package-level table.
func (f *funcInfo) sliceLike(x ast.Expr) bool {
	t := f.pass.TypesInfo.TypeOf(x)
	if t == nil || f.pass.TypesInfo.Types[x].Value != nil {
		return false // a constant string is a table: hexDigits[c>>4]
	}
	switch u := t.Underlying().(type) {
	case *types.Slice:
	case *types.Basic:
		if u.Info()&types.IsString == 0 {
			return false
		}
	default:
		return false
	}
	if v, ok := f.obj(x).(*types.Var); ok && v.Pkg() != nil && v.Parent() == v.Pkg().Scope() {
		return false // tables filled at init
	}
	return true
}
