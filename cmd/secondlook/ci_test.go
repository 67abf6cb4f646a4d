package main

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/secondlook/secondlook/internal/testtree"
)

// The tests of the GitHub Action (action.yml) and the example workflows
// (examples/workflows): they parse, use only what they declare, and the
// action's scripts do what they say on a real repository.

// actionFile is the action's metadata.
type actionFile struct {
	Name   string `yaml:"name"`
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	ID    string            `yaml:"id"`
	If    string            `yaml:"if"`
	Uses  string            `yaml:"uses"`
	Shell string            `yaml:"shell"`
	Env   map[string]string `yaml:"env"`
	With  map[string]string `yaml:"with"`
	Run   string            `yaml:"run"`
}

var repoRoot = filepath.Join("..", "..")

func readAction(t *testing.T) (*actionFile, string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatalf("action.yml does not parse: %v", err)
	}
	return &a, string(data)
}

var (
	inputRef   = regexp.MustCompile(`\binputs\.([A-Za-z0-9_-]+)`)
	stepOutRef = regexp.MustCompile(`\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)`)
	shellVar   = regexp.MustCompile(`\$\{?([A-Z][A-Z0-9_]*)`)
)

// runnerVars are the variables GitHub's runner sets for every step.
var runnerVars = map[string]bool{
	"GITHUB_OUTPUT": true, "GITHUB_PATH": true, "GITHUB_ENV": true, "GITHUB_WORKSPACE": true,
	"RUNNER_TEMP": true, "PWD": true, "HOME": true,
}

func TestActionMetadata(t *testing.T) {
	a, text := readAction(t)
	if a.Runs.Using != "composite" || len(a.Runs.Steps) == 0 {
		t.Fatalf("runs = %+v, want a composite action with steps", a.Runs)
	}
	for _, m := range inputRef.FindAllStringSubmatch(text, -1) {
		if _, ok := a.Inputs[m[1]]; !ok {
			t.Errorf("action.yml uses inputs.%s, which it does not declare", m[1])
		}
	}
	for name, in := range a.Inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
		if strings.Contains(strings.ToLower(name), "key") || strings.Contains(strings.ToLower(name), "token") {
			t.Errorf("input %s: the API key comes from the environment (OPENAI_API_KEY), never an input", name)
		}
	}
	for _, want := range []string{"model", "base-url", "diff-base", "fail-on", "category", "extra-args", "version", "sarif-file", "shard", "install-only"} {
		if _, ok := a.Inputs[want]; !ok {
			t.Errorf("action.yml lacks the input %s", want)
		}
	}
	ids := map[string]bool{}
	for _, s := range a.Runs.Steps {
		ids[s.ID] = true
	}
	for _, m := range stepOutRef.FindAllStringSubmatch(text, -1) {
		if !ids[m[1]] {
			t.Errorf("action.yml uses steps.%s.outputs.%s: no step has the id %s", m[1], m[2], m[1])
		}
	}
	if out, ok := a.Outputs["sarif-file"]; !ok || !strings.Contains(out.Value, "steps.scan.outputs.sarif-file") {
		t.Errorf("output sarif-file = %+v, want the scan step's", out)
	}
	for _, s := range a.Runs.Steps {
		if s.Run == "" {
			continue
		}
		// An input written into a script is shell code an attacker may
		// choose (a branch name, a PR title): inputs go through env.
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %s: an expression inside run: pass it through env", s.ID)
		}
		if s.Shell != "bash" {
			t.Errorf("step %s: shell %q, want bash (a composite step must name its shell)", s.ID, s.Shell)
		}
		for _, m := range shellVar.FindAllStringSubmatch(s.Run, -1) {
			if _, ok := s.Env[m[1]]; !ok && !runnerVars[m[1]] {
				t.Errorf("step %s uses $%s, which neither its env nor the runner sets", s.ID, m[1])
			}
		}
	}
}

