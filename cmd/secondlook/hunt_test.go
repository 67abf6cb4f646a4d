package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secondlook/secondlook/internal/gittest"
	"github.com/secondlook/secondlook/internal/llm/llmtest"
	"github.com/secondlook/secondlook/internal/sarifschema"
	"github.com/secondlook/secondlook/internal/testtree"
)

// The end-to-end tests of the model review: the real CLI, a real git
// repository in a temp dir, the real go-openai client, and a fake
// OpenAI-compatible server.

const huntSecret = "AKIAIOSFODNN7EXAMPLEX"

const huntBase = `package store

import (
	"errors"
	"sync"
)

var errMissing = errors.New("missing")

type Store struct {
	mu sync.Mutex
	m  map[string]int
}

func (s *Store) Get(k string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	if !ok {
		return 0, errMissing
	}
	return v, nil
}
`

// huntChange makes Get return with the lock held, and adds a secret.
const huntChange = `package store

import (
	"errors"
	"sync"
)

var errMissing = errors.New("missing")

// awsKey is used by the uploader.
const awsKey = "` + huntSecret + `"

type Store struct {
	mu sync.Mutex
	m  map[string]int
}

func (s *Store) Get(k string) (int, error) {
	s.mu.Lock()
	v, ok := s.m[k]
	if !ok {
		return 0, errMissing
	}
	s.mu.Unlock()
	return v, nil
}
`

func gitRepo(t *testing.T) string {
	t.Helper()
	dir := gitInit(t, map[string]string{"go.mod": "module example.com/hunt\n\ngo 1.22\n", "store/store.go": huntBase})
	testtree.WriteFiles(t, dir, map[string]string{"store/store.go": huntChange})
	return dir
}

// gitInit returns a temp dir holding a git repository whose one commit,
// on main, holds files.
func gitInit(t *testing.T, files map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not on PATH")
	}
	dir := testtree.Write(t, files)
	git := func(args ...string) { gittest.Run(t, dir, args...) }
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "base")
	return dir
}

var promptLine = regexp.MustCompile(`(?m)^\s*(\d+)[+ ]\| (.*)$`)

// fakeModel reports the real bug (the early return with the lock held)
// twice, and three claims the check against the code must drop.
func fakeModel(r *llmtest.Request) llmtest.Reply {
	user := r.Last("user")
	line := 0
	for _, m := range promptLine.FindAllStringSubmatch(user, -1) {
		if strings.Contains(m[2], "return 0, errMissing") {
			line, _ = strconv.Atoi(m[1])
		}
	}
	if line == 0 {
		return llmtest.Reply{Content: `{"findings":[]}`}
	}
	claim := func(kind string, l int, quote, msg string) map[string]any {
		return map[string]any{"kind": kind, "line": l, "end_line": l, "quote": quote, "message": msg, "explanation": "x", "confidence": 0.9}
	}
	b, _ := json.Marshal(map[string]any{"findings": []any{
		claim("deadlock", line, "return 0, errMissing", "Get returns with s.mu locked on a missing key."),
		claim("deadlock", line, "return 0, errMissing", "The early return skips s.mu.Unlock."),
		claim("data-race", line, "s.m[k] = 0", "invented quote"),
		claim("goroutine-leak", 1, "package store", "outside the region"),
		claim("typo", line, "return 0, errMissing", "unknown kind"),
	}})
	return llmtest.Reply{Content: string(b), PromptTokens: 900, CompletionTokens: 120}
}

type cliRun struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, env map[string]string, args ...string) cliRun {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"secondlook"}, args...), nil, &stdout, &stderr)
	return cliRun{code, stdout.String(), stderr.String()}
}

