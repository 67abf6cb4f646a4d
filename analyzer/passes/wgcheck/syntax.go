package wgcheck

// Syntax and type helpers.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
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

type lineCat struct {
	file     string
	line     int
	category string
}

// reporter reports each category at most once per line.
type reporter struct {
	pass *analysis.Pass
	seen map[lineCat]bool
}

func (r *reporter) line(pos token.Pos) int { return r.pass.Fset.Position(pos).Line }

func (r *reporter) report(n ast.Node, category string, related []analysis.RelatedInformation, format string, args ...any) {
	p := r.pass.Fset.Position(n.Pos())
	key := lineCat{p.Filename, p.Line, category}
	if r.seen[key] {
		return
	}
	r.seen[key] = true
	r.pass.Report(analysis.Diagnostic{
		Pos: n.Pos(), End: n.End(), Category: category,
		Message: fmt.Sprintf(format, args...), Related: related,
	})
}
