package sarif

import (
	"strings"
	"testing"

	"github.com/secondlook/secondlook/findings"
)

// TestMergeLimits checks that Merge trims what the shards bring together,
// as Write does, and leaves other tools' runs alone.
func TestMergeLimits(t *testing.T) {
	shard := func(line int, level findings.Level) *Log {
		return Convert(&findings.Report{Findings: []findings.Finding{{
			RuleID: "SL4003", Level: level, Message: "m",
			Location: findings.Location{File: "a.go", Line: line},
		}}}, Options{})
	}
	other := &Log{Version: Version, Runs: []Run{{
		Tool:    Tool{Driver: Driver{Name: "other"}},
		Results: []Result{{RuleID: "x"}, {RuleID: "y"}, {RuleID: "z"}},
	}}}
	merged, err := merge([]*Log{shard(1, findings.LevelNote), shard(2, findings.LevelError), shard(3, findings.LevelWarning), other}, Limits{Results: 2})
	if err != nil {
		t.Fatal(err)
	}
	ours := merged.Runs[0]
	if len(ours.Results) != 2 || ours.Results[0].Level != "error" || ours.Results[1].Level != "warning" {
		t.Errorf("kept %+v, want the error and the warning", ours.Results)
	}
	notes := ours.Invocations[0].ToolExecutionNotifications
	if len(notes) != 1 || !strings.HasPrefix(notes[0].Message.Text, "Left out 1 note of 3 results") {
		t.Errorf("notifications %+v", notes)
	}
	if n := len(merged.Runs[1].Results); n != 3 {
		t.Errorf("the other tool's run has %d results, want its 3", n)
	}
}
