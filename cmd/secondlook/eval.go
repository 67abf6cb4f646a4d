package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/secondlook/secondlook/eval"
	"github.com/secondlook/secondlook/eval/vulndb"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/pipeline"
	"github.com/secondlook/secondlook/internal/runtests"
)

func evalCommand() *cli.Command {
	return &cli.Command{
		Name:      "eval",
		Usage:     "score secondlook (and your model) against a corpus of known Go bugs",
		ArgsUsage: " ",
		Description: `Runs the scan on every case of a corpus — the built-in one, or --corpus DIR, a
folder of txtar cases — each in a temp module, in parallel, and scores the
findings against the known bugs: precision, recall, F1, false positives per
clean case, oracle recall (bugs inside a region sent to the model), static
figures beside the model's, tokens and cost. With no model configured it
scores the static pass.

EXAMPLES:
   secondlook eval                                   the static pass on the built-in corpus
   OPENAI_API_KEY=... secondlook eval --price-in 0.4 --price-out 1.6 --out eval-out
   secondlook eval --base-url http://localhost:11434/v1 --model qwen2.5-coder:7b
   secondlook eval --offline                         replay the cached answers of an earlier run
   secondlook eval compare old.json new.json`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "corpus", Usage: "a folder of txtar cases, or `vulndb`: real fixes from the Go vulnerability database, fetched from the module proxy (default: the built-in corpus)"},
			&cli.StringFlag{Name: "run", Usage: "only the cases whose name matches `REGEXP`"},
			&cli.BoolFlag{Name: "oracle", Usage: "review with a perfect model (one that answers with each case's known bugs) through the real client: the pipeline's ceiling"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "report `FORMAT`: text, json or markdown"},
			&cli.StringFlag{Name: "out", Usage: "also write report.json, report.md and curve.svg (precision and recall against the confidence threshold) to `DIR`"},
			&cli.IntFlag{Name: "j", Usage: "cases run at once", DefaultText: "the number of CPUs"},
			&cli.BoolFlag{Name: "run-tests", Usage: "also run each case's own tests under the race detector and the goroutine-leak profile, as scan --run-tests does (one package at a time per case)"},
			&cli.DurationFlag{Name: "test-timeout", Value: runtests.DefaultTimeout, Usage: "with --run-tests, stop a package's tests after `D`"},
			&cli.IntFlag{Name: "slack", Value: 3, Usage: "lines a finding may sit from a bug's listed line"},
			&cli.BoolFlag{Name: "q", Usage: "quiet: no progress"},
		}, modelFlags()...),
		Subcommands: []*cli.Command{compareCommand()},
		Action:      runEval,
	}
}

func runEval(c *cli.Context) error {
	format := c.String("format")
	switch format {
	case "text", "json", "markdown":
	default:
		return usageErrorf("unknown --format %q: use text, json or markdown", format)
	}
	var cases []*eval.Case
	var err error
	switch dir := c.String("corpus"); dir {
	case "":
		if cases, err = eval.LoadDir(eval.Builtin, "corpus"); err != nil {
			return err
		}
	case "vulndb":
		metas, err := vulndb.Load()
		if err != nil {
			return err
		}
		cases = vulndb.Cases(metas, vulndb.NewGo(nil))
	default:
		cases, err = eval.LoadDir(os.DirFS(dir), ".")
		if err != nil {
			return usageErrorf("reading --corpus: %v", err)
		}
	}
	if expr := c.String("run"); expr != "" {
		re, err := regexp.Compile(expr)
		if err != nil {
			return usageErrorf("--run: %v", err)
		}
		cases = slices.DeleteFunc(cases, func(k *eval.Case) bool { return !re.MatchString(k.Name) })
		if len(cases) == 0 {
			return usageErrorf("--run %q matches no case", expr)
		}
	}
	mc, err := modelConfig(c)
	if err != nil {
		return err
	}
	if c.Bool("oracle") {
		if mc != nil {
			return usageErrorf("--oracle is the model: leave out --model, --base-url and OPENAI_API_KEY")
		}
	}
	var rt *pipeline.RunTestsConfig
	if c.Bool("run-tests") {
		if c.Duration("test-timeout") <= 0 {
			return usageErrorf("--test-timeout takes a duration > 0 (e.g. 2m)")
		}
		rt = &pipeline.RunTestsConfig{Timeout: c.Duration("test-timeout"), Jobs: 1}
	}
	prog := newProgress(c.App.ErrWriter, c.Bool("q"))
	rep, err := eval.Run(c.Context, eval.Config{
		RunTests: rt,
		Cases:    cases,
		Model:    mc,
		Oracle:   c.Bool("oracle"),
		Jobs:     c.Int("j"),
		Slack:    c.Int("slack"),
		PriceIn:  c.Float64("price-in"),
		PriceOut: c.Float64("price-out"),
		Tool:     findings.Tool{Name: "secondlook", Version: version(), InformationURI: informationURI},
		Progress: prog.cases,
	})
	prog.done()
	if err != nil {
		return err
	}

	var buf bytes.Buffer
	switch format {
	case "json":
		err = writeEvalJSON(&buf, rep)
	case "markdown":
		writeEvalMarkdown(&buf, rep)
	default:
		writeEvalText(&buf, rep)
	}
	if err != nil {
		return err
	}
	if _, err := c.App.Writer.Write(buf.Bytes()); err != nil {
		return err
	}
	if dir := c.String("out"); dir != "" {
		if err := writeEvalOut(dir, rep); err != nil {
			return err
		}
	}
	for _, r := range rep.Results {
		if r.Error != "" || len(r.Failures) > 0 {
			return &exitError{code: exitFailure, err: fmt.Errorf("some cases were not fully scanned (see the report)")}
		}
	}
	return nil
}

