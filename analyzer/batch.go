package analyzer

import (
	"cmp"
	"context"
	"fmt"
	"go/ast"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// loadMode is what go/packages loads a batch with when the listing
// declines it (see loadListed).
const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
	packages.NeedImports | packages.NeedTypes | packages.NeedTypesSizes |
	packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedModule | packages.NeedForTest

// deps are importers of the changed packages to load with them for their
// calls alone (see loadDependents); they are not analysed.
func (s *state) loadAndAnalyse(ctx context.Context, paths, deps []string) error {
	errStart := len(s.res.Errors)
	unloadedStart := len(s.res.Unloaded)
	var tested, untested []string
	for _, p := range paths {
		if s.cfg.NoTests || s.noTests[p] {
			untested = append(untested, p)
		} else {
			tested = append(tested, p)
		}
	}
	var good []*packages.Package
	if len(tested) > 0 {
		pkgs, err := s.loadWith(ctx, true, tested, &deps)
		if err != nil {
			// The go command failed for the batch with its tests: without
			// them, the packages' own code may still load.
			for _, p := range tested {
				s.res.Errors = append(s.res.Errors, PackageError{Package: p, Message: firstLine(err.Error(), err), InTests: true})
			}
			untested = append(untested, tested...)
		} else {
			use, retry := s.take(ctx, pkgs, tested, true)
			good = append(good, use...)
			untested = append(untested, retry...)
		}
	}
	if len(untested) > 0 {
		pkgs, err := s.loadWith(ctx, false, untested, &deps)
		if err != nil {
			return fmt.Errorf("loading packages: %w", err)
		}
		use, _ := s.take(ctx, pkgs, untested, false)
		good = append(good, use...)
	}
	if len(deps) > 0 {
		// They did not load with the packages; on their own, then.
		if err := s.loadDependents(ctx, deps, len(deps)); err != nil {
			return err
		}
	}
	analysed := map[string]bool{}
	for _, p := range good {
		for _, f := range p.GoFiles {
			analysed[f] = true
		}
		// Facts would need every dependency loaded from source. The passes
		// that use them run on these packages alone (see StaticAnalyzers).
		p.Imports = nil
	}
	for _, path := range paths {
		for _, f := range s.files[path] {
			if !analysed[f] && s.ownFile(f) {
				s.res.Unloaded = append(s.res.Unloaded, s.rel(f))
			}
		}
	}
	if len(good) == 0 {
		return nil
	}

	analyzers := SignalAnalyzers()
	if !s.cfg.NoStatic {
		analyzers = append(analyzers, StaticAnalyzers()...)
		analyzers = append(analyzers, DetectorAnalyzers()...)
	}
	sort.Slice(good, func(i, j int) bool { return good[i].ID < good[j].ID })
	graph, err := checker.Analyze(analyzers, good, nil)
	if err != nil {
		return fmt.Errorf("analysing packages: %w", err)
	}

	// Each path's record, as the cache keeps it; then applied to the result.
	recs := map[string]*pkgRecord{}
	var order []string
	for _, p := range good {
		path := cmp.Or(p.ForTest, p.PkgPath)
		rec := recs[path]
		if rec == nil {
			rec = &pkgRecord{}
			recs[path] = rec
			order = append(order, path)
		}
		ix := newPkgIndex(p, s.mod)
		for _, f := range p.Syntax {
			name := p.Fset.File(f.FileStart).Name()
			// With cgo, the syntax is cgo's translation (in the build
			// cache, marked generated), whose //line directives name the
			// user's file: that file is the one to read and report on.
			cgo := false
			if orig := p.Fset.Position(f.Package).Filename; orig != name && s.ownFile(orig) {
				name, cgo = orig, true
			}
			rel := s.rel(name)
			if !s.ownFile(name) || (!cgo && ast.IsGenerated(f)) || slices.Contains(rec.Files, rel) {
				continue
			}
			rec.Files = append(rec.Files, rel)
			rec.Funcs = append(rec.Funcs, ix.extractFuncs(f, rel)...)
		}
		rec.Vars = append(rec.Vars, ix.vars...)
	}

	for act := range graph.All() {
		if !act.IsRoot {
			continue
		}
		p := act.Package
		rec := recs[cmp.Or(p.ForTest, p.PkgPath)]
		if act.Err != nil {
			s.res.Errors = append(s.res.Errors, PackageError{
				Package: p.PkgPath,
				Message: fmt.Sprintf("%s: %v", act.Analyzer.Name, act.Err),
			})
			continue
		}
		for _, d := range act.Diagnostics {
			if rd, ok := s.rawDiagnostic(act.Analyzer, p, d); ok {
				rec.Diags = append(rec.Diags, rd)
			}
		}
	}

	// A path with an error, or with files left unanalysed, is not stored:
	// it is analysed again until it is whole.
	dirty := map[string]bool{}
	for _, e := range s.res.Errors[errStart:] {
		dirty[errPath(e.Package)] = true
	}
	unloaded := map[string]bool{}
	for _, f := range s.res.Unloaded[unloadedStart:] {
		unloaded[f] = true
	}
	for _, path := range order {
		rec := recs[path]
		for _, f := range s.files[path] {
			if unloaded[s.rel(f)] {
				dirty[path] = true
			}
		}
		countRegionTokens(rec)
		if !dirty[path] {
			s.store(path, rec, s.keys)
		}
		s.apply(rec)
	}
	return nil
}

// rawDiagnostic turns a pass's diagnostic into plain positions; false for
// one outside the module's own files.
func (s *state) rawDiagnostic(a *analysis.Analyzer, p *packages.Package, d analysis.Diagnostic) (rawDiag, bool) {
	pos := p.Fset.Position(d.Pos)
	if !pos.IsValid() || !s.ownFile(pos.Filename) {
		return rawDiag{}, false
	}
	rd := rawDiag{Diagnostic: Diagnostic{
		Analyzer: a.Name,
		Category: d.Category,
		Package:  p.PkgPath,
		File:     s.rel(pos.Filename),
		Line:     pos.Line,
		Column:   pos.Column,
		Message:  d.Message,
	}}
	if w, ok := signalWeight(a, d.Category); ok || isSignalPass(a) {
		if !ok {
			w = 1 // a category the pass did not declare; its test should catch it
		}
		rd.Signal, rd.Weight = true, w
		return rd, true
	}
	if d.End.IsValid() {
		end := p.Fset.Position(d.End)
		if end.Filename == pos.Filename {
			rd.EndLine, rd.EndColumn = end.Line, end.Column
		}
	}
	for _, r := range d.Related {
		rp := p.Fset.Position(r.Pos)
		if rp.IsValid() && s.ownFile(rp.Filename) {
			rd.Related = append(rd.Related, Related{File: s.rel(rp.Filename), Line: rp.Line, Column: rp.Column, Message: r.Message})
		}
	}
	return rd, true
}

// apply adds a package's record to the result: its files and functions
// (unless another package already gave them), its diagnostics as findings,
// signals on their functions, or, under Config.Demote, demoted signals.
func (s *state) apply(rec *pkgRecord) {
	s.res.addTokens(rec)
	skip := map[string]bool{}
	for _, f := range rec.Files {
		if s.seenFile[f] {
			skip[f] = true // a file another variant already covered
			continue
		}
		s.seenFile[f] = true
		s.res.Files = append(s.res.Files, f)
	}
	for _, fn := range rec.Funcs {
		if !skip[fn.File] {
			s.byFile[fn.File] = append(s.byFile[fn.File], fn)
			s.res.Funcs = append(s.res.Funcs, fn)
		}
	}
	s.res.Vars = append(s.res.Vars, rec.Vars...)
	for _, d := range rec.Diags {
		s.addDiagnostic(d)
	}
}

// loadWith loads the packages of paths as load does, and with them the
// importers *deps, whose functions it records (takeDependents), setting
// *deps to nil. When the importers' company keeps one of paths from
// loading (go list fails outright for the whole set: a go.sum line of an
// importer's dependency), paths load alone and *deps is left for
// loadDependents: an importer must never cost the change its analysis.
func (s *state) loadWith(ctx context.Context, tests bool, paths []string, deps *[]string) ([]*packages.Package, error) {
	if len(*deps) == 0 {
		return s.load(ctx, tests, paths)
	}
	if !s.cfg.goPackages {
		if pkgs, ok := s.loadListed(ctx, tests, paths, *deps); ok {
			s.res.loads.listed++
			return s.takeDependents(pkgs, deps), nil
		}
	}
	s.res.loads.goPackages++
	pkgs, err := s.loadPackages(ctx, tests, slices.Concat(paths, *deps))
	if err == nil && covers(pkgs, paths) {
		return s.takeDependents(pkgs, deps), nil
	}
	return s.load(ctx, tests, paths)
}

// covers reports whether pkgs hold a package for each of paths.
func covers(pkgs []*packages.Package, paths []string) bool {
	found := map[string]bool{}
	for _, p := range pkgs {
		found[cmp.Or(p.ForTest, p.PkgPath)] = true
	}
	for _, p := range paths {
		if !found[p] {
			return false
		}
	}
	return true
}

// load loads the packages of paths with full syntax and types.
func (s *state) load(ctx context.Context, tests bool, paths []string) ([]*packages.Package, error) {
	if !s.cfg.goPackages {
		if pkgs, ok := s.loadListed(ctx, tests, paths, nil); ok {
			s.res.loads.listed++
			return pkgs, nil
		}
	}
	s.res.loads.goPackages++
	return s.loadPackages(ctx, tests, paths)
}

// loadPackages loads the packages of paths with go/packages, which lists
// them anew and compiles them all for export data.
func (s *state) loadPackages(ctx context.Context, tests bool, paths []string) ([]*packages.Package, error) {
	return packages.Load(&packages.Config{
		Context:    ctx,
		Mode:       loadMode,
		Dir:        s.dir,
		Env:        s.cfg.Env,
		BuildFlags: s.cfg.buildFlags(),
		Tests:      tests,
	}, paths...)
}

// addFiles records the Go files of loaded packages (test variants
// included), to know which of them went unanalysed.
func (s *state) addFiles(pkgs []*packages.Package) {
	for _, p := range pkgs {
		path := cmp.Or(p.ForTest, p.PkgPath)
		s.files[path] = append(s.files[path], p.GoFiles...)
	}
}

// take records what a load (with tests or not) gave for paths, and returns
// the packages to analyse and, with tests, the paths to load again without
// them: those the go command gave nothing for.
func (s *state) take(ctx context.Context, pkgs []*packages.Package, paths []string, tests bool) (use []*packages.Package, retry []string) {
	s.addFiles(pkgs)
	v := pickVariants(pkgs, paths)
	for _, p := range slices.Concat(v.use, v.failed) {
		s.recordErrors(ctx, p, false)
	}
	for _, p := range v.testsFailed {
		s.recordErrors(ctx, p, true)
	}
	for _, path := range v.missing {
		// go list failed outright (see goListError).
		e := s.goListError(ctx, path, tests)
		if e.Message == "" {
			e.Message = "did not load, and the go command said nothing more"
		}
		s.res.Errors = append(s.res.Errors, e)
		if fs := s.files[path]; tests && len(fs) > 0 {
			// Its test files, which no listing named, go unanalysed.
			names, _ := filepath.Glob(filepath.Join(filepath.Dir(fs[0]), "*_test.go"))
			s.files[path] = append(fs, names...)
		}
	}
	if tests {
		retry = v.missing
	}
	return v.use, retry
}

// variants is what pickVariants chose among the packages of a load.
type variants struct {
	use         []*packages.Package // to analyse
	failed      []*packages.Package // did not load, and nothing stands in for them
	testsFailed []*packages.Package // test variants that did not load: their package stands in
	missing     []string            // paths asked for that the load gave nothing for
}

// pickVariants chooses the variants of the packages of paths to analyse.
// With tests, "p [p.test]" holds all of p's files, so p itself need not be
// analysed again (go vet does the same), unless the test variant does not
// load: then p is, without its tests. The generated test main "p.test" is
// never analysed.
func pickVariants(pkgs []*packages.Package, paths []string) variants {
	testVariant := map[string]*packages.Package{}
	plain := map[string]*packages.Package{}
	for _, p := range pkgs {
		switch {
		case p.ForTest != "" && p.PkgPath == p.ForTest:
			testVariant[p.PkgPath] = p
		case p.ForTest == "":
			plain[p.PkgPath] = p
		}
	}
	var v variants
	found := map[string]bool{}
	for _, p := range pkgs {
		found[cmp.Or(p.ForTest, p.PkgPath)] = true
		switch tv := testVariant[p.PkgPath]; {
		case strings.HasSuffix(p.ID, ".test") && p.Name == "main":
			// The generated test main.
		case p == tv && plain[p.PkgPath] != nil:
			if usable(p) {
				v.use = append(v.use, p)
			} else if usable(plain[p.PkgPath]) {
				v.testsFailed = append(v.testsFailed, p)
			}
			// Else the package's own errors are the ones to report.
		case p.ForTest == "" && tv != nil:
			switch {
			case usable(tv):
				// The test variant covers it.
			case usable(p):
				v.use = append(v.use, p) // without its tests
			default:
				v.failed = append(v.failed, p)
			}
		case usable(p):
			v.use = append(v.use, p)
		default:
			v.failed = append(v.failed, p)
		}
	}
	for _, path := range paths {
		if !found[path] {
			v.missing = append(v.missing, path)
		}
	}
	return v
}

// usable reports whether a package loaded well enough to analyse.
func usable(p *packages.Package) bool {
	return !p.IllTyped && len(p.Syntax) > 0 && p.Types != nil
}

// recordErrors records the errors of a package that did not load; inTests
// says they are its tests', and the package was analysed without them.
func (s *state) recordErrors(ctx context.Context, p *packages.Package, inTests bool) {
	if len(p.Errors) == 0 {
		return
	}
	if inTests && slices.ContainsFunc(p.Errors, func(e packages.Error) bool { return strings.Contains(e.Msg, "could not import") }) {
		// Most often a test-only dependency missing from go.sum, which
		// only the go command can say (see goListError).
		if e := s.goListError(ctx, p.ForTest, true); e.Message != "" {
			s.res.Errors = append(s.res.Errors, e)
			return
		}
	}
	// When a package does not type-check, go list's attempt to compile it
	// for export data fails with the same errors as compiler output ("# p\n
	// file:line: msg"); the type checker's errors say it better.
	typed := slices.ContainsFunc(p.Errors, func(e packages.Error) bool {
		return e.Kind == packages.TypeError || e.Kind == packages.ParseError
	})
	for _, e := range p.Errors {
		if typed && e.Kind == packages.ListError && strings.HasPrefix(e.Msg, "# ") {
			continue
		}
		pe := PackageError{Package: p.PkgPath, Message: e.Msg, InTests: inTests}
		s.setPos(&pe, e.Pos)
		s.res.Errors = append(s.res.Errors, pe)
	}
}

// setPos sets the position of pe from a "file:line:col" of the go command.
func (s *state) setPos(pe *PackageError, pos string) {
	fp := parsePos(pos)
	if fp.file == "" {
		return
	}
	if !filepath.IsAbs(fp.file) {
		fp.file = filepath.Join(s.dir, fp.file) // go list's positions are relative to its directory
	}
	pe.File, pe.Line, pe.Column = s.rel(fp.file), fp.line, fp.col
}

type filePos struct {
	file      string
	line, col int
}

// parsePos parses the "file:line:col" of a packages.Error.
func parsePos(pos string) filePos {
	if pos == "" || pos == "-" {
		return filePos{}
	}
	parts := strings.Split(pos, ":")
	var fp filePos
	// Walk from the end: the file name may itself hold colons.
	nums := []int{}
	for len(parts) > 1 && len(nums) < 2 {
		var n int
		if _, err := fmt.Sscanf(parts[len(parts)-1], "%d", &n); err != nil {
			break
		}
		nums = append([]int{n}, nums...)
		parts = parts[:len(parts)-1]
	}
	fp.file = strings.Join(parts, ":")
	if len(nums) > 0 {
		fp.line = nums[0]
	}
	if len(nums) > 1 {
		fp.col = nums[1]
	}
	return fp
}
