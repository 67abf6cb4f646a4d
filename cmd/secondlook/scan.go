package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/findings/sarif"
	"github.com/secondlook/secondlook/internal/pipeline"
)

func scanCommand() *cli.Command {
	return &cli.Command{
		Name:      "scan",
		Usage:     "scan a change, or whole packages, for bugs",
		ArgsUsage: "[packages]",
		Description: `Scans the packages named (default ./...) or, with --diff or --diff-file, the
packages a change touches (among those named), and reports what it finds.

With no model configured, scan runs the static pass: it reports the findings
of the x/tools passes that find real bugs and says how many regions (and
tokens) would go to a model. --dry-run lists those regions.

Flags come before the packages.

EXAMPLES:
   secondlook scan ./...                       one-off scan of a module
   secondlook scan --diff origin/main          a branch against its merge base with main
   secondlook scan --diff HEAD~1 --dry-run     what the last commit would send to a model
   git diff main | secondlook scan --diff-file -
   secondlook scan --diff origin/main --format sarif -o secondlook.sarif
   secondlook scan -C ../other --format json ./pkg/...

` + exitCodesHelp,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "C", Usage: "run in `DIR` (the module root, or a directory inside it)"},
			&cli.StringFlag{Name: "diff", Usage: "scan the working tree's change against the merge base of `REV` and HEAD (staged, unstaged and untracked files included)"},
			&cli.StringFlag{Name: "diff-file", Usage: "scan the change in a unified diff read from `FILE` (- for standard input), paths relative to the repository root"},
			&cli.StringFlag{Name: "diff-filter", Value: "functions", Usage: "in a diff scan, report findings in the `SCOPE`: functions the change touched, changed lines only, or the changed packages (functions|lines|packages)"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output `FORMAT`: text, json, sarif, or markdown (a PR comment)"},
			&cli.StringFlag{Name: "o", Usage: "write the report to `FILE` instead of standard output"},
			&cli.StringFlag{Name: "category", Usage: "the SARIF analysis `CATEGORY` (default secondlook/pr/ for diff scans, secondlook/full/ otherwise): code scanning replaces the alerts of the newest analysis in a category"},
			&cli.StringFlag{Name: "baseline", Usage: "report only findings not in `OLD.sarif` (an earlier secondlook SARIF)"},
			&cli.BoolFlag{Name: "dry-run", Usage: "send nothing: list the regions that would go to a model, and their tokens"},
			&cli.IntFlag{Name: "max-regions", Usage: "review at most `N` regions, the riskiest first (0: no limit)"},
			&cli.IntFlag{Name: "max-tokens", Value: pipeline.DefaultMaxTokens, Usage: "review regions up to `N` tokens of code and context in all, the riskiest first, as --dry-run lists them (0: no limit)"},
			&cli.BoolFlag{Name: "tests", Value: true, Usage: "scan _test.go files too (--tests=false to skip them)"},
			&cli.BoolFlag{Name: "all-rules", Usage: "report every static rule as the catalogue defines it: those under the precision gate too (measured below 80% on real code; by default they only rank regions and hint the model), and at their catalogue level (by default a rule never a bug on real code reports notes)"},
			&cli.StringFlag{Name: "modfile", Usage: "use `FILE` instead of go.mod, as go's -modfile does (e.g. go_test.mod holding test-only dependencies); relative to the module root; GOFLAGS=-modfile=FILE works too"},
			&cli.BoolFlag{Name: "run-tests", Usage: "also run the scanned packages' own tests (in a diff scan, the changed packages') under the race detector with Go 1.26's goroutine-leak profile: observed races and leaks become findings and confirm the claims they land in; the user's tree is not touched"},
			&cli.DurationFlag{Name: "test-timeout", Value: pipeline.DefaultTestTimeout, Usage: "with --run-tests, stop a package's tests after `D` (the package is reported as timed out)"},
			&cli.IntFlag{Name: "j", Value: 1, Usage: "with --run-tests, test `N` packages at once (each compiles with -race: memory and CPU heavy)"},
			&cli.StringFlag{Name: "fail-on", Usage: "exit 3 when a finding is at or above `LEVEL`: error, warning, note or none (default: warning for text, none for json and sarif)"},
			&cli.BoolFlag{Name: "q", Usage: "quiet: no summary or progress on standard error"},
			&cli.BoolFlag{Name: "v", Usage: "verbose: timings, load errors in full, left-out regions, the review map"},
			&cli.BoolFlag{Name: "map", Usage: "in a diff scan, print the review map first: each changed function riskiest first, why, and its callers and entry points (text; json, sarif and markdown always carry it)"},
			&cli.StringFlag{Name: "shard", Usage: "review part `K/N` (1-based) of the regions the budget keeps, for N CI runners; join their SARIF with secondlook merge"},
			&cli.StringFlag{Name: "config", Usage: "read settings from `FILE` (default: .secondlook.yaml at the module root, if there is one); flags override it"},
			&cli.StringFlag{Name: "cpuprofile", Hidden: true, Usage: "write a CPU profile to `FILE`"},
		}, modelFlags()...),
		Action: scan,
	}
}

