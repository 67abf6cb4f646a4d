package runtests_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secondlook/secondlook/internal/runtests"
	"github.com/secondlook/secondlook/internal/testtree"
)

func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds six test binaries with -race")
	}
	dir := testtree.Copy(t, filepath.Join("testdata", "mod"))
	before := testtree.Hash(t, dir)
	pkgs := []string{"race", "leak", "withmain", "hang", "clean", "broken"}
	var paths []string
	for _, p := range pkgs {
		paths = append(paths, "example.com/rt/"+p)
	}
	res, err := runtests.Run(context.Background(), runtests.Config{
		Dir: dir, Module: "example.com/rt", Packages: paths, Timeout: 5 * time.Second, Jobs: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	if after := testtree.Hash(t, dir); after != before {
		t.Errorf("the run changed the tree: hash %s, was %s", after, before)
	}
	if !res.LeakProfile {
		t.Fatalf("go1.26 has the goroutine-leak profile, Run says not: %s", res.Note)
	}
	if len(res.Packages) != len(pkgs) {
		t.Fatalf("%d packages, want %d", len(res.Packages), len(pkgs))
	}
	got := map[string]runtests.Package{}
	for i, p := range res.Packages {
		if p.ImportPath != paths[i] {
			t.Errorf("package %d is %s, want %s", i, p.ImportPath, paths[i])
		}
		got[pkgs[i]] = p
	}

	type where struct {
		file string
		line int
	}
	first := func(s runtests.Stack) where {
		f, _ := s.First()
		return where{f.File, f.Line}
	}
	check := func(name string, status runtests.Status, kind runtests.Kind, stacks ...where) {
		t.Helper()
		p := got[name]
		if p.Status != status {
			t.Errorf("%s: status %s (%s), want %s", name, p.Status, p.Message, status)
		}
		if len(stacks) == 0 {
			if len(p.Reports) != 0 {
				t.Errorf("%s: reports %+v, want none", name, p.Reports)
			}
			return
		}
		if len(p.Reports) != 1 {
			t.Fatalf("%s: %d reports, want 1: %+v", name, len(p.Reports), p.Reports)
		}
		r := p.Reports[0]
		if r.Kind != kind {
			t.Errorf("%s: kind %s, want %s", name, r.Kind, kind)
		}
		for i, w := range stacks {
			if i >= len(r.Stacks) {
				t.Errorf("%s: %d stacks, want at least %d", name, len(r.Stacks), len(stacks))
				break
			}
			if g := first(r.Stacks[i]); g != w {
				t.Errorf("%s: stack %d (%s) starts in the module at %v, want %v", name, i, r.Stacks[i].Title, g, w)
			}
		}
	}

	// The race: the goroutine's increment and the caller's, in the order
	// the scheduler ran them, and where the goroutine started.
	if r := got["race"]; r.Status != runtests.StatusFail || len(r.Reports) != 1 || r.Reports[0].Kind != runtests.KindRace {
		t.Errorf("race: status %s (%s), reports %+v: want a failure with one race report", r.Status, r.Message, r.Reports)
	} else {
		var accesses, created []where
		for _, st := range r.Reports[0].Stacks {
			if strings.Contains(st.Title, "created at") {
				created = append(created, first(st))
			} else {
				accesses = append(accesses, first(st))
			}
		}
		slices.SortFunc(accesses, func(a, b where) int { return a.line - b.line })
		if want := []where{{"race/race.go", 11}, {"race/race.go", 14}}; !slices.Equal(accesses, want) {
			t.Errorf("race: the accesses start in the module at %v, want %v in either order", accesses, want)
		}
		if !slices.Contains(created, where{"race/race.go", 10}) {
			t.Errorf("race: goroutines created at %v, want one at race/race.go:10", created)
		}
	}
	if r := got["race"]; len(r.Reports) > 0 && r.Reports[0].Test != "TestAdd" {
		t.Errorf("race: reported during %q, want TestAdd", r.Reports[0].Test)
	}
	if r := got["race"]; strings.Join(r.Failed, ",") != "TestAdd" {
		t.Errorf("race: failed %v, want [TestAdd]", r.Failed)
	}
	// The leak: blocked on the send, created in First.
	check("leak", runtests.StatusPass, runtests.KindLeak, where{"leak/leak.go", 10}, where{"leak/leak.go", 9})
	// A package with its own TestMain: still profiled, and the added test
	// is not reported.
	check("withmain", runtests.StatusPass, runtests.KindLeak, where{"withmain/withmain.go", 8}, where{"withmain/withmain.go", 7})
	check("clean", runtests.StatusPass, "")
	check("hang", runtests.StatusTimeout, "")
	check("broken", runtests.StatusBuildFailed, "")
	for _, name := range []string{"leak", "withmain", "clean"} {
		if !got[name].LeakProfile {
			t.Errorf("%s: the leak profile was not written", name)
		}
	}
	if m := got["hang"].Message; !strings.Contains(m, "TestWait") {
		t.Errorf("hang: message %q does not name the test that was running", m)
	}
	if m := got["broken"].Message; !strings.Contains(m, "broken/broken_test.go:6") {
		t.Errorf("broken: message %q does not hold the compiler's error", m)
	}
}
