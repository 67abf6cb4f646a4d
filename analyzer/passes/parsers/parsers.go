// Package parsers defines an Analyzer that reports hand-written parsers and
// encoders of bytes and text as risk signals.
//
// A function that takes input apart by hand, byte by byte or field by
// field, is where a crafted input finds the index past the end, the loop
// that does not advance or the split into a million parts. In the Go
// vulnerability database many such functions hold no other signal: their
// lengths come from the input's own structure (a separator, a terminator),
// not from an integer the input pass can follow.
package parsers

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report hand-written parsers and encoders of input as risk signals

hand-parser: a function named to parse, decode, unmarshal, unpack, deserialize, scan, lex,
tokenize, unquote, unescape, transform, match or route (a word of its name, so parseHeader,
Decoder.decodeValue, matchPath, Matches and routeRequest count, newMatcher does not; Reader.Read
counts when its receiver holds the input) that takes its input apart itself: it indexes, slices
or ranges over a []byte or string that is one of its parameters, a field of its receiver or a
local variable set from one, loops while one is not used up, or splits or cuts one with the
strings or bytes package. Each element of a []string (or map of strings) parameter or receiver
field is such text too (for _, o := range c.AllowOrigins), and so is what the function decodes
its input into: a local filled by json.Unmarshal(data, &raw), unmarshal(&raw) or
node.Decode(&raw), whose text fields are input and whose slice fields, indexed or sliced
(raw.Signatures[0]), are taken apart.
A function that only hands its input to another decoder or to regexp, or only compares, ranges
over or indexes by range key what it decoded, is not reported. Reported once per function, at
its name.

hand-encoder: a function named to append, encode, marshal, render, write, quote, escape, format or
serialize (a word of its name; the io and fmt methods Write, WriteString, WriteByte, WriteRune,
WriteTo and Format are plumbing and left out) that writes text it was given piece by piece into an
output: a []byte or string parameter, a text field of its receiver or of a parameter, or an index,
slice, conversion or local copy of one, appended (append(b, s...), append(b, s[i])), copied, or
passed to a Write, WriteString, WriteByte or WriteRune method or io.WriteString, next to a constant
written as framing (a quote, a NUL, a tag). With no escaping or check in the function, a crafted
value breaks the framing: a NUL in a C-string key, a quote in SQL, </script> in HTML. Quiet when the
function calls anything named to escape, quote, validate, sanitize, check, verify or marshal
(html.EscapeString, strconv.AppendQuote, url.QueryEscape, json.Marshal), or searches the input for a
character with the strings or bytes package (strings.ContainsRune(s, 0), bytes.IndexByte); when it
writes only constants and numbers, or only through fmt; and when it frames nothing (a pass-through
whose caller frames). Reported once per function, at its name.

