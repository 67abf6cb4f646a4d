package mcpserver

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/findings/sarif"
	"github.com/secondlook/secondlook/internal/pipeline"
	"github.com/secondlook/secondlook/prompts"
)

// agentCategory is the SARIF category of check_claims' reports. It is not
// the scan's secondlook/pr/ or secondlook/full/: code scanning closes the
// alerts missing from the newest analysis of a category, and a report of an
// agent's claims holds no static findings.
const agentCategory = "secondlook/agent/"

func (s *server) checkClaims(ctx context.Context, _ *mcp.CallToolRequest, in CheckInput) (*mcp.CallToolResult, CheckOutput, error) {
	cfg, err := s.config(in.Scope, agentTokens)
	if err != nil {
		return nil, CheckOutput{}, err
	}
	// The regions are recomputed as risky_regions computed them: a claim is
	// evidence only about lines the agent was shown.
	res, err := run(ctx, cfg)
	if err != nil {
		return nil, CheckOutput{}, err
	}
	lines := fileLines(res.Module.Dir)
	model := cmp.Or(strings.TrimSpace(in.Model), "agent")

	out := CheckOutput{Claims: make([]Verdict, 0, len(in.Claims)), Findings: []Finding{}}
	var verified []findings.Finding
	keptAt := map[int]findings.Finding{} // claim index → its finding
	for i, c := range in.Claims {
		file := moduleFile(res, c.File)
		v := Verdict{Index: i, Kind: c.Kind, File: file, Line: c.Line}
		f, why, fn := verify(c, file, res.Selection.Regions, lines, model)
		v.Function = fn
		if why != "" {
			v.Reason = string(why)
		} else {
			keptAt[i] = f
			verified = append(verified, f)
		}
		out.Claims = append(out.Claims, v)
	}

	// As the pipeline ends: one finding per bug, inline suppressions, then
	// fingerprints.
	fs := findings.Dedup(verified)
	fs, suppressed, bad := findings.Suppress(fs, lines)
	fs = append(fs, bad...)
	findings.ComputeFingerprints(fs, lines)
	rep := &findings.Report{
		Tool:     s.opts.Tool,
		Category: agentCategory,
		Findings: fs,
		Failures: []findings.Failure{},
		Stats:    findings.Stats{Mode: res.Report.Stats.Mode, Suppressed: len(suppressed)},
	}
	rep.Sort()

	dropped := map[string]int{}
	for i := range out.Claims {
		v := &out.Claims[i]
		f, ok := keptAt[v.Index]
		switch {
		case !ok:
			dropped[v.Reason]++
		case slices.ContainsFunc(suppressed, func(o findings.Finding) bool { return sameFinding(o, f) }):
			v.Reason = "suppressed"
			dropped[v.Reason]++
		default:
			v.Kept = true
			out.Kept++
			if j := slices.IndexFunc(rep.Findings, func(o findings.Finding) bool { return sameFinding(o, f) }); j >= 0 {
				v.Fingerprint = rep.Findings[j].Fingerprint
			}
		}
	}
	out.Dropped = len(out.Claims) - out.Kept
	out.Suppressed = len(suppressed)
	out.Findings = toFindings(rep.Findings)
	if in.SARIF {
		text, err := sarifText(res, rep)
		if err != nil {
			return nil, CheckOutput{}, err
		}
		out.SARIF = text
	}
	out.Note = claimsNote(len(in.Claims), out.Kept, dropped, len(rep.Findings))
	return nil, out, nil
}

// verify checks one claim against the innermost region of its file that
// holds its line, then the regions around that, and returns its finding or
// why it was dropped, with the function of the region it was checked
// against.
func verify(c Claim, file string, regions []analyzer.Region, lines func(string) []string, model string) (findings.Finding, findings.DropReason, string) {
	pc := prompts.Claim{
		Kind:        c.Kind,
		Line:        c.Line,
		EndLine:     max(c.EndLine, c.Line),
		Quote:       c.Quote,
		Message:     c.Message,
		Explanation: c.Explanation,
		Confidence:  c.Confidence,
	}
	if pc.Confidence > 1 && pc.Confidence <= 100 {
		pc.Confidence /= 100 // a percentage, as ParseAnswer forgives
	}
	var around []analyzer.Region
	for _, r := range regions {
		if r.File == file && r.Start <= c.Line && c.Line <= r.End {
			around = append(around, r)
		}
	}
	if len(around) == 0 {
		// A region of no lines: Verify still reports an unknown kind or an
		// empty message first, in its own order, and then the line.
		_, why := findings.Verify(pc.Candidate(analyzer.Region{File: file}, model, prompts.Version()), nil)
		return findings.Finding{}, why, ""
	}
	slices.SortStableFunc(around, func(a, b analyzer.Region) int { return cmp.Compare(a.End-a.Start, b.End-b.Start) })
	var first findings.DropReason
	for i, r := range around {
		f, why := findings.Verify(pc.Candidate(r, model, prompts.Version()), lines(r.File))
		if why == "" {
			return f, "", r.Func
		}
		if i == 0 {
			first = why
		}
	}
	return findings.Finding{}, first, around[0].Func
}

// sameFinding reports whether f is the finding a verified claim v became:
// Dedup keeps the best evidence of each bug, so v's finding is the one of
// its rule about the same bug (or, merged into another rule, of its family).
func sameFinding(f, v findings.Finding) bool {
	return f.Source != "static:suppress" && findings.SameBug(f, v)
}

// moduleFile turns the file a claim names into a module-relative path:
// claims copy risky_regions' paths, but an agent may give an absolute,
// ./-prefixed or repository-relative one.
func moduleFile(res *pipeline.Result, file string) string {
	f := strings.TrimSpace(file)
	if filepath.IsAbs(f) {
		if rel, err := filepath.Rel(res.Module.Dir, f); err == nil && !strings.HasPrefix(rel, "..") {
			f = rel
		}
	}
	f = path.Clean(filepath.ToSlash(f))
	if rest, ok := strings.CutPrefix(f, res.ModulePrefix); ok && res.ModulePrefix != "" {
		if _, err := os.Stat(filepath.Join(res.Module.Dir, filepath.FromSlash(f))); err != nil {
			f = rest // repository-relative
		}
	}
	return f
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

// sarifText writes a report as the CLI's --format sarif does.
func sarifText(res *pipeline.Result, rep *findings.Report) (string, error) {
	// Code scanning places alerts by repository-relative paths.
	root := res.Module.Dir
	if res.ModulePrefix != "" {
		root = res.RepoRoot
	}
	var buf bytes.Buffer
	err := sarif.Write(&buf, rep, sarif.Options{SrcRoot: root, Category: rep.Category, PathPrefix: res.ModulePrefix,
		Repository: res.Remote, Revision: res.Revision, Branch: res.Branch})
	if err != nil {
		return "", fmt.Errorf("writing the report: %w", err)
	}
	return buf.String(), nil
}
