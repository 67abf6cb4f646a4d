// Package pipeline runs secondlook's flow in-process, end to end, for every
// face: the CLI, the MCP server and the benchmark (eval) call it and word
// its results and errors for their users; none re-wires a stage.
//
// [Run] takes a [Config] and scans: what changed (internal/gitdiff), the
// static pass and region selection (analyzer), the model review
// (internal/review, internal/llm, internal/cache), the packages' own tests
// (internal/runtests), and the end every finding goes through — Dedup,
// inline suppressions, fingerprints, the baseline — into the
// findings.Report of its [Result]. [CheckClaims] checks the claims of a
// model outside the pipeline (a coding agent's) against the regions a scan
// selects, and ends the same way. A Result hands on the selected regions
// as plain data ([Result.Regions]), the hunt's instructions, why a scan had
// nothing to do ([Result.NothingToScan]), and its writers: SARIF with the
// repository's paths ([WriteSARIF]) and the selection as `scan --dry-run`
// prints it ([WriteSelectionText], [WriteSelectionJSON]).
//
// Every error the user caused is a [*UsageError] naming the Config field
// at fault; a [*FatalError] (the model server refused the key) comes with
// the result of what finished. A zero Config field means its default,
// defined here once (DefaultMaxTokens and the others). Nothing here reads
// globals, flags or os.Args.
package pipeline

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/gitdiff"
)

// DiffFilter says which findings a diff scan keeps.
type DiffFilter string

const (
	// FilterFunctions keeps findings inside a function the change touched,
	// and findings on changed lines outside any function.
	FilterFunctions DiffFilter = "functions"
	// FilterLines keeps findings on changed lines only.
	FilterLines DiffFilter = "lines"
	// FilterPackages keeps every finding in the changed packages.
	FilterPackages DiffFilter = "packages"
)

// Config says what [Run] scans. Its zero value scans ./... of the module in
// the current directory, tests included, with no budget.
type Config struct {
	// Dir is the directory to run in: the module root or a directory inside
	// it. Empty means the current directory.
	Dir string

	// Patterns are the packages to scan. Empty means "./...". In a diff
	// scan they narrow the change to the files of the packages they match.
	Patterns []string

	// DiffBase, when set, makes a diff scan: the working tree (staged,
	// unstaged and untracked files included) against the merge base of
	// DiffBase and HEAD.
	DiffBase string

	// Diff, when non-nil, makes a diff scan of a unified diff read from it,
	// with paths relative to the repository root (or to Dir outside git).
	Diff io.Reader

	// DiffFilter says which findings a diff scan keeps. Empty means
	// FilterFunctions.
	DiffFilter DiffFilter

	// NoTests leaves _test.go files out.
	NoTests bool

	// MaxRegions and MaxTokens, when positive, bound the regions selected.
	MaxRegions int
	MaxTokens  int

	// Model, when non-nil, reviews the selected regions with a language
	// model. Nil runs the static pass alone.
	Model *ModelConfig

	// Baseline, when non-nil, holds the fingerprints of known findings
	// (from an earlier SARIF): only findings not in it are reported.
	Baseline map[string]bool

	// Tool names the producer in the report.
	Tool findings.Tool

	// AllRules reports every rule as the catalogue defines it: the rules
	// under the precision gate too (findings.Rule.Demoted; by default they
	// are only risk signals), and at their catalogue level (by default a
	// Quieted rule reports notes). The real-code triage measures this way.
	AllRules bool

	// Env, if non-nil, is the environment of the go and git commands.
	Env []string

	// ModFile, if set, is the go command's -modfile: a go.mod to use
	// instead of the module's, relative to the module root (GOFLAGS'
	// -modfile is honoured too; see analyzer.Config.ModFile).
	ModFile string

	// Progress, if non-nil, is called as packages are analysed.
	Progress func(done, total int)

	// RunTests, when non-nil, runs the own tests of the scanned packages
	// (in a diff scan, the changed ones) under the race detector with the
	// goroutine-leak profile (internal/runtests): races and leaks with a
	// stack in the module become findings, and confirm the data-race and
	// goroutine-leak claims they land on. Packages whose tests fail, hang
	// or do not build are listed in Report.Tests; they fail nothing.
	RunTests *RunTestsConfig

	// Shard, unless whole (the zero value), keeps part K of N of the
	// selected regions, by region ID (analyzer.Shard): N runners review
	// disjoint parts that together are what one unsharded run reviews. The
	// budget (MaxRegions, MaxTokens) is the whole scan's, applied before
	// sharding, so sharding changes where regions are reviewed, not which.
	// A static finding is reported by the shard of the region around it
	// (shard 1 if none), so that it merges with the model's word on it.
	Shard analyzer.ShardSpec

	// MaxDependents bounds, in a diff scan, the packages importing the
	// changed ones that are loaded to count the callers of the changed
	// functions in the review map. Zero means 64; negative, none.
	MaxDependents int

	// AnalysisCache, if set, is the directory of the per-package analysis
	// cache (analyzer.Config.Cache): a package unchanged since a run that
	// stored it is neither loaded nor analysed again. "" analyses all.
	AnalysisCache string
}

