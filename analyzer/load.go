package analyzer

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// ErrNotModule is returned by [Run] when the directory is not inside a Go
// module.
var ErrNotModule = errors.New("not in a Go module")

// ErrNoPackages is returned by [Run] when the patterns match no package.
var ErrNoPackages = errors.New("no Go packages matched")

// ErrModFile is returned by [Run] when Config.ModFile (or GOFLAGS'
// -modfile) names a file that cannot be read.
var ErrModFile = errors.New("cannot read the -modfile")

// Config says what [Run] loads and analyses. Its zero value loads ./... of
// the module in the current directory, tests included.
type Config struct {
	// Dir is the directory to run in: the module root or any directory
	// inside the module. Empty means the current directory.
	Dir string

	// Patterns are go/packages patterns, relative to Dir. Empty means
	// "./...". Ignored when Files is set (see [PackageFiles] to narrow
	// Files by patterns).
	Patterns []string

	// Files, when set, are the files of a change, relative to the module
	// root and slash-separated: only the packages holding them are loaded.
	// Files that no longer exist are ignored.
	Files []string

	// NoTests leaves _test.go files out.
	NoTests bool

	// NoStatic skips the x/tools passes (their findings), keeping only the
	// risk signals.
	NoStatic bool

	// BatchSize bounds how many packages are loaded and analysed at once, to
	// keep memory flat on large modules. Zero means a default of 32.
	BatchSize int

	// Env, if non-nil, is the environment of the go command. A -modfile in
	// its GOFLAGS is taken out and used as ModFile (unless ModFile is set).
	Env []string

	// ModFile, if set, is the go.mod file to use instead of the module's,
	// as the go command's -modfile (a repository may keep its test-only
	// dependencies in go_test.mod). A relative name is resolved against
	// the module root, not Dir.
	ModFile string

	// Progress, if non-nil, is called after each batch with the number of
	// packages analysed so far and the total.
	Progress func(done, total int)

	// Module, if non-nil, is the module Dir lies in, as [FindModule]
	// returned it: a caller that knows it saves asking the go command again.
	Module *Module

	// Demote, if non-nil, says which diagnostics of the bug-finding passes
	// are only risk signals (their rule is under the precision gate): they
	// become a signal of weight DemotedWeight in their function, and are
	// counted in Result.Demoted instead of listed in Result.Diagnostics.
	Demote func(Diagnostic) bool

	// Dependents, when positive in a diff scan (Files set), also loads up
	// to this many packages of the module that import the analysed ones,
	// for their calls alone: they are not analysed and give no regions,
	// but their functions ([Result.Dependents]) count in the blast radius
	// of the changed ones ([Reach]). Those past the bound are counted in
	// Result.DependentsLeftOut.
	Dependents int

	// Cache, if non-nil, keeps each package's analysis between runs: a
	// package whose files, dependencies' export data, toolchain and
	// secondlook are as they were is restored, not loaded nor analysed
	// (see pkgcache.go). Nil analyses everything.
	Cache Store

	goPackages bool // load every batch with go/packages, as before listing.go (for tests)
}

// Module describes the module being analysed.
type Module struct {
	Path      string // module path
	Dir       string // absolute directory of go.mod
	GoVersion string // the go directive, e.g. "1.22"
}

// Diagnostic is a finding of an x/tools pass, in plain positions.
type Diagnostic struct {
	Analyzer  string    // the pass's name, e.g. "nilness"
	Category  string    // the diagnostic's category, often empty
	Package   string    // import path
	File      string    // module-relative, slash-separated
	Line      int       // 1-based
	Column    int       // 1-based byte column
	EndLine   int       // 0 if unknown
	EndColumn int       // 0 if unknown
	Message   string    // as the pass wrote it
	Related   []Related // the pass's related positions
}

// Related is a secondary position of a diagnostic.
type Related struct {
	File    string
	Line    int
	Column  int
	Message string
}

// PackageError is a package that did not load or analyse cleanly.
type PackageError struct {
	Package string // import path, or the pattern that failed
	File    string // module-relative file, if known
	Line    int    // 1-based, if known
	Column  int
	Message string

	// InTests says the error is in the package's tests (a _test.go file
	// that does not type-check, a test-only dependency that does not
	// load): the package was analysed without them.
	InTests bool
}

