package findings

import (
	"fmt"
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

// TestGroupCopies: copies of one type are one finding, the other places its
// related locations; other types, sync types and other rules stay apart.
func TestGroupCopies(t *testing.T) {
	copylocks, _ := RuleForAnalyzer("copylocks")
	id := copylocks.ID
	at := func(file string, line int) Location { return Location{File: file, Line: line, Snippet: "code"} }
	fs := []Finding{
		{RuleID: id, Location: at("b.go", 7), Source: "static:copylocks", Message: "call of f copies lock value: example.com/pb.Msg contains sync.Mutex"},
		{RuleID: id, Location: at("a.go", 9), Source: "static:copylocks", Message: "g passes lock by value: example.com/pb.Msg contains sync.Mutex"},
		{RuleID: id, Location: at("a.go", 3), Source: "static:copylocks", Message: "return copies lock value: example.com/pb.Msg contains sync.Mutex"},
		{RuleID: id, Location: at("a.go", 5), Source: "static:copylocks", Message: "range var v copies lock: example.com/m.Other contains sync.Once contains sync.noCopy"},
		{RuleID: id, Location: at("c.go", 1), Source: "static:copylocks", Message: "assignment copies lock value to a: sync.Mutex"},
		{RuleID: id, Location: at("c.go", 2), Source: "static:copylocks", Message: "assignment copies lock value to b: sync.Mutex"},
		{RuleID: "SL2001", Location: at("a.go", 4), Source: "static:nilness", Message: "nil dereference: x"},
	}
	got := GroupCopies(fs, id)
	type row struct {
		File    string
		Line    int
		Message string
		Related []string
	}
	var rows []row
	for _, f := range got {
		r := row{File: f.Location.File, Line: f.Location.Line, Message: f.Message}
		for _, l := range f.Related {
			r.Related = append(r.Related, fmt.Sprintf("%s:%d %s", l.File, l.Line, l.Message))
		}
		rows = append(rows, r)
	}
	want := []row{
		{"a.go", 3, "return copies lock value: example.com/pb.Msg contains sync.Mutex (and 2 more copies of example.com/pb.Msg, listed as related locations)", []string{
			"a.go:9 g passes lock by value: example.com/pb.Msg contains sync.Mutex",
			"b.go:7 call of f copies lock value: example.com/pb.Msg contains sync.Mutex",
		}},
		{"a.go", 4, "nil dereference: x", nil},
		{"a.go", 5, "range var v copies lock: example.com/m.Other contains sync.Once contains sync.noCopy", nil},
		{"c.go", 1, "assignment copies lock value to a: sync.Mutex", nil},
		{"c.go", 2, "assignment copies lock value to b: sync.Mutex", nil},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("GroupCopies (-want +got):\n%s", diff)
	}
	if got[0].Related[0].Snippet != "code" {
		t.Errorf("a related location lost its snippet: %+v", got[0].Related[0])
	}
}
