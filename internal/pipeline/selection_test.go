package pipeline

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/gitdiff"
	"github.com/secondlook/secondlook/internal/goldenfile"
)

// golden compares got with its golden file (internal/goldenfile).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

// selectionResult is a diff scan's result with two regions, one left out.
func selectionResult() *Result {
	changed := analyzer.Region{
		ID: "0123456789abcdef", Package: "example.com/m/store", File: "store/store.go", Func: "(*Store).Get",
		Start: 14, End: 22, Code: "func (s *Store) Get(k string) int {\n\ts.mu.Lock()\n\tv, ok := s.m[k]\n\tif !ok {\n\t\treturn 0\n\t}\n\ts.mu.Unlock()\n\treturn v\n}",
		Context: "type Store struct {\n\tmu sync.Mutex\n\tm  map[string]int\n}\n",
		Changed: []gitdiff.LineRange{{Start: 15, End: 16}, {Start: 18, End: 18}},
		Signals: []analyzer.Signal{
			{Check: "locking/lock-early-exit", Line: 18, Message: "returns with s.mu held", Weight: 8},
			{Check: "maps/map-read", Line: 16, Message: "reads a map", Weight: 1},
		},
		Static: 1, Score: 14.25, Tokens: 1234,
	}
	caller := analyzer.Region{
		ID: "fedcba9876543210", Package: "example.com/m/api", File: "api/api.go", Func: "Handle",
		Start: 3, End: 5, Code: "func Handle(s *store.Store) int {\n\treturn s.Get(\"k\")\n}",
		Caller: true, Score: 2, Tokens: 40, Note: "cut to 400 lines of 5000",
	}
	return &Result{
		Module: analyzer.Module{Path: "example.com/m", GoVersion: "1.22"},
		Report: &findings.Report{
			Findings: []findings.Finding{{RuleID: "SL1201"}},
			Failures: []findings.Failure{},
			Stats:    findings.Stats{Mode: "diff", Packages: 2, Files: 2, Regions: 2, Tokens: 1274},
		},
		Selection: &analyzer.Selection{
			Regions:     []analyzer.Region{changed, caller},
			LeftOut:     []analyzer.Region{{File: "x.go", Func: "X"}},
			TotalTokens: 1274,
		},
	}
}

func TestSelectionWritersGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		res  *Result
		opts SelectionOptions
	}{
		{"sample", selectionResult(), SelectionOptions{MaxOutputTokens: 2048, SignalsHint: "ask for them", BudgetHint: "the limits"}},
		{"no-hints", selectionResult(), SelectionOptions{MaxOutputTokens: 2048}},
		{"verbose-priced", selectionResult(), SelectionOptions{Verbose: true, Prices: findings.Prices{In: 0.4, Out: 1.6}, MaxOutputTokens: 100}},
		{"empty", &Result{Report: &findings.Report{Stats: findings.Stats{Mode: "full"}}, Selection: &analyzer.Selection{}}, SelectionOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var text, js bytes.Buffer
			if err := WriteSelectionText(&text, tc.res, tc.opts); err != nil {
				t.Fatal(err)
			}
			golden(t, "selection-"+tc.name+".txt.golden", text.Bytes())
			if err := WriteSelectionJSON(&js, tc.res); err != nil {
				t.Fatal(err)
			}
			golden(t, "selection-"+tc.name+".json.golden", js.Bytes())
			// Pure: the same bytes again.
			var again bytes.Buffer
			if err := WriteSelectionText(&again, tc.res, tc.opts); err != nil || again.String() != text.String() {
				t.Errorf("writing twice differs (%v)", err)
			}
		})
	}
}
