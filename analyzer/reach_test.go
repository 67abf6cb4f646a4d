package analyzer

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestReachVarsAndInterfaces holds the callers that are not calls in a
// function body: a function value in a package-level variable (an
// analysis.Analyzer's Run: run), and an interface call, approximate.
func TestReachVarsAndInterfaces(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.22\n",
		"a/a.go": `package a

type T struct{}

func (T) Run(n int) int { return n }

func run(n int) int { return n }

// Checker is the package's API.
var Checker = struct{ Run func(int) int }{Run: run}
`,
		"b/b.go": `package b

// Runner runs.
type Runner interface{ Run(int) int }

// Use runs r in a goroutine.
func Use(r Runner) { go r.Run(1) }
`,
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Run(context.Background(), Config{Dir: dir, Files: []string{"a/a.go"}, NoStatic: true, Dependents: 8})
	if err != nil {
		t.Fatal(err)
	}
	r := NewReach(res)
	byName := map[string]*Func{}
	for _, f := range res.Funcs {
		byName[f.Name] = f
	}
	rad := r.Radius(byName["run"])
	if len(rad.Callers) != 1 || rad.Callers[0].Function != "Checker" || rad.Callers[0].Kind != CallValue {
		t.Errorf("run's callers = %+v, want the value in var Checker", rad.Callers)
	}
	if want := []string{"exported API a.Checker"}; !slices.Equal(rad.EntryPoints, want) {
		t.Errorf("run's entry points = %q, want %q", rad.EntryPoints, want)
	}
	// b does not import a: it is not loaded, and T.Run has no callers.
	if rad := r.Radius(byName["T.Run"]); len(rad.Callers) != 0 {
		t.Errorf("T.Run's callers = %+v, want none (b does not import a)", rad.Callers)
	}

	res, err = Run(context.Background(), Config{Dir: dir, Patterns: []string{"./..."}, NoStatic: true})
	if err != nil {
		t.Fatal(err)
	}
	r = NewReach(res)
	for _, f := range res.Funcs {
		byName[f.Name] = f
	}
	rad = r.Radius(byName["T.Run"])
	if len(rad.Callers) != 1 || rad.Callers[0].Kind != CallInterface || !rad.Callers[0].Go || rad.Interface != 1 {
		t.Errorf("T.Run's callers = %+v, want the interface call in b.Use, in a goroutine", rad.Callers)
	}
	if !slices.Contains(rad.EntryPoints, "goroutine in b.Use (b/b.go:7)") {
		t.Errorf("T.Run's entry points = %q, want the goroutine in b.Use", rad.EntryPoints)
	}
}
