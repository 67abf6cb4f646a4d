package sarif_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/findings/sarif"
	"github.com/secondlook/secondlook/internal/goldenfile"
	"github.com/secondlook/secondlook/internal/sarifschema"
)

func validate(t *testing.T, data []byte) {
	t.Helper()
	if err := sarifschema.Validate(data); err != nil {
		t.Errorf("output is not valid SARIF 2.1.0: %v", err)
	}
}

// golden compares got with its golden file (internal/goldenfile).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

var tool = findings.Tool{Name: "secondlook", Version: "v0.3.0", InformationURI: "https://example.com/secondlook"}

func emptyReport() *findings.Report {
	return &findings.Report{Tool: tool, Stats: findings.Stats{Mode: "full", ModelConfigured: true}}
}

func findingsReport() *findings.Report {
	return &findings.Report{
		Tool:     tool,
		Category: "ignored-because-options-win",
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
					{File: "internal/fetch/fetch.go", Line: 41, Column: 2, EndColumn: 25, Message: "ch is unbuffered"},
					{File: "internal/fetch/fetch.go", Line: 47, Message: "returns here without receiving from ch"},
				},
				Fingerprint: "9f86d081884c7d65",
				LineHash:    "5b3c1ee2a1e6c49d:1",
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
				RuleID:   "SL2002",
				Level:    findings.LevelError,
				Message:  "parts[1] panics when the header has no [scheme] separator",
				Location: findings.Location{File: "auth/header.go", Line: 20, EndLine: 22, Snippet: "\tscheme, token := parts[0], parts[1]"},
				Related:  []findings.Location{{File: "auth/header.go", Line: 18, Message: "parts may have one element"}},
				Source:   "model:qwen2.5-coder",
			},
			{
				RuleID:   "SL4003",
				Level:    findings.LevelNote,
				Message:  "clamp returns lo when v > hi.",
				Location: findings.Location{File: "internal/stats/clamp.go", Line: 14, Snippet: "\t\treturn lo"},
				Source:   "model:qwen2.5-coder",
			},
		},
		Stats: findings.Stats{Mode: "diff", ModelConfigured: true},
	}
}

func failuresReport() *findings.Report {
	return &findings.Report{
		Tool: findings.Tool{Name: "secondlook", Version: "(devel)"},
		Failures: []findings.Failure{
			{Stage: "load", Package: "example.com/app/cmd/broken", Message: "cmd/broken/main.go:3:8: undefined: fmt"},
			{Stage: "review", Package: "example.com/app/internal/store", File: "internal/store/store.go", Line: 88, Message: "model did not answer after 3 attempts: context deadline exceeded"},
			{Stage: "review", File: "internal/store/cache.go", Message: "panic in worker: runtime error: index out of range [3] with length 3"},
		},
		Stats: findings.Stats{Mode: "full", ModelConfigured: true},
	}
}

func securityReport() *findings.Report {
	return &findings.Report{
		Tool:     tool,
		Category: "secondlook/full",
		Findings: []findings.Finding{
			{
				RuleID:      "SL5001",
				Level:       findings.LevelError,
				Message:     "the name query parameter is concatenated into the SQL statement",
				Location:    findings.Location{File: "store/users.go", Line: 31, Column: 7, EndColumn: 72, Snippet: `	q := "SELECT id FROM users WHERE name = '" + r.FormValue("name") + "'"`},
				Related:     []findings.Location{{File: "store/users.go", Line: 32, Column: 15, Message: "q reaches db.QueryContext"}},
				Fingerprint: "2c26b46b68ffc68f",
				Confidence:  0.9,
				Votes:       2,
				Source:      "model:qwen2.5-coder",
			},
		},
		Stats: findings.Stats{Mode: "full", ModelConfigured: true},
	}
}

// provenanceReport is a scan in a git checkout whose finding has both
// fingerprints.
func provenanceReport() *findings.Report {
	return &findings.Report{
		Tool:     tool,
		Category: "secondlook/full/",
		Findings: []findings.Finding{{
			RuleID:      "SL4003",
			Level:       findings.LevelWarning,
			Message:     "clamp returns lo when v > hi",
			Location:    findings.Location{File: "clamp.go", Line: 14},
			Fingerprint: "0d1b9a3f6c2e4b85",
			LineHash:    "8a4e0f2c7b1d3e96:2",
			Source:      "model:qwen2.5-coder",
			// A human-review file keeps the findings a baseline knew.
			BaselineState: findings.BaselineUnchanged,
		}},
	}
}

