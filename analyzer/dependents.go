package analyzer

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"os/exec"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// dependentsMode is what the packages loaded for their calls need: syntax
// and types, dependencies from export data, no tests.
const dependentsMode = packages.NeedName | packages.NeedFiles | packages.NeedImports |
	packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedModule

// loadDependents loads the module's packages that import any of paths
// directly or not (up to s.cfg.Dependents of them, the nearest first, in
// batches) and records their
// functions, light, in s.res.Dependents.
func (s *state) loadDependents(ctx context.Context, paths []string, batch int) error {
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
	for i := 0; i < len(importers); i += batch {
		chunk := importers[i:min(i+batch, len(importers))]
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
		loaded := 0
		for _, p := range pkgs {
			if !usable(p) || len(p.Errors) > 0 {
				continue
			}
			loaded++
			s.res.DependentPackages = append(s.res.DependentPackages, p.PkgPath)
			ix := newPkgIndex(p, s.mod)
			ix.light = true
			for _, f := range p.Syntax {
				name := p.Fset.File(f.FileStart).Name()
				if !s.ownFile(name) || ast.IsGenerated(f) {
					continue
				}
				s.res.Dependents = append(s.res.Dependents, ix.extractFuncs(f, s.rel(name))...)
			}
		}
		s.res.DependentsLeftOut += len(chunk) - loaded
	}
	slices.Sort(s.res.DependentPackages)
	return nil
}

// importers lists the module's packages that import one of paths, directly
// or through others of the module, sorted, paths themselves left out: a
// main two packages up is an entry point of the change. One go list of the
// module's packages, without their dependencies or types.
func (s *state) importers(ctx context.Context, paths []string) ([]string, error) {
	args := append([]string{"list", "-e", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}"}, s.cfg.buildFlags()...)
	cmd := exec.CommandContext(ctx, "go", append(args, "./...")...)
	cmd.Dir = s.mod.Dir
	cmd.Env = s.cfg.Env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing the packages that import the changed ones: %s", firstLine(strings.TrimSpace(stderr.String()), err))
	}
	importedBy := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		for _, imp := range f[min(1, len(f)):] {
			importedBy[imp] = append(importedBy[imp], f[0])
		}
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
