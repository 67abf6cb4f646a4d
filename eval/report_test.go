package eval

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/goldenfile"
)

// sampleReport is a small report with every part the writers show: a
// model, families, a ranking, a case with a miss and a false positive, a
// case that failed.
func sampleReport() *Report {
	fig := Figures{Cases: 3, Bugs: 2, TruePositives: 1, FalsePositives: 1, FalseNegatives: 1, Precision: 0.5, Recall: 0.5, F1: 0.5,
		OracleRecall: 1, CleanCases: 1, CleanCaseFalsePositives: 0, Tokens: 12345, CostUSD: 0.0123, RegionTokens: 3000, RegionTokensPerCase: 1000,
		Ranked: 2, RankSelected: 2, RankTop: 1, FullScanRecall: 1, TopShare: 0.5}
	static := Figures{Cases: 3, Bugs: 2, TruePositives: 1, FalseNegatives: 1, Precision: 1, Recall: 0.5, F1: 0.6667, OracleRecall: 1}
	fp := findings.Finding{RuleID: "SL1001", Message: "a | claim", Location: findings.Location{File: "a.go", Line: 7}}
	return &Report{
		Figures:        fig,
		Static:         static,
		ByFamily:       map[string]Figures{"concurrency": fig, "logic": static},
		StaticByFamily: map[string]Figures{"concurrency": static},
		Model:          "m",
		Seconds:        4.25,
		Curve:          []Point{{0, 0.5, 0.5}, {0.5, 1, 0.5}, {0.9, 1, 0}},
		Results: []CaseResult{
			{Name: "race-counter", Family: "concurrency", Figures: Figures{TruePositives: 1}},
			{Name: "off-by-one", Family: "logic", Figures: Figures{FalsePositives: 1}, Missed: []string{"off-by-one a.go:9"},
				Findings: []Scored{{Finding: fp, Match: FalsePositive}}},
			{Name: "broken", Family: "logic", Error: "head does not build"},
		},
	}
}

// golden compares got with its golden file (internal/goldenfile).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", "report", name), got)
}

func TestWriters(t *testing.T) {
	rep := sampleReport()
	var text, md, js bytes.Buffer
	WriteText(&text, rep)
	golden(t, "text.golden", text.Bytes())
	WriteMarkdown(&md, rep)
	golden(t, "markdown.golden", md.Bytes())
	golden(t, "curve.svg.golden", []byte(CurveSVG(rep.Curve)))

	if err := WriteJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rep, &back, cmp.AllowUnexported(Figures{})); diff != "" {
		t.Errorf("JSON does not read back (-wrote +read):\n%s", diff)
	}
}

func TestWriteCompare(t *testing.T) {
	old, cur := sampleReport(), sampleReport()
	cur.Recall, cur.TruePositives = 1, 2
	cur.Results[1].Figures.FalsePositives = 0
	cur.Results = append(cur.Results, CaseResult{Name: "new-case", Figures: Figures{TruePositives: 1}})
	var b bytes.Buffer
	WriteCompare(&b, old, cur)
	golden(t, "compare.golden", b.Bytes())
	if !strings.Contains(b.String(), "off-by-one: TP 0 → 0, FP 1 → 0") {
		t.Errorf("the changed case is not listed:\n%s", b.String())
	}
}