// Result is what a run produced.
type Result struct {
	Report    *findings.Report
	Selection *analyzer.Selection // the regions that would go to a model
	Analysis  *analyzer.Result    // nil when nothing was loaded
	Diff      *gitdiff.Diff       // nil in a full scan
	Module    analyzer.Module
	RepoRoot  string // the git work tree holding the module; "" outside git
	// ModulePrefix is the module's directory relative to RepoRoot,
	// slash-separated, with a trailing slash; "" at the root or outside git.
	ModulePrefix string
	// Remote, Revision and Branch say where the code comes from (origin's
	// URL, HEAD's commit, the branch); empty outside git or when unknown.
	Remote, Revision, Branch string

	lines *lineReader // the module's files, read once for every stage
}

// NothingChanged reports whether a diff scan found no change at all.
func (r *Result) NothingChanged() bool { return r.Diff != nil && r.Diff.Empty() }

// Run scans. It returns an error only when the scan cannot start or
// cannot go on (not a module, unknown revision, no package matched); units
// that fail are recorded in the report's Failures and the rest is scanned.
// A *FatalError (the model server refused the key) comes with the result of
// what finished, which the caller should still write.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	dir := cfg.Dir
	if dir == "" {
		dir = "."
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	mod, err := analyzer.FindModule(ctx, dir, cfg.Env)
	if err != nil {
		return nil, stageError(err, dir)
	}

	res := &Result{
		Module: mod,
		Report: &findings.Report{
			Tool:     cfg.Tool,
			Findings: []findings.Finding{},
			Failures: []findings.Failure{},
		},
		Selection: &analyzer.Selection{},
		lines:     newLineReader(mod.Dir),
	}
	lines := res.lines
	repo, repoErr := gitdiff.Open(ctx, mod.Dir)
	if repoErr == nil {
		res.RepoRoot = repo.Root
		// git resolves symbolic links in its root; go list may not in the
		// module's directory. Compare the two resolved.
		if rel, err := repo.Rel(mod.Dir); err == nil && rel != "." && rel != "" {
			res.ModulePrefix = rel + "/"
		}
		res.Remote, res.Revision, res.Branch = repo.Provenance(ctx)
	}
	diffMode := cfg.DiffBase != "" || cfg.Diff != nil
	res.Report.Stats.Mode = "full"
	res.Report.Category = "secondlook/full/"
	if diffMode {
		res.Report.Stats.Mode = "diff"
		res.Report.Category = "secondlook/pr/"
	}

	acfg := analyzer.Config{
		Dir:      dir,
		Patterns: cfg.Patterns,
		NoTests:  cfg.NoTests,
		Env:      cfg.Env,
		ModFile:  cfg.ModFile,
		Progress: cfg.Progress,
		Module:   &mod,
	}
	if diffMode && cfg.MaxDependents >= 0 {
		acfg.Dependents = cmp.Or(cfg.MaxDependents, defaultDependents)
	}
	if !cfg.AllRules {
		acfg.Demote = demoted
	}
	if cfg.AnalysisCache != "" {
		c, err := openAnalysisCache(cfg.AnalysisCache)
		if err != nil {
			return nil, err
		}
		acfg.Cache = c
	}
	var changes map[string][]gitdiff.LineRange
	if diffMode {
		d, err := readDiff(ctx, cfg, repo, repoErr)
		if err != nil {
			return nil, err
		}
		res.Diff = d
		var inScope map[string]bool
		if len(cfg.Patterns) > 0 {
			inScope, err = analyzer.PackageFiles(ctx, acfg)
			if err != nil {
				return nil, stageError(err, dir)
			}
		}
		changes = map[string][]gitdiff.LineRange{}
		acfg.Files = []string{}
		for _, f := range d.Files {
			rel, ok := moduleRel(res.ModulePrefix, f.Path)
			if !ok {
				continue // outside this module
			}
			if inScope != nil && !inScope[rel] {
				continue // outside the packages asked for
			}
			res.Report.Stats.ChangedFiles++
			switch {
			case !strings.HasSuffix(rel, ".go"):
				res.Report.Stats.IgnoredChanges = append(res.Report.Stats.IgnoredChanges, rel)
				continue
			case f.Status == gitdiff.Deleted || f.Binary:
				continue
			case ignoredByGo(rel):
				res.Report.Stats.IgnoredChanges = append(res.Report.Stats.IgnoredChanges, rel)
				continue
			case cfg.NoTests && strings.HasSuffix(rel, "_test.go"):
				res.Report.Stats.IgnoredChanges = append(res.Report.Stats.IgnoredChanges, rel)
				continue
			}
			changes[rel] = f.Ranges
			acfg.Files = append(acfg.Files, rel)
		}
		if len(acfg.Files) == 0 {
			return res, nil
		}
	}

	ares, err := analyzer.Run(ctx, acfg)
	if err != nil {
		return nil, stageError(err, dir)
	}
	res.Analysis = ares
	res.Report.Stats.Packages = len(ares.Packages)
	res.Report.Stats.PackagesCached = ares.Cached
	res.Report.Stats.Files = len(ares.Files)
	res.Report.Stats.Demoted = ares.Demoted
	for _, f := range acfg.Files {
		_, analysed := slices.BinarySearch(ares.Files, f)
		_, unloaded := slices.BinarySearch(ares.Unloaded, f)
		if !analysed && !unloaded {
			// Generated, in testdata or excluded by build constraints. A
			// file of a package that did not load is not: it is Go code, and
			// its package is reported as a failure.
			res.Report.Stats.IgnoredChanges = append(res.Report.Stats.IgnoredChanges, f)
		}
	}
	slices.Sort(res.Report.Stats.IgnoredChanges)

	sel := analyzer.Select(ares, analyzer.SelectConfig{
		Changes:    changes,
		MaxRegions: cfg.MaxRegions,
		MaxTokens:  cfg.MaxTokens,
		// The counts the analysis (or its cache) made already.
		CountTokens: ares.CountTokens,
	})
	whole := sel
	sel, inShard := sel.Split(cfg.Shard)
	res.Selection = sel
	res.Report.Stats.Regions = len(sel.Regions)
	res.Report.Stats.RegionsLeftOut = len(sel.LeftOut)
	res.Report.Stats.Tokens = sel.TotalTokens

	for _, e := range ares.Errors {
		msg := e.Message
		if e.InTests {
			msg += " (the package was analysed without its tests)"
		}
		res.Report.Failures = append(res.Report.Failures, findings.Failure{
			Stage:   "load",
			Package: e.Package,
			File:    e.File,
			Line:    e.Line,
			Message: msg,
		})
	}

	keep := func(analyzer.Diagnostic) bool { return true }
	if diffMode {
		keep = diffKeeper(cfg.DiffFilter, changes, ares.Funcs)
	}
	var static []findings.Finding
	for _, d := range ares.Diagnostics {
		if !keep(d) {
			res.Report.Stats.FilteredFindings++
			continue
		}
		static = append(static, staticFinding(d, ares.Funcs, lines, cfg.AllRules))
	}
	// One type copied in many places is one finding; grouped before the
	// shards split, so each group goes whole to the shard of its first place.
	if r, ok := findings.RuleForAnalyzer("copylocks"); ok {
		static = findings.GroupCopies(static, r.ID)
	}
	for _, f := range static {
		if inShard(f.Location.File, f.Location.Line) {
			res.Report.Findings = append(res.Report.Findings, f)
		} // else another shard reports it, with its region
	}
	var err2 error
	if cfg.Model != nil && len(sel.Regions) > 0 {
		// Model findings come from the regions the change selected (its
		// functions and their callers), so no diff filter applies to them.
		err2 = reviewRegions(ctx, cfg, res, lines)
		if _, fatal := err2.(*FatalError); err2 != nil && !fatal {
			return nil, err2
		}
	}
	if cfg.RunTests != nil && len(ares.Packages) > 0 {
		landing, err := runTests(ctx, cfg, res, lines, inShard)
		if err != nil {
			return nil, fmt.Errorf("running the packages' own tests: %w", err)
		}
		res.Report.Findings, res.Report.Stats.ExecutionClaims, res.Report.Stats.ConfirmedByExecution =
			findings.Confirm(res.Report.Findings, lands(ares.Funcs, landing))
	}
	fs, suppressed := settle(res.Report.Findings, lines.lines)
	res.Report.Stats.Suppressed = len(suppressed)
	if cfg.Baseline != nil {
		var known []findings.Finding
		fs, known = findings.Baseline(fs, cfg.Baseline)
		res.Report.Stats.Baselined = len(known)
	}
	res.Report.Findings = fs
	res.Report.Rules = rulesOf(res.Report.Findings)
	res.Report.Sort()
	if diffMode {
		res.Report.ReviewMap = reviewMap(whole, sel, ares, res.Report, cfg.Shard)
		res.Report.Stats.CallersPartial = callersPartial(ares)
	}
	return res, err2
}

