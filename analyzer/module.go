package analyzer

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// PackageFiles returns the module-relative Go files (tests included unless
// cfg.NoTests) of the packages cfg.Patterns match, without type-checking
// anything: a diff scan narrowed by patterns keeps the changed files among
// them.
func PackageFiles(ctx context.Context, cfg Config) (map[string]bool, error) {
	dir, err := filepath.Abs(cmp.Or(cfg.Dir, "."))
	if err != nil {
		return nil, err
	}
	cfg, mod, err := cfg.prepare(ctx, dir)
	if err != nil {
		return nil, err
	}
	patterns := cfg.Patterns
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	pkgs, err := packages.Load(&packages.Config{
		Context:    ctx,
		Mode:       packages.NeedName | packages.NeedFiles | packages.NeedModule,
		Dir:        dir,
		Env:        cfg.Env,
		BuildFlags: cfg.buildFlags(),
		Tests:      !cfg.NoTests,
	}, patterns...)
	if err != nil {
		return nil, fmt.Errorf("listing packages: %w", err)
	}
	files := map[string]bool{}
	for _, p := range pkgs {
		if slices.Contains(cfg.Patterns, p.ID) && len(p.GoFiles) == 0 && len(p.Errors) > 0 {
			return nil, fmt.Errorf("%w %s: %s", ErrNoPackages, p.ID, p.Errors[0].Msg)
		}
		for _, f := range p.GoFiles {
			if r, err := filepath.Rel(mod.Dir, f); err == nil {
				files[filepath.ToSlash(r)] = true
			}
		}
	}
	return files, nil
}

// prepare returns cfg with GOFLAGS' -modfile moved to ModFile and ModFile
// made absolute, and the module enclosing dir (cfg.Module if set).
func (cfg Config) prepare(ctx context.Context, dir string) (Config, Module, error) {
	env, modfile := splitModFile(cfg.Env)
	cfg.Env = env
	cfg.ModFile = cmp.Or(cfg.ModFile, modfile)
	var mod Module
	if cfg.Module != nil {
		mod = *cfg.Module
	} else {
		var err error
		if mod, err = FindModule(ctx, dir, cfg.Env); err != nil {
			return cfg, mod, err
		}
	}
	if cfg.ModFile != "" {
		name := cfg.ModFile
		if !filepath.IsAbs(name) {
			// The go command resolves -modfile against its directory; a
			// scan of a directory inside the module means the root's.
			cfg.ModFile = filepath.Join(mod.Dir, name)
		}
		if _, err := os.Stat(cfg.ModFile); err != nil {
			return cfg, mod, fmt.Errorf("%w %s: %v (a relative name is resolved against the module root)", ErrModFile, name, err)
		}
	}
	return cfg, mod, nil
}

// buildFlags returns the go command's flags for cfg.
func (cfg Config) buildFlags() []string {
	if cfg.ModFile == "" {
		return nil
	}
	return []string{"-modfile=" + cfg.ModFile}
}

// splitModFile takes a -modfile out of the GOFLAGS of env (os.Environ()
// if env is nil) and returns it. go/packages asks the go command for its
// version with GO111MODULE=off, which refuses -modfile ("build flag
// -modfile only valid when using modules"), and a relative name would be
// resolved against each command's directory: the flag travels as a build
// flag instead. env is returned as it was when GOFLAGS holds no -modfile.
func splitModFile(env []string) ([]string, string) {
	all := env
	if all == nil {
		all = os.Environ()
	}
	i := -1
	for j, kv := range all {
		if strings.HasPrefix(kv, "GOFLAGS=") {
			i = j // the last one wins, as in os/exec
		}
	}
	if i < 0 {
		return env, ""
	}
	var keep []string
	modfile := ""
	for _, f := range strings.Fields(strings.TrimPrefix(all[i], "GOFLAGS=")) {
		name, value, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		if name == "modfile" && strings.HasPrefix(f, "-") {
			modfile = value
			continue
		}
		keep = append(keep, f)
	}
	if modfile == "" {
		return env, ""
	}
	out := slices.Clone(all)
	out[i] = "GOFLAGS=" + strings.Join(keep, " ")
	return out, modfile
}

// FindModule asks the go command for the module enclosing dir.
func FindModule(ctx context.Context, dir string, env []string) (Module, error) {
	env, _ = splitModFile(env) // the module of go.mod, wherever dir is
	cmd := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Path}}\t{{.Dir}}\t{{.GoVersion}}")
	cmd.Dir = dir
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if errors.Is(err, exec.ErrNotFound) {
			return Module{}, fmt.Errorf("the go command is not on PATH: install Go from https://go.dev/dl")
		}
		if strings.Contains(msg, "go.mod file not found") || strings.Contains(msg, "not using modules") {
			return Module{}, fmt.Errorf("%w: %s has no go.mod in it or above it; run in a module root or pass -C DIR", ErrNotModule, dir)
		}
		return Module{}, fmt.Errorf("finding the module: %s", firstLine(msg, err))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) > 1 {
		// A go.work with several modules: take the one enclosing dir.
		for _, l := range lines {
			f := strings.Split(l, "\t")
			if len(f) == 3 && (dir == f[1] || strings.HasPrefix(dir, f[1]+string(filepath.Separator))) {
				return Module{Path: f[0], Dir: f[1], GoVersion: f[2]}, nil
			}
		}
	}
	f := strings.Split(lines[0], "\t")
	if len(f) != 3 || f[1] == "" {
		// Outside a module, some settings (GOFLAGS=-mod=mod) make go list
		// answer with a pseudo-module instead of failing.
		return Module{}, fmt.Errorf("%w: %s has no go.mod in it or above it; run in a module root or pass -C DIR", ErrNotModule, dir)
	}
	return Module{Path: f[0], Dir: f[1], GoVersion: f[2]}, nil
}

func firstLine(msg string, err error) string {
	if msg == "" {
		return err.Error()
	}
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		return msg[:i]
	}
	return msg
}

func fileExists(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.Mode().IsRegular()
}
