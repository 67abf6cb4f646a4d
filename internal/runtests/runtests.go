// Package runtests runs a module's own tests as evidence: each package's
// tests under the race detector, with Go 1.26's goroutine-leak profile
// (GOEXPERIMENT=goroutineleakprofile) written after them. It takes a
// module directory and import paths, and hands back per package how the
// run ended and the reports it showed: each `WARNING: DATA RACE` block with
// its stacks, and each goroutine the leak profile proves can never resume.
//
// Both checks have no false positives by design: the race detector reports
// races that happened, the leak profile goroutines the garbage collector
// proved unreachable. A report is still only evidence about the module when
// a stack has a frame in it; Report.First says where.
//
// The user's tree is never written. The leak profile is written by a test
// file added through `go test -overlay` (see overlay.go): a TestMain that
// wraps m.Run when the package has none, else a test that runs after the
// package's own (sequential) tests. The profile goes to a temporary file
// named by an environment variable.
//
// Failing, hanging and non-compiling packages are data (Package.Status),
// never an error of Run; Run fails only when the packages cannot be listed.
package runtests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sourcegraph/conc/pool"
)

// Config says which packages to test and how.
type Config struct {
	// Dir is the module root (the directory of go.mod).
	Dir string
	// Module is the module path, used to recognise frames of a -trimpath
	// build. Empty leaves only paths under Dir as the module's.
	Module string
	// Packages are the import paths to test. Empty tests nothing.
	Packages []string
	// Timeout bounds each package's tests (go test -timeout); 0 means
	// DefaultTimeout. Building the test binary is not counted: the go
	// command is stopped BuildAllowance after Timeout.
	Timeout time.Duration
	// Jobs is how many packages run at once; 0 or less means 1. Each runs
	// with -p 1, so Jobs is the number of compilers and test binaries.
	Jobs int
	// Env, if non-nil, is the go command's environment (default os.Environ).
	Env []string
	// ModFile, if set, is the go command's -modfile.
	ModFile string
}

// DefaultTimeout is a package's test time when Config.Timeout is 0.
const DefaultTimeout = 2 * time.Minute

// BuildAllowance is how long the go command may take beyond a package's
// test timeout (compiling with -race, the first time, also compiles the
// standard library and every dependency with the race runtime) before it
// is stopped and the package reported as timed out.
const BuildAllowance = 10 * time.Minute

// Status is how a package's run ended.
type Status string

const (
	StatusPass        Status = "pass"         // every test passed
	StatusNoTests     Status = "no-tests"     // the package has no test files: nothing ran
	StatusFail        Status = "fail"         // a test failed (a race fails its test)
	StatusTimeout     Status = "timeout"      // the tests ran past the timeout
	StatusBuildFailed Status = "build-failed" // the package or its tests did not compile
	StatusError       Status = "error"        // the go command failed otherwise
)

// Package is one package's run.
type Package struct {
	ImportPath string        `json:"package"`
	Status     Status        `json:"status"`
	Elapsed    time.Duration `json:"elapsed_ns"`
	// Message says why a package did not pass: the failing tests, the
	// tests running at the timeout, the compiler's first lines.
	Message string `json:"message,omitempty"`
	// Failed are the tests that failed, in the order they ended.
	Failed []string `json:"failed,omitempty"`
	// Reports are the races and leaks the run showed, in output order.
	Reports []Report `json:"reports,omitempty"`
	// LeakProfile says whether the goroutine-leak profile was written: it
	// is not when the tests exited early (os.Exit, a crash, a timeout) or
	// the toolchain has no goroutineleak profile.
	LeakProfile bool `json:"leak_profile"`
}

// Kind is what a report shows.
type Kind string

const (
	KindRace Kind = "race" // a WARNING: DATA RACE block
	KindLeak Kind = "leak" // a goroutine of the goroutineleak profile
)

// Report is one race or one leaked goroutine.
type Report struct {
	Kind Kind `json:"kind"`
	// Test is the test running when the race was reported ("" when none
	// was, or for leaks: the profile is written after every test).
	Test string `json:"test,omitempty"`
	// Stacks: for a race, the access, the previous access, then where
	// their goroutines were created; for a leak, the goroutine's stack,
	// then where it was created.
	Stacks []Stack `json:"stacks"`
}

