package errs

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// This file holds the drop categories: err-dropped, err-unchecked, err-blank.

// drops holds what the drop categories need across the package.
type drops struct {
	files   map[types.Object]opened
	nilOnly map[types.Object]bool // functions of this package whose error result is always nil
	seen    map[dropKey]bool
	// randCannotFail holds the files built for Go 1.24 or later.
	randCannotFail map[*token.File]bool
	fset           *token.FileSet
}

// dropKey limits the drop categories to one signal per function and callee: a formatter that calls
// w.WriteString forty times is one place to look.
type dropKey struct {
	fn       ast.Node
	callee   string
	category string
}

func (d *drops) report(pass *analysis.Pass, c inspector.Cursor, call *ast.CallExpr, n ast.Node, category, format string, args ...any) {
	var fn ast.Node // nil at package level
	if fc, ok := enclosingFunc(c); ok {
		fn = fc.Node()
	}
	if k := (dropKey{fn, types.ExprString(call.Fun), category}); !d.seen[k] {
		d.seen[k] = true
		report(pass, n, category, format, args...)
	}
}

// nilOnly finds the functions and methods of this package that return an error result but only ever
// return nil for it, such as a Write of a writer that keeps a sticky error.
func nilOnly(info *types.Info, insp *inspector.Inspector) map[types.Object]bool {
	m := map[types.Object]bool{}
	for c := range insp.Root().Preorder((*ast.FuncDecl)(nil)) {
		fd := c.Node().(*ast.FuncDecl)
		sig := signature(info, fd)
		if fd.Body == nil || sig == nil || !lastIsError(sig.Results()) {
			continue
		}
		only := true
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				only = only && len(n.Results) > 0 && isNil(info, n.Results[len(n.Results)-1])
			}
			return only
		})
		if only {
			m[info.Defs[fd.Name]] = true
		}
	}
	return m
}

// opened is how a file variable was opened.
type opened struct {
	by      string // os.Create, os.OpenFile...
	writing bool
}

// openedFiles maps each variable assigned a file by os.Open, Create, CreateTemp or OpenFile to how.
func openedFiles(info *types.Info, insp *inspector.Inspector) map[types.Object]opened {
	m := map[types.Object]opened{}
	for c := range insp.Root().Preorder((*ast.AssignStmt)(nil)) {
		as := c.Node().(*ast.AssignStmt)
		if len(as.Rhs) != 1 {
			continue
		}
		call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
		if !ok {
			continue
		}
		fn, _ := typeutil.Callee(info, call).(*types.Func)
		id, _ := as.Lhs[0].(*ast.Ident)
		if fn == nil || id == nil || fn.Pkg() == nil || fn.Pkg().Path() != "os" || !strings.Contains(" Open Create CreateTemp OpenFile ", " "+fn.Name()+" ") {
			continue
		}
		writing := fn.Name() == "Create" || fn.Name() == "CreateTemp"
		if fn.Name() == "OpenFile" && len(call.Args) > 1 {
			ast.Inspect(call.Args[1], func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && writeFlags[id.Name] {
					writing = true
				}
				return true
			})
		}
		if obj := info.ObjectOf(id); obj != nil {
			m[obj] = opened{"os." + fn.Name(), writing}
		}
	}
	return m
}

var writeFlags = map[string]bool{"O_WRONLY": true, "O_RDWR": true, "O_APPEND": true, "O_CREATE": true, "O_TRUNC": true}

type class int

const (
	plain class = iota
	quiet
	risky
)

var riskyNames = map[string]bool{
	"Write": true, "WriteString": true, "WriteAll": true, "WriteFile": true, "WriteTo": true, "Flush": true,
	"Sync": true, "Commit": true, "Exec": true, "ExecContext": true, "Encode": true, "Decode": true,
	"Unmarshal": true, "Rename": true, "Chmod": true, "Mkdir": true, "MkdirAll": true, "Truncate": true,
	"Copy": true, "CopyN": true, "Setenv": true, "ListenAndServe": true, "ListenAndServeTLS": true,
	"Serve": true, "Save": true, "Store": true, "Insert": true, "Update": true, "Put": true, "Send": true,
	"Publish": true,
}

