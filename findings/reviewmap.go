package findings

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// A MapEntry is one changed function in the review map of a diff scan:
// where a human reviewer should look, why, and how far a change to it
// reaches. The JSON field names are the report's contract.
type MapEntry struct {
	File           string     `json:"file"`
	Function       string     `json:"function"`
	StartLine      int        `json:"start_line"`
	EndLine        int        `json:"end_line"`
	Score          float64    `json:"score"`
	Reasons        []string   `json:"reasons"`         // its strongest signals and the findings in it, in words
	Callers        []CallSite `json:"callers"`         // call sites in the module (tests left out)
	CallerPackages int        `json:"caller_packages"` // packages the call sites are in
	Exported       bool       `json:"exported"`
	EntryPoints    []string   `json:"entry_points"` // "main", "HTTP handler api.serve", "goroutine in …", "exported API …"
	Reviewed       bool       `json:"reviewed"`     // a model answered for it in this run
	Findings       int        `json:"findings"`     // static and model findings inside it
}

// A CallSite is one place in the module that calls a changed function or
// takes it as a value.
type CallSite struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Function string `json:"function"` // the caller
	// Kind is "call" (a static call), "value" (a method or function value,
	// called from wherever it goes) or "interface" (a call of an interface
	// method of the same name and signature: approximate, the value there
	// may hold another type).
	Kind string `json:"kind"`
	Go   bool   `json:"go,omitempty"` // inside a go statement
}

// SortReviewMap orders a review map riskiest first: by score, then by the
// number of call sites, then by place.
func SortReviewMap(m []MapEntry) {
	slices.SortStableFunc(m, func(a, b MapEntry) int {
		return cmp.Or(
			cmp.Compare(b.Score, a.Score),
			cmp.Compare(len(b.Callers), len(a.Callers)),
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.StartLine, b.StartLine),
			cmp.Compare(a.Function, b.Function))
	})
}

// Risk levels of a change, by its riskiest function's score (see
// RiskLevel).
const (
	riskHigh   = 10 // a risky pattern and more, or a static finding
	riskMedium = 5  // one risky pattern
)

// RiskLevel is the level of a change's risk: "high", "medium" or "low" by
// the score of its riskiest function (a finding in a changed function
// makes it high); "" without a review map.
func (r *Report) RiskLevel() string {
	if len(r.ReviewMap) == 0 {
		return ""
	}
	top := 0.0
	for _, e := range r.ReviewMap {
		top = max(top, e.Score)
		if e.Findings > 0 {
			return "high"
		}
	}
	switch {
	case top >= riskHigh:
		return "high"
	case top >= riskMedium:
		return "medium"
	}
	return "low"
}

// widest returns the entry of the map that reaches farthest: most entry
// points, then most call sites, then most caller packages.
func widest(m []MapEntry) MapEntry {
	best := m[0]
	for _, e := range m[1:] {
		if cmp.Or(cmp.Compare(len(e.EntryPoints), len(best.EntryPoints)),
			cmp.Compare(len(e.Callers), len(best.Callers)),
			cmp.Compare(e.CallerPackages, best.CallerPackages)) > 0 {
			best = e
		}
	}
	return best
}

// RiskSummary is the one-line account of a change's risk: its level and
// its widest blast radius, and whether the caller counts are partial. ""
// without a review map.
func RiskSummary(r *Report) string {
	level := r.RiskLevel()
	if level == "" {
		return ""
	}
	w := widest(r.ReviewMap)
	s := fmt.Sprintf("Risk: %s (%s changed). Widest blast radius: %s, %s.",
		level, plural(len(r.ReviewMap), "function"), w.Function, reach(w))
	if r.Stats.CallersPartial != "" {
		s += " Caller counts are partial: " + r.Stats.CallersPartial + "."
	}
	return s
}

// reach says in words how far an entry reaches: "5 call sites in 2
// packages (1 through an interface), exported, 3 entry points: main, …".
func reach(e MapEntry) string {
	var parts []string
	switch len(e.Callers) {
	case 0:
		parts = append(parts, "no call sites in the module")
	default:
		s := plural(len(e.Callers), "call site") + " in " + plural(e.CallerPackages, "package")
		if n := countKind(e.Callers, "interface"); n > 0 {
			s += fmt.Sprintf(" (%d through an interface, approximate)", n)
		}
		parts = append(parts, s)
	}
	if e.Exported {
		parts = append(parts, "exported")
	}
	if n := len(e.EntryPoints); n > 0 {
		const show = 4
		list := strings.Join(e.EntryPoints[:min(n, show)], ", ")
		if n > show {
			list += fmt.Sprintf(" and %d more", n-show)
		}
		parts = append(parts, plural(n, "entry point")+": "+list)
	}
	return strings.Join(parts, ", ")
}

