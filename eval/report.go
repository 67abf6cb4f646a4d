package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/secondlook/secondlook/findings"
)

// The report's writers: pure functions of a Report, as x/tools'
// go/analysis/checker prints a result. The CLI chooses one and where it
// goes.

// WriteJSON writes the report as indented JSON.
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func figuresRow(name string, f Figures) []string {
	return []string{name, fmt.Sprint(f.Cases), fmt.Sprint(f.Bugs), fmt.Sprint(f.TruePositives), fmt.Sprint(f.FalsePositives),
		fmt.Sprint(f.FalseNegatives), fmt.Sprint(f.Duplicates), fmt.Sprintf("%.3f", f.Precision), fmt.Sprintf("%.3f", f.Recall),
		fmt.Sprintf("%.3f", f.F1), fmt.Sprintf("%.3f", f.OracleRecall), fmt.Sprintf("%.2f", f.CleanCaseFalsePositives),
		findings.Thousands(int(f.RegionTokensPerCase)), rankCell(f)}
}

// rankCell is the share of ranked cases whose bug function a full scan
// puts within the riskiest fifth of its packages' tokens.
func rankCell(f Figures) string {
	if f.Ranked == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", f.TopShare)
}

var figuresHeader = []string{"", "cases", "bugs", "TP", "FP", "FN", "dup", "precision", "recall", "F1", "in region", "FP/clean", "tok/case", "top 20%"}

func evalRows(rep *Report) [][]string {
	label := "all findings"
	if rep.Model == "" {
		label = "static (no model)"
	}
	rows := [][]string{figuresRow(label, rep.Figures)}
	if rep.Model != "" {
		rows = append(rows, figuresRow("static alone", rep.Static))
	}
	for _, fam := range slices.Sorted(maps.Keys(rep.ByFamily)) {
		rows = append(rows, figuresRow("  "+fam, rep.ByFamily[fam]))
	}
	if rep.Model != "" {
		for _, fam := range slices.Sorted(maps.Keys(rep.StaticByFamily)) {
			rows = append(rows, figuresRow("  static "+fam, rep.StaticByFamily[fam]))
		}
	}
	return rows
}

// evalLegend says what the columns mean, under the table.
const evalLegend = `in region: bugs inside a region sent (or that would be sent) to a model. FP/clean: findings per clean case.
tok/case: tokens of the regions selected, per case. top 20%: bugs whose function a full scan of its packages
ranks within the riskiest 20% of their region tokens.`

// rankLine sums up the full-scan ranking, or "" if no case was ranked.
func rankLine(f Figures) string {
	if f.Ranked == 0 {
		return ""
	}
	return fmt.Sprintf("full-scan ranking: the bug's function is a region in %d of %d cases (%.1f%%), within the riskiest 20%% of its packages' region tokens in %d (%.1f%%)",
		f.RankSelected, f.Ranked, 100*f.FullScanRecall, f.RankTop, 100*f.TopShare)
}

// WriteText writes the figures as an aligned table, then each case that
// missed a bug or made a false finding.
func WriteText(w io.Writer, rep *Report) {
	model := rep.Model
	if model == "" {
		model = "none (static pass only)"
	}
	fmt.Fprintf(w, "model: %s    %d cases in %.1fs    tokens %s    cost $%.4f ($%.4f per true positive)\n\n", model, rep.Cases, rep.Seconds, findings.Thousands(rep.Tokens), rep.CostUSD, rep.CostPerTruePositive)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(figuresHeader, "\t")+"\t")
	for _, r := range evalRows(rep) {
		fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
	}
	tw.Flush()
	fmt.Fprintln(w, evalLegend)
	if l := rankLine(rep.Figures); l != "" {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintln(w)
	for _, r := range rep.Results {
		status := "ok"
		switch {
		case r.Error != "":
			status = "error: " + r.Error
		case r.Figures.FalsePositives > 0 || len(r.Missed) > 0:
			status = fmt.Sprintf("TP %d FP %d missed %d", r.Figures.TruePositives, r.Figures.FalsePositives, len(r.Missed))
		}
		fmt.Fprintf(w, "%-40s %s\n", r.Name, status)
		for _, m := range r.Missed {
			fmt.Fprintf(w, "    missed %s\n", m)
		}
		for _, s := range r.Findings {
			if s.Match == FalsePositive {
				fmt.Fprintf(w, "    false positive %s:%d %s %s\n", s.Finding.Location.File, s.Finding.Location.Line, s.Finding.RuleID, s.Finding.Message)
			}
		}
	}
}

