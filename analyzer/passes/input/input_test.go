package input

import (
	"sync"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"
)

var (
	once    sync.Once
	results []*analysistest.Result
)

// runOnce analyzes testdata once; loading it dominates the tests' time.
func runOnce(t *testing.T) []*analysistest.Result {
	once.Do(func() { results = analysistest.Run(t, analysistest.TestData(), Analyzer, "a") })
	return results
}

func TestAnalyzer(t *testing.T) {
	if len(runOnce(t)) == 0 {
		t.Fatal("no packages analyzed")
	}
}

// TestSignalsComplete asserts that every reported category is declared in Signals and that
// every declared category is reported by at least one testdata case.
func TestSignalsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, res := range runOnce(t) {
		for _, d := range res.Action.Diagnostics {
			if _, ok := Signals[d.Category]; !ok {
				t.Errorf("category %q reported at %v is not in Signals", d.Category, res.Action.Package.Fset.Position(d.Pos))
			}
			seen[d.Category] = true
		}
	}
	for cat := range Signals {
		if !seen[cat] {
			t.Errorf("category %q is never reported over testdata", cat)
		}
	}
}