// scanOptions are the checked flags of a scan.
type scanOptions struct {
	format   string
	failOn   findings.Level
	out      string
	dryRun   bool
	quiet    bool
	verbose  bool
	showMap  bool   // print the review map (--map, -v)
	diffDesc string // what the change was taken against, for messages

	category        string // SARIF category, overriding the mode's
	modelConfigured bool
	prices          findings.Prices
	maxOutput       int                  // output tokens an answer may take
	fatal           *pipeline.FatalError // what stopped the model review, if anything
}

func scan(c *cli.Context) error {
	stderr := c.App.ErrWriter
	opts := scanOptions{
		format:  c.String("format"),
		out:     c.String("o"),
		dryRun:  c.Bool("dry-run"),
		quiet:   c.Bool("q"),
		verbose: c.Bool("v"),
		showMap: c.Bool("map") || c.Bool("v"),
	}
	switch opts.format {
	case "text", "json", "sarif", "markdown":
	default:
		return usageErrorf("unknown --format %q: use text, json, sarif or markdown", opts.format)
	}
	if opts.dryRun && (opts.format == "sarif" || opts.format == "markdown") {
		return usageErrorf("--dry-run lists regions: use --format text or json")
	}
	failOn := c.String("fail-on")
	if failOn == "" {
		failOn = "none"
		if opts.format == "text" || opts.format == "markdown" {
			failOn = "warning"
		}
	}
	lvl, ok := findings.ParseLevel(failOn)
	if !ok {
		return usageErrorf("unknown --fail-on %q: use error, warning, note or none", failOn)
	}
	opts.failOn = lvl
	if c.Int("max-regions") < 0 || c.Int("max-tokens") < 0 {
		return usageErrorf("--max-regions and --max-tokens take a number ≥ 0 (0: no limit)")
	}

	if err := flagsBeforePackages(c.Args().Slice()); err != nil {
		return err
	}
	if opts.out != "" && opts.out != "-" {
		if dir := filepath.Dir(opts.out); !isDir(dir) {
			return usageErrorf("-o %s: no directory %s", opts.out, dir)
		}
	}
	if dir := c.String("C"); dir != "" {
		if !isDir(dir) {
			return usageErrorf("-C %s: no such directory", dir)
		}
	}
	cfg := pipeline.Config{
		Dir:        c.String("C"),
		Patterns:   c.Args().Slice(),
		NoTests:    !c.Bool("tests"),
		AllRules:   c.Bool("all-rules"),
		ModFile:    c.String("modfile"),
		MaxRegions: c.Int("max-regions"),
		MaxTokens:  c.Int("max-tokens"),
		Tool:       findings.Tool{Name: "secondlook", Version: version(), InformationURI: informationURI},
	}
	cacheDir, err := analysisCacheDir(c)
	if err != nil {
		return err
	}
	cfg.AnalysisCache = cacheDir
	if c.Bool("run-tests") {
		if c.Duration("test-timeout") <= 0 || c.Int("j") < 1 {
			return usageErrorf("--test-timeout takes a duration > 0 (e.g. 2m) and -j a number ≥ 1")
		}
		cfg.RunTests = &pipeline.RunTestsConfig{Timeout: c.Duration("test-timeout"), Jobs: c.Int("j")}
	}
	if s := c.String("shard"); s != "" {
		spec, err := pipeline.ParseShard(s)
		if err != nil {
			return usageErrorf("--shard: %v", err)
		}
		cfg.Shard = spec
	}
	switch f := pipeline.DiffFilter(c.String("diff-filter")); f {
	case pipeline.FilterFunctions, pipeline.FilterLines, pipeline.FilterPackages:
		cfg.DiffFilter = f
	default:
		return usageErrorf("unknown --diff-filter %q: use functions, lines or packages", f)
	}
	if c.IsSet("diff") && c.IsSet("diff-file") {
		return usageErrorf("--diff and --diff-file both name a change: use one")
	}
	if rev := c.String("diff"); c.IsSet("diff") {
		if rev == "" {
			return usageErrorf("--diff needs a revision, e.g. --diff origin/main")
		}
		cfg.DiffBase = rev
		opts.diffDesc = rev
	}
	if name := c.String("diff-file"); c.IsSet("diff-file") {
		if name == "-" {
			cfg.Diff = c.App.Reader
			opts.diffDesc = "standard input"
		} else {
			b, err := os.ReadFile(name)
			if err != nil {
				return usageErrorf("reading --diff-file: %v", err)
			}
			cfg.Diff = bytes.NewReader(b)
			opts.diffDesc = name
		}
	}

	if name := c.String("cpuprofile"); name != "" {
		f, err := os.Create(name)
		if err != nil {
			return usageErrorf("--cpuprofile: %v", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return usageErrorf("--cpuprofile: %v", err)
		}
		defer pprof.StopCPUProfile()
	}

	mc, err := modelConfig(c)
	if err != nil {
		return err
	}
	opts.prices = findings.Prices{In: c.Float64("price-in"), Out: c.Float64("price-out")}
	opts.modelConfigured = mc != nil
	opts.maxOutput = c.Int("max-output-tokens")
	opts.category = c.String("category")
	if name := c.String("baseline"); name != "" {
		f, err := os.Open(name)
		if err != nil {
			return usageErrorf("--baseline: %v", err)
		}
		old, err := sarif.Fingerprints(f)
		f.Close()
		if err != nil {
			return usageErrorf("--baseline %s: %v", name, err)
		}
		cfg.Baseline = old
	}

	prog := newProgress(stderr, opts.quiet)
	cfg.Progress = prog.packages
	if mc != nil && !opts.dryRun {
		mc.Progress = prog.regions
		cfg.Model = mc
	}
	start := time.Now()
	res, err := pipeline.Run(c.Context, cfg)
	prog.done()
	var fatal *pipeline.FatalError
	if errors.As(err, &fatal) && res != nil {
		// The server refused us part-way: write what finished, then fail,
		// saying why once rather than once a region.
		opts.fatal = fatal
		if werr := finish(c, res, opts); werr != nil && exitCode(werr) != exitFailure && exitCode(werr) != exitFindings {
			return werr
		}
		return &exitError{code: exitFailure, err: fatal}
	}
	if err != nil {
		return err
	}
	if opts.verbose && !opts.quiet {
		st := res.Report.Stats
		cached := ""
		if st.PackagesCached > 0 {
			cached = fmt.Sprintf(" (%d from the analysis cache)", st.PackagesCached)
		}
		fmt.Fprintf(stderr, "secondlook: scanned %d packages%s, %d files in %v\n",
			st.Packages, cached, st.Files, time.Since(start).Round(time.Millisecond))
	}
	return finish(c, res, opts)
}

// finish writes the report and turns it into an exit code.
func finish(c *cli.Context, res *pipeline.Result, opts scanOptions) error {
	stderr := c.App.ErrWriter
	rep := res.Report

	if opts.prices.Set() {
		rep.Stats.CostUSD = opts.prices.Cost(rep.Stats.PromptTokens, rep.Stats.CompletionTokens)
	}
	if opts.category != "" {
		rep.Category = opts.category
	}

	var buf bytes.Buffer
	var err error
	switch {
	case opts.dryRun && opts.format == "json":
		err = pipeline.WriteSelectionJSON(&buf, res)
	case opts.dryRun:
		err = pipeline.WriteSelectionText(&buf, res, pipeline.SelectionOptions{Verbose: opts.verbose, Prices: opts.prices, MaxOutputTokens: opts.maxOutput,
			SignalsHint: "-v lists them", BudgetHint: "--max-regions, --max-tokens"})
	case opts.format == "json":
		err = findings.WriteJSON(&buf, rep)
	case opts.format == "markdown":
		err = findings.WriteMarkdown(&buf, rep, findings.MarkdownOptions{Link: linkBase(os.Getenv, res)})
	case opts.format == "sarif":
		err = pipeline.WriteSARIF(&buf, res, rep)
	default:
		err = findings.WriteText(&buf, rep, findings.TextOptions{Color: opts.out == "" && isTerminal(c.App.Writer), Verbose: opts.verbose, Map: opts.showMap})
	}
	if err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if err := writeOutput(c.App.Writer, opts.out, buf.Bytes()); err != nil {
		return err
	}

	if !opts.quiet {
		// Load failures are named on stderr whatever the report; the
		// others are listed by a text report on standard output.
		for _, l := range loadFailureLines(rep.Failures, opts.verbose) {
			fmt.Fprintf(stderr, "secondlook: %s\n", l)
		}
		if opts.dryRun || opts.format != "text" || opts.out != "" {
			for _, f := range rep.Failures {
				if f.Stage != "load" && (opts.fatal == nil || !opts.fatal.Stopped(f)) {
					fmt.Fprintf(stderr, "secondlook: %s\n", failureLine(f))
				}
			}
		}
		switch msg := res.NothingToScan(opts.diffDesc); {
		case msg != "":
			fmt.Fprintf(stderr, "secondlook: %s\n", msg)
		default:
			fmt.Fprintf(stderr, "secondlook: %s\n", findings.Summary(rep))
			if risk := findings.RiskSummary(rep); risk != "" {
				if !opts.showMap {
					risk += " (--map shows where to look)"
				}
				fmt.Fprintf(stderr, "secondlook: %s\n", risk)
			}
			switch {
			case rep.Stats.ModelConfigured:
				fmt.Fprintf(stderr, "secondlook: %s\n", findings.ModelSummary(rep.Stats))
			case !opts.dryRun && rep.Stats.Regions > 0:
				fmt.Fprintf(stderr, "secondlook: no model configured: %s would go to a model (list them with --dry-run); to review them, set OPENAI_API_KEY, or --base-url (OPENAI_BASE_URL) and --model for a local OpenAI-compatible server\n",
					pipeline.RegionsAndTokens(rep.Stats.Regions, rep.Stats.Tokens))
			}
		}
		if opts.verbose && len(res.Selection.LeftOut) > 0 {
			fmt.Fprintf(stderr, "secondlook: left out by the budget (--max-regions, --max-tokens):\n")
			for _, r := range res.Selection.LeftOut {
				fmt.Fprintf(stderr, "  %s:%d-%d %s (score %.1f)\n", r.File, r.Start, r.End, r.Func, r.Score)
			}
		}
	}

	switch {
	case len(rep.Failures) > 0:
		return &exitError{code: exitFailure}
	case !opts.dryRun && opts.failOn > findings.LevelNone && rep.Count(opts.failOn) > 0:
		return &exitError{code: exitFindings}
	}
	return nil
}

// failureLine is a failure on stderr, "STAGE failed: PKG: FILE:LINE: MSG".
func failureLine(f findings.Failure) string {
	// A failure may quote a server's or a model's words: no terminal
	// control sequences reach the user's terminal.
	return findings.TermSafe(f.Stage + " failed: " + f.Detail())
}

// loadFailureLines names each package that did not load with its first
// error (every error with verbose), as "load failed: PKG: FILE:LINE: MSG".
func loadFailureLines(fs []findings.Failure, verbose bool) []string {
	var lines []string
	more := map[int]int{} // index in lines → errors of its package not shown
	last := map[string]int{}
	for _, f := range fs {
		if f.Stage != "load" {
			continue
		}
		if i, ok := last[f.Package]; ok && !verbose {
			more[i]++
			continue
		}
		last[f.Package] = len(lines)
		lines = append(lines, failureLine(f))
	}
	for i, n := range more {
		lines[i] += fmt.Sprintf(" (and %d more; -v lists them)", n)
	}
	return lines
}

// thousands formats n with commas: 1234567 → "1,234,567".
var thousands = findings.Thousands

// linkBase returns the web URL of the scanned files at the scanned commit,
// ending in a slash, or "" when it is not known: in GitHub Actions from
// GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_SHA, else from the git
// remote and HEAD (an https or scp-like remote, credentials dropped).
func linkBase(getenv func(string) string, res *pipeline.Result) string {
	server, repo, sha := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"), getenv("GITHUB_SHA")
	var web string
	switch {
	case server != "" && repo != "" && sha != "":
		web = strings.TrimRight(server, "/") + "/" + repo
	case res.Remote != "" && res.Revision != "":
		web, sha = remoteWebURL(res.Remote), res.Revision
	}
	if web == "" {
		return ""
	}
	return web + "/blob/" + sha + "/" + res.ModulePrefix
}

// remoteWebURL turns a git remote into the repository's web URL:
// https://host/o/r(.git), ssh://git@host/o/r.git and git@host:o/r.git all
// become https://host/o/r; "" for anything else (a local path).
func remoteWebURL(remote string) string {
	remote = strings.TrimSuffix(strings.TrimSpace(remote), ".git")
	if user, rest, ok := strings.Cut(remote, "@"); ok && !strings.Contains(user, "/") && !strings.Contains(rest, "://") {
		if host, path, ok := strings.Cut(rest, ":"); ok && !strings.HasPrefix(path, "//") {
			return "https://" + host + "/" + strings.TrimPrefix(path, "/")
		}
	}
	u, err := url.Parse(remote)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "ssh") {
		return ""
	}
	return "https://" + u.Hostname() + "/" + strings.TrimPrefix(u.Path, "/")
}