var cases = []struct {
	name   string
	report func() *findings.Report
	opts   sarif.Options
}{
	{"empty", emptyReport, sarif.Options{}},
	{"findings", findingsReport, sarif.Options{SrcRoot: "/home/ci/work/app", Category: "secondlook/pr"}},
	{"failures", failuresReport, sarif.Options{Category: "secondlook-full"}},
	{"security", securityReport, sarif.Options{SrcRoot: "/home/ci/work/repo/services/api", PathPrefix: "services/api"}},
	{"provenance", provenanceReport, sarif.Options{
		SrcRoot:    "/home/ci/work/app",
		Repository: "https://x-access-token:ghs_secret@github.com/acme/app.git",
		Revision:   "4e1c2b7d9a0f3e6b8c5d2a1f0e9b8c7d6a5f4e3b",
		Branch:     "main",
	}},
}

func TestWriteGolden(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := sarif.Write(&buf, tc.report(), tc.opts); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".sarif.golden", buf.Bytes())
			validate(t, buf.Bytes())
		})
	}
}

// TestGoldensAreValid validates the files on disk as well, so that a
// golden edited by hand cannot drift from the schema.
func TestGoldensAreValid(t *testing.T) {
	files, err := filepath.Glob("testdata/*.sarif.golden")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < len(cases) {
		t.Fatalf("found %d goldens, want at least %d", len(files), len(cases))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(f), func(t *testing.T) { validate(t, data) })
	}
}

// TestSchemaRejects makes sure the validation can fail: a log that breaks
// the schema must not pass.
func TestSchemaRejects(t *testing.T) {
	for _, bad := range []string{
		`{"version": "2.1.0"}`,
		`{"version": "2.0.0", "runs": []}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "locations": [{"physicalLocation": {"region": {"startLine": 0}}}]}]}]}`,
	} {
		if sarifschema.Validate([]byte(bad)) == nil {
			t.Errorf("schema accepted %s", bad)
		}
	}
}

func TestWriteIsDeterministic(t *testing.T) {
	for _, tc := range cases {
		r := tc.report()
		var first bytes.Buffer
		if err := sarif.Write(&first, r, tc.opts); err != nil {
			t.Fatal(err)
		}
		for range 10 {
			var again bytes.Buffer
			if err := sarif.Write(&again, r, tc.opts); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first.Bytes(), again.Bytes()) {
				t.Fatalf("%s: output differs between writes:\n%s", tc.name, cmp.Diff(first.String(), again.String()))
			}
		}
		if diff := cmp.Diff(tc.report(), r); diff != "" {
			t.Errorf("%s: Write modified the report (-before +after):\n%s", tc.name, diff)
		}
	}
}

// decode writes r and reads it back into the package's own types.
func decode(t *testing.T, r *findings.Report, opts sarif.Options) sarif.Log {
	t.Helper()
	var buf bytes.Buffer
	if err := sarif.Write(&buf, r, opts); err != nil {
		t.Fatal(err)
	}
	var log sarif.Log
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	return log
}

func TestEmptyArraysNotNull(t *testing.T) {
	var buf bytes.Buffer
	if err := sarif.Write(&buf, &findings.Report{}, sarif.Options{}); err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Name  string          `json:"name"`
					Rules json.RawMessage `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results     json.RawMessage `json:"results"`
			Invocations []struct {
				ExecutionSuccessful *bool `json:"executionSuccessful"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(raw.Runs))
	}
	run := raw.Runs[0]
	if string(run.Results) != "[]" || string(run.Tool.Driver.Rules) != "[]" {
		t.Errorf("results = %s, rules = %s; want [] and []", run.Results, run.Tool.Driver.Rules)
	}
	if run.Tool.Driver.Name != "secondlook" {
		t.Errorf("driver name %q, want secondlook when the report names no tool", run.Tool.Driver.Name)
	}
	if len(run.Invocations) != 1 || run.Invocations[0].ExecutionSuccessful == nil || !*run.Invocations[0].ExecutionSuccessful {
		t.Errorf("want one successful invocation, got %s", buf.String())
	}
}

