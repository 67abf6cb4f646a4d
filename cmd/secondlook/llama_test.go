package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/secondlook/secondlook/internal/llm/llamatest"
	"github.com/secondlook/secondlook/internal/sarifschema"
)

// The tests named TestLlamaServer… run secondlook scan against a real
// llama.cpp server (llama-server) with a tiny model the test writes
// (internal/llm/llamatest). They skip when SECONDLOOK_LLAMA_SERVER is
// unset; .ci/run sets it. In every case each region ends reviewed (its
// answer is in the cache) or reported (a review failure in the SARIF), and
// the SARIF is valid.

// llamaShop is a package with six functions that use locks, channels and
// goroutines, so that a full scan sends six regions to the model.
const llamaShop = `package shop

import (
	"context"
	"errors"
	"sync"
	"time"
)

var ErrClosed = errors.New("closed")

type Cart struct {
	mu    sync.Mutex
	items map[string]int
	done  chan struct{}
}

func (c *Cart) Add(sku string, n int) error {
	c.mu.Lock()
	if c.items == nil {
		return ErrClosed
	}
	c.items[sku] += n
	c.mu.Unlock()
	return nil
}

func (c *Cart) Total(prices map[string]int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	total := 0
	for sku, n := range c.items {
		total += prices[sku] * n
	}
	return total
}

func (c *Cart) Watch(ctx context.Context, every time.Duration, f func()) {
	go func() {
		t := time.NewTicker(every)
		for {
			select {
			case <-t.C:
				f()
			case <-c.done:
				return
			}
		}
	}()
}

func Fetch(ctx context.Context, urls []string, get func(string) (int, error)) []int {
	out := make([]int, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		go func() {
			wg.Add(1)
			defer wg.Done()
			n, err := get(u)
			if err == nil {
				out[i] = n
			}
		}()
	}
	wg.Wait()
	return out
}

func First(ctx context.Context, tries int, f func() (string, error)) (string, error) {
	ch := make(chan string)
	for i := 0; i < tries; i++ {
		go func() {
			if s, err := f(); err == nil {
				ch <- s
			}
		}()
	}
	select {
	case s := <-ch:
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (c *Cart) Close() {
	c.mu.Lock()
	close(c.done)
	c.items = nil
	c.mu.Unlock()
	close(c.done)
}
`

func llamaRepo(t *testing.T) string {
	t.Helper()
	return gitInit(t, map[string]string{"go.mod": "module example.com/shop\n\ngo 1.22\n", "shop/shop.go": llamaShop})
}

// llamaRun is what one scan against llama-server left behind.
type llamaRun struct {
	cliRun
	regions  []string          // file:line of each region the scan selects (--dry-run)
	failed   map[string]string // file:line of each region reported as a review failure, and its message
	answered int               // regions whose answer the scan cached
	sarif    []byte
	report   llamaReport // the cached answers replayed offline, as JSON
	elapsed  time.Duration
}

type llamaReport struct {
	Findings []struct {
		Source string `json:"source"`
	} `json:"findings"`
	Stats struct {
		Regions int            `json:"regions"`
		Claims  int            `json:"claims"`
		Dropped map[string]int `json:"dropped"`
	} `json:"stats"`
}

