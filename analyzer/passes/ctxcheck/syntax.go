package ctxcheck

// Syntax and type helpers.

import (
	"fmt"
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/analysis"
)

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
