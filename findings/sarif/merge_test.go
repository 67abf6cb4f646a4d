package sarif_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/findings/sarif"
)

// wholeReport is an unsharded run: findings and failures of several
// packages.
func wholeReport() *findings.Report {
	r := findingsReport()
	r.Findings = append(r.Findings, securityReport().Findings...)
	r.Findings = append(r.Findings, mixedReport().Findings...)
	// Ties on file and line that the column breaks.
	for _, col := range []int{20, 5} {
		r.Findings = append(r.Findings, findings.Finding{
			RuleID: "SL1002", Level: findings.LevelWarning, Message: "ch is never closed",
			Location: findings.Location{File: "app.go", Line: 3, Column: col},
		})
	}
	r.Failures = failuresReport().Failures
	r.Sort()
	return r
}

var shardOpts = sarif.Options{
	SrcRoot:    "/home/ci/work/app",
	Category:   "secondlook/pr/",
	Repository: "https://github.com/acme/app",
	Revision:   "4e1c2b7d9a0f3e6b8c5d2a1f0e9b8c7d6a5f4e3b",
	Branch:     "main",
}

// writeFile writes r as SARIF to a file in dir and returns its path.
func writeFile(t *testing.T, dir, name string, r *findings.Report, opts sarif.Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := sarif.Write(&buf, r, opts); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFiles(t *testing.T, paths ...string) []*sarif.Log {
	t.Helper()
	var logs []*sarif.Log
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		log, err := sarif.Read(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		logs = append(logs, log)
	}
	return logs
}

func mergeBytes(t *testing.T, logs ...*sarif.Log) []byte {
	t.Helper()
	merged, err := sarif.Merge(logs)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := sarif.WriteLog(&buf, merged); err != nil {
		t.Fatal(err)
	}
	validate(t, buf.Bytes())
	return buf.Bytes()
}

// shards splits r's findings between n reports in turn, and its failures
// between all but the last, so that the last succeeds.
func shards(r *findings.Report, n int) []*findings.Report {
	out := make([]*findings.Report, n)
	for i := range out {
		s := *r
		s.Findings, s.Failures = nil, nil
		out[i] = &s
	}
	for i, f := range r.Findings {
		out[i%n].Findings = append(out[i%n].Findings, f)
	}
	for i, f := range r.Failures {
		j := i % max(n-1, 1)
		out[j].Failures = append(out[j].Failures, f)
	}
	return out
}

func TestMergeShardsEqualsWhole(t *testing.T) {
	whole := wholeReport()
	var want bytes.Buffer
	if err := sarif.Write(&want, whole, shardOpts); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 3} {
		dir := t.TempDir()
		var paths []string
		for i, s := range shards(whole, n) {
			paths = append(paths, writeFile(t, dir, "shard"+string(rune('a'+i))+".sarif", s, shardOpts))
		}
		got := mergeBytes(t, readFiles(t, paths...)...)
		if diff := cmp.Diff(want.String(), string(got)); diff != "" {
			t.Errorf("%d shards merged differ from the whole run (-whole +merged):\n%s", n, diff)
		}
	}
	// A shard that failed makes the merged run unsuccessful; shards
	// without failures do not.
	ok := shards(&findings.Report{Tool: tool, Findings: whole.Findings}, 2)
	dir := t.TempDir()
	merged, err := sarif.Merge(readFiles(t, writeFile(t, dir, "a", ok[0], shardOpts), writeFile(t, dir, "b", ok[1], shardOpts)))
	if err != nil {
		t.Fatal(err)
	}
	if !merged.Runs[0].Invocations[0].ExecutionSuccessful {
		t.Errorf("merging successful shards gave an unsuccessful run")
	}
}

