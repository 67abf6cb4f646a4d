package findings_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secondlook/secondlook/findings"
)

// TestBaselineRoundTrip runs the baseline through real files: a first run
// is written as JSON, its fingerprints are read back, and a second run on
// edited code (lines inserted above, a reindented and reworded known bug,
// a new bug) reports only the new bug.
func TestBaselineRoundTrip(t *testing.T) {
	dir := t.TempDir()
	v1 := "package p\n\nfunc f(ch chan int) {\n\tgo func() { ch <- 1 }()\n}\n\nfunc g(m map[string]int) {\n\tm[\"a\"]++\n}\n"
	writeModuleFile(t, dir, "p/p.go", v1)
	run1 := []findings.Finding{
		{RuleID: "SL1002", Message: "leak", Location: findings.Location{File: "p/p.go", Line: 4}, Function: "f"},
		{RuleID: "SL1003", Message: "race", Location: findings.Location{File: "p/p.go", Line: 8}, Function: "g"},
	}
	findings.ComputeFingerprints(run1, dirLines(dir))
	data, err := json.Marshal(findings.Report{Findings: run1})
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, "baseline.json")
	if err := os.WriteFile(base, data, 0o644); err != nil {
		t.Fatal(err)
	}

	v2 := strings.Replace(v1, "package p\n", "package p\n\nimport \"fmt\"\n\nvar _ = fmt.Sprint\n", 1)
	v2 = strings.Replace(v2, "\tgo func() { ch <- 1 }()", "    go func() {  ch <- 1 }()", 1)
	v2 = strings.Replace(v2, "\tm[\"a\"]++\n", "\tm[\"a\"]++\n\tgo func() { ch2 <- 2 }()\n", 1)
	writeModuleFile(t, dir, "p/p.go", v2)
	run2 := []findings.Finding{
		{RuleID: "SL1002", Message: "the send blocks forever", Location: findings.Location{File: "p/p.go", Line: 8}, Function: "f"},
		{RuleID: "SL1003", Message: "race", Location: findings.Location{File: "p/p.go", Line: 12}, Function: "g"},
		{RuleID: "SL1002", Message: "another leak", Location: findings.Location{File: "p/p.go", Line: 13}, Function: "g"},
	}
	findings.ComputeFingerprints(run2, dirLines(dir))

	raw, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	var old struct {
		Findings []struct{ Fingerprint string }
	}
	if err := json.Unmarshal(raw, &old); err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	for _, f := range old.Findings {
		set[f.Fingerprint] = true
	}
	fresh, known := findings.Baseline(run2, set)
	if len(fresh) != 1 || fresh[0].Message != "another leak" || fresh[0].BaselineState != "new" {
		t.Errorf("fresh = %+v, want only the new leak, state new", fresh)
	}
	if len(known) != 2 || known[0].Location.Line != 8 || known[1].Location.Line != 12 {
		t.Errorf("known = %+v, want lines 8 and 12", known)
	}
	for _, f := range known {
		if f.BaselineState != "unchanged" {
			t.Errorf("line %d: BaselineState %q, want unchanged", f.Location.Line, f.BaselineState)
		}
	}
	for _, f := range run2 {
		if f.BaselineState != "" {
			t.Error("Baseline modified its input")
		}
	}
}

func TestBaselineEmpty(t *testing.T) {
	fs := []findings.Finding{{RuleID: "SL1002"}, {RuleID: "SL1003", Fingerprint: "abc"}}
	fresh, known := findings.Baseline(fs, map[string]bool{"": true})
	if len(fresh) != 2 || len(known) != 0 {
		t.Errorf("fresh %d, known %d; a finding without a fingerprint must stay fresh", len(fresh), len(known))
	}
	fresh, known = findings.Baseline(fs, nil)
	if len(fresh) != 2 || known != nil {
		t.Errorf("nil baseline: fresh %d, known %v", len(fresh), known)
	}
}