// classify says how much dropping the error of call matters, and why when it is risky.
func (d *drops) classify(info *types.Info, call *ast.CallExpr) (class, string) {
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if fn == nil || fn.Pkg() == nil {
		return plain, ""
	}
	if d.nilOnly[fn.Origin()] {
		return quiet, ""
	}
	name := fn.Name()
	if fn.Pkg().Path() == "fmt" && (strings.HasPrefix(name, "Print") || strings.HasPrefix(name, "Fprint")) || name == "Rollback" {
		return quiet, ""
	}
	var recv types.Type
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if ok {
		recv = info.TypeOf(sel.X)
	}
	if buf, fromRand := filled(info, fn, call, sel); buf != nil {
		if fromRand && d.randCannotFail[d.fset.File(call.Pos())] {
			return quiet, ""
		}
		return risky, fmt.Sprintf(" (%s may be left zero or partly filled)", types.ExprString(buf))
	}
	if fn.Signature().Recv() == nil || recv == nil {
		switch {
		case len(call.Args) > 0 && isDiscard(info, call.Args[0]): // io.Copy(io.Discard, body) drains
			return quiet, ""
		case riskyNames[name]:
			return risky, ""
		}
		return plain, ""
	}
	switch {
	case isNamed(recv, "bytes", "Buffer"), isNamed(recv, "strings", "Builder"), isNamed(recv, "net/http", "ResponseWriter"),
		hasMethods(recv, "Sum", "BlockSize", "Reset"), toResponse(info, sel.X):
		return quiet, ""
	case name == "Close":
		if id, ok := ast.Unparen(sel.X).(*ast.Ident); ok {
			if o, ok := d.files[info.ObjectOf(id)]; ok && o.writing {
				return risky, fmt.Sprintf(" (%s opened by %s for writing)", id.Name, o.by)
			} else if ok {
				return quiet, ""
			}
		}
		if s, ok := ast.Unparen(sel.X).(*ast.SelectorExpr); ok && s.Sel.Name == "Body" && isNamed(info.TypeOf(s.X), "net/http", "Response") {
			return quiet, ""
		}
		switch {
		case isNamed(recv, "os", "File"):
			return plain, ""
		case hasMethods(recv, "Write") && !hasMethods(recv, "Read"):
			return risky, " (closing a writer flushes it)"
		case hasMethods(recv, "Read") && !hasMethods(recv, "Write"):
			return quiet, ""
		}
	case riskyNames[name]:
		return risky, ""
	}
	return plain, ""
}

func (d *drops) checkDropped(pass *analysis.Pass, c inspector.Cursor, call *ast.CallExpr) {
	if !lastIsError(pass.TypesInfo.TypeOf(call)) {
		return
	}
	cl, why := d.classify(pass.TypesInfo, call)
	if cl != quiet && cleanup(pass.TypesInfo, c, call) {
		d.report(pass, c, call, call, "err-dropped-cleanup", "error from %s is dropped while cleaning up after a failure", callString(call))
		return
	}
	switch cl {
	case risky:
		d.report(pass, c, call, call, "err-dropped", "error from %s is dropped%s", callString(call), why)
	case plain:
		d.report(pass, c, call, call, "err-unchecked", "error from %s is dropped", callString(call))
	}
}

func isBlank(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "_"
}

func lastIsError(t types.Type) bool {
	if tup, ok := t.(*types.Tuple); ok {
		return tup.Len() > 0 && isError(tup.At(tup.Len()-1).Type())
	}
	return isError(t)
}

