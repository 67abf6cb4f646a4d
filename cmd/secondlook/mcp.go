package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/mcpserver"
)

func mcpCommand() *cli.Command {
	return &cli.Command{
		Name:  "mcp",
		Usage: "serve secondlook's tools to coding agents over MCP (stdio)",
		Description: `Serves the Model Context Protocol on standard input and output, for coding
agents (Claude Code, Cursor, VS Code) to give their own changes a second look:

   risky_regions   the risky regions of a change, the static findings, and the
                   bug-hunting instructions and answer schema, so that the agent
                   hunts with its own model: no API key needed
   check_claims    the agent's claims checked against the code; the confirmed
                   ones as findings with rule, level and fingerprint, or SARIF
   scan            the whole pipeline, with the model configured here if any
   explain         a rule's help

The model flags and environment (OPENAI_API_KEY, OPENAI_BASE_URL,
SECONDLOOK_MODEL) configure the model scan uses; without one, scan reports the
static findings. Add it to Claude Code with:

   claude mcp add secondlook -- secondlook mcp

docs/mcp.md has the snippets for Cursor and VS Code.`,
		Flags: modelFlags(),
		Action: func(c *cli.Context) error {
			mc, err := modelConfig(c)
			if err != nil {
				return err
			}
			if f, ok := c.App.Reader.(*os.File); ok && isTerminal(f) {
				// Standard output is the protocol's: people are told on stderr.
				fmt.Fprintln(c.App.ErrWriter, "secondlook: serving MCP on standard input and output; add it to a coding agent (claude mcp add secondlook -- secondlook mcp), or press Ctrl-C")
			}
			dir, err := analysisCacheDir(c)
			if err != nil {
				return err
			}
			opts := mcpserver.Options{
				Model:         mc,
				AnalysisCache: dir,
				Tool:          findings.Tool{Name: "secondlook", Version: version(), InformationURI: informationURI},
			}
			if err := mcpserver.Serve(c.Context, opts, c.App.Reader, c.App.Writer); err != nil {
				return fmt.Errorf("serving MCP: %w", err)
			}
			return nil
		},
	}
}
