package analyzer

import (
	"context"
	"errors"
	"go/ast"
	"go/types"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/go/packages"

	"github.com/secondlook/secondlook/internal/gitdiff"
)

func loadFixture(t *testing.T, cfg Config) *Result {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = filepath.Join("testdata", "mod")
	}
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func funcByName(res *Result, name string) *Func {
	for _, f := range res.Funcs {
		if f.Name == name {
			return f
		}
	}
	return nil
}

func TestRunFuncs(t *testing.T) {
	res := loadFixture(t, Config{})
	if res.Module.Path != "example.com/mod" || res.Module.GoVersion != "1.21" {
		t.Errorf("module = %+v", res.Module)
	}
	var names []string
	for _, f := range res.Funcs {
		names = append(names, f.File+" "+f.Name)
	}
	want := []string{
		"list/list.go (*List[T]).Len",
		"list/list.go (*List[T]).Push",
		"server/server.go (*Server).Handle",
		"server/server.go (*Server).add",
		"server/server.go Server.Drain",
		"server/server.go OnEvent",
		"server/server_test.go TestHandle",
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("funcs (-want +got):\n%s\n(generated files must be skipped)", diff)
	}
	if len(res.Errors) > 0 {
		t.Errorf("errors: %v", res.Errors)
	}

	h := funcByName(res, "(*Server).Handle")
	if h.Start != 20 || h.End != 29 {
		t.Errorf("Handle lines = %d-%d, want 20-29 (doc comment included)", h.Start, h.End)
	}
	if !strings.HasPrefix(h.Code, "// Handle queues a job once.\nfunc (s *Server) Handle") || !strings.HasSuffix(h.Code, "}") {
		t.Errorf("Handle code:\n%s", h.Code)
	}
	// The receiver's type comes first, then what the code uses; the
	// function's own declaration is not repeated.
	if !strings.HasPrefix(h.Context, "// Server queues work.\ntype Server struct {") {
		t.Errorf("context does not start with the receiver type:\n%s", h.Context)
	}
	if !strings.Contains(h.Context, "func (s *Server) add(job string) bool") {
		t.Errorf("context lacks the callee's signature:\n%s", h.Context)
	}
	if strings.Contains(h.Context, "func (s *Server) Handle") {
		t.Errorf("context repeats the function itself:\n%s", h.Context)
	}
	if diff := cmp.Diff([]string{"(*example.com/mod/server.Server).add"}, h.Callees); diff != "" {
		t.Errorf("callees (-want +got):\n%s", diff)
	}

	// Context from another package of the module is printed by go/types.
	add := funcByName(res, "(*Server).add")
	for _, s := range []string{"const Limit = 10", "func (*list.List[T]) Len() int", "type List[T any] struct{items []T}"} {
		if !strings.Contains(add.Context, s) {
			t.Errorf("add's context lacks %q:\n%s", s, add.Context)
		}
	}
	if !funcByName(res, "TestHandle").Test {
		t.Error("TestHandle not marked as test code")
	}
}

func TestRunNoTests(t *testing.T) {
	res := loadFixture(t, Config{NoTests: true})
	if f := funcByName(res, "TestHandle"); f != nil {
		t.Errorf("NoTests kept %s", f.File)
	}
}

func TestRunFiles(t *testing.T) {
	res := loadFixture(t, Config{Files: []string{"list/list.go", "list/gone.go", "README"}})
	if diff := cmp.Diff([]string{"example.com/mod/list"}, res.Packages); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	// A change to a test file alone loads its package with its tests.
	res = loadFixture(t, Config{Files: []string{"server/server_test.go"}})
	if diff := cmp.Diff([]string{"example.com/mod/server"}, res.Packages); diff != "" {
		t.Errorf("test-only change: packages (-want +got):\n%s", diff)
	}
	if funcByName(res, "TestHandle") == nil {
		t.Error("test-only change: TestHandle not loaded")
	}
	res = loadFixture(t, Config{Files: []string{"list/gone.go"}})
	if len(res.Packages) != 0 || len(res.Funcs) != 0 {
		t.Errorf("a deleted file loaded %v", res.Packages)
	}
}

