package pipeline

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/prompts"
)

// Region is a selected region as plain data: the one JSON shape of a
// region, which `scan --dry-run --format json` prints and MCP's
// risky_regions returns (the jsonschema tags are the MCP SDK's: it infers
// the tools' schemas from them, a field without omitempty being required).
type Region struct {
	ID        string   `json:"id"`
	Package   string   `json:"package" jsonschema:"the import path of the region's package"`
	File      string   `json:"file" jsonschema:"module-relative, slash-separated; a claim names it"`
	Function  string   `json:"function" jsonschema:"as Go prints it, e.g. (*Server).Handle"`
	StartLine int      `json:"start_line"`
	EndLine   int      `json:"end_line" jsonschema:"claims must lie on lines start_line to end_line"`
	Changed   string   `json:"changed,omitempty" jsonschema:"the lines the change touched, e.g. 44-46,55"`
	Caller    bool     `json:"caller,omitempty" jsonschema:"unchanged, but it calls a changed function: check that its calls still fit"`
	Score     float64  `json:"score" jsonschema:"the risk rank; higher is riskier"`
	Tokens    int      `json:"tokens"`
	Code      string   `json:"code,omitempty" jsonschema:"the function as the prompt shows it: each line is its line number, + if the change touched it, then | and the code; numbers, marks and | are not code"`
	Context   string   `json:"context,omitempty" jsonschema:"declarations from elsewhere in the module that the code uses, for reference only (not citable)"`
	Signals   []Signal `json:"signals" jsonschema:"lines static checks flagged as places to look; hints, not findings, and most are correct"`
}

// Signal is why a line of a region was flagged.
type Signal struct {
	Check   string  `json:"check" jsonschema:"pass/category, e.g. locking/lock-early-exit"`
	Line    int     `json:"line"`
	Message string  `json:"message"`
	Weight  float64 `json:"weight" jsonschema:"how strongly it predicts a bug, 0 to 10"`
}

// Regions returns the selected regions as plain data, best first, each
// with its code as the review prompt shows it and its context: what an
// agent hunting with its own model reads.
func (r *Result) Regions() []Region {
	out := make([]Region, 0, len(r.Selection.Regions))
	for _, reg := range r.Selection.Regions {
		p := plainRegion(reg)
		p.Code = numbered(reg)
		p.Context = strings.Trim(reg.Context, "\r\n")
		out = append(out, p)
	}
	return out
}

// plainRegion is a region's plain data without its code and context.
func plainRegion(r analyzer.Region) Region {
	p := Region{
		ID:        r.ID,
		Package:   r.Package,
		File:      r.File,
		Function:  r.Func,
		StartLine: r.Start,
		EndLine:   r.End,
		Changed:   analyzer.LineRanges(r.Changed),
		Caller:    r.Caller,
		Score:     r.Score,
		Tokens:    r.Tokens,
		Signals:   []Signal{},
	}
	for _, s := range r.Signals {
		if s.Line >= r.Start && s.Line <= r.End {
			p.Signals = append(p.Signals, Signal(s))
		}
	}
	return p
}

// numbered returns a region's code as the review prompt shows it
// (prompts/templates/common.tmpl, block "code"): each line right-aligned
// under its number, + where a diff scan changed it, then | and the text.
// A test holds that it appears in the rendered prompt as it is.
func numbered(r analyzer.Region) string {
	lines := strings.Split(r.Code, "\n")
	width := len(strconv.Itoa(r.Start + len(lines) - 1))
	var b strings.Builder
	for i, text := range lines {
		n := r.Start + i
		mark := " "
		for _, c := range r.Changed {
			if c.Start <= n && n <= c.End {
				mark = "+"
			}
		}
		fmt.Fprintf(&b, "%*d%s|", width, n, mark)
		if text = strings.TrimRight(text, " \t\r"); text != "" {
			b.WriteString(" " + text)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// promptOptions are the prompt's options for the scanned module.
func (r *Result) promptOptions() prompts.Options {
	return prompts.Options{ModulePath: r.Module.Path, GoVersion: r.Module.GoVersion}
}

// Instructions returns the hunt prompt's system prompt for the scanned
// module (it does not depend on the region): what an agent hunting with
// its own model follows.
func (r *Result) Instructions() string {
	return prompts.Render(analyzer.Region{}, r.promptOptions()).System
}

// AnswerSchema returns the JSON schema of an answer about one region.
func AnswerSchema() []byte { return prompts.AnswerSchema() }

// NothingToScan says why a diff scan had nothing to look at — nothing
// changed against (what the change was taken against, for the message),
// or no Go code among what did — or "" when it had something. Each face
// adds its own advice.
func (r *Result) NothingToScan(against string) string {
	rep := r.Report
	switch {
	case r.NothingChanged():
		return "nothing changed against " + against
	case r.Diff != nil && rep.Stats.ChangedFiles == len(rep.Stats.IgnoredChanges) && len(rep.Failures) == 0:
		msg := "the change holds no Go code to scan"
		if len(rep.Stats.IgnoredChanges) > 0 {
			msg += " (changed: " + strings.Join(rep.Stats.IgnoredChanges, ", ") + ")"
		}
		return msg
	}
	return ""
}