func TestMergeDedup(t *testing.T) {
	base := findings.Finding{RuleID: "SL4003", Level: findings.LevelWarning, Message: "clamp returns lo", Source: "model:m"}
	at := func(f findings.Finding, line int, fp string) findings.Finding {
		f.Location = findings.Location{File: "clamp.go", Line: line}
		f.Fingerprint = fp
		return f
	}
	other := base
	other.Message = "clamp returns hi"
	failure := findings.Failure{Stage: "load", Package: "example.com/app/broken", Message: "undefined: fmt"}
	a := &findings.Report{Tool: tool, Rules: shortRules,
		Findings: []findings.Finding{at(base, 14, "fp1"), at(base, 30, ""), at(other, 40, "")},
		Failures: []findings.Failure{failure}}
	b := &findings.Report{Tool: tool, Rules: shortRules,
		// The same bug seen at another line (same fingerprint), the same
		// finding without a fingerprint, and one that differs by message.
		Findings: []findings.Finding{at(base, 16, "fp1"), at(base, 30, ""), at(base, 40, "")},
		Failures: []findings.Failure{failure}}
	dir := t.TempDir()
	logs := readFiles(t, writeFile(t, dir, "a.sarif", a, sarif.Options{}), writeFile(t, dir, "b.sarif", b, sarif.Options{}))
	merged, err := sarif.Merge(logs)
	if err != nil {
		t.Fatal(err)
	}
	run := merged.Runs[0]
	if got, want := lines(run), []int{14, 30, 40, 40}; !cmp.Equal(got, want) {
		t.Errorf("merged results at lines %v, want %v", got, want)
	}
	if n := run.Invocations[0].ToolExecutionNotifications; len(n) != 1 || run.Invocations[0].ExecutionSuccessful {
		t.Errorf("invocation %+v: want one notification for the failure both shards had, unsuccessful", run.Invocations[0])
	}
	checkRuleIndex(t, run)

	// The order of the inputs does not matter.
	if diff := cmp.Diff(string(mergeBytes(t, logs[0], logs[1])), string(mergeBytes(t, logs[1], logs[0]))); diff != "" {
		t.Errorf("Merge(a, b) and Merge(b, a) differ:\n%s", diff)
	}
}

func TestMergeGolden(t *testing.T) {
	dir := t.TempDir()
	pr := shards(mixedReport(), 2)
	full := &findings.Report{Tool: tool, Rules: shortRules, Findings: mixedReport().Findings[:2],
		Failures: []findings.Failure{{Stage: "review", File: "app.go", Line: 3, Message: "model did not answer"}}}
	withPrefix := shardOpts
	withPrefix.SrcRoot = "/home/runner/work/app/app" // another shard checked out elsewhere
	paths := []string{
		writeFile(t, dir, "pr-a.sarif", pr[0], shardOpts),
		writeFile(t, dir, "pr-b.sarif", pr[1], withPrefix),
		writeFile(t, dir, "full.sarif", full, sarif.Options{SrcRoot: "/home/ci/work/app", Category: "secondlook/full/"}),
	}
	codeql := filepath.Join(dir, "codeql.sarif")
	if err := os.WriteFile(codeql, []byte(`{"version": "2.1.0", "runs": [`+otherTool+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	logs := readFiles(t, append([]string{codeql}, paths...)...)
	got := mergeBytes(t, logs...)
	golden(t, "merged.sarif.golden", got)

	merged, err := sarif.Read(bytes.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, run := range merged.Runs {
		names = append(names, run.Tool.Driver.Name+" "+run.AutomationDetails.ID)
	}
	// One run per category, in order, then the other tool's run, whose
	// category is its own business.
	if want := []string{"secondlook secondlook/full/", "secondlook secondlook/pr/", "CodeQL secondlook/pr/"}; !cmp.Equal(names, want) {
		t.Errorf("runs %q, want %q", names, want)
	}
	if bases := merged.Runs[1].OriginalURIBaseIDs; bases != nil {
		t.Errorf("shards disagree on %%SRCROOT%%, yet the merged run has %v", bases)
	}
	if bases := merged.Runs[0].OriginalURIBaseIDs; bases == nil {
		t.Errorf("a single run lost its originalUriBaseIds")
	}
}

func TestMergeErrors(t *testing.T) {
	if _, err := sarif.Merge(nil); err == nil {
		t.Errorf("Merge(nil) did not fail")
	}
	good := sarif.Convert(mixedReport(), sarif.Options{})
	newer := mixedReport()
	newer.Tool.Version = "v0.4.0"
	for _, tc := range []struct {
		logs  []*sarif.Log
		index int
		want  string
	}{
		{[]*sarif.Log{good, nil}, 1, "no log"},
		{[]*sarif.Log{good, {Version: "2.0.0", Runs: good.Runs}}, 1, "not supported"},
		{[]*sarif.Log{{Version: "2.1.0"}}, 0, "no runs"},
		{[]*sarif.Log{good, good, sarif.Convert(newer, sarif.Options{})}, 2, "written by secondlook v0.4.0, log 0 by v0.3.0"},
	} {
		_, err := sarif.Merge(tc.logs)
		var ie *sarif.InputError
		if !errors.As(err, &ie) || ie.Index != tc.index || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Merge: %v, want an InputError for log %d containing %q", err, tc.index, tc.want)
		}
	}
	// Another category may hold another version.
	other := sarif.Convert(newer, sarif.Options{Category: "secondlook/full/"})
	if _, err := sarif.Merge([]*sarif.Log{good, other}); err != nil {
		t.Errorf("versions in different categories: %v", err)
	}
}
