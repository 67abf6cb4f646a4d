package findings

// Baseline states, as SARIF spells result.baselineState.
const (
	BaselineNew       = "new"
	BaselineUnchanged = "unchanged"
)

// Baseline splits findings by whether an earlier run reported them: known
// are those whose Fingerprint is in old (the fingerprints of a baseline
// report), fresh the others, each in its input order and with BaselineState
// set ("unchanged" and "new"). A finding without a fingerprint is fresh:
// nothing can match it. fs itself is not modified.
//
// Run it after ComputeFingerprints. --baseline reports fresh alone and
// counts known (Stats.Baselined); a report for people may keep both, and
// SARIF writes BaselineState as baselineState.
func Baseline(fs []Finding, old map[string]bool) (fresh, known []Finding) {
	for _, f := range fs {
		if f.Fingerprint != "" && old[f.Fingerprint] {
			f.BaselineState = BaselineUnchanged
			known = append(known, f)
			continue
		}
		f.BaselineState = BaselineNew
		fresh = append(fresh, f)
	}
	return fresh, known
}
