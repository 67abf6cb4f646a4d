package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secondlook/secondlook/internal/llm/llmtest"
	"github.com/secondlook/secondlook/internal/sarifschema"
)

// TestFaultMatrix drives the real CLI against a fake model server that
// misbehaves in each way a real one does. For every fault: every region
// ends answered or as a reported failure, the exit code says which, the
// SARIF report is still written and valid, nothing panics, and a refused
// key is asked once.
func TestFaultMatrix(t *testing.T) {
	good := `{"findings":[]}`
	type fault struct {
		name     string
		reply    func(n int64) llmtest.Reply // n: 1-based request number
		args     []string
		answered bool  // every region answered (exit 0), or every one failed (exit 1)
		maxReqs  int64 // 0: no bound checked
	}
	for _, f := range []fault{
		{name: "429 with a reset hint, then an answer", answered: true, reply: func(n int64) llmtest.Reply {
			if n == 1 {
				return llmtest.Reply{Status: 429, Header: map[string]string{"retry-after-ms": "5"}, Body: `{"error":{"message":"slow down","type":"requests"}}`}
			}
			return llmtest.Reply{Content: good}
		}},
		{name: "503 then an answer", answered: true, args: []string{"--retries", "2"}, reply: func(n int64) llmtest.Reply {
			if n == 1 {
				return llmtest.Reply{Status: 503, Header: map[string]string{"Retry-After": "0.01"}, Body: `{"error":{"message":"overloaded"}}`}
			}
			return llmtest.Reply{Content: good}
		}},
		{name: "500 for good", args: []string{"--retries", "1"}, reply: func(int64) llmtest.Reply {
			return llmtest.Reply{Status: 500, Header: map[string]string{"Retry-After": "0.01"}, Body: `{"error":{"message":"boom"}}`}
		}},
		{name: "502 for good", args: []string{"--retries", "1"}, reply: func(int64) llmtest.Reply {
			return llmtest.Reply{Status: 502, Header: map[string]string{"Retry-After": "0.01"}, Body: "<html>bad gateway</html>"}
		}},
		{name: "401", maxReqs: 1, reply: func(int64) llmtest.Reply {
			return llmtest.Reply{Status: 401, Body: `{"error":{"message":"bad key","type":"invalid_request_error","code":"invalid_api_key"}}`}
		}},
		{name: "timeout", args: []string{"--timeout", "150ms", "--retries", "0"}, reply: func(int64) llmtest.Reply {
			return llmtest.Reply{Delay: time.Second, Content: good}
		}},
		{name: "connection reset mid-body", args: []string{"--retries", "0"}, reply: func(int64) llmtest.Reply {
			return llmtest.Reply{ResetConnection: true, Content: good}
		}},
		{name: "prose instead of JSON", reply: func(int64) llmtest.Reply {
			return llmtest.Reply{Content: "I reviewed the code carefully and it looks fine to me."}
		}},
		{name: "truncated JSON", reply: func(int64) llmtest.Reply {
			return llmtest.Reply{Content: `{"findings":[{"kind":"deadlock","line":22,"quote":"return 0, err`}
		}},
		{name: "finish_reason length", reply: func(int64) llmtest.Reply {
			return llmtest.Reply{Content: `{"findings":[{"kind":"dead`, FinishReason: "length"}
		}},
		{name: "empty choices", reply: func(int64) llmtest.Reply { return llmtest.Reply{NoChoices: true} }},
		{name: "lines outside the region", answered: true, reply: func(int64) llmtest.Reply {
			return llmtest.Reply{Content: `{"findings":[{"kind":"deadlock","line":1,"end_line":1,"quote":"package store","message":"m","explanation":"e","confidence":0.9}]}`}
		}},
	} {
		t.Run(f.name, func(t *testing.T) {
			dir := gitRepo(t)
			var n atomic.Int64
			srv := llmtest.NewServer(t, func(*llmtest.Request) llmtest.Reply { return f.reply(n.Add(1)) })
			out := filepath.Join(t.TempDir(), "report.sarif")
			args := append([]string{"scan", "-C", dir, "--diff", "HEAD", "--base-url", srv.URL, "--model", "m",
				"--no-cache", "--format", "sarif", "-o", out}, f.args...)
			r := runCLI(t, map[string]string{"OPENAI_API_KEY": "sk-test-faults-0123456789"}, args...)

			want := exitFailure
			if f.answered {
				want = exitOK
			}
			if r.code != want {
				t.Errorf("exit %d, want %d\nstderr: %s", r.code, want, r.stderr)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatalf("no report written: %v\nstderr: %s", err, r.stderr)
			}
			if err := sarifschema.Validate(data); err != nil {
				t.Errorf("report is not valid SARIF: %v", err)
			}
			var log struct {
				Runs []struct {
					Invocations []struct {
						OK            bool `json:"executionSuccessful"`
						Notifications []struct {
							Message struct{ Text string } `json:"message"`
						} `json:"toolExecutionNotifications"`
					} `json:"invocations"`
				} `json:"runs"`
			}
			if err := json.Unmarshal(data, &log); err != nil {
				t.Fatal(err)
			}
			inv := log.Runs[0].Invocations[0]
			if inv.OK != f.answered {
				t.Errorf("executionSuccessful = %v, want %v", inv.OK, f.answered)
			}
			if !f.answered && len(inv.Notifications) == 0 {
				t.Error("a region went unanswered and the report does not say so")
			}
			if f.answered && len(inv.Notifications) > 0 {
				t.Errorf("answered, yet notifications: %+v", inv.Notifications)
			}
			if f.maxReqs > 0 && n.Load() > f.maxReqs {
				t.Errorf("%d requests, want at most %d (no retry storm)", n.Load(), f.maxReqs)
			}
			if !f.answered && !strings.Contains(r.stderr, "review failed") && !strings.Contains(r.stderr, "stopped") {
				t.Errorf("stderr does not name the failure:\n%s", r.stderr)
			}
		})
	}
}