// WriteMarkdown writes the figures and the cases as markdown tables.
func WriteMarkdown(w io.Writer, rep *Report) {
	model := rep.Model
	if model == "" {
		model = "none (static pass only)"
	}
	fmt.Fprintf(w, "# secondlook eval\n\nModel: `%s` · %d cases · %.1fs · %s tokens · $%.4f\n\n", model, rep.Cases, rep.Seconds, findings.Thousands(rep.Tokens), rep.CostUSD)
	fmt.Fprintln(w, "| "+strings.Join(figuresHeader, " | ")+" |")
	fmt.Fprintln(w, "|"+strings.Repeat("---|", len(figuresHeader)))
	for _, r := range evalRows(rep) {
		fmt.Fprintln(w, "| "+strings.Join(r, " | ")+" |")
	}
	fmt.Fprintln(w, "\n"+evalLegend)
	if l := rankLine(rep.Figures); l != "" {
		fmt.Fprintln(w, "\n"+l+".")
	}
	if len(rep.Lifts) > 0 {
		fmt.Fprintln(w, "\n## Signal lift\n\nHow often a check marks the bug's function (bug share) against its share of a full scan's region tokens.\n\n| check | bugs | bug share | token share | lift |\n|---|---|---|---|---|")
		for _, l := range rep.Lifts {
			fmt.Fprintf(w, "| %s | %d | %.1f%% | %.1f%% | %.2f |\n", l.Check, l.Bugs, 100*l.BugShare, 100*l.TokenShare, l.Lift)
		}
	}
	fmt.Fprintln(w, "\n## Cases\n\n| case | family | TP | FP | missed |\n|---|---|---|---|---|")
	for _, r := range rep.Results {
		missed := strings.Join(r.Missed, "<br>")
		if r.Error != "" {
			missed = "error: " + r.Error
		}
		fmt.Fprintf(w, "| %s | %s | %d | %d | %s |\n", r.Name, r.Family, r.Figures.TruePositives, r.Figures.FalsePositives, strings.ReplaceAll(missed, "|", `\|`))
	}
}

// CurveSVG draws precision and recall against the confidence threshold.
func CurveSVG(pts []Point) string {
	const w, h, pad = 480.0, 300.0, 40.0
	x := func(t float64) float64 { return pad + t/0.9*(w-2*pad) }
	y := func(v float64) float64 { return h - pad - v*(h-2*pad) }
	line := func(get func(Point) float64) string {
		var b strings.Builder
		for i, p := range pts {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%.1f,%.1f", x(p.Threshold), y(get(p)))
		}
		return b.String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="11">`+"\n", w, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="black"/>`+"\n", pad, h-pad, w-pad, h-pad)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="black"/>`+"\n", pad, pad, pad, h-pad)
	for _, v := range []float64{0, 0.5, 1} {
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end">%.1f</text>`+"\n", pad-4, y(v)+4, v)
	}
	for _, t := range []float64{0, 0.3, 0.6, 0.9} {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle">%.1f</text>`+"\n", x(t), h-pad+14, t)
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle">confidence threshold</text>`+"\n", w/2, h-6)
	fmt.Fprintf(&b, `<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="%s"/>`+"\n", line(func(p Point) float64 { return p.Precision }))
	fmt.Fprintf(&b, `<polyline fill="none" stroke="#d62728" stroke-width="2" points="%s"/>`+"\n", line(func(p Point) float64 { return p.Recall }))
	fmt.Fprintf(&b, `<text x="%.0f" y="20" fill="#1f77b4">precision</text><text x="%.0f" y="20" fill="#d62728">recall</text>`+"\n", pad, pad+80)
	b.WriteString("</svg>\n")
	return b.String()
}

// WriteCompare writes what changed between two reports: the headline
// figures side by side, then each case whose outcome changed.
func WriteCompare(out io.Writer, old, cur *Report) {
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "\told\tnew\tchange\t")
	row := func(name string, a, b float64, format string) {
		fmt.Fprintf(w, "%s\t"+format+"\t"+format+"\t%+.3f\t\n", name, a, b, b-a)
	}
	row("precision", old.Precision, cur.Precision, "%.3f")
	row("recall", old.Recall, cur.Recall, "%.3f")
	row("F1", old.F1, cur.F1, "%.3f")
	row("oracle recall", old.OracleRecall, cur.OracleRecall, "%.3f")
	row("static recall", old.Static.Recall, cur.Static.Recall, "%.3f")
	row("FP per clean case", old.CleanCaseFalsePositives, cur.CleanCaseFalsePositives, "%.3f")
	row("region tokens per case", old.RegionTokensPerCase, cur.RegionTokensPerCase, "%.0f")
	row("full-scan function recall", old.FullScanRecall, cur.FullScanRecall, "%.3f")
	row("full-scan top 20%", old.TopShare, cur.TopShare, "%.3f")
	row("true positives", float64(old.TruePositives), float64(cur.TruePositives), "%.0f")
	row("false positives", float64(old.FalsePositives), float64(cur.FalsePositives), "%.0f")
	row("tokens", float64(old.Tokens), float64(cur.Tokens), "%.0f")
	row("cost USD", old.CostUSD, cur.CostUSD, "%.4f")
	w.Flush()
	// Cases whose outcome changed.
	before := map[string]CaseResult{}
	for _, r := range old.Results {
		before[r.Name] = r
	}
	for _, r := range cur.Results {
		o, ok := before[r.Name]
		if !ok {
			fmt.Fprintf(out, "new case %s: TP %d FP %d\n", r.Name, r.Figures.TruePositives, r.Figures.FalsePositives)
			continue
		}
		if o.Figures.TruePositives != r.Figures.TruePositives || o.Figures.FalsePositives != r.Figures.FalsePositives {
			fmt.Fprintf(out, "%s: TP %d → %d, FP %d → %d\n", r.Name, o.Figures.TruePositives, r.Figures.TruePositives, o.Figures.FalsePositives, r.Figures.FalsePositives)
		}
	}
}
