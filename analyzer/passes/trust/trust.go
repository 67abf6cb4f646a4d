// Package trust defines an Analyzer that reports risk signals where code
// stands on a trust boundary: it decides whom or what to trust, handles
// keys and signatures, or reads what a client sent.
//
// Most of the Go vulnerability database is bugs of this kind: a check that
// lets too much through, a signature compared wrongly, a header trusted, a
// decompressor read without a limit. Such functions often carry no other
// signal (no lock, no index arithmetic), so without these a full scan never
// looks at them.
package trust

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Doc's first line is a title; then a paragraph per category.
const Doc = `report trust boundaries as risk signals

trust-decision: a function whose name says it decides trust (verify, validate, authenticate,
authorize, allow, permit, revoke, sanitize, redact, reject, deny, trust, secure, or check with
a security noun such as host, origin, signature, token or key) and that answers with a bool or
an error about its arguments. Weight 2: most such functions are right, but a wrong answer in one
lets bad input in.

crypto-use: the function calls into a cryptography package (crypto/... and golang.org/x/crypto/...,
not the hashes alone) or builds a tls.Config or x509 value: key, nonce, padding and comparison
slips are vulnerabilities. Reported once per function.

http-input: the function reads what a client sent: a header, the URL, a form, a cookie or the
body of an *http.Request it was handed. A request the function sends is the program's own: one
handed to a function that returns an *http.Response (a RoundTripper) or takes the redirect chain
(a CheckRedirect) does not count. Reported once per function.

weak-random: math/rand (or math/rand/v2) makes a value for a key, token, nonce, salt, password,
session or challenge (the function's name or the variable it sets says so): its output can be
predicted; crypto/rand is the source for secrets.

trust-header: the function reads or sets, by name, a header that carries trust: credentials and
cookies (Authorization, Cookie, Set-Cookie), where a request came from (Origin, Referer, Host,
X-Forwarded-For, X-Real-IP, Forwarded), and the policies a response grants (Access-Control-Allow-*,
Strict-Transport-Security, Content-Security-Policy, X-Frame-Options). Any method named Get, Set,
Add, Del, Peek, Values, Header or the like counts, so web frameworks' contexts do too
(c.Get(fiber.HeaderAuthorization)). Reported once per function.

redirect: the function sends a client elsewhere or decides which redirects to follow:
http.Redirect to a URL that is not a constant (an open redirect if the URL comes from the request),
or an http.Client's CheckRedirect set (whether credentials follow a redirect to another host).
Reported once per function.

unbounded-read: io.ReadAll, io.Copy or a Buffer's ReadFrom of a decompressor (compress/...) or of
a request or response body, with no io.LimitReader or http.MaxBytesReader in the way: a small
input can make the process read gigabytes.`