// checkBlank reports _ = f() and x, _ := f() where the blank takes an error.
func (d *drops) checkBlank(pass *analysis.Pass, c inspector.Cursor, as *ast.AssignStmt) {
	if len(as.Rhs) != 1 {
		return
	}
	call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr)
	if !ok {
		return
	}
	var results []types.Type
	switch t := pass.TypesInfo.TypeOf(call).(type) {
	case *types.Tuple:
		for v := range t.Variables() {
			results = append(results, v.Type())
		}
	case nil:
	default:
		results = []types.Type{t}
	}
	if len(results) != len(as.Lhs) {
		return
	}
	keeps := false // some result is used while the error is discarded
	for _, lhs := range as.Lhs {
		keeps = keeps || !isBlank(lhs)
	}
	for i, lhs := range as.Lhs {
		if isBlank(lhs) && isError(results[i]) {
			// _ = f() is a visible decision; it matters only when f's failure loses data.
			if cl, why := d.classify(pass.TypesInfo, call); (cl == risky || keeps && cl == plain) && !cleanup(pass.TypesInfo, c, call) {
				d.report(pass, c, call, lhs, "err-blank", "error from %s is discarded with _%s", callString(call), why)
			}
		}
	}
}

// filled returns the buffer argument of a call that fills a buffer the caller then relies on:
// io.ReadFull, io.ReadAtLeast, crypto/rand.Read, and Read of crypto/rand.Reader; and whether it
// fills it from crypto/rand. It returns nil for other calls and for a buffer made in the call
// itself (io.ReadFull(r, make([]byte, n)) skips bytes).
func filled(info *types.Info, fn *types.Func, call *ast.CallExpr, sel *ast.SelectorExpr) (buf ast.Expr, fromRand bool) {
	switch path := fn.Pkg().Path(); {
	case path == "io" && (fn.Name() == "ReadFull" || fn.Name() == "ReadAtLeast") && len(call.Args) >= 2:
		buf, fromRand = call.Args[1], isPkgVar(info, call.Args[0], "crypto/rand", "Reader")
	case path == "crypto/rand" && fn.Name() == "Read" && fn.Signature().Recv() == nil && len(call.Args) == 1:
		buf, fromRand = call.Args[0], true
	case fn.Name() == "Read" && sel != nil && isPkgVar(info, sel.X, "crypto/rand", "Reader") && len(call.Args) == 1:
		buf, fromRand = call.Args[0], true
	}
	switch b := ast.Unparen(buf).(type) {
	case *ast.CompositeLit:
		return nil, false
	case *ast.CallExpr:
		if id, ok := ast.Unparen(b.Fun).(*ast.Ident); ok && id.Name == "make" {
			if _, ok := info.Uses[id].(*types.Builtin); ok {
				return nil, false
			}
		}
	}
	return buf, fromRand
}

// toResponse reports whether e is an encoder or writer made on an http.ResponseWriter, as in
// json.NewEncoder(w).Encode(v), whose error only says that the client has gone.
func toResponse(info *types.Info, e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	return ok && len(call.Args) == 1 && isNamed(info.TypeOf(call.Args[0]), "net/http", "ResponseWriter")
}

func isDiscard(info *types.Info, e ast.Expr) bool { return isPkgVar(info, e, "io", "Discard") }

// isPkgVar reports whether e names the package-level variable path.name, as in io.Discard.
func isPkgVar(info *types.Info, e ast.Expr, path, name string) bool {
	sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	v, _ := info.Uses[sel.Sel].(*types.Var)
	return v != nil && v.Pkg() != nil && v.Pkg().Path() == path && v.Name() == name
}

// hasMethods reports whether t (or *t) has all the named methods.
func hasMethods(t types.Type, names ...string) bool {
	for _, name := range names {
		if obj, _, _ := types.LookupFieldOrMethod(t, true, nil, name); obj == nil {
			return false
		} else if _, ok := obj.(*types.Func); !ok {
			return false
		}
	}
	return true
}

// isNamed reports whether t, or what it points to, is the named type path.name.
func isNamed(t types.Type, path, name string) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == path && n.Obj().Name() == name
}
