package analyzer

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
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

	goPackages bool // load every batch with go/packages, as before golist.go (for tests)
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
	// cache (golist.go). In a full scan the go command lists it while it
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

// PackageFiles returns the module-relative Go files (tests included unless
// cfg.NoTests) of the packages cfg.Patterns match, without type-checking
// anything: a diff scan narrowed by patterns keeps the changed files among
// them.
func PackageFiles(ctx context.Context, cfg Config) (map[string]bool, error) {
	dir, err := filepath.Abs(cmp.Or(cfg.Dir, "."))
	if err != nil {
		return nil, err
	}
	cfg, mod, err := cfg.prepare(ctx, dir)
	if err != nil {
		return nil, err
	}
	patterns := cfg.Patterns
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	pkgs, err := packages.Load(&packages.Config{
		Context:    ctx,
		Mode:       packages.NeedName | packages.NeedFiles | packages.NeedModule,
		Dir:        dir,
		Env:        cfg.Env,
		BuildFlags: cfg.buildFlags(),
		Tests:      !cfg.NoTests,
	}, patterns...)
	if err != nil {
		return nil, fmt.Errorf("listing packages: %w", err)
	}
	files := map[string]bool{}
	for _, p := range pkgs {
		if slices.Contains(cfg.Patterns, p.ID) && len(p.GoFiles) == 0 && len(p.Errors) > 0 {
			return nil, fmt.Errorf("%w %s: %s", ErrNoPackages, p.ID, p.Errors[0].Msg)
		}
		for _, f := range p.GoFiles {
			if r, err := filepath.Rel(mod.Dir, f); err == nil {
				files[filepath.ToSlash(r)] = true
			}
		}
	}
	return files, nil
}

// prepare returns cfg with GOFLAGS' -modfile moved to ModFile and ModFile
// made absolute, and the module enclosing dir (cfg.Module if set).
func (cfg Config) prepare(ctx context.Context, dir string) (Config, Module, error) {
	env, modfile := splitModFile(cfg.Env)
	cfg.Env = env
	cfg.ModFile = cmp.Or(cfg.ModFile, modfile)
	var mod Module
	if cfg.Module != nil {
		mod = *cfg.Module
	} else {
		var err error
		if mod, err = FindModule(ctx, dir, cfg.Env); err != nil {
			return cfg, mod, err
		}
	}
	if cfg.ModFile != "" {
		name := cfg.ModFile
		if !filepath.IsAbs(name) {
			// The go command resolves -modfile against its directory; a
			// scan of a directory inside the module means the root's.
			cfg.ModFile = filepath.Join(mod.Dir, name)
		}
		if _, err := os.Stat(cfg.ModFile); err != nil {
			return cfg, mod, fmt.Errorf("%w %s: %v (a relative name is resolved against the module root)", ErrModFile, name, err)
		}
	}
	return cfg, mod, nil
}

// buildFlags returns the go command's flags for cfg.
func (cfg Config) buildFlags() []string {
	if cfg.ModFile == "" {
		return nil
	}
	return []string{"-modfile=" + cfg.ModFile}
}

// splitModFile takes a -modfile out of the GOFLAGS of env (os.Environ()
// if env is nil) and returns it. go/packages asks the go command for its
// version with GO111MODULE=off, which refuses -modfile ("build flag
// -modfile only valid when using modules"), and a relative name would be
// resolved against each command's directory: the flag travels as a build
// flag instead. env is returned as it was when GOFLAGS holds no -modfile.
func splitModFile(env []string) ([]string, string) {
	all := env
	if all == nil {
		all = os.Environ()
	}
	i := -1
	for j, kv := range all {
		if strings.HasPrefix(kv, "GOFLAGS=") {
			i = j // the last one wins, as in os/exec
		}
	}
	if i < 0 {
		return env, ""
	}
	var keep []string
	modfile := ""
	for _, f := range strings.Fields(strings.TrimPrefix(all[i], "GOFLAGS=")) {
		name, value, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		if name == "modfile" && strings.HasPrefix(f, "-") {
			modfile = value
			continue
		}
		keep = append(keep, f)
	}
	if modfile == "" {
		return env, ""
	}
	out := slices.Clone(all)
	out[i] = "GOFLAGS=" + strings.Join(keep, " ")
	return out, modfile
}

// FindModule asks the go command for the module enclosing dir.
func FindModule(ctx context.Context, dir string, env []string) (Module, error) {
	env, _ = splitModFile(env) // the module of go.mod, wherever dir is
	cmd := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Path}}\t{{.Dir}}\t{{.GoVersion}}")
	cmd.Dir = dir
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if errors.Is(err, exec.ErrNotFound) {
			return Module{}, fmt.Errorf("the go command is not on PATH: install Go from https://go.dev/dl")
		}
		if strings.Contains(msg, "go.mod file not found") || strings.Contains(msg, "not using modules") {
			return Module{}, fmt.Errorf("%w: %s has no go.mod in it or above it; run in a module root or pass -C DIR", ErrNotModule, dir)
		}
		return Module{}, fmt.Errorf("finding the module: %s", firstLine(msg, err))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) > 1 {
		// A go.work with several modules: take the one enclosing dir.
		for _, l := range lines {
			f := strings.Split(l, "\t")
			if len(f) == 3 && (dir == f[1] || strings.HasPrefix(dir, f[1]+string(filepath.Separator))) {
				return Module{Path: f[0], Dir: f[1], GoVersion: f[2]}, nil
			}
		}
	}
	f := strings.Split(lines[0], "\t")
	if len(f) != 3 || f[1] == "" {
		// Outside a module, some settings (GOFLAGS=-mod=mod) make go list
		// answer with a pseudo-module instead of failing.
		return Module{}, fmt.Errorf("%w: %s has no go.mod in it or above it; run in a module root or pass -C DIR", ErrNotModule, dir)
	}
	return Module{Path: f[0], Dir: f[1], GoVersion: f[2]}, nil
}

func firstLine(msg string, err error) string {
	if msg == "" {
		return err.Error()
	}
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		return msg[:i]
	}
	return msg
}

func fileExists(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.Mode().IsRegular()
}

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
	type listErr struct{ Pos, Err string }
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			Error      *listErr
			DepsErrors []*listErr
		}
		if dec.Decode(&p) != nil {
			return pe
		}
		for _, e := range append([]*listErr{p.Error}, p.DepsErrors...) {
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
