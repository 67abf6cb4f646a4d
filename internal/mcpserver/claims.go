package mcpserver

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/secondlook/secondlook/internal/pipeline"
)

func (s *server) checkClaims(ctx context.Context, _ *mcp.CallToolRequest, in CheckInput) (*mcp.CallToolResult, CheckOutput, error) {
	cfg, err := s.config(in.Scope, agentTokens)
	if err != nil {
		return nil, CheckOutput{}, err
	}
	claims := make([]pipeline.Claim, 0, len(in.Claims))
	for _, c := range in.Claims {
		claims = append(claims, pipeline.Claim(c))
	}
	// The pipeline computes the regions again as risky_regions computed
	// them: a claim is evidence only about lines the agent was shown.
	checked, err := pipeline.CheckClaims(ctx, cfg, claims, in.Model)
	if err != nil {
		return nil, CheckOutput{}, err
	}
	rep := checked.Report
	out := CheckOutput{
		Claims:     make([]Verdict, 0, len(checked.Verdicts)),
		Findings:   toFindings(rep.Findings),
		Kept:       checked.Kept,
		Dropped:    len(checked.Verdicts) - checked.Kept,
		Suppressed: rep.Stats.Suppressed,
	}
	for _, v := range checked.Verdicts {
		out.Claims = append(out.Claims, Verdict(v))
	}
	if in.SARIF {
		text, err := sarifText(checked.Result, rep)
		if err != nil {
			return nil, CheckOutput{}, err
		}
		out.SARIF = text
	}
	out.Note = claimsNote(len(in.Claims), out.Kept, checked.Dropped, len(rep.Findings))
	return nil, out, nil
}

func claimsNote(claims, kept int, dropped map[string]int, nfindings int) string {
	if claims == 0 {
		return "no claims to check"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d kept", plural(claims, "claim"), kept)
	if n := claims - kept; n > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(dropped)) {
			parts = append(parts, fmt.Sprintf("%s %d", k, dropped[k]))
		}
		fmt.Fprintf(&b, ", %d dropped (%s)", n, strings.Join(parts, ", "))
	}
	fmt.Fprintf(&b, "; %s.", plural(nfindings, "finding"))
	if kept > 0 {
		b.WriteString(" The kept claims are confirmed by the code: fix them (explain gives a rule's help).")
	}
	if kept < claims {
		b.WriteString(" A dropped claim cites nothing the code shows: its line must lie in a region of its file, " +
			"and its quote must be code copied from within two lines of it, without line numbers.")
	}
	return b.String()
}