func TestRulesAreThoseUsed(t *testing.T) {
	r := findingsReport()
	log := decode(t, r, sarif.Options{})
	run := log.Runs[0]
	var ids []string
	for _, d := range run.Tool.Driver.Rules {
		ids = append(ids, d.ID)
	}
	if want := []string{"SL1002", "SL1102", "SL2002", "SL4003"}; !slices.Equal(ids, want) {
		t.Errorf("rules %q, want %q", ids, want)
	}
	for _, res := range run.Results {
		if d := run.Tool.Driver.Rules[res.RuleIndex]; d.ID != res.RuleID {
			t.Errorf("result for %s has ruleIndex %d, which is %s", res.RuleID, res.RuleIndex, d.ID)
		}
	}
	d := run.Tool.Driver.Rules[1]
	rule, _ := findings.RuleByID("SL1102")
	firstSentence, _, _ := strings.Cut(rule.Help, ". ")
	firstSentence += "."
	want := sarif.ReportingDescriptor{
		ID:                   "SL1102",
		Name:                 "LockCopied",
		ShortDescription:     &sarif.MultiformatMessageString{Text: rule.Title},
		FullDescription:      &sarif.MultiformatMessageString{Text: firstSentence},
		Help:                 &sarif.MultiformatMessageString{Text: rule.Help, Markdown: rule.Markdown},
		HelpURI:              "https://pkg.go.dev/golang.org/x/tools/go/analysis/passes/copylock",
		DefaultConfiguration: &sarif.ReportingConfiguration{Level: "error"},
		Properties:           &sarif.RuleProperties{Tags: rule.Tags, Precision: "high"},
	}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("SL1102 descriptor (-want +got):\n%s", diff)
	}
	if run.Tool.Driver.Rules[0].HelpURI != "" {
		t.Errorf("model kind rule has helpUri %q; omit it unless a real page exists", run.Tool.Driver.Rules[0].HelpURI)
	}
}

func TestReportRulesWin(t *testing.T) {
	r := findingsReport()
	custom, _ := findings.RuleByID("SL4003")
	custom.Title = "Custom title from the report"
	r.Rules = []findings.Rule{custom}
	log := decode(t, r, sarif.Options{})
	for _, d := range log.Runs[0].Tool.Driver.Rules {
		if d.ID == "SL4003" && d.ShortDescription.Text != custom.Title {
			t.Errorf("SL4003 title %q, want the report's %q", d.ShortDescription.Text, custom.Title)
		}
	}
}

func TestRelatedLocationsAreLinked(t *testing.T) {
	log := decode(t, findingsReport(), sarif.Options{})
	for _, res := range log.Runs[0].Results {
		for _, rel := range res.RelatedLocations {
			link := fmt.Sprintf("](%d)", rel.ID)
			if rel.ID < 1 || !strings.Contains(res.Message.Text, link) {
				t.Errorf("%s: related location %d is not linked from the message %q", res.RuleID, rel.ID, res.Message.Text)
			}
		}
	}
	got := log.Runs[0].Results[0].Message.Text
	want := "the goroutine's send on ch blocks forever once ctx is done. Evidence: [fetch.go:41](1), [fetch.go:47](2)."
	if got != want {
		t.Errorf("message\n got %q\nwant %q", got, want)
	}
	if got := log.Runs[0].Results[2].Message.Text; !strings.HasPrefix(got, `parts\[1\] panics when the header has no \[scheme\] separator. Evidence: [header.go:18](1).`) {
		t.Errorf("brackets in a message with links are not escaped: %q", got)
	}
	if got := log.Runs[0].Results[3].Message.Text; got != "clamp returns lo when v > hi." {
		t.Errorf("a message without related locations changed: %q", got)
	}
}

func TestLocations(t *testing.T) {
	log := decode(t, securityReport(), sarif.Options{SrcRoot: `/home/ci/work/repo/services/api`, PathPrefix: "/services/api/"})
	run := log.Runs[0]
	if got := run.OriginalURIBaseIDs[sarif.SrcRootID].URI; got != "file:///home/ci/work/repo/services/api/" {
		t.Errorf("%%SRCROOT%% = %q", got)
	}
	pl := run.Results[0].Locations[0].PhysicalLocation
	want := &sarif.PhysicalLocation{
		ArtifactLocation: sarif.ArtifactLocation{URI: "services/api/store/users.go", URIBaseID: "%SRCROOT%"},
		Region:           &sarif.Region{StartLine: 31, StartColumn: 7, EndColumn: 72},
		ContextRegion:    &sarif.Region{StartLine: 31, Snippet: &sarif.ArtifactContent{Text: `	q := "SELECT id FROM users WHERE name = '" + r.FormValue("name") + "'"`}},
	}
	if diff := cmp.Diff(want, pl); diff != "" {
		t.Errorf("physical location (-want +got):\n%s", diff)
	}
	if fp := run.Results[0].PartialFingerprints; !cmp.Equal(fp, map[string]string{"secondlook/v1": "2c26b46b68ffc68f"}) {
		t.Errorf("partialFingerprints = %v", fp)
	}
	rule := run.Tool.Driver.Rules[0]
	if rule.Properties.SecuritySeverity != "8.8" || !slices.Contains(rule.Properties.Tags, "security") {
		t.Errorf("security rule properties = %+v", rule.Properties)
	}

	for _, tc := range []struct{ file, want string }{
		{"a b/c.go", "a%20b/c.go"},
		{"weird:name.go", "./weird:name.go"},
		{"pkg/file_test.go", "pkg/file_test.go"},
	} {
		r := &findings.Report{Findings: []findings.Finding{{RuleID: "SL4003", Location: findings.Location{File: tc.file, Line: 1}}}}
		got := decode(t, r, sarif.Options{}).Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI
		if got != tc.want {
			t.Errorf("uri of %q = %q, want %q", tc.file, got, tc.want)
		}
	}
}