// workflowFile is the part of a workflow the tests read.
type workflowFile struct {
	On   map[string]any `yaml:"on"`
	Jobs map[string]struct {
		Needs    any `yaml:"needs"`
		Strategy struct {
			Matrix map[string]any `yaml:"matrix"`
		} `yaml:"strategy"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"jobs"`
}

func isSecondlookAction(uses string) bool {
	return uses == "./" || strings.HasPrefix(uses, "secondlook/secondlook@")
}

func TestExampleWorkflows(t *testing.T) {
	a, _ := readAction(t)
	names, err := filepath.Glob(filepath.Join(repoRoot, "examples", "workflows", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	category := map[string]string{"pr.yml": "secondlook/pr/", "nightly.yml": "secondlook/full/", "sharded.yml": "secondlook/full/"}
	var got []string
	for _, name := range names {
		base := filepath.Base(name)
		got = append(got, base)
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var w workflowFile
		if err := yaml.Unmarshal(data, &w); err != nil {
			t.Errorf("%s does not parse: %v", base, err)
			continue
		}
		if len(w.On) == 0 || len(w.Jobs) == 0 {
			t.Errorf("%s: no triggers or no jobs", base)
		}
		var dispatchInputs map[string]any
		if wd, ok := w.On["workflow_dispatch"].(map[string]any); ok {
			dispatchInputs, _ = wd["inputs"].(map[string]any)
		}
		for _, m := range inputRef.FindAllStringSubmatch(string(data), -1) {
			if _, ok := dispatchInputs[m[1]]; !ok {
				t.Errorf("%s uses inputs.%s, which it does not declare", base, m[1])
			}
		}
		uploads, merges := 0, 0
		for jobName, job := range w.Jobs {
			ours := map[string]bool{} // ids of steps that run the action
			ids := map[string]bool{}
			for _, s := range job.Steps {
				ids[s.ID] = true
				if s.Run != "" && strings.Contains(s.Run, "${{") {
					t.Errorf("%s job %s: an expression inside run: pass it through env", base, jobName)
				}
				if s.Uses != "" && !strings.Contains(s.Uses, "@") && s.Uses != "./" {
					t.Errorf("%s job %s: %s is not pinned to a version", base, jobName, s.Uses)
				}
				if strings.Contains(s.Run, "secondlook merge") {
					merges++
				}
				switch {
				case isSecondlookAction(s.Uses):
					ours[s.ID] = true
					for k := range s.With {
						if _, ok := a.Inputs[k]; !ok {
							t.Errorf("%s job %s: with.%s is not an input of action.yml", base, jobName, k)
						}
					}
					if strings.Contains(strings.ToLower(fmt.Sprint(s.With)), "api_key") {
						t.Errorf("%s job %s: the key goes in env, not with", base, jobName)
					}
					if sh := s.With["shard"]; sh != "" {
						checkShardMatrix(t, base, sh, job.Strategy.Matrix)
					}
				case strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@"):
					uploads++
					if s.With["category"] != category[base] {
						t.Errorf("%s: upload category %q, want %q", base, s.With["category"], category[base])
					}
				}
			}
			for _, m := range stepOutRef.FindAllStringSubmatch(string(mustMarshal(t, job.Steps)), -1) {
				switch {
				case !ids[m[1]]:
					t.Errorf("%s job %s uses steps.%s: no step has that id", base, jobName, m[1])
				case ours[m[1]]:
					if _, ok := a.Outputs[m[2]]; !ok {
						t.Errorf("%s job %s uses steps.%s.outputs.%s: not an output of action.yml", base, jobName, m[1], m[2])
					}
				}
			}
		}
		if uploads != 1 {
			t.Errorf("%s: %d uploads of SARIF, want one", base, uploads)
		}
		if base == "sharded.yml" && merges != 1 {
			t.Errorf("sharded.yml: %d secondlook merge steps, want one", merges)
		}
	}
	if want := slices.Sorted(maps.Keys(category)); !slices.Equal(got, want) {
		t.Errorf("examples/workflows holds %v, want %v", got, want)
	}
}

// checkShardMatrix holds that shard: "${{ matrix.shard }}/N" matches a
// matrix of N shards 1..N.
func checkShardMatrix(t *testing.T, file, spec string, matrix map[string]any) {
	t.Helper()
	m := regexp.MustCompile(`^\$\{\{ matrix\.(\w+) \}\}/(\d+)$`).FindStringSubmatch(spec)
	if m == nil {
		t.Errorf("%s: shard %q, want ${{ matrix.NAME }}/N", file, spec)
		return
	}
	n, _ := strconv.Atoi(m[2])
	list, _ := matrix[m[1]].([]any)
	var want []any
	for i := 1; i <= n; i++ {
		want = append(want, i)
	}
	if fmt.Sprint(list) != fmt.Sprint(want) {
		t.Errorf("%s: matrix.%s = %v, want %v for shard %s", file, m[1], list, want, spec)
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The fixture of TestActionSteps: a module in a subdirectory of its
// repository, whose change adds a nil dereference next to an old one.
const (
	actionBase = `package store

type T struct{ n int }

// Find returns the count stored for k.
func Find(m map[string]*T, k string) int {
	if t := m[k]; t != nil {
		return t.n
	}
	return 0
}

// Old has a bug nobody touched today.
func Old(m map[string]*T, k string) int {
	t := m[k]
	if t == nil {
		return t.n
	}
	return 0
}
`
	actionChange = `package store

type T struct{ n int }

// Find returns the count stored for k.
func Find(m map[string]*T, k string) int {
	t := m[k]
	if t == nil {
		return t.n
	}
	return 0
}

// Old has a bug nobody touched today.
func Old(m map[string]*T, k string) int {
	t := m[k]
	if t == nil {
		return t.n
	}
	return 0
}
`
)

// actionRun is one run of the action's steps.
type actionRun struct {
	outputs map[string]string // the action's outputs
	code    int               // the exit code of the last step run
	log     string
}

// TestActionSteps runs the action's own scripts, extracted from action.yml,
// with bash as the runner runs them, on a pull request's change in a real
// git repository: install (built from this checkout, as for uses: ./), then
// scan. Only the env the runner would give them is set.
func TestActionSteps(t *testing.T) {
	if testing.Short() {
		t.Skip("builds secondlook with go install")
	}
	for _, tool := range []string{"bash", "git", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not on PATH", tool)
		}
	}
	a, _ := readAction(t)
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	ws := t.TempDir()
	runnerTemp := t.TempDir()
	env := ciEnv(ws)
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = ws, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(name, text string) { testtree.WriteFiles(t, ws, map[string]string{name: text}) }
	write("README", "a repository with a Go module in svc/\n")
	write("svc/go.mod", "module example.com/svc\n\ngo 1.22\n")
	write("svc/store/store.go", actionBase)
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "base")
	baseSHA := git("rev-parse", "HEAD")
	git("checkout", "-q", "-b", "change")
	write("svc/store/store.go", actionChange)
	git("commit", "-q", "-am", "change")

	github := map[string]string{
		"github.action_ref":                  "", // a local action
		"github.action_path":                 root,
		"github.event.pull_request.base.sha": baseSHA,
		"github.event.merge_group.base_sha":  "",
		"runner.temp":                        runnerTemp,
	}
	run := func(inputs map[string]string) actionRun {
		t.Helper()
		return runAction(t, a, inputs, github, env, ws, runnerTemp)
	}

	// A pull request: the default diff base is its base commit. The change's
	// bug fails the step; the SARIF is written and the outputs set first.
	r := run(map[string]string{"working-directory": "svc", "fail-on": "error"})
	if r.code != exitFindings {
		t.Fatalf("scan exit code %d, want %d\n%s", r.code, exitFindings, r.log)
	}
	if r.outputs["exit-code"] != "3" || r.outputs["sarif-file"] != filepath.Join(runnerTemp, "secondlook.sarif") {
		t.Errorf("outputs = %v", r.outputs)
	}
	if r.outputs["version"] != "0.0.0-devel" || !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(r.outputs["prompt-version"]) {
		t.Errorf("version outputs = %v", r.outputs)
	}
	if !strings.Contains(r.log, "--diff "+baseSHA) {
		t.Errorf("the scan was not a diff scan against the base commit:\n%s", r.log)
	}
	results := sarifResults(t, r.outputs["sarif-file"])
	if want := []string{"secondlook/pr/ svc/store/store.go:9"}; !slices.Equal(results, want) {
		t.Errorf("results = %v, want %v (the change's bug only, at its repository path)", results, want)
	}

	// Every input at once; a relative sarif-file is the workspace's.
	r = run(map[string]string{"working-directory": "svc", "fail-on": "none", "category": "secondlook/pr/svc/",
		"shard": "1/1", "extra-args": "--max-regions 5   --tests=false ./store/...", "sarif-file": "out/s.sarif",
		"cache-dir": filepath.Join(runnerTemp, "answers"), "model": "", "base-url": "", "version": ""})
	if r.code != 0 || r.outputs["sarif-file"] != filepath.Join(ws, "out", "s.sarif") {
		t.Fatalf("exit code %d, outputs %v\n%s", r.code, r.outputs, r.log)
	}
	if results := sarifResults(t, r.outputs["sarif-file"]); !slices.Equal(results, []string{"secondlook/pr/svc/ svc/store/store.go:9"}) {
		t.Errorf("results = %v", results)
	}
	for _, arg := range []string{"--shard 1/1", "--category secondlook/pr/svc/", "--max-regions 5 --tests=false ./store/..."} {
		if !strings.Contains(r.log, arg) {
			t.Errorf("the scan's command line lacks %q:\n%s", arg, r.log)
		}
	}
	os.RemoveAll(filepath.Join(ws, "out"))

	// diff-base none: a full scan, which reports the old bug too.
	r = run(map[string]string{"working-directory": "svc", "diff-base": "none"})
	if r.code != 0 {
		t.Fatalf("exit code %d\n%s", r.code, r.log)
	}
	want := []string{"secondlook/full/ svc/store/store.go:18", "secondlook/full/ svc/store/store.go:9"}
	if results := sarifResults(t, r.outputs["sarif-file"]); !slices.Equal(results, want) {
		t.Errorf("full scan results = %v, want %v", results, want)
	}

	// install-only: secondlook on the PATH, no scan.
	r = run(map[string]string{"install-only": "true"})
	if r.code != 0 || r.outputs["sarif-file"] != "" || strings.Contains(r.log, "secondlook scan") {
		t.Errorf("install-only ran a scan: code %d, outputs %v\n%s", r.code, r.outputs, r.log)
	}

	// A failed usage, as a bad input makes: exit 2, no SARIF.
	r = run(map[string]string{"working-directory": "svc", "fail-on": "sometimes"})
	if r.code != exitUsage || r.outputs["sarif-file"] != "" || r.outputs["exit-code"] != "2" {
		t.Errorf("bad fail-on: code %d, outputs %v\n%s", r.code, r.outputs, r.log)
	}
}

// ciEnv is the environment of the action's steps: the test's, without
// anything that would reach a model or change the go command.
func ciEnv(ws string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "OPENAI_"), strings.HasPrefix(k, "SECONDLOOK_"), strings.HasPrefix(k, "GITHUB_"),
			strings.HasPrefix(k, "RUNNER_"), strings.HasPrefix(k, "GIT_"), k == "GOFLAGS", k == "GOPROXY", k == "GOTOOLCHAIN":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "GIT_CEILING_DIRECTORIES="+filepath.Dir(ws),
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
}

// runAction runs the action's steps as the runner would: defaults filled
// in, expressions evaluated into each step's env, each script run by
// bash -e -o pipefail in the workspace, outputs read from $GITHUB_OUTPUT.
func runAction(t *testing.T, a *actionFile, given, ctx map[string]string, env []string, ws, runnerTemp string) actionRun {
	t.Helper()
	vals := map[string]string{}
	for k, v := range ctx {
		vals[k] = v
	}
	for name, in := range a.Inputs {
		v, ok := given[name]
		if !ok {
			v = evalTemplate(t, in.Default, vals)
		}
		vals["inputs."+name] = v
	}
	for name := range given {
		if _, ok := a.Inputs[name]; !ok {
			t.Fatalf("no input %s", name)
		}
	}
	var r actionRun
	var log strings.Builder
	for i, s := range a.Runs.Steps {
		if s.If != "" && !evalCondition(t, s.If, vals) {
			continue
		}
		if s.Uses != "" || s.Run == "" {
			t.Fatalf("step %d: only run steps can be tested here", i)
		}
		dir := t.TempDir()
		script, outFile := filepath.Join(dir, "script.sh"), filepath.Join(dir, "output")
		if err := os.WriteFile(script, []byte(s.Run), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-e", "-o", "pipefail", script)
		cmd.Dir = ws
		cmd.Env = append(slices.Clone(env), "GITHUB_OUTPUT="+outFile, "GITHUB_PATH="+filepath.Join(dir, "path"),
			"GITHUB_WORKSPACE="+ws, "RUNNER_TEMP="+runnerTemp)
		for _, k := range slices.Sorted(maps.Keys(s.Env)) {
			cmd.Env = append(cmd.Env, k+"="+evalTemplate(t, s.Env[k], vals))
		}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		fmt.Fprintf(&log, "--- step %s:\n%s", s.ID, out.String())
		r.code = 0
		if err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatal(err)
			}
			r.code = ee.ExitCode()
		}
		data, _ := os.ReadFile(outFile)
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				vals["steps."+s.ID+".outputs."+k] = v
			}
		}
		if r.code != 0 {
			break // the runner stops at a failed step
		}
	}
	r.outputs = map[string]string{}
	for name, out := range a.Outputs {
		r.outputs[name] = evalTemplate(t, out.Value, vals)
	}
	r.log = log.String()
	return r
}

