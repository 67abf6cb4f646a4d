package realcode

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secondlook/secondlook/internal/testtree"
)

// Scan keeps the static findings at warning or above, with module-relative
// positions, in a module that needs nothing from the network.
func TestScan(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) { testtree.WriteFiles(t, dir, map[string]string{name: text}) }
	write("go.mod", "module example.com/leaky\n\ngo 1.22\n")
	write("store/store.go", `package store

import (
	"errors"
	"sync"
)

type Store struct {
	mu sync.Mutex
	m  map[string]int
}

func (s *Store) Get(k string) (int, error) {
	s.mu.Lock()
	v, ok := s.m[k]
	if !ok {
		return 0, errors.New("missing")
	}
	s.mu.Unlock()
	return v, nil
}

// A suppression with no reason still suppresses, and is itself a
// finding at level note.
func (s *Store) Has(k string) (bool, error) {
	//secondlook:ignore SL1201
	s.mu.Lock()
	if s.m == nil {
		return false, errors.New("empty")
	}
	_, ok := s.m[k]
	s.mu.Unlock()
	return ok, nil
}
`)
	m := Module{Path: "example.com/leaky", Version: "v0.0.0", Kind: "test"}
	s, err := Scan(context.Background(), m, dir, ScanEnv())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Failures) > 0 {
		t.Fatalf("failures: %v", s.Failures)
	}
	if s.Packages != 1 {
		t.Errorf("scanned %d packages, want 1", s.Packages)
	}
	var got []string
	for _, f := range s.Found {
		got = append(got, f.Module+" "+f.Rule+" "+f.Pos()+" "+f.Level)
	}
	want := "example.com/leaky@v0.0.0 SL1201 store/store.go:14 error"
	if len(got) != 1 || got[0] != want {
		t.Errorf("found %q, want [%q]", got, want)
	}
	if s.Below != 1 {
		t.Errorf("%d findings below warning, want 1 (SL4201, the suppression without a reason)", s.Below)
	}
}

// Fetch copies a module of the module cache to a writable tree, marks the
// copy whole, and reuses it on the next call without asking the go command.
func TestFetch(t *testing.T) {
	// go-cmp is one of secondlook's own dependencies: the module cache
	// holds it wherever secondlook builds.
	m := Module{Path: "github.com/google/go-cmp", Version: "v0.7.0"}
	root := t.TempDir()
	dir, err := Fetch(context.Background(), m, root, ScanEnv())
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "github.com", "google", "go-cmp@v0.7.0"); dir != want {
		t.Errorf("Fetch = %s, want %s", dir, want)
	}
	gomod := filepath.Join(dir, "go.mod")
	b, err := os.ReadFile(gomod)
	if err != nil || !strings.HasPrefix(string(b), "module github.com/google/go-cmp") {
		t.Fatalf("the copy's go.mod: %q, %v", b, err)
	}
	// Writable, unlike the module cache.
	if err := os.WriteFile(gomod, append(b, "\n// touched\n"...), 0o644); err != nil {
		t.Fatalf("the copy is not writable: %v", err)
	}
	// A second Fetch with no go command on PATH reuses the copy.
	env := append(ScanEnv(), "PATH="+t.TempDir())
	again, err := Fetch(context.Background(), m, root, env)
	if err != nil || again != dir {
		t.Fatalf("second Fetch = %s, %v; want the copy reused", again, err)
	}
	if b2, _ := os.ReadFile(gomod); !strings.Contains(string(b2), "// touched") {
		t.Error("the second Fetch copied the module again")
	}
	// A copy cut short (no mark) is made again.
	if err := os.Remove(filepath.Join(dir, copiedMark)); err != nil {
		t.Fatal(err)
	}
	if _, err := Fetch(context.Background(), m, root, ScanEnv()); err != nil {
		t.Fatal(err)
	}
	if b3, _ := os.ReadFile(gomod); strings.Contains(string(b3), "// touched") {
		t.Error("a copy without its mark was reused")
	}
}
