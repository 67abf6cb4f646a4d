package sarif_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/findings/sarif"
)

// shortRules keeps the limits golden small: the report's own rules win
// over the catalogue's.
var shortRules = []findings.Rule{
	{ID: "SL1002", Name: "goroutine-leak", Title: "Goroutine can block forever and leak", Level: findings.LevelWarning},
	{ID: "SL1102", Name: "lock-copied", Title: "Value containing a lock is copied", Level: findings.LevelError},
	{ID: "SL2002", Name: "out-of-bounds", Title: "Index or slice bounds can be out of range", Level: findings.LevelError},
	{ID: "SL4001", Name: "off-by-one", Title: "Loop or bound is off by one", Level: findings.LevelWarning},
	{ID: "SL4003", Name: "logic-error", Title: "Code does not do what it evidently intends", Level: findings.LevelWarning},
}

// mixedReport has 2 errors, 3 warnings and 4 notes; SL4001 is used by
// notes only.
func mixedReport() *findings.Report {
	f := func(rule string, level findings.Level, line int, conf float64) findings.Finding {
		return findings.Finding{
			RuleID: rule, Level: level, Confidence: conf,
			Message:  fmt.Sprintf("%s at line %d", rule, line),
			Location: findings.Location{File: "app.go", Line: line},
		}
	}
	r := &findings.Report{
		Tool:  tool,
		Rules: shortRules,
		Findings: []findings.Finding{
			f("SL1102", findings.LevelError, 1, 0), // static: certain
			f("SL4001", findings.LevelNote, 2, 0.9),
			f("SL1002", findings.LevelWarning, 3, 0.9),
			f("SL4003", findings.LevelNote, 4, 0.95),
			f("SL1002", findings.LevelWarning, 5, 0.5),
			f("SL2002", findings.LevelError, 6, 0.3),
			f("SL4001", findings.LevelNote, 7, 0.4),
			f("SL4003", findings.LevelWarning, 8, 0.7),
			f("SL4003", findings.LevelNote, 9, 0.8),
		},
	}
	r.Sort()
	return r
}

func writeLog(t *testing.T, r *findings.Report, opts sarif.Options) (*sarif.Log, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := sarif.Write(&buf, r, opts); err != nil {
		t.Fatal(err)
	}
	validate(t, buf.Bytes())
	log, err := sarif.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return log, buf.Bytes()
}

func lines(run sarif.Run) []int {
	var ls []int
	for _, res := range run.Results {
		ls = append(ls, res.Locations[0].PhysicalLocation.Region.StartLine)
	}
	return ls
}

func warnings(run sarif.Run) []string {
	var ws []string
	for _, n := range run.Invocations[0].ToolExecutionNotifications {
		if n.Level == "warning" {
			ws = append(ws, n.Message.Text)
		}
	}
	return ws
}

func checkRuleIndex(t *testing.T, run sarif.Run) {
	t.Helper()
	used := map[string]bool{}
	for _, res := range run.Results {
		used[res.RuleID] = true
		if res.RuleIndex >= len(run.Tool.Driver.Rules) || run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s has ruleIndex %d, which is not its rule", res.RuleID, res.RuleIndex)
		}
	}
	for _, d := range run.Tool.Driver.Rules {
		if !used[d.ID] {
			t.Errorf("rule %s is described but no result uses it", d.ID)
		}
	}
}

func TestLimitResults(t *testing.T) {
	opts := sarif.Options{Limits: sarif.Limits{Results: 4}}
	log, data := writeLog(t, mixedReport(), opts)
	golden(t, "limits.sarif.golden", data)
	run := log.Runs[0]
	// Kept: both errors and the two most confident warnings; left out: the
	// notes, then the least confident warning.
	if got, want := lines(run), []int{1, 3, 6, 8}; !slices.Equal(got, want) {
		t.Errorf("kept the results at lines %v, want %v", got, want)
	}
	checkRuleIndex(t, run)
	want := []string{"Left out 4 notes and 1 warning of 9 results to stay within GitHub's limit of 4 results per run, the least severe and least confident first."}
	if diff := cmp.Diff(want, warnings(run)); diff != "" {
		t.Errorf("notifications (-want +got):\n%s", diff)
	}
	if !run.Invocations[0].ExecutionSuccessful {
		t.Errorf("trimming made the run unsuccessful")
	}

	// Under the limit nothing changes; a negative limit lifts it.
	for _, lim := range []sarif.Limits{{}, {Results: 9}, {Results: -1, Locations: -1, GzipBytes: -1}} {
		log, _ := writeLog(t, mixedReport(), sarif.Options{Limits: lim})
		if n := len(log.Runs[0].Results); n != 9 || warnings(log.Runs[0]) != nil {
			t.Errorf("limits %+v: %d results and notifications %q, want all 9 and none", lim, n, warnings(log.Runs[0]))
		}
	}
}