func TestCategoryAndVersion(t *testing.T) {
	for _, tc := range []struct {
		report, option, want string
	}{
		{"", "", ""},
		{"from-report", "", "from-report"},
		{"from-report", "from-options", "from-options"},
		{"", "secondlook/pr", "secondlook/pr/"},
		{"", "/language:go/", "/language:go/"},
	} {
		r := &findings.Report{Category: tc.report}
		got := decode(t, r, sarif.Options{Category: tc.option}).Runs[0].AutomationDetails
		switch {
		case tc.want == "" && got != nil:
			t.Errorf("category %q/%q: automationDetails %+v, want none", tc.report, tc.option, got)
		case tc.want != "" && (got == nil || got.ID != tc.want):
			t.Errorf("category %q/%q: automationDetails %+v, want id %q", tc.report, tc.option, got, tc.want)
		}
	}
	for v, want := range map[string]string{"v0.3.0": "0.3.0", "1.2.3-rc.1+build.5": "1.2.3-rc.1+build.5", "(devel)": "", "v0.0.0-20260101000000-abcdef123456": "0.0.0-20260101000000-abcdef123456", "": ""} {
		r := &findings.Report{Tool: findings.Tool{Version: v}}
		if got := decode(t, r, sarif.Options{}).Runs[0].Tool.Driver.SemanticVersion; got != want {
			t.Errorf("semanticVersion of %q = %q, want %q", v, got, want)
		}
	}
}

func TestFailuresBecomeNotifications(t *testing.T) {
	log := decode(t, failuresReport(), sarif.Options{})
	inv := log.Runs[0].Invocations
	if len(inv) != 1 || inv[0].ExecutionSuccessful {
		t.Fatalf("invocations = %+v, want one unsuccessful", inv)
	}
	n := inv[0].ToolExecutionNotifications
	if len(n) != 3 {
		t.Fatalf("%d notifications, want 3", len(n))
	}
	if n[0].Level != "error" || n[0].Message.Text != "load: example.com/app/cmd/broken: cmd/broken/main.go:3:8: undefined: fmt" || n[0].Locations != nil {
		t.Errorf("notification 0 = %+v", n[0])
	}
	if len(n[1].Locations) != 1 || n[1].Locations[0].PhysicalLocation.Region.StartLine != 88 {
		t.Errorf("notification 1 has no location at line 88: %+v", n[1])
	}
	if len(n[2].Locations) != 1 || n[2].Locations[0].PhysicalLocation.Region != nil {
		t.Errorf("notification 2 should have a file without a region: %+v", n[2])
	}
	if got := log.Runs[0].Tool.Driver.SemanticVersion; got != "" {
		t.Errorf("(devel) produced semanticVersion %q", got)
	}
}

// TestEveryRuleDescribes writes one finding per catalogue rule and checks
// that the log is valid and every descriptor is complete, so a new rule
// cannot break SARIF output.
func TestEveryRuleDescribes(t *testing.T) {
	r := &findings.Report{Tool: tool}
	for i, rule := range findings.Rules() {
		r.Findings = append(r.Findings, findings.Finding{
			RuleID: rule.ID, Level: rule.Level, Message: "m",
			Location: findings.Location{File: "a.go", Line: i + 1},
		})
	}
	var buf bytes.Buffer
	if err := sarif.Write(&buf, r, sarif.Options{}); err != nil {
		t.Fatal(err)
	}
	validate(t, buf.Bytes())
	var log sarif.Log
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	for _, d := range log.Runs[0].Tool.Driver.Rules {
		if d.Name == "" || strings.Contains(d.Name, "-") || d.ShortDescription == nil || d.FullDescription == nil ||
			d.Help == nil || d.Help.Markdown == "" || d.DefaultConfiguration == nil || d.Properties == nil {
			t.Errorf("%s: incomplete descriptor %+v", d.ID, d)
			continue
		}
		if full := d.FullDescription.Text; len(full) < 30 || !strings.HasSuffix(full, ".") || strings.HasSuffix(full, "..") || full == d.Help.Text {
			t.Errorf("%s: fullDescription %q is not the help's first sentence", d.ID, full)
		}
	}
}

