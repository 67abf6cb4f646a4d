package vulndb

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

	"github.com/secondlook/secondlook/eval"
)

// Go runs the go command for the corpus: downloads into the module cache
// (so a second run works offline), and builds with the Go on this machine.
type Go struct {
	extra []string
	// BuildTimeout bounds one go build; zero means 5 minutes.
	BuildTimeout time.Duration
}

// NewGo returns a runner whose commands see the process environment, then
// the settings the corpus needs, then extra (which wins).
func NewGo(extra []string) *Go {
	return &Go{extra: extra}
}

// ScanEnv is what a case's module is built and scanned with: its go.sum may
// lack entries (-mod=mod fetches them), the Go on this machine must do (no
// toolchain switch), and no go.work of the caller's applies.
var ScanEnv = []string{"GOFLAGS=-mod=mod -buildvcs=false", "GOTOOLCHAIN=local", "GOWORK=off", "GO111MODULE=on"}

// downloadEnv is what downloads run with, outside any module.
var downloadEnv = []string{"GOFLAGS=", "GOTOOLCHAIN=local", "GOWORK=off", "GO111MODULE=on"}

// BuildEnv is the whole environment of a build or scan of a case.
func (g *Go) BuildEnv() []string { return g.environ(ScanEnv) }

// CaseEnv is what a case's scan adds to the process environment.
func (g *Go) CaseEnv() []string { return slices.Concat(ScanEnv, g.extra) }

func (g *Go) environ(settings []string) []string {
	return slices.Concat(os.Environ(), settings, g.extra)
}

// Module is a module version in the module cache.
type Module struct {
	Path    string
	Version string
	Dir     string // the extracted tree (read-only)
	GoMod   string // the go.mod the proxy serves: synthesized for modules without one
	Error   string
}

// Download fetches versions of a module into the module cache and returns
// them by version. One failed version fails the call.
func (g *Go) Download(ctx context.Context, mod string, versions ...string) (map[string]Module, error) {
	dir, err := os.MkdirTemp("", "secondlook-vulndb-dl-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	args := []string{"mod", "download", "-json"}
	for _, v := range versions {
		args = append(args, mod+"@"+v)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir // outside any module
	cmd.Env = g.environ(downloadEnv)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	got := map[string]Module{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var m Module
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go mod download: %v", err)
		}
		if m.Error != "" {
			return nil, fmt.Errorf("%s@%s: %s", mod, m.Version, m.Error)
		}
		got[m.Version] = m
	}
	for _, v := range versions {
		if got[v].Dir == "" {
			if runErr != nil {
				return nil, fmt.Errorf("go mod download %s@%s: %v: %s", mod, v, runErr, stderr.Bytes())
			}
			return nil, fmt.Errorf("go mod download %s@%s: no directory", mod, v)
		}
	}
	return got, nil
}

// BuildPair builds the packages of a case twice: as fixed, then with the
// vulnerable version of the case's files, in a writable copy of the fixed
// tree.
func (g *Go) BuildPair(ctx context.Context, m *Meta, fixed Module, vdir string) error {
	dir, err := os.MkdirTemp("", "secondlook-vulndb-build-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := g.Prepare(dir, fixed); err != nil {
		return err
	}
	if err := g.build(ctx, dir, m.Packages()); err != nil {
		return fmt.Errorf("%s: %v", m.Fixed, err)
	}
	for _, rel := range m.Files {
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		data, err := os.ReadFile(filepath.Join(vdir, filepath.FromSlash(rel)))
		if errors.Is(err, os.ErrNotExist) {
			if err := os.Remove(dst); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			continue
		} else if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
	}
	if err := g.build(ctx, dir, m.Packages()); err != nil {
		return fmt.Errorf("%s with %s's files: %v", m.Fixed, m.Vulnerable, err)
	}
	return nil
}

// Prepare lays a module version out in dir, writable, with a go.mod even
// when the module had none (the proxy's synthesized one).
func (g *Go) Prepare(dir string, m Module) error {
	if err := eval.CopyTree(dir, m.Dir); err != nil {
		return err
	}
	gomod := filepath.Join(dir, "go.mod")
	if _, err := os.Stat(gomod); errors.Is(err, os.ErrNotExist) && m.GoMod != "" {
		data, err := os.ReadFile(m.GoMod)
		if err != nil {
			return err
		}
		return os.WriteFile(gomod, data, 0o644)
	}
	return nil
}

func (g *Go) build(ctx context.Context, dir string, pkgs []string) error {
	timeout := g.BuildTimeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append([]string{"build"}, pkgs...)...)
	cmd.Dir = dir
	cmd.Env = g.BuildEnv()
	out, err := cmd.CombinedOutput()
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("go build took over %v", timeout)
	}
	if err != nil {
		return fmt.Errorf("go build: %s", firstError(out))
	}
	return nil
}

// firstError is the first line of go's output that says what went wrong.
func firstError(out []byte) string {
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "go: downloading") || strings.HasPrefix(line, "#") {
			continue
		}
		return line
	}
	return strings.TrimSpace(string(out))
}
