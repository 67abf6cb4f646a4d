package findings_test

import (
	"strings"
	"testing"

	"github.com/secondlook/secondlook/findings"
)

func TestConfirm(t *testing.T) {
	race := findings.Finding{RuleID: "SL1221", Source: findings.SourceRaceDetector, Message: "data race observed",
		Explanation: "seen in TestAdd", Location: findings.Location{File: "a.go", Line: 11},
		Related: []findings.Location{{File: "a.go", Line: 14, Message: "write: Add"}}}
	claim := func(rule string, line int) findings.Finding {
		return findings.Finding{RuleID: rule, Source: "model:m", Location: findings.Location{File: "a.go", Line: line}}
	}
	fs := []findings.Finding{
		race,
		claim("SL1003", 14), // data-race, where the report lands: confirmed
		claim("SL1002", 14), // goroutine-leak: a race does not confirm it
		claim("SL1003", 40), // data-race elsewhere: kept, unconfirmed
		claim("SL4001", 14), // another kind: not counted
		claim("SL1205", 12), // a static data-race rule lands too
	}
	lands := func(c, e findings.Finding) bool { return c.Location.Line >= 11 && c.Location.Line <= 14 }
	out, claims, confirmed := findings.Confirm(fs, lands)
	if len(out) != len(fs) {
		t.Fatalf("Confirm returned %d findings of %d: it must drop none", len(out), len(fs))
	}
	if claims != 4 || confirmed != 2 {
		t.Errorf("claims %d, confirmed %d; want 4 and 2", claims, confirmed)
	}
	for i, want := range []bool{false, true, false, false, false, true} {
		if got := out[i].Confirmed != ""; got != want {
			t.Errorf("finding %d (%s line %d): confirmed %q, want %v", i, out[i].RuleID, out[i].Location.Line, out[i].Confirmed, want)
		}
	}
	c := out[1]
	if !strings.HasPrefix(c.Confirmed, "race detector: seen in TestAdd") || len(c.Related) != 2 || c.Related[0].Line != 11 || c.Related[1].Line != 14 {
		t.Errorf("confirmed claim: %q, related %+v; want the source, its note and the stack", c.Confirmed, c.Related)
	}
	if len(fs[1].Related) != 0 {
		t.Error("Confirm modified its input")
	}
}

// A finding by execution is the best evidence of its bug: Dedup keeps it
// over a static finding on the same lines, and records both sources.
func TestDedupPrefersExecution(t *testing.T) {
	exec := findings.Finding{RuleID: "SL1222", Source: findings.SourceLeakProfile, Location: findings.Location{File: "a.go", Line: 10}}
	static := findings.Finding{RuleID: "SL1211", Source: "static:chancheck", Location: findings.Location{File: "a.go", Line: 10}, Confidence: 1}
	out := findings.Dedup([]findings.Finding{static, exec})
	if len(out) != 1 || out[0].RuleID != "SL1222" || len(out[0].Sources) != 2 {
		t.Errorf("Dedup = %+v; want the profile's finding, with both sources", out)
	}
}

func TestSummaryTests(t *testing.T) {
	r := &findings.Report{Tests: []findings.TestRun{
		{Package: "m/a", Status: "pass"}, {Package: "m/b", Status: "fail"}, {Package: "m/c", Status: "timeout", Message: "test timed out after 1s"},
		{Package: "m/d", Status: "no-tests"},
	}}
	r.Stats.ExecutionClaims, r.Stats.ConfirmedByExecution = 3, 1
	s := findings.Summary(r)
	for _, want := range []string{"Ran the tests of 4 packages under the race detector (1 passed, 1 failed, 1 timed out, 1 without tests)",
		"1 of 3 data-race or goroutine-leak claims confirmed by execution", "they are kept"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary %q lacks %q", s, want)
		}
	}
	var b strings.Builder
	if err := findings.WriteText(&b, r, findings.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); !strings.Contains(got, "tests: m/c: timeout: test timed out after 1s\n") || strings.Contains(got, "m/a") || strings.Contains(got, "m/d") {
		t.Errorf("text report:\n%s\nwant a line for each package that did not pass", got)
	}
}