// settle ends the flow the same way for every finding, static or model,
// whichever face asked (Run, CheckClaims): one finding per bug (Dedup),
// then inline //secondlook:ignore comments, which drop findings (one
// without a reason is reported itself), then fingerprints.
func settle(fs []findings.Finding, lines func(string) []string) (kept, suppressed []findings.Finding) {
	fs = findings.Dedup(fs)
	kept, suppressed, bad := findings.Suppress(fs, lines)
	kept = append(kept, bad...)
	findings.ComputeFingerprints(kept, lines)
	return kept, suppressed
}

// ParseShard parses "K/N" (1 ≤ K ≤ N), the part of the selected regions
// a sharded run reviews (Config.Shard).
func ParseShard(s string) (analyzer.ShardSpec, error) { return analyzer.ParseShard(s) }

// readDiff returns the change of a diff scan.
// repo is the repository holding the module, or nil with the reason.
func readDiff(ctx context.Context, cfg Config, repo *gitdiff.Repo, repoErr error) (*gitdiff.Diff, error) {
	if cfg.Diff != nil {
		d, err := gitdiff.Parse(cfg.Diff)
		if err != nil {
			return nil, &UsageError{Field: "Diff", Err: fmt.Errorf("reading the diff: %w", err)}
		}
		return d, nil
	}
	if repoErr != nil {
		if errors.Is(repoErr, gitdiff.ErrNotRepository) {
			return nil, &UsageError{Field: "DiffBase", Err: fmt.Errorf("a diff against a revision needs a git repository: %w", repoErr)}
		}
		return nil, repoErr
	}
	d, err := repo.Changes(ctx, cfg.DiffBase)
	if err != nil {
		if errors.Is(err, gitdiff.ErrUnknownRevision) || errors.Is(err, gitdiff.ErrNoMergeBase) {
			return nil, &UsageError{Field: "DiffBase", Err: err}
		}
		return nil, err
	}
	return d, nil
}

