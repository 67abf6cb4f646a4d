package lockcheck_test

import (
	"slices"
	"testing"

	"github.com/secondlook/secondlook/analyzer/passes/lockcheck"
	"golang.org/x/tools/go/analysis/analysistest"
)

func TestAnalyzer(t *testing.T) {
	results := analysistest.Run(t, analysistest.TestData(), lockcheck.Analyzer, "a")
	// Every category reported is one of Categories, and each is reported.
	reported := make(map[string]bool)
	for _, r := range results {
		for _, d := range r.Action.Diagnostics {
			if !slices.Contains(lockcheck.Categories, d.Category) {
				t.Errorf("%s: category %q is not in Categories", r.Action.Package.Fset.Position(d.Pos), d.Category)
			}
			if len(d.Related) == 0 && d.Category != "cond-wait-not-in-loop" {
				t.Errorf("%s: %s finding has no evidence", r.Action.Package.Fset.Position(d.Pos), d.Category)
			}
			reported[d.Category] = true
		}
	}
	for _, c := range lockcheck.Categories {
		if !reported[c] {
			t.Errorf("category %q is never reported over testdata", c)
		}
	}
}