var Analyzer = &analysis.Analyzer{
	Name:     "trust",
	Doc:      Doc,
	URL:      "https://pkg.go.dev/github.com/secondlook/secondlook/analyzer/passes/trust",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

// Signals maps each category this pass reports to its weight (0–10, see CONTRACT.md).
var Signals = map[string]float64{
	"trust-decision": 3,
	"crypto-use":     2,
	"http-input":     2,
	"trust-header":   3,
	"redirect":       3,
	"unbounded-read": 4,
	"weak-random":    5,
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	r := astx.NewReporter(pass)
	params := map[types.Object]bool{}
	for n := range insp.PreorderSeq((*ast.FuncType)(nil)) {
		if ft := n.(*ast.FuncType); ft.Params != nil && !sends(pass.TypesInfo, ft) {
			for _, field := range ft.Params.List {
				for _, name := range field.Names {
					if obj := pass.TypesInfo.Defs[name]; obj != nil {
						params[obj] = true
					}
				}
			}
		}
	}
	for cur := range insp.Root().Preorder((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		var body *ast.BlockStmt
		switch fn := cur.Node().(type) {
		case *ast.FuncDecl:
			body = fn.Body
			if body != nil && !isTestFile(pass, fn) {
				decision(pass, r, fn)
			}
		case *ast.FuncLit:
			body = fn.Body
		}
		if body == nil {
			continue
		}
		f := &function{pass: pass, r: r, fn: cur, params: params}
		astx.InspectDirect(cur, f.visit)
	}
	return nil, nil
}

func isTestFile(pass *analysis.Pass, n ast.Node) bool {
	return strings.HasSuffix(pass.Fset.Position(n.Pos()).Filename, "_test.go")
}

// function holds what one function (without its literals) has reported:
// crypto-use and http-input come once per function.
type function struct {
	pass           *analysis.Pass
	r              *astx.Reporter
	fn             inspector.Cursor
	params         map[types.Object]bool // the parameters of every function of the package
	crypto, client bool
	header         bool
	redirect       bool
}

func (f *function) visit(c inspector.Cursor) {
	info := f.pass.TypesInfo
	switch n := c.Node().(type) {
	case *ast.CallExpr:
		fn := astx.CalleeFunc(info, n)
		if fn == nil || fn.Pkg() == nil {
			return
		}
		if !f.crypto && isCryptoPkg(fn.Pkg().Path()) {
			f.crypto = true
			f.r.Report(n, "crypto-use", "calls %s.%s (%s): a slip with keys, nonces, padding or comparisons here is a vulnerability",
				fn.Pkg().Name(), fn.Name(), fn.Pkg().Path())
		}
		f.unboundedRead(n, fn)
		f.weakRandom(c, n, fn)
		f.trustHeader(n, fn)
		if !f.redirect && isFunc(fn, "net/http", "Redirect") && len(n.Args) >= 3 && info.Types[n.Args[2]].Value == nil {
			f.redirect = true
			f.r.Report(n, "redirect", "redirects the client to %s, which is not a constant: where it can point decides whether this is an open redirect",
				types.ExprString(n.Args[2]))
		}
	case *ast.KeyValueExpr:
		if id, ok := n.Key.(*ast.Ident); ok && isCheckRedirect(info, id) {
			f.checkRedirect(n)
		}
	case *ast.AssignStmt:
		for _, l := range n.Lhs {
			if sel, ok := l.(*ast.SelectorExpr); ok && isCheckRedirect(info, sel.Sel) {
				f.checkRedirect(n)
			}
		}
	case *ast.CompositeLit:
		if f.crypto {
			return
		}
		if named := astx.NamedOf(info.TypeOf(n)); named != nil && named.Obj().Pkg() != nil {
			if p := named.Obj().Pkg().Path(); p == "crypto/tls" || p == "crypto/x509" {
				f.crypto = true
				f.r.Report(n, "crypto-use", "builds a %s.%s: its fields decide what a peer must prove", named.Obj().Pkg().Name(), named.Obj().Name())
			}
		}
	case *ast.SelectorExpr:
		if f.client {
			return
		}
		if what := f.requestPart(n); what != "" {
			f.client = true
			f.r.Report(n, "http-input", "reads %s of the request: the client controls it", what)
		}
	}
}

// secretNouns are the words of a name that say it holds a secret.
var secretNouns = map[string]bool{"key": true, "keys": true, "token": true, "tokens": true, "nonce": true, "secret": true,
	"salt": true, "password": true, "passwd": true, "session": true, "csrf": true, "otp": true, "challenge": true, "iv": true}

func hasSecretNoun(name string) bool {
	for _, w := range astx.Words(name) {
		if secretNouns[w] {
			return true
		}
	}
	return false
}

// makesSecret reports whether a function's name says it makes a secret:
// newMaskKey, generateToken, randomNonce (not pickKeyForShard).
func makesSecret(name string) bool {
	made := false
	for _, w := range astx.Words(name) {
		switch w {
		case "new", "gen", "generate", "make", "create", "random", "rand", "issue", "mint":
			made = true
		}
	}
	return made && hasSecretNoun(name)
}

// weakRandom reports a math/rand value made for a secret: a math/rand
// function or *rand.Rand method, or a *rand.Rand handed to a call as a
// reader, in a function named for a secret or assigned to a variable named
// for one.
func (f *function) weakRandom(c inspector.Cursor, call *ast.CallExpr, fn *types.Func) {
	info := f.pass.TypesInfo
	via := ""
	if isMathRand(fn.Pkg().Path()) && fn.Name() != "New" && fn.Name() != "NewSource" && fn.Name() != "Seed" &&
		!strings.HasPrefix(fn.Name(), "NewPCG") && !strings.HasPrefix(fn.Name(), "NewChaCha") {
		via = fn.Pkg().Path() + "." + fn.Name()
	}
	for _, a := range call.Args {
		if named := astx.NamedOf(info.TypeOf(a)); named != nil && named.Obj().Pkg() != nil && isMathRand(named.Obj().Pkg().Path()) {
			via = types.ExprString(a) + " (a " + named.Obj().Pkg().Path() + "." + named.Obj().Name() + ")"
		}
	}
	if via == "" {
		return
	}
	what := ""
	if name := f.name(); makesSecret(name) {
		what = name
	}
	// The variable the value goes to: sessionID := strconv.FormatInt(rand.Int63(), 16).
	for e := range c.Enclosing() {
		if as, ok := e.Node().(*ast.AssignStmt); ok {
			for _, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok && hasSecretNoun(id.Name) {
					what = id.Name
				}
			}
		}
		if _, ok := e.Node().(ast.Stmt); ok {
			break
		}
	}
	if what == "" {
		return
	}
	f.r.Report(call, "weak-random", "%s comes from %s, which is predictable: use crypto/rand for secrets", what, via)
}

func isMathRand(path string) bool { return path == "math/rand" || path == "math/rand/v2" }

// name returns the name of the function declaration that holds the
// function, or "".
func (f *function) name() string {
	for c := range f.fn.Enclosing((*ast.FuncDecl)(nil)) {
		return c.Node().(*ast.FuncDecl).Name.Name
	}
	return ""
}

// isCryptoPkg reports whether path is a cryptography package whose misuse
// is a vulnerability. Hashes alone (sha256 for a cache key) are not.
func isCryptoPkg(path string) bool {
	switch path {
	case "crypto/md5", "crypto/sha1", "crypto/sha256", "crypto/sha512", "crypto/sha3", "crypto",
		"golang.org/x/crypto/sha3", "golang.org/x/crypto/blake2b", "golang.org/x/crypto/blake2s", "golang.org/x/crypto/md4",
		"golang.org/x/crypto/ripemd160":
		return false
	}
	return strings.HasPrefix(path, "crypto/") || strings.HasPrefix(path, "golang.org/x/crypto/")
}

// requestFields and requestMethods are the parts of an *http.Request a
// client writes.
var (
	requestFields = map[string]bool{"Header": true, "URL": true, "Form": true, "PostForm": true, "MultipartForm": true,
		"Body": true, "Host": true, "RequestURI": true, "Trailer": true}
	requestMethods = map[string]bool{"FormValue": true, "PostFormValue": true, "Cookie": true, "Cookies": true,
		"Referer": true, "UserAgent": true, "BasicAuth": true, "FormFile": true, "MultipartReader": true,
		"ParseForm": true, "ParseMultipartForm": true, "PathValue": true}
)

// requestPart returns "r.Header" when sel reads a client-written part of
// an http.Request the function was handed, and "" otherwise: a request the
// function builds itself (http.NewRequest) is written, not read.
func (f *function) requestPart(sel *ast.SelectorExpr) string {
	info := f.pass.TypesInfo
	if !f.incoming(sel.X) {
		return ""
	}
	name := sel.Sel.Name
	if obj, ok := info.Uses[sel.Sel].(*types.Func); ok && requestMethods[name] && obj.Pkg() != nil && obj.Pkg().Path() == "net/http" {
		return types.ExprString(sel) + "()"
	}
	if _, ok := info.Uses[sel.Sel].(*types.Var); ok && requestFields[name] {
		return types.ExprString(sel)
	}
	return ""
}

// sends reports whether a function sends the requests it is handed rather
// than serving them: it returns an *http.Response (a RoundTripper, a client
// wrapper) or takes the redirect chain ([]*http.Request, a CheckRedirect).
// Its request's headers are the program's own, not a client's.
func sends(info *types.Info, ft *ast.FuncType) bool {
	if ft.Results != nil {
		for _, field := range ft.Results.List {
			if isHTTPType(info.TypeOf(field.Type), "Response") {
				return true
			}
		}
	}
	for _, field := range ft.Params.List {
		if sl, ok := info.TypeOf(field.Type).(*types.Slice); ok && isHTTPType(sl.Elem(), "Request") {
			return true
		}
	}
	return false
}

// incoming reports whether x is an *http.Request parameter: one a
// handler was handed.
func (f *function) incoming(x ast.Expr) bool {
	id, ok := ast.Unparen(x).(*ast.Ident)
	return ok && isHTTPType(f.pass.TypesInfo.TypeOf(id), "Request") && f.params[f.pass.TypesInfo.Uses[id]]
}

// isHTTPType reports whether t is net/http's type name or a pointer to it.
func isHTTPType(t types.Type, name string) bool {
	named := astx.NamedOf(t)
	return named != nil && named.Obj().Pkg() != nil && named.Obj().Pkg().Path() == "net/http" && named.Obj().Name() == name
}

// isCheckRedirect reports whether id names net/http's Client.CheckRedirect field.
func isCheckRedirect(info *types.Info, id *ast.Ident) bool {
	v, ok := info.Uses[id].(*types.Var)
	return ok && v.IsField() && v.Name() == "CheckRedirect" && v.Pkg() != nil && v.Pkg().Path() == "net/http"
}

// checkRedirect reports an http.Client's CheckRedirect set at n.
func (f *function) checkRedirect(n ast.Node) {
	if f.redirect {
		return
	}
	f.redirect = true
	f.r.Report(n, "redirect", "sets an http.Client's CheckRedirect: which redirects it follows decides where the request's credentials go")
}

// trustHeaders are the headers, in lower case, whose values decide whom a
// request comes from or what a response allows.
var trustHeaders = map[string]bool{
	"authorization": true, "proxy-authorization": true, "cookie": true, "set-cookie": true,
	"origin": true, "referer": true, "host": true, "x-forwarded-for": true, "x-forwarded-host": true,
	"x-forwarded-proto": true, "x-real-ip": true, "forwarded": true, "x-csrf-token": true, "x-xsrf-token": true,
	"access-control-allow-origin": true, "access-control-allow-credentials": true,
	"access-control-allow-headers": true, "access-control-allow-methods": true,
	"strict-transport-security": true, "content-security-policy": true, "x-frame-options": true,
}

// headerMethods are the names of methods that read or write a header by
// its name, in net/http and in web frameworks.
var headerMethods = map[string]bool{
	"Get": true, "Set": true, "Add": true, "Del": true, "Values": true, "Peek": true,
	"Header": true, "GetHeader": true, "SetHeader": true, "AddHeader": true, "DelHeader": true,
	"GetReqHeaders": true, "GetRespHeader": true, "SetCanonical": true,
}

// trustHeader reports a method call that reads or writes a trust-carrying
// header named by a constant: h.Get("Authorization"), c.Set(fiber.HeaderOrigin, v).
func (f *function) trustHeader(call *ast.CallExpr, fn *types.Func) {
	if f.header || fn.Signature().Recv() == nil || !headerMethods[fn.Name()] || len(call.Args) == 0 {
		return
	}
	tv, ok := f.pass.TypesInfo.Types[call.Args[0]]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
		return
	}
	name := constant.StringVal(tv.Value)
	if !trustHeaders[strings.ToLower(name)] {
		return
	}
	f.header = true
	f.r.Report(call, "trust-header", "%s the %s header by name: what it holds decides whom to trust", headerVerb(fn.Name()), name)
}