Test files are left out.`

var Analyzer = &analysis.Analyzer{
	Name:     "parsers",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/parsers",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Signals maps each category this pass reports to its weight (0–10, see
// CONTRACT.md).
var Signals = map[string]float64{
	"hand-parser":  3,
	"hand-encoder": 2,
}

// parseVerbs are the words of a function's name that say it takes input
// apart.
var parseVerbs = map[string]bool{
	"parse": true, "decode": true, "unmarshal": true, "unpack": true, "deserialize": true,
	"scan": true, "lex": true, "tokenize": true, "unquote": true, "unescape": true, "transform": true,
	// Route and pattern matchers walk a pattern and a path against each
	// other by hand. "matches" is the predicate's spelling of the same
	// verb; "matcher" names a thing, not the work, and is left out.
	"match": true, "matches": true, "route": true,
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	r := astx.NewReporter(pass)
	for cur := range insp.Root().Preorder((*ast.FuncDecl)(nil)) {
		fn := cur.Node().(*ast.FuncDecl)
		if fn.Body == nil || strings.HasSuffix(pass.Fset.Position(fn.Pos()).Filename, "_test.go") {
			continue
		}
		if isEncoder(fn.Name.Name) {
			if value, how := checkEncoder(pass.TypesInfo, cur); value != "" && isEscaper(fn.Name.Name) {
				r.Report(fn.Name, "hand-encoder", "%s escapes %s by hand (%s): a character it lets through can break the output's framing",
					fn.Name.Name, value, how)
			} else if value != "" {
				r.Report(fn.Name, "hand-encoder", "%s writes %s into its output by hand (%s) with no escaping or check of it: a crafted value can break the output's framing",
					fn.Name.Name, value, how)
			}
		}
		verb, read := nameVerb(fn.Name.Name)
		if verb == "" {
			continue
		}
		p := &parser{
			info:    pass.TypesInfo,
			inputs:  map[types.Object]bool{},
			lists:   map[types.Object]bool{},
			params:  map[types.Object]bool{},
			decoded: map[types.Object]bool{},
			origin:  map[types.Object]string{},
		}
		p.collect(fn, read)
		p.spread(cur)
		if len(p.inputs) == 0 && len(p.lists) == 0 && len(p.decoded) == 0 && p.recv == nil {
			continue
		}
		if how, input := p.handles(cur); how != "" {
			r.Report(fn.Name, "hand-parser", "%s takes %s apart by hand (%s): a crafted input decides every index and loop here",
				fn.Name.Name, input, how)
		}
	}
	return nil, nil
}

// nameVerb returns the word of a function's name that says it parses, and
// whether the name is a Read method's ("Read", "ReadValue"), which parses
// only what its receiver holds.
func nameVerb(name string) (verb string, read bool) {
	words := astx.Words(name)
	for _, w := range words {
		if parseVerbs[w] {
			return w, false
		}
	}
	if len(words) > 0 && words[0] == "read" {
		return "read", true
	}
	return "", false
}

// parser is what one function's input is.
type parser struct {
	info    *types.Info
	inputs  map[types.Object]bool   // parameters and locals of text type
	lists   map[types.Object]bool   // parameters that are lists of text
	params  map[types.Object]bool   // all parameters, which a decoder call may read
	decoded map[types.Object]bool   // locals that a call decoded the input into
	origin  map[types.Object]string // how a range variable's text was given
	recv    types.Object            // the receiver, if its struct holds text
}

// isList reports whether t is a slice, array or map of text: each of its
// elements is text a caller gave.
func isList(t types.Type) bool {
	if t == nil {
		return false
	}
	switch u := t.Underlying().(type) {
	case *types.Slice:
		return !astx.IsText(t) && astx.IsText(u.Elem())
	case *types.Array:
		return astx.IsText(u.Elem())
	case *types.Map:
		return astx.IsText(u.Elem())
	}
	return false
}

// collect finds the function's inputs: its []byte and string parameters
// and lists of them (not for a Read method, whose parameter is where it
// writes), and its receiver if the receiver's struct has such a field.
func (p *parser) collect(fn *ast.FuncDecl, read bool) {
	for _, field := range fn.Type.Params.List {
		for _, name := range field.Names {
			obj := p.info.Defs[name]
			switch {
			case obj == nil || read:
			case astx.IsText(obj.Type()):
				p.inputs[obj] = true
			case isList(obj.Type()):
				p.lists[obj] = true
			}
			if obj != nil {
				p.params[obj] = true
			}
		}
	}
	if fn.Recv == nil || len(fn.Recv.List) == 0 || len(fn.Recv.List[0].Names) == 0 {
		return
	}
	obj := p.info.Defs[fn.Recv.List[0].Names[0]]
	if obj == nil {
		return
	}
	if named := astx.NamedOf(obj.Type()); named != nil {
		if st, ok := named.Underlying().(*types.Struct); ok {
			for f := range st.Fields() {
				if astx.IsText(f.Type()) || isList(f.Type()) {
					p.recv = obj
					return
				}
			}
		}
	}
}

// spread makes a local variable an input too when it is set from one (s :=
// input, rest = rest[n:]) or ranges over a list of them (for _, o := range
// origins), and marks the locals a call decodes the input into.
func (p *parser) spread(fn inspector.Cursor) {
	for changed := true; changed; {
		changed = false
		for c := range fn.Preorder((*ast.AssignStmt)(nil), (*ast.RangeStmt)(nil), (*ast.CallExpr)(nil)) {
			switch n := c.Node().(type) {
			case *ast.AssignStmt:
				if len(n.Lhs) != len(n.Rhs) {
					continue
				}
				for i, lhs := range n.Lhs {
					rhs := ast.Unparen(n.Rhs[i])
					if sl, ok := rhs.(*ast.SliceExpr); ok {
						rhs = sl.X
					}
					if _, ok := p.input(rhs); ok && p.mark(lhs, "") {
						changed = true
					}
				}
			case *ast.RangeStmt:
				if n.Value == nil {
					continue
				}
				if list, ok := p.list(n.X); ok && p.mark(n.Value, list) {
					changed = true
				}
			case *ast.CallExpr:
				if p.decodes(n) {
					changed = true
				}
			}
		}
	}
}

// mark makes the local variable e an input, given as an element of list
// if that is set, and reports whether it was not one before.
func (p *parser) mark(e ast.Expr, list string) bool {
	id, ok := e.(*ast.Ident)
	if !ok {
		return false
	}
	obj := p.info.ObjectOf(id)
	if obj == nil || p.inputs[obj] || !astx.IsText(obj.Type()) {
		return false
	}
	p.inputs[obj] = true
	if list != "" {
		p.origin[obj] = "element " + id.Name + " of " + list
	}
	return true
}

// decodes marks the locals that call fills from the input, as
// json.Unmarshal(data, &raw) or unmarshal(&raw) and node.Decode(&raw) in an
// UnmarshalYAML method, and reports whether it marked one. A call reads
// the input when one of its arguments is an input or its callee is a
// parameter or a method of one.
func (p *parser) decodes(call *ast.CallExpr) bool {
	reads := p.rootedInParam(call.Fun)
	for _, arg := range call.Args {
		if _, ok := p.input(arg); ok {
			reads = true
		}
	}
	if !reads {
		return false
	}
	marked := false
	for _, arg := range call.Args {
		u, ok := ast.Unparen(arg).(*ast.UnaryExpr)
		if !ok || u.Op != token.AND {
			continue
		}
		id, ok := ast.Unparen(u.X).(*ast.Ident)
		if !ok {
			continue
		}
		obj := p.info.Uses[id]
		if v, ok := obj.(*types.Var); !ok || v.IsField() || v.Pkg() == nil || v.Parent() == v.Pkg().Scope() ||
			p.params[obj] || obj == p.recv || p.decoded[obj] {
			continue
		}
		p.decoded[obj] = true
		marked = true
	}
	return marked
}

// rootedInParam reports whether fun is a parameter (unmarshal) or a
// method or field of one (value.Decode).
func (p *parser) rootedInParam(fun ast.Expr) bool {
	for {
		switch e := ast.Unparen(fun).(type) {
		case *ast.Ident:
			return p.params[p.info.Uses[e]]
		case *ast.SelectorExpr:
			fun = e.X
		default:
			return false
		}
	}
}

// decodedPart reports whether e is a local the input was decoded into, or
// a field of one (raw.Signatures).
func (p *parser) decodedPart(e ast.Expr) bool {
	v, _, ok := astx.FieldPath(p.info, e, false)
	return ok && p.decoded[v]
}

// list reports whether e is a list of text given to the function: a
// parameter, a field of its receiver, or a field of what it decoded.
func (p *parser) list(e ast.Expr) (string, bool) {
	e = ast.Unparen(e)
	if !isList(p.info.TypeOf(e)) {
		return "", false
	}
	switch e := e.(type) {
	case *ast.Ident:
		if obj := p.info.Uses[e]; obj != nil && (p.lists[obj] || p.decoded[obj]) {
			return e.Name, true
		}
	case *ast.SelectorExpr:
		if p.ofRecv(e) || p.decodedPart(e) {
			return types.ExprString(e), true
		}
	}
	return "", false
}

// ofRecv reports whether e selects a field of the receiver.
func (p *parser) ofRecv(e *ast.SelectorExpr) bool {
	id, ok := ast.Unparen(e.X).(*ast.Ident)
	return ok && p.recv != nil && p.info.Uses[id] == p.recv
}

// input reports whether e is one of the function's inputs: a text
// parameter or local, a text field of the receiver (d.buf, d.in[d.pos:])
// or of what it decoded, or an element of a list of them (origins[i]).
func (p *parser) input(e ast.Expr) (string, bool) {
	e = ast.Unparen(e)
	if !astx.IsText(p.info.TypeOf(e)) {
		return "", false
	}
	switch e := e.(type) {
	case *ast.Ident:
		if obj := p.info.Uses[e]; obj != nil && p.inputs[obj] {
			if o := p.origin[obj]; o != "" {
				return o, true
			}
			return e.Name, true
		}
		if p.decodedPart(e) {
			return e.Name, true
		}
	case *ast.SelectorExpr:
		if p.ofRecv(e) || p.decodedPart(e) {
			return types.ExprString(e), true
		}
	case *ast.IndexExpr:
		if _, ok := p.list(e.X); ok {
			return types.ExprString(e), true
		}
	}
	return "", false
}

// decodedSlice reports whether e is a slice the input was decoded into,
// or a field of one: how many elements it has is the input's to say, so
// indexing it trusts the input.
func (p *parser) decodedSlice(e ast.Expr) bool {
	t := p.info.TypeOf(e)
	if t == nil {
		return false
	}
	_, ok := t.Underlying().(*types.Slice)
	return ok && p.decodedPart(e)
}

// rangeKey reports whether ix indexes a slice with the key of a range
// over that same slice (for i := range raw.Data { raw.Data[i] }), which
// stays in bounds whatever the input holds.
func (p *parser) rangeKey(cur inspector.Cursor, ix *ast.IndexExpr) bool {
	key, ok := ast.Unparen(ix.Index).(*ast.Ident)
	if !ok || p.info.Uses[key] == nil {
		return false
	}
	for c := range cur.Enclosing((*ast.RangeStmt)(nil)) {
		rs := c.Node().(*ast.RangeStmt)
		if k, ok := rs.Key.(*ast.Ident); ok && p.info.Defs[k] == p.info.Uses[key] {
			return types.ExprString(rs.X) == types.ExprString(ix.X)
		}
	}
	return false
}

// splitters are the strings and bytes functions that cut text at what it
// holds.
var splitters = map[string]bool{
	"Split": true, "SplitN": true, "SplitAfter": true, "SplitAfterN": true, "Fields": true, "FieldsFunc": true,
	"Cut": true, "Index": true, "IndexByte": true, "IndexRune": true, "IndexAny": true, "LastIndex": true,
	"LastIndexByte": true, "IndexFunc": true,
}

// handles returns how the function takes an input apart itself, and
// which input, or "" if it does not.
func (p *parser) handles(fn inspector.Cursor) (how, input string) {
	for c := range fn.Preorder((*ast.IndexExpr)(nil), (*ast.SliceExpr)(nil), (*ast.RangeStmt)(nil), (*ast.CallExpr)(nil), (*ast.ForStmt)(nil)) {
		switch n := c.Node().(type) {
		case *ast.ForStmt:
			if n.Cond == nil {
				continue
			}
			for e := range ast.Preorder(n.Cond) {
				if x, ok := e.(ast.Expr); ok {
					if in, ok := p.input(x); ok {
						return "loops while " + types.ExprString(n.Cond), in
					}
				}
			}
		case *ast.IndexExpr:
			if in, ok := p.input(n.X); ok {
				return "indexes " + types.ExprString(n), in
			}
			if p.decodedSlice(n.X) && !p.rangeKey(c, n) {
				return "indexes " + types.ExprString(n), types.ExprString(n.X)
			}
		case *ast.SliceExpr:
			if in, ok := p.input(n.X); ok {
				return "slices " + types.ExprString(n), in
			}
			if p.decodedSlice(n.X) {
				return "slices " + types.ExprString(n), types.ExprString(n.X)
			}
		case *ast.RangeStmt:
			if in, ok := p.input(n.X); ok {
				return "ranges over it", in
			}
		case *ast.CallExpr:
			f := astx.CalleeFunc(p.info, n)
			if f == nil || f.Pkg() == nil || len(n.Args) == 0 || !splitters[f.Name()] || f.Signature().Recv() != nil {
				continue
			}
			if path := f.Pkg().Path(); path != "strings" && path != "bytes" {
				continue
			}
			if in, ok := p.input(n.Args[0]); ok {
				return "calls " + f.Pkg().Name() + "." + f.Name(), in
			}
		}
	}
	return "", ""
}