func (e PackageError) String() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
			if e.Column > 0 {
				fmt.Fprintf(&b, ":%d", e.Column)
			}
		}
		b.WriteString(": ")
	} else if e.Package != "" {
		b.WriteString(e.Package + ": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Result is what [Run] found.
type Result struct {
	Module      Module
	Packages    []string // import paths analysed, sorted
	Files       []string // module-relative Go files analysed, sorted (generated and vendored files are not)
	Funcs       []*Func  // every function of the analysed files, by file and line
	Diagnostics []Diagnostic
	Errors      []PackageError
	// Demoted counts diagnostics that Config.Demote turned into signals.
	Demoted int

	// Dependents are the functions (without code or context) of the
	// packages that import the analysed ones, when Config.Dependents asked
	// for them; DependentPackages are those packages, sorted.
	Dependents        []*Func
	DependentPackages []string
	// DependentsLeftOut counts the packages importing the analysed ones
	// that were not loaded: past Config.Dependents, or failing to load.
	// Their calls are missing from every blast radius.
	DependentsLeftOut int
	// DependentsErr says why the importing packages could not be listed;
	// "" when they were.
	DependentsErr string

	// Vars are package-level variables whose initializers use functions
	// of the module (of the analysed packages and the dependents), as Funcs
	// holding only their Calls: callers for [Reach], never regions.
	Vars []*Func

	// Unloaded are the module-relative Go files that were to be analysed
	// and were not, because their package (or, for test files, its test
	// variant) did not load; their errors are in Errors. Sorted.
	Unloaded []string

	// Cached counts the packages restored from Config.Cache, neither
	// loaded nor analysed.
	Cached int

	// tokens are token counts already made (see Result.CountTokens).
	tokens *tokenMemo

	// loads counts the batches loaded from the listing and those it
	// declined, which go/packages loaded.
	loads struct{ listed, goPackages int }
}

// Run loads the packages cfg names and analyses them. It returns an error
// only when nothing can be analysed (not a module, no package matched, the
// go command failed); packages that fail to load are recorded in
// Result.Errors and the others are analysed.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	dir := cfg.Dir
	if dir == "" {
		dir = "."
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	cfg, mod, err := cfg.prepare(ctx, dir)
	if err != nil {
		return nil, err
	}
	res := &Result{Module: mod, tokens: &tokenMemo{counts: map[string]int{}, store: cfg.Cache}}

	var queries []string
	if cfg.Files != nil {
		for _, f := range cfg.Files {
			abs := filepath.Join(mod.Dir, filepath.FromSlash(f))
			if strings.HasSuffix(f, ".go") && fileExists(abs) {
				queries = append(queries, "file="+abs)
			}
		}
		if len(queries) == 0 {
			return res, nil
		}
	} else {
		queries = cfg.Patterns
		if len(queries) == 0 {
			queries = []string{"./..."}
		}
	}

	// First a cheap listing, to know what to load; then the expensive load
	// and analysis in batches.
	a := &state{res: res, mod: mod, dir: dir, cfg: cfg, seenFile: map[string]bool{}, seenDiag: map[diagKey]bool{},
		noTests: map[string]bool{}, files: map[string][]string{}, byFile: map[string][]*Func{}}
	// The listing the batches load from, whose export data also keys the
	// cache (listing.go). In a full scan the go command lists it while it
	// lists the packages; a diff scan knows its packages only after.
	var exports chan *listing
	if cfg.Files == nil {
		exports = make(chan *listing, 1)
		go func() { exports <- a.listExports(ctx, queries, nil) }()
	}
	paths, err := a.listPackages(ctx, queries)
	if exports != nil {
		a.exports = <-exports
	}
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		if len(res.Errors) > 0 {
			return res, nil
		}
		if cfg.Files != nil {
			return res, nil // changed files outside any package of this module
		}
		return nil, fmt.Errorf("%w %s in %s", ErrNoPackages, strings.Join(queries, " "), dir)
	}

	batch := cfg.BatchSize
	if batch <= 0 {
		batch = 32
	}
	var deps []string // importers of the changed packages, for their calls
	if cfg.Files != nil && cfg.Dependents > 0 {
		deps = a.dependents(ctx, paths)
	}
	if exports == nil {
		a.exports = a.listExports(ctx, paths, deps)
	}
	todo := paths
	if cfg.Cache != nil {
		a.keys = a.cacheKeys(a.exports, paths)
		todo = a.restore(paths, a.keys)
		if cfg.Progress != nil && len(todo) < len(paths) {
			cfg.Progress(len(paths)-len(todo), len(paths))
		}
	}
	for i := 0; i < len(todo); i += batch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		chunk := todo[i:min(i+batch, len(todo))]
		var ride []string
		if i+batch >= len(todo) {
			// The importers that fit ride with the last batch: one go
			// list for both costs about what one for the batch does.
			ride = deps[:min(len(deps), batch-len(chunk))]
			deps = deps[len(ride):]
		}
		if err := a.loadAndAnalyse(ctx, chunk, ride); err != nil {
			return nil, err
		}
		if cfg.Progress != nil {
			cfg.Progress(len(paths)-len(todo)+min(i+batch, len(todo)), len(paths))
		}
	}

	res.Packages = paths
	if err := a.loadDependents(ctx, deps, batch); err != nil {
		return nil, err
	}
	slices.Sort(res.DependentPackages)
	slices.Sort(res.Files)
	sortFuncs(res.Funcs)
	// Restored and loaded packages come in another order than one load
	// of all would give them: sort what is not sorted by file already.
	sortFuncs(res.Vars)
	sortFuncs(res.Dependents)
	slices.Sort(res.Unloaded)
	res.Unloaded = slices.Compact(res.Unloaded)
	sortDiagnostics(res.Diagnostics)
	sortErrors(res.Errors)
	res.Errors = removeMultiples(res.Errors)
	return res, nil
}

