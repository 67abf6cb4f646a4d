// Package matching defines an Analyzer that reports risk signals where
// code decides on security-relevant text by matching it by hand: a host,
// origin, URL or path checked with a prefix, suffix, substring or equality
// test, and text escaped with a hand-written replacement.
//
// Open redirects, CORS and proxy bypasses and path traversals in Go are
// often a strings.HasPrefix or HasSuffix on a host or a path that a
// lookalike passes ("example.com.evil.net", "//evil.net", "/srv/data2");
// cross-site scripting and injection bugs are often an escaper written by
// hand that misses one character. Such functions often carry no other
// signal, so these select them; they weigh little, since most such code is
// right.
package matching

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report security decisions made by matching text, and hand-written escapers, as risk signals

text-match: strings.HasPrefix, HasSuffix, Contains or EqualFold, bytes.HasPrefix, HasSuffix or
Equal, path.Match or filepath.Match, or a == or != comparison of strings, applied to a value
named as a host, hostname, domain, origin, URL, URI, redirect, referer, route, scheme, proxy,
path or directory (by its own name or a field's on the way: r.URL.Path; looking through
filepath.Clean, path.Clean and strings.ToLower, ToUpper, TrimSpace, TrimPrefix and TrimSuffix),
whose result decides an if or switch condition or is returned. A lookalike passes such a match:
a host that ends in the allowed domain without a dot before it, a redirect to "//evil.net" that
starts with "/", a path that starts with the root's name but not its directory. Matches that
respect a boundary stay quiet: a prefix ending in "/" (other than "/" alone), a suffix
beginning with "." or "/" (".go", "."+domain), a literal with no letter or digit (":", "[",
"//"). An exact match (==, !=, EqualFold, bytes.Equal) counts only against a literal with a
letter or digit (not "", an emptiness check), and only when the value's own name is a host,
hostname, domain, origin, referer, scheme or proxy: two variables compared are a lookup, and a
URL or path compared whole matches no lookalike. Reported once per function.

hand-escape: strings.NewReplacer, strings.Replace or ReplaceAll, or bytes.Replace or ReplaceAll,
that replaces an HTML, shell or SQL metacharacter (< > & " ' ` + "`" + ` \ ; | $ %) with a longer
text or with nothing; or a switch over a byte or rune with two or more such characters as case
labels whose bodies write an escape ("&lt;", a backslash). Hand-written escapers miss a
character or a context; translations that keep the length (a backslash to a slash) and newline
normalisation stay quiet. Reported once per function.

