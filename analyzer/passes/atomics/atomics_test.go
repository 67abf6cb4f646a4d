package atomics_test

import (
	"testing"

	"github.com/secondlook/secondlook/analyzer/passes/atomics"
	"golang.org/x/tools/go/analysis/analysistest"
)

var (
	pkgs    = []string{"a"}
	results []*analysistest.Result // of the last run, shared to keep the suite fast
)

func TestAnalyzer(t *testing.T) {
	results = analysistest.Run(t, analysistest.TestData(), atomics.Analyzer, pkgs...)
}

// TestSignalsComplete checks that every reported category has a weight and
// that the testdata reports every category that has one.
func TestSignalsComplete(t *testing.T) {
	if results == nil {
		results = analysistest.Run(t, analysistest.TestData(), atomics.Analyzer, pkgs...)
	}
	reported := make(map[string]bool)
	for _, r := range results {
		for _, d := range r.Action.Diagnostics {
			if _, ok := atomics.Signals[d.Category]; !ok {
				t.Errorf("%s: category %q is not in Signals", r.Action.Package.Fset.Position(d.Pos), d.Category)
			}
			reported[d.Category] = true
		}
	}
	for c := range atomics.Signals {
		if !reported[c] {
			t.Errorf("category %q is never reported over testdata", c)
		}
	}
}
