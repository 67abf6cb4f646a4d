package vulndb

import (
	"bytes"
	"slices"
	"testing"

	"github.com/secondlook/secondlook/findings"
)

// TestCorpus holds the committed corpus to what it promises: enough cases
// from enough modules, every family and every year of the database, no
// held-out module, and cases whose bug lies in their own files.
func TestCorpus(t *testing.T) {
	cases, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 150 {
		t.Errorf("%d cases, want at least 150", len(cases))
	}
	modules, families, years := map[string]bool{}, map[findings.Family]int{}, map[int]int{}
	for _, c := range cases {
		modules[c.Module] = true
		families[c.Family]++
		years[c.Year]++
		if excluded(c.Module, HeldOut) {
			t.Errorf("%s: %s is held out", c.ID, c.Module)
		}
		if fam, ok := findings.KindFamily(c.Kind); !ok || fam != c.Family {
			t.Errorf("%s: kind %q, family %q", c.ID, c.Kind, c.Family)
		}
		if len(c.Functions) == 0 || c.ChangedLines > MaxChangedLines || len(c.Files) > MaxFiles {
			t.Errorf("%s: %d functions, %d lines in %d files", c.ID, len(c.Functions), c.ChangedLines, len(c.Files))
		}
		for _, l := range c.BugLines {
			if !slices.Contains(c.Files, l.File) || l.Start < 1 || l.End < l.Start {
				t.Errorf("%s: bug lines %s outside the case's files %v", c.ID, l, c.Files)
			}
		}
	}
	if len(modules) < 60 {
		t.Errorf("%d modules, want at least 60", len(modules))
	}
	for _, fam := range []findings.Family{"concurrency", "panic", "errors", "logic", "security"} {
		if families[fam] == 0 {
			t.Errorf("no case of family %s", fam)
		}
	}
	for y := 2020; y <= 2026; y++ {
		if years[y] == 0 {
			t.Errorf("no report of %d", y)
		}
	}
	// The file is what MarshalCases writes: regenerating it diffs well.
	again, err := MarshalCases(cases)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, casesJSON) {
		t.Error("cases.json is not in MarshalCases form: regenerate it with go run ./eval/cmd/vulndbgen")
	}
	t.Logf("%d cases from %d modules; families %v; years %v", len(cases), len(modules), families, years)
}
