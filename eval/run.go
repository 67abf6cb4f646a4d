package eval

import (
	"context"
	"fmt"
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
	Static   Figures            `json:"static"`
	ByFamily map[string]Figures `json:"by_family"`
	Model    string             `json:"model,omitempty"` // "" for static only
	Seconds  float64            `json:"seconds"`
	Curve    []Point            `json:"curve"`
	Results  []CaseResult       `json:"case_results"`
}

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

	rep := &Report{ByFamily: map[string]Figures{}, Results: results, Seconds: round(time.Since(start).Seconds())}
	if cfg.Model != nil {
		rep.Model = cfg.Model.LLM.Model
	}
	for _, r := range results {
		rep.Figures.add(r.Figures)
		rep.Static.add(r.Static)
		fam := rep.ByFamily[r.Family]
		fam.add(r.Figures)
		rep.ByFamily[r.Family] = fam
	}
	rep.Figures.finish()
	rep.Static.finish()
	for k, f := range rep.ByFamily {
		f.finish()
		rep.ByFamily[k] = f
	}
	rep.Curve = curve(cfg.Cases, results, slack)
	return rep, nil
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

	dir, err := os.MkdirTemp("", "secondlook-eval-*")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	pcfg := pipeline.Config{Dir: dir, Model: cfg.Model, Tool: cfg.Tool}
	if c.Diff() {
		if err := layDiff(ctx, dir, c); err != nil {
			return fail(err)
		}
		pcfg.DiffBase = "HEAD"
	} else if err := writeFiles(dir, c.Files); err != nil {
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
	fig.Tokens = rep.Stats.PromptTokens + rep.Stats.CompletionTokens
	fig.CostUSD = float64(rep.Stats.PromptTokens)*cfg.PriceIn/1e6 + float64(rep.Stats.CompletionTokens)*cfg.PriceOut/1e6
	fig.Failures = len(rep.Failures)
	sfig.Failures = fig.Failures
	for _, f := range rep.Failures {
		cr.Failures = append(cr.Failures, fmt.Sprintf("%s: %s:%d: %s", f.Stage, f.File, f.Line, f.Message))
	}
	cr.Figures, cr.Static, cr.Findings = fig, sfig, scored
	cr.Regions = len(res.Selection.Regions)
	cr.Dropped = rep.Stats.Dropped
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

func writeFiles(dir string, files map[string][]byte) error {
	for _, name := range slices.Sorted(maps.Keys(files)) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// layDiff commits the base version, then leaves the head version in the
// work tree: the change to scan.
func layDiff(ctx context.Context, dir string, c *Case) error {
	base := maps.Clone(c.Base)
	if _, ok := base["go.mod"]; !ok {
		base["go.mod"] = c.Files["go.mod"]
	}
	if err := writeFiles(dir, base); err != nil {
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
	for name := range base {
		if _, ok := c.Files[name]; !ok {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
				return err
			}
		}
	}
	return writeFiles(dir, c.Files)
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
