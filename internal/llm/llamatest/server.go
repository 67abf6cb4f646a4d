// Package llamatest runs a real llama.cpp server (llama-server) in tests,
// with a tiny model it writes itself, so that the model path of secondlook
// is tested against the server people run on their machines and not only
// against a fake that the project wrote (internal/llm/llmtest).
//
// No weights can be downloaded in the test environment, and none are
// shipped: [Model] writes a GGUF file of a Llama-architecture model of about
// 130,000 parameters from a seed. [Start] writes it to a temp dir, starts
// llama-server on a free loopback port, waits for /health, and ends the
// process when the test ends.
//
// The binary comes from SECONDLOOK_LLAMA_SERVER; .ci/llama-server.sh builds
// it (and .ci/run exports the variable). Without it, the tests that need a
// server skip with a message saying how to get one.
package llamatest

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// EnvBinary names the variable that holds the path of llama-server.
const EnvBinary = "SECONDLOOK_LLAMA_SERVER"

// ModelName is the name the server knows the model by (--alias).
const ModelName = "secondlook-tiny"

// Binary returns the path of the llama-server binary named by
// SECONDLOOK_LLAMA_SERVER, and skips t when the variable is unset. A path
// that does not run fails t: CI set it, so it ought to work.
func Binary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv(EnvBinary)
	if bin == "" {
		t.Skipf("%s is not set: to test against a real llama-server, run .ci/llama-server.sh (it builds llama.cpp's server, ~20 min the first time) and export %s=<the path it prints>", EnvBinary, EnvBinary)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s=%s: %v: run .ci/llama-server.sh again, or unset %s", EnvBinary, bin, err, EnvBinary)
	}
	return bin
}

// Options configure a server. The zero value is one slot with room for the
// prompts secondlook sends.
type Options struct {
	// Model is the model to write and load.
	Model Model
	// Slots is llama-server's -np, the requests it decodes at once; more
	// wait in its queue. 0 means 1.
	Slots int
	// Context is llama-server's -c, the context of all slots together;
	// 0 means 16384 per slot. With --kv-unified (always passed) any one
	// request may use what the others leave.
	Context int
	// Args are more command-line arguments.
	Args []string
}

// Server is a running llama-server.
type Server struct {
	// URL is the base URL of its OpenAI-compatible API; it ends in /v1.
	URL string
	// Root is the server's own root, for /health, /slots and /metrics.
	Root string
	// ModelPath is the GGUF file it serves.
	ModelPath string

	cmd  *exec.Cmd
	log  *lockedBuffer
	done chan struct{} // closed when the process has exited
	err  error         // the process's exit status, once done
}

// Start starts llama-server with o and waits until it answers /health. The
// server is stopped when t ends; its log is printed if t failed.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	bin := Binary(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "model.gguf")
	if err := o.Model.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for try := 0; try < 3; try++ { // another process may take the free port first
		s, err := start(bin, path, o)
		if err == nil {
			t.Cleanup(func() {
				s.stop()
				if t.Failed() {
					t.Logf("llama-server log:\n%s", s.Log())
				}
			})
			return s
		}
		lastErr = err
	}
	t.Fatalf("starting llama-server: %v", lastErr)
	return nil
}

// startTimeout bounds the wait for a server to load the model: a few
// hundred milliseconds on an idle machine, longer on a busy one.
const startTimeout = 90 * time.Second

func start(bin, model string, o Options) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	slots := cmp.Or(o.Slots, 1)
	ctxSize := cmp.Or(o.Context, 16384*slots)
	args := []string{
		"-m", model, "--alias", ModelName,
		"--host", "127.0.0.1", "--port", strconv.Itoa(port),
		"-c", strconv.Itoa(ctxSize), "-np", strconv.Itoa(slots), "--kv-unified",
		"--jinja", "--no-webui", "--no-warmup",
		// Two cores are shared with the test binary and other tests.
		"-t", "1", "-tb", "1",
	}
	args = append(args, o.Args...)
	s := &Server{
		URL:       fmt.Sprintf("http://127.0.0.1:%d/v1", port),
		Root:      fmt.Sprintf("http://127.0.0.1:%d", port),
		ModelPath: model,
		log:       &lockedBuffer{},
		done:      make(chan struct{}),
	}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("running %s: %w", bin, err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	if err := s.waitHealthy(startTimeout); err != nil {
		s.stop()
		return nil, fmt.Errorf("%w\nllama-server %v\nlog:\n%s", err, args, s.Log())
	}
	return s, nil
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitHealthy polls /health until it answers 200 (it answers 503 while the
// model loads), the process exits, or timeout passes.
func (s *Server) waitHealthy(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.Root+"/health", nil)
		if res, err := client.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.done:
			return fmt.Errorf("llama-server exited before it was ready: %v", s.err)
		case <-ctx.Done():
			return fmt.Errorf("llama-server not ready at %s/health within %v", s.Root, timeout)
		case <-tick.C:
		}
	}
}

// stop ends the process: SIGTERM, then SIGKILL if it has not exited within
// a few seconds.
func (s *Server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// Log returns what the server printed so far.
func (s *Server) Log() string { return s.log.String() }

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
