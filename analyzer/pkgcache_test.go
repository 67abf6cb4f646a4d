package analyzer

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/secondlook/secondlook/internal/cache"
	"github.com/secondlook/secondlook/internal/testtree"
)

// recorder is the real cache, noting which packages a run analysed: the
// directories of the records it stores.
type recorder struct {
	*cache.Cache
	mu     sync.Mutex
	stored []string
}

func (r *recorder) Put(key string, data []byte) error {
	if rec, ok := decodeRecord(data); ok && len(rec.Files) > 0 {
		r.mu.Lock()
		r.stored = append(r.stored, path.Dir(rec.Files[0]))
		r.mu.Unlock()
	}
	return r.Cache.Put(key, data)
}

// analysed returns the package directories stored since the last call.
func (r *recorder) analysed() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Compact(slices.Sorted(slices.Values(r.stored)))
	r.stored = nil
	return out
}

func newRecorder(t *testing.T) *recorder {
	c, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &recorder{Cache: c}
}

// everyOther demotes the diagnostics on even lines, so that both ways
// through Config.Demote are taken, after the cache.
func everyOther(d Diagnostic) bool { return d.Line%2 == 0 }

func run(t *testing.T, cfg Config) *Result {
	t.Helper()
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// sameResult fails the test if a cached result differs from the uncached
// one, whole: every function with its code, context, calls and signals,
// every diagnostic and error; and the regions Select makes of them, with
// their tokens.
func sameResult(t *testing.T, want, got *Result) {
	t.Helper()
	opts := []cmp.Option{cmpopts.IgnoreUnexported(Result{}), cmpopts.EquateEmpty(), cmpopts.IgnoreFields(Result{}, "Cached")}
	if diff := cmp.Diff(want, got, opts...); diff != "" {
		t.Fatalf("cached result differs from the uncached one (-uncached +cached):\n%s", diff)
	}
	ws := Select(want, SelectConfig{})
	gs := Select(got, SelectConfig{CountTokens: got.CountTokens})
	if diff := cmp.Diff(ws, gs, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("regions of the cached result differ (-uncached +cached):\n%s", diff)
	}
}

func TestCacheSameResult(t *testing.T) {
	for _, dir := range []string{"mod", "rank"} {
		for _, noTests := range []bool{false, true} {
			t.Run(dir, func(t *testing.T) {
				cfg := Config{Dir: filepath.Join("testdata", dir), Demote: everyOther, NoTests: noTests}
				want := run(t, cfg)
				if want.Cached != 0 {
					t.Fatalf("Cached = %d without a cache", want.Cached)
				}
				cfg.Cache = newRecorder(t)
				cold := run(t, cfg)
				if cold.Cached != 0 {
					t.Errorf("an empty cache restored %d packages", cold.Cached)
				}
				sameResult(t, want, cold)
				warm := run(t, cfg)
				if warm.Cached != len(want.Packages) {
					t.Errorf("second run restored %d packages, want all %d", warm.Cached, len(want.Packages))
				}
				sameResult(t, want, warm)
				if len(want.Funcs) == 0 || len(want.Diagnostics)+want.Demoted == 0 {
					t.Fatalf("fixture %s gave %d funcs, %d diagnostics: the comparison says little", dir, len(want.Funcs), len(want.Diagnostics))
				}
			})
		}
	}
}

// edit replaces old by new in a file of dir, which must hold it.
func edit(t *testing.T, dir, name, old, new string) {
	t.Helper()
	full := filepath.Join(dir, filepath.FromSlash(name))
	b, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s holds no %q", name, old)
	}
	if err := os.WriteFile(full, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The dependency "a" has a function too big to inline, whose body can change
// without changing a's export data; "b" imports a, "c" imports b, "d" is on
// its own.
var layered = map[string]string{
	"go.mod": "module example.com/layered\n\ngo 1.22\n",
	"a/a.go": `package a

import "sync"

var mu sync.Mutex

// Sum is too long to inline.
func Sum(xs []int) int {
	mu.Lock()
	t := 0
	for i, x := range xs {
		if i%2 == 0 {
			t += x * 3
		} else {
			t -= x
		}
		switch {
		case t > 1000:
			t = 1000
		case t < -1000:
			t = -1000
		}
	}
	return t
}
`,
	"b/b.go": `package b

import "example.com/layered/a"

func Twice(xs []int) int {
	go func() { _ = a.Sum(xs) }()
	return 2 * a.Sum(xs)
}
`,
	"b/b_test.go": `package b

import "testing"

func TestTwice(t *testing.T) {
	if Twice(nil) != 0 {
		t.Fatal("not 0")
	}
}
`,
	"c/c.go": `package c

import "example.com/layered/b"

func Four(xs []int) int { return 2 * b.Twice(xs) }
`,
	"d/d.go": `package d

import "fmt"

func Say(n int) { fmt.Printf("%d\n", n) }
`,
}

func TestCacheInvalidation(t *testing.T) {
	dir := t.TempDir()
	testtree.WriteFiles(t, dir, layered)
	rec := newRecorder(t)
	cfg := Config{Dir: dir, Cache: rec, Demote: everyOther}
	run(t, cfg)
	if got, want := rec.analysed(), []string{"a", "b", "c", "d"}; !slices.Equal(got, want) {
		t.Fatalf("first run analysed %v, want %v", got, want)
	}
	steps := []struct {
		name     string
		change   func()
		analysed []string
	}{
		{"nothing changed", func() {}, nil},
		{"a body edit keeping a's export data", func() {
			edit(t, dir, "a/a.go", "t += x * 3", "t += x * 4")
		}, []string{"a"}},
		{"a new exported function in a", func() {
			edit(t, dir, "a/a.go", "var mu sync.Mutex", "var mu sync.Mutex\n\nfunc Zero() int { return 0 }")
		}, []string{"a", "b", "c"}}, // c imports a through b
		{"a test file of b", func() {
			edit(t, dir, "b/b_test.go", "not 0", "not zero")
		}, []string{"b"}},
		{"a package on its own", func() {
			edit(t, dir, "d/d.go", `"%d\n"`, `"%d!\n"`)
		}, []string{"d"}},
	}
	for _, st := range steps {
		st.change()
		got := run(t, cfg)
		if a := rec.analysed(); !slices.Equal(a, st.analysed) {
			t.Errorf("%s: analysed %v, want %v", st.name, a, st.analysed)
		}
		if got.Cached != 4-len(st.analysed) {
			t.Errorf("%s: restored %d packages, want %d", st.name, got.Cached, 4-len(st.analysed))
		}
		sameResult(t, run(t, Config{Dir: dir, Demote: everyOther}), got)
	}

	// The options that change results are in the key.
	noStatic := cfg
	noStatic.NoStatic = true
	if got := run(t, noStatic); got.Cached != 0 {
		t.Errorf("NoStatic restored %d packages analysed with the x/tools passes", got.Cached)
	}
}

func TestCacheCorrupt(t *testing.T) {
	dir := testtree.Copy(t, filepath.Join("testdata", "rank"))
	rec := newRecorder(t)
	cfg := Config{Dir: dir, Cache: rec, Demote: everyOther}
	want := run(t, Config{Dir: dir, Demote: everyOther})
	run(t, cfg)
	stored := rec.analysed()
	if len(stored) != len(want.Packages) {
		t.Fatalf("stored %v, want the %d packages", stored, len(want.Packages))
	}
	// Damage every entry: half cut short (the checksum fails), half
	// replaced by well-formed entries of bytes that are no record.
	n := 0
	filepath.WalkDir(rec.Dir(), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || len(d.Name()) != 64 {
			return err
		}
		if n++; n%2 == 0 {
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)-1], 0o644)
		} else {
			rec.Cache.Put(d.Name(), []byte("not a record"))
		}
		return nil
	})
	if n == 0 {
		t.Fatal("no entries in the cache")
	}
	got := run(t, cfg)
	if got.Cached != 0 {
		t.Errorf("restored %d packages from damaged entries", got.Cached)
	}
	sameResult(t, want, got)
	if a := rec.analysed(); !slices.Equal(a, stored) {
		t.Errorf("after damage analysed %v, want every package %v", a, stored)
	}
	// The entries were written again.
	if again := run(t, cfg); again.Cached != len(want.Packages) {
		t.Errorf("after the repair restored %d packages, want %d", again.Cached, len(want.Packages))
	}
}

