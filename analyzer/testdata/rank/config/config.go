// Package config reads the service's key=value configuration files.
package config

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config is the service configuration.
type Config struct {
	Listen     string
	Workers    int
	Timeout    time.Duration
	CacheTTL   time.Duration
	MaxBody    int64
	IncludeDir string
	Extra      map[string]string
}

// Default returns the configuration used when a file sets nothing.
func Default() *Config {
	return &Config{
		Listen:   ":8080",
		Workers:  4,
		Timeout:  5 * time.Second,
		CacheTTL: time.Minute,
		MaxBody:  1 << 20,
		Extra:    make(map[string]string),
	}
}

// Load reads a file and then every *.conf file of its include directory,
// later settings overriding earlier ones.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cfg := Default()
	if err = Parse(f, cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if cfg.IncludeDir != "" {
		dir := cfg.IncludeDir
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(filepath.Dir(path), dir)
		}
		matches, err := filepath.Glob(filepath.Join(dir, "*.conf"))
		if err == nil {
			for _, m := range matches {
				if err = mergeFile(m, cfg); err != nil {
					break
				}
			}
		}
	}
	return cfg, err
}

func mergeFile(path string, cfg *Config) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := Parse(f, cfg); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Parse reads key=value lines into cfg. Blank lines and lines starting
// with # are skipped; unknown keys land in cfg.Extra.
func Parse(r io.Reader, cfg *Config) error {
	sc := bufio.NewScanner(r)
	for lineNo := 1; sc.Scan(); lineNo++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			return fmt.Errorf("line %d: want key=value", lineNo)
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if err := set(cfg, key, val); err != nil {
			return fmt.Errorf("line %d: %s: %w", lineNo, key, err)
		}
	}
	return sc.Err()
}

func set(cfg *Config, key, val string) error {
	var err error
	switch key {
	case "listen":
		cfg.Listen = val
	case "workers":
		cfg.Workers, err = strconv.Atoi(val)
		if err == nil && (cfg.Workers < 1 || cfg.Workers > 1024) {
			err = fmt.Errorf("%d out of range 1..1024", cfg.Workers)
		}
	case "timeout":
		cfg.Timeout, err = time.ParseDuration(val)
	case "cache_ttl":
		cfg.CacheTTL, err = time.ParseDuration(val)
	case "max_body":
		cfg.MaxBody, err = strconv.ParseInt(val, 10, 64)
		if err == nil && cfg.MaxBody <= 0 {
			err = fmt.Errorf("%d must be positive", cfg.MaxBody)
		}
	case "include":
		cfg.IncludeDir = val
	default:
		if cfg.Extra == nil {
			cfg.Extra = make(map[string]string)
		}
		cfg.Extra[key] = val
	}
	return err
}

// Watcher reloads a configuration file when it changes.
type Watcher struct {
	Path  string
	Every time.Duration

	mu      sync.RWMutex
	current *Config
	modTime time.Time
}

// Run polls the file until ctx ends and calls onChange with each new
// configuration that loads; errors go to onError and keep the old one.
func (w *Watcher) Run(ctx context.Context, onChange func(*Config), onError func(error)) {
	t := time.NewTicker(w.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fi, err := os.Stat(w.Path)
		if err != nil {
			onError(err)
			continue
		}
		w.mu.RLock()
		same := fi.ModTime().Equal(w.modTime)
		w.mu.RUnlock()
		if same {
			continue
		}
		cfg, err := Load(w.Path)
		if err != nil {
			onError(err)
			continue
		}
		w.mu.Lock()
		w.current, w.modTime = cfg, fi.ModTime()
		w.mu.Unlock()
		onChange(cfg)
	}
}