func TestLimitLocations(t *testing.T) {
	r := &findings.Report{Tool: tool, Findings: []findings.Finding{{
		RuleID: "SL1002", Level: findings.LevelWarning, Message: "leak",
		Location: findings.Location{File: "a.go", Line: 10},
		Related: []findings.Location{
			{File: "a.go", Line: 1}, {File: "a.go", Line: 2}, {File: "a.go", Line: 3}, {File: "a.go", Line: 4},
		},
	}}}
	log, _ := writeLog(t, r, sarif.Options{Limits: sarif.Limits{Locations: 2}})
	res := log.Runs[0].Results[0]
	if len(res.RelatedLocations) != 2 || res.RelatedLocations[1].ID != 2 {
		t.Errorf("related locations %+v, want the first 2", res.RelatedLocations)
	}
	if want := "leak. Evidence: [a.go:1](1), [a.go:2](2) and 2 more."; res.Message.Text != want {
		t.Errorf("message %q, want %q", res.Message.Text, want)
	}
	want := []string{"Kept the first 2 related locations of 1 result that had more, as GitHub accepts at most 2 locations per result."}
	if diff := cmp.Diff(want, warnings(log.Runs[0])); diff != "" {
		t.Errorf("notifications (-want +got):\n%s", diff)
	}
}

func gzipLen(t *testing.T, data []byte) int {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Len()
}

// bulkReport has n findings whose messages compress poorly, at levels
// note, warning and error in turn.
func bulkReport(n int) *findings.Report {
	r := &findings.Report{Tool: tool, Rules: shortRules}
	x := uint64(88172645463325252)
	word := func() string {
		var b strings.Builder
		for range 8 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			b.WriteByte(byte('a' + x%26))
		}
		return b.String()
	}
	levels := []findings.Level{findings.LevelNote, findings.LevelWarning, findings.LevelError}
	for i := range n {
		r.Findings = append(r.Findings, findings.Finding{
			RuleID: shortRules[i%len(shortRules)].ID, Level: levels[i%3],
			Message:     strings.Join([]string{word(), word(), word(), word(), word(), word()}, " "),
			Location:    findings.Location{File: fmt.Sprintf("pkg%d/file.go", i%7), Line: i + 1},
			Confidence:  float64(i%10+1) / 10,
			Fingerprint: word() + word(),
		})
	}
	r.Sort()
	return r
}

func TestLimitGzipSize(t *testing.T) {
	const n = 300
	_, whole := writeLog(t, bulkReport(n), sarif.Options{})
	full := gzipLen(t, whole)
	limit := full / 2
	log, data := writeLog(t, bulkReport(n), sarif.Options{Limits: sarif.Limits{GzipBytes: limit}})
	got := gzipLen(t, data)
	if got > limit {
		t.Fatalf("gzipped log is %d bytes, over the limit of %d", got, limit)
	}
	// Tight: no more than a few results' worth under the limit.
	if perResult := full / n; got < limit-3*perResult {
		t.Errorf("gzipped log is %d bytes, more than 3 results (%d bytes each) under the limit of %d: trimmed too much", got, perResult, limit)
	}
	run := log.Runs[0]
	checkRuleIndex(t, run)
	kept := map[string]int{}
	for _, res := range run.Results {
		kept[res.Level]++
	}
	if kept["note"] != 0 || kept["error"] != n/3 || kept["warning"] == 0 {
		t.Errorf("kept %v: want every error, some warnings and no note", kept)
	}
	ws := warnings(run)
	want := fmt.Sprintf("Left out %d notes and %d warnings of %d results to keep the gzipped log within GitHub's limit of %d bytes, the least severe and least confident first.",
		n/3, n/3-kept["warning"], n, limit)
	if len(ws) != 1 || ws[0] != want {
		t.Errorf("notifications %q, want %q", ws, want)
	}
	// Among the warnings, the least confident went first.
	minKept := 1.0
	for _, res := range run.Results {
		if res.Level == "warning" {
			minKept = min(minKept, res.Properties.Confidence)
		}
	}
	for _, f := range bulkReport(n).Findings {
		if f.Level == findings.LevelWarning && f.Confidence > minKept && !slices.ContainsFunc(run.Results, func(res sarif.Result) bool {
			return res.PartialFingerprints[sarif.FingerprintKey] == f.Fingerprint
		}) {
			t.Errorf("a warning of confidence %v was left out while one of %v was kept", f.Confidence, minKept)
			break
		}
	}

	// Trimming leaves the report alone.
	r := bulkReport(n)
	sarif.Convert(r, sarif.Options{Limits: sarif.Limits{GzipBytes: limit}})
	if diff := cmp.Diff(bulkReport(n), r); diff != "" {
		t.Errorf("Convert changed the report (-before +after):\n%s", diff)
	}
}
