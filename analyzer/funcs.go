package analyzer

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/types/typeutil"
)

// Func is one function of an analysed file, with what the static pass
// learned about it. Functions become [Region]s in [Select].
type Func struct {
	Package string   // import path
	File    string   // module-relative, slash-separated
	Name    string   // as Go prints it: "Handle", "(*Server).Handle", "List[T].Len", "Run.func1"
	Key     string   // types.Func.FullName, for call edges; "" for function literals
	Start   int      // 1-based first line, the doc comment included
	End     int      // 1-based last line
	Code    string   // the source of lines Start..End
	Context string   // declarations the code refers to, capped
	Callees []string // Keys of the module's functions it calls, sorted, unique
	Signals []Signal // risk signals inside it, by line
	Static  int      // x/tools diagnostics inside it
	Test    bool     // declared in a _test.go file

	// For the review map's blast radius (see [Reach]).
	Calls    []Call // the module's functions it calls or takes as values, by line; empty for the literals of huge functions (their calls are the outer function's)
	Exported bool   // its name (and its receiver's type) is exported
	Main     bool   // func main of a package main
	Command  bool   // declared in a package main
	Handler  bool   // its signature is (http.ResponseWriter, *http.Request)
	Sig      string // methods: the signature without the receiver, for matching interface calls
}

// A Call is one place where a function uses another of the module.
type Call struct {
	Key  string   // the callee's Key; for an interface call, the interface method's types.Func.FullName
	Line int      // 1-based, in the caller's file
	Kind CallKind // how it is used
	Go   bool     // inside a go statement: the call it starts, or the body of the literal it starts
	// Handler says the function is passed as an HTTP handler (to a
	// HandleFunc or Handle, or converted to http.HandlerFunc).
	Handler bool
	Method  string // interface calls: the method's name
	Sig     string // interface calls: the method's signature, as Func.Sig
}

// CallKind says how a call site uses its callee.
type CallKind string

const (
	CallDirect    CallKind = "call"      // a static call
	CallValue     CallKind = "value"     // a method value or function value: called later, from wherever it goes
	CallInterface CallKind = "interface" // a call of an interface method: any method of that name and signature may run (approximate)
)

func (f *Func) addSignal(s Signal) {
	for _, o := range f.Signals {
		if o.Check == s.Check && o.Line == s.Line {
			return
		}
	}
	f.Signals = append(f.Signals, s)
}

// Limits on the split of huge functions and on context.
const (
	// hugeFuncLines is the size beyond which a function's literals of at
	// least litMinLines lines become regions of their own, so that a model
	// reads a goroutine body whole without the rest of a huge function.
	hugeFuncLines = 300
	litMinLines   = 15

	maxContextBytes = 4000 // total context per function
	maxDeclLines    = 30   // lines of one type declaration
	maxDocLines     = 4    // lines of a doc comment kept with a signature
)

// pkgIndex maps the declarations of one package by the position of their
// name, to print the context of its functions from source.
type pkgIndex struct {
	// light leaves out what only regions need (code, context, callees):
	// the packages loaded for their calls alone.
	light bool
	// vars are the package-level variables whose initializers use the
	// module's functions (var Analyzer = &analysis.Analyzer{Run: run}), as
	// Funcs of their calls alone: callers, never regions.
	vars  []*Func
	pkg   *packages.Package
	mod   Module
	decls map[token.Pos]declRef
	src   map[string][]byte   // file name → content
	split map[string][]string // file name → lines, for lines
}

type declRef struct {
	node ast.Node     // *ast.FuncDecl, *ast.TypeSpec or *ast.ValueSpec
	gen  *ast.GenDecl // for specs: the enclosing declaration (for its doc)
	file *ast.File
}

func newPkgIndex(p *packages.Package, mod Module) *pkgIndex {
	ix := &pkgIndex{pkg: p, mod: mod, decls: map[token.Pos]declRef{}, src: map[string][]byte{}, split: map[string][]string{}}
	for _, f := range p.Syntax {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				ix.decls[d.Name.Pos()] = declRef{node: d, file: f}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						ix.decls[s.Name.Pos()] = declRef{node: s, gen: d, file: f}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							ix.decls[n.Pos()] = declRef{node: s, gen: d, file: f}
						}
					}
				}
			}
		}
	}
	return ix
}

// source returns the content of the file holding pos.
func (ix *pkgIndex) source(pos token.Pos) []byte {
	name := ix.pkg.Fset.File(pos).Name()
	if b, ok := ix.src[name]; ok {
		return b
	}
	b, _ := os.ReadFile(name)
	ix.src[name] = b
	return b
}

// text returns the source between two positions.
func (ix *pkgIndex) text(from, to token.Pos) string {
	src := ix.source(from)
	tf := ix.pkg.Fset.File(from)
	a, b := tf.Offset(from), tf.Offset(to)
	if a < 0 || b > len(src) || a > b {
		return ""
	}
	return string(src[a:b])
}