// headerVerb says what a header method does.
func headerVerb(method string) string {
	switch {
	case strings.HasPrefix(method, "Set"), strings.HasPrefix(method, "Add"):
		return "sets"
	case strings.HasPrefix(method, "Del"):
		return "deletes"
	}
	return "reads"
}

// unboundedRead reports io.ReadAll(src), io.Copy(dst, src) and
// buf.ReadFrom(src) when src is a decompressor or an HTTP body that nothing
// limits.
func (f *function) unboundedRead(call *ast.CallExpr, fn *types.Func) {
	var src ast.Expr
	switch {
	case isFunc(fn, "io", "ReadAll") || isFunc(fn, "io/ioutil", "ReadAll"):
		if len(call.Args) == 1 {
			src = call.Args[0]
		}
	case isFunc(fn, "io", "Copy") || isFunc(fn, "io", "CopyBuffer"):
		if len(call.Args) >= 2 {
			src = call.Args[1]
		}
	case astx.IsMethod(fn, "bytes", "Buffer", "ReadFrom"):
		if len(call.Args) == 1 {
			src = call.Args[0]
		}
	}
	if src == nil {
		return
	}
	if what := f.unlimited(src); what != "" {
		f.r.Report(call, "unbounded-read", "%s reads %s to the end with no limit: a small input can expand without bound", fn.Name(), what)
	}
}