func TestHuntEndToEnd(t *testing.T) {
	dir := gitRepo(t)
	srv := llmtest.NewServer(t, fakeModel)
	cacheDir := t.TempDir()
	env := map[string]string{"OPENAI_API_KEY": "sk-test-hunt-0123456789", "OPENAI_BASE_URL": ""}
	args := []string{"scan", "-C", dir, "--diff", "HEAD", "--base-url", srv.URL, "--model", "fake-model",
		"--cache-dir", cacheDir, "--format", "json", "--fail-on", "warning"}

	r := runCLI(t, env, args...)
	if r.code != exitFindings {
		t.Fatalf("exit %d, want %d\nstderr: %s", r.code, exitFindings, r.stderr)
	}
	var rep struct {
		Findings []struct {
			Rule     string `json:"rule"`
			Source   string `json:"source"`
			Location struct {
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"location"`
		} `json:"findings"`
		Stats struct {
			Requests int            `json:"requests"`
			Claims   int            `json:"claims"`
			Dropped  map[string]int `json:"dropped"`
		} `json:"stats"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	var model int
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.Source, "model:") {
			model++
			if f.Location.File != "store/store.go" || f.Location.Line != 22 || f.Rule != "SL1001" {
				t.Errorf("model finding = %+v", f)
			}
		}
	}
	if model != 1 {
		t.Errorf("%d model findings, want the real bug once:\n%s", model, r.stdout)
	}
	if n := rep.Stats.Dropped["quote-not-found"] + rep.Stats.Dropped["outside-region"] + rep.Stats.Dropped["unknown-kind"]; n != 3 {
		t.Errorf("dropped = %v, want the three invented claims", rep.Stats.Dropped)
	}
	for _, req := range srv.Requests() {
		if strings.Contains(string(req.Raw), huntSecret) {
			t.Fatal("the secret reached the model")
		}
		if req.Model != "fake-model" {
			t.Errorf("model %q", req.Model)
		}
	}
	if strings.Contains(r.stdout+r.stderr, "sk-test-hunt-0123456789") {
		t.Error("the key appears in the output")
	}

	// The same change again: every answer from the cache.
	n := srv.Count()
	r = runCLI(t, env, args...)
	if srv.Count() != n {
		t.Errorf("second run sent %d requests, want 0", srv.Count()-n)
	}
	if r.code != exitFindings {
		t.Errorf("second run exit %d", r.code)
	}

	// SARIF of a model run is valid, and offline replays the cache.
	r = runCLI(t, env, "scan", "-C", dir, "--diff", "HEAD", "--model", "fake-model", "--base-url", srv.URL,
		"--cache-dir", cacheDir, "--offline", "--format", "sarif")
	if err := sarifschema.Validate([]byte(r.stdout)); err != nil {
		t.Errorf("SARIF: %v", err)
	}
	if !strings.Contains(r.stdout, `"ruleId": "SL1001"`) {
		t.Errorf("offline SARIF lacks the finding:\n%s", r.stdout)
	}
}

func TestHuntFailuresStillWriteTheReport(t *testing.T) {
	dir := gitRepo(t)
	srv := llmtest.NewServer(t, func(*llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Delay: 2 * time.Second, Content: `{"findings":[]}`}
	})
	out := filepath.Join(t.TempDir(), "report.json")
	r := runCLI(t, map[string]string{"OPENAI_API_KEY": ""}, "scan", "-C", dir, "--diff", "HEAD", "--base-url", srv.URL, "--model", "m",
		"--no-cache", "--timeout", "100ms", "--retries", "0", "--format", "json", "-o", out)
	if r.code != exitFailure {
		t.Fatalf("exit %d, want %d (a region went unanswered)\nstderr: %s", r.code, exitFailure, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("the report was not written: %v", err)
	}
	if !strings.Contains(string(data), `"stage": "review"`) {
		t.Errorf("the report lacks the review failure:\n%s", data)
	}
	if !strings.Contains(r.stderr, "review failed") {
		t.Errorf("stderr does not name the failure:\n%s", r.stderr)
	}
}

func TestHuntAuthStops(t *testing.T) {
	dir := gitRepo(t)
	srv := llmtest.NewServer(t, func(*llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Status: 401, Body: `{"error":{"message":"Incorrect API key provided: sk-test-***","type":"invalid_request_error","code":"invalid_api_key"}}`}
	})
	key := "sk-test-auth-0123456789"
	r := runCLI(t, map[string]string{"OPENAI_API_KEY": key}, "scan", "-C", dir, "--diff", "HEAD", "--base-url", srv.URL, "--model", "m", "--no-cache")
	if r.code != exitFailure {
		t.Fatalf("exit %d, want %d\nstderr: %s", r.code, exitFailure, r.stderr)
	}
	if srv.Count() != 1 {
		t.Errorf("%d requests after a 401, want 1", srv.Count())
	}
	if !strings.Contains(r.stderr, "OPENAI_API_KEY") || strings.Contains(r.stderr+r.stdout, key) {
		t.Errorf("stderr: %s", r.stderr)
	}
}

func TestModelFlags(t *testing.T) {
	dir := gitRepo(t)
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""}, []string{"--model", "x"}, "no endpoint configured"},
		{map[string]string{"OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""}, []string{"--base-url", "http://127.0.0.1:1/v1"}, "needs --model"},
		{map[string]string{"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": ""}, []string{"--samples", "2", "--min-votes", "3"}, "--min-votes"},
	} {
		r := runCLI(t, tc.env, append([]string{"scan", "-C", dir}, tc.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, r.code, r.stderr, exitUsage, tc.want)
		}
	}
}

func TestDryRunEstimatesCost(t *testing.T) {
	dir := gitRepo(t)
	r := runCLI(t, map[string]string{"OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""}, "scan", "-C", dir, "--diff", "HEAD", "--dry-run", "--price-in", "1", "--price-out", "4")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !regexp.MustCompile(`requests would send [\d,]+ tokens and receive at most [\d,]+: at most \$\d+\.\d{4}`).MatchString(r.stdout) {
		t.Errorf("no cost estimate:\n%s", r.stdout)
	}
}
