package errs_test

import (
	"testing"

	"github.com/secondlook/secondlook/analyzer/passes/errs"
	"golang.org/x/tools/go/analysis/analysistest"
)

// results holds Test's run so that TestSignalsComplete need not load the testdata again.
var results []*analysistest.Result

func Test(t *testing.T) {
	results = analysistest.Run(t, analysistest.TestData(), errs.Analyzer, "a", "b")
}

// TestSignalsComplete checks that every reported category has a weight and every weighted category is
// reported by some testdata case.
func TestSignalsComplete(t *testing.T) {
	if results == nil {
		results = analysistest.Run(t, analysistest.TestData(), errs.Analyzer, "a", "b")
	}
	seen := map[string]bool{}
	for _, r := range results {
		for _, d := range r.Action.Diagnostics {
			if _, ok := errs.Signals[d.Category]; !ok {
				t.Errorf("category %q reported at %v is not in Signals", d.Category, d.Pos)
			}
			seen[d.Category] = true
		}
	}
	for c := range errs.Signals {
		if !seen[c] {
			t.Errorf("category %q in Signals is never reported over testdata", c)
		}
	}
}
