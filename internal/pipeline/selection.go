package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/prompts"
)

// The selection's writers: what `scan --dry-run` prints, pure functions of
// the result, as findings' writers are of the report.

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

// SelectionOptions say how WriteSelectionText writes.
type SelectionOptions struct {
	Verbose         bool            // every signal, the low-weight ones too
	Prices          findings.Prices // the model's, to estimate the cost; zero: not known
	MaxOutputTokens int             // what an answer may take, to bound what the requests receive
	// The face's words for what a reader can do about what the text leaves
	// out, since the pipeline knows no flags; "" says nothing more.
	SignalsHint string // how to list the lower-weight signals: "-v lists them"
	BudgetHint  string // what sets the budget: "--max-regions, --max-tokens"
}

// WriteSelectionText writes the regions a scan selected as `scan
// --dry-run` lists them, with what reviewing them would send and cost: a
// pure function of the result.
func WriteSelectionText(w io.Writer, res *Result, opts SelectionOptions) error {
	var b bytes.Buffer
	writeSelectionText(&b, res, opts)
	_, err := w.Write(b.Bytes())
	return err
}

func writeSelectionText(w io.Writer, res *Result, opts SelectionOptions) {
	verbose := opts.Verbose
	sel := res.Selection
	for _, r := range sel.Regions {
		fmt.Fprintf(w, "%s:%d-%d %s\n", r.File, r.Start, r.End, r.Func)
		var notes []string
		notes = append(notes, fmt.Sprintf("score %.1f", r.Score), fmt.Sprintf("%s tokens", findings.Thousands(r.Tokens)))
		if len(r.Changed) > 0 {
			notes = append(notes, "changed "+analyzer.LineRanges(r.Changed))
		}
		if r.Caller {
			notes = append(notes, "calls a changed function")
		}
		if r.Static > 0 {
			notes = append(notes, fmt.Sprintf("%d static finding(s)", r.Static))
		}
		if r.Note != "" {
			notes = append(notes, r.Note)
		}
		fmt.Fprintf(w, "    %s\n", strings.Join(notes, ", "))
		shown := 0
		for _, s := range r.Signals {
			if !verbose && s.Weight < 3 {
				continue
			}
			fmt.Fprintf(w, "    %d: %s: %s\n", s.Line, s.Check, s.Message)
			shown++
		}
		if rest := len(r.Signals) - shown; rest > 0 {
			fmt.Fprintf(w, "    (+%d lower-weight signals%s)\n", rest, hint("; ", opts.SignalsHint, ""))
		}
	}
	fmt.Fprintf(w, "%s would go to a model", RegionsAndTokens(len(sel.Regions), sel.TotalTokens))
	if n := len(sel.LeftOut); n > 0 {
		fmt.Fprintf(w, "; %d left out by the budget%s", n, hint(" (", opts.BudgetHint, ")"))
	}
	fmt.Fprintln(w)
	if len(sel.Regions) > 0 {
		in, out := requestTokens(res, opts.MaxOutputTokens)
		fmt.Fprintf(w, "with the instructions, the requests would send %s tokens and receive at most %s", findings.Thousands(in), findings.Thousands(out))
		if opts.Prices.Set() {
			fmt.Fprintf(w, ": at most $%.4f", opts.Prices.Cost(in, out))
		}
		fmt.Fprintln(w)
	}
}

// hint returns a face's hint between before and after, or "" without one.
func hint(before, h, after string) string {
	if h == "" {
		return ""
	}
	return before + h + after
}

// requestTokens estimates what reviewing the selection would send (the
// rendered prompts, instructions included) and at most receive.
func requestTokens(res *Result, maxOutput int) (in, out int) {
	po := res.promptOptions()
	count := analyzer.CountTokens
	if res.Analysis != nil {
		count = res.Analysis.CountTokens // from the analysis cache, if any
	}
	for i, r := range res.Selection.Regions {
		p := prompts.Render(r, po)
		if i == 0 {
			in += count(p.System) * len(res.Selection.Regions)
		}
		in += count(p.User)
	}
	return in, maxOutput * len(res.Selection.Regions)
}

// RegionsAndTokens is "N regions (T tokens)".
func RegionsAndTokens(regions, tokens int) string {
	return fmt.Sprintf("%s (%s tokens)", plural(regions, "region"), findings.Thousands(tokens))
}
