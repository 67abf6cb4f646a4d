package pipeline

import (
	"testing"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/findings"
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
		root, mod, path string
		want            string
		ok              bool
	}{
		{"/r", "/r", "a/b.go", "a/b.go", true},
		{"/r", "/r/sub", "sub/a.go", "a.go", true},
		{"/r", "/r/sub", "other/a.go", "", false},
		{"/r", "/r/sub", "go.mod", "", false},
	} {
		got, ok := moduleRel(tc.root, tc.mod, tc.path)
		if got != tc.want || ok != tc.ok {
			t.Errorf("moduleRel(%q, %q, %q) = %q, %v; want %q, %v", tc.root, tc.mod, tc.path, got, ok, tc.want, tc.ok)
		}
	}
}
