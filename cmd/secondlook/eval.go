package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/secondlook/secondlook/eval"
	"github.com/secondlook/secondlook/eval/vulndb"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/pipeline"
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
			&cli.DurationFlag{Name: "test-timeout", Value: pipeline.DefaultTestTimeout, Usage: "with --run-tests, stop a package's tests after `D`"},
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
		err = eval.WriteJSON(&buf, rep)
	case "markdown":
		eval.WriteMarkdown(&buf, rep)
	default:
		eval.WriteText(&buf, rep)
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

func writeEvalOut(dir string, rep *eval.Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	var j, md bytes.Buffer
	if err := eval.WriteJSON(&j, rep); err != nil {
		return err
	}
	eval.WriteMarkdown(&md, rep)
	for name, data := range map[string][]byte{
		"report.json": j.Bytes(),
		"report.md":   md.Bytes(),
		"curve.svg":   []byte(eval.CurveSVG(rep.Curve)),
	} {
		if err := writeOutput(nil, filepath.Join(dir, name), data); err != nil {
			return err
		}
	}
	return nil
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
			eval.WriteCompare(c.App.Writer, &reps[0], &reps[1])
			return nil
		},
	}
}
