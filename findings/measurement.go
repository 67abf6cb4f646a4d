package findings

import "fmt"

// Measurement is a rule's triage on real code: every finding it reported
// on a pinned set of real modules, judged by hand (eval/realcode).
type Measurement struct {
	Findings int // triaged, at warning or above
	True     int // a real bug a maintainer would fix
	Harmless int // the claim holds, without consequence
	Intended int // the claim holds, and the code means it
	False    int // the claim is wrong
	Where    string
}

// Precision is True / (True + False): of the findings that are bugs or
// wrong, the share that are bugs. Harmless and intended findings are
// right about the code and count on neither side. ok is false when no
// finding was either.
func (m Measurement) Precision() (p float64, ok bool) {
	if m.True+m.False == 0 {
		return 0, false
	}
	return float64(m.True) / float64(m.True+m.False), true
}

// The precision gate. A static rule reports findings only while it is
// right often enough on real code; below the gate it is demoted to a risk
// signal: it still ranks regions and is shown to the model as a place to
// look, never as a finding.
const (
	// GatePrecision is the least measured precision a reporting rule needs.
	GatePrecision = 0.8
	// GateMinTriaged is how many triaged findings a rule with any false
	// one needs before its precision is believed.
	GateMinTriaged = 5
)

// Measured returns the rule's triage on real code, if it has one. A rule
// that reported nothing there has none.
func (r Rule) Measured() (Measurement, bool) {
	m, ok := measured[r.ID]
	return m, ok
}

// Demoted reports whether the rule is under the precision gate: measured
// below GatePrecision, or with a false finding among fewer than
// GateMinTriaged.
func (r Rule) Demoted() bool {
	if r.Analyzer == "" {
		return false // the model's rules are measured by eval, and verified one by one
	}
	m, ok := r.Measured()
	if !ok {
		return false
	}
	if p, ok := m.Precision(); ok && p < GatePrecision {
		return true
	}
	return m.False > 0 && m.Findings < GateMinTriaged
}

// Quieted reports whether the rule's findings are reported as notes: on
// real code it was never wrong and never a bug (every one of at least
// GateMinTriaged findings harmless or intended). Right but of no
// consequence is noise at warning; a note keeps it visible without failing
// a build.
func (r Rule) Quieted() bool {
	if r.Analyzer == "" || r.Level <= LevelNote {
		return false
	}
	m, ok := r.Measured()
	return ok && m.True == 0 && m.False == 0 && m.Findings >= GateMinTriaged
}

// ReportLevel is the level the rule's findings are reported at: note when
// Quieted, else its catalogue level.
func (r Rule) ReportLevel() Level {
	if r.Quieted() {
		return LevelNote
	}
	return r.Level
}

// PrecisionNote says in words how far the rule's findings can be trusted:
// the measured figure and where, or the catalogue's estimate when the rule
// was never triaged on real code.
func (r Rule) PrecisionNote() string {
	m, ok := r.Measured()
	if !ok {
		if r.Analyzer == "" {
			return fmt.Sprintf("%s precision (estimated; model findings are checked against the code, not measured per rule)", r.Precision)
		}
		return fmt.Sprintf("%s precision (estimated: no finding on the real-code set to measure)", r.Precision)
	}
	p, ok := m.Precision()
	figure := "not measured (no true or false finding)"
	if ok {
		figure = fmt.Sprintf("%.0f%%", 100*p)
	}
	note := fmt.Sprintf("precision %s, measured: %d true, %d false, %d harmless, %d intended of %d findings on %s", figure, m.True, m.False, m.Harmless, m.Intended, m.Findings, m.Where)
	switch {
	case r.Demoted():
		note += "; under the gate: reported as a risk signal, not a finding"
	case r.Quieted():
		note += "; never a bug there: reported as a note"
	}
	return note
}

// PrecisionCell is the rule's precision in a few characters, for tables:
// the measured figure and how many findings it rests on ("demoted" under
// the gate), or the catalogue's estimate.
func (r Rule) PrecisionCell() string {
	m, ok := r.Measured()
	if !ok {
		return string(r.Precision) + " (est.)"
	}
	cell := "n/a"
	if p, ok := m.Precision(); ok {
		cell = fmt.Sprintf("%.0f%%", 100*p)
	}
	cell += fmt.Sprintf(" of %d", m.Findings)
	switch {
	case r.Demoted():
		cell += ", demoted"
	case r.Quieted():
		cell += ", as note"
	}
	return cell
}

// PrecisionLevel is the rule's precision as a level: from the measured
// figure where there is one (90% and up high, 70% and up medium), else the
// catalogue's estimate. SARIF consumers sort and filter by it.
func (r Rule) PrecisionLevel() Precision {
	m, ok := r.Measured()
	if !ok {
		return r.Precision
	}
	p, ok := m.Precision()
	switch {
	case !ok:
		return r.Precision
	case p >= 0.9:
		return PrecisionHigh
	case p >= 0.7:
		return PrecisionMedium
	}
	return PrecisionLow
}
