package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secondlook/secondlook/eval"
)

// TestEvalCommand runs `secondlook eval` on a small corpus: the JSON report
// has the documented fields, --out writes its three files, and compare
// reads two reports.
func TestEvalCommand(t *testing.T) {
	corpus := t.TempDir()
	data, err := eval.Builtin.ReadFile("corpus/lock-early-return.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(corpus, "a.txtar"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	env := map[string]string{"OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""}
	r := runCLI(t, env, "eval", "--corpus", corpus, "--format", "json", "--out", out, "-q")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"cases", "bugs", "true_positives", "false_positives", "false_negatives", "duplicates",
		"precision", "recall", "f1", "oracle_recall", "clean_cases", "clean_case_false_positives", "tokens", "cost_usd", "by_family"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("the JSON report lacks %q", k)
		}
	}
	if rep["cases"] != 1.0 || rep["bugs"] != 1.0 || rep["oracle_recall"] != 1.0 {
		t.Errorf("cases %v bugs %v oracle %v", rep["cases"], rep["bugs"], rep["oracle_recall"])
	}
	for _, name := range []string{"report.json", "report.md", "curve.svg"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("--out: %v", err)
		}
	}
	r = runCLI(t, env, "eval", "compare", filepath.Join(out, "report.json"), filepath.Join(out, "report.json"))
	if r.code != exitOK || !strings.Contains(r.stdout, "precision") {
		t.Errorf("compare: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, env, "eval", "compare", filepath.Join(out, "curve.svg"), filepath.Join(out, "report.json"))
	if r.code != exitUsage {
		t.Errorf("compare of a non-report: exit %d", r.code)
	}
	r = runCLI(t, env, "eval", "--corpus", t.TempDir())
	if r.code != exitUsage || !strings.Contains(r.stderr, "no *.txtar cases") {
		t.Errorf("empty corpus: exit %d %s", r.code, r.stderr)
	}
}