Test files are left out.`

var Analyzer = &analysis.Analyzer{
	Name:     "matching",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/matching",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Signals maps each category this pass reports to its weight (0–10, see
// CONTRACT.md).
var Signals = map[string]float64{
	"text-match":  3,
	"hand-escape": 3,
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	r := astx.NewReporter(pass)
	replacers := packageReplacers(pass)
	for cur := range insp.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		n := cur.Node()
		if strings.HasSuffix(pass.Fset.Position(n.Pos()).Filename, "_test.go") {
			continue
		}
		if fd, ok := n.(*ast.FuncDecl); ok && fd.Body == nil {
			continue
		}
		f := &function{pass: pass, r: r, fn: cur, replacers: replacers}
		astx.InspectDirect(cur, f.visit)
	}
	return nil, nil
}

// function holds what one function (without its literals) has reported:
// each category comes once per function.
type function struct {
	pass            *analysis.Pass
	r               *astx.Reporter
	fn              inspector.Cursor
	replacers       map[types.Object]escaper
	matched, escape bool
}

func (f *function) visit(c inspector.Cursor) {
	switch n := c.Node().(type) {
	case *ast.CallExpr:
		if !f.matched {
			f.matchCall(c, n)
		}
		if !f.escape {
			f.replaceCall(n)
		}
	case *ast.BinaryExpr:
		if !f.matched && (n.Op == token.EQL || n.Op == token.NEQ) {
			f.comparison(c, n)
		}
	case *ast.SwitchStmt:
		if !f.escape {
			f.escapeSwitch(n)
		}
	}
}

// A match is one kind of text test: which argument is the value, which
// the pattern, and what lets a lookalike through.
type match struct {
	value, pattern int    // argument indexes
	kind           string // "prefix", "suffix", "substring", "exact", "glob"
}

var matchFuncs = map[string]match{
	"strings.HasPrefix":   {0, 1, "prefix"},
	"strings.HasSuffix":   {0, 1, "suffix"},
	"strings.Contains":    {0, 1, "substring"},
	"strings.EqualFold":   {0, 1, "exact"},
	"bytes.HasPrefix":     {0, 1, "prefix"},
	"bytes.HasSuffix":     {0, 1, "suffix"},
	"bytes.Equal":         {0, 1, "exact"},
	"path.Match":          {1, 0, "glob"},
	"path/filepath.Match": {1, 0, "glob"},
}

// risks words what a lookalike does to each kind of match.
var risks = map[string]string{
	"prefix":    "a prefix or suffix match of a host or path can let a lookalike through",
	"suffix":    "a prefix or suffix match of a host or path can let a lookalike through",
	"substring": "a substring match of a host or path lets any text that holds it through",
	"exact":     "an exact match of a host or scheme misses an equivalent spelling (case, a trailing dot, a port) unless the value was normalised",
	"glob":      "a glob match of a host or path can match more names than meant",
}

// matchCall reports a call of a matching function on a named value whose
// result decides.
func (f *function) matchCall(c inspector.Cursor, call *ast.CallExpr) {
	fn := astx.CalleeFunc(f.pass.TypesInfo, call)
	if fn == nil || fn.Pkg() == nil || fn.Signature().Recv() != nil {
		return
	}
	m, ok := matchFuncs[fn.Pkg().Path()+"."+fn.Name()]
	if !ok || len(call.Args) != 2 {
		return
	}
	name := fn.Pkg().Name() + "." + fn.Name()
	pattern := call.Args[m.pattern]
	if m.kind == "exact" {
		f.exact(c, name, call.Args[0], call.Args[1])
		return
	}
	if f.bounded(pattern, m.kind) || !f.decides(c) {
		return
	}
	for _, e := range []ast.Expr{call.Args[m.value], pattern} {
		if f.named(e, m.kind) {
			f.report(call, name, e, m.kind)
			return
		}
	}
}

// comparison reports a == or != of strings on a named value that decides.
func (f *function) comparison(c inspector.Cursor, b *ast.BinaryExpr) {
	if !astx.IsText(f.pass.TypesInfo.TypeOf(b.X)) || !astx.IsText(f.pass.TypesInfo.TypeOf(b.Y)) {
		return
	}
	f.exact(c, b.Op.String(), b.X, b.Y)
}

// exact reports an equality test of x against a literal with a letter or
// digit in it, or the other way round: an allowlist written into the code
// ("https://app.example.com", "https"). Two variables compared are a
// lookup, and "" is an emptiness check.
func (f *function) exact(c inspector.Cursor, name string, x, y ast.Expr) {
	sx, okx := f.text(x)
	sy, oky := f.text(y)
	if okx == oky || okx && !hasAlnum(sx) || oky && !hasAlnum(sy) || !f.decides(c) {
		return
	}
	for _, e := range []ast.Expr{x, y} {
		if f.named(e, "exact") {
			f.report(c.Node(), name, e, "exact")
			return
		}
	}
}

func (f *function) report(n ast.Node, name string, e ast.Expr, kind string) {
	f.matched = true
	f.r.Report(n, "text-match", "%s decides on %s; %s", name, types.ExprString(e), risks[kind])
}

// bounded reports whether a pattern of a prefix, suffix, substring or glob
// match respects a boundary, or tests structure rather than a name: a
// prefix ending in "/" ("/api/", but not "/" alone, which "//evil.net"
// passes), a suffix starting with "." or "/" (".go", "."+domain), a
// substring with a separator at each end ("/vendor/"), a glob of an
// extension ("*.go"), a literal with no letter or digit.
func (f *function) bounded(pattern ast.Expr, kind string) bool {
	if s, ok := f.text(pattern); ok {
		switch {
		case !hasAlnum(s):
			return !(kind == "prefix" && s == "/")
		case kind == "prefix":
			return endsInSeparator(s)
		case kind == "suffix":
			return startsAtBoundary(s)
		case kind == "substring":
			return startsAtBoundary(s) && endsInSeparator(s) // "/vendor/"
		case kind == "glob":
			return strings.HasPrefix(s, "*.")
		}
		return false
	}
	if def := f.definition(pattern); def != nil {
		return f.bounded(def, kind) // prefix := base + string(filepath.Separator)
	}
	// A concatenation bounded at the end that counts: dir+"/", "."+domain.
	b, ok := ast.Unparen(pattern).(*ast.BinaryExpr)
	if !ok || b.Op != token.ADD {
		return false
	}
	switch kind {
	case "prefix":
		s, ok := f.text(b.Y)
		return ok && endsInSeparator(s)
	case "suffix":
		s, ok := f.text(b.X)
		return ok && startsAtBoundary(s)
	}
	return false
}

// endsInSeparator reports whether a prefix ends at a path segment's end.
func endsInSeparator(s string) bool { return strings.HasSuffix(s, "/") || strings.HasSuffix(s, `\`) }

// startsAtBoundary reports whether a suffix starts at a label's or a
// segment's start.
func startsAtBoundary(s string) bool {
	return strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, `\`)
}

func (f *function) text(e ast.Expr) (string, bool) { return text(f.pass.TypesInfo, e) }

// definition returns the value a local variable e was declared with by
// := in the function, or nil.
func (f *function) definition(e ast.Expr) ast.Expr {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return nil
	}
	v, ok := f.pass.TypesInfo.Uses[id].(*types.Var)
	if !ok {
		return nil
	}
	var def ast.Expr
	astx.InspectDirect(f.fn, func(c inspector.Cursor) {
		as, ok := c.Node().(*ast.AssignStmt)
		if !ok || def != nil || as.Tok != token.DEFINE || len(as.Lhs) != len(as.Rhs) {
			return
		}
		for i, l := range as.Lhs {
			if lid, ok := l.(*ast.Ident); ok && f.pass.TypesInfo.Defs[lid] == v {
				def = as.Rhs[i]
			}
		}
	})
	return def
}

// text returns the constant string e denotes, looking through []byte("…"),
// and nil as "".
func text(info *types.Info, e ast.Expr) (string, bool) {
	e = ast.Unparen(e)
	if tv, ok := info.Types[e]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
		return constant.StringVal(tv.Value), true // string(filepath.Separator) too
	}
	if call, ok := e.(*ast.CallExpr); ok && len(call.Args) == 1 {
		if tv, ok := info.Types[call.Fun]; ok && tv.IsType() {
			e = call.Args[0]
		}
	}
	if tv, ok := info.Types[e]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
		return constant.StringVal(tv.Value), true
	} else if ok && tv.IsNil() {
		return "", true // bytes.ReplaceAll(b, old, nil)
	}
	return "", false
}

func hasAlnum(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}

// decides reports whether the boolean at c decides an if or a case of a
// tagless switch, or is returned, directly or through !, && and ||, or
// through a variable that does so (ok := strings.HasPrefix(…); if ok),
// or, for a Match call, the if whose init assigns it.
func (f *function) decides(c inspector.Cursor) bool {
	c, parent := climb(c)
	switch p := parent.Node().(type) {
	case *ast.IfStmt:
		return p.Cond == c.Node()
	case *ast.CaseClause, *ast.ReturnStmt:
		return true
	case *ast.AssignStmt:
		if len(p.Rhs) != 1 {
			return false
		}
		if ifs, ok := parent.Parent().Node().(*ast.IfStmt); ok && ifs.Init == p {
			return true
		}
		if id, ok := p.Lhs[0].(*ast.Ident); ok {
			if v := f.pass.TypesInfo.ObjectOf(id); v != nil {
				return f.usedToDecide(v)
			}
		}
	}
	return false
}

// climb goes up from c through parentheses, ! and the operands of && and
// ||, and returns the last node passed and its parent.
func climb(c inspector.Cursor) (inspector.Cursor, inspector.Cursor) {
	for {
		parent := c.Parent()
		switch p := parent.Node().(type) {
		case *ast.ParenExpr:
		case *ast.UnaryExpr:
			if p.Op != token.NOT {
				return c, parent
			}
		case *ast.BinaryExpr:
			if p.Op != token.LAND && p.Op != token.LOR {
				return c, parent
			}
		default:
			return c, parent
		}
		c = parent
	}
}

// usedToDecide reports whether a use of v in the function decides an if
// or a case, or is returned.
func (f *function) usedToDecide(v types.Object) bool {
	found := false
	astx.InspectDirect(f.fn, func(c inspector.Cursor) {
		if id, ok := c.Node().(*ast.Ident); ok && !found && f.pass.TypesInfo.Uses[id] == v {
			c, parent := climb(c)
			switch p := parent.Node().(type) {
			case *ast.IfStmt:
				found = p.Cond == c.Node()
			case *ast.CaseClause, *ast.ReturnStmt:
				found = true
			}
		}
	})
	return found
}

// hostNouns name a host or an address a request goes to or comes from;
// pathNouns name a path.
var (
	hostNouns = map[string]bool{"host": true, "hosts": true, "hostname": true, "domain": true, "domains": true,
		"origin": true, "origins": true, "url": true, "urls": true, "uri": true, "redirect": true, "referer": true,
		"referrer": true, "route": true, "scheme": true, "proxy": true}
	// exactNouns are the host nouns an exact match can miss a spelling of
	// (case, a trailing dot): a URL or a path compared whole is a lookup.
	exactNouns = map[string]bool{"host": true, "hostname": true, "domain": true, "origin": true, "referer": true,
		"referrer": true, "scheme": true, "proxy": true}
	pathNouns = map[string]bool{"path": true, "paths": true, "dir": true, "dirs": true, "directory": true,
		"filepath": true, "pathname": true, "dirname": true}
)

// named reports whether e is a value whose name says it is a host, an
// origin, a URL or a path. For an exact match only the value's own name
// counts, and only a host noun: a URL or a path compared whole is a
// lookup (r.URL.Path == "/favicon.ico"), while a host compared whole can
// differ in case or a trailing dot.
func (f *function) named(e ast.Expr, kind string) bool {
	if kind == "exact" {
		return slices.ContainsFunc(leafWords(f.strip(e)), func(w string) bool { return exactNouns[w] })
	}
	words := f.words(e, nil)
	return slices.ContainsFunc(words, func(w string) bool { return hostNouns[w] || pathNouns[w] })
}

// leafWords returns the words of the last name in e: Path in r.URL.Path,
// Hostname in u.Hostname(), hosts in hosts[i].
func leafWords(e ast.Expr) []string {
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		return astx.Words(e.Name)
	case *ast.SelectorExpr:
		return astx.Words(e.Sel.Name)
	case *ast.IndexExpr:
		return leafWords(e.X)
	case *ast.CallExpr:
		if len(e.Args) == 0 {
			return leafWords(e.Fun)
		}
	}
	return nil
}

// strip returns e without the normalising calls and conversions around it.
func (f *function) strip(e ast.Expr) ast.Expr {
	info := f.pass.TypesInfo
	for {
		call, ok := ast.Unparen(e).(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return ast.Unparen(e)
		}
		if tv, ok := info.Types[call.Fun]; ok && tv.IsType() && len(call.Args) == 1 {
			e = call.Args[0]
			continue
		}
		if fn := astx.CalleeFunc(info, call); fn != nil && fn.Pkg() != nil && normalises(fn) {
			e = call.Args[0]
			continue
		}
		return call
	}
}

// words returns the words of the names e is made of, looking through
// normalising calls, conversions, indexes, field selectors and methods
// without arguments (u.Hostname(), r.URL.EscapedPath()).
func (f *function) words(e ast.Expr, acc []string) []string {
	info := f.pass.TypesInfo
	switch e := ast.Unparen(e).(type) {
	case *ast.Ident:
		if _, ok := info.Uses[e].(*types.Var); ok {
			return append(acc, astx.Words(e.Name)...)
		}
	case *ast.SelectorExpr:
		acc = append(acc, astx.Words(e.Sel.Name)...)
		if id, ok := e.X.(*ast.Ident); ok {
			if _, isPkg := info.Uses[id].(*types.PkgName); isPkg {
				return acc // a package variable
			}
		}
		return f.words(e.X, acc)
	case *ast.IndexExpr:
		return f.words(e.X, acc)
	case *ast.SliceExpr:
		return f.words(e.X, acc)
	case *ast.CallExpr:
		if tv, ok := info.Types[e.Fun]; ok && tv.IsType() && len(e.Args) == 1 {
			return f.words(e.Args[0], acc) // string(b)
		}
		fn := astx.CalleeFunc(info, e)
		if fn == nil || fn.Pkg() == nil {
			return acc
		}
		if sel, ok := ast.Unparen(e.Fun).(*ast.SelectorExpr); ok && fn.Signature().Recv() != nil && len(e.Args) == 0 {
			return f.words(sel.X, append(acc, astx.Words(fn.Name())...))
		}
		if normalises(fn) && len(e.Args) >= 1 {
			return f.words(e.Args[0], acc)
		}
	}
	return acc
}

// normalises reports whether fn returns its first argument cleaned or
// trimmed, the same value for a match.
func normalises(fn *types.Func) bool {
	switch fn.Pkg().Path() + "." + fn.Name() {
	case "path/filepath.Clean", "path.Clean", "strings.ToLower", "strings.ToUpper", "strings.TrimSpace",
		"strings.TrimSuffix", "strings.TrimPrefix", "strings.TrimRight", "strings.TrimLeft", "strings.Trim",
		"bytes.ToLower", "bytes.TrimSpace", "bytes.TrimPrefix", "bytes.TrimSuffix":
		return true
	}
	return false
}

// metachars are the characters whose escaping HTML, a shell or SQL needs;
// htmlChars the ones an HTML escaper must all replace.
const (
	metachars = "<>&\"'`\\;|$%"
	htmlChars = "<>&\"'"
)

