// Package passtest runs a pass over its testdata for the pass's tests: the
// analysistest check of the // want comments, once per test binary, and
// the check every pass has that the categories it declares and the
// categories it reports are the same.
package passtest

import (
	"maps"
	"slices"
	"sync"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
)

// Suite is a pass and the testdata packages it is tested on.
type Suite struct {
	analyzer *analysis.Analyzer
	pkgs     []string

	once    sync.Once
	results []*analysistest.Result
}

// New returns the suite of a over the packages of testdata/src.
func New(a *analysis.Analyzer, pkgs ...string) *Suite {
	return &Suite{analyzer: a, pkgs: pkgs}
}

// Run checks the // want comments of the testdata and returns the
// results. The first call runs the pass (loading the testdata dominates a
// pass's tests); later calls return the same results.
func (s *Suite) Run(t *testing.T) []*analysistest.Result {
	t.Helper()
	s.once.Do(func() { s.results = analysistest.Run(t, analysistest.TestData(), s.analyzer, s.pkgs...) })
	if len(s.results) == 0 {
		t.Fatal("no packages analyzed")
	}
	return s.results
}

// Signals checks a signal pass: every category it reports has a weight in
// signals, and the testdata reports every category that has one.
func (s *Suite) Signals(t *testing.T, signals map[string]float64) {
	t.Helper()
	s.complete(t, "Signals", slices.Collect(maps.Keys(signals)), nil)
}

// Categories checks a detector pass: every category it reports is one of
// categories, the testdata reports each, and every finding carries its
// evidence in Related, except those of the categories in noEvidence.
func (s *Suite) Categories(t *testing.T, categories []string, noEvidence ...string) {
	t.Helper()
	s.complete(t, "Categories", categories, func(d analysis.Diagnostic) bool {
		return len(d.Related) > 0 || slices.Contains(noEvidence, d.Category)
	})
}

func (s *Suite) complete(t *testing.T, list string, categories []string, evidence func(analysis.Diagnostic) bool) {
	t.Helper()
	reported := make(map[string]bool)
	for _, r := range s.Run(t) {
		for _, d := range r.Action.Diagnostics {
			pos := r.Action.Package.Fset.Position(d.Pos)
			if !slices.Contains(categories, d.Category) {
				t.Errorf("%s: category %q is not in %s", pos, d.Category, list)
			}
			if evidence != nil && !evidence(d) {
				t.Errorf("%s: %s: no evidence in Related", pos, d.Message)
			}
			reported[d.Category] = true
		}
	}
	for _, c := range categories {
		if !reported[c] {
			t.Errorf("category %q in %s is never reported over testdata", c, list)
		}
	}
}
