package findings

// Measurement is a rule's findings on real code that no one here wrote,
// each given a verdict by hand: a real bug (True), right but of no
// consequence (Harmless), right and deliberate (Intended), or wrong
// (False). measured.go holds them, generated from eval/realcode/triage.tsv.
type Measurement struct {
	Findings, True, Harmless, Intended, False int
	Where                                     string // what was scanned
}

// Precision returns True/(True+False): of the findings that are either a
// bug or wrong, the share that are bugs. It is false when both are zero.
func (m Measurement) Precision() (float64, bool) {
	if m.True+m.False == 0 {
		return 0, false
	}
	return float64(m.True) / float64(m.True+m.False), true
}

// Measured returns the rule's triage on real code; false when the rule
// had no finding there.
func Measured(id string) (Measurement, bool) {
	m, ok := measured[id]
	return m, ok
}
