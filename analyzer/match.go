package analyzer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// listPackages returns the sorted, unique import paths of the packages the
// queries match, without type-checking anything. Packages that do not list
// are recorded in s.res.Errors; those whose tests do not list are marked in
// s.noTests, to be loaded without them.
func (s *state) listPackages(ctx context.Context, queries []string) ([]string, error) {
	pcfg := &packages.Config{
		Context: ctx,
		Mode:    packages.NeedName | packages.NeedFiles | packages.NeedModule | packages.NeedForTest,
		Dir:     s.dir,
		Env:     s.cfg.Env,
		// -modfile (see splitModFile).
		BuildFlags: s.cfg.buildFlags(),
		// A file= query finds a _test.go file only in a test variant.
		Tests: s.cfg.Files != nil && !s.cfg.NoTests,
	}
	pkgs, err := packages.Load(pcfg, queries...)
	if err != nil {
		return nil, fmt.Errorf("listing packages: %w", err)
	}
	var paths []string
	var adhoc []string // directories of files go list placed in no package
	for _, p := range pkgs {
		if slices.Contains(queries, p.ID) && len(p.GoFiles) == 0 && len(p.Errors) > 0 {
			// A pattern that names nothing is the user's to fix.
			return nil, fmt.Errorf("%w %s: %s", ErrNoPackages, p.ID, p.Errors[0].Msg)
		}
		if p.ID == "command-line-arguments" && s.cfg.Files != nil {
			// go/packages answers a file= query whose directory go list
			// could not list with an ad hoc package of the file alone: a
			// file its build constraints exclude, or a package whose
			// listing failed outright (with its tests, a test-only
			// dependency whose go.sum line does not match).
			for _, f := range p.GoFiles {
				adhoc = append(adhoc, filepath.Dir(f))
			}
			continue
		}
		if p.PkgPath == "" || (len(p.GoFiles) == 0 && len(p.Errors) > 0) {
			for _, e := range p.Errors {
				s.res.Errors = append(s.res.Errors, PackageError{Package: p.ID, Message: e.Msg})
			}
			continue
		}
		if path, ok := s.ownPackage(p); ok {
			paths = append(paths, path)
		}
	}
	if len(adhoc) > 0 {
		more, err := s.relist(ctx, adhoc, pcfg.Tests)
		if err != nil {
			return nil, err
		}
		paths = append(paths, more...)
	}
	slices.Sort(paths)
	return slices.Compact(paths), nil
}

// ownPackage returns the import path to load for a listed package of the
// module, and records its files; false for a dependency, another module of
// a workspace or a generated test main.
func (s *state) ownPackage(p *packages.Package) (string, bool) {
	if p.Module == nil || p.Module.Path != s.mod.Path {
		return "", false // a dependency, or another module of a workspace
	}
	path := p.PkgPath
	switch {
	case strings.HasSuffix(p.ID, ".test") && p.Name == "main":
		return "", false // the generated test main
	case p.ForTest != "":
		path = p.ForTest // "p [p.test]" and "p_test [p.test]" load with p
	}
	s.files[path] = append(s.files[path], p.GoFiles...)
	return path, true
}

// relist lists the directories of files that go list could place in no
// package, without tests: a package whose tests do not list is loaded
// without them, and one that does not list at all is a failure. A
// directory whose files the build constraints exclude has nothing to scan.
func (s *state) relist(ctx context.Context, dirs []string, tests bool) ([]string, error) {
	slices.Sort(dirs)
	dirs = slices.Compact(dirs)
	pkgs, err := packages.Load(&packages.Config{
		Context:    ctx,
		Mode:       packages.NeedName | packages.NeedFiles | packages.NeedModule,
		Dir:        s.dir,
		Env:        s.cfg.Env,
		BuildFlags: s.cfg.buildFlags(),
	}, dirs...)
	if err != nil {
		pkgs = nil // each directory is reported below
	}
	var paths []string
	listed := map[string]bool{}
	for _, p := range pkgs {
		if len(p.GoFiles) == 0 || p.ID == "command-line-arguments" {
			continue
		}
		path, ok := s.ownPackage(p)
		if !ok {
			continue
		}
		listed[filepath.Dir(p.GoFiles[0])] = true
		paths = append(paths, path)
		if !tests {
			continue
		}
		if e := s.goListError(ctx, path, true); e.Message != "" {
			s.noTests[path] = true
			s.res.Errors = append(s.res.Errors, e)
		}
	}
	for _, d := range dirs {
		if !listed[d] {
			if e := s.goListError(ctx, d, false); e.Message != "" {
				e.Package = s.rel(d)
				s.res.Errors = append(s.res.Errors, e)
				s.res.Unloaded = append(s.res.Unloaded, s.relGoFiles(d)...)
			}
		}
	}
	return paths, nil
}

// goListError asks the go command why pattern (an import path or a
// directory) does not load, with its tests if tests is set. go/packages
// hides the answer twice over: it drops go list's DepsErrors, so that a
// test-only dependency missing from go.sum reaches us only as the type
// checker's "could not import x (invalid package name: "")"; and when go
// list fails outright (a go.sum line that does not match), it answers
// with no package and no error. Message is "" when the go command names no
// error.
func (s *state) goListError(ctx context.Context, pattern string, tests bool) PackageError {
	args := append([]string{"list", "-e", "-json=ImportPath,Error,DepsErrors"}, s.cfg.buildFlags()...)
	if tests {
		args = append(args, "-test")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, pattern)...)
	cmd.Dir = s.dir
	cmd.Env = s.cfg.Env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	pe := PackageError{Package: pattern, InTests: tests}
	if err != nil {
		for _, l := range strings.Split(stderr.String(), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "go: downloading") && !strings.HasPrefix(l, "go: finding") {
				pe.Message = l
				return pe
			}
		}
		pe.Message = err.Error()
		return pe
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			Error      *listError
			DepsErrors []*listError
		}
		if dec.Decode(&p) != nil {
			return pe
		}
		for _, e := range append([]*listError{p.Error}, p.DepsErrors...) {
			if e == nil || e.Err == "" {
				continue
			}
			// "...; to add:\n\tgo get -t p" reads as one line.
			pe.Message = strings.Join(strings.Fields(e.Err), " ")
			s.setPos(&pe, e.Pos)
			return pe
		}
	}
}

// relGoFiles returns the module-relative .go files of an absolute directory.
func (s *state) relGoFiles(dir string) []string {
	names, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	var out []string
	for _, n := range names {
		out = append(out, s.rel(n))
	}
	return out
}
