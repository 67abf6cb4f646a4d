package chancheck_test

import (
	"slices"
	"testing"

	"github.com/secondlook/secondlook/analyzer/passes/chancheck"
	"golang.org/x/tools/go/analysis/analysistest"
)

var (
	pkgs    = []string{"a"}
	results []*analysistest.Result // of the last run, shared to keep the suite fast
)

func TestAnalyzer(t *testing.T) {
	results = analysistest.Run(t, analysistest.TestData(), chancheck.Analyzer, pkgs...)
}

// TestCategoriesComplete checks that every reported category is listed in
// Categories and that the testdata reports every listed one.
func TestCategoriesComplete(t *testing.T) {
	if results == nil {
		results = analysistest.Run(t, analysistest.TestData(), chancheck.Analyzer, pkgs...)
	}
	reported := make(map[string]bool)
	for _, r := range results {
		for _, d := range r.Action.Diagnostics {
			if !slices.Contains(chancheck.Categories, d.Category) {
				t.Errorf("%s: category %q is not in Categories", r.Action.Package.Fset.Position(d.Pos), d.Category)
			}
			if len(d.Related) == 0 {
				t.Errorf("%s: %s: no evidence in Related", r.Action.Package.Fset.Position(d.Pos), d.Message)
			}
			reported[d.Category] = true
		}
	}
	for _, c := range chancheck.Categories {
		if !reported[c] {
			t.Errorf("category %q is never reported over testdata", c)
		}
	}
}