func TestPartialFingerprints(t *testing.T) {
	for _, tc := range []struct {
		fingerprint, lineHash string
		want                  map[string]string
	}{
		{"", "", nil},
		{"ours", "", map[string]string{"secondlook/v1": "ours"}},
		{"", "abc:1", map[string]string{"primaryLocationLineHash": "abc:1"}},
		{"ours", "abc:1", map[string]string{"secondlook/v1": "ours", "primaryLocationLineHash": "abc:1"}},
	} {
		r := &findings.Report{Findings: []findings.Finding{{
			RuleID: "SL4003", Message: "m", Location: findings.Location{File: "a.go", Line: 1},
			Fingerprint: tc.fingerprint, LineHash: tc.lineHash,
		}}}
		got := decode(t, r, sarif.Options{}).Runs[0].Results[0].PartialFingerprints
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("fingerprint %q, line hash %q: partialFingerprints (-want +got):\n%s", tc.fingerprint, tc.lineHash, diff)
		}
	}
}

func TestVersionControlProvenance(t *testing.T) {
	const rev = "4e1c2b7d9a0f3e6b8c5d2a1f0e9b8c7d6a5f4e3b"
	for _, tc := range []struct {
		repo, rev, want string // want "" means no versionControlProvenance
	}{
		{"https://github.com/acme/app", rev, "https://github.com/acme/app"},
		{"https://x-access-token:ghs_secret@github.com/acme/app.git", rev, "https://github.com/acme/app.git"},
		{"git@github.com:acme/app.git", rev, "ssh://github.com/acme/app.git"},
		{"ssh://git@example.com:2222/acme/app.git", rev, "ssh://example.com:2222/acme/app.git"},
		{"https://github.com/acme/app", "", ""},
		{"", rev, ""},
		{"/srv/git/app.git", rev, ""},
		{`C:\src\app`, rev, ""},
		{"not a remote", rev, ""},
	} {
		r := provenanceReport()
		var buf bytes.Buffer
		if err := sarif.Write(&buf, r, sarif.Options{Repository: tc.repo, Revision: tc.rev, Branch: "main"}); err != nil {
			t.Fatal(err)
		}
		validate(t, buf.Bytes())
		var log sarif.Log
		if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
			t.Fatal(err)
		}
		got := log.Runs[0].VersionControlProvenance
		if tc.want == "" {
			if got != nil {
				t.Errorf("repository %q, revision %q: got %+v, want no versionControlProvenance", tc.repo, tc.rev, got)
			}
			continue
		}
		want := []sarif.VersionControlDetails{{
			RepositoryURI: tc.want, RevisionID: rev, Branch: "main",
			MappedTo: &sarif.ArtifactLocation{URIBaseID: "%SRCROOT%"},
		}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("repository %q: versionControlProvenance (-want +got):\n%s", tc.repo, diff)
		}
		if strings.Contains(buf.String(), "ghs_secret") {
			t.Errorf("the token in the remote URL reached the log")
		}
	}
}

func TestDuplicateFailuresNotifyOnce(t *testing.T) {
	fl := findings.Failure{Stage: "load", Package: "example.com/app/x", Message: "no Go files"}
	r := &findings.Report{Failures: []findings.Failure{fl, fl}}
	var buf bytes.Buffer
	if err := sarif.Write(&buf, r, sarif.Options{}); err != nil {
		t.Fatal(err)
	}
	validate(t, buf.Bytes())
	var log sarif.Log
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if n := log.Runs[0].Invocations[0].ToolExecutionNotifications; len(n) != 1 {
		t.Errorf("%d notifications for two identical failures, want 1", len(n))
	}
}

func TestBaselineState(t *testing.T) {
	for state, want := range map[string]string{
		"": "", "new": "new", "unchanged": "unchanged", "updated": "updated", "absent": "absent", "fresh": "",
	} {
		r := provenanceReport()
		r.Findings[0].BaselineState = state
		if got := decode(t, r, sarif.Options{}).Runs[0].Results[0].BaselineState; got != want {
			t.Errorf("BaselineState %q written as %q, want %q", state, got, want)
		}
	}
}