type diagKey struct {
	analyzer, file string
	line, col      int
	msg            string
}

// state accumulates the results of the batches.
type state struct {
	res      *Result
	mod      Module
	dir      string // where the go command runs
	cfg      Config
	seenFile map[string]bool    // module-relative files already turned into Funcs
	byFile   map[string][]*Func // module-relative file → its Funcs
	seenDiag map[diagKey]bool
	keys     map[string]string   // import path → its cache key, for those that may be stored
	exports  *listing            // what keys come from
	noTests  map[string]bool     // import paths to load without tests: theirs do not list
	files    map[string][]string // import path → its absolute Go files, as listed
}

// ownFile reports whether an absolute file name belongs to the module's own
// sources: inside the module directory and not vendored.
func (s *state) ownFile(name string) bool {
	rel := s.rel(name)
	if rel == "" || strings.HasPrefix(rel, "../") {
		return false
	}
	return !strings.HasPrefix(rel, "vendor/") && !strings.Contains(rel, "/vendor/")
}

// rel returns name relative to the module root, slash-separated.
func (s *state) rel(name string) string {
	r, err := filepath.Rel(s.mod.Dir, name)
	if err != nil {
		return ""
	}
	return filepath.ToSlash(r)
}

func (s *state) addDiagnostic(d rawDiag) {
	if !s.seenFile[d.File] {
		return // a generated file
	}
	fn := Enclosing(s.byFile[d.File], d.File, d.Line)
	if d.Signal {
		if fn != nil {
			fn.addSignal(Signal{Check: d.Analyzer + "/" + d.Category, Line: d.Line, Message: d.Message, Weight: d.Weight})
		}
		return
	}
	k := diagKey{d.Analyzer, d.File, d.Line, d.Column, d.Message}
	if s.seenDiag[k] {
		return
	}
	s.seenDiag[k] = true
	diag := d.Diagnostic
	if s.cfg.Demote != nil && s.cfg.Demote(diag) {
		// Under the precision gate: a place to look, not a finding.
		s.res.Demoted++
		if fn != nil {
			check := d.Analyzer
			if d.Category != "" {
				check += "/" + d.Category
			}
			fn.addSignal(Signal{Check: check, Line: d.Line, Message: d.Message, Weight: DemotedWeight})
		}
		return
	}
	s.res.Diagnostics = append(s.res.Diagnostics, diag)
	if fn != nil {
		fn.Static++
	}
}

// DemotedWeight is the signal weight of a diagnostic whose rule is under
// the precision gate: a risky pattern (analyzer/passes/CONTRACT.md), below
// a finding of a rule that is right, above mere use of a feature.
const DemotedWeight = 5

func isSignalPass(a *analysis.Analyzer) bool {
	for _, p := range signalPasses {
		if p.analyzer == a {
			return true
		}
	}
	return false
}

// Enclosing returns the innermost function of funcs in file whose lines
// hold line, or nil.
func Enclosing(funcs []*Func, file string, line int) *Func {
	var best *Func
	for _, f := range funcs {
		if f.File == file && f.Start <= line && line <= f.End {
			if best == nil || f.End-f.Start < best.End-best.Start {
				best = f
			}
		}
	}
	return best
}

// sortFuncs sorts functions by file and first line, stably.
func sortFuncs(fs []*Func) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Start < b.Start
	})
}

func sortDiagnostics(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Analyzer != b.Analyzer {
			return a.Analyzer < b.Analyzer
		}
		return a.Message < b.Message
	})
}

func sortErrors(es []PackageError) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.Package != b.Package {
			return a.Package < b.Package
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Message < b.Message
	})
}

// removeMultiples keeps the first error of each line of a file, as
// go/scanner's ErrorList.RemoveMultiples does: one syntax error makes the
// parser (and go list, and the type checker) report several on its line,
// and only the first says what is wrong. es must be sorted.
func removeMultiples(es []PackageError) []PackageError {
	return slices.CompactFunc(es, func(a, b PackageError) bool {
		if a.File == "" || a.Line == 0 {
			return a == b
		}
		return a.Package == b.Package && a.File == b.File && a.Line == b.Line
	})
}