// unlimited describes src when it is a decompressor or an HTTP body with no
// limit, and returns "" otherwise. An identifier is followed to what it was
// last assigned in the function before the read.
func (f *function) unlimited(src ast.Expr) string {
	info := f.pass.TypesInfo
	src = ast.Unparen(src)
	if id, ok := src.(*ast.Ident); ok {
		v, _ := info.Uses[id].(*types.Var)
		if v == nil {
			return ""
		}
		val := f.lastAssigned(v, src.Pos())
		if val == nil {
			return ""
		}
		if what := f.unlimited(val); what != "" {
			return id.Name + " (" + what + ")"
		}
		return ""
	}
	switch src := src.(type) {
	case *ast.CallExpr:
		fn := astx.CalleeFunc(info, src)
		if fn != nil && fn.Pkg() != nil && strings.HasPrefix(fn.Pkg().Path(), "compress/") && strings.HasPrefix(fn.Name(), "NewReader") {
			return "a " + fn.Pkg().Name() + " decompressor"
		}
	case *ast.SelectorExpr:
		if src.Sel.Name == "Body" && (f.incoming(src.X) || isHTTPType(info.TypeOf(src.X), "Response")) {
			if f.bodyLimited(src) {
				return ""
			}
			return types.ExprString(src)
		}
	}
	return ""
}