func TestRunErrors(t *testing.T) {
	_, err := Run(context.Background(), Config{Dir: t.TempDir()})
	if !errors.Is(err, ErrNotModule) {
		t.Errorf("outside a module: err = %v, want ErrNotModule", err)
	}
	_, err = Run(context.Background(), Config{Dir: filepath.Join("testdata", "mod"), Patterns: []string{"./nothing/..."}})
	if !errors.Is(err, ErrNoPackages) {
		t.Errorf("no match: err = %v, want ErrNoPackages", err)
	}
}

func TestSelectDiff(t *testing.T) {
	res := loadFixture(t, Config{})
	// Line 33 is inside (*Server).add; Handle calls add.
	sel := Select(res, SelectConfig{Changes: map[string][]gitdiff.LineRange{
		"server/server.go": {{Start: 33, End: 33}},
	}})
	var got []string
	for _, r := range sel.Regions {
		got = append(got, r.Func)
	}
	if diff := cmp.Diff([]string{"(*Server).add", "(*Server).Handle"}, got); diff != "" {
		t.Errorf("regions (-want +got):\n%s", diff)
	}
	if r := sel.Regions[0]; r.Caller || LineRanges(r.Changed) != "33" {
		t.Errorf("changed region = %+v", r)
	}
	// The caller comes after the changed function even though its own
	// signals (a map write) score higher.
	if r := sel.Regions[1]; !r.Caller || len(r.Changed) != 0 {
		t.Errorf("caller region = caller %v changed %v", r.Caller, r.Changed)
	}
	for _, r := range sel.Regions {
		if r.Tokens <= 0 || len(r.ID) != 16 {
			t.Errorf("region %s: tokens %d id %q", r.Func, r.Tokens, r.ID)
		}
	}
	if sel.TotalTokens != sel.Regions[0].Tokens+sel.Regions[1].Tokens {
		t.Errorf("total tokens %d", sel.TotalTokens)
	}
}

func TestSelectBudget(t *testing.T) {
	res := &Result{Funcs: []*Func{
		{File: "a.go", Name: "Big", Start: 1, End: 10, Code: strings.Repeat("x ", 500), Signals: []Signal{{Check: "p/risky", Weight: 9}}},
		{File: "a.go", Name: "Mid", Start: 20, End: 22, Code: "mid", Signals: []Signal{{Check: "p/risky", Weight: 6}}},
		{File: "a.go", Name: "Low", Start: 30, End: 32, Code: "low", Signals: []Signal{{Check: "p/use", Weight: 1}}},
		{File: "a.go", Name: "Quiet", Start: 40, End: 42, Code: "quiet"},
	}}
	count := func(s string) int { return len(s) }

	all := Select(res, SelectConfig{CountTokens: count})
	if diff := cmp.Diff([]string{"Big", "Mid", "Low"}, regionNames(all.Regions)); diff != "" {
		t.Errorf("full scan: functions without signals are not regions; by score (-want +got):\n%s", diff)
	}

	byRegions := Select(res, SelectConfig{MaxRegions: 2, CountTokens: count})
	if diff := cmp.Diff([]string{"Big", "Mid"}, regionNames(byRegions.Regions)); diff != "" {
		t.Errorf("MaxRegions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Low"}, regionNames(byRegions.LeftOut)); diff != "" {
		t.Errorf("MaxRegions left out (-want +got):\n%s", diff)
	}

	// Big does not fit; the smaller ones after it do.
	byTokens := Select(res, SelectConfig{MaxTokens: 100, CountTokens: count})
	if diff := cmp.Diff([]string{"Mid", "Low"}, regionNames(byTokens.Regions)); diff != "" {
		t.Errorf("MaxTokens (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Big"}, regionNames(byTokens.LeftOut)); diff != "" {
		t.Errorf("MaxTokens left out (-want +got):\n%s", diff)
	}
	if byTokens.TotalTokens > 100 {
		t.Errorf("total %d over budget", byTokens.TotalTokens)
	}
}

