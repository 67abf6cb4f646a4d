package errs

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
)

// This file holds the flow categories: err-shadowed, err-overwritten, err-swallowed(-noted).

// checkShadow reports err := inside a block that hides an outer err read after the block.
func checkShadow(pass *analysis.Pass, c inspector.Cursor, as *ast.AssignStmt) {
	if as.Tok != token.DEFINE {
		return
	}
	switch c.ParentEdgeKind() {
	case edge.BlockStmt_List, edge.CaseClause_Body, edge.CommClause_Body:
	default:
		return // if/switch/for header: deliberate scoping
	}
	info := pass.TypesInfo
	fc, ok := enclosingFunc(c)
	if !ok {
		return
	}
	for _, lhs := range as.Lhs {
		id, _ := lhs.(*ast.Ident)
		v, _ := info.Defs[id].(*types.Var)
		if id == nil || v == nil || v.Parent() == nil || v.Parent().Parent() == nil || !isError(v.Type()) {
			continue
		}
		inner := v.Parent()
		_, obj := inner.Parent().LookupParent(id.Name, id.Pos())
		outer, _ := obj.(*types.Var)
		if outer == nil || !isError(outer.Type()) || outer.Pos() < fc.Node().Pos() {
			continue
		}
		if handedOn(info, fc, inner, v) {
			continue // returned or passed on inside the block, as in if err != nil { return err }
		}
		if live(fc, info, outer, inner.Pos()) {
			continue // the outer err holds an unchecked error that the later read is for
		}
		first := firstRefAfter(info, fc.Node(), outer, inner.End())
		if first == nil || isAssigned(c.Inspector(), first) {
			continue
		}
		report(pass, id, "err-shadowed", "%s declared with := shadows the %s of line %d, which is read at line %d after this block; this error never reaches it",
			id.Name, id.Name, pass.Fset.Position(outer.Pos()).Line, pass.Fset.Position(first.Pos()).Line)
	}
}

// handedOn reports whether v, declared in scope, is returned or passed to a call within the scope.
func handedOn(info *types.Info, fn inspector.Cursor, scope *types.Scope, v *types.Var) bool {
	for ref := range fn.Preorder((*ast.Ident)(nil)) {
		if info.Uses[ref.Node().(*ast.Ident)] != v || !scope.Contains(ref.Node().Pos()) {
			continue
		}
		for p := ref.Parent(); ; p = p.Parent() {
			switch p.Node().(type) {
			case *ast.ReturnStmt, *ast.CallExpr:
				return true
			}
			if _, ok := p.Node().(ast.Stmt); ok {
				break
			}
		}
	}
	return false
}

// live reports whether v, at pos, holds a value written since its last read: the last mention of v
// before pos is a write (an assignment, or a declaration with a value).
func live(fn inspector.Cursor, info *types.Info, v *types.Var, pos token.Pos) bool {
	var last inspector.Cursor
	found := false
	for c := range fn.Preorder((*ast.Ident)(nil)) {
		if id := c.Node().(*ast.Ident); id.Pos() < pos && info.ObjectOf(id) == v {
			last, found = c, true
		}
	}
	if !found {
		return false
	}
	if spec, ok := last.Parent().Node().(*ast.ValueSpec); ok {
		return len(spec.Values) > 0
	}
	return last.ParentEdgeKind() == edge.AssignStmt_Lhs
}

// firstRefAfter returns the first identifier in fn after pos that refers to v.
func firstRefAfter(info *types.Info, fn ast.Node, v *types.Var, pos token.Pos) *ast.Ident {
	var first *ast.Ident
	ast.Inspect(fn, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Pos() > pos && info.Uses[id] == v && (first == nil || id.Pos() < first.Pos()) {
			first = id
		}
		return true
	})
	return first
}

// isAssigned reports whether id is the target of an assignment rather than a read.
func isAssigned(insp *inspector.Inspector, id *ast.Ident) bool {
	c, ok := insp.Root().FindNode(id)
	return ok && c.ParentEdgeKind() == edge.AssignStmt_Lhs
}

