package realcode

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/secondlook/secondlook/eval"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/pipeline"
)

// copiedMark is the file Fetch writes last into a copy, so that a copy cut
// short is made again rather than scanned half.
const copiedMark = ".secondlook-copied"

// Fetch downloads m with the go command into the module cache and returns
// a writable copy of it under workRoot (workRoot/path@version), made once
// and reused by later runs. The copy is writable because the go command
// may add go.sum lines when it fetches the module's dependencies.
func Fetch(ctx context.Context, m Module, workRoot string, env []string) (string, error) {
	dst := filepath.Join(workRoot, filepath.FromSlash(m.String()))
	if _, err := os.Stat(filepath.Join(dst, copiedMark)); err == nil {
		return dst, nil
	}
	if err := os.MkdirAll(workRoot, 0o755); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", m.String())
	// Outside any module, so that no go.mod or go.work is consulted or
	// changed.
	cmd.Dir = workRoot
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &info); jerr == nil && info.Error != "" {
		return "", fmt.Errorf("go mod download %s: %s (is the module proxy reachable? GOPROXY=%s)", m, info.Error, goEnv(env, "GOPROXY"))
	}
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %v: %s", m, err, strings.TrimSpace(stderr.String()))
	}
	if info.Dir == "" {
		return "", fmt.Errorf("go mod download %s gave no directory", m)
	}
	// Copy beside the destination and rename, so that a copy is whole or
	// absent.
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), ".copy-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := eval.CopyTree(tmp, info.Dir); err != nil {
		return "", fmt.Errorf("copying %s: %w", m, err)
	}
	if err := os.WriteFile(filepath.Join(tmp, copiedMark), []byte(m.String()+"\n"), 0o644); err != nil {
		return "", err
	}
	if err := os.RemoveAll(dst); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return "", err
	}
	return dst, nil
}

func goEnv(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v
		}
	}
	return ""
}

// ScanEnv returns the environment of the go command for Fetch and Scan:
// the process's, with no go.work and with leave to add the go.sum lines
// of dependencies that a module's own go.sum lacks.
func ScanEnv() []string {
	return append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
}

// Scanned is the result of scanning one module.
type Scanned struct {
	Module   Module
	Found    []Found  // static findings at warning or above
	Below    int      // findings below warning, not triaged
	Packages int      // packages analysed
	Failures []string // units that did not load or analyse
}

// Scan runs secondlook's static pass over the whole module in dir (./...,
// tests included, as a default full scan does) and keeps the findings at
// warning or above.
func Scan(ctx context.Context, m Module, dir string, env []string) (*Scanned, error) {
	res, err := pipeline.Run(ctx, pipeline.Config{Dir: dir, Env: env, AllRules: true}) // rules under the gate stay measured, so a fix can lift them
	if err != nil {
		return nil, fmt.Errorf("scanning %s: %w", m, err)
	}
	s := &Scanned{Module: m, Packages: res.Report.Stats.Packages}
	for _, f := range res.Report.Failures {
		where := f.Package
		if f.File != "" {
			where = fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		s.Failures = append(s.Failures, fmt.Sprintf("%s %s: %s", f.Stage, where, f.Message))
	}
	for _, f := range res.Report.Findings {
		if f.Level < findings.LevelWarning {
			s.Below++
			continue
		}
		s.Found = append(s.Found, Found{
			Key: Key{
				Module: m.String(),
				Rule:   f.RuleID,
				File:   f.Location.File,
				Line:   f.Location.Line,
			},
			Level:    f.Level.String(),
			Message:  f.Message,
			Function: f.Function,
		})
	}
	return s, nil
}