// An escaper is a strings.NewReplacer call that escapes metacharacters.
type escaper struct {
	call    *ast.CallExpr
	escaped []rune
}

// packageReplacers returns the package variables set to an escaping
// strings.NewReplacer. Outside a function they are in no region: the
// functions that call their methods report them.
func packageReplacers(pass *analysis.Pass) map[types.Object]escaper {
	rs := make(map[types.Object]escaper)
	for _, file := range pass.Files {
		if strings.HasSuffix(pass.Fset.Position(file.Pos()).Filename, "_test.go") {
			continue
		}
		for _, decl := range file.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if len(vs.Names) != len(vs.Values) {
					continue
				}
				for i, v := range vs.Values {
					call, ok := ast.Unparen(v).(*ast.CallExpr)
					if !ok {
						continue
					}
					if name, escaped := escapes(pass.TypesInfo, call); name == "strings.NewReplacer" && len(escaped) > 0 {
						if obj := pass.TypesInfo.Defs[vs.Names[i]]; obj != nil {
							rs[obj] = escaper{call, escaped}
						}
					}
				}
			}
		}
	}
	return rs
}

// replaceCall reports a replacement of a metacharacter by a longer text or
// by nothing, or a use of a package's escaping Replacer.
func (f *function) replaceCall(call *ast.CallExpr) {
	if name, escaped := escapes(f.pass.TypesInfo, call); len(escaped) > 0 {
		f.reportEscape(call, name+" escapes %s by hand", escaped)
		return
	}
	info := f.pass.TypesInfo
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return
	}
	if fn, _ := info.Uses[sel.Sel].(*types.Func); !astx.IsMethod(fn, "strings", "Replacer", "Replace") && !astx.IsMethod(fn, "strings", "Replacer", "WriteString") {
		return
	}
	var id *ast.Ident
	switch x := ast.Unparen(sel.X).(type) {
	case *ast.Ident:
		id = x
	case *ast.SelectorExpr:
		id = x.Sel // pkg.Escaper
	}
	if id == nil {
		return
	}
	if e, ok := f.replacers[info.Uses[id]]; ok {
		what := types.ExprString(call.Fun) + " escapes %s by hand (strings.NewReplacer at line " + strconv.Itoa(f.r.Line(e.call.Pos())) + ")"
		f.reportEscape(call, what, e.escaped)
	}
}

