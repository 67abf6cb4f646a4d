// Package mcpserver serves secondlook to coding agents over the Model
// Context Protocol, so that an agent can give its own change a second look
// before a person sees it.
//
// It takes the options of the `secondlook mcp` command — the model, if one
// is configured — and hands on four tools whose inputs and outputs are
// JSON-schema typed (the schemas are inferred from the Go types below):
//
//   - risky_regions: the regions the static pass picks (numbered code,
//     context, signals, score), the static findings, and the hunt prompt's
//     instructions and answer schema, so that the agent hunts with its own
//     model and no API key;
//   - check_claims: the agent's claims checked against the code exactly as
//     a model's are (pipeline.CheckClaims: findings.Verify against the same
//     regions), the kept ones deduplicated into findings with rule, level
//     and fingerprint, optionally as SARIF;
//   - scan: the whole pipeline, with the configured model if there is one;
//   - explain: a rule's help.
//
// Every tool calls the pipeline in-process and only words its results;
// nothing is kept between calls, so check_claims recomputes the regions
// risky_regions showed. Errors come back as tool errors (IsError): the
// pipeline's usage errors worded in the tools' arguments, not the CLI's
// flags. A panic inside a tool becomes a tool error with its stack: the
// server keeps serving.
package mcpserver

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/pipeline"
)

// Options configures the server. The zero value serves without a model.
type Options struct {
	// Model reviews regions in the scan tool; nil means no model is
	// configured, and scan reports static findings only (and says so).
	Model *pipeline.ModelConfig

	// Tool names the producer in reports and the server to clients.
	Tool findings.Tool

	// Env, if non-nil, is the environment of the go and git commands.
	Env []string

	// AnalysisCache is the directory of the per-package analysis cache
	// (pipeline.Config.AnalysisCache); "" analyses every package each call.
	AnalysisCache string
}

// instructions is what a client shows its model about the server as a whole.
const instructions = `secondlook gives Go changes a second look: static analysis picks the risky regions of what changed, and only claims the code confirms are kept.

The loop, after you edit Go code in a module:
1. risky_regions {dir}: the regions of your uncommitted change (diff_base for a branch, full=true for a whole module), the static findings, the bug-hunting instructions and the answer schema.
2. Read each region as the instructions say and write claims in the answer schema, adding each region's file.
3. check_claims {dir, claims} with the same diff_base, full and budget: each claim is kept only if its kind is known, its line lies in a region and its quote is real code there. Kept claims come back as findings with a rule and fingerprint.
4. Fix what is confirmed, and the static findings; run risky_regions again.
scan runs the whole pipeline with the model configured for the server, if any; explain gives a rule's help.`

// New returns a server with the four tools.
func New(opts Options) *mcp.Server {
	name := cmp.Or(opts.Tool.Name, "secondlook")
	srv := mcp.NewServer(&mcp.Implementation{Name: name, Version: opts.Tool.Version}, &mcp.ServerOptions{
		Instructions: instructions,
	})
	s := &server{opts: opts}
	if s.opts.Tool.Name == "" {
		s.opts.Tool.Name = name
	}
	yes := true
	mcp.AddTool(srv, &mcp.Tool{
		Name:  "risky_regions",
		Title: "Risky regions of a Go change",
		Description: "Picks the risky regions of a Go module's change (by default the uncommitted changes against HEAD) " +
			"with static analysis, and returns each region's code with line numbers, the declarations it uses and why it was picked, " +
			"the static findings, and the instructions and answer schema of secondlook's bug hunt: " +
			"hunt the regions with your own model, then pass the claims to check_claims. Sends nothing anywhere.",
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: new(bool)},
	}, safe("risky_regions", s.riskyRegions))
	mcp.AddTool(srv, &mcp.Tool{
		Name:  "check_claims",
		Title: "Check bug claims against the code",
		Description: "Checks claims about the regions risky_regions returned (call it with the same dir, diff_base, full and budget): " +
			"a claim is kept only if its kind is known, its line lies in a region of its file and its quote appears in the code within two lines of it. " +
			"Returns each claim kept or dropped with the reason, and the kept ones deduplicated as findings with rule, level and fingerprint; optionally SARIF.",
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: new(bool)},
	}, safe("check_claims", s.checkClaims))
	mcp.AddTool(srv, &mcp.Tool{
		Name:  "scan",
		Title: "Scan with secondlook's own model",
		Description: "Runs secondlook's whole pipeline on a Go module's change (or the whole module): static findings and, " +
			"when the server was started with a model configured (OPENAI_API_KEY, OPENAI_BASE_URL, SECONDLOOK_MODEL), " +
			"the model's verified findings. Without a model it returns the static findings and says so.",
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: &yes},
	}, safe("scan", s.scan))
	mcp.AddTool(srv, &mcp.Tool{
		Name:        "explain",
		Title:       "Explain a secondlook rule",
		Description: "Returns a rule's help — what it finds, why it is a bug, how to fix it — named by its id (SL1002), its name, the kind of bug (goroutine-leak) or the pass that reports it (nilness).",
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: new(bool)},
	}, safe("explain", s.explain))
	return srv
}

// Serve serves MCP over r and w (newline-delimited JSON-RPC, as on stdio)
// until the client disconnects or ctx is done; neither is an error.
func Serve(ctx context.Context, opts Options, r io.Reader, w io.Writer) error {
	err := New(opts).Run(ctx, &mcp.IOTransport{Reader: io.NopCloser(r), Writer: nopWriteCloser{w}})
	if ctx.Err() != nil {
		return nil // interrupted: the usual end of a stdio server
	}
	return err
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

type server struct {
	opts Options
}

// safe turns a panic inside a tool into a tool error with its stack, and
// errors into the tools' words (userError).
func safe[In, Out any](name string, h mcp.ToolHandlerFor[In, Out]) mcp.ToolHandlerFor[In, Out] {
	return func(ctx context.Context, req *mcp.CallToolRequest, in In) (res *mcp.CallToolResult, out Out, err error) {
		defer func() {
			if p := recover(); p != nil {
				var zero Out
				res, out = nil, zero
				err = fmt.Errorf("internal error in %s: %v (please report it)\n%s", name, p, debug.Stack())
			}
		}()
		res, out, err = h(ctx, req, in)
		if err != nil {
			var zero Out
			return nil, zero, userError(err)
		}
		return res, out, nil
	}
}

// userError words an error for an agent: a pipeline usage error in the
// tools' arguments (the pipeline names Config fields, the CLI its flags).
func userError(err error) error {
	var ue *pipeline.UsageError
	switch {
	case errors.Is(err, context.Canceled):
		return errors.New("interrupted")
	case !errors.As(err, &ue):
		return err
	case ue.Field == "Dir":
		return fmt.Errorf("%w; pass dir: the module root or a directory inside it", err)
	case errors.Is(ue, pipeline.ErrNotRepository):
		return fmt.Errorf("%w: pass full=true to scan the whole module", err)
	case errors.Is(ue, pipeline.ErrOfflineNoCache):
		return fmt.Errorf("the server answers offline, from a cache that is off: restart it without --offline or without --no-cache")
	}
	return err
}