// ignoredByGo reports whether the go command leaves a file out of every
// package pattern: it sits in a directory named testdata, or in a file or
// directory whose name begins with "." or "_".
func ignoredByGo(rel string) bool {
	for _, elem := range strings.Split(rel, "/") {
		if elem == "testdata" || strings.HasPrefix(elem, ".") || strings.HasPrefix(elem, "_") {
			return true
		}
	}
	return false
}

// moduleRel turns a repository-relative path into a module-relative one,
// given the module's prefix in the repository ("" at the root).
func moduleRel(prefix, path string) (string, bool) {
	if prefix == "" {
		return path, true
	}
	rel, ok := strings.CutPrefix(path, prefix)
	if !ok || rel == "" {
		return "", false
	}
	return rel, true
}

// diffKeeper returns the filter of a diff scan's findings.
func diffKeeper(filter DiffFilter, changes map[string][]gitdiff.LineRange, funcs []*analyzer.Func) func(analyzer.Diagnostic) bool {
	onChanged := func(file string, start, end int) bool {
		for _, r := range changes[file] {
			if r.Start <= end && start <= r.End {
				return true
			}
		}
		return false
	}
	switch filter {
	case FilterPackages:
		return func(analyzer.Diagnostic) bool { return true }
	case FilterLines:
		return func(d analyzer.Diagnostic) bool {
			return onChanged(d.File, d.Line, max(d.Line, d.EndLine))
		}
	}
	return func(d analyzer.Diagnostic) bool {
		if f := analyzer.Enclosing(funcs, d.File, d.Line); f != nil {
			return onChanged(f.File, f.Start, f.End)
		}
		return onChanged(d.File, d.Line, max(d.Line, d.EndLine))
	}
}