// scanLlama runs secondlook scan on dir against the model server at
// baseURL, with args added, and checks what every run must leave: a valid
// SARIF report, each region answered or reported, the exit code that says
// which.
func scanLlama(t *testing.T, dir, baseURL string, args ...string) llamaRun {
	t.Helper()
	env := map[string]string{"OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""}
	model := []string{"--base-url", baseURL, "--model", llamatest.ModelName}
	var run llamaRun

	run.regions = llamaRegions(t, dir, baseURL)

	cacheDir := t.TempDir()
	out := filepath.Join(t.TempDir(), "report.sarif")
	scan := append([]string{"scan", "-C", dir, "--cache-dir", cacheDir, "--format", "sarif", "-o", out}, model...)
	start := time.Now()
	run.cliRun = runCLI(t, env, append(scan, args...)...)
	run.elapsed = time.Since(start)
	run.checkReport(t, out, cacheDir)
	run.checkExit(t)

	// The answers again, from the cache: claims and drops, as JSON.
	replay := runCLI(t, env, append([]string{"scan", "-C", dir, "--cache-dir", cacheDir, "--offline", "--format", "json"}, model...)...)
	if err := json.Unmarshal([]byte(replay.stdout), &run.report); err != nil {
		t.Fatalf("offline replay: %v\n%s", err, replay.stderr)
	}
	return run
}

// llamaRegions returns file:line of each region a scan of dir selects,
// from a dry run (which sends nothing).
func llamaRegions(t *testing.T, dir, baseURL string) []string {
	t.Helper()
	dry := runCLI(t, map[string]string{"OPENAI_API_KEY": "", "OPENAI_BASE_URL": ""},
		"scan", "-C", dir, "--dry-run", "--format", "json", "--base-url", baseURL, "--model", llamatest.ModelName)
	var sel struct {
		Regions []struct {
			File      string `json:"file"`
			StartLine int    `json:"start_line"`
		} `json:"regions"`
	}
	if err := json.Unmarshal([]byte(dry.stdout), &sel); err != nil {
		t.Fatalf("dry run: %v\n%s\n%s", err, dry.stdout, dry.stderr)
	}
	var regions []string
	for _, r := range sel.Regions {
		regions = append(regions, fmt.Sprintf("%s:%d", r.File, r.StartLine))
	}
	if len(regions) == 0 {
		t.Fatalf("the dry run selects no regions:\n%s", dry.stderr)
	}
	return regions
}

// checkReport reads the SARIF report and the cache: each region is either
// answered (cached) or reported as a failure, never both, never neither.
func (run *llamaRun) checkReport(t *testing.T, out, cacheDir string) {
	t.Helper()
	var err error
	run.sarif, err = os.ReadFile(out)
	if err != nil {
		t.Fatalf("no report written: %v\nstderr: %s", err, run.stderr)
	}
	if err := sarifschema.Validate(run.sarif); err != nil {
		t.Fatalf("the report is not valid SARIF: %v", err)
	}
	var log struct {
		Runs []struct {
			Invocations []struct {
				Notifications []struct {
					Message   struct{ Text string } `json:"message"`
					Locations []struct {
						Physical struct {
							Artifact struct{ URI string } `json:"artifactLocation"`
							Region   struct {
								StartLine int `json:"startLine"`
							} `json:"region"`
						} `json:"physicalLocation"`
					} `json:"locations"`
					Properties struct{ Stage string } `json:"properties"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(run.sarif, &log); err != nil {
		t.Fatal(err)
	}
	run.failed = map[string]string{}
	for _, n := range log.Runs[0].Invocations[0].Notifications {
		if n.Properties.Stage != "review" {
			t.Errorf("a failure of stage %q: %s", n.Properties.Stage, n.Message.Text)
			continue
		}
		if len(n.Locations) != 1 {
			t.Errorf("a review failure without its region: %s", n.Message.Text)
			continue
		}
		loc := n.Locations[0].Physical
		key := fmt.Sprintf("%s:%d", loc.Artifact.URI, loc.Region.StartLine)
		if !slices.Contains(run.regions, key) {
			t.Errorf("a review failure at %s, which is no region of %v", key, run.regions)
		}
		if _, dup := run.failed[key]; dup {
			t.Errorf("region %s reported twice", key)
		}
		run.failed[key] = n.Message.Text
	}
	// Answers only: --cache-dir also holds the packages' analysis, in DIR/analysis.
	filepath.WalkDir(cacheDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && path == filepath.Join(cacheDir, "analysis") {
			return filepath.SkipDir
		}
		if err == nil && d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
			run.answered++
		}
		return nil
	})
	if run.answered+len(run.failed) != len(run.regions) {
		t.Errorf("%d regions, %d answered, %d reported as failures: some region ended neither way\nstderr: %s",
			len(run.regions), run.answered, len(run.failed), run.stderr)
	}
}

func (run *llamaRun) checkExit(t *testing.T) {
	t.Helper()
	want := exitOK
	if len(run.failed) > 0 {
		want = exitFailure
	}
	if run.code != want {
		t.Errorf("exit %d with %d failed regions, want %d\nstderr: %s", run.code, len(run.failed), want, run.stderr)
	}
}

// TestLlamaServerScan: strict json_schema on the real server. Every region
// is answered in one request, the answers parse, and the random model's
// claims are all dropped by the check against the code.
func TestLlamaServerScan(t *testing.T) {
	srv := llamatest.Start(t, llamatest.Options{})
	run := scanLlama(t, llamaRepo(t), srv.URL, "--retries", "0")
	if len(run.failed) > 0 {
		t.Fatalf("failures with strict json_schema: %v", run.failed)
	}
	rep := run.report
	dropped := 0
	for _, n := range rep.Stats.Dropped {
		dropped += n
	}
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.Source, "model") {
			t.Errorf("a random claim passed the check against the code: %+v", f)
		}
	}
	if rep.Stats.Claims == 0 || dropped != rep.Stats.Claims {
		t.Errorf("%d claims, %d dropped (%v): want some claims, all dropped", rep.Stats.Claims, dropped, rep.Stats.Dropped)
	}
	t.Logf("%d regions in %v (the whole scan); %d claims, dropped %v", len(run.regions), run.elapsed.Round(time.Millisecond), rep.Stats.Claims, rep.Stats.Dropped)
}

// TestLlamaServerFallbacks: the structured-output fallbacks reach the real
// server. llama-server accepts json_object but does not constrain the
// answer on its Jinja chat path, so prose may come back; text mode gets
// what the model writes. Either way the repair request runs and the region
// ends answered or reported.
func TestLlamaServerFallbacks(t *testing.T) {
	srv := llamatest.Start(t, llamatest.Options{})
	dir := llamaRepo(t)
	for _, refuse := range [][]string{{"json_schema"}, {"json_schema", "json_object"}} {
		t.Run("refuse "+strings.Join(refuse, " "), func(t *testing.T) {
			proxy := llamatest.RefuseFormats(t, srv, refuse...)
			run := scanLlama(t, dir, proxy.URL, "--retries", "0", "--concurrency", "1")
			if proxy.Refused() != len(refuse) {
				t.Errorf("%d requests refused, want %d (the client remembers the mode that works): %v", proxy.Refused(), len(refuse), proxy.Formats())
			}
			for key, msg := range run.failed {
				if !strings.Contains(msg, "not usable") && !strings.Contains(msg, "cut off") {
					t.Errorf("%s failed for another reason than the answer: %s", key, msg)
				}
			}
			t.Logf("%d regions: %d answered, %d failed; formats %v", len(run.regions), run.answered, len(run.failed), proxy.Formats())
		})
	}
}

// TestLlamaServerLength: answers cut by --max-output-tokens (finish_reason
// length) are reported with what to do, and no repair is asked.
func TestLlamaServerLength(t *testing.T) {
	srv := llamatest.Start(t, llamatest.Options{})
	proxy := llamatest.NewProxy(t, srv, llamatest.ProxyOptions{})
	run := scanLlama(t, llamaRepo(t), proxy.URL, "--max-output-tokens", "8", "--retries", "0")
	if len(run.failed) != len(run.regions) {
		t.Fatalf("%d of %d regions failed, want all", len(run.failed), len(run.regions))
	}
	for key, msg := range run.failed {
		if !strings.Contains(msg, "cut off at the output token limit") || !strings.Contains(msg, "--max-output-tokens") {
			t.Errorf("%s: %s", key, msg)
		}
	}
	if n := len(proxy.Formats()); n != len(run.regions) {
		t.Errorf("%d requests for %d regions: want one each, no repair", n, len(run.regions))
	}
}

// TestLlamaServerConcurrency: more requests in flight than the server has
// slots. llama-server queues the rest; every region is answered.
func TestLlamaServerConcurrency(t *testing.T) {
	srv := llamatest.Start(t, llamatest.Options{Slots: 2})
	proxy := llamatest.NewProxy(t, srv, llamatest.ProxyOptions{})
	run := scanLlama(t, llamaRepo(t), proxy.URL, "--concurrency", "6", "--retries", "0")
	if len(run.failed) > 0 {
		t.Errorf("failures: %v", run.failed)
	}
	if proxy.MaxInFlight() <= 2 {
		t.Errorf("at most %d requests in flight: the test did not exceed the server's 2 slots", proxy.MaxInFlight())
	}
}

// TestLlamaServerTimeout: a server slower than --timeout. Every region is
// reported with what to do, the retries are spent, and the server, whose
// requests the client abandoned, answers the next scan in full.
func TestLlamaServerTimeout(t *testing.T) {
	srv := llamatest.Start(t, llamatest.Options{})
	dir := llamaRepo(t)
	slow := llamatest.NewProxy(t, srv, llamatest.ProxyOptions{Before: func(r *http.Request, n int) {
		select { // an answer slower than the timeout
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}})
	run := scanLlama(t, dir, slow.URL, "--timeout", "300ms", "--retries", "1")
	if len(run.failed) != len(run.regions) {
		t.Fatalf("%d of %d regions failed, want all", len(run.failed), len(run.regions))
	}
	for key, msg := range run.failed {
		if !strings.Contains(msg, "within 300ms") || !strings.Contains(msg, "raise the request timeout") {
			t.Errorf("%s: %s", key, msg)
		}
	}
	if n := len(slow.Formats()); n != 2*len(run.regions) {
		t.Errorf("%d requests for %d regions, want 2 each (one retry)", n, len(run.regions))
	}

	// Straight to the server, with a timeout it can meet: the server is
	// not stuck on what the client abandoned. A stuck server never
	// answers; a slow one, on a loaded CI machine, took more than a
	// minute for one region (its one slot prompt-processes 8k tokens at
	// under 1,000 a second there), so the bound is generous.
	run = scanLlama(t, dir, srv.URL, "--timeout", "4m", "--retries", "0")
	if len(run.failed) > 0 {
		t.Errorf("after the timeouts: %v", run.failed)
	}
}

// TestLlamaServerInterrupt: Ctrl-C (SIGINT) to the secondlook process while
// a request is at the server. The process ends promptly, the report is
// written and valid, and every region is answered or reported.
func TestLlamaServerInterrupt(t *testing.T) {
	srv := llamatest.Start(t, llamatest.Options{})
	dir := llamaRepo(t)
	bin, err := exec.LookPath("secondlook") // the test binary, as TestMain set up
	if err != nil {
		t.Fatal(err)
	}
	arrived := make(chan struct{}, 16)
	proxy := llamatest.NewProxy(t, srv, llamatest.ProxyOptions{Before: func(r *http.Request, n int) {
		arrived <- struct{}{}
		if n >= 2 {
			<-r.Context().Done() // held until the client gives up
		}
	}})
	out := filepath.Join(t.TempDir(), "report.sarif")
	cacheDir := t.TempDir()
	cmd := exec.Command(bin, "scan", "-C", dir, "--base-url", proxy.URL, "--model", llamatest.ModelName,
		"--cache-dir", cacheDir, "--concurrency", "1", "--retries", "0", "--format", "sarif", "-o", out)
	cmd.Env = append(os.Environ(), "OPENAI_API_KEY=", "OPENAI_BASE_URL=")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for i := 0; i < 2; i++ { // the first region answered, the second in flight
		select {
		case <-arrived:
		case err := <-done:
			t.Fatalf("secondlook ended before its second request: %v\n%s", err, stderr.String())
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			t.Fatal("no second request within a minute")
		}
	}
	sent := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("secondlook still running 30s after SIGINT\n%s", stderr.String())
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitFailure {
		t.Errorf("exit %v, want %d", err, exitFailure)
	}
	t.Logf("ended %v after SIGINT", time.Since(sent).Round(time.Millisecond))

	run := llamaRun{cliRun: cliRun{stderr: stderr.String()}, regions: llamaRegions(t, dir, proxy.URL)}
	run.checkReport(t, out, cacheDir)
	if run.answered < 1 || len(run.failed) < 1 {
		t.Errorf("%d answered, %d failed: want the first answered and the rest reported", run.answered, len(run.failed))
	}
}
