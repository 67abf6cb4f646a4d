package chancheck

// This file holds nil-channel.

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/secondlook/secondlook/analyzer/passes/internal/astx"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
)

// checkNilChans reports sends, receives and closes outside a select of a
// channel that is nil there: a local declared without a value and not
// assigned on the way, or a field the package never assigns.
func checkNilChans(r *reporter, f *fn, fields map[*types.Var]bool) {
	info := r.Pass.TypesInfo
	astx.InspectDirect(f.cur, func(c inspector.Cursor) {
		var e ast.Expr
		verb := ""
		switch n := c.Node().(type) {
		case *ast.SendStmt:
			if commOf(c) == nil {
				e, verb = n.Chan, "send on"
			}
		case *ast.UnaryExpr:
			if n.Op == token.ARROW && commOf(c) == nil {
				e, verb = n.X, "receive from"
			}
		case *ast.RangeStmt:
			e, verb = n.X, "range over"
		case *ast.CallExpr:
			if builtin(info, n) == "close" && len(n.Args) == 1 {
				e, verb = n.Args[0], "close of"
			}
		}
		if e == nil {
			return
		}
		if _, ok := underlying(info, e).(*types.Chan); !ok {
			return
		}
		effect := "blocks forever"
		if verb == "close of" {
			effect = "panics"
		}
		// A field the package never assigns.
		if sel, ok := ast.Unparen(e).(*ast.SelectorExpr); ok {
			if v, ok := info.Uses[sel.Sel].(*types.Var); ok && fields[v.Origin()] {
				r.ReportRelated(c.Node(), "nil-channel", []analysis.RelatedInformation{{Pos: v.Pos(), Message: "declared here and never assigned in the package"}},
					"%s %s, a field no code of the package assigns: the channel is nil and the %s %s",
					verb, types.ExprString(e), opNoun(verb), effect)
			}
			return
		}
		id, ok := ast.Unparen(e).(*ast.Ident)
		if !ok {
			return
		}
		v, _ := info.Uses[id].(*types.Var)
		spec := nilDecl(info, f, v)
		if spec == nil {
			return
		}
		// Assigned on some path: whether the paths that skip the
		// assignment reach the operation depends on conditions we do not
		// follow (if write { ch = ... }; ...; if write { ch <- v }).
		if assignedIn(info, f.body, chanKey{root: v}) {
			return
		}
		r.ReportRelated(c.Node(), "nil-channel", []analysis.RelatedInformation{astx.Related(spec, "declared without a value")},
			"%s %s, which is nil: declared at line %d and never assigned, so the %s %s",
			verb, id.Name, r.Line(spec.Pos()), opNoun(verb), effect)
	})
}

func opNoun(verb string) string {
	switch verb {
	case "send on":
		return "send"
	case "receive from":
		return "receive"
	case "range over":
		return "range"
	}
	return "close"
}

// nilDecl returns the value spec that declares v in f's own body without a
// value, when no closure refers to v and nothing takes its address; else nil.
func nilDecl(info *types.Info, f *fn, v *types.Var) *ast.ValueSpec {
	if v == nil || v.Pos() < f.body.Pos() || v.Pos() >= f.body.End() {
		return nil
	}
	var spec *ast.ValueSpec
	ok := true
	ast.Inspect(f.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for _, name := range n.Names {
				if info.Defs[name] == v && len(n.Values) == 0 {
					spec = n
				}
			}
		case *ast.FuncLit:
			ast.Inspect(n, func(x ast.Node) bool {
				if id, isID := x.(*ast.Ident); isID && info.Uses[id] == v {
					ok = false
				}
				return ok
			})
			return false
		case *ast.UnaryExpr:
			if n.Op == token.AND && rootIs(info, n.X, v) {
				ok = false
			}
		}
		return ok
	})
	if !ok {
		return nil
	}
	return spec
}

// unassignedChanFields returns the unexported channel fields of the
// package's struct types that no code of the package assigns: no
// assignment, no composite literal naming them (or listing values without
// names), no address taken.
func unassignedChanFields(pass *analysis.Pass, inspect *inspector.Inspector) map[*types.Var]bool {
	fields := make(map[*types.Var]bool)
	for _, name := range pass.Pkg.Scope().Names() {
		tn, ok := pass.Pkg.Scope().Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		st, ok := tn.Type().Underlying().(*types.Struct)
		if !ok {
			continue
		}
		for f := range st.Fields() {
			if _, isChan := f.Type().Underlying().(*types.Chan); isChan && !f.Exported() && !f.Embedded() {
				fields[f] = true
			}
		}
	}
	if len(fields) == 0 {
		return fields
	}
	info := pass.TypesInfo
	field := func(e ast.Expr) *types.Var {
		if sel, ok := ast.Unparen(e).(*ast.SelectorExpr); ok {
			if v, ok := info.Uses[sel.Sel].(*types.Var); ok {
				return v.Origin()
			}
		}
		return nil
	}
	for cur := range inspect.Root().Preorder((*ast.AssignStmt)(nil), (*ast.CompositeLit)(nil), (*ast.UnaryExpr)(nil), (*ast.RangeStmt)(nil)) {
		switch n := cur.Node().(type) {
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				delete(fields, field(lhs))
			}
		case *ast.RangeStmt:
			delete(fields, field(n.Key))
			delete(fields, field(n.Value))
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				delete(fields, field(n.X))
			}
		case *ast.CompositeLit:
			st, ok := underlying(info, n).(*types.Struct)
			if !ok {
				break
			}
			for i, elt := range n.Elts {
				if kv, ok := elt.(*ast.KeyValueExpr); ok {
					if id, ok := kv.Key.(*ast.Ident); ok {
						if v, ok := info.Uses[id].(*types.Var); ok {
							delete(fields, v.Origin())
						}
					}
				} else if i < st.NumFields() {
					delete(fields, st.Field(i).Origin())
				}
			}
		}
	}
	return fields
}