func (p *progress) cases(done, total int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.tty:
		fmt.Fprintf(p.w, "\r\033[Ksecondlook: evaluated %d/%d cases", done, total)
		p.shown = true
	case time.Since(p.last) > 5*time.Second || done == total:
		fmt.Fprintf(p.w, "secondlook: evaluated %d/%d cases\n", done, total)
		p.last = time.Now()
	}
}

func writeEvalJSON(w io.Writer, rep *eval.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func writeEvalOut(dir string, rep *eval.Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	var j, md bytes.Buffer
	if err := writeEvalJSON(&j, rep); err != nil {
		return err
	}
	writeEvalMarkdown(&md, rep)
	for name, data := range map[string][]byte{
		"report.json": j.Bytes(),
		"report.md":   md.Bytes(),
		"curve.svg":   []byte(curveSVG(rep.Curve)),
	} {
		if err := writeOutput(nil, filepath.Join(dir, name), data); err != nil {
			return err
		}
	}
	return nil
}

func figuresRow(name string, f eval.Figures) []string {
	return []string{name, fmt.Sprint(f.Cases), fmt.Sprint(f.Bugs), fmt.Sprint(f.TruePositives), fmt.Sprint(f.FalsePositives),
		fmt.Sprint(f.FalseNegatives), fmt.Sprint(f.Duplicates), fmt.Sprintf("%.3f", f.Precision), fmt.Sprintf("%.3f", f.Recall),
		fmt.Sprintf("%.3f", f.F1), fmt.Sprintf("%.3f", f.OracleRecall), fmt.Sprintf("%.2f", f.CleanCaseFalsePositives),
		thousands(int(f.RegionTokensPerCase)), rankCell(f)}
}

// rankCell is the share of ranked cases whose bug function a full scan
// puts within the riskiest fifth of its packages' tokens.
func rankCell(f eval.Figures) string {
	if f.Ranked == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", f.TopShare)
}

var figuresHeader = []string{"", "cases", "bugs", "TP", "FP", "FN", "dup", "precision", "recall", "F1", "in region", "FP/clean", "tok/case", "top 20%"}

func evalRows(rep *eval.Report) [][]string {
	label := "all findings"
	if rep.Model == "" {
		label = "static (no model)"
	}
	rows := [][]string{figuresRow(label, rep.Figures)}
	if rep.Model != "" {
		rows = append(rows, figuresRow("static alone", rep.Static))
	}
	for _, fam := range slices.Sorted(maps.Keys(rep.ByFamily)) {
		rows = append(rows, figuresRow("  "+fam, rep.ByFamily[fam]))
	}
	if rep.Model != "" {
		for _, fam := range slices.Sorted(maps.Keys(rep.StaticByFamily)) {
			rows = append(rows, figuresRow("  static "+fam, rep.StaticByFamily[fam]))
		}
	}
	return rows
}

// evalLegend says what the columns mean, under the table.
const evalLegend = `in region: bugs inside a region sent (or that would be sent) to a model. FP/clean: findings per clean case.
tok/case: tokens of the regions selected, per case. top 20%: bugs whose function a full scan of its packages
ranks within the riskiest 20% of their region tokens.`

// rankLine sums up the full-scan ranking, or "" if no case was ranked.
func rankLine(f eval.Figures) string {
	if f.Ranked == 0 {
		return ""
	}
	return fmt.Sprintf("full-scan ranking: the bug's function is a region in %d of %d cases (%.1f%%), within the riskiest 20%% of its packages' region tokens in %d (%.1f%%)",
		f.RankSelected, f.Ranked, 100*f.FullScanRecall, f.RankTop, 100*f.TopShare)
}

func writeEvalText(w io.Writer, rep *eval.Report) {
	model := rep.Model
	if model == "" {
		model = "none (static pass only)"
	}
	fmt.Fprintf(w, "model: %s    %d cases in %.1fs    tokens %s    cost $%.4f ($%.4f per true positive)\n\n", model, rep.Cases, rep.Seconds, thousands(rep.Tokens), rep.CostUSD, rep.CostPerTruePositive)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(figuresHeader, "\t")+"\t")
	for _, r := range evalRows(rep) {
		fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
	}
	tw.Flush()
	fmt.Fprintln(w, evalLegend)
	if l := rankLine(rep.Figures); l != "" {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintln(w)
	for _, r := range rep.Results {
		status := "ok"
		switch {
		case r.Error != "":
			status = "error: " + r.Error
		case r.Figures.FalsePositives > 0 || len(r.Missed) > 0:
			status = fmt.Sprintf("TP %d FP %d missed %d", r.Figures.TruePositives, r.Figures.FalsePositives, len(r.Missed))
		}
		fmt.Fprintf(w, "%-40s %s\n", r.Name, status)
		for _, m := range r.Missed {
			fmt.Fprintf(w, "    missed %s\n", m)
		}
		for _, s := range r.Findings {
			if s.Match == eval.FalsePositive {
				fmt.Fprintf(w, "    false positive %s:%d %s %s\n", s.Finding.Location.File, s.Finding.Location.Line, s.Finding.RuleID, s.Finding.Message)
			}
		}
	}
}

func writeEvalMarkdown(w io.Writer, rep *eval.Report) {
	model := rep.Model
	if model == "" {
		model = "none (static pass only)"
	}
	fmt.Fprintf(w, "# secondlook eval\n\nModel: `%s` · %d cases · %.1fs · %s tokens · $%.4f\n\n", model, rep.Cases, rep.Seconds, thousands(rep.Tokens), rep.CostUSD)
	fmt.Fprintln(w, "| "+strings.Join(figuresHeader, " | ")+" |")
	fmt.Fprintln(w, "|"+strings.Repeat("---|", len(figuresHeader)))
	for _, r := range evalRows(rep) {
		fmt.Fprintln(w, "| "+strings.Join(r, " | ")+" |")
	}
	fmt.Fprintln(w, "\n"+evalLegend)
	if l := rankLine(rep.Figures); l != "" {
		fmt.Fprintln(w, "\n"+l+".")
	}
	fmt.Fprintln(w, "\n## Cases\n\n| case | family | TP | FP | missed |\n|---|---|---|---|---|")
	for _, r := range rep.Results {
		missed := strings.Join(r.Missed, "<br>")
		if r.Error != "" {
			missed = "error: " + r.Error
		}
		fmt.Fprintf(w, "| %s | %s | %d | %d | %s |\n", r.Name, r.Family, r.Figures.TruePositives, r.Figures.FalsePositives, strings.ReplaceAll(missed, "|", `\|`))
	}
}

// curveSVG draws precision and recall against the confidence threshold.
func curveSVG(pts []eval.Point) string {
	const w, h, pad = 480.0, 300.0, 40.0
	x := func(t float64) float64 { return pad + t/0.9*(w-2*pad) }
	y := func(v float64) float64 { return h - pad - v*(h-2*pad) }
	line := func(get func(eval.Point) float64) string {
		var b strings.Builder
		for i, p := range pts {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%.1f,%.1f", x(p.Threshold), y(get(p)))
		}
		return b.String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="11">`+"\n", w, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="black"/>`+"\n", pad, h-pad, w-pad, h-pad)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="black"/>`+"\n", pad, pad, pad, h-pad)
	for _, v := range []float64{0, 0.5, 1} {
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end">%.1f</text>`+"\n", pad-4, y(v)+4, v)
	}
	for _, t := range []float64{0, 0.3, 0.6, 0.9} {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle">%.1f</text>`+"\n", x(t), h-pad+14, t)
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle">confidence threshold</text>`+"\n", w/2, h-6)
	fmt.Fprintf(&b, `<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="%s"/>`+"\n", line(func(p eval.Point) float64 { return p.Precision }))
	fmt.Fprintf(&b, `<polyline fill="none" stroke="#d62728" stroke-width="2" points="%s"/>`+"\n", line(func(p eval.Point) float64 { return p.Recall }))
	fmt.Fprintf(&b, `<text x="%.0f" y="20" fill="#1f77b4">precision</text><text x="%.0f" y="20" fill="#d62728">recall</text>`+"\n", pad, pad+80)
	b.WriteString("</svg>\n")
	return b.String()
}

