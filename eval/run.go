package eval

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/llm"
	"github.com/secondlook/secondlook/internal/pipeline"
)

// Config says what [Run] evaluates.
type Config struct {
	Cases []*Case

	// Model, when non-nil, reviews each case's regions with a model; nil
	// scores the static pass alone.
	Model *pipeline.ModelConfig

	Jobs  int // cases run at once; zero means GOMAXPROCS
	Slack int // lines a finding may sit from a listed line; zero means 3

	PriceIn, PriceOut float64 // USD per million tokens, for cost

	// Oracle reviews each case with a perfect model instead of Model: a
	// server that answers with the case's known bugs inside each region it
	// is shown, through the real client. Its recall is the pipeline's
	// ceiling.
	Oracle bool

	// RunTests, when non-nil, runs each case's own tests under the race
	// detector and the goroutine-leak profile (scan --run-tests): a case
	// without tests scores as without it.
	RunTests *pipeline.RunTestsConfig

	Tool findings.Tool

	// Progress, if non-nil, is called after each case.
	Progress func(done, total int)
}

// CaseResult is how one case scored.
type CaseResult struct {
	Name     string         `json:"name"`
	Family   string         `json:"family"`
	Source   string         `json:"source"`
	Diff     bool           `json:"diff"`
	Figures  Figures        `json:"figures"`        // every finding
	Static   Figures        `json:"static_figures"` // static findings alone
	Findings []Scored       `json:"findings"`
	Missed   []string       `json:"missed"` // the bugs no finding matched, as "KIND LOCATION"
	Failures []string       `json:"failures,omitempty"`
	Seconds  float64        `json:"seconds"`
	Error    string         `json:"error,omitempty"` // the case could not be scanned
	Regions  int            `json:"regions"`
	Dropped  map[string]int `json:"dropped,omitempty"`
	// Tests are the case's packages whose tests ran (RunTests), and
	// Confirmed the claims they confirmed.
	Tests     []findings.TestRun `json:"tests,omitempty"`
	Confirmed int                `json:"confirmed_by_execution,omitempty"`
	// Rank is where a full scan of the bug's packages puts its function
	// (every case with a bug: by the functions it names, else by the
	// region that holds a line of the bug).
	Rank *Rank `json:"rank,omitempty"`
}