// escapes returns the name of a replacing call (strings.NewReplacer) and
// the metacharacters it replaces by a longer text or by nothing.
func escapes(info *types.Info, call *ast.CallExpr) (string, []rune) {
	fn := astx.CalleeFunc(info, call)
	if fn == nil || fn.Pkg() == nil || fn.Signature().Recv() != nil {
		return "", nil
	}
	name := fn.Pkg().Name() + "." + fn.Name()
	var pairs []ast.Expr // old, new, old, new, …
	switch fn.Pkg().Path() + "." + fn.Name() {
	case "strings.NewReplacer":
		if call.Ellipsis.IsValid() {
			return "", nil
		}
		pairs = call.Args
	case "strings.Replace", "strings.ReplaceAll", "bytes.Replace", "bytes.ReplaceAll":
		if len(call.Args) < 3 {
			return "", nil
		}
		pairs = call.Args[1:3]
	default:
		return "", nil
	}
	var escaped []rune
	for i := 0; i+1 < len(pairs); i += 2 {
		old, ok1 := text(info, pairs[i])
		repl, ok2 := text(info, pairs[i+1])
		if !ok1 || !ok2 || len(repl) > 0 && len(repl) <= len(old) {
			continue // not constant, or a translation (\ to /)
		}
		for _, r := range old {
			if strings.ContainsRune(metachars, r) && !slices.Contains(escaped, r) {
				escaped = append(escaped, r)
			}
		}
	}
	return name, escaped
}

