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
tokenize, unquote, unescape or transform (a word of its name, so parseHeader and
Decoder.decodeValue count; Reader.Read counts when its receiver holds the input) that takes its
input apart itself: it indexes, slices or ranges over a []byte or string that is one of its
parameters, a field of its receiver or a local variable set from one, loops while one is not
used up, or splits or cuts one with the strings or bytes package.
A function that only hands its input to another decoder is not reported. Reported once per
function, at its name.

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
	"hand-parser":  2,
	"hand-encoder": 2,
}

// parseVerbs are the words of a function's name that say it takes input
// apart.
var parseVerbs = map[string]bool{
	"parse": true, "decode": true, "unmarshal": true, "unpack": true, "deserialize": true,
	"scan": true, "lex": true, "tokenize": true, "unquote": true, "unescape": true, "transform": true,
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
		p := &parser{info: pass.TypesInfo, inputs: map[types.Object]bool{}}
		p.collect(fn, read)
		p.spread(cur)
		if len(p.inputs) == 0 && p.recv == nil {
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
	info   *types.Info
	inputs map[types.Object]bool // parameters of text type
	recv   types.Object          // the receiver, if its struct holds text
}

// collect finds the function's inputs: its []byte and string parameters
// (not for a Read method, whose parameter is where it writes), and its
// receiver if the receiver's struct has such a field.
func (p *parser) collect(fn *ast.FuncDecl, read bool) {
	if !read {
		for _, field := range fn.Type.Params.List {
			for _, name := range field.Names {
				if obj := p.info.Defs[name]; obj != nil && astx.IsText(obj.Type()) {
					p.inputs[obj] = true
				}
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
				if astx.IsText(f.Type()) {
					p.recv = obj
					return
				}
			}
		}
	}
}

// spread makes a local variable an input too when it is set from one: s :=
// input, rest = rest[n:].
func (p *parser) spread(fn inspector.Cursor) {
	for changed := true; changed; {
		changed = false
		for c := range fn.Preorder((*ast.AssignStmt)(nil)) {
			as := c.Node().(*ast.AssignStmt)
			if len(as.Lhs) != len(as.Rhs) {
				continue
			}
			for i, lhs := range as.Lhs {
				id, ok := lhs.(*ast.Ident)
				if !ok {
					continue
				}
				obj := p.info.ObjectOf(id)
				if obj == nil || p.inputs[obj] || !astx.IsText(obj.Type()) {
					continue
				}
				rhs := ast.Unparen(as.Rhs[i])
				if sl, ok := rhs.(*ast.SliceExpr); ok {
					rhs = sl.X
				}
				if _, ok := p.input(rhs); ok {
					p.inputs[obj] = true
					changed = true
				}
			}
		}
	}
}

// input reports whether e is one of the function's inputs: a text
// parameter, or a text field of the receiver (d.buf, d.in[d.pos:]).
func (p *parser) input(e ast.Expr) (string, bool) {
	e = ast.Unparen(e)
	switch e := e.(type) {
	case *ast.Ident:
		if obj := p.info.Uses[e]; obj != nil && p.inputs[obj] {
			return e.Name, true
		}
	case *ast.SelectorExpr:
		if p.recv == nil || !astx.IsText(p.info.TypeOf(e)) {
			return "", false
		}
		if id, ok := ast.Unparen(e.X).(*ast.Ident); ok && p.info.Uses[id] == p.recv {
			return types.ExprString(e), true
		}
	}
	return "", false
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
		case *ast.SliceExpr:
			if in, ok := p.input(n.X); ok {
				return "slices " + types.ExprString(n), in
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
