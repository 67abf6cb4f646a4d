package pipeline

import (
	"encoding/json"
	"io"

	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/findings/sarif"
)

// WriteSARIF writes rep, a report of the scan res (its own, or one made of
// its regions, as CheckClaims makes), as SARIF for code scanning.
func WriteSARIF(w io.Writer, res *Result, rep *findings.Report) error {
	// Code scanning places alerts by repository-relative paths.
	root := res.Module.Dir
	if res.ModulePrefix != "" {
		root = res.RepoRoot
	}
	return sarif.Write(w, rep, sarif.Options{SrcRoot: root, Category: rep.Category, PathPrefix: res.ModulePrefix,
		Repository: res.Remote, Revision: res.Revision, Branch: res.Branch})
}

// selectionJSON is the shape of `scan --dry-run --format json`.
type selectionJSON struct {
	Mode        string          `json:"mode"`
	Regions     []Region        `json:"regions"`
	TotalTokens int             `json:"total_tokens"`
	LeftOut     int             `json:"left_out"`
	Findings    int             `json:"static_findings"`
	Failures    int             `json:"failures"`
	Stats       *findings.Stats `json:"stats"`
}

// WriteSelectionJSON writes the regions a scan selected, without their
// code, as `scan --dry-run --format json` prints them: a pure function of
// the result.
func WriteSelectionJSON(w io.Writer, res *Result) error {
	out := selectionJSON{
		Mode:        res.Report.Stats.Mode,
		Regions:     []Region{},
		TotalTokens: res.Selection.TotalTokens,
		LeftOut:     len(res.Selection.LeftOut),
		Findings:    len(res.Report.Findings),
		Failures:    len(res.Report.Failures),
		Stats:       &res.Report.Stats,
	}
	for _, r := range res.Selection.Regions {
		out.Regions = append(out.Regions, plainRegion(r))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