var expr = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// evalTemplate evaluates the ${{ }} expressions of s: context values and
// a || b, all this action uses. A value the test does not know fails it.
func evalTemplate(t *testing.T, s string, vals map[string]string) string {
	t.Helper()
	return expr.ReplaceAllStringFunc(s, func(m string) string {
		e := expr.FindStringSubmatch(m)[1]
		for _, alt := range strings.Split(e, "||") {
			alt = strings.TrimSpace(alt)
			v, ok := vals[alt]
			if !ok && strings.HasPrefix(alt, "steps.") {
				v, ok = "", true // a step that did not run, or did not set it
			}
			if !ok {
				t.Fatalf("expression %q: the test knows no %s", e, alt)
			}
			if v != "" {
				return v
			}
		}
		return ""
	})
}

// evalCondition evaluates an if: of the form inputs.NAME == 'V' or !=.
func evalCondition(t *testing.T, cond string, vals map[string]string) bool {
	t.Helper()
	m := regexp.MustCompile(`^(\S+) (==|!=) '([^']*)'$`).FindStringSubmatch(strings.TrimSpace(cond))
	if m == nil {
		t.Fatalf("if: %q: the test evaluates only NAME == 'V' and NAME != 'V'", cond)
	}
	v, ok := vals[m[1]]
	if !ok {
		t.Fatalf("if: %q: the test knows no %s", cond, m[1])
	}
	return (v == m[3]) == (m[2] == "==")
}