// escapeSwitch reports a switch over a byte or rune that writes an escape
// for two or more metacharacters.
func (f *function) escapeSwitch(s *ast.SwitchStmt) {
	info := f.pass.TypesInfo
	if s.Tag == nil {
		return
	}
	t := info.TypeOf(s.Tag)
	if t == nil {
		return
	}
	if b, ok := t.Underlying().(*types.Basic); !ok || b.Info()&types.IsInteger == 0 {
		return
	}
	var escaped []rune
	for _, stmt := range s.Body.List {
		cc := stmt.(*ast.CaseClause)
		var labels []rune
		for _, e := range cc.List {
			if tv, ok := info.Types[e]; ok && tv.Value != nil && tv.Value.Kind() == constant.Int {
				if v, exact := constant.Int64Val(tv.Value); exact && v < 128 && strings.ContainsRune(metachars, rune(v)) {
					labels = append(labels, rune(v))
				}
			}
		}
		if len(labels) > 0 && f.writesEscape(cc.Body) {
			escaped = append(escaped, labels...)
		}
	}
	if len(escaped) >= 2 {
		f.reportEscape(s, "switch on "+types.ExprString(s.Tag)+" escapes %s by hand", escaped)
	}
}

// writesEscape reports whether body writes an escape: hands a call
// (b.WriteString, append) or an assignment or a return an escape text
// ("&lt;", `\"`, "%22", "”"), or hands a Write method or append a
// backslash character. A lexer's case bodies read on instead, and its
// messages are no arguments of that kind.
func (f *function) writesEscape(body []ast.Stmt) bool {
	info := f.pass.TypesInfo
	isEscape := func(e ast.Expr, call bool) bool {
		tv := info.Types[ast.Unparen(e)]
		switch {
		case tv.Value == nil:
		case tv.Value.Kind() == constant.String:
			return escapeText(constant.StringVal(tv.Value))
		case tv.Value.Kind() == constant.Int && call:
			v, _ := constant.Int64Val(tv.Value)
			return v == '\\'
		}
		return false
	}
	found := false
	for _, s := range body {
		ast.Inspect(s, func(n ast.Node) bool {
			if found {
				return false
			}
			var operands []ast.Expr
			writer := false
			switch n := n.(type) {
			case *ast.CallExpr:
				writer = isWriter(info, n)
				if writer {
					operands = n.Args
				}
			case *ast.AssignStmt:
				operands = n.Rhs
			case *ast.ReturnStmt:
				operands = n.Results
			}
			found = slices.ContainsFunc(operands, func(e ast.Expr) bool { return isEscape(e, writer) })
			return !found
		})
	}
	return found
}

