package pipeline

import (
	"context"
	"slices"
	"testing"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/gitdiff"
	"github.com/secondlook/secondlook/internal/testtree"
)

// TestEveryStaticPassHasARule holds that no x/tools diagnostic reaches a
// report without a catalogue rule and its help.
func TestEveryStaticPassHasARule(t *testing.T) {
	for _, a := range analyzer.StaticAnalyzers() {
		r, ok := findings.RuleForAnalyzer(a.Name)
		if !ok {
			t.Errorf("pass %s has no rule in the catalogue", a.Name)
			continue
		}
		if r.Help == "" || r.Level == findings.LevelNone {
			t.Errorf("rule %s for %s lacks help or a level", r.ID, a.Name)
		}
	}
}

func TestModuleRel(t *testing.T) {
	for _, tc := range []struct {
		prefix, path string
		want         string
		ok           bool
	}{
		{"", "a/b.go", "a/b.go", true},
		{"sub/", "sub/a.go", "a.go", true},
		{"sub/", "other/a.go", "", false},
		{"sub/", "subway/a.go", "", false},
		{"sub/", "go.mod", "", false},
	} {
		got, ok := moduleRel(tc.prefix, tc.path)
		if got != tc.want || ok != tc.ok {
			t.Errorf("moduleRel(%q, %q) = %q, %v; want %q, %v", tc.prefix, tc.path, got, ok, tc.want, tc.ok)
		}
	}
}

func TestDiffKeeper(t *testing.T) {
	funcs := []*analyzer.Func{
		{File: "a.go", Name: "Changed", Start: 10, End: 20},
		{File: "a.go", Name: "Untouched", Start: 30, End: 40},
	}
	changes := map[string][]gitdiff.LineRange{"a.go": {{Start: 12, End: 12}, {Start: 50, End: 50}}}
	diags := map[string]analyzer.Diagnostic{
		"on the changed line":           {File: "a.go", Line: 12},
		"in the changed function":       {File: "a.go", Line: 18},
		"in an untouched function":      {File: "a.go", Line: 35},
		"outside functions, changed":    {File: "a.go", Line: 50},
		"outside functions, unchanged":  {File: "a.go", Line: 60},
		"in another file of the change": {File: "b.go", Line: 1},
	}
	want := map[DiffFilter][]string{
		FilterLines:     {"on the changed line", "outside functions, changed"},
		FilterFunctions: {"on the changed line", "in the changed function", "outside functions, changed"},
		FilterPackages:  {"on the changed line", "in the changed function", "in an untouched function", "outside functions, changed", "outside functions, unchanged", "in another file of the change"},
	}
	for filter, kept := range want {
		keep := diffKeeper(filter, changes, funcs)
		for name, d := range diags {
			if got, want := keep(d), slices.Contains(kept, name); got != want {
				t.Errorf("%s: a finding %s: kept = %v, want %v", filter, name, got, want)
			}
		}
	}
}

// TestNilnessSplit: nilness reports a certain nil dereference and a nil
// check decided in advance; they are different bugs with different rules.
func TestNilnessSplit(t *testing.T) {
	lr := newLineReader(t.TempDir())
	deref := staticFinding(analyzer.Diagnostic{Analyzer: "nilness", File: "a.go", Line: 3, Message: "nil dereference in field selection"}, nil, lr, false)
	cond := staticFinding(analyzer.Diagnostic{Analyzer: "nilness", File: "a.go", Line: 3, Message: "impossible condition: nil != nil"}, nil, lr, false)
	dr, _ := findings.RuleForAnalyzer("nilness")
	cr, _ := findings.RuleForAnalyzer("nilness/condition")
	if deref.RuleID != dr.ID || cond.RuleID != cr.ID || dr.ID == cr.ID {
		t.Errorf("dereference → %s, condition → %s; want %s and %s", deref.RuleID, cond.RuleID, dr.ID, cr.ID)
	}
}

// TestEveryDetectorCategoryHasARule: a detector's finding always lands
// under a catalogue rule with its help.
func TestEveryDetectorCategoryHasARule(t *testing.T) {
	for name, cats := range analyzer.DetectorCategories() {
		if len(cats) == 0 {
			t.Errorf("detector %s lists no categories", name)
		}
		for _, c := range cats {
			r, ok := findings.RuleForAnalyzer(name + "/" + c)
			if !ok || r.Name != c || r.Help == "" {
				t.Errorf("detector %s category %s: rule %+v, found %v", name, c, r.ID, ok)
			}
		}
	}
}

// TestQuietedRuleSpeaksAsNote: a rule never a bug on real code (SL4114,
// measured all harmless) reports notes, and at its catalogue level with
// AllRules, the way the real-code triage scans.
func TestQuietedRuleSpeaksAsNote(t *testing.T) {
	rule, _ := findings.RuleForAnalyzer("testinggoroutine")
	if !rule.Quieted() || rule.Level <= findings.LevelNote {
		t.Fatalf("%s is not quieted by its measurement (%s): test with a rule that is", rule.ID, rule.PrecisionNote())
	}
	dir := testtree.Write(t, map[string]string{
		"go.mod": "module example.com/q\n\ngo 1.22\n",
		"q.go":   "package q\n\nfunc Q() int { return 1 }\n",
		"q_test.go": `package q

import "testing"

func TestQ(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if Q() != 1 {
			t.Fatal("Q")
		}
	}()
	<-done
}
`,
	})
	for _, all := range []bool{false, true} {
		res, err := Run(context.Background(), Config{Dir: dir, AllRules: all})
		if err != nil {
			t.Fatal(err)
		}
		want := findings.LevelNote
		if all {
			want = rule.Level
		}
		n := 0
		for _, f := range res.Report.Findings {
			if f.RuleID == rule.ID {
				n++
				if f.Level != want {
					t.Errorf("AllRules %v: %s at %s, want %s", all, rule.ID, f.Level, want)
				}
			}
		}
		if n != 1 {
			t.Errorf("AllRules %v: %d findings of %s, want 1: %+v", all, n, rule.ID, res.Report.Findings)
		}
	}
}
