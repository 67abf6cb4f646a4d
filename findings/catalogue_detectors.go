package findings

// detectorSpecs are the rules of secondlook's own deterministic detectors
// (analyzer/passes, the x2yy blocks of each family). A detector pass reports
// a diagnostic whose Category is the rule's Name; the rule's analyzer field
// is "<pass>/<category>".
var detectorSpecs = []spec{}