// lastAssigned returns the value v was last given in the function before
// pos (v := x, v = x, var v = x), or nil.
func (f *function) lastAssigned(v *types.Var, pos token.Pos) ast.Expr {
	info := f.pass.TypesInfo
	var last ast.Expr
	is := func(e ast.Expr) bool {
		id, ok := e.(*ast.Ident)
		return ok && (info.Defs[id] == v || info.Uses[id] == v)
	}
	astx.InspectDirect(f.fn, func(c inspector.Cursor) {
		if c.Node().Pos() >= pos {
			return
		}
		switch n := c.Node().(type) {
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				if !is(l) {
					continue
				}
				if len(n.Rhs) == len(n.Lhs) {
					last = n.Rhs[i]
				} else if i == 0 && len(n.Rhs) == 1 {
					last = n.Rhs[0] // r, err := gzip.NewReader(...)
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if is(name) && i < len(n.Values) {
					last = n.Values[i]
				}
			}
		}
	})
	return last
}

// bodyLimited reports whether the function wraps body in
// http.MaxBytesReader or io.LimitReader anywhere.
func (f *function) bodyLimited(body ast.Expr) bool {
	want := types.ExprString(body)
	limited := false
	astx.InspectDirect(f.fn, func(c inspector.Cursor) {
		call, ok := c.Node().(*ast.CallExpr)
		if !ok || limited {
			return
		}
		fn := astx.CalleeFunc(f.pass.TypesInfo, call)
		if !isFunc(fn, "net/http", "MaxBytesReader") && !isFunc(fn, "io", "LimitReader") {
			return
		}
		for _, a := range call.Args {
			if types.ExprString(a) == want {
				limited = true
			}
		}
	})
	return limited
}

