package analyzer

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secondlook/secondlook/internal/testtree"
)

// variantModule has every kind of package a test listing holds: one with
// in-package and external tests, whose external test imports a package
// that imports it (go list recompiles that one against the test variant),
// one with external tests only, and one without tests that the others
// import.
var variantModule = map[string]string{
	"go.mod": "module example.com/v\n\ngo 1.22\n",
	"base/base.go": `package base

// Size is a type the others share.
type Size int

func Grow(s Size) Size { return s * 2 }
`,
	"b/b.go": `package b

import "example.com/v/base"

type T struct{ N base.Size }

func (t *T) Double() { t.N = base.Grow(t.N) }
`,
	"b/b_test.go": `package b

import "testing"

func TestDouble(t *testing.T) {
	x := &T{N: 2}
	x.Double()
	if x.N != 4 {
		t.Fatal(x.N)
	}
}
`,
	"b/x_test.go": `package b_test

import (
	"testing"

	"example.com/v/b"
	"example.com/v/c"
)

func TestUse(t *testing.T) {
	var x b.T
	c.Use(&x)
	if x.N != 0 {
		t.Fatal(x.N)
	}
}
`,
	"c/c.go": `package c

import (
	"fmt"

	"example.com/v/b"
)

func Use(t *b.T) {
	t.Double()
	s := fmt.Sprintf("%d", t.N)
	_ = s[len(s)-1]
}
`,
	"c/y_test.go": `package c_test

import (
	"testing"

	"example.com/v/b"
	"example.com/v/c"
)

func TestUse(t *testing.T) { c.Use(new(b.T)) }
`,
}

// TestListedLoadSameResult holds the listing's loader to what go/packages
// gives: the same functions, diagnostics and errors on every fixture, with
// tests and without. It also checks that the listing served every batch,
// so that the comparison compares something.
func TestListedLoadSameResult(t *testing.T) {
	dirs := map[string]string{
		"mod":      filepath.Join("testdata", "mod"),
		"rank":     filepath.Join("testdata", "rank"),
		"variants": testtree.Write(t, variantModule),
	}
	for name, dir := range dirs {
		for _, noTests := range []bool{false, true} {
			t.Run(name, func(t *testing.T) {
				cfg := Config{Dir: dir, NoTests: noTests, goPackages: true}
				want := run(t, cfg)
				if want.loads.listed != 0 || want.loads.goPackages == 0 {
					t.Fatalf("go/packages run: loads %+v", want.loads)
				}
				cfg.goPackages = false
				got := run(t, cfg)
				if got.loads.goPackages != 0 || got.loads.listed == 0 {
					t.Fatalf("the listing did not serve every batch: loads %+v", got.loads)
				}
				sameResult(t, want, got)
				if len(want.Funcs) == 0 {
					t.Fatalf("%s gave no functions", name)
				}
			})
		}
	}
}

// TestListedLoadDiffScan is the same for a diff scan, whose importers of
// the changed package load with it, for their calls.
func TestListedLoadDiffScan(t *testing.T) {
	dir := testtree.Write(t, variantModule)
	for _, batch := range []int{0, 1} { // importers ride with the batch, or load on their own
		cfg := Config{Dir: dir, Files: []string{"base/base.go"}, Dependents: 10, BatchSize: batch, goPackages: true}
		want := run(t, cfg)
		cfg.goPackages = false
		got := run(t, cfg)
		if got.loads.goPackages != 0 || got.loads.listed == 0 {
			t.Fatalf("batch %d: the listing did not serve every load: loads %+v", batch, got.loads)
		}
		sameResult(t, want, got)
		if diff := cmp.Diff([]string{"example.com/v/b", "example.com/v/c"}, got.DependentPackages); diff != "" {
			t.Errorf("batch %d: importers loaded (-want +got):\n%s", batch, diff)
		}
	}
}

// TestListedLoadRecompiles checks that the loader found the package that
// go list recompiles against the test variant, and typed the external test
// against it: c.Use takes the *b.T of the variant under test.
func TestListedLoadRecompiles(t *testing.T) {
	dir := testtree.Write(t, variantModule)
	s := &state{res: &Result{}, cfg: Config{Dir: dir}, dir: dir}
	s.exports = s.listExports(t.Context(), []string{"./..."}, nil)
	if s.exports == nil {
		t.Fatal("no listing")
	}
	if s.exports.byPath["example.com/v/c [example.com/v/b.test]"] == nil {
		t.Fatal("go list recompiles no c against b's test variant: the fixture tests nothing")
	}
	pkgs, ok := s.loadListed(t.Context(), true, []string{"example.com/v/b"}, nil)
	if !ok {
		t.Fatal("the listing declined the batch")
	}
	var ids []string
	for _, p := range pkgs {
		ids = append(ids, p.ID)
		if len(p.Errors) > 0 || p.IllTyped {
			t.Errorf("%s: errors %v", p.ID, p.Errors)
		}
	}
	want := []string{"example.com/v/b [example.com/v/b.test]", "example.com/v/b_test [example.com/v/b.test]"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
}

// TestCacheRecompiledVariant: b's external test imports c, which imports b,
// so go list recompiles c against b's test variant, and nothing compiles
// that: its files are in b's key instead of its export data. A body edit in
// c, which leaves c's export data as it was, re-analyses c and b, not base.
func TestCacheRecompiledVariant(t *testing.T) {
	dir := testtree.Write(t, variantModule)
	rec := newRecorder(t)
	cfg := Config{Dir: dir, Cache: rec}
	run(t, cfg)
	if got, want := rec.analysed(), []string{"b", "base", "c"}; !slices.Equal(got, want) {
		t.Fatalf("first run analysed %v, want %v", got, want)
	}
	edit(t, dir, "c/c.go", "_ = s[len(s)-1]", "_ = s[0]")
	got := run(t, cfg)
	if a, want := rec.analysed(), []string{"b", "c"}; !slices.Equal(a, want) {
		t.Errorf("after a body edit in c: analysed %v, want %v", a, want)
	}
	sameResult(t, run(t, Config{Dir: dir}), got)
}
