package analyzer

import (
	"golang.org/x/tools/go/analysis"

	"github.com/secondlook/secondlook/analyzer/passes/chancheck"
	"github.com/secondlook/secondlook/analyzer/passes/ctxcheck"
	"github.com/secondlook/secondlook/analyzer/passes/lockcheck"
	"github.com/secondlook/secondlook/analyzer/passes/wgcheck"
)

// detector is one of secondlook's own deterministic bug detectors
// (analyzer/passes). Unlike risk signals, their diagnostics are findings:
// each reports under the catalogue rule its Category names.
type detector struct {
	analyzer   *analysis.Analyzer
	categories []string // the rule names it reports
}

var detectors = []detector{
	{lockcheck.Analyzer, lockcheck.Categories},
	{chancheck.Analyzer, chancheck.Categories},
	{wgcheck.Analyzer, wgcheck.Categories},
	{ctxcheck.Analyzer, ctxcheck.Categories},
}

// DetectorAnalyzers returns secondlook's own bug detectors.
func DetectorAnalyzers() []*analysis.Analyzer {
	as := make([]*analysis.Analyzer, len(detectors))
	for i, d := range detectors {
		as[i] = d.analyzer
	}
	return as
}

// DetectorCategories maps each detector's name to the rule names it
// reports, so that a test can hold every one to a catalogue rule.
func DetectorCategories() map[string][]string {
	m := map[string][]string{}
	for _, d := range detectors {
		m[d.analyzer.Name] = append([]string(nil), d.categories...)
	}
	return m
}
