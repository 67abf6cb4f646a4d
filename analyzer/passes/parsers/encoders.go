package parsers

import (
	"go/ast"
	"go/constant"
	"go/types"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/ast/inspector"
)

// This file holds hand-encoder, the mirror of hand-parser: a function that
// puts text it was given into an output piece by piece.

// encodeVerbs are the words of a function's name that say it builds an
// output.
var encodeVerbs = map[string]bool{
	"append": true, "encode": true, "marshal": true, "render": true, "write": true, "quote": true,
	"escape": true, "format": true, "serialize": true,
}

// plumbing are the names of the io and fmt interface methods: a Write
// method copies bytes through and frames nothing.
var plumbing = map[string]bool{
	"Write": true, "WriteString": true, "WriteByte": true, "WriteRune": true, "WriteTo": true, "Format": true,
}

// guardWords are the words of a callee's name that say it escapes or checks
// text: html.EscapeString, strconv.AppendQuote, validKey, checkName.
var guardWords = map[string]bool{
	"escape": true, "quote": true, "valid": true, "validate": true, "sanitize": true, "check": true,
	"verify": true, "marshal": true,
}

// finders are the strings and bytes functions that look for a character in
// text, as a check before it is written does.
var finders = map[string]bool{
	"Contains": true, "ContainsRune": true, "ContainsAny": true, "ContainsFunc": true, "IndexByte": true,
	"IndexRune": true, "IndexAny": true, "IndexFunc": true, "Index": true,
}

// encoder is what one encoding function writes from.
type encoder struct {
	info    *types.Info
	derived map[types.Object]bool // text parameters, and locals set from one (c := s[i], for _, c := range s)
	holders map[types.Object]bool // the receiver and parameters of struct type, whose text fields are inputs
	outputs map[string]bool       // what the function writes into (b in append(b, ...), buf in buf.WriteString)
}

// isEncoder reports whether name says the function builds an output.
func isEncoder(name string) bool {
	if plumbing[name] {
		return false
	}
	for _, w := range astx.Words(name) {
		if encodeVerbs[w] {
			return true
		}
	}
	return false
}

// isEscaper reports whether name says the function escapes or quotes what
// it writes, so that writing it by hand is the escaping itself.
func isEscaper(name string) bool {
	for _, w := range astx.Words(name) {
		if w == "escape" || w == "escapes" || w == "quote" || w == "escaped" || w == "quoted" {
			return true
		}
	}
	return false
}

// checkEncoder returns the value a function writes by hand and how, or ""
// when it writes no input, frames nothing or checks or escapes its input.
func checkEncoder(info *types.Info, cur inspector.Cursor) (value, how string) {
	fn := cur.Node().(*ast.FuncDecl)
	e := &encoder{info: info, derived: map[types.Object]bool{}, holders: map[types.Object]bool{}, outputs: map[string]bool{}}
	var fields []*ast.Field
	if fn.Recv != nil {
		fields = append(fields, fn.Recv.List...)
	}
	fields = append(fields, fn.Type.Params.List...)
	for _, f := range fields {
		for _, name := range f.Names {
			if obj := info.Defs[name]; obj == nil {
				continue
			} else if astx.IsText(obj.Type()) {
				e.derived[obj] = true
			} else if isStruct(obj.Type()) {
				e.holders[obj] = true
			}
		}
	}
	if len(e.derived) == 0 && len(e.holders) == 0 {
		return "", ""
	}
	for c := range cur.Preorder((*ast.CallExpr)(nil)) {
		if out := e.output(c.Node().(*ast.CallExpr)); out != nil {
			e.outputs[types.ExprString(out)] = true
		}
	}
	e.spread(cur)
	framed := false
	for c := range cur.Preorder((*ast.CallExpr)(nil)) {
		call := c.Node().(*ast.CallExpr)
		if e.guards(call) {
			return "", ""
		}
		for _, arg := range e.written(call) {
			if isConst(info, arg) {
				framed = true
			} else if v, ok := e.source(arg); ok && value == "" {
				value, how = v, types.ExprString(call)
			}
		}
	}
	if !framed {
		return "", "" // a pass-through: the caller frames what it writes
	}
	return value, how
}

// spread adds the locals set from an input: c := s[i], rest := s[n:], and
// the value of a range over one.
func (e *encoder) spread(fn inspector.Cursor) {
	for changed := true; changed; {
		changed = false
		add := func(lhs, rhs ast.Expr) {
			id, ok := lhs.(*ast.Ident)
			if !ok || rhs == nil {
				return
			}
			if obj := e.info.ObjectOf(id); obj != nil && !e.derived[obj] {
				if _, ok := e.source(rhs); ok {
					e.derived[obj] = true
					changed = true
				}
			}
		}
		for c := range fn.Preorder((*ast.AssignStmt)(nil), (*ast.RangeStmt)(nil)) {
			switch n := c.Node().(type) {
			case *ast.AssignStmt:
				if len(n.Lhs) == len(n.Rhs) {
					for i := range n.Lhs {
						add(n.Lhs[i], n.Rhs[i])
					}
				}
			case *ast.RangeStmt:
				if n.Value != nil {
					add(n.Value, n.X)
				}
			}
		}
	}
}

