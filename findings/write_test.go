package findings_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/goldenfile"
)

// golden compares got with its golden file (internal/goldenfile).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

func emptyReport() *findings.Report {
	return &findings.Report{
		Tool:  findings.Tool{Name: "secondlook", Version: "v0.3.0"},
		Stats: findings.Stats{Mode: "full", Packages: 4, Files: 12, ModelConfigured: true, Regions: 9, Reviewed: 9, Tokens: 5120},
	}
}

// sampleReport has a model finding with related locations and a column
// span, static findings with and without columns, a security finding, a
// rule unknown to the catalogue and failures with and without files.
func sampleReport() *findings.Report {
	return &findings.Report{
		Tool:     findings.Tool{Name: "secondlook", Version: "v0.3.0", InformationURI: "https://example.com/secondlook"},
		Category: "secondlook/pr",
		Findings: []findings.Finding{
			{
				RuleID:  "SL1002",
				Level:   findings.LevelWarning,
				Message: "the goroutine's send on ch blocks forever once ctx is done",
				Location: findings.Location{
					File: "internal/fetch/fetch.go", Line: 42, Column: 14, EndColumn: 28,
					Snippet: "\tgo func() { ch <- get(url) }()",
				},
				Function: "fetch",
				Related: []findings.Location{
					{File: "internal/fetch/fetch.go", Line: 41, Column: 2, Message: "ch is unbuffered"},
					{File: "internal/fetch/fetch.go", Line: 47, Column: 3, Message: "returns here without receiving from ch"},
				},
				Fingerprint: "9f86d081884c7d65",
				Confidence:  0.82,
				Votes:       3,
				Source:      "model:qwen2.5-coder",
			},
			{
				RuleID:   "SL1102",
				Level:    findings.LevelError,
				Message:  "Inc passes lock by value: Counter contains sync.Mutex",
				Location: findings.Location{File: "internal/stats/counter.go", Line: 9, Column: 9, EndColumn: 16, Snippet: "func (c Counter) Inc() {"},
				Source:   "static:copylocks",
			},
			{
				RuleID:   "SL4003",
				Level:    findings.LevelNote,
				Message:  "clamp returns lo when v > hi\nthe second branch should return hi",
				Location: findings.Location{File: "internal/stats/clamp.go", Line: 14, EndLine: 16, Snippet: "\tif v > hi {"},
				Source:   "model:qwen2.5-coder",
			},
			{
				RuleID:   "SL5002",
				Level:    findings.LevelError,
				Message:  "the file name from the query string reaches filepath.Join unchecked, so ../ escapes /srv/files",
				Location: findings.Location{File: "cmd/serve/main.go", Line: 31, Column: 24, EndColumn: 49, Snippet: "\t\thttp.ServeFile(w, r, filepath.Join(root, name))"},
				Related: []findings.Location{
					{File: "cmd/serve/main.go", Line: 29, Message: "name comes from r.URL.Query()"},
				},
				Fingerprint: "2c26b46b68ffc68f",
				Confidence:  0.9,
				Votes:       1,
				Source:      "model:qwen2.5-coder",
			},
			{
				RuleID:   "SL9001",
				Level:    findings.LevelWarning,
				Message:  "a rule this catalogue does not know, as an old baseline may hold",
				Location: findings.Location{File: "README.md", Line: 3},
				Source:   "model:old",
			},
		},
		Failures: []findings.Failure{
			{Stage: "load", Package: "example.com/app/cmd/broken", Message: "cmd/broken/main.go:3:8: undefined: fmt"},
			{Stage: "review", Package: "example.com/app/internal/store", File: "internal/store/store.go", Line: 88, Message: "model did not answer after 3 attempts: context deadline exceeded"},
		},
		Stats: findings.Stats{
			Mode: "diff", Packages: 3, Files: 7, Regions: 12, Reviewed: 11, RegionsLeftOut: 2, Tokens: 4321,
			ChangedFiles: 9, FilteredFindings: 5, ModelConfigured: true,
			IgnoredChanges: []string{"go.mod", "go.sum", "README.md", "docs/a.md", "docs/b.md", "docs/c.md", "Makefile"},
		},
	}
}

func TestWriteTextGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    *findings.Report
		opts findings.TextOptions
	}{
		{"empty", emptyReport(), findings.TextOptions{}},
		{"sample", sampleReport(), findings.TextOptions{}},
		{"sample-color", sampleReport(), findings.TextOptions{Color: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := findings.WriteText(&buf, tc.r, tc.opts); err != nil {
				t.Fatal(err)
			}
			golden(t, "text-"+tc.name+".golden", buf.Bytes())
			if !tc.opts.Color && strings.Contains(buf.String(), "\x1b[") {
				t.Error("colour escapes without TextOptions.Color")
			}
		})
	}
}

func TestWriteTextLayout(t *testing.T) {
	var buf bytes.Buffer
	if err := findings.WriteText(&buf, sampleReport(), findings.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	for _, want := range []string{
		"internal/fetch/fetch.go:42:14: warning: SL1002 [goroutine-leak] the goroutine's send",
		"\n    go func() { ch <- get(url) }()\n                ^^^^^^^^^^^^^^\n",
		"\n    internal/fetch/fetch.go:47:3: returns here without receiving from ch\n",
		"internal/stats/counter.go:9:9: error: SL1102 [lock-copied] Inc passes lock by value",
		"\n    func (c Counter) Inc() {\n            ^^^^^^^\n",
		"README.md:3: warning: SL9001 a rule",
		"\nfailure: review: example.com/app/internal/store: internal/store/store.go:88: model did not answer",
		"\nfailure: load: example.com/app/cmd/broken: cmd/broken/main.go:3:8: undefined: fmt\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("text output lacks %q:\n%s", want, got)
		}
	}
}

func TestCaret(t *testing.T) {
	for _, tc := range []struct {
		name string
		loc  findings.Location
		want string // the two lines under the header, or one if no caret
	}{
		{"single column", findings.Location{Line: 1, Column: 3, Snippet: "\tx := y"}, "    x := y\n     ^\n"},
		{"span", findings.Location{Line: 1, Column: 2, EndColumn: 3, Snippet: "\tx := y"}, "    x := y\n    ^\n"},
		{"multi-line span marks the start", findings.Location{Line: 1, Column: 2, EndLine: 4, EndColumn: 9, Snippet: "\tfor {"}, "    for {\n    ^\n"},
		{"tab inside the line", findings.Location{Line: 1, Column: 4, Snippet: "\ta\t= b"}, "    a\t= b\n     \t^\n"},
		{"multibyte", findings.Location{Line: 1, Column: 10, EndColumn: 12, Snippet: `s := "é" + t`}, "    s := \"é\" + t\n            ^^\n"},
		{"column past the end", findings.Location{Line: 1, Column: 40, Snippet: "\tx := y"}, "    x := y\n"},
		{"column inside the indentation", findings.Location{Line: 1, Column: 1, Snippet: "\t\tx := y"}, "    x := y\n"},
		{"no column", findings.Location{Line: 1, Snippet: "\tx := y"}, "    x := y\n"},
		{"no snippet", findings.Location{Line: 1, Column: 3}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.loc.File = "a.go"
			r := &findings.Report{Findings: []findings.Finding{{RuleID: "SL4003", Level: findings.LevelNote, Message: "m", Location: tc.loc}}}
			var buf bytes.Buffer
			if err := findings.WriteText(&buf, r, findings.TextOptions{}); err != nil {
				t.Fatal(err)
			}
			_, body, _ := strings.Cut(buf.String(), "\n")
			if diff := cmp.Diff(tc.want, body); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteJSONGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    *findings.Report
	}{
		{"empty", emptyReport()},
		{"sample", sampleReport()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := findings.WriteJSON(&buf, tc.r); err != nil {
				t.Fatal(err)
			}
			golden(t, "json-"+tc.name+".golden", buf.Bytes())

			var got struct {
				Findings []json.RawMessage `json:"findings"`
				Failures []json.RawMessage `json:"failures"`
				Rules    []struct {
					ID, Name, Kind, Title, Level string
				} `json:"rules"`
			}
			if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Findings == nil || got.Failures == nil || got.Rules == nil {
				t.Errorf("findings, failures and rules must be [] when empty, never null:\n%s", buf.String())
			}
			if len(got.Rules) != len(tc.r.UsedRules()) {
				t.Errorf("%d rules, want %d", len(got.Rules), len(tc.r.UsedRules()))
			}
		})
	}
}

