package analyzer

import (
	"bufio"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRanking measures the promise of the ranking: in a full scan, the
// functions that hold real bugs come first, well ahead of code that merely
// uses many features. testdata/rank is a small module of realistic packages
// with bugs of known, documented classes (listed in BUGS.txt, not marked in
// the code) among correct, feature-heavy code.
//
// It is a measurement, not a target: do not tune pass weights to this
// fixture. The thresholds sit a little under what the passes reach, so a
// regression of the ranking fails here.
func TestRanking(t *testing.T) {
	// Measured when this test was written: AP 0.719, P@14 0.786 (11 of 14).
	// Measured after goroutines/map-write-concurrent, one-sided bounds in
	// conversions and errs/err-dropped-cleanup: AP 0.926, P@14 0.857 (12 of
	// 14), every bug in the top half.
	const (
		minAP   = 0.90 // average precision over the bugs
		minPAtK = 0.85 // precision in the top K, K = number of bugs: 12 of 14
	)
	// Bugs the passes do not rank in the top half yet, and why. Every other
	// bug must be a region in the top half. Drop an entry once it is fixed.
	knownLow := map[string]string{}

	dir := filepath.Join("testdata", "rank")
	res, err := Run(context.Background(), Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("fixture does not load cleanly: %v", res.Errors)
	}
	bugs := readBugs(t, filepath.Join(dir, "BUGS.txt"))
	known := map[string]bool{}
	for _, f := range res.Funcs {
		known[f.File+":"+f.Name] = true
	}
	for b := range bugs {
		if !known[b] {
			t.Fatalf("BUGS.txt names %s, which is not a function of the fixture", b)
		}
	}

	// Tokens do not matter without a budget; a cheap count keeps this fast.
	sel := Select(res, SelectConfig{CountTokens: func(s string) int { return len(s) / 4 }})
	regions := sel.Regions
	if len(sel.LeftOut) > 0 {
		t.Fatalf("no budget, yet %d regions left out", len(sel.LeftOut))
	}

	// A bug's rank counts every region that scores higher and every clean
	// region that scores the same: a tie is broken against the bug, so the
	// measure does not depend on how Select orders equal scores (by file).
	rank := map[string]int{}
	for i, r := range regions {
		key := r.File + ":" + r.Func
		if !bugs[key] {
			continue
		}
		n := 1
		for j, o := range regions {
			if o.Score > r.Score || (o.Score == r.Score && (!bugs[o.File+":"+o.Func] || j < i)) {
				if j != i {
					n++
				}
			}
		}
		rank[key] = n
	}
	// A bug with no region is ranked last, after every region.
	var missing []string
	for b := range bugs {
		if _, ok := rank[b]; !ok {
			missing = append(missing, b)
		}
	}
	slices.Sort(missing)
	for i, b := range missing {
		rank[b] = len(regions) + 1 + i
	}

	ranks := make([]int, 0, len(bugs))
	for _, r := range rank {
		ranks = append(ranks, r)
	}
	slices.Sort(ranks)
	k := len(bugs)
	inTopK := 0
	ap := 0.0
	for i, r := range ranks {
		if r <= k {
			inTopK++
		}
		ap += float64(i+1) / float64(r) // precision at the rank of the (i+1)th bug
	}
	ap /= float64(len(bugs))
	pAtK := float64(inTopK) / float64(k)

	var b strings.Builder
	fmt.Fprintf(&b, "%d functions, %d regions, %d bugs\n", len(res.Funcs), len(regions), len(bugs))
	fmt.Fprintf(&b, "%4s  %-3s  %6s  %-40s  %s\n", "pos", "bug", "score", "function", "signals")
	for i, r := range regions {
		key := r.File + ":" + r.Func
		mark := ""
		if bugs[key] {
			mark = fmt.Sprintf("#%d", rank[key])
		}
		fmt.Fprintf(&b, "%4d  %-3s  %6.2f  %-40s  %s\n", i+1, mark, r.Score, key, signalSummary(r))
	}
	for _, m := range missing {
		fmt.Fprintf(&b, "   -  #%d  %6s  %-40s  no signal, no region\n", rank[m], "-", m)
	}
	fmt.Fprintf(&b, "AP = %.3f, P@%d = %.3f (%d of %d bugs in the top %d)", ap, k, pAtK, inTopK, k, k)
	t.Log("ranking (bug ranks break ties against the bug):\n" + b.String())

	if ap < minAP {
		t.Errorf("average precision %.3f < %.2f", ap, minAP)
	}
	if pAtK < minPAtK {
		t.Errorf("precision@%d %.3f < %.2f", k, pAtK, minPAtK)
	}
	half := len(regions) / 2
	for _, b := range slices.Sorted(maps.Keys(bugs)) {
		why, known := knownLow[b]
		switch {
		case rank[b] > half && !known:
			t.Errorf("%s ranks #%d, not in the top half (%d of %d regions)", b, rank[b], half, len(regions))
		case rank[b] > half:
			t.Logf("known low: %s ranks #%d: %s", b, rank[b], why)
		case known:
			t.Logf("%s now ranks #%d, in the top half: remove it from knownLow", b, rank[b])
		}
	}
	for b := range knownLow {
		if !bugs[b] {
			t.Errorf("knownLow names %s, which BUGS.txt does not list", b)
		}
	}
}

// readBugs reads BUGS.txt: "file:FuncName" lines; blank lines and lines
// starting with "#" or "//" are notes.
func readBugs(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bugs := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "//") {
			continue
		}
		if file, fn, ok := strings.Cut(line, ":"); !ok || file == "" || fn == "" {
			t.Fatalf("%s: want file:FuncName, got %q", path, line)
		}
		bugs[line] = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(bugs) == 0 {
		t.Fatalf("%s lists no bugs", path)
	}
	return bugs
}

// signalSummary lists a region's checks, strongest first, with their
// weights and counts, e.g. "locking/lock-early-exit=9 channels/send=1x3".
func signalSummary(r Region) string {
	type agg struct {
		w float64
		n int
	}
	by := map[string]*agg{}
	for _, s := range r.Signals {
		a := by[s.Check]
		if a == nil {
			a = &agg{}
			by[s.Check] = a
		}
		a.w = max(a.w, s.Weight)
		a.n++
	}
	checks := slices.Sorted(maps.Keys(by))
	slices.SortFunc(checks, func(a, b string) int {
		if by[a].w != by[b].w {
			if by[a].w > by[b].w {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	var parts []string
	if r.Static > 0 {
		parts = append(parts, fmt.Sprintf("STATIC x%d", r.Static))
	}
	for _, c := range checks {
		p := fmt.Sprintf("%s=%g", c, by[c].w)
		if by[c].n > 1 {
			p += fmt.Sprintf("x%d", by[c].n)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}