// lines returns lines [start, end] (1-based) of the file pos names, as
// //line directives adjust it: for cgo's translations, the user's file.
func (ix *pkgIndex) lines(pos token.Pos, start, end int) string {
	name := ix.pkg.Fset.Position(pos).Filename
	ls, ok := ix.split[name]
	if !ok {
		b, _ := os.ReadFile(name)
		ls = strings.Split(string(b), "\n")
		ix.split[name] = ls
	}
	if start < 1 || end > len(ls) || start > end {
		return ""
	}
	out := strings.Join(ls[start-1:end], "\n")
	return strings.TrimRight(strings.ReplaceAll(out, "\r\n", "\n"), "\r\n")
}

// extractFuncs returns the functions of a file: every FuncDecl with a body,
// every function literal assigned to a package-level variable, and the large
// literals of huge functions.
func (ix *pkgIndex) extractFuncs(f *ast.File, rel string) []*Func {
	fset := ix.pkg.Fset
	test := isTestFile(rel)
	var out []*Func
	add := func(name, key string, node ast.Node, doc *ast.CommentGroup, body ast.Node, outer ast.Node) *Func {
		start := fset.Position(node.Pos()).Line
		if doc != nil {
			start = fset.Position(doc.Pos()).Line
		}
		end := fset.Position(node.End()).Line
		fn := &Func{
			Package: ix.pkg.PkgPath,
			File:    rel,
			Name:    name,
			Key:     key,
			Start:   start,
			End:     end,
			Test:    test,
		}
		if !ix.light {
			fn.Code = ix.lines(node.Pos(), start, end)
			fn.Callees = ix.callees(body)
			fn.Context = ix.context(node, outer)
		}
		if outer == node || outer == nil {
			fn.Calls = ix.calls(body)
		}
		out = append(out, fn)
		return fn
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Body == nil {
				continue
			}
			key := ""
			obj, _ := ix.pkg.TypesInfo.Defs[d.Name].(*types.Func)
			if obj != nil {
				key = obj.FullName()
			}
			name := FuncName(d)
			fn := add(name, key, d, d.Doc, d.Body, d)
			ix.describe(fn, d, obj)
			if ix.light {
				continue
			}
			if fset.Position(d.End()).Line-fset.Position(d.Pos()).Line+1 > hugeFuncLines {
				n := 0
				ast.Inspect(d.Body, func(node ast.Node) bool {
					lit, ok := node.(*ast.FuncLit)
					if !ok {
						return true
					}
					n++
					if fset.Position(lit.End()).Line-fset.Position(lit.Pos()).Line+1 >= litMinLines {
						add(fmt.Sprintf("%s.func%d", name, n), "", lit, nil, lit.Body, d)
					}
					return false // nested literals stay with theirs
				})
			}
		case *ast.GenDecl:
			if d.Tok != token.VAR {
				continue
			}
			for _, s := range d.Specs {
				vs := s.(*ast.ValueSpec)
				for i, v := range vs.Values {
					if lit, ok := v.(*ast.FuncLit); ok && i < len(vs.Names) {
						doc := vs.Doc
						if doc == nil && len(d.Specs) == 1 {
							doc = d.Doc
						}
						add(vs.Names[i].Name, "", lit, doc, lit.Body, lit)
						continue
					}
					if i < len(vs.Names) {
						ix.varCalls(vs.Names[i], v, rel, test)
					}
				}
			}
		}
	}
	return out
}

// FuncName returns the name of a function declaration as Go prints it,
// without its package: "Handle", "(*Server).Handle", "List[T].Len".
func FuncName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	t := d.Recv.List[0].Type
	if p, ok := t.(*ast.ParenExpr); ok {
		t = p.X
	}
	if s, ok := t.(*ast.StarExpr); ok {
		return "(*" + types.ExprString(s.X) + ")." + d.Name.Name
	}
	return types.ExprString(t) + "." + d.Name.Name
}

// local reports whether obj belongs to the module being analysed.
func (ix *pkgIndex) local(obj types.Object) bool {
	if obj == nil || obj.Pkg() == nil {
		return false
	}
	p := obj.Pkg().Path()
	return p == ix.mod.Path || strings.HasPrefix(p, ix.mod.Path+"/")
}

// callees returns the Keys of the module's functions called in body.
func (ix *pkgIndex) callees(body ast.Node) []string {
	seen := map[string]bool{}
	var out []string
	ast.Inspect(body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if fn, ok := typeutil.Callee(ix.pkg.TypesInfo, call).(*types.Func); ok && ix.local(fn) {
			if k := fn.Origin().FullName(); !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
		return true
	})
	slices.Sort(out)
	return out
}