func countKind(cs []CallSite, kind string) int {
	n := 0
	for _, c := range cs {
		if c.Kind == kind {
			n++
		}
	}
	return n
}

// mapLead is how many entries of the review map the markdown comment shows
// before folding the rest.
const mapLead = 5

// entryStatus is "score 14.5, 1 finding, not reviewed".
func entryStatus(e MapEntry) string {
	s := fmt.Sprintf("score %g", e.Score)
	if e.Findings > 0 {
		s += ", " + plural(e.Findings, "finding")
	}
	if e.Reviewed {
		s += ", reviewed"
	} else {
		s += ", not reviewed"
	}
	return s
}

func entryPlace(e MapEntry) string {
	return fmt.Sprintf("%s:%d-%d", e.File, e.StartLine, e.EndLine)
}

// callerList names up to show call sites: "api/api.go:13 in (*Server).serve
// (go), …".
func callerList(cs []CallSite, show int) string {
	var parts []string
	for _, c := range cs[:min(len(cs), show)] {
		s := fmt.Sprintf("%s:%d in %s", c.File, c.Line, c.Function)
		var tags []string
		if c.Kind != "call" {
			tags = append(tags, c.Kind)
		}
		if c.Go {
			tags = append(tags, "go")
		}
		if len(tags) > 0 {
			s += " (" + strings.Join(tags, ", ") + ")"
		}
		parts = append(parts, s)
	}
	if len(cs) > show {
		parts = append(parts, fmt.Sprintf("and %d more", len(cs)-show))
	}
	return strings.Join(parts, "; ")
}

// mapCallers is how many call sites an entry lists.
const mapCallers = 8

// writeTextMap writes the review map for a terminal:
//
//	Review map (riskiest first). Risk: high (2 functions changed). Widest …
//	1. store/store.go:17-26 (*Store).Put: score 14.5, 1 finding, not reviewed
//	    why: s.mu.Lock() not released by defer; … (line 19)
//	    reach: 5 call sites in 2 packages, exported, 6 entry points: main, …
//	    callers: api/api.go:13 in (*Server).serve; …
func (p *textPrinter) reviewMap(r *Report) {
	p.paint(ansiBold, "Review map (riskiest first).")
	p.buf.WriteString(" " + TermSafe(RiskSummary(r)) + "\n")
	for i, e := range r.ReviewMap {
		fmt.Fprintf(&p.buf, "%d. ", i+1)
		p.paint(ansiBold, TermSafe(entryPlace(e)+" "+e.Function))
		p.buf.WriteString(": " + entryStatus(e) + "\n")
		p.buf.WriteString(indent + "why: " + indentLines(TermSafe(strings.Join(e.Reasons, "; "))) + "\n")
		p.buf.WriteString(indent + "reach: " + TermSafe(reach(e)) + "\n")
		if len(e.Callers) > 0 {
			p.buf.WriteString(indent + "callers: " + TermSafe(callerList(e.Callers, mapCallers)) + "\n")
		}
	}
}

// mdReviewMap writes the review map for a pull-request comment: the risk
// line, the top mapLead entries, the rest folded in a <details> block.
func mdReviewMap(b *bytes.Buffer, r *Report) {
	b.WriteString("### Where to look\n\n")
	b.WriteString(mdText(RiskSummary(r)) + "\n\n")
	for i, e := range r.ReviewMap {
		if i == mapLead {
			fmt.Fprintf(b, "<details><summary>%s more</summary>\n\n", plural(len(r.ReviewMap)-mapLead, "changed function"))
		}
		fmt.Fprintf(b, "%d. **%s** %s — %s  \n", i+1, mdCode(e.Function), mdCode(entryPlace(e)), entryStatus(e))
		b.WriteString("   Why: " + mdText(strings.Join(e.Reasons, "; ")) + "  \n")
		b.WriteString("   Reach: " + mdText(reach(e)) + "\n")
		if len(e.Callers) > 0 {
			b.WriteString("   <details><summary>Call sites</summary>\n\n   " + mdText(callerList(e.Callers, len(e.Callers))) + "\n\n   </details>\n")
		}
		b.WriteString("\n")
	}
	if len(r.ReviewMap) > mapLead {
		b.WriteString("</details>\n\n")
	}
}