func TestWriteJSONRules(t *testing.T) {
	var buf bytes.Buffer
	if err := findings.WriteJSON(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Rules []map[string]string `json:"rules"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := []map[string]string{
		{"id": "SL1002", "name": "goroutine-leak", "kind": "goroutine-leak", "title": "Goroutine can block forever and leak", "level": "warning"},
		{"id": "SL1102", "name": "lock-copied", "kind": "data-race", "title": "Value containing a lock is copied", "level": "error"},
		{"id": "SL4003", "name": "logic-error", "kind": "logic-error", "title": "Code does not do what it evidently intends", "level": "warning"},
		{"id": "SL5002", "name": "path-traversal", "kind": "path-traversal", "title": "Untrusted path can escape its directory", "level": "error"},
		{"id": "SL9001", "name": "", "kind": "", "title": "", "level": "none"},
	}
	if diff := cmp.Diff(want, got.Rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
}

func TestUsedRulesPrefersReportRules(t *testing.T) {
	r := sampleReport()
	custom, _ := findings.RuleByID("SL1002")
	custom.Title = "Overridden by the report"
	r.Rules = []findings.Rule{custom}
	for _, rule := range r.UsedRules() {
		if rule.ID == "SL1002" && rule.Title != custom.Title {
			t.Errorf("UsedRules took SL1002 from the catalogue, not from Report.Rules")
		}
	}
}

func TestSummaryGolden(t *testing.T) {
	noModel := emptyReport()
	noModel.Stats = findings.Stats{Mode: "full", Packages: 1}
	one := emptyReport()
	one.Findings = []findings.Finding{{RuleID: "SL1102", Level: findings.LevelError, Location: findings.Location{File: "a.go", Line: 1}}}
	one.Failures = []findings.Failure{{Stage: "review", Message: "x"}}
	one.Stats = findings.Stats{Mode: "diff", Packages: 1, Regions: 1, Reviewed: 1, Tokens: 1, ModelConfigured: true, IgnoredChanges: []string{"go.mod"}}
	var buf bytes.Buffer
	for _, tc := range []struct {
		name string
		r    *findings.Report
	}{
		{"empty", emptyReport()},
		{"sample", sampleReport()},
		{"no model", noModel},
		{"singular", one},
	} {
		s := findings.Summary(tc.r)
		if strings.Contains(s, "\n") {
			t.Errorf("%s: summary is not one paragraph: %q", tc.name, s)
		}
		buf.WriteString("-- " + tc.name + " --\n" + s + "\n")
	}
	golden(t, "summary.golden", buf.Bytes())
}

// TestWritersArePure checks that writing twice gives the same bytes and
// that writing leaves the Report as it was.
func TestWritersArePure(t *testing.T) {
	r := sampleReport()
	before := sampleReport()
	write := func() string {
		var buf bytes.Buffer
		if err := findings.WriteText(&buf, r, findings.TextOptions{Color: true}); err != nil {
			t.Fatal(err)
		}
		if err := findings.WriteJSON(&buf, r); err != nil {
			t.Fatal(err)
		}
		buf.WriteString(findings.Summary(r))
		return buf.String()
	}
	first := write()
	for range 5 {
		if got := write(); got != first {
			t.Fatalf("output changed between writes:\n%s", cmp.Diff(first, got))
		}
	}
	if diff := cmp.Diff(before, r); diff != "" {
		t.Errorf("writing modified the report (-before +after):\n%s", diff)
	}
}

// TestWriteTextVerbose: with Verbose, a finding's explanation follows it;
// without, it does not.
func TestWriteTextVerbose(t *testing.T) {
	r := &findings.Report{Findings: []findings.Finding{{
		RuleID: "SL1002", Level: findings.LevelWarning, Message: "leaks", Explanation: "the send blocks once ctx is done",
		Location: findings.Location{File: "a.go", Line: 3}, Source: "model:m", Confidence: 0.5,
	}}}
	for _, verbose := range []bool{false, true} {
		var b strings.Builder
		if err := findings.WriteText(&b, r, findings.TextOptions{Verbose: verbose}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(b.String(), "the send blocks"); got != verbose {
			t.Errorf("verbose %v: explanation shown %v:\n%s", verbose, got, b.String())
		}
		if !strings.Contains(b.String(), "(model m, confidence 0.50)") {
			t.Errorf("no source and confidence:\n%s", b.String())
		}
	}
}

func TestModelSummaryGolden(t *testing.T) {
	var buf bytes.Buffer
	for _, tc := range []struct {
		name string
		s    findings.Stats
	}{
		{"none", findings.Stats{Model: "m"}},
		{"rich", findings.Stats{Model: "gpt-4.1-mini", Requests: 12, CacheHits: 3, PromptTokens: 123456, CompletionTokens: 7890,
			CostUSD: findings.Prices{In: 0.4, Out: 1.6}.Cost(123456, 7890), Claims: 9,
			Dropped: map[string]int{"quote-not-found": 2, "outside-region": 1}, Refuted: 1, Redactions: 2}},
	} {
		buf.WriteString("-- " + tc.name + " --\n" + findings.ModelSummary(tc.s) + "\n")
	}
	golden(t, "model-summary.golden", buf.Bytes())
}

// TestFailureText holds the one text of a failure, which every writer
// words a failure with.
func TestFailureTextGolden(t *testing.T) {
	var buf bytes.Buffer
	for _, f := range []findings.Failure{
		{},
		{Stage: "load", Package: "example.com/m/bad", File: "bad/bad.go", Line: 5, Message: "expected operand"},
		{Stage: "review", Package: "example.com/m", File: "a.go", Line: 3, Message: "F: not reviewed: interrupted\n"},
		{Stage: "analyze", Package: "example.com/m", Message: "panic"},
		{Stage: "tests", File: "a_test.go", Message: "timed out"},
		{Message: "no stage"},
	} {
		fmt.Fprintf(&buf, "%+v\n  Text:   %s\n  Detail: %s\n", f, f.Text(), f.Detail())
	}
	golden(t, "failure-text.golden", buf.Bytes())
}

// TestExplainGolden holds the one text of a rule's help, which the CLI's
// explain prints and MCP's explain returns.
func TestExplainGolden(t *testing.T) {
	r := findings.Rule{ID: "SL0000", Name: "made-up", Kind: "deadlock", Title: "A rule for the test", Family: findings.FamilyConcurrency,
		Level: findings.LevelWarning, Precision: findings.PrecisionMedium, Analyzer: "madeup", SecuritySeverity: "5.0",
		Markdown: "What it finds.\n\nBad:\n\n```go\nmu.Lock()\n```"}
	golden(t, "explain.golden", []byte(findings.Explain(r)))
	for _, key := range []string{"SL1002", "sl1002", "goroutine-leak", "nilness"} {
		if _, ok := findings.LookupRule(key); !ok {
			t.Errorf("LookupRule(%q) found nothing", key)
		}
	}
	if r, ok := findings.LookupRule("SL9999"); ok {
		t.Errorf("LookupRule(SL9999) = %s", r.ID)
	}
}