// isWriter reports whether call writes its arguments out: append, or a
// method whose name starts with Write.
func isWriter(info *types.Info, call *ast.CallExpr) bool {
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		b, ok := info.Uses[fun].(*types.Builtin)
		return ok && b.Name() == "append"
	case *ast.SelectorExpr:
		return strings.HasPrefix(fun.Sel.Name, "Write")
	}
	return false
}

// escapeText reports whether s has the shape of an escape: a backslash
// sequence, an HTML entity, a percent-encoding, or a doubled
// metacharacter.
func escapeText(s string) bool {
	switch {
	case len(s) < 2:
		return false
	case strings.Contains(s, `\`):
		return true
	case s[0] == '&' && s[len(s)-1] == ';', s[0] == '%' && len(s) == 3:
		return true
	}
	return len(s) == 2 && s[0] == s[1] && strings.IndexByte(metachars, s[0]) >= 0
}

// reportEscape reports an escaper; what holds a %s for the characters.
func (f *function) reportEscape(n ast.Node, what string, escaped []rune) {
	f.escape = true
	msg := what + "; a hand-written escaper that misses a character or a context lets markup or a command through"
	var missing []string
	if strings.ContainsAny(string(escaped), "<>") {
		for _, r := range htmlChars {
			if !slices.Contains(escaped, r) {
				missing = append(missing, string(r))
			}
		}
	}
	args := []any{quoteAll(escaped)}
	if len(missing) > 0 {
		msg += " (here %s are not escaped)"
		args = append(args, strings.Join(missing, " "))
	}
	f.r.Report(n, "hand-escape", msg, args...)
}

func quoteAll(rs []rune) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = string(r)
	}
	return strings.Join(parts, " ")
}
