package mcpserver

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/gittest"
	"github.com/secondlook/secondlook/internal/llm"
	"github.com/secondlook/secondlook/internal/llm/llmtest"
	"github.com/secondlook/secondlook/internal/pipeline"
	"github.com/secondlook/secondlook/internal/testtree"
	"github.com/secondlook/secondlook/prompts"
)

// The tests drive the server as an agent would: an MCP client from the same
// SDK over an in-memory transport, real git in a temp dir, and a real
// module. No model is involved.

const storeBase = `package store

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

// storeChange makes Get return with the lock held on a missing key.
const storeChange = `package store

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
	v, ok := s.m[k]
	if !ok {
		return 0, errMissing
	}
	s.mu.Unlock()
	return v, nil
}
`

// bugLine is the early return of storeChange.
const bugLine = 19

// gitModule returns a module in a git repository whose commit holds base
// and whose working tree holds change (uncommitted) in store/store.go.
func gitModule(t *testing.T, base, change string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not on PATH")
	}
	dir := t.TempDir()
	write := func(name, text string) { testtree.WriteFiles(t, dir, map[string]string{name: text}) }
	git := func(args ...string) { gittest.Run(t, dir, args...) }
	write("go.mod", "module example.com/store\n\ngo 1.22\n")
	write("store/store.go", base)
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "base")
	write("store/store.go", change)
	return dir
}

// connect serves srv to an in-process client.
func connect(t *testing.T, srv *mcp.Server) *mcp.ClientSession {
	t.Helper()
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test-agent", Version: "0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cs.Close()
		ss.Wait()
	})
	return cs
}

func newSession(t *testing.T) *mcp.ClientSession {
	return connect(t, New(Options{Tool: findings.Tool{Name: "secondlook", Version: "test"}}))
}

// call calls a tool that must succeed and decodes its structured output.
func call[Out any](t *testing.T, cs *mcp.ClientSession, tool string, args any) (Out, *mcp.CallToolResult) {
	t.Helper()
	var out Out
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	if res.IsError {
		t.Fatalf("%s: tool error: %s", tool, text(res))
	}
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: %v\n%s", tool, err, b)
	}
	return out, res
}

// callError calls a tool that must fail with a tool error, and returns its
// message.
func callError(t *testing.T, cs *mcp.ClientSession, tool string, args any) string {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: a protocol error, want a tool error: %v", tool, err)
	}
	if !res.IsError {
		t.Fatalf("%s succeeded, want a tool error: %s", tool, text(res))
	}
	return text(res)
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func TestListTools(t *testing.T) {
	cs := newSession(t)
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	required := map[string][]string{}
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		if tool.Description == "" {
			t.Errorf("%s has no description", tool.Name)
		}
		for what, schema := range map[string]any{"input": tool.InputSchema, "output": tool.OutputSchema} {
			m, ok := schema.(map[string]any)
			if !ok || m["type"] != "object" || m["properties"] == nil {
				t.Errorf("%s: %s schema = %v, want an object with properties", tool.Name, what, schema)
			}
		}
		if m, ok := tool.InputSchema.(map[string]any); ok {
			for _, r := range m["required"].([]any) {
				required[tool.Name] = append(required[tool.Name], r.(string))
			}
		}
	}
	slices.Sort(names)
	if want := []string{"check_claims", "explain", "risky_regions", "scan"}; !slices.Equal(names, want) {
		t.Errorf("tools = %v, want %v", names, want)
	}
	for tool, want := range map[string][]string{
		"risky_regions": {"dir"},
		"check_claims":  {"claims", "dir"},
		"scan":          {"dir"},
		"explain":       {"rule"},
	} {
		got := slices.Sorted(slices.Values(required[tool]))
		if !slices.Equal(got, want) {
			t.Errorf("%s requires %v, want %v", tool, got, want)
		}
	}
}

// TestAgentLoop runs the loop the server is for: the agent's change,
// risky_regions, the agent's own hunt (here, claims written by hand), and
// check_claims; then scan without a model, and explain.
func TestAgentLoop(t *testing.T) {
	dir := gitModule(t, storeBase, storeChange)
	cs := newSession(t)

	regions, _ := call[RegionsOutput](t, cs, "risky_regions", map[string]any{"dir": dir})
	if regions.Mode != "diff" || regions.DiffBase != "HEAD" || regions.Module != "example.com/store" {
		t.Errorf("mode %q, diff base %q, module %q; want diff against HEAD of example.com/store", regions.Mode, regions.DiffBase, regions.Module)
	}
	if len(regions.Regions) != 1 {
		t.Fatalf("regions = %+v, want (*Store).Get alone", regions.Regions)
	}
	r := regions.Regions[0]
	if r.File != "store/store.go" || r.Function != "(*Store).Get" || r.StartLine > bugLine || r.EndLine < bugLine || r.Changed == "" || r.Tokens == 0 || r.Score <= 0 {
		t.Errorf("region = %+v", r)
	}
	if !regexp.MustCompile(`(?m)^`+strconv.Itoa(bugLine)+` \| \t\treturn 0, errMissing$`).MatchString(r.Code) ||
		!regexp.MustCompile(`(?m)^16\+\| \ts\.mu\.Lock\(\)$`).MatchString(r.Code) {
		t.Errorf("code is not numbered and marked as the prompt shows it:\n%s", r.Code)
	}
	if len(r.Signals) == 0 {
		t.Errorf("no signals for a lock held across a return")
	}
	if len(regions.ReviewMap) != 1 || regions.ReviewMap[0].Function != "(*Store).Get" || regions.ReviewMap[0].Findings != 1 ||
		!slices.Contains(regions.ReviewMap[0].EntryPoints, "exported API store.(*Store).Get") {
		t.Errorf("review map = %+v, want (*Store).Get, its finding, exported", regions.ReviewMap)
	}
	if !strings.HasPrefix(regions.Risk, "Risk: high") {
		t.Errorf("risk = %q, want high (a finding in the change)", regions.Risk)
	}
	if !slices.ContainsFunc(regions.StaticFindings, func(f Finding) bool {
		return f.Rule == "SL1201" && f.Fingerprint != "" && f.Level == "error" && strings.Contains(f.Precision, "precision")
	}) {
		t.Errorf("static findings = %+v, want the lock not released (SL1201), with its rule's precision", regions.StaticFindings)
	}
	// No finding is certain: the agent is told to verify, never to fix
	// blindly (a "fix" of a deliberate lock hand-off breaks it).
	if strings.Contains(regions.Note, "certain:") || strings.Contains(regions.Note, "they are certain") || !strings.Contains(regions.Note, "Verify each") {
		t.Errorf("note = %q: it must not call findings certain, and must say to verify them", regions.Note)
	}
	if want := prompts.Render(analyzer.Region{}, prompts.Options{}).System; regions.Instructions != want {
		t.Errorf("instructions are not the hunt prompt's system prompt")
	}
	var schema map[string]any
	if err := json.Unmarshal(prompts.AnswerSchema(), &schema); err != nil {
		t.Fatal(err)
	}
	if !jsonEqual(t, regions.AnswerSchema, schema) || regions.PromptVersion != prompts.Version() {
		t.Errorf("answer schema %v, prompt version %q: want the hunt prompt's", regions.AnswerSchema, regions.PromptVersion)
	}
	if !strings.Contains(regions.Note, "check_claims") {
		t.Errorf("note = %q, want the next step", regions.Note)
	}

	claim := func(kind, file string, line int, quote, msg string) map[string]any {
		return map[string]any{"kind": kind, "file": file, "line": line, "end_line": line, "quote": quote,
			"message": msg, "explanation": "the early return skips the unlock", "confidence": 0.9}
	}
	checked, _ := call[CheckOutput](t, cs, "check_claims", map[string]any{
		"dir":   dir,
		"sarif": true,
		"claims": []any{
			claim("deadlock", "store/store.go", bugLine, "return 0, errMissing", "Get returns with s.mu locked when the key is missing."),
			// The same bug again, off by a line, by absolute path, quoted
			// with the prompt's line numbers.
			claim("Deadlock", filepath.Join(dir, "store", "store.go"), bugLine+1, "19 | \t\treturn 0, errMissing", "The early return skips s.mu.Unlock."),
			claim("typo", "store/store.go", bugLine, "return 0, errMissing", "an unknown kind"),
			claim("data-race", "store/store.go", bugLine, "s.m[k] = 0", "an invented quote"),
			claim("goroutine-leak", "store/store.go", 1, "package store", "outside the region"),
		},
	})
	wantReasons := []string{"", "", "unknown-kind", "quote-not-found", "outside-region"}
	if len(checked.Claims) != len(wantReasons) {
		t.Fatalf("claims = %+v", checked.Claims)
	}
	deadlock, _ := findings.RuleByID("deadlock")
	for i, v := range checked.Claims {
		if v.Index != i || v.Reason != wantReasons[i] || v.Kept != (wantReasons[i] == "") {
			t.Errorf("claim %d: %+v, want reason %q", i, v, wantReasons[i])
		}
		if v.Kept && (v.Fingerprint == "" || v.Function != "(*Store).Get" || v.File != "store/store.go") {
			t.Errorf("kept claim %d: %+v, want its finding's fingerprint", i, v)
		}
	}
	if checked.Kept != 2 || checked.Dropped != 3 || len(checked.Findings) != 1 {
		t.Fatalf("kept %d, dropped %d, findings %+v: want one bug from two claims", checked.Kept, checked.Dropped, checked.Findings)
	}
	f := checked.Findings[0]
	if f.Rule != deadlock.ID || f.Level != deadlock.Level.String() || f.Line != bugLine || f.File != "store/store.go" ||
		f.Fingerprint != checked.Claims[0].Fingerprint || f.Fingerprint != checked.Claims[1].Fingerprint || f.Source != "model:agent" {
		t.Errorf("finding = %+v", f)
	}
	var log struct {
		Runs []struct {
			AutomationDetails struct{ ID string } `json:"automationDetails"`
			Results           []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(checked.SARIF), &log); err != nil || len(log.Runs) != 1 || len(log.Runs[0].Results) != 1 ||
		log.Runs[0].Results[0].RuleID != deadlock.ID || log.Runs[0].AutomationDetails.ID != pipeline.AgentCategory {
		t.Errorf("SARIF (%v):\n%s", err, checked.SARIF)
	}

	scanned, _ := call[ScanOutput](t, cs, "scan", map[string]any{"dir": dir})
	if scanned.ModelConfigured || !strings.Contains(scanned.Note, "no model configured") ||
		!slices.ContainsFunc(scanned.Findings, func(f Finding) bool { return f.Rule == "SL1201" }) || scanned.Regions != 1 {
		t.Errorf("scan without a model = %+v, want the static findings and a word on the model", scanned)
	}

	explained, res := call[ExplainOutput](t, cs, "explain", map[string]any{"rule": "SL1201"})
	if explained.ID != "SL1201" || explained.Help == "" || explained.Analyzer == "" || !strings.HasPrefix(text(res), "SL1201 ") {
		t.Errorf("explain SL1201 = %+v\n%s", explained, text(res))
	}
	if byKind, _ := call[ExplainOutput](t, cs, "explain", map[string]any{"rule": "goroutine-leak"}); byKind.Kind != "goroutine-leak" {
		t.Errorf("explain goroutine-leak = %+v", byKind)
	}
}

func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	x, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(x) == string(y)
}

// TestToolErrors holds that a bad call gets a tool error with a message
// that says what to do, and that the server goes on serving.
func TestToolErrors(t *testing.T) {
	mod := t.TempDir() // a module outside git
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/m\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, "m.go"), []byte("package m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	notModule := t.TempDir()
	cs := newSession(t)
	for _, tc := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"risky_regions", map[string]any{}, `missing properties: ["dir"]`},
		{"check_claims", map[string]any{"dir": mod}, `missing properties: ["claims"]`},
		{"check_claims", map[string]any{"dir": mod, "claims": "all of them"}, "claims"},
		{"risky_regions", map[string]any{"dir": ""}, "dir is required"},
		{"risky_regions", map[string]any{"dir": filepath.Join(notModule, "nowhere")}, "no such file"},
		{"risky_regions", map[string]any{"dir": notModule, "full": true}, "not in a Go module"},
		{"risky_regions", map[string]any{"dir": notModule, "full": true}, "pass dir"},
		{"scan", map[string]any{"dir": notModule}, "not in a Go module"},
		{"risky_regions", map[string]any{"dir": mod}, "pass full=true"},
		{"risky_regions", map[string]any{"dir": mod, "full": true, "diff_base": "main"}, "use one"},
		{"risky_regions", map[string]any{"dir": mod, "full": true, "max_tokens": -1}, "≥ 0"},
		{"explain", map[string]any{"rule": "SL9999"}, `no rule "SL9999"`},
		{"explain", map[string]any{"rule": " "}, "explain takes one rule"},
		{"explain", map[string]any{"rule": "SL1201", "verbose": true}, "verbose"},
	} {
		msg := callError(t, cs, tc.tool, tc.args)
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s %v: error %q, want it to say %q", tc.tool, tc.args, msg, tc.want)
		}
		if strings.Contains(msg, "-C ") || strings.Contains(msg, "--") {
			t.Errorf("%s %v: error %q gives CLI advice, not the tool's arguments", tc.tool, tc.args, msg)
		}
	}
	// Still serving, and a full scan of the module outside git works.
	if out, _ := call[RegionsOutput](t, cs, "risky_regions", map[string]any{"dir": mod, "full": true}); out.Mode != "full" {
		t.Errorf("full scan after errors: mode %q", out.Mode)
	}
}

func TestNothingChanged(t *testing.T) {
	dir := gitModule(t, storeBase, storeBase)
	cs := newSession(t)
	out, _ := call[RegionsOutput](t, cs, "risky_regions", map[string]any{"dir": dir})
	if len(out.Regions) != 0 || !strings.Contains(out.Note, "nothing changed against HEAD") {
		t.Errorf("regions %+v, note %q: want none, and why", out.Regions, out.Note)
	}
	checked, _ := call[CheckOutput](t, cs, "check_claims", map[string]any{"dir": dir, "claims": []any{
		map[string]any{"kind": "deadlock", "file": "store/store.go", "line": bugLine, "quote": "return 0, errMissing", "message": "m"},
	}})
	if checked.Kept != 0 || checked.Claims[0].Reason != "outside-region" {
		t.Errorf("a claim about an unchanged function = %+v, want outside-region", checked.Claims)
	}
}

// TestPanicIsToolError holds that a panic inside a tool becomes that call's
// tool error, with its stack, and the server keeps serving.
func TestPanicIsToolError(t *testing.T) {
	srv := New(Options{})
	mcp.AddTool(srv, &mcp.Tool{Name: "boom"}, safe("boom", func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, RegionsOutput, error) {
		var m map[string]int
		m["x"] = 1 //secondlook:ignore nil-dereference the test panics on purpose
		return nil, RegionsOutput{}, nil
	}))
	cs := connect(t, srv)
	msg := callError(t, cs, "boom", map[string]any{})
	if !strings.Contains(msg, "internal error in boom") || !strings.Contains(msg, "assignment to entry in nil map") || !strings.Contains(msg, "server_test.go") {
		t.Errorf("panic = %q, want the message and the stack", msg)
	}
	if out, _ := call[ExplainOutput](t, cs, "explain", map[string]any{"rule": "nilness"}); out.Analyzer != "nilness" {
		t.Errorf("explain nilness after a panic = %+v", out)
	}
}

// TestServe holds that the stdio entry point serves newline-delimited
// JSON-RPC and ends cleanly when the client goes away.
func TestServe(t *testing.T) {
	toServer, fromClient := io.Pipe()
	toClient, fromServer := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Serve(context.Background(), Options{}, toServer, fromServer)
		fromServer.Close()
	}()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test-agent", Version: "0"}, nil).
		Connect(context.Background(), &mcp.IOTransport{Reader: toClient, Writer: fromClient}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := call[ExplainOutput](t, cs, "explain", map[string]any{"rule": "deadlock"}); out.Kind != "deadlock" {
		t.Errorf("explain deadlock = %+v", out)
	}
	if err := cs.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after the client left: %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the client left")
	}
}

// TestScanWithModel runs scan with a model configured: the real go-openai
// client against a fake OpenAI-compatible server.
func TestScanWithModel(t *testing.T) {
	dir := gitModule(t, storeBase, storeChange)
	model := func(reply llmtest.Reply) *pipeline.ModelConfig {
		srv := llmtest.NewServer(t, func(*llmtest.Request) llmtest.Reply { return reply })
		return &pipeline.ModelConfig{
			LLM:     llm.Config{BaseURL: srv.URL, APIKey: "sk-test-0123456789", Model: "fake-model", MaxRetries: 0},
			NoCache: true,
		}
	}
	answer, err := json.Marshal(map[string]any{"findings": []any{map[string]any{
		"kind": "deadlock", "line": bugLine, "end_line": bugLine, "quote": "return 0, errMissing",
		"message": "Get returns with s.mu locked on a missing key.", "explanation": "x", "confidence": 0.9,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	deadlock, _ := findings.RuleByID("deadlock")

	cs := connect(t, New(Options{Model: model(llmtest.Reply{Content: string(answer)})}))
	out, _ := call[ScanOutput](t, cs, "scan", map[string]any{"dir": dir, "sarif": true})
	if !out.ModelConfigured || out.Model != "fake-model" || out.Note != "" || out.SARIF == "" ||
		!slices.ContainsFunc(out.Findings, func(f Finding) bool {
			return f.Rule == deadlock.ID && f.Source == "model:fake-model" && f.Line == bugLine
		}) ||
		!slices.ContainsFunc(out.Findings, func(f Finding) bool { return f.Rule == "SL1201" }) {
		t.Errorf("scan with a model = %+v, want the model's finding and the static one", out)
	}

	// A refused key stops the review: a tool error that still carries what
	// finished.
	cs = connect(t, New(Options{Model: model(llmtest.Error(401, "Incorrect API key provided"))}))
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "scan", Arguments: map[string]any{"dir": dir}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.IsError || !strings.Contains(text(res), "model review stopped") || res.StructuredContent == nil {
		t.Errorf("scan with a refused key: error %v, %q, structured %v", res.IsError, text(res), res.StructuredContent)
	}
}