// TestSelectCallersByChangeRisk: in a diff scan a caller takes on part of
// the risk of the changed function it calls, so that a caller of a risky
// change outranks a caller of a harmless one with the same signals.
func TestSelectCallersByChangeRisk(t *testing.T) {
	res := &Result{Funcs: []*Func{
		{File: "a.go", Name: "Decode", Key: "m.Decode", Start: 1, End: 5, Code: "decode",
			Signals: []Signal{{Check: "input/input-size-alloc", Line: 3, Weight: 6}}},
		{File: "a.go", Name: "Log", Key: "m.Log", Start: 10, End: 12, Code: "log"},
		{File: "b.go", Name: "CallsLog", Start: 1, End: 5, Code: "callslog", Callees: []string{"m.Log"},
			Signals: []Signal{{Check: "p/use", Line: 2, Weight: 1}}},
		{File: "c.go", Name: "CallsDecode", Start: 1, End: 5, Code: "callsdecode", Callees: []string{"m.Decode"},
			Signals: []Signal{{Check: "p/use", Line: 2, Weight: 1}}},
		{File: "d.go", Name: "CallsBoth", Start: 1, End: 5, Code: "callsboth", Callees: []string{"m.Log", "m.Decode"}},
	}}
	sel := Select(res, SelectConfig{CountTokens: func(s string) int { return len(s) }, Changes: map[string][]gitdiff.LineRange{
		"a.go": {{Start: 3, End: 3}, {Start: 11, End: 11}},
	}})
	var got []string
	score := map[string]float64{}
	for _, r := range sel.Regions {
		got = append(got, r.Func)
		score[r.Func] = r.Score
	}
	if diff := cmp.Diff([]string{"Decode", "Log", "CallsDecode", "CallsBoth", "CallsLog"}, got); diff != "" {
		t.Errorf("regions (-want +got):\n%s", diff)
	}
	// The riskiest changed callee counts, once.
	if want := Score(nil, 0, false, true, false) + calleeShare*score["Decode"]; score["CallsBoth"] != want {
		t.Errorf("CallsBoth scores %v, want %v", score["CallsBoth"], want)
	}
}

// TestSelectTestsLast: test code follows the code it tests, whatever its
// score, and stays selected; a budget spends itself on the code first.
func TestSelectTestsLast(t *testing.T) {
	res := &Result{Funcs: []*Func{
		{File: "a_test.go", Name: "TestTable", Start: 1, End: 10, Code: "table", Test: true, Static: 2,
			Signals: []Signal{{Check: "conversions/conv-narrow", Line: 2, Weight: 3}, {Check: "conversions/conv-narrow", Line: 3, Weight: 3}}},
		{File: "a.go", Name: "Decode", Start: 1, End: 5, Code: "decode", Signals: []Signal{{Check: "conversions/conv-narrow", Line: 2, Weight: 3}}},
		{File: "a.go", Name: "Use", Start: 10, End: 12, Code: "use", Signals: []Signal{{Check: "p/use", Line: 11, Weight: 1}}},
		{File: "a_test.go", Name: "TestUse", Start: 20, End: 22, Code: "tuse", Test: true, Signals: []Signal{{Check: "p/use", Line: 21, Weight: 1}}},
	}}
	count := func(s string) int { return len(s) }
	all := Select(res, SelectConfig{CountTokens: count})
	if diff := cmp.Diff([]string{"Decode", "Use", "TestTable", "TestUse"}, regionNames(all.Regions)); diff != "" {
		t.Errorf("full scan (-want +got):\n%s", diff)
	}
	// Same signals: the test scores lower, too.
	if a, b := all.Regions[1].Score, all.Regions[3].Score; b >= a {
		t.Errorf("test with the same signals scores %v, the code %v", b, a)
	}
	budget := Select(res, SelectConfig{MaxRegions: 2, CountTokens: count})
	if diff := cmp.Diff([]string{"TestTable", "TestUse"}, regionNames(budget.LeftOut)); diff != "" {
		t.Errorf("a budget of two leaves out (-want +got):\n%s", diff)
	}

	// In a diff scan, a changed test follows the changed code and comes
	// before the callers.
	res.Funcs[0].Key, res.Funcs[1].Key = "m.TestTable", "m.Decode"
	res.Funcs[2].Callees = []string{"m.Decode"}
	diff := Select(res, SelectConfig{CountTokens: count, Changes: map[string][]gitdiff.LineRange{
		"a_test.go": {{Start: 2, End: 2}}, "a.go": {{Start: 3, End: 3}},
	}})
	if d := cmp.Diff([]string{"Decode", "TestTable", "Use"}, regionNames(diff.Regions)); d != "" {
		t.Errorf("diff scan (-want +got):\n%s", d)
	}
}

