package timers_test

import (
	"testing"

	"github.com/secondlook/secondlook/analyzer/passes/timers"
	"golang.org/x/tools/go/analysis/analysistest"
)

// results holds Test's run so that TestSignalsComplete need not load the testdata again.
var results []*analysistest.Result

func Test(t *testing.T) {
	results = analysistest.Run(t, analysistest.TestData(), timers.Analyzer, "a", "tickmain")
}

// TestSignalsComplete checks that every reported category has a weight and every weighted category is
// reported by some testdata case.
func TestSignalsComplete(t *testing.T) {
	if results == nil {
		results = analysistest.Run(t, analysistest.TestData(), timers.Analyzer, "a", "tickmain")
	}
	seen := map[string]bool{}
	for _, r := range results {
		for _, d := range r.Action.Diagnostics {
			if _, ok := timers.Signals[d.Category]; !ok {
				t.Errorf("category %q reported at %v is not in Signals", d.Category, d.Pos)
			}
			seen[d.Category] = true
		}
	}
	for c := range timers.Signals {
		if !seen[c] {
			t.Errorf("category %q in Signals is never reported over testdata", c)
		}
	}
}