// source reports whether e is an input or a piece of one: a text parameter,
// a text field of the receiver or a parameter (r.Name, req.Spec.Key), or an
// index, slice or conversion of one.
func (e *encoder) source(x ast.Expr) (string, bool) {
	for {
		switch n := ast.Unparen(x).(type) {
		case *ast.IndexExpr:
			x = n.X
			continue
		case *ast.SliceExpr:
			x = n.X
			continue
		case *ast.CallExpr:
			if tv, ok := e.info.Types[n.Fun]; ok && tv.IsType() && len(n.Args) == 1 {
				x = n.Args[0]
				continue
			}
		case *ast.Ident:
			obj := e.info.Uses[n]
			return n.Name, obj != nil && e.derived[obj] && !e.outputs[n.Name]
		case *ast.SelectorExpr:
			if !astx.IsText(e.info.TypeOf(n)) || e.outputs[types.ExprString(n)] {
				return "", false
			}
			root := n.X
			for {
				sel, ok := ast.Unparen(root).(*ast.SelectorExpr)
				if !ok {
					break
				}
				root = sel.X
			}
			id, ok := ast.Unparen(root).(*ast.Ident)
			if sel := e.info.Selections[n]; !ok || sel == nil || sel.Kind() != types.FieldVal {
				return "", false
			}
			return types.ExprString(n), e.holders[e.info.Uses[id]]
		}
		return "", false
	}
}

// output returns what a call writes into: the first argument of append or
// copy, the receiver of a Write, WriteString, WriteByte or WriteRune method,
// or nil. A receiver's own buffer flushed to its writer (e.w.Write(e.buf))
// is output, not input.
func (e *encoder) output(call *ast.CallExpr) ast.Expr {
	if len(e.written(call)) == 0 {
		return nil
	}
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && astx.CalleeFunc(e.info, call).Signature().Recv() != nil {
		return sel.X
	}
	return call.Args[0]
}

// written returns what a call writes into an output: the appended values
// of append, the source of copy, the argument of a Write, WriteString,
// WriteByte or WriteRune method and of io.WriteString.
func (e *encoder) written(call *ast.CallExpr) []ast.Expr {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := e.info.Uses[id].(*types.Builtin); ok && len(call.Args) > 1 {
			switch b.Name() {
			case "append":
				return call.Args[1:]
			case "copy":
				return call.Args[1:2]
			}
		}
		return nil
	}
	f := astx.CalleeFunc(e.info, call)
	switch {
	case f == nil || len(call.Args) == 0:
	case f.Signature().Recv() != nil && plumbing[f.Name()] && f.Name() != "WriteTo" && f.Name() != "Format":
		return call.Args[:1]
	case f.Pkg() != nil && f.Pkg().Path() == "io" && f.Name() == "WriteString" && len(call.Args) == 2:
		return call.Args[1:]
	}
	return nil
}

// guards reports whether call escapes or checks text: a callee whose name
// says it escapes, quotes or validates (html.EscapeString, strconv.Quote,
// url.QueryEscape, json.Marshal, validName) given an input, or a strings or
// bytes search of an input for a character (strings.ContainsRune(s, 0)).
func (e *encoder) guards(call *ast.CallExpr) bool {
	f := astx.CalleeFunc(e.info, call)
	if f == nil {
		return false
	}
	for _, w := range astx.Words(f.Name()) {
		if guardWords[w] {
			return e.mentions(call)
		}
	}
	if f.Pkg() == nil || f.Signature().Recv() != nil || !finders[f.Name()] || len(call.Args) == 0 {
		return false
	}
	if path := f.Pkg().Path(); path != "strings" && path != "bytes" {
		return false
	}
	_, ok := e.source(call.Args[0])
	return ok
}

// isConst reports whether x is a constant or a conversion of one: a
// delimiter such as '"', "</script>" or 0, or []byte("\r\n").
func isConst(info *types.Info, x ast.Expr) bool {
	if tv, ok := info.Types[x]; ok && tv.Value != nil {
		return tv.Value.Kind() == constant.String || tv.Value.Kind() == constant.Int
	}
	if call, ok := ast.Unparen(x).(*ast.CallExpr); ok && len(call.Args) == 1 {
		if tv, ok := info.Types[call.Fun]; ok && tv.IsType() {
			return isConst(info, call.Args[0])
		}
	}
	return false
}

// mentions reports whether an argument of call, or the receiver of a method
// call, uses an input or a holder of one: escape(s), json.Marshal(req),
// msg.marshal().
func (e *encoder) mentions(call *ast.CallExpr) bool {
	nodes := call.Args
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
		nodes = append([]ast.Expr{sel.X}, nodes...)
	}
	for _, n := range nodes {
		for x := range ast.Preorder(n) {
			if id, ok := x.(*ast.Ident); ok {
				if obj := e.info.Uses[id]; obj != nil && (e.derived[obj] || e.holders[obj]) {
					return true
				}
			}
		}
	}
	return false
}

// isStruct reports whether t is a struct or a pointer to one.
func isStruct(t types.Type) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	_, ok := t.Underlying().(*types.Struct)
	return ok
}
