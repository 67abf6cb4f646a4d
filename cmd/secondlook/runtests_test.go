package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/secondlook/secondlook/internal/llm/llmtest"
	"github.com/secondlook/secondlook/internal/sarifschema"
	"github.com/secondlook/secondlook/internal/testtree"
)

// runTestsModel claims a data race on the caller's increment of
// race.Counter.Add (which the race detector sees) and a goroutine leak at
// clean.Sum's Wait (which no run shows).
func runTestsModel(r *llmtest.Request) llmtest.Reply {
	var claims []any
	for _, m := range promptLine.FindAllStringSubmatch(r.Last("user"), -1) {
		line, _ := strconv.Atoi(m[1])
		claim := func(kind, quote string) {
			claims = append(claims, map[string]any{"kind": kind, "line": line, "end_line": line, "quote": quote,
				"message": "claimed " + kind, "explanation": "x", "confidence": 0.8})
		}
		switch strings.TrimSpace(m[2]) {
		case "c.n++":
			claim("data-race", "c.n++")
		case "wg.Wait()":
			claim("goroutine-leak", "wg.Wait()")
		}
	}
	b, _ := json.Marshal(map[string]any{"findings": claims})
	return llmtest.Reply{Content: string(b)}
}

// TestScanRunTests runs scan --run-tests end to end on real packages: a
// race and two leaks (one in a package with a TestMain) that tests show, a
// clean package and one whose test hangs past --test-timeout, with a fake
// model whose claims the run confirms or leaves alone.
func TestScanRunTests(t *testing.T) {
	if testing.Short() {
		t.Skip("builds test binaries with -race, twice")
	}
	dir := testtree.Copy(t, filepath.Join("..", "..", "internal", "runtests", "testdata", "mod"))
	// broken's tests do not compile, a load failure: internal/runtests'
	// own test covers it.
	if err := os.RemoveAll(filepath.Join(dir, "broken")); err != nil {
		t.Fatal(err)
	}
	before := testtree.Hash(t, dir)
	srv := llmtest.NewServer(t, runTestsModel)
	env := map[string]string{"OPENAI_API_KEY": "sk-test-runtests-0123456789", "OPENAI_BASE_URL": ""}
	cache := t.TempDir()
	scan := func(format string) (cliRun, []byte) {
		out := filepath.Join(t.TempDir(), "report")
		r := runCLI(t, env, "scan", "-C", dir, "--run-tests", "--test-timeout", "4s", "-j", "2",
			"--base-url", srv.URL, "--model", "m", "--cache-dir", cache, "--format", format, "--fail-on", "warning", "-o", out, "./...")
		if r.code != exitFindings {
			t.Fatalf("%s: exit %d, want %d\nstderr: %s", format, r.code, exitFindings, r.stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return r, b
	}

	r, data := scan("json")
	var rep struct {
		Findings []struct {
			Rule        string `json:"rule"`
			Message     string `json:"message"`
			Explanation string `json:"explanation"`
			Location    struct {
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"location"`
			Related []struct {
				File    string `json:"file"`
				Line    int    `json:"line"`
				Message string `json:"message"`
			} `json:"related"`
			Source    string   `json:"source"`
			Sources   []string `json:"sources"`
			Confirmed string   `json:"confirmed"`
		} `json:"findings"`
		Stats struct {
			Claims    int `json:"execution_claims"`
			Confirmed int `json:"confirmed_by_execution"`
		} `json:"stats"`
		Tests []struct {
			Package string `json:"package"`
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"tests"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	type at struct {
		rule, file string
		line       int
	}
	got := map[at]int{}
	for i, f := range rep.Findings {
		got[at{f.Rule, f.Location.File, f.Location.Line}] = i
	}
	find := func(rule, file string, line int) int {
		t.Helper()
		i, ok := got[at{rule, file, line}]
		if !ok {
			t.Fatalf("no %s finding at %s:%d; have %v", rule, file, line, got)
		}
		return i
	}
	related := func(i int, file string, line int) bool {
		for _, l := range rep.Findings[i].Related {
			if l.File == file && l.Line == line {
				return true
			}
		}
		return false
	}

	race := rep.Findings[find("SL1221", "race/race.go", 11)]
	if race.Source != "race detector" || !strings.Contains(race.Message, "(in TestAdd)") || !strings.Contains(race.Explanation, "-run '^TestAdd$'") {
		t.Errorf("the race finding does not name its source and test: %+v", race)
	}
	for _, l := range []int{14, 10} { // the other access, where the goroutine started
		if !related(got[at{"SL1221", "race/race.go", 11}], "race/race.go", l) {
			t.Errorf("the race's stacks do not hold race/race.go:%d: %+v", l, race.Related)
		}
	}
	for _, w := range []at{{"SL1222", "leak/leak.go", 10}, {"SL1222", "withmain/withmain.go", 8}} {
		i := find(w.rule, w.file, w.line)
		if f := rep.Findings[i]; f.Source != "goroutine-leak profile" || !related(i, w.file, w.line-1) {
			t.Errorf("leak at %s:%d: source %q, related %+v; want the profile, and where the goroutine was created", w.file, w.line, f.Source, f.Related)
		}
	}
	// The model's race claim on the other access is confirmed, with the
	// stack; its leak claim in clean.Sum is not, and is kept.
	claim := rep.Findings[find("SL1003", "race/race.go", 14)]
	if !strings.HasPrefix(claim.Confirmed, "race detector: ") || !related(got[at{"SL1003", "race/race.go", 14}], "race/race.go", 11) {
		t.Errorf("the model's race claim: confirmed %q, related %+v; want the race detector and its stack", claim.Confirmed, claim.Related)
	}
	if c := rep.Findings[find("SL1002", "clean/clean.go", 22)]; c.Confirmed != "" {
		t.Errorf("a claim no run showed is confirmed: %q", c.Confirmed)
	}
	// Claims of the two kinds: the model's two and chancheck's leak in
	// leak.First, which merges with the profile's finding.
	if rep.Stats.Claims != 3 || rep.Stats.Confirmed != 2 {
		t.Errorf("stats: %d claims, %d confirmed; want 3 and 2", rep.Stats.Claims, rep.Stats.Confirmed)
	}
	status := map[string]string{}
	for _, tr := range rep.Tests {
		status[strings.TrimPrefix(tr.Package, "example.com/rt/")] = tr.Status
	}
	want := map[string]string{"clean": "pass", "hang": "timeout", "leak": "pass", "race": "fail", "withmain": "pass"}
	for p, s := range want {
		if status[p] != s {
			t.Errorf("tests of %s: %q, want %q (all: %v)", p, status[p], s, status)
		}
	}
	if !strings.Contains(r.stderr, "2 of 3 data-race or goroutine-leak claims confirmed by execution") {
		t.Errorf("the summary does not count the confirmed claims:\n%s", r.stderr)
	}

	_, data = scan("sarif")
	if err := sarifschema.Validate(data); err != nil {
		t.Fatalf("not valid SARIF: %v", err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID  string `json:"ruleId"`
				Related []struct {
					Physical struct {
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"relatedLocations"`
				Properties struct {
					Source    string `json:"source"`
					Confirmed string `json:"confirmed"`
				} `json:"properties"`
			} `json:"results"`
			Properties struct {
				Confirmed int `json:"confirmedByExecution"`
			} `json:"properties"`
			Invocations []struct {
				Notes []struct {
					Message struct{ Text string } `json:"message"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if run.Properties.Confirmed != 2 {
		t.Errorf("SARIF run properties: %d confirmed by execution, want 2", run.Properties.Confirmed)
	}
	stack := false
	for _, res := range run.Results {
		if res.RuleID == "SL1221" && res.Properties.Source == "race detector" {
			for _, l := range res.Related {
				stack = stack || l.Physical.Region.StartLine == 14
			}
		}
	}
	if !stack {
		t.Error("SARIF: no SL1221 result from the race detector with the other access as a related location")
	}
	hung := false
	for _, n := range run.Invocations[0].Notes {
		hung = hung || strings.HasPrefix(n.Message.Text, "tests: example.com/rt/hang: timeout")
	}
	if !hung {
		t.Errorf("SARIF: no notification says hang's tests timed out: %+v", run.Invocations[0].Notes)
	}

	if after := testtree.Hash(t, dir); after != before {
		t.Error("--run-tests changed the user's tree")
	}
}