// staticFinding turns an x/tools diagnostic into a finding under its rule,
// at the rule's ReportLevel (a rule never a bug on real code speaks as a
// note), or at its catalogue level with allRules.
func staticFinding(d analyzer.Diagnostic, funcs []*analyzer.Func, lines *lineReader, allRules bool) findings.Finding {
	// A detector of ours names its rule in the category; an x/tools pass
	// has one rule.
	rule, ok := findings.RuleForDiagnostic(d.Analyzer, d.Category, d.Message)
	if !ok {
		// Every pass secondlook runs has a rule; a test holds this.
		rule = findings.Rule{ID: d.Analyzer, Level: findings.LevelWarning}
	}
	level := rule.ReportLevel()
	if allRules {
		level = rule.Level
	}
	f := findings.Finding{
		RuleID:  rule.ID,
		Level:   level,
		Message: d.Message,
		Location: findings.Location{
			File:      d.File,
			Line:      d.Line,
			Column:    d.Column,
			EndLine:   d.EndLine,
			EndColumn: d.EndColumn,
			Snippet:   lines.line(d.File, d.Line),
		},
		Source: "static:" + d.Analyzer,
	}
	if fn := analyzer.Enclosing(funcs, d.File, d.Line); fn != nil {
		f.Function = fn.Name
	}
	for _, r := range d.Related {
		f.Related = append(f.Related, findings.Location{
			File:    r.File,
			Line:    r.Line,
			Column:  r.Column,
			Snippet: lines.line(r.File, r.Line),
			Message: r.Message,
		})
	}
	return f
}

// demoted reports whether a diagnostic's rule is under the precision gate.
func demoted(d analyzer.Diagnostic) bool {
	r, ok := findings.RuleForDiagnostic(d.Analyzer, d.Category, d.Message)
	return ok && r.Demoted()
}

// rulesOf returns the catalogue entries the findings use, by ID.
func rulesOf(fs []findings.Finding) []findings.Rule {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.RuleID)
	}
	slices.Sort(ids)
	var rules []findings.Rule
	for _, id := range slices.Compact(ids) {
		if r, ok := findings.RuleByID(id); ok {
			rules = append(rules, r)
		}
	}
	return rules
}

// lineReader returns source lines of module files, reading each file once.
// It is safe for concurrent use: review workers share it.
type lineReader struct {
	dir   string
	mu    sync.Mutex
	files map[string][]string
}

func newLineReader(dir string) *lineReader {
	return &lineReader{dir: dir, files: map[string][]string{}}
}

// lines returns the lines of a module file; nil if it cannot be read.
func (lr *lineReader) lines(file string) []string {
	lr.mu.Lock()
	defer lr.mu.Unlock()
	return lr.load(file)
}

func (lr *lineReader) load(file string) []string {
	lines, ok := lr.files[file]
	if !ok {
		if f, err := os.Open(filepath.Join(lr.dir, filepath.FromSlash(file))); err == nil {
			sc := bufio.NewScanner(f)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				lines = append(lines, sc.Text())
			}
			f.Close()
		}
		lr.files[file] = lines
	}
	return lines
}

func (lr *lineReader) line(file string, n int) string {
	lines := lr.lines(file)
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.TrimSpace(lines[n-1])
}