// context renders the declarations node refers to that are declared outside
// it in the module: the receiver's type first, then types, functions,
// variables and constants in the order the code first uses them. outer is
// the declaration that holds node (itself, or the huge function around a
// literal); its own declaration is never repeated.
func (ix *pkgIndex) context(node, outer ast.Node) string {
	info := ix.pkg.TypesInfo
	var objs []types.Object
	seen := map[types.Object]bool{}
	addObj := func(obj types.Object) {
		if obj == nil || seen[obj] || !ix.local(obj) {
			return
		}
		if obj.Pos() >= outer.Pos() && obj.Pos() < outer.End() {
			return // declared inside
		}
		switch o := obj.(type) {
		case *types.Func:
			obj = o.Origin()
		case *types.Var:
			if o.IsField() || o.Parent() != o.Pkg().Scope() {
				return
			}
		case *types.TypeName, *types.Const:
		default:
			return
		}
		if obj.Parent() != nil && obj.Parent() != obj.Pkg().Scope() && !isMethod(obj) {
			return // a local type or constant of another function
		}
		seen[obj] = true
		objs = append(objs, obj)
	}
	addNamed := func(t types.Type) {
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := types.Unalias(t).(*types.Named); ok {
			addObj(n.Origin().Obj())
		}
	}
	if fd, ok := outer.(*ast.FuncDecl); ok && fd.Recv != nil {
		if obj, ok := info.Defs[fd.Name].(*types.Func); ok {
			if sig, ok := obj.Type().(*types.Signature); ok && sig.Recv() != nil {
				addNamed(sig.Recv().Type())
			}
		}
	}
	ast.Inspect(node, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			addObj(info.Uses[n])
		case *ast.SelectorExpr:
			if sel, ok := info.Selections[n]; ok {
				addNamed(sel.Recv())
			}
		}
		return true
	})

	var b strings.Builder
	for _, obj := range objs {
		decl := ix.render(obj)
		if decl == "" {
			continue
		}
		if b.Len()+len(decl)+1 > maxContextBytes {
			b.WriteString("// (more declarations omitted)\n")
			break
		}
		b.WriteString(decl)
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func isMethod(obj types.Object) bool {
	fn, ok := obj.(*types.Func)
	return ok && fn.Signature().Recv() != nil
}

// render prints one declaration: from source when the object is declared in
// this package, else as go/types prints it.
func (ix *pkgIndex) render(obj types.Object) string {
	ref, ok := ix.decls[obj.Pos()]
	if !ok {
		return ix.printObject(obj)
	}
	switch n := ref.node.(type) {
	case *ast.FuncDecl:
		sig := ix.text(n.Pos(), n.Type.End())
		return docOf(n.Doc) + sig
	case *ast.TypeSpec:
		doc := n.Doc
		if doc == nil && len(ref.gen.Specs) == 1 {
			doc = ref.gen.Doc
		}
		return docOf(doc) + capLines("type "+ix.text(n.Pos(), n.End()), maxDeclLines)
	case *ast.ValueSpec:
		kw := ref.gen.Tok.String()
		text := ix.text(n.Pos(), n.End())
		if strings.Count(text, "\n") > 2 {
			// A long initializer: the name and type are what the code needs.
			return ix.printObject(obj)
		}
		return kw + " " + text
	}
	return ""
}

func docOf(cg *ast.CommentGroup) string {
	if cg == nil {
		return ""
	}
	var lines []string
	for _, c := range cg.List {
		lines = append(lines, strings.Split(c.Text, "\n")...)
	}
	if len(lines) > maxDocLines {
		lines = append(lines[:maxDocLines], "// …")
	}
	return strings.Join(lines, "\n") + "\n"
}

func capLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) <= n {
		return s
	}
	var b bytes.Buffer
	for _, l := range lines[:n-1] {
		b.WriteString(l)
	}
	b.WriteString("\t// … (" + fmt.Sprint(len(lines)-n+1) + " more lines)\n}")
	return b.String()
}

// printObject prints a declaration from its type, as Go source would spell
// it in this package: "func (*list.List[T]) Len() int",
// "type List[T any] struct{items []T}".
func (ix *pkgIndex) printObject(obj types.Object) string {
	qual := func(p *types.Package) string {
		if p == ix.pkg.Types {
			return ""
		}
		return p.Name()
	}
	var b bytes.Buffer
	switch obj := obj.(type) {
	case *types.Func:
		sig := obj.Signature()
		b.WriteString("func ")
		if r := sig.Recv(); r != nil {
			b.WriteString("(" + types.TypeString(r.Type(), qual) + ") ")
		}
		b.WriteString(obj.Name())
		types.WriteSignature(&b, sig, qual)
	case *types.TypeName:
		b.WriteString("type " + obj.Name())
		if n, ok := obj.Type().(*types.Named); ok && n.TypeParams().Len() > 0 {
			b.WriteString("[")
			for i := range n.TypeParams().Len() {
				tp := n.TypeParams().At(i)
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(tp.Obj().Name() + " " + types.TypeString(tp.Constraint(), qual))
			}
			b.WriteString("]")
		}
		if obj.IsAlias() {
			b.WriteString(" =")
		}
		b.WriteString(" " + types.TypeString(obj.Type().Underlying(), qual))
	default:
		return types.ObjectString(obj, qual)
	}
	return b.String()
}
