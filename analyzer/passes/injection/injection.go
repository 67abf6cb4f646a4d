// Package injection defines an Analyzer that reports risk signals where input reaches commands,
// SQL, file paths or HTML, and where TLS, randomness or hashing are configured weakly.
package injection

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"path"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report injection-prone calls and weak crypto settings as risk signals

"Input" is a value derived, through assignments in the function, from an *http.Request, os.Args,
os.Getenv, a value decoded by Unmarshal/Decode ("external"), or from a parameter. Numbers and
filepath.Base results carry no taint.

exec-shell: exec.Command or CommandContext running sh, bash, cmd or powershell with -c (/c,
-Command) and a non-constant script.

exec-name-input: exec.Command whose program name comes from external input.

exec-name-param: exec.Command whose program name is a parameter; wrappers do this legitimately.

sql-built: a Query, Exec, QueryRow, Prepare, Get or Select method (with or without Context) of a
type from a package whose path contains "sql" or "pgx", whose query string is built with +,
fmt.Sprintf or a strings.Builder from non-constant strings. Integers, strconv.Itoa results,
strings.Join/Repeat (placeholder lists) and variables holding only constants are fine.

path-traversal: filepath.Join, path.Join, os.Open, os.ReadFile, os.Create, http.ServeFile and the
like with a component from an *http.Request, in a function that never calls filepath.IsLocal,
filepath.Rel or filepath.Localize, nor Clean together with strings.HasPrefix. Once per function.

join-param: filepath.Join or path.Join, in an exported function, of a string parameter after the
first component (filepath.Join(dir, name)), in a function that neither guards paths as above nor
looks into text for a separator (strings.Contains, ContainsAny, HasPrefix, IndexByte, filepath.Base,
IsAbs). The caller's name may climb out of dir with "..". Once per function, and not where
path-traversal is reported.

file-nonconst: an os file call (Open, ReadFile, Create, Remove, ...) with a non-constant path.

template-unescaped: a conversion to html/template.HTML, JS, URL, CSS, HTMLAttr, JSStr or Srcset of a
non-constant string, which bypasses escaping.

html-built: HTML markup built with + or fmt.Sprintf/Fprintf/Printf: a constant piece holds a tag
("<p>", "</a>", "<a href=") and another piece is a non-constant string that no escaper (a
function whose name says escape or quote) has been through. Data written into markup by hand is
cross-site scripting unless every piece is escaped; html/template does it. Once per function.

tls-insecure: tls.Config with InsecureSkipVerify set to true and no VerifyPeerCertificate or
VerifyConnection.

tls-old-version: tls.Config MinVersion set below TLS 1.2.

weak-rand: math/rand used in a function, or assigned to a variable, whose name says token,
secret, key, password, nonce or salt.

