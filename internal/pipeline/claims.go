package pipeline

import (
	"cmp"
	"context"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/prompts"
)

// AgentCategory is the SARIF category of a report of an agent's claims
// (CheckClaims). It is not a scan's secondlook/pr/ or secondlook/full/:
// code scanning closes the alerts missing from the newest analysis of a
// category, and such a report holds no static findings.
const AgentCategory = "secondlook/agent/"

// Claim is a bug claimed about a selected region by a model outside the
// pipeline: a coding agent that read the regions ([Result.Regions]) and
// hunted with its own model.
type Claim struct {
	Kind        string  // a kind of the catalogue, e.g. deadlock
	File        string  // the region's file: module-relative, absolute, ./-prefixed or repository-relative
	Line        int     // the first offending line
	EndLine     int     // the last; zero means Line
	Quote       string  // the offending code, copied
	Message     string  // what goes wrong, and when
	Explanation string  // the path that triggers it, and the fix
	Confidence  float64 // 0 to 1 (a percentage is forgiven)
}

// Verdict is what became of one claim.
type Verdict struct {
	Index       int    // the claim's position among those checked, from 0
	Kind        string // as claimed
	File        string // module-relative
	Line        int
	Kept        bool
	Reason      string // why it was dropped: a findings.DropReason, or "suppressed"
	Function    string // the region it was checked against
	Fingerprint string // of the finding it became
}

// Claims is what [CheckClaims] made of a set of claims.
type Claims struct {
	// Result is the scan the claims were checked against.
	Result *Result
	// Verdicts has one entry per claim, in order.
	Verdicts []Verdict
	// Report holds the kept claims, one finding per bug, suppressed and
	// fingerprinted as a scan's are, under AgentCategory.
	Report *findings.Report
	// Kept counts the claims kept; Dropped the others, by reason.
	Kept    int
	Dropped map[string]int
}

// CheckClaims checks claims, made by source (recorded as model:<source>;
// empty means "agent"), against the regions a scan with cfg selects — the
// regions the claims' author was shown, computed again — exactly as a
// model's claims are checked (findings.Verify), then ends as a scan does:
// Dedup, inline suppressions, fingerprints. Errors are those of [Run].
func CheckClaims(ctx context.Context, cfg Config, claims []Claim, source string) (*Claims, error) {
	res, err := Run(ctx, cfg)
	if err != nil {
		return nil, err
	}
	source = cmp.Or(strings.TrimSpace(source), "agent")
	lines := res.lines.lines

	out := &Claims{Result: res, Verdicts: make([]Verdict, 0, len(claims)), Dropped: map[string]int{}}
	var verified []findings.Finding
	keptAt := map[int]findings.Finding{} // claim index → its finding
	for i, c := range claims {
		file := moduleFile(res, c.File)
		v := Verdict{Index: i, Kind: c.Kind, File: file, Line: c.Line}
		f, why, fn := verifyClaim(c, file, res.Selection.Regions, lines, source)
		v.Function = fn
		if why != "" {
			v.Reason = string(why)
		} else {
			keptAt[i] = f
			verified = append(verified, f)
		}
		out.Verdicts = append(out.Verdicts, v)
	}

	fs, suppressed := settle(verified, lines)
	rep := &findings.Report{
		Tool:     cfg.Tool,
		Category: AgentCategory,
		Findings: fs,
		Failures: []findings.Failure{},
		Stats:    findings.Stats{Mode: res.Report.Stats.Mode, Suppressed: len(suppressed)},
	}
	rep.Sort()
	out.Report = rep

	for i := range out.Verdicts {
		v := &out.Verdicts[i]
		f, ok := keptAt[v.Index]
		switch {
		case !ok:
			out.Dropped[v.Reason]++
		case slices.ContainsFunc(suppressed, func(o findings.Finding) bool { return sameFinding(o, f) }):
			v.Reason = "suppressed"
			out.Dropped[v.Reason]++
		default:
			v.Kept = true
			out.Kept++
			if j := slices.IndexFunc(rep.Findings, func(o findings.Finding) bool { return sameFinding(o, f) }); j >= 0 {
				v.Fingerprint = rep.Findings[j].Fingerprint
			}
		}
	}
	return out, nil
}

// verifyClaim checks one claim against the innermost region of its file
// that holds its line, then the regions around that, and returns its
// finding or why it was dropped, with the function of the region it was
// checked against.
func verifyClaim(c Claim, file string, regions []analyzer.Region, lines func(string) []string, source string) (findings.Finding, findings.DropReason, string) {
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
		_, why := findings.Verify(pc.Candidate(analyzer.Region{File: file}, source, prompts.Version()), nil)
		return findings.Finding{}, why, ""
	}
	slices.SortStableFunc(around, func(a, b analyzer.Region) int { return cmp.Compare(a.End-a.Start, b.End-b.Start) })
	var first findings.DropReason
	for i, r := range around {
		f, why := findings.Verify(pc.Candidate(r, source, prompts.Version()), lines(r.File))
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
// claims copy the regions' paths, but an agent may give an absolute,
// ./-prefixed or repository-relative one.
func moduleFile(res *Result, file string) string {
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