// regionNames lists the functions of regions, in order.
func regionNames(rs []Region) (out []string) {
	for _, r := range rs {
		out = append(out, r.Func)
	}
	return out
}

// TestScoreRanksRiskOverUse holds the scoring's promise: one risky pattern
// outranks any amount of mere feature use.
func TestScoreRanksRiskOverUse(t *testing.T) {
	var busy []Signal
	for _, check := range []string{"channels/send", "channels/recv", "atomics/use", "timers/use", "locking/defer-unlock", "goroutines/go"} {
		for i := range 20 {
			busy = append(busy, Signal{Check: check, Line: i, Weight: 1})
		}
	}
	risky := []Signal{{Check: "locking/return-while-locked", Line: 3, Weight: 8}}
	if b, r := Score(busy, 0, false, false, false), Score(risky, 0, false, false, false); b >= r {
		t.Errorf("busy function scores %v, risky one %v", b, r)
	}
	static := Score(nil, 1, false, false, false)
	if r := Score(risky, 0, false, false, false); static <= r {
		t.Errorf("an x/tools finding scores %v, below a risky signal's %v", static, r)
	}
	if a, b := Score(risky, 0, true, false, false), Score(risky, 0, false, false, false); a >= b {
		t.Errorf("test code %v ranks with production code %v", a, b)
	}
	if a, b := Score(risky, 0, false, true, false), Score(risky, 0, false, false, true); a >= b {
		t.Errorf("caller %v ranks with changed function %v", a, b)
	}
	// Two passes seeing one line count once.
	overlap := []Signal{risky[0], {Check: "other/same-construct", Line: 3, Weight: 7}}
	if a, b := Score(overlap, 0, false, false, false), Score(risky, 0, false, false, false); a != b {
		t.Errorf("overlapping signals on one line score %v, one alone %v", a, b)
	}
	// Repeats add a little, not linearly.
	one := Score(risky[:1], 0, false, false, false)
	many := Score([]Signal{risky[0], {Check: risky[0].Check, Line: 4, Weight: 8}, {Check: risky[0].Check, Line: 5, Weight: 8}}, 0, false, false, false)
	if many <= one || many >= 2*one {
		t.Errorf("three of a kind score %v against one's %v", many, one)
	}
}

func TestParsePos(t *testing.T) {
	for in, want := range map[string]filePos{
		"/a/b.go:3:4": {"/a/b.go", 3, 4},
		"/a/b.go:3":   {"/a/b.go", 3, 0},
		"C:/a/b.go:3": {"C:/a/b.go", 3, 0},
		"-":           {},
		"":            {},
	} {
		if got := parsePos(in); got != want {
			t.Errorf("parsePos(%q) = %+v, want %+v", in, got, want)
		}
	}
}

// TestPickVariants: with tests, "p [p.test]" holds every file of p, so p
// itself is not analysed again, and the generated test main never is;
// unless "p [p.test]" does not load, when p stands in for it.
func TestPickVariants(t *testing.T) {
	ok := func(p *packages.Package) *packages.Package {
		p.Types = types.NewPackage(p.PkgPath, p.Name)
		p.Syntax = []*ast.File{{}}
		return p
	}
	ill := func(p *packages.Package) *packages.Package {
		p.IllTyped = true
		return p
	}
	pkgs := []*packages.Package{
		ok(&packages.Package{ID: "m/p", PkgPath: "m/p", Name: "p"}),
		ok(&packages.Package{ID: "m/p [m/p.test]", PkgPath: "m/p", Name: "p", ForTest: "m/p"}),
		ok(&packages.Package{ID: "m/p_test [m/p.test]", PkgPath: "m/p_test", Name: "p_test", ForTest: "m/p"}),
		ok(&packages.Package{ID: "m/p.test", PkgPath: "m/p.test", Name: "main"}),
		ok(&packages.Package{ID: "m/q", PkgPath: "m/q", Name: "q"}),
		// Tests that do not type-check: r is analysed without them.
		ok(&packages.Package{ID: "m/r", PkgPath: "m/r", Name: "r"}),
		ill(&packages.Package{ID: "m/r [m/r.test]", PkgPath: "m/r", Name: "r", ForTest: "m/r"}),
		// Code that does not: s is reported, once.
		ill(&packages.Package{ID: "m/s", PkgPath: "m/s", Name: "s"}),
		ill(&packages.Package{ID: "m/s [m/s.test]", PkgPath: "m/s", Name: "s", ForTest: "m/s"}),
	}
	ids := func(ps []*packages.Package) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	v := pickVariants(pkgs, []string{"m/p", "m/q", "m/r", "m/s", "m/gone"})
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		{"use", ids(v.use), []string{"m/p [m/p.test]", "m/p_test [m/p.test]", "m/q", "m/r"}},
		{"testsFailed", ids(v.testsFailed), []string{"m/r [m/r.test]"}},
		{"failed", ids(v.failed), []string{"m/s"}},
		{"missing", v.missing, []string{"m/gone"}},
	} {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("pickVariants %s (-want +got):\n%s", c.name, diff)
		}
	}
}