weak-hash: crypto/md5 or crypto/sha1 used.`

var Analyzer = &analysis.Analyzer{
	Name:     "injection",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/injection",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Signals maps each category this pass reports to its weight (0–10, see CONTRACT.md).
var Signals = map[string]float64{
	"exec-shell":         8,
	"exec-name-input":    8,
	"exec-name-param":    4,
	"sql-built":          8,
	"path-traversal":     7,
	"file-nonconst":      1,
	"join-param":         2,
	"template-unescaped": 6,
	"html-built":         3,
	"tls-insecure":       7,
	"tls-old-version":    4,
	"weak-rand":          6,
	"weak-hash":          3,
}

var (
	sqlMethods = set("Query", "QueryContext", "QueryRow", "QueryRowContext", "Exec", "ExecContext", "Prepare",
		"PrepareContext", "Queryx", "QueryxContext", "QueryRowx", "QueryRowxContext", "Get", "GetContext",
		"Select", "SelectContext", "MustExec", "MustExecContext")
	fileFuncs = set("os.Open", "os.OpenFile", "os.ReadFile", "os.Create", "os.WriteFile", "os.Remove",
		"os.RemoveAll", "os.Mkdir", "os.MkdirAll", "os.ReadDir", "os.Chmod")
	shells       = set("sh", "bash", "zsh", "dash", "ksh", "cmd", "cmd.exe", "powershell", "pwsh")
	secretWords  = []string{"token", "secret", "key", "password", "passwd", "nonce", "salt"}
	templateType = set("HTML", "HTMLAttr", "JS", "JSStr", "URL", "CSS", "Srcset")
)

func set(xs ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	seen := map[[3]string]bool{}
	insp.Nodes([]ast.Node{(*ast.FuncDecl)(nil), (*ast.FuncLit)(nil), (*ast.GenDecl)(nil)}, func(n ast.Node, push bool) bool {
		f := &funcInfo{pass: pass, info: pass.TypesInfo, seen: seen, taint: map[types.Object]string{}, rhs: map[types.Object][]ast.Expr{}}
		if fd, ok := n.(*ast.FuncDecl); ok {
			f.name = fd.Name.Name
		}
		f.collect(n)
		ast.Inspect(n, f.check)
		return false
	})
	return nil, nil
}

// funcInfo holds what one top-level declaration (with its closures) does.
type funcInfo struct {
	pass    *analysis.Pass
	info    *types.Info
	seen    map[[3]string]bool
	name    string
	taint   map[types.Object]string     // "request", "external" or "param"
	rhs     map[types.Object][]ast.Expr // every value assigned to a variable (for q += x: x)
	calls   map[string]bool             // functions called, by funcName
	addRHS  map[ast.Expr]bool           // r in q += r
	writes  []write                     // b.WriteString(x), fmt.Fprintf(&b, ..., x)
	guarded bool                        // path checks present
	path    bool                        // path-traversal reported
	joined  bool                        // join-param reported
	html    bool                        // html-built reported
}

type write struct {
	to  string // the builder, as written
	arg ast.Expr
}

func (f *funcInfo) report(n ast.Node, cat, format string, args ...any) {
	p := f.pass.Fset.Position(n.Pos())
	if k := [3]string{p.Filename, fmt.Sprint(p.Line), cat}; !f.seen[k] {
		f.seen[k] = true
		f.pass.Report(analysis.Diagnostic{Pos: n.Pos(), End: n.End(), Category: cat, Message: fmt.Sprintf(format, args...)})
	}
}

func (f *funcInfo) collect(root ast.Node) {
	f.calls, f.addRHS = map[string]bool{}, map[ast.Expr]bool{}
	ast.Inspect(root, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncType:
			if n.Params != nil {
				for _, fld := range n.Params.List {
					for _, id := range fld.Names {
						f.taint[f.info.Defs[id]] = "param"
					}
				}
			}
		case *ast.AssignStmt:
			if n.Tok == token.ADD_ASSIGN && len(n.Rhs) == 1 {
				f.addRHS[n.Rhs[0]] = true
			}
			for i, l := range n.Lhs {
				if len(n.Rhs) == len(n.Lhs) {
					f.assign(l, n.Rhs[i])
				} else if len(n.Rhs) == 1 {
					f.assign(l, n.Rhs[0])
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if len(n.Values) == len(n.Names) {
					f.assign(id, n.Values[i])
				}
			}
		case *ast.RangeStmt:
			for _, l := range []ast.Expr{n.Key, n.Value} {
				if l != nil {
					f.assign(l, n.X)
				}
			}
		case *ast.CallExpr:
			name := funcName(f.info, n)
			f.calls[name] = true
			switch name {
			case "strings.Builder.WriteString", "bytes.Buffer.WriteString", "strings.Builder.Write", "bytes.Buffer.Write":
				if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok && len(n.Args) == 1 {
					f.writes = append(f.writes, write{types.ExprString(sel.X), n.Args[0]})
				}
			case "fmt.Fprintf", "fmt.Fprint":
				for _, a := range n.Args[1:] {
					f.writes = append(f.writes, write{strings.TrimPrefix(types.ExprString(n.Args[0]), "&"), a})
				}
			}
			if strings.HasSuffix(name, ".Unmarshal") || strings.HasSuffix(name, ".Decode") {
				for _, a := range n.Args {
					if u, ok := a.(*ast.UnaryExpr); ok && u.Op == token.AND {
						if id, ok := u.X.(*ast.Ident); ok {
							f.taint[f.info.ObjectOf(id)] = "external"
						}
					}
				}
			}
		}
		return true
	})
	c := f.calls
	f.guarded = c["path/filepath.IsLocal"] || c["path/filepath.Rel"] || c["path/filepath.Localize"] ||
		(c["path/filepath.Clean"] || c["path.Clean"]) && c["strings.HasPrefix"]
}

func (f *funcInfo) assign(l, r ast.Expr) {
	id, ok := l.(*ast.Ident)
	o := f.info.ObjectOf(id)
	if !ok || o == nil {
		return
	}
	f.rhs[o] = append(f.rhs[o], r)
	if t := f.taintOf(r); rank(t) > rank(f.taint[o]) {
		f.taint[o] = t
	}
}

func rank(t string) int {
	switch t {
	case "request":
		return 3
	case "external":
		return 2
	case "param":
		return 1
	}
	return 0
}

// taintOf returns the strongest input kind e derives from, or "".
func (f *funcInfo) taintOf(e ast.Expr) (best string) {
	ast.Inspect(e, func(n ast.Node) bool {
		t := ""
		switch n := n.(type) {
		case *ast.CallExpr:
			switch funcName(f.info, n) {
			case "os.Getenv", "os.LookupEnv":
				t = "external"
			case "path/filepath.Base", "path.Base", "strconv.Atoi", "strconv.ParseInt", "strconv.ParseUint":
				return false // the result cannot climb out of a directory
			}
		case *ast.SelectorExpr:
			if v, ok := f.info.Uses[n.Sel].(*types.Var); ok && v.Pkg() != nil && v.Pkg().Path() == "os" && v.Name() == "Args" {
				t = "external"
			}
		case *ast.Ident:
			o := f.info.Uses[n]
			if o == nil || isNumeric(o.Type()) {
				break
			}
			t = f.taint[o]
			if isNamed(o.Type(), "net/http", "Request") {
				t = "request"
			}
		}
		if rank(t) > rank(best) {
			best = t
		}
		return true
	})
	return best
}

func (f *funcInfo) check(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.BinaryExpr:
		f.htmlConcat(n)
	case *ast.CallExpr:
		f.call(n)
		f.htmlFormat(n)
	case *ast.CompositeLit:
		if isNamed(f.info.TypeOf(n), "crypto/tls", "Config") {
			keys := map[string]ast.Expr{}
			for _, elt := range n.Elts {
				if kv, ok := elt.(*ast.KeyValueExpr); ok {
					if id, ok := kv.Key.(*ast.Ident); ok {
						keys[id.Name] = kv.Value
					}
				}
			}
			if keys["VerifyPeerCertificate"] == nil && keys["VerifyConnection"] == nil {
				f.tls("InsecureSkipVerify", keys["InsecureSkipVerify"])
			}
			f.tls("MinVersion", keys["MinVersion"])
		}
	case *ast.AssignStmt:
		for i, l := range n.Lhs {
			if sel, ok := l.(*ast.SelectorExpr); ok && len(n.Lhs) == len(n.Rhs) && isNamed(f.info.TypeOf(sel.X), "crypto/tls", "Config") {
				f.tls(sel.Sel.Name, n.Rhs[i])
			}
		}
	}
	return true
}

func (f *funcInfo) tls(field string, v ast.Expr) {
	if v == nil {
		return
	}
	c := f.info.Types[v].Value
	switch {
	case field == "InsecureSkipVerify" && c != nil && constant.BoolVal(c):
		f.report(v, "tls-insecure", "InsecureSkipVerify: true disables certificate checks with no VerifyPeerCertificate")
	case field == "MinVersion" && c != nil && c.Kind() == constant.Int:
		if ver, _ := constant.Int64Val(c); ver < 0x0303 {
			f.report(v, "tls-old-version", "MinVersion %s allows TLS versions below 1.2", types.ExprString(v))
		}
	}
}

func (f *funcInfo) call(call *ast.CallExpr) {
	name := funcName(f.info, call)
	switch {
	case name == "os/exec.Command" || name == "os/exec.CommandContext":
		f.exec(call, name)
	case strings.HasPrefix(name, "crypto/md5.") || strings.HasPrefix(name, "crypto/sha1."):
		f.report(call, "weak-hash", "%s uses a broken hash; use crypto/sha256 where security matters", strings.TrimPrefix(name, "crypto/"))
	case strings.HasPrefix(name, "math/rand.") || strings.HasPrefix(name, "math/rand/v2."):
		if word := f.secretContext(call); word != "" {
			f.report(call, "weak-rand", "%s is predictable but makes a %s; use crypto/rand", types.ExprString(call.Fun), word)
		}
	case name == "path/filepath.Join" || name == "path.Join" || name == "net/http.ServeFile" || fileFuncs[name]:
		f.file(call, name)
	}
	if fn, ok := typeutil.Callee(f.info, call).(*types.Func); ok && sqlMethods[fn.Name()] && fn.Signature().Recv() != nil {
		if p := fn.Pkg(); p != nil && (strings.Contains(p.Path(), "sql") || strings.Contains(p.Path(), "pgx")) {
			f.sql(call, fn)
		}
	}
	if tv := f.info.Types[call.Fun]; tv.IsType() && len(call.Args) == 1 && f.info.Types[call.Args[0]].Value == nil {
		if named, ok := types.Unalias(tv.Type).(*types.Named); ok && named.Obj().Pkg() != nil &&
			named.Obj().Pkg().Path() == "html/template" && templateType[named.Obj().Name()] && !f.escaped(call.Args[0]) {
			f.report(call, "template-unescaped", "template.%s(%s) marks a non-constant string as safe; it is not escaped",
				named.Obj().Name(), types.ExprString(call.Args[0]))
		}
	}
}

// htmlTag matches the start of an HTML tag in a piece of text.
var htmlTag = regexp.MustCompile(`<(/?[a-zA-Z][a-zA-Z0-9]*)(\s|>|/>)`)

// htmlElements are the HTML elements whose tags mark text as markup (not
// "<T>" or "<nil>").
var htmlElements = set("a", "abbr", "b", "blockquote", "body", "br", "button", "caption", "code", "dd", "div", "dl", "dt",
	"em", "font", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "i", "iframe",
	"img", "input", "label", "li", "link", "meta", "nav", "ol", "option", "p", "pre", "script", "section", "select",
	"small", "span", "strong", "style", "sub", "sup", "svg", "table", "tbody", "td", "textarea", "th", "thead",
	"title", "tr", "tt", "u", "ul")

// htmlConcat reports markup built with +: "<p>" + s + "</p>".
func (f *funcInfo) htmlConcat(e *ast.BinaryExpr) {
	if f.html || e.Op != token.ADD || !isString(f.info.TypeOf(e)) {
		return
	}
	var parts []ast.Expr
	var flatten func(ast.Expr)
	flatten = func(x ast.Expr) {
		if b, ok := ast.Unparen(x).(*ast.BinaryExpr); ok && b.Op == token.ADD {
			flatten(b.X)
			flatten(b.Y)
			return
		}
		parts = append(parts, x)
	}
	flatten(e)
	f.htmlParts(e, "+", parts, parts)
}

// htmlFormat reports markup built by a fmt call: fmt.Fprintf(w, "<b>%s</b>", name).
func (f *funcInfo) htmlFormat(call *ast.CallExpr) {
	if f.html {
		return
	}
	name := funcName(f.info, call)
	i := 0
	switch name {
	case "fmt.Sprintf", "fmt.Printf":
	case "fmt.Fprintf":
		i = 1
	default:
		return
	}
	if len(call.Args) <= i+1 {
		return
	}
	f.htmlParts(call, name, call.Args[i:i+1], call.Args[i+1:])
}

// htmlParts reports n when a constant of consts holds a tag and a piece of
// data is unescaped text.
func (f *funcInfo) htmlParts(n ast.Node, how string, consts, data []ast.Expr) {
	tag := ""
consts:
	for _, c := range consts {
		if v := f.info.Types[c].Value; v != nil && v.Kind() == constant.String {
			for _, m := range htmlTag.FindAllStringSubmatch(constant.StringVal(v), -1) {
				if htmlElements[strings.ToLower(strings.TrimPrefix(m[1], "/"))] {
					tag = strings.TrimSpace(m[0])
					break consts
				}
			}
		}
	}
	if tag == "" {
		return
	}
	for _, d := range data {
		if !isString(f.info.TypeOf(d)) || f.info.Types[d].Value != nil || f.escapedByName(d) || !f.unsafePart(d) {
			continue
		}
		f.html = true
		f.report(n, "html-built", "markup %s is built with %s from %s, which nothing escapes", tag, how, types.ExprString(d))
		return
	}
}

// escapedByName reports whether e is the result of a call whose name says
// it escapes or quotes: html.EscapeString(s), escapeHTML(s), strconv.Quote(s).
func (f *funcInfo) escapedByName(e ast.Expr) bool {
	c, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return false
	}
	var name string
	switch fun := ast.Unparen(c.Fun).(type) {
	case *ast.Ident:
		name = fun.Name
	case *ast.SelectorExpr:
		name = fun.Sel.Name
	}
	name = strings.ToLower(name)
	return strings.Contains(name, "escape") || strings.Contains(name, "quote") || strings.Contains(name, "sanitiz")
}

func isString(t types.Type) bool {
	if t == nil {
		return false
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

func (f *funcInfo) escaped(e ast.Expr) bool {
	c, ok := ast.Unparen(e).(*ast.CallExpr)
	name := ""
	if ok {
		name = funcName(f.info, c)
	}
	return strings.HasPrefix(name, "html.Escape") || strings.HasPrefix(name, "html/template.") && strings.Contains(name, "Escape")
}

func (f *funcInfo) exec(call *ast.CallExpr, name string) {
	args := call.Args
	if name == "os/exec.CommandContext" && len(args) > 0 {
		args = args[1:]
	}
	if len(args) == 0 {
		return
	}
	if prog := f.info.Types[args[0]].Value; prog != nil && prog.Kind() == constant.String {
		if !shells[path.Base(constant.StringVal(prog))] || call.Ellipsis.IsValid() {
			return
		}
		for i := 1; i+1 < len(args); i++ {
			flag := f.info.Types[args[i]].Value
			if flag != nil && flag.Kind() == constant.String && set("-c", "-lc", "/c", "/C", "-Command")[constant.StringVal(flag)] &&
				f.info.Types[args[i+1]].Value == nil {
				f.report(call, "exec-shell", "%s runs a shell script built from %s; quoting bugs become command injection",
					constant.StringVal(prog), types.ExprString(args[i+1]))
				return
			}
		}
		return
	}
	switch f.taintOf(args[0]) {
	case "request", "external":
		f.report(call, "exec-name-input", "exec runs program %s taken from input", types.ExprString(args[0]))
	case "param":
		f.report(call, "exec-name-param", "exec runs program %s passed in by the caller", types.ExprString(args[0]))
	}
}

func (f *funcInfo) file(call *ast.CallExpr, name string) {
	args := call.Args
	if name == "net/http.ServeFile" && len(args) == 3 {
		args = args[2:]
	} else if name != "path/filepath.Join" && name != "path.Join" && len(args) > 0 {
		args = args[:1]
	}
	for _, a := range args {
		if f.taintOf(a) == "request" && !f.guarded && !f.path {
			f.path = true
			f.report(call, "path-traversal", "%s uses %s from the request with no Clean+prefix, IsLocal or Rel check; \"..\" escapes the directory",
				shortName(name), types.ExprString(a))
			return
		}
	}
	if (name == "path/filepath.Join" || name == "path.Join") && ast.IsExported(f.name) && !f.guarded && !f.path && !f.joined && !f.nameChecked() {
		for _, a := range args[1:] {
			if id, ok := ast.Unparen(a).(*ast.Ident); ok && f.taint[f.info.Uses[id]] == "param" && isString(f.info.TypeOf(id)) {
				f.joined = true
				f.report(call, "join-param", "%s joins %s, passed in by the caller of %s, under %s with no check for \"..\" or a separator",
					shortName(name), id.Name, f.name, types.ExprString(args[0]))
				return
			}
		}
	}
	if fileFuncs[name] && len(args) > 0 && f.info.Types[args[0]].Value == nil {
		f.report(call, "file-nonconst", "%s opens a path computed at run time: %s", shortName(name), types.ExprString(args[0]))
	}
}

// nameChecked reports whether the function looks into text for a
// separator or "..": a name it joins under a directory may be checked.
func (f *funcInfo) nameChecked() bool {
	for _, n := range []string{"strings.Contains", "strings.ContainsAny", "strings.ContainsRune", "strings.IndexByte",
		"strings.IndexAny", "strings.HasPrefix", "path/filepath.Base", "path.Base", "path/filepath.IsAbs", "path.IsAbs"} {
		if f.calls[n] {
			return true
		}
	}
	return false
}

func (f *funcInfo) sql(call *ast.CallExpr, fn *types.Func) {
	for _, a := range call.Args {
		if b, ok := typeOf(f.info, a).Underlying().(*types.Basic); ok && b.Info()&types.IsString != 0 {
			if how := f.built(a, true); how != "" {
				f.report(call, "sql-built", "%s query is built with %s from non-constant data; use placeholders", fn.Name(), how)
			}
			return
		}
	}
}

// built says how e was built from non-constant strings ("+", "fmt.Sprintf", "a strings.Builder"),
// or "" when it is constant or only safe pieces. follow allows one step through a variable.
func (f *funcInfo) built(e ast.Expr, follow bool) string {
	e = ast.Unparen(e)
	if f.info.Types[e].Value != nil {
		return ""
	}
	switch e := e.(type) {
	case *ast.BinaryExpr:
		if e.Op == token.ADD && (f.unsafePart(e.X) || f.unsafePart(e.Y)) {
			return "+"
		}
		if f.built(e.X, follow) != "" || f.built(e.Y, follow) != "" {
			return "+"
		}
	case *ast.CallExpr:
		name := funcName(f.info, e)
		if name == "fmt.Sprintf" && len(e.Args) > 1 {
			for _, a := range e.Args[1:] {
				if f.unsafePart(a) {
					return "fmt.Sprintf"
				}
			}
		}
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok && (name == "strings.Builder.String" || name == "bytes.Buffer.String") {
			for _, w := range f.writes {
				if w.to == types.ExprString(sel.X) && f.unsafePart(w.arg) {
					return "a " + strings.TrimSuffix(name, ".String")
				}
			}
		}
	case *ast.Ident:
		if !follow {
			return ""
		}
		for _, r := range f.rhs[f.info.ObjectOf(e)] {
			if how := f.built(r, false); how != "" {
				return how
			}
			if f.addRHS[r] && f.unsafePart(r) {
				return "+="
			}
		}
	}
	return ""
}

// unsafePart reports whether a piece of a query is non-constant text: not a number, not a
// strconv result or strings.Join/Repeat (placeholder lists), not a strings function or
// fmt.Sprintf of safe pieces, not a variable holding only such pieces.
func (f *funcInfo) unsafePart(e ast.Expr) bool { return f.unsafeDepth(e, 2) }

func (f *funcInfo) unsafeDepth(e ast.Expr, depth int) bool {
	e = ast.Unparen(e)
	tv := f.info.Types[e]
	if tv.Value != nil || tv.Type == nil || isNumeric(tv.Type) {
		return false
	}
	switch e := e.(type) {
	case *ast.CallExpr:
		name := funcName(f.info, e)
		if strings.HasPrefix(name, "strconv.") || name == "strings.Join" || name == "strings.Repeat" {
			return false
		}
		if !strings.HasPrefix(name, "strings.") && name != "fmt.Sprintf" && name != "fmt.Sprint" {
			return true
		}
		for _, a := range e.Args {
			if f.unsafeDepth(a, depth) {
				return true
			}
		}
		return false
	case *ast.BinaryExpr:
		return f.unsafeDepth(e.X, depth) || f.unsafeDepth(e.Y, depth)
	case *ast.Ident:
		o := f.info.ObjectOf(e)
		if len(f.rhs[o]) == 0 || depth == 0 { // parameters, decoded values, globals
			return true
		}
		for _, r := range f.rhs[o] {
			if f.unsafeDepth(r, depth-1) {
				return true
			}
		}
		return false
	}
	return true
}

// secretContext returns the secret-sounding word in the enclosing function's name or in the
// variable the call's result is assigned to.
func (f *funcInfo) secretContext(call *ast.CallExpr) string {
	var names []string
	for o, rs := range f.rhs {
		for _, r := range rs {
			if r.Pos() <= call.Pos() && call.End() <= r.End() {
				names = append(names, o.Name())
			}
		}
	}
	slices.Sort(names) // map order must not pick the word
	names = append([]string{f.name}, names...)
	for _, n := range names {
		for _, w := range secretWords {
			if strings.Contains(strings.ToLower(n), w) {
				return w
			}
		}
	}
	return ""
}

func shortName(name string) string {
	return strings.TrimPrefix(strings.TrimPrefix(name, "path/"), "net/")
}

func typeOf(info *types.Info, e ast.Expr) types.Type {
	if t := info.TypeOf(e); t != nil {
		return t
	}
	return types.Typ[types.Invalid]
}

func isNumeric(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&(types.IsNumeric|types.IsBoolean) != 0
}

func isNamed(t types.Type, pkg, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg && n.Obj().Name() == name
}

// funcName returns "pkg/path.Func" or "pkg/path.Type.Method" for a static call, else "".
func funcName(info *types.Info, call *ast.CallExpr) string {
	fn, ok := typeutil.Callee(info, call).(*types.Func)
	if !ok || fn.Pkg() == nil {
		return ""
	}
	if recv := fn.Signature().Recv(); recv != nil {
		t := recv.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if named, ok := types.Unalias(t).(*types.Named); ok {
			return fn.Pkg().Path() + "." + named.Obj().Name() + "." + fn.Name()
		}
		return ""
	}
	return fn.Pkg().Path() + "." + fn.Name()
}
