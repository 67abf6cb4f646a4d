package findings

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDedup(t *testing.T) {
	loc := func(file string, line, end int) Location { return Location{File: file, Line: line, EndLine: end} }
	fs := []Finding{
		{RuleID: "SL1001", Location: loc("a.go", 10, 12), Source: "model:m", Confidence: 0.6, Message: "weak"},
		{RuleID: "SL1001", Location: loc("a.go", 11, 11), Source: "model:m", Confidence: 0.9, Message: "strong"},
		{RuleID: "SL1003", Location: loc("a.go", 12, 12), Source: "model:m", Confidence: 0.5, Message: "same family, overlapping"},
		{RuleID: "SL2001", Location: loc("a.go", 11, 11), Source: "model:m", Confidence: 0.9, Message: "other family"},
		{RuleID: "SL1001", Location: loc("a.go", 40, 40), Source: "model:m", Message: "elsewhere"},
		{RuleID: "SL1001", Location: loc("b.go", 11, 11), Source: "model:m", Message: "other file"},
	}
	// A static finding on the same bug is the best evidence.
	nilness, _ := RuleForAnalyzer("nilness")
	fs = append(fs, Finding{RuleID: nilness.ID, Location: loc("a.go", 11, 11), Source: "static:nilness", Message: "static"})

	got := Dedup(fs)
	type row struct {
		File, Message string
		Votes         int
		Sources       []string
	}
	var rows []row
	for _, f := range got {
		rows = append(rows, row{f.Location.File, f.Message, f.Votes, f.Sources})
	}
	want := []row{
		{"a.go", "strong", 3, nil},
		{"a.go", "static", 2, []string{"model:m", "static:nilness"}},
		{"a.go", "elsewhere", 1, nil},
		{"b.go", "other file", 1, nil},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("Dedup (-want +got):\n%s", diff)
	}
	// Deterministic whatever the input order.
	rev := make([]Finding, len(fs))
	for i, f := range fs {
		rev[len(fs)-1-i] = f
	}
	if diff := cmp.Diff(got, Dedup(rev)); diff != "" {
		t.Errorf("Dedup depends on input order (-first +reversed):\n%s", diff)
	}
}
