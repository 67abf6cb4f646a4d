package findings

import (
	"fmt"
	"slices"
	"strings"
)

// Evidence by execution: the package's own tests under the race detector
// and the goroutine-leak profile (scan --run-tests). Their findings name
// one of these sources; they are the best evidence a finding can have.
const (
	SourceRaceDetector = "race detector"
	SourceLeakProfile  = "goroutine-leak profile"
)

// TestRun is how one package's own tests ran under --run-tests.
type TestRun struct {
	Package string  `json:"package"`
	Status  string  `json:"status"` // pass, no-tests, fail, timeout, build-failed, error
	Seconds float64 `json:"seconds"`
	Message string  `json:"message,omitempty"` // why it did not pass
	Races   int     `json:"races,omitempty"`   // race reports with a frame in the module
	Leaks   int     `json:"leaks,omitempty"`   // leaked goroutines with a frame in the module
	// Outside counts reports with no frame in the module: evidence about
	// a dependency or the runtime, not a finding.
	Outside int `json:"outside_module,omitempty"`
	// LeakProfile says whether the goroutine-leak profile was written (not
	// when the tests exited early or the toolchain lacks it).
	LeakProfile bool `json:"leak_profile"`
}

// Executed reports whether the finding is evidence by execution.
func (f Finding) Executed() bool {
	return f.Source == SourceRaceDetector || f.Source == SourceLeakProfile
}

// confirmable is the kind a source of execution confirms.
var confirmable = map[string]string{
	SourceRaceDetector: "data-race",
	SourceLeakProfile:  "goroutine-leak",
}

// Confirm marks the claims (model or static findings) of the data-race and
// goroutine-leak kinds that a finding by execution lands on, as lands
// decides (the caller knows the functions: the same function as one of the
// report's accesses, say). Such a claim gets Confirmed (the source and its
// note) and the execution finding's location and stack as related
// locations. No claim is dropped: one the tests did not show may lie on a
// path they do not reach. It returns the findings and how many claims of
// those kinds there were and were confirmed.
func Confirm(fs []Finding, lands func(claim, exec Finding) bool) (out []Finding, claims, confirmed int) {
	var exec []Finding
	for _, f := range fs {
		if f.Executed() {
			exec = append(exec, f)
		}
	}
	out = slices.Clone(fs)
	for i := range out {
		f := &out[i]
		if f.Executed() {
			continue
		}
		r, ok := RuleByID(f.RuleID)
		if !ok || (r.Kind != "data-race" && r.Kind != "goroutine-leak") {
			continue
		}
		claims++
		for _, e := range exec {
			if confirmable[e.Source] != r.Kind || !lands(*f, e) {
				continue
			}
			f.Confirmed = e.Source
			if e.Explanation != "" {
				f.Confirmed += ": " + e.Explanation
			}
			loc := e.Location
			loc.Message = fmt.Sprintf("%s: %s", e.Source, e.Message)
			f.Related = append(slices.Clone(f.Related), loc)
			f.Related = append(f.Related, e.Related...)
			confirmed++
			break
		}
	}
	return out, claims, confirmed
}

// testsSummary is the summary's sentence about --run-tests.
func testsSummary(r *Report) string {
	if len(r.Tests) == 0 {
		return ""
	}
	by := map[string]int{}
	for _, t := range r.Tests {
		by[t.Status]++
	}
	var parts []string
	for _, st := range []struct{ status, words string }{
		{"pass", "passed"}, {"fail", "failed"}, {"timeout", "timed out"},
		{"build-failed", "did not build"}, {"error", "did not run"}, {"no-tests", "without tests"},
	} {
		if n := by[st.status]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st.words))
		}
	}
	s := fmt.Sprintf("Ran the tests of %s under the race detector (%s)", plural(len(r.Tests), "package"), strings.Join(parts, ", "))
	if c := r.Stats.ExecutionClaims; c > 0 {
		s += fmt.Sprintf("; %d of %s confirmed by execution", r.Stats.ConfirmedByExecution, plural(c, "data-race or goroutine-leak claim"))
		if r.Stats.ConfirmedByExecution < c {
			s += " (the others were not shown by the tests, which may not reach them; they are kept)"
		}
	}
	return s + "."
}

// Unwell reports whether the package's tests failed, hung, did not build
// or did not run: what the text report and SARIF list.
func (t TestRun) Unwell() bool { return t.Status != "pass" && t.Status != "no-tests" }

// testLine is the text report's line for a package whose tests did not pass.
func testLine(t TestRun) string {
	msg := strings.ReplaceAll(strings.TrimSpace(t.Message), "\n", "\n    ")
	if msg == "" {
		return fmt.Sprintf("tests: %s: %s", t.Package, t.Status)
	}
	return fmt.Sprintf("tests: %s: %s: %s", t.Package, t.Status, msg)
}
