package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/pipeline"
	"github.com/secondlook/secondlook/prompts"
)

const (
	// agentTokens is the default budget of risky_regions: the regions come
	// back into the agent's own context, and agents cut long tool results
	// (Claude Code at 25,000 tokens by default). Instructions, schema and
	// JSON escaping come on top.
	agentTokens = 16_000
	// scanTokens is the default budget of scan, the CLI's: the regions go
	// to the configured model, not to the agent.
	scanTokens = pipeline.DefaultMaxTokens
)

// config turns a scope into the pipeline's configuration.
func (s *server) config(sc Scope, defaultTokens int) (pipeline.Config, error) {
	if strings.TrimSpace(sc.Dir) == "" {
		return pipeline.Config{}, errors.New("dir is required: the directory of the Go module to scan (an absolute path)")
	}
	if fi, err := os.Stat(sc.Dir); err != nil {
		return pipeline.Config{}, fmt.Errorf("dir %s: %w", sc.Dir, err)
	} else if !fi.IsDir() {
		return pipeline.Config{}, fmt.Errorf("dir %s is not a directory", sc.Dir)
	}
	if sc.Full && sc.DiffBase != "" {
		return pipeline.Config{}, errors.New("diff_base and full=true both say what to scan: use one")
	}
	if sc.MaxRegions < 0 || sc.MaxTokens < 0 {
		return pipeline.Config{}, errors.New("max_regions and max_tokens take a number ≥ 0 (max_regions 0: no limit; max_tokens 0: the default)")
	}
	cfg := pipeline.Config{
		Dir:        sc.Dir,
		MaxRegions: sc.MaxRegions,
		MaxTokens:  sc.MaxTokens,
		Tool:       s.opts.Tool,
		Env:        s.opts.Env,

		AnalysisCache: s.opts.AnalysisCache,
	}
	if cfg.MaxTokens == 0 {
		cfg.MaxTokens = defaultTokens
	}
	if !sc.Full {
		cfg.DiffBase = sc.DiffBase
		if cfg.DiffBase == "" {
			cfg.DiffBase = "HEAD" // the uncommitted changes
		}
	}
	return cfg, nil
}

func (s *server) riskyRegions(ctx context.Context, _ *mcp.CallToolRequest, in RegionsInput) (*mcp.CallToolResult, RegionsOutput, error) {
	cfg, err := s.config(in.Scope, agentTokens)
	if err != nil {
		return nil, RegionsOutput{}, err
	}
	res, err := pipeline.Run(ctx, cfg)
	if err != nil {
		return nil, RegionsOutput{}, err
	}
	var schema map[string]any
	if err := json.Unmarshal(pipeline.AnswerSchema(), &schema); err != nil {
		return nil, RegionsOutput{}, fmt.Errorf("reading the answer schema: %w", err)
	}
	out := RegionsOutput{
		Module:         res.Module.Path,
		ModuleDir:      res.Module.Dir,
		GoVersion:      res.Module.GoVersion,
		Mode:           res.Report.Stats.Mode,
		DiffBase:       cfg.DiffBase,
		Regions:        res.Regions(),
		ReviewMap:      res.Report.ReviewMap,
		Risk:           findings.RiskSummary(res.Report),
		LeftOut:        len(res.Selection.LeftOut),
		Tokens:         res.Selection.TotalTokens,
		StaticFindings: toFindings(res.Report.Findings),
		Failures:       toFailures(res.Report.Failures),
		Instructions:   res.Instructions(),
		AnswerSchema:   schema,
		PromptVersion:  prompts.Version(),
	}
	out.Note = regionsNote(res, cfg)
	return nil, out, nil
}

// regionsNote says what risky_regions found and what to do next.
func regionsNote(res *pipeline.Result, cfg pipeline.Config) string {
	rep := res.Report
	if msg := nothingToScan(res, cfg); msg != "" {
		return msg
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%d tokens)", plural(len(res.Selection.Regions), "region"), res.Selection.TotalTokens)
	if n := len(res.Selection.LeftOut); n > 0 {
		fmt.Fprintf(&b, ", %d more left out by the budget (raise max_tokens or max_regions to see them)", n)
	}
	fmt.Fprintf(&b, "; %s", plural(len(rep.Findings), "static finding"))
	if n := len(rep.Failures); n > 0 {
		fmt.Fprintf(&b, "; %s: the results are incomplete", plural(n, "failure"))
	}
	b.WriteString(".")
	if len(res.Selection.Regions) > 0 {
		b.WriteString(" Read each region following the instructions: report bugs on its lines start_line to end_line only, " +
			"as claims in the answer schema, each with the region's file added. Lines marked + were changed; check them first. " +
			"Then call check_claims with the claims and the same dir, diff_base, full and budget, before you edit the code again. " +
			"The static findings are not certain either: each gives its rule's precision, and a deliberate pattern (a lock handed on to the caller, say) " +
			"can read as a bug. Verify each against the code before you change it, and leave code that is right as it is.")
	}
	return b.String()
}

// nothingToScan says why a diff scan had nothing to look at, with what to
// do next, or "".
func nothingToScan(res *pipeline.Result, cfg pipeline.Config) string {
	msg := res.NothingToScan(cfg.DiffBase)
	if res.NothingChanged() {
		msg += ": there are no regions to hunt (pass diff_base for a branch, or full=true for the whole module)"
	}
	return msg
}

// sarifText writes a report as the CLI's --format sarif does.
func sarifText(res *pipeline.Result, rep *findings.Report) (string, error) {
	var buf bytes.Buffer
	if err := pipeline.WriteSARIF(&buf, res, rep); err != nil {
		return "", fmt.Errorf("writing the report: %w", err)
	}
	return buf.String(), nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
