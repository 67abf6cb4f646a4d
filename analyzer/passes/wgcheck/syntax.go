package wgcheck

// Syntax and type helpers.

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
)

// A key names a WaitGroup by a variable and a path of fields: wg, s.wg.
type key struct {
	root types.Object
	path string // ".wg", "" for the variable itself
}

func (k key) String() string { return k.root.Name() + k.path }

// keyOf returns the key of an expression made of a variable and field
// selections, through & and *.
func keyOf(info *types.Info, e ast.Expr) (key, bool) {
	path := ""
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			v, ok := info.Uses[x].(*types.Var)
			if !ok {
				return key{}, false
			}
			return key{v, path}, true
		case *ast.SelectorExpr:
			sel, ok := info.Selections[x]
			if !ok || sel.Kind() != types.FieldVal {
				return key{}, false
			}
			path = "." + x.Sel.Name + path
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.UnaryExpr:
			if x.Op != token.AND {
				return key{}, false
			}
			e = x.X
		default:
			return key{}, false
		}
	}
}

// reporter reports once per line and category.
type reporter struct{ *astx.Reporter }
