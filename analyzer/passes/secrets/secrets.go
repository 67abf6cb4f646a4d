// Package secrets defines an Analyzer that reports risk signals where a
// secret may be written out: a password, token or key handed to a log or
// format call, a struct holding one printed whole, or a String method that
// puts one in its text.
//
// A secret in a log line, an error message or a debug dump is readable by
// everyone who reads those (CWE-532). The code shows it only by names; the
// signals select the function for a closer look, and the names say where
// to look.
package secrets

import (
	"go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report secrets written to logs and formatted text as risk signals

secret-output: a value named as a secret (password, passphrase, secret, token, API key,
private key, credential, bearer), of a string or byte slice type, handed to a log call
(log, log/slog, and the methods of logger types) or a fmt print or format call; a struct
with such a field, and no String or Format method of its own, printed whole by one; or a
String, GoString or Error method that puts such a field in its text. Names that say the
value only refers to a secret (secretName, tokenURL, passwordFile) are left out.

header-dump: a loop over headers or metadata (a map[string][]string: http.Header, url.Values,
gRPC's metadata.MD) that writes each value into text, with a log, fmt or builder call or +=,
and never looks at the key first: the Authorization and Cookie values go out with the rest.
A loop whose body tests the key (to skip or redact one) is left out. Once per loop.

Test files are left out.`

var Analyzer = &analysis.Analyzer{
	Name:     "secrets",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/secrets",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Signals maps each category this pass reports to its weight (0–10, see
// CONTRACT.md).
var Signals = map[string]float64{
	"secret-output": 3,
	"header-dump":   3,
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	r := astx.NewReporter(pass)
	for cur := range insp.Root().Preorder((*ast.CallExpr)(nil), (*ast.FuncDecl)(nil), (*ast.RangeStmt)(nil)) {
		if strings.HasSuffix(pass.Fset.Position(cur.Node().Pos()).Filename, "_test.go") {
			continue
		}
		switch n := cur.Node().(type) {
		case *ast.CallExpr:
			outputCall(pass, r, n)
		case *ast.FuncDecl:
			stringMethod(pass, r, n)
		case *ast.RangeStmt:
			headerDump(pass, r, n)
		}
	}
	return nil, nil
}

// outputCall reports a secret among the arguments of a log or format call.
func outputCall(pass *analysis.Pass, r *astx.Reporter, call *ast.CallExpr) {
	info := pass.TypesInfo
	what := writer(astx.CalleeFunc(info, call))
	if what == "" {
		return
	}
	for _, arg := range call.Args {
		arg = ast.Unparen(arg)
		if name := secretName(arg); name != "" && textual(info.TypeOf(arg)) {
			r.Report(arg, "secret-output", "%s %s %s, which its name says is a secret (%s)", types.ExprString(call.Fun), what, types.ExprString(arg), name)
			return
		}
		t := info.TypeOf(arg)
		if st, field := secretField(t); st != nil && !formatsItself(t) {
			r.Report(arg, "secret-output", "%s %s %s whole, and its type %s has the secret field %s and no String method to hide it",
				types.ExprString(call.Fun), what, types.ExprString(arg), types.TypeString(t, types.RelativeTo(pass.Pkg)), field)
			return
		}
	}
}

// stringMethod reports a String, GoString or Error method that puts a
// secret field of its receiver in its text.
func stringMethod(pass *analysis.Pass, r *astx.Reporter, fd *ast.FuncDecl) {
	if fd.Recv == nil || fd.Body == nil || len(fd.Recv.List) != 1 {
		return
	}
	switch fd.Name.Name {
	case "String", "GoString", "Error":
	default:
		return
	}
	info := pass.TypesInfo
	fn, _ := info.Defs[fd.Name].(*types.Func)
	if fn == nil {
		return
	}
	sig := fn.Signature()
	if sig.Params().Len() != 0 || sig.Results().Len() != 1 || !types.Identical(sig.Results().At(0).Type(), types.Typ[types.String]) {
		return
	}
	recv := sig.Recv()
	reported := false
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if reported || !ok {
			return !reported
		}
		id, ok := ast.Unparen(sel.X).(*ast.Ident)
		if !ok || info.Uses[id] != recv {
			return true
		}
		v, ok := info.Uses[sel.Sel].(*types.Var)
		if !ok || !v.IsField() || secretWord(v.Name()) == "" || !textual(v.Type()) || !inText(info, fd.Body, sel) {
			return true
		}
		r.Report(fd.Name, "secret-output", "%s puts the secret field %s in its text", fd.Name.Name, types.ExprString(sel))
		reported = true
		return false
	})
}

// inText reports whether the field read sel becomes part of the method's
// text: an argument of a call (fmt.Sprintf, strings.Join, a Builder's
// write) or an operand of a string concatenation, not a comparison (an
// "if c.Password != "" { … "***" }" hides it).
func inText(info *types.Info, body *ast.BlockStmt, sel *ast.SelectorExpr) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if found {
			return false
		}
		switch n := n.(type) {
		case *ast.CallExpr:
			if slices.ContainsFunc(n.Args, func(a ast.Expr) bool { return ast.Unparen(a) == sel }) {
				if tv, ok := info.Types[n.Fun]; !ok || !tv.IsType() || !isString(tv.Type) {
					found = true // a conversion to string is a read, not the text
				}
			}
		case *ast.BinaryExpr:
			if n.Op.String() == "+" && (ast.Unparen(n.X) == sel || ast.Unparen(n.Y) == sel) {
				found = true
			}
		case *ast.ReturnStmt:
			if len(n.Results) == 1 && ast.Unparen(n.Results[0]) == sel {
				found = true
			}
		}
		return true
	})
	return found
}

// writer returns what a call to fn does with its arguments ("logs",
// "formats", "prints"), or "" when it writes them nowhere.
func writer(fn *types.Func) string {
	if fn == nil || fn.Pkg() == nil {
		return ""
	}
	path, name := fn.Pkg().Path(), fn.Name()
	switch {
	case path == "fmt" && (strings.HasPrefix(name, "Sprint") || strings.HasPrefix(name, "Append") || name == "Errorf"):
		return "formats"
	case path == "fmt" && (strings.HasPrefix(name, "Print") || strings.HasPrefix(name, "Fprint")):
		return "prints"
	case path == "log" || path == "log/slog":
		return "logs"
	}
	if sig := fn.Signature(); sig.Recv() != nil && loggerMethod(name) {
		if n := astx.NamedOf(sig.Recv().Type()); n != nil && slices.ContainsFunc(astx.Words(n.Obj().Name()), isLogWord) {
			return "logs" // (*zap.SugaredLogger).Infow, (logrus.Entry).Errorf, a program's own Logger
		}
		if isLogPath(fn.Pkg().Path()) {
			return "logs"
		}
	}
	return ""
}

// loggerMethod reports whether a method of this name writes a log line.
func loggerMethod(name string) bool {
	for _, p := range []string{"Debug", "Info", "Warn", "Error", "Trace", "Print", "Fatal", "Panic", "Log", "Notice"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func isLogWord(w string) bool {
	return w == "log" || w == "logger" || w == "logging"
}

// isLogPath reports whether a package path names a logging library
// (go.uber.org/zap, github.com/sirupsen/logrus, github.com/rs/zerolog,
// k8s.io/klog).
func isLogPath(path string) bool {
	last := path[strings.LastIndex(path, "/")+1:]
	last = strings.TrimRight(last, "v0123456789")
	return strings.Contains(last, "log") || last == "zap"
}

// secretWords are the name words that say a value is a secret.
var secretWords = []string{"password", "passwd", "passphrase", "secret", "token", "apikey", "credential", "credentials", "bearer", "privatekey"}

// referenceWords say that a name, though it has a secret word, names
// something that refers to the secret or describes it, not the secret.
var referenceWords = []string{
	"name", "names", "file", "filename", "path", "dir", "url", "uri", "endpoint", "id", "ids",
	"type", "kind", "count", "len", "length", "size", "env", "var", "flag", "field", "header",
	"prefix", "suffix", "format", "pattern", "regex", "expiry", "expires", "expiration", "ttl",
	"source", "provider", "ref", "set", "required", "enabled", "hash", "hashed",
}

// secretWord returns the word of name that says it is a secret, or "".
func secretWord(name string) string {
	ws := astx.Words(name)
	// Two-word secrets: api key, private key, secret key, access token.
	for i := 0; i+1 < len(ws); i++ {
		if (ws[i] == "api" || ws[i] == "private") && ws[i+1] == "key" {
			ws[i], ws[i+1] = ws[i]+"key", ""
		}
	}
	found := ""
	for i, w := range ws {
		if slices.Contains(secretWords, w) {
			found = w
			// What follows the secret word decides: "secretName" names a
			// secret, "tokenSecret" is one.
			if i+1 < len(ws) && slices.Contains(referenceWords, ws[i+1]) && !slices.ContainsFunc(ws[i+1:], func(w string) bool { return slices.Contains(secretWords, w) }) {
				return ""
			}
		}
	}
	return found
}

// secretName returns the secret word of an identifier or of a selector's
// last name, or "".
func secretName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return secretWord(e.Name)
	case *ast.SelectorExpr:
		return secretWord(e.Sel.Name)
	case *ast.StarExpr:
		return secretName(ast.Unparen(e.X))
	}
	return ""
}

// textual reports whether t prints as its content: a string or a byte
// slice, or a pointer to one.
func textual(t types.Type) bool {
	if t == nil {
		return false
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	return astx.IsText(t)
}

func isString(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

// secretField returns the struct type of t (or *t) and the name of a field
// of it that holds a secret as text, or nil.
func secretField(t types.Type) (*types.Struct, string) {
	if t == nil {
		return nil, ""
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return nil, ""
	}
	for f := range st.Fields() {
		if secretWord(f.Name()) != "" && textual(f.Type()) {
			return st, f.Name()
		}
	}
	return nil, ""
}

// formatsItself reports whether t or *t has a method that decides how fmt
// prints it: String, GoString, Format or Error.
func formatsItself(t types.Type) bool {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	ms := types.NewMethodSet(types.NewPointer(t))
	for _, name := range []string{"String", "GoString", "Format", "Error"} {
		if ms.Lookup(nil, name) != nil {
			return true
		}
	}
	return false
}

// headerDump reports a range over a map[string][]string whose body writes
// the values into text without testing the key.
func headerDump(pass *analysis.Pass, r *astx.Reporter, rs *ast.RangeStmt) {
	info := pass.TypesInfo
	if !isHeaderMap(info.TypeOf(rs.X)) || rs.Value == nil {
		return
	}
	key, value := objOf(info, rs.Key), objOf(info, rs.Value)
	if value == nil {
		return
	}
	uses := func(n ast.Node, obj types.Object) bool {
		found := false
		ast.Inspect(n, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && obj != nil && info.Uses[id] == obj {
				found = true
			}
			return !found
		})
		return found
	}
	// A value ranged over in turn (for _, v := range values) is the value too.
	values := []types.Object{value}
	filtered := false
	ast.Inspect(rs.Body, func(n ast.Node) bool {
		if filtered {
			return false
		}
		switch n := n.(type) {
		case *ast.IfStmt:
			if key != nil && uses(n.Cond, key) {
				filtered = true // tests the key: it filters
			}
		case *ast.SwitchStmt:
			if key != nil && n.Tag != nil && uses(n.Tag, key) {
				filtered = true
			}
		case *ast.RangeStmt:
			if n.Value != nil && slices.ContainsFunc(values, func(o types.Object) bool { return uses(n.X, o) }) {
				if o := objOf(info, n.Value); o != nil {
					values = append(values, o)
				}
			}
		}
		return true
	})
	if filtered {
		return
	}
	var site ast.Node
	ast.Inspect(rs.Body, func(n ast.Node) bool {
		if site != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.CallExpr:
			if textWriter(astx.CalleeFunc(info, n)) && slices.ContainsFunc(values, func(o types.Object) bool { return uses(n, o) }) {
				site = n
			}
		case *ast.AssignStmt:
			if n.Tok == token.ADD_ASSIGN && len(n.Lhs) == 1 && textual(info.TypeOf(n.Lhs[0])) &&
				slices.ContainsFunc(values, func(o types.Object) bool { return uses(n.Rhs[0], o) }) {
				site = n
			}
		}
		return true
	})
	if site != nil {
		r.Report(site, "header-dump", "every value of %s is written out with its key unchecked: Authorization and Cookie values go with the rest",
			types.ExprString(rs.X))
	}
}

func objOf(info *types.Info, e ast.Expr) types.Object {
	if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
		return info.ObjectOf(id)
	}
	return nil
}

// isHeaderMap reports whether t is a map[string][]string: http.Header,
// url.Values, metadata.MD, textproto.MIMEHeader.
func isHeaderMap(t types.Type) bool {
	if t == nil {
		return false
	}
	m, ok := t.Underlying().(*types.Map)
	if !ok {
		return false
	}
	k, ok := m.Key().Underlying().(*types.Basic)
	if !ok || k.Kind() != types.String {
		return false
	}
	sl, ok := m.Elem().Underlying().(*types.Slice)
	if !ok {
		return false
	}
	e, ok := sl.Elem().Underlying().(*types.Basic)
	return ok && e.Kind() == types.String
}

// textWriter reports whether fn writes text: a log or fmt call, or a
// Write method of a strings.Builder or bytes.Buffer.
func textWriter(fn *types.Func) bool {
	if writer(fn) != "" {
		return true
	}
	if fn == nil || fn.Signature().Recv() == nil || !strings.HasPrefix(fn.Name(), "Write") {
		return false
	}
	return astx.IsMethod(fn, "strings", "Builder", fn.Name()) || astx.IsMethod(fn, "bytes", "Buffer", fn.Name())
}