func compareCommand() *cli.Command {
	return &cli.Command{
		Name:      "compare",
		Usage:     "show what changed between two eval reports (JSON)",
		ArgsUsage: "OLD.json NEW.json",
		Action: func(c *cli.Context) error {
			if c.NArg() != 2 {
				return usageErrorf("compare takes two reports: secondlook eval compare OLD.json NEW.json")
			}
			var reps [2]eval.Report
			for i, name := range c.Args().Slice() {
				data, err := os.ReadFile(name)
				if err != nil {
					return usageErrorf("reading %s: %v", name, err)
				}
				if err := json.Unmarshal(data, &reps[i]); err != nil || reps[i].Cases == 0 {
					return usageErrorf("%s is not an eval report (secondlook eval --format json)", name)
				}
			}
			old, cur := reps[0], reps[1]
			w := tabwriter.NewWriter(c.App.Writer, 0, 8, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(w, "\told\tnew\tchange\t")
			row := func(name string, a, b float64, format string) {
				fmt.Fprintf(w, "%s\t"+format+"\t"+format+"\t%+.3f\t\n", name, a, b, b-a)
			}
			row("precision", old.Precision, cur.Precision, "%.3f")
			row("recall", old.Recall, cur.Recall, "%.3f")
			row("F1", old.F1, cur.F1, "%.3f")
			row("oracle recall", old.OracleRecall, cur.OracleRecall, "%.3f")
			row("static recall", old.Static.Recall, cur.Static.Recall, "%.3f")
			row("FP per clean case", old.CleanCaseFalsePositives, cur.CleanCaseFalsePositives, "%.3f")
			row("region tokens per case", old.RegionTokensPerCase, cur.RegionTokensPerCase, "%.0f")
			row("full-scan function recall", old.FullScanRecall, cur.FullScanRecall, "%.3f")
			row("full-scan top 20%", old.TopShare, cur.TopShare, "%.3f")
			row("true positives", float64(old.TruePositives), float64(cur.TruePositives), "%.0f")
			row("false positives", float64(old.FalsePositives), float64(cur.FalsePositives), "%.0f")
			row("tokens", float64(old.Tokens), float64(cur.Tokens), "%.0f")
			row("cost USD", old.CostUSD, cur.CostUSD, "%.4f")
			w.Flush()
			// Cases whose outcome changed.
			before := map[string]eval.CaseResult{}
			for _, r := range old.Results {
				before[r.Name] = r
			}
			for _, r := range cur.Results {
				o, ok := before[r.Name]
				if !ok {
					fmt.Fprintf(c.App.Writer, "new case %s: TP %d FP %d\n", r.Name, r.Figures.TruePositives, r.Figures.FalsePositives)
					continue
				}
				if o.Figures.TruePositives != r.Figures.TruePositives || o.Figures.FalsePositives != r.Figures.FalsePositives {
					fmt.Fprintf(c.App.Writer, "%s: TP %d → %d, FP %d → %d\n", r.Name, o.Figures.TruePositives, r.Figures.TruePositives, o.Figures.FalsePositives, r.Figures.FalsePositives)
				}
			}
			return nil
		},
	}
}
