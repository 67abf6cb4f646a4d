package analyzer

import "golang.org/x/tools/go/analysis"

// detectorPasses are secondlook's own deterministic bug detectors
// (analyzer/passes). Unlike risk signals, their diagnostics are findings:
// each reports under a catalogue rule named by its Category.
var detectorPasses = []*analysis.Analyzer{}

// DetectorAnalyzers returns secondlook's own bug detectors.
func DetectorAnalyzers() []*analysis.Analyzer {
	return append([]*analysis.Analyzer(nil), detectorPasses...)
}