// TestUnreachableServer: with the model server down, the scan stops in a
// few requests with one message naming the base URL and the cause, reports
// every region as not reviewed, and exits 1.
func TestUnreachableServer(t *testing.T) {
	dir := t.TempDir()
	var src strings.Builder
	src.WriteString("package p\n\nimport \"sync\"\n\nvar mu sync.Mutex\n\nvar m = map[int]int{}\n")
	const n = 30
	for i := range n {
		fmt.Fprintf(&src, "\nfunc F%d(k int) int {\n\tmu.Lock()\n\tdefer mu.Unlock()\n\treturn m[k] + %d\n}\n", i, i)
	}
	for name, text := range map[string]string{"go.mod": "module example.com/p\n\ngo 1.22\n", "p.go": src.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := llmtest.DeadURL(t)
	out := filepath.Join(t.TempDir(), "report.sarif")
	r := runCLI(t, map[string]string{"OPENAI_API_KEY": ""}, "scan", "-C", dir, "--base-url", base, "--model", "m",
		"--no-cache", "--format", "sarif", "-o", out, "./...")
	if r.code != exitFailure {
		t.Errorf("exit %d, want %d\nstderr: %s", r.code, exitFailure, r.stderr)
	}
	if got := strings.Count(r.stderr, "cannot reach the model server at "+base); got != 1 {
		t.Errorf("stderr names the unreachable server %d times, want once:\n%s", got, r.stderr)
	}
	if !strings.Contains(r.stderr, "connection refused") {
		t.Errorf("stderr does not give the cause:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, fmt.Sprintf("%d regions not reviewed", n)) {
		t.Errorf("stderr does not count the regions not reviewed:\n%s", r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(data), "cannot reach the model server"); got < n {
		t.Errorf("the report names %d regions not reviewed, want %d", got, n)
	}
}

// TestBudgetDryRunPredictsLiveRun: one meaning for --max-tokens: the dry run
// lists exactly the regions the live run asks about, and the summary counts
// the regions the model answered.
func TestBudgetDryRunPredictsLiveRun(t *testing.T) {
	dir := t.TempDir()
	var src strings.Builder
	src.WriteString("package p\n\nimport \"sync\"\n\nvar mu sync.Mutex\n\nvar m = map[int]int{}\n")
	for i := range 30 {
		fmt.Fprintf(&src, "\nfunc F%d(k int) int {\n\tmu.Lock()\n\tdefer mu.Unlock()\n\treturn m[k] + %d\n}\n", i, i)
	}
	for name, text := range map[string]string{"go.mod": "module example.com/p\n\ngo 1.22\n", "p.go": src.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	budget := []string{"--max-tokens", "600"}
	dry := runCLI(t, nil, append([]string{"scan", "-C", dir, "--dry-run", "--format", "json"}, append(budget, "./...")...)...)
	var plan struct {
		Regions []struct{ ID string } `json:"regions"`
		LeftOut int                   `json:"left_out"`
	}
	if err := json.Unmarshal([]byte(dry.stdout), &plan); err != nil {
		t.Fatalf("dry run: %v\n%s", err, dry.stderr)
	}
	if len(plan.Regions) == 0 || plan.LeftOut == 0 {
		t.Fatalf("the budget keeps %d regions and leaves out %d: the test proves nothing", len(plan.Regions), plan.LeftOut)
	}
	// A real server counts the instructions too: ~2,200 tokens a request.
	srv := llmtest.NewServer(t, func(*llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Content: `{"findings":[]}`, PromptTokens: 2200, CompletionTokens: 20}
	})
	live := runCLI(t, map[string]string{"OPENAI_API_KEY": ""}, append([]string{"scan", "-C", dir, "--base-url", srv.URL, "--model", "m",
		"--no-cache", "--concurrency", "1", "--format", "json"}, append(budget, "./...")...)...)
	if live.code != exitOK {
		t.Fatalf("live run: exit %d\n%s", live.code, live.stderr)
	}
	if srv.Count() != len(plan.Regions) {
		t.Errorf("the dry run listed %d regions, the live run sent %d requests", len(plan.Regions), srv.Count())
	}
	want := fmt.Sprintf("reviewed %d regions", len(plan.Regions))
	if !strings.Contains(live.stderr, want) || !strings.Contains(live.stderr, fmt.Sprintf("%d regions left out by the budget", plan.LeftOut)) {
		t.Errorf("the summary does not say %q and what the budget left out:\n%s", want, live.stderr)
	}
}