// Stack is one titled stack of a report.
type Stack struct {
	// Title is the report's own header: "Write at 0x00c0000b4010 by
	// goroutine 8", "goroutine 21 [chan send (leaked)]", "created by
	// example.com/m.Leak in goroutine 20".
	Title  string  `json:"title"`
	Frames []Frame `json:"frames"`
}

// Frame is one call of a stack.
type Frame struct {
	Func string `json:"func"` // as the runtime prints it: example.com/m.(*T).Run.func1
	Path string `json:"path"` // as printed: absolute, or module-relative under -trimpath
	Line int    `json:"line"`
	// File is the module-relative slash path when the frame is in the
	// module, "" otherwise.
	File string `json:"file,omitempty"`
}

// First returns the first frame in the module of the report's first stack
// that has one: where the race's access or the leaked goroutine's block is.
func (r Report) First() (Frame, bool) {
	for _, s := range r.Stacks {
		if f, ok := s.First(); ok {
			return f, true
		}
	}
	return Frame{}, false
}

// First returns the stack's first frame in the module.
func (s Stack) First() (Frame, bool) {
	for _, f := range s.Frames {
		if f.File != "" {
			return f, true
		}
	}
	return Frame{}, false
}

// Result is the run of every package, in Config.Packages order.
type Result struct {
	Packages []Package `json:"packages"`
	// LeakProfile says whether the toolchain has the goroutine-leak
	// experiment; without it only races are looked for, and Note says so.
	LeakProfile bool   `json:"leak_profile"`
	Note        string `json:"note,omitempty"`
}

// leakEnv names the file the overlay test writes the profile to.
const leakEnv = "SECONDLOOK_GOROUTINE_LEAK_PROFILE"

// Run tests the packages. It returns an error only when it cannot start:
// the packages cannot be listed or a temporary directory cannot be made.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	res := &Result{Packages: []Package{}}
	if len(cfg.Packages) == 0 {
		return res, nil
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	env := cfg.Env
	if env == nil {
		env = os.Environ()
	}
	env, res.LeakProfile = withLeakExperiment(ctx, cfg.Dir, env)
	if !res.LeakProfile {
		res.Note = "this Go has no goroutine-leak profile (GOEXPERIMENT=goroutineleakprofile needs Go 1.26 or later): only races were looked for"
	}
	pkgs, err := list(ctx, cfg, env)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "secondlook-runtests-")
	if err != nil {
		return nil, fmt.Errorf("running tests: %w", err)
	}
	defer os.RemoveAll(tmp)

	res.Packages = make([]Package, len(cfg.Packages))
	p := pool.New().WithMaxGoroutines(max(cfg.Jobs, 1))
	for i, path := range cfg.Packages {
		p.Go(func() {
			lp, ok := pkgs[path]
			if !ok {
				res.Packages[i] = Package{ImportPath: path, Status: StatusError, Message: "go list did not return the package"}
				return
			}
			res.Packages[i] = runPackage(ctx, cfg, env, lp, filepath.Join(tmp, fmt.Sprint(i)))
		})
	}
	p.Wait()
	return res, nil
}

// withLeakExperiment adds goroutineleakprofile to GOEXPERIMENT, if the go
// command knows it.
func withLeakExperiment(ctx context.Context, dir string, env []string) ([]string, bool) {
	cur := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GOEXPERIMENT="); ok {
			cur = v
		}
	}
	exp := "goroutineleakprofile"
	if cur != "" {
		exp = cur + "," + exp
	}
	with := append(slices.Clone(env), "GOEXPERIMENT="+exp)
	cmd := exec.CommandContext(ctx, "go", "env", "GOEXPERIMENT")
	cmd.Dir = dir
	cmd.Env = with
	if out, err := cmd.Output(); err != nil || !strings.Contains(string(out), "goroutineleakprofile") {
		return env, false
	}
	return with, true
}