// Point is precision and recall when only findings at or above a
// confidence are kept (static findings count as confidence 1).
type Point struct {
	Threshold float64 `json:"threshold"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// Report is the result of an evaluation. Its top-level figures count every
// finding; Static counts the static pass alone.
type Report struct {
	Figures
	Static         Figures            `json:"static"`
	ByFamily       map[string]Figures `json:"by_family"`
	StaticByFamily map[string]Figures `json:"static_by_family"`
	Model          string             `json:"model,omitempty"` // "" for static only, "oracle" for the perfect model
	Seconds        float64            `json:"seconds"`
	Curve          []Point            `json:"curve"`
	Lifts          []Lift             `json:"check_lift,omitempty"` // of the ranked cases, strongest first
	Results        []CaseResult       `json:"case_results"`
}

// oracleModel names the perfect model in reports.
const oracleModel = "oracle"

// Run scans every case in a temp dir, in parallel, and scores it.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if len(cfg.Cases) == 0 {
		return nil, fmt.Errorf("no cases to run")
	}
	jobs := cfg.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	slack := cfg.Slack
	if slack <= 0 {
		slack = 3
	}
	start := time.Now()
	results := make([]CaseResult, len(cfg.Cases))
	var done atomic.Int64
	p := pool.New().WithMaxGoroutines(jobs)
	for i, c := range cfg.Cases {
		p.Go(func() {
			results[i] = runCase(ctx, c, cfg, slack)
			if cfg.Progress != nil {
				cfg.Progress(int(done.Add(1)), len(cfg.Cases))
			}
		})
	}
	p.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	rep := &Report{ByFamily: map[string]Figures{}, StaticByFamily: map[string]Figures{}, Results: results, Seconds: round(time.Since(start).Seconds())}
	switch {
	case cfg.Oracle:
		rep.Model = oracleModel
	case cfg.Model != nil:
		rep.Model = cfg.Model.LLM.Model
	}
	for _, r := range results {
		rep.Figures.add(r.Figures)
		rep.Static.add(r.Static)
		addTo(rep.ByFamily, r.Family, r.Figures)
		addTo(rep.StaticByFamily, r.Family, r.Static)
	}
	rep.Figures.finish()
	rep.Static.finish()
	for _, m := range []map[string]Figures{rep.ByFamily, rep.StaticByFamily} {
		for k, f := range m {
			f.finish()
			m[k] = f
		}
	}
	rep.Curve = curve(cfg.Cases, results, slack)
	rep.Lifts = Lifts(results)
	return rep, nil
}

func addTo(m map[string]Figures, key string, f Figures) {
	sum := m[key]
	sum.add(f)
	m[key] = sum
}

// runCase lays a case out as a module (a git repository with the base
// committed, for a diff case), scans it and scores the findings.
func runCase(ctx context.Context, c *Case, cfg Config, slack int) CaseResult {
	start := time.Now()
	cr := CaseResult{Name: c.Name, Family: string(c.Family), Source: c.Source, Diff: c.Diff(), Missed: []string{}}
	fail := func(err error) CaseResult {
		cr.Error = err.Error()
		cr.Figures = Figures{Cases: 1, Bugs: len(c.Expect), Failures: 1}
		cr.Static = cr.Figures
		if c.Clean() {
			cr.Figures.CleanCases, cr.Static.CleanCases = 1, 1
		}
		for _, b := range c.Expect {
			cr.Missed = append(cr.Missed, bugString(b))
		}
		cr.Seconds = round(time.Since(start).Seconds())
		return cr
	}

	if c.Fetch != nil {
		if err := c.Fetch(ctx, c); err != nil {
			return fail(err)
		}
		cr.Diff = c.Diff()
	}
	dir, err := os.MkdirTemp("", "secondlook-eval-*")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	pcfg := pipeline.Config{Dir: dir, Model: cfg.Model, Tool: cfg.Tool, RunTests: cfg.RunTests}
	if c.Env != nil {
		pcfg.Env = append(os.Environ(), c.Env...)
	}
	if cfg.Oracle {
		o := newOracle(c.Expect)
		defer o.Close()
		pcfg.Model = &pipeline.ModelConfig{
			LLM:     llm.Config{BaseURL: o.URL(), Model: oracleModel, APIKey: "oracle"},
			NoCache: true, NoRedact: true,
		}
	}
	if c.Diff() {
		if err := layDiff(ctx, dir, c); err != nil {
			return fail(err)
		}
		pcfg.DiffBase = "HEAD"
	} else if err := layHead(dir, c); err != nil {
		return fail(err)
	}

	res, err := pipeline.Run(ctx, pcfg)
	if err != nil && res == nil {
		return fail(err)
	}
	rep := res.Report
	all := rep.Findings
	var static []findings.Finding
	for _, f := range all {
		if f.Static() {
			static = append(static, f)
		}
	}
	scored, fig := Score(c, all, slack)
	_, sfig := Score(c, static, slack)

	var regions []span
	for _, r := range res.Selection.Regions {
		regions = append(regions, span{r.File, r.Start, r.End})
	}
	for i, b := range c.Expect {
		if inRegion(b, regions) {
			fig.inRegion++
			sfig.inRegion++
		}
		if !slices.ContainsFunc(scored, func(s Scored) bool { return s.Match == TruePositive && s.Bug == i+1 }) {
			cr.Missed = append(cr.Missed, bugString(b))
		}
	}
	fig.RegionTokens, sfig.RegionTokens = res.Selection.TotalTokens, res.Selection.TotalTokens
	if !c.Clean() && ctx.Err() == nil {
		if rk, err := rankCase(ctx, dir, c, pcfg.Env); err != nil {
			cr.Failures = append(cr.Failures, "rank: "+err.Error())
		} else {
			cr.Rank = rk
			fig.addRank(rk)
			sfig.addRank(rk)
		}
	}
	fig.Tokens = rep.Stats.PromptTokens + rep.Stats.CompletionTokens
	fig.CostUSD = findings.Prices{In: cfg.PriceIn, Out: cfg.PriceOut}.Cost(rep.Stats.PromptTokens, rep.Stats.CompletionTokens)
	fig.Failures = len(rep.Failures)
	sfig.Failures = fig.Failures
	for _, f := range rep.Failures {
		cr.Failures = append(cr.Failures, f.Text())
	}
	cr.Figures, cr.Static, cr.Findings = fig, sfig, scored
	cr.Regions = len(res.Selection.Regions)
	cr.Dropped = rep.Stats.Dropped
	cr.Tests, cr.Confirmed = rep.Tests, rep.Stats.ConfirmedByExecution
	if err != nil {
		cr.Error = err.Error() // a fatal model error: what finished is scored
	}
	cr.Seconds = round(time.Since(start).Seconds())
	return cr
}

func bugString(b Bug) string {
	var locs []string
	for _, l := range b.Locations {
		locs = append(locs, l.String())
	}
	return b.Kind + " " + strings.Join(locs, " ")
}

// writeFiles writes files into dir; a nil file of an overlay (over a
// case's Root) is deleted.
func writeFiles(dir string, files map[string][]byte, overlay bool) error {
	for _, name := range slices.Sorted(maps.Keys(files)) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if overlay && files[name] == nil {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// layHead writes the head version of a case into dir.
func layHead(dir string, c *Case) error {
	if c.Root != "" {
		if err := CopyTree(dir, c.Root); err != nil {
			return err
		}
	}
	return writeFiles(dir, c.Files, c.Root != "")
}

// CopyTree copies the regular files and directories of src into dst,
// writable whatever their mode in src (the module cache is read-only).
func CopyTree(dst, src string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case !d.Type().IsRegular():
			return nil // module trees hold no symlinks; others are left out
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// layDiff commits the base version, then leaves the head version in the
// work tree: the change to scan.
func layDiff(ctx context.Context, dir string, c *Case) error {
	base := maps.Clone(c.Base)
	if c.Root != "" {
		if err := CopyTree(dir, c.Root); err != nil {
			return err
		}
	} else if _, ok := base["go.mod"]; !ok {
		base["go.mod"] = c.Files["go.mod"]
	}
	if err := writeFiles(dir, base, c.Root != ""); err != nil {
		return err
	}
	git := func(args ...string) error {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-c", "user.name=secondlook-eval",
			"-c", "user.email=eval@secondlook.invalid", "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %v: %s", args[0], err, out)
		}
		return nil
	}
	if err := git("init", "-q"); err != nil {
		return err
	}
	if err := git("add", "-A"); err != nil {
		return err
	}
	if err := git("commit", "-q", "-m", "base"); err != nil {
		return err
	}
	if c.Root != "" {
		// Back to Root where the base differs, then the head's overlay.
		for name := range base {
			data, err := os.ReadFile(filepath.Join(c.Root, filepath.FromSlash(name)))
			if errors.Is(err, fs.ErrNotExist) {
				data = nil
			} else if err != nil {
				return err
			}
			if err := writeFiles(dir, map[string][]byte{name: data}, true); err != nil {
				return err
			}
		}
		return writeFiles(dir, c.Files, true)
	}
	for name := range base {
		if _, ok := c.Files[name]; !ok {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
				return err
			}
		}
	}
	return writeFiles(dir, c.Files, false)
}

// curve computes precision and recall over all cases at confidence
// thresholds 0, 0.1, …, 0.9.
func curve(cases []*Case, results []CaseResult, slack int) []Point {
	var pts []Point
	for t := 0; t <= 9; t++ {
		th := float64(t) / 10
		var total Figures
		for i, r := range results {
			var kept []findings.Finding
			for _, s := range r.Findings {
				conf := s.Finding.Confidence
				if s.Finding.Static() {
					conf = 1
				}
				if conf >= th {
					kept = append(kept, s.Finding)
				}
			}
			_, fig := Score(cases[i], kept, slack)
			total.add(fig)
		}
		total.finish()
		pts = append(pts, Point{Threshold: th, Precision: total.Precision, Recall: total.Recall})
	}
	return pts
}
