package eval

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLifts(t *testing.T) {
	results := []CaseResult{
		{Name: "a", Rank: &Rank{Selected: true, Tokens: 100, Checks: []string{"p/x"}, CheckTokens: map[string]int{"p/x": 10, "q/y": 50}}},
		{Name: "b", Rank: &Rank{Selected: true, Tokens: 200, Checks: []string{"q/y"}, CheckTokens: map[string]int{"p/x": 20, "q/y": 100}}},
		// Not selected: its tokens say nothing about where bugs lie among regions.
		{Name: "c", Rank: &Rank{Tokens: 100, CheckTokens: map[string]int{"p/x": 100}}},
		{Name: "d"},
	}
	got := Lifts(results)
	want := []Lift{
		{Check: "p/x", Bugs: 1, BugShare: 0.5, TokenShare: 0.1, Lift: 5},
		{Check: "q/y", Bugs: 1, BugShare: 0.5, TokenShare: 0.5, Lift: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Lifts (-want +got):\n%s", diff)
	}

	rep := sampleReport()
	rep.Lifts = got
	var b bytes.Buffer
	WriteMarkdown(&b, rep)
	if !strings.Contains(b.String(), "| p/x | 1 | 50.0% | 10.0% | 5.00 |") {
		t.Errorf("markdown has no lift row for p/x:\n%s", b.String())
	}
}
