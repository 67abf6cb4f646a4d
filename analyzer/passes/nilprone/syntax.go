package nilprone

// Syntax and type helpers.

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"
)

func returnsNil(d *ast.FuncDecl) (found bool) {
	if d == nil || d.Body == nil {
		return false
	}
	ast.Inspect(d.Body, func(n ast.Node) bool {
		if ret, ok := n.(*ast.ReturnStmt); ok && len(ret.Results) == 1 {
			if id, ok := ret.Results[0].(*ast.Ident); ok && id.Name == "nil" {
				found = true
			}
		}
		_, lit := n.(*ast.FuncLit)
		return !found && !lit
	})
	return found
}

func callee(info *types.Info, call *ast.CallExpr) string {
	fn, ok := typeutil.Callee(info, call).(*types.Func)
	if !ok || fn.Pkg() == nil {
		return ""
	}
	if recv := fn.Signature().Recv(); recv != nil {
		if named, ok := derefType(recv.Type()).(*types.Named); ok {
			return fn.Pkg().Path() + "." + named.Obj().Name() + "." + fn.Name()
		}
	}
	return fn.Pkg().Path() + "." + fn.Name()
}

// origin maps a field of an instantiated generic type to the field as declared.
func origin(o types.Object) types.Object {
	if v, ok := o.(*types.Var); ok {
		return v.Origin()
	}
	return o
}

func fieldList(l *ast.FieldList) []*ast.Field {
	if l == nil {
		return nil
	}
	return l.List
}

func typeOf(info *types.Info, e ast.Expr) types.Type {
	if t := info.TypeOf(e); t != nil {
		return t
	}
	return types.Typ[types.Invalid]
}

func derefType(t types.Type) types.Type {
	if t == nil {
		return types.Typ[types.Invalid]
	}
	if p, ok := t.Underlying().(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

func isNil(info *types.Info, e ast.Expr) bool {
	return info.Types[e].IsNil()
}

func isInterface(t types.Type) bool { return t != nil && types.IsInterface(t) && !isTypeParam(t) }

func isTypeParam(t types.Type) bool { _, ok := types.Unalias(t).(*types.TypeParam); return ok }

func nillable(t types.Type) bool {
	if t == nil || isTypeParam(t) {
		return false
	}
	_, ptr := t.Underlying().(*types.Pointer)
	return ptr || types.IsInterface(t)
}

func isErrorType(t types.Type) bool {
	return t != nil && types.Identical(t, types.Universe.Lookup("error").Type())
}