func TestCacheSkipsBroken(t *testing.T) {
	dir := t.TempDir()
	testtree.WriteFiles(t, dir, map[string]string{
		"go.mod":         "module example.com/broken\n\ngo 1.22\n",
		"ok/ok.go":       "package ok\n\nfunc F() int { return 1 }\n",
		"bad/bad.go":     "package bad\n\nfunc G() int { return \"no\" }\n",
		"tbad/t.go":      "package tbad\n\nfunc H() int { return 1 }\n",
		"tbad/t_test.go": "package tbad\n\nimport \"testing\"\n\nfunc TestH(t *testing.T) { var s string = H(); _ = s }\n",
	})
	rec := newRecorder(t)
	cfg := Config{Dir: dir, Cache: rec}
	first := run(t, cfg)
	if a := rec.analysed(); !slices.Equal(a, []string{"ok"}) {
		t.Errorf("stored %v, want only the package that loaded whole, [ok]", a)
	}
	second := run(t, cfg)
	if second.Cached != 1 {
		t.Errorf("restored %d packages, want 1", second.Cached)
	}
	if len(first.Errors) == 0 {
		t.Fatal("no load errors for the broken packages")
	}
	if diff := cmp.Diff(first.Errors, second.Errors); diff != "" {
		t.Errorf("errors differ with the cache (-first +second):\n%s", diff)
	}
	sameResult(t, first, second)
}

func TestToolID(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	id := toolID()
	if want := elfBuildID(exe); want != "" {
		// The go command's own reading of the build ID.
		out, err := exec.Command("go", "tool", "buildid", exe).Output()
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(string(out)); got != want || id != "buildid "+want {
			t.Errorf("toolID() = %q, elfBuildID = %q; go tool buildid says %q", id, want, got)
		}
	} else if !strings.HasPrefix(id, "sha256 ") {
		t.Errorf("toolID() = %q, want a hash of the executable", id)
	}
}
