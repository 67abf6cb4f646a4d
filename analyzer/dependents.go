package analyzer

import (
	"cmp"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"
)

// dependentsMode is what the packages loaded for their calls need: syntax
// and types, dependencies from export data, no tests.
const dependentsMode = packages.NeedName | packages.NeedFiles | packages.NeedImports |
	packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedModule

// dependents returns the module's packages that import any of paths,
// directly or not, the nearest first, up to s.cfg.Dependents of them (those
// past it counted in DependentsLeftOut).
func (s *state) dependents(ctx context.Context, paths []string) []string {
	importers, err := s.importers(ctx, paths)
	if err != nil {
		// The scan of the change goes on; its blast radii are partial.
		s.res.DependentsErr = err.Error()
		return nil
	}
	if len(importers) > s.cfg.Dependents {
		s.res.DependentsLeftOut = len(importers) - s.cfg.Dependents
		importers = importers[:s.cfg.Dependents]
	}
	slices.Sort(importers)
	return importers
}

// loadDependents loads importers of the changed packages that did not
// load with them, in batches, for their calls alone.
func (s *state) loadDependents(ctx context.Context, deps []string, batch int) error {
	for i := 0; i < len(deps); i += batch {
		if err := ctx.Err(); err != nil {
			return err
		}
		chunk := deps[i:min(i+batch, len(deps))]
		if !s.cfg.goPackages {
			if pkgs, ok := s.loadListed(ctx, false, nil, chunk); ok {
				s.res.loads.listed++
				s.takeDependents(pkgs, &chunk)
				continue
			}
		}
		s.res.loads.goPackages++
		pkgs, err := packages.Load(&packages.Config{
			Context:    ctx,
			Mode:       dependentsMode,
			Dir:        s.dir,
			Env:        s.cfg.Env,
			BuildFlags: s.cfg.buildFlags(),
		}, chunk...)
		if err != nil {
			s.res.DependentsLeftOut += len(chunk)
			continue
		}
		s.takeDependents(pkgs, &chunk)
	}
	return nil
}

// takeDependents records the functions, light, of the packages of pkgs
// that are importers named in *deps (their plain variants: tests do not
// count), counts those that did not load in DependentsLeftOut, sets *deps
// to nil and returns the other packages.
func (s *state) takeDependents(pkgs []*packages.Package, deps *[]string) []*packages.Package {
	want := map[string]bool{}
	for _, d := range *deps {
		want[d] = true
	}
	*deps = nil
	var rest []*packages.Package
	loaded := map[string]bool{}
	for _, p := range pkgs {
		path := cmp.Or(p.ForTest, p.PkgPath)
		if !want[path] {
			rest = append(rest, p)
			continue
		}
		if p.ForTest != "" || !usable(p) || len(p.Errors) > 0 {
			continue
		}
		loaded[path] = true
		s.res.DependentPackages = append(s.res.DependentPackages, p.PkgPath)
		ix := newPkgIndex(p, s.mod)
		ix.light = true
		for _, f := range p.Syntax {
			name := p.Fset.File(f.FileStart).Name()
			if !s.ownFile(name) || ast.IsGenerated(f) || strings.HasSuffix(name, "_test.go") {
				continue
			}
			s.res.Dependents = append(s.res.Dependents, ix.extractFuncs(f, s.rel(name))...)
		}
		s.res.Vars = append(s.res.Vars, ix.vars...)
	}
	s.res.DependentsLeftOut += len(want) - len(loaded)
	return rest
}

// importers lists the module's packages that import one of paths, directly
// or through others of the module, sorted, paths themselves left out: a
// main two packages up is an entry point of the change.
//
// The import graph comes from the import clauses of the module's non-test
// files, parsed alone, not from go list: listing a module as large as
// golang.org/x/tools costs the go command most of a second, parsing its
// imports a tenth of that. Build constraints are not evaluated, so a file
// excluded from the build may add an importer, which then only costs its
// load; none is missed.
func (s *state) importers(ctx context.Context, paths []string) ([]string, error) {
	importedBy, err := s.importGraph(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the packages that import the changed ones: %w", err)
	}
	// Breadth first, so that a bound keeps the nearest importers.
	seen := map[string]bool{}
	for _, p := range paths {
		seen[p] = true
	}
	var importers []string
	queue := slices.Clone(paths)
	for len(queue) > 0 {
		var next []string
		for _, p := range queue {
			for _, q := range importedBy[p] {
				if !seen[q] {
					seen[q] = true
					next = append(next, q)
				}
			}
		}
		slices.Sort(next)
		importers = append(importers, next...)
		queue = next
	}
	return importers, nil
}

// importGraph maps each import path to the module's packages that import
// it, from the import clauses of the module's non-test Go files. It walks
// the module directory as the go command's ./... does: no testdata, vendor
// or nested modules, nothing whose name starts with "." or "_".
func (s *state) importGraph(ctx context.Context) (map[string][]string, error) {
	importedBy := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(s.mod.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path == s.mod.Dir {
				return nil
			}
			if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
			return ctx.Err()
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return nil // the load of its package says what is wrong
		}
		rel := s.rel(filepath.Dir(path))
		pkg := s.mod.Path
		if rel != "." {
			pkg += "/" + rel
		}
		for _, imp := range f.Imports {
			if p, err := strconv.Unquote(imp.Path.Value); err == nil {
				importedBy[p] = append(importedBy[p], pkg)
			}
		}
		return nil
	})
	for p, by := range importedBy {
		slices.Sort(by)
		importedBy[p] = slices.Compact(by)
	}
	return importedBy, err
}