func isDir(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.IsDir()
}

// flagsBeforePackages fails when a flag follows the packages: the flag
// parser stops at the first package, so "scan ./... --format json" took
// --format for a package ("no Go packages matched --format").
func flagsBeforePackages(args []string) error {
	for i, a := range args {
		if i > 0 && strings.HasPrefix(a, "-") && a != "-" {
			return usageErrorf("flags go before packages: put %s before %s", a, args[0])
		}
	}
	return nil
}

// writeOutput writes the report to stdout, or to a file atomically: a
// failed write never leaves half a report where a whole one was.
func writeOutput(stdout io.Writer, name string, data []byte) error {
	if name == "" || name == "-" {
		_, err := stdout.Write(data)
		return err
	}
	dir := filepath.Dir(name)
	if !isDir(dir) {
		return usageErrorf("writing the report to %s: no directory %s", name, dir)
	}
	tmp, err := os.CreateTemp(dir, ".secondlook-*")
	if err != nil {
		return fmt.Errorf("writing the report to %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	return nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress shows how far the static pass has got: a line that rewrites
// itself on a terminal, a line every few seconds elsewhere (CI logs).
type progress struct {
	mu    sync.Mutex // review workers report concurrently
	w     io.Writer
	on    bool
	tty   bool
	last  time.Time
	shown bool
}

func newProgress(w io.Writer, quiet bool) *progress {
	// Off a terminal, the first line waits five seconds: quick scans stay quiet.
	return &progress{w: w, on: !quiet, tty: isTerminal(w), last: time.Now()}
}

func (p *progress) packages(done, total int) {
	if !p.on || total <= 1 {
		return
	}
	switch {
	case p.tty:
		fmt.Fprintf(p.w, "\rsecondlook: analysed %d/%d packages", done, total)
		p.shown = true
	case time.Since(p.last) > 5*time.Second:
		fmt.Fprintf(p.w, "secondlook: analysed %d/%d packages\n", done, total)
		p.last = time.Now()
	}
}

func (p *progress) regions(r pipeline.Progress) {
	if !p.on {
		return
	}
	line := fmt.Sprintf("%d/%d regions done (%d answered, %d failed), %d cache hits, %s tokens",
		r.Done, r.Total, r.Done-r.Failures, r.Failures, r.CacheHits, thousands(r.Tokens))
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.tty:
		fmt.Fprintf(p.w, "\r\033[Ksecondlook: %s", line)
		p.shown = true
	case time.Since(p.last) > 5*time.Second || r.Done == r.Total:
		fmt.Fprintf(p.w, "secondlook: %s\n", line)
		p.last = time.Now()
	}
}

func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