// checkOverwrite reports an error variable assigned from a call twice in one statement list with no
// read in between.
func checkOverwrite(pass *analysis.Pass, list []ast.Stmt) {
	info := pass.TypesInfo
	for i, s := range list {
		v := assignedErr(info, s)
		if v == nil {
			continue
		}
		for _, next := range list[i+1:] {
			if !mentions(info, next, v) {
				continue
			}
			if as, ok := next.(*ast.AssignStmt); ok && assignedErr(info, as) == v && !mentionsAny(info, as.Rhs, v) {
				report(pass, as, "err-overwritten", "%s assigned at line %d is overwritten before it is checked",
					v.Name(), pass.Fset.Position(s.Pos()).Line)
			}
			break
		}
	}
}

// assignedErr returns the error variable that s assigns from a call, if any.
func assignedErr(info *types.Info, s ast.Stmt) *types.Var {
	as, ok := s.(*ast.AssignStmt)
	if !ok || len(as.Rhs) != 1 || (as.Tok != token.ASSIGN && as.Tok != token.DEFINE) {
		return nil
	}
	if _, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr); !ok {
		return nil
	}
	for _, lhs := range as.Lhs {
		if id, ok := lhs.(*ast.Ident); ok && id.Name != "_" {
			if v, ok := info.ObjectOf(id).(*types.Var); ok && isError(v.Type()) && v.Pkg() != nil && v.Parent() != v.Pkg().Scope() {
				return v
			}
		}
	}
	return nil
}

func mentions(info *types.Info, n ast.Node, v *types.Var) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && info.ObjectOf(id) == v {
			found = true
		}
		return !found
	})
	return found
}

func mentionsAny(info *types.Info, exprs []ast.Expr, v *types.Var) bool {
	for _, e := range exprs {
		if mentions(info, e, v) {
			return true
		}
	}
	return false
}

// checkSwallow reports if err != nil { return ..., nil } in a function returning an error.
func checkSwallow(pass *analysis.Pass, c inspector.Cursor, ifs *ast.IfStmt) {
	info := pass.TypesInfo
	bin, ok := ast.Unparen(ifs.Cond).(*ast.BinaryExpr)
	if !ok || bin.Op != token.NEQ {
		return
	}
	x := bin.X
	if isNil(info, x) {
		x = bin.Y
	} else if !isNil(info, bin.Y) {
		return
	}
	errID, ok := ast.Unparen(x).(*ast.Ident)
	v, _ := info.Uses[errID].(*types.Var)
	if !ok || v == nil || !isError(v.Type()) {
		return
	}
	fc, ok := enclosingFunc(c)
	if !ok {
		return
	}
	sig := signature(info, fc.Node())
	if sig == nil || sig.Results().Len() == 0 || !isError(sig.Results().At(sig.Results().Len()-1).Type()) {
		return
	}
	for _, s := range ifs.Body.List {
		ret, ok := s.(*ast.ReturnStmt)
		if !ok || len(ret.Results) != sig.Results().Len() || !isNil(info, ret.Results[len(ret.Results)-1]) {
			continue
		}
		if mentionsAny(info, ret.Results, v) {
			return // the error travels in another result
		}
		line := pass.Fset.Position(ret.Pos()).Line
		if noted(pass, ifs.Body, v) {
			report(pass, ifs.Cond, "err-swallowed-noted", "%s is non-nil but the return at line %d gives a nil error (the block logs or comments on it)", errID.Name, line)
		} else {
			report(pass, ifs.Cond, "err-swallowed", "%s is non-nil but the return at line %d gives a nil error; the failure is reported as success", errID.Name, line)
		}
		return
	}
}

// noted reports whether block carries a sign that swallowing the error is deliberate: a comment on a
// line of its own within it, a call statement (typically a log line) or a use of the error.
func noted(pass *analysis.Pass, block *ast.BlockStmt, v *types.Var) bool {
	open := pass.Fset.Position(block.Lbrace).Line
	for _, f := range pass.Files {
		for _, cg := range f.Comments {
			if cg.Pos() > block.Lbrace && cg.End() < block.Rbrace && pass.Fset.Position(cg.Pos()).Line > open {
				return true
			}
		}
	}
	for _, s := range block.List {
		if _, ok := s.(*ast.ExprStmt); ok || mentions(pass.TypesInfo, s, v) {
			return true
		}
	}
	return false
}
