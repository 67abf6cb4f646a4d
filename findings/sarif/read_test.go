package sarif_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/findings/sarif"
)

// TestReadRoundTrip reads every golden and writes it again: Read must hold
// all that Write emits.
func TestReadRoundTrip(t *testing.T) {
	files, err := filepath.Glob("testdata/*.sarif.golden")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			log, err := sarif.Read(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := sarif.WriteLog(&buf, log); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(data), buf.String()); diff != "" {
				t.Errorf("read and written again (-golden +got):\n%s", diff)
			}
		})
	}
}

// otherTool is a run of another tool with what our types do not hold
// (codeFlows, artifacts, a rule with a relationship) and a property bag
// that does not fit ours.
const otherTool = `{
  "tool": {"driver": {"name": "CodeQL", "semanticVersion": "2.20.0", "rules": [{"id": "go/sql-injection", "relationships": [{"target": {"id": "CWE-89"}}]}]}},
  "artifacts": [{"location": {"uri": "main.go"}}],
  "automationDetails": {"id": "secondlook/pr/"},
  "results": [{
    "ruleId": "go/sql-injection", "ruleIndex": 0,
    "message": {"text": "This query depends on a <user-provided value>."},
    "locations": [{"physicalLocation": {"artifactLocation": {"uri": "main.go", "index": 0}, "region": {"startLine": 3}}}],
    "codeFlows": [{"threadFlows": [{"locations": [{"location": {"message": {"text": "source"}}}]}]}],
    "properties": {"confidence": "high"}
  }]
}`

func TestReadOtherTool(t *testing.T) {
	log, err := sarif.Read(strings.NewReader(`{"version": "2.1.0", "runs": [` + otherTool + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if run.Raw == nil || run.Tool.Driver.Name != "CodeQL" || len(run.Results) != 1 || run.Results[0].RuleID != "go/sql-injection" {
		t.Fatalf("run read as %+v", run)
	}
	var buf bytes.Buffer
	if err := sarif.WriteLog(&buf, log); err != nil {
		t.Fatal(err)
	}
	var got struct{ Runs []any }
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	var want any
	if err := json.Unmarshal([]byte(otherTool), &want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got.Runs[0]); diff != "" {
		t.Errorf("another tool's run changed (-read +written):\n%s", diff)
	}
	if !strings.Contains(buf.String(), "<user-provided value>") {
		t.Errorf("written with HTML escapes:\n%s", buf.String())
	}
	validate(t, buf.Bytes())
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{``, "not valid JSON"},
		{`{"version": "2.1.0", "runs": [`, "not valid JSON"},
		{`{"version": "2.1.0", "runs": []} x`, "not valid JSON"},
		{`[]`, "not a SARIF log"},
		{`{"runs": []}`, `not a SARIF log: it has no "version"`},
		{`{"version": "2.0.0", "runs": [{"tool": {"driver": {"name": "x"}}}]}`, `SARIF version "2.0.0" is not supported, only 2.1.0`},
		{`{"version": "2.1.0"}`, "no runs"},
		{`{"version": "2.1.0", "runs": []}`, "no runs"},
		{`{"version": "2.1.0", "runs": [null]}`, "run 0: the run has no tool.driver.name"},
		{`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}}, {"results": []}]}`, "run 1: the run has no tool.driver.name"},
		{`{"version": "2.1.0", "runs": [{"tool": "secondlook"}]}`, "run 0: not a SARIF run"},
		{`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "secondlook"}}, "results": [{"message": {"text": "m"}, "ruleIndex": "0"}]}]}`, "run 0: not a run of secondlook"},
	} {
		_, err := sarif.Read(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Read(%s) = %v, want an error containing %q", tc.in, err, tc.want)
		}
	}
}

func TestReadByteOrderMark(t *testing.T) {
	if _, err := sarif.Read(strings.NewReader("\uFEFF" + `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}}]}`)); err != nil {
		t.Errorf("a log starting with a byte order mark: %v", err)
	}
}

func TestFingerprints(t *testing.T) {
	r := findingsReport()
	r.Findings[1].Fingerprint = "b5bb9d8014a0f9b1"
	var buf bytes.Buffer
	if err := sarif.Write(&buf, r, sarif.Options{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "old.sarif")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := sarif.Fingerprints(f)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]bool{"9f86d081884c7d65": true, "b5bb9d8014a0f9b1": true}; !cmp.Equal(got, want) {
		t.Errorf("Fingerprints = %v, want %v", got, want)
	}
	// What --baseline does with them: a later run whose findings moved down
	// reports only the one the baseline did not have, and the one without
	// a fingerprint.
	later := findingsReport().Findings
	later[1].Fingerprint = "b5bb9d8014a0f9b1"
	later[2].Fingerprint = "60303ae22b998861"
	for i := range later {
		later[i].Location.Line += 5
	}
	fresh, known := findings.Baseline(later, got)
	var freshFPs []string
	for _, f := range fresh {
		freshFPs = append(freshFPs, f.Fingerprint)
	}
	if want := []string{"60303ae22b998861", ""}; !cmp.Equal(freshFPs, want) || len(known) != 2 {
		t.Errorf("baseline kept fresh findings with fingerprints %q and %d known, want %q and 2", freshFPs, len(known), want)
	}

	// Results that were absent from that run, and other tools' results,
	// do not count.
	log := `{"version": "2.1.0", "runs": [
	  {"tool": {"driver": {"name": "secondlook"}}, "results": [
	    {"ruleId": "SL4003", "message": {"text": "m"}, "partialFingerprints": {"secondlook/v1": "kept"}, "baselineState": "unchanged"},
	    {"ruleId": "SL4003", "message": {"text": "m"}, "partialFingerprints": {"secondlook/v1": "gone"}, "baselineState": "absent"},
	    {"ruleId": "SL4003", "message": {"text": "m"}, "partialFingerprints": {"primaryLocationLineHash": "abc:1"}}]},
	  {"tool": {"driver": {"name": "other"}}, "results": [
	    {"ruleId": "X", "message": {"text": "m"}, "partialFingerprints": {"secondlook/v1": "other"}}]}]}`
	got, err = sarif.Fingerprints(strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]bool{"kept": true}; !cmp.Equal(got, want) {
		t.Errorf("Fingerprints = %v, want %v", got, want)
	}
	if _, err := sarif.Fingerprints(strings.NewReader(`{}`)); err == nil {
		t.Errorf("Fingerprints of {} did not fail")
	}
}

// FuzzRead checks that Read never panics, that what it accepts can be
// written again and read back to the same log, and that Merge copes with
// it. The seed corpus, in testdata/fuzz/FuzzRead, holds small valid and
// invalid logs; the goldens are left out, as the fuzzer's minimizing of
// inputs that large stalls it (TestReadRoundTrip reads them).
func FuzzRead(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		log, err := sarif.Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		var first bytes.Buffer
		if err := sarif.WriteLog(&first, log); err != nil {
			t.Fatalf("Read accepted a log that does not encode: %v", err)
		}
		again, err := sarif.Read(bytes.NewReader(first.Bytes()))
		if err != nil {
			t.Fatalf("Read refused what it wrote: %v\n%s", err, first.Bytes())
		}
		var second bytes.Buffer
		if err := sarif.WriteLog(&second, again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatalf("reading and writing again changed the log:\n%s", cmp.Diff(first.String(), second.String()))
		}
		merged, err := sarif.Merge([]*sarif.Log{log, again})
		if err != nil {
			return
		}
		if err := sarif.WriteLog(&bytes.Buffer{}, merged); err != nil {
			t.Fatalf("merged log does not encode: %v", err)
		}
	})
}