// isFunc reports whether fn is the package-level function pkg.name.
func isFunc(fn *types.Func, pkg, name string) bool {
	return fn != nil && fn.Name() == name && fn.Pkg() != nil && fn.Pkg().Path() == pkg && fn.Signature().Recv() == nil
}

// decisionVerbs are the words of a name that say the function decides
// whether to trust something; securityNouns, after "check", say the same.
var (
	decisionVerbs = map[string]bool{
		"verify": true, "verifies": true, "verified": true, "verifier": true,
		"validate": true, "validates": true, "validation": true, "validator": true,
		"authenticate": true, "authentication": true, "authorize": true, "authorization": true, "authorized": true,
		"allow": true, "allowed": true, "allows": true, "permit": true, "permitted": true, "permission": true, "permissions": true,
		"revoke": true, "revoked": true, "revocation": true, "sanitize": true, "sanitise": true, "redact": true,
		"reject": true, "deny": true, "denied": true, "trust": true, "trusted": true, "secure": true,
	}
	securityNouns = map[string]bool{
		"host": true, "origin": true, "signature": true, "sig": true, "token": true, "password": true, "cert": true,
		"certificate": true, "key": true, "perm": true, "access": true, "auth": true, "acl": true, "csrf": true,
		"nonce": true, "mac": true, "hmac": true, "scope": true, "claims": true, "credentials": true,
	}
)

// decision reports trust-decision for a function declaration whose name
// says it decides trust and that answers with a bool or an error about
// its receiver or arguments.
func decision(pass *analysis.Pass, r *astx.Reporter, fd *ast.FuncDecl) {
	fn, _ := pass.TypesInfo.Defs[fd.Name].(*types.Func)
	if fn == nil {
		return
	}
	sig := fn.Signature()
	if sig.Params().Len() == 0 && sig.Recv() == nil {
		return
	}
	answers := ""
	for v := range sig.Results().Variables() {
		switch t := v.Type(); {
		case types.Identical(t, types.Typ[types.Bool]):
			answers = "a bool"
		case types.Identical(t, types.Universe.Lookup("error").Type()):
			if answers == "" {
				answers = "an error"
			}
		}
	}
	words := astx.Words(fd.Name.Name)
	verb := ""
	for i, w := range words {
		if decisionVerbs[w] {
			verb = w
			break
		}
		if w == "check" {
			for _, n := range words[i+1:] {
				if securityNouns[n] {
					verb = w + " " + n
					break
				}
			}
			if verb != "" {
				break
			}
		}
	}
	if verb == "" {
		return
	}
	if answers == "" {
		// A sanitizer or redactor answers with the cleaned value.
		if verb != "sanitize" && verb != "sanitise" && verb != "redact" || sig.Results().Len() == 0 {
			return
		}
		answers = "the cleaned value"
	}
	r.Report(fd.Name, "trust-decision", "%s decides trust (%q) and answers with %s: a wrong answer lets bad input through",
		fd.Name.Name, verb, answers)
}
