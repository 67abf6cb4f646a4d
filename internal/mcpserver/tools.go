package mcpserver

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/pipeline"
)

// noModel is scan's word when the server has no model: how to configure
// one, and how to hunt without one.
const noModel = "no model configured: these are the static findings only. " +
	"To have scan ask a model, start the server with OPENAI_API_KEY set, or OPENAI_BASE_URL and SECONDLOOK_MODEL for a local OpenAI-compatible server. " +
	"Or hunt with your own model: risky_regions, then check_claims."

func (s *server) scan(ctx context.Context, _ *mcp.CallToolRequest, in ScanInput) (*mcp.CallToolResult, ScanOutput, error) {
	cfg, err := s.config(in.Scope, scanTokens)
	if err != nil {
		return nil, ScanOutput{}, err
	}
	if s.opts.Model != nil {
		mc := *s.opts.Model // each call its own copy: the pipeline may set fields
		cfg.Model = &mc
	}
	res, err := pipeline.Run(ctx, cfg)
	var fatal *pipeline.FatalError
	if err != nil && !(errors.As(err, &fatal) && res != nil) {
		return nil, ScanOutput{}, err
	}
	rep := res.Report
	out := ScanOutput{
		Mode:            rep.Stats.Mode,
		ModelConfigured: s.opts.Model != nil,
		Findings:        toFindings(rep.Findings),
		Failures:        toFailures(rep.Failures),
		Regions:         rep.Stats.Regions,
		Tokens:          rep.Stats.Tokens,
		Summary:         findings.Summary(rep),
	}
	if s.opts.Model != nil {
		out.Model = s.opts.Model.LLM.Model
	}
	switch msg := nothingToScan(res, cfg); {
	case msg != "":
		out.Note = msg
	case s.opts.Model == nil:
		out.Note = noModel
	}
	if in.SARIF {
		text, err := sarifText(res, rep)
		if err != nil {
			return nil, ScanOutput{}, err
		}
		out.SARIF = text
	}
	if fatal != nil {
		// The server refused the model part-way: what finished comes with
		// the error, as the CLI still writes its report.
		return &mcp.CallToolResult{
			IsError: true,
			Content: []mcp.Content{&mcp.TextContent{Text: userError(err).Error()}},
		}, out, nil
	}
	return nil, out, nil
}

func (s *server) explain(_ context.Context, _ *mcp.CallToolRequest, in ExplainInput) (*mcp.CallToolResult, ExplainOutput, error) {
	key := strings.TrimSpace(in.Rule)
	if key == "" {
		return nil, ExplainOutput{}, fmt.Errorf("explain takes one rule id, name or kind, e.g. goroutine-leak")
	}
	r, ok := findings.LookupRule(key)
	if !ok {
		return nil, ExplainOutput{}, fmt.Errorf("no rule %q: secondlook rules lists them", key)
	}
	out := ExplainOutput{
		ID:               r.ID,
		Name:             r.Name,
		Kind:             r.Kind,
		Title:            r.Title,
		Family:           string(r.Family),
		Level:            r.Level.String(),
		Precision:        string(r.Precision),
		Analyzer:         r.Analyzer,
		SecuritySeverity: r.SecuritySeverity,
		URL:              r.URL,
		Help:             r.Markdown,
	}
	// The text the CLI's explain prints, for clients that show text.
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: findings.Explain(r)}}}, out, nil
}
