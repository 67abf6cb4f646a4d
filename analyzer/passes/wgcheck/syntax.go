package wgcheck

// Syntax and type helpers.

import (
	"go/ast"
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
	v, path, ok := astx.FieldPath(info, e, true)
	if !ok {
		return key{}, false
	}
	return key{v, path}, true
}

// reporter reports once per line and category.
type reporter struct{ *astx.Reporter }