// TestLoadAsksForTest: pickVariants needs ForTest, which go/packages fills
// only when asked.
func TestLoadAsksForTest(t *testing.T) {
	if loadMode&packages.NeedForTest == 0 {
		t.Error("loadMode lacks NeedForTest: every package with tests would be analysed twice")
	}
}

// TestDemote: a diagnostic under the precision gate is no finding, but it
// still ranks its function, as a signal at its line.
func TestDemote(t *testing.T) {
	before := loadFixture(t, Config{})
	if len(before.Diagnostics) == 0 {
		t.Fatal("the fixture has no diagnostics to demote")
	}
	after := loadFixture(t, Config{Demote: func(Diagnostic) bool { return true }})
	if len(after.Diagnostics) != 0 || after.Demoted != len(before.Diagnostics) {
		t.Fatalf("demoted %d of %d, %d diagnostics left", after.Demoted, len(before.Diagnostics), len(after.Diagnostics))
	}
	inFuncs := 0
	for _, d := range before.Diagnostics {
		fn := Enclosing(after.Funcs, d.File, d.Line)
		if fn == nil {
			continue
		}
		inFuncs++
		if fn.Static != 0 {
			t.Errorf("%s still counts %d static findings", fn.Name, fn.Static)
		}
		found := false
		for _, s := range fn.Signals {
			if s.Line == d.Line && s.Weight == DemotedWeight && strings.HasPrefix(s.Check, d.Analyzer) && s.Message == d.Message {
				found = true
			}
		}
		if !found {
			t.Errorf("%s:%d %s: no signal in %s: %+v", d.File, d.Line, d.Analyzer, fn.Name, fn.Signals)
		}
	}
	if inFuncs == 0 {
		t.Error("no diagnostic of the fixture lies in a function")
	}
}

// TestSplitModFile: GOFLAGS' -modfile travels as a build flag, the rest of
// GOFLAGS stays.
func TestSplitModFile(t *testing.T) {
	for _, c := range []struct {
		env     []string
		wantEnv []string
		want    string
	}{
		{[]string{"A=1", "GOFLAGS=-mod=mod -modfile=go_test.mod"}, []string{"A=1", "GOFLAGS=-mod=mod"}, "go_test.mod"},
		{[]string{"GOFLAGS=--modfile=/x/go.alt.mod"}, []string{"GOFLAGS="}, "/x/go.alt.mod"},
		{[]string{"GOFLAGS=-modfile=a.mod", "GOFLAGS=-mod=mod"}, []string{"GOFLAGS=-modfile=a.mod", "GOFLAGS=-mod=mod"}, ""},
		{[]string{"GOFLAGS=-mod=mod"}, []string{"GOFLAGS=-mod=mod"}, ""},
		{[]string{"A=1"}, []string{"A=1"}, ""},
	} {
		env, got := splitModFile(c.env)
		if got != c.want || !slices.Equal(env, c.wantEnv) {
			t.Errorf("splitModFile(%q) = %q, %q; want %q, %q", c.env, env, got, c.wantEnv, c.want)
		}
	}
}