// listed is what go list says of a package.
type listed struct {
	ImportPath   string
	Name         string
	Dir          string
	GoFiles      []string
	TestGoFiles  []string
	XTestGoFiles []string
	Error        *struct{ Err string }
}

func list(ctx context.Context, cfg Config, env []string) (map[string]listed, error) {
	args := []string{"list", "-e", "-json=ImportPath,Name,Dir,GoFiles,TestGoFiles,XTestGoFiles,Error"}
	if cfg.ModFile != "" {
		args = append(args, "-modfile="+cfg.ModFile)
	}
	args = append(args, "--")
	cmd := exec.CommandContext(ctx, "go", append(args, cfg.Packages...)...)
	cmd.Dir = cfg.Dir
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing the packages to test: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	pkgs := map[string]listed{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listed
		if err := dec.Decode(&p); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("listing the packages to test: %w", err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs, nil
}

// runPackage runs one package's tests; work is its own temporary directory.
func runPackage(ctx context.Context, cfg Config, env []string, p listed, work string) Package {
	out := Package{ImportPath: p.ImportPath}
	if p.Error != nil {
		out.Status = StatusBuildFailed
		out.Message = strings.TrimSpace(p.Error.Err)
		return out
	}
	if len(p.TestGoFiles)+len(p.XTestGoFiles) == 0 {
		out.Status = StatusNoTests
		return out
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		out.Status, out.Message = StatusError, err.Error()
		return out
	}
	ov, err := writeOverlay(p, work)
	if err != nil {
		out.Status, out.Message = StatusError, "adding the leak-profile test: "+err.Error()
		return out
	}
	profile := filepath.Join(work, "goroutineleak.txt")

	args := []string{"test", "-race", "-count=1", "-json", "-p=1",
		"-timeout=" + cfg.Timeout.String(), "-overlay=" + ov.json}
	if cfg.ModFile != "" {
		args = append(args, "-modfile="+cfg.ModFile)
	}
	args = append(args, p.ImportPath)
	cctx, cancel := context.WithTimeout(ctx, cfg.Timeout+BuildAllowance)
	defer cancel()
	cmd := exec.CommandContext(cctx, "go", args...)
	cmd.Dir = cfg.Dir
	cmd.Env = append(slices.Clone(env), leakEnv+"="+profile)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	runErr := cmd.Run()
	out.Elapsed = time.Since(start)

	m := mapper{dir: cfg.Dir, module: cfg.Module, skip: ov.target}
	ev := parseEvents(stdout.Bytes(), p.ImportPath, ov.testName)
	out.Failed = ev.failed
	for _, r := range ev.races {
		out.Reports = append(out.Reports, m.report(r))
	}
	if b, err := os.ReadFile(profile); err == nil {
		out.LeakProfile = true
		for _, r := range parseLeakProfile(string(b)) {
			out.Reports = append(out.Reports, m.report(r))
		}
	}

	switch {
	case cctx.Err() != nil && ctx.Err() == nil:
		out.Status = StatusTimeout
		out.Message = fmt.Sprintf("the go command was stopped after %s (test timeout %s plus %s to build)", cfg.Timeout+BuildAllowance, cfg.Timeout, BuildAllowance)
	case ev.timedOut != "":
		out.Status = StatusTimeout
		out.Message = ev.timedOut
	case ev.buildFailed:
		out.Status = StatusBuildFailed
		out.Message = firstLines(ev.buildOutput, 20)
	case len(out.Failed) > 0 || ev.packageFailed:
		out.Status = StatusFail
		if len(out.Failed) > 0 {
			out.Message = "failed: " + strings.Join(out.Failed, ", ")
		} else {
			out.Message = firstLines(ev.packageOutput, 20)
		}
	case runErr != nil && !ev.packagePassed:
		out.Status = StatusError
		out.Message = strings.TrimSpace(firstLines(stderr.String()+ev.packageOutput, 20))
		if out.Message == "" {
			out.Message = runErr.Error()
		}
	default:
		out.Status = StatusPass
	}
	return out
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("… (%d more lines)", len(lines)-n))
	}
	return strings.Join(lines, "\n")
}
