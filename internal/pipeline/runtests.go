package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/runtests"
)

// RunTestsConfig says how [Run] runs the scanned packages' own tests
// (Config.RunTests).
type RunTestsConfig struct {
	// Timeout bounds each package's tests; 0 means DefaultTestTimeout.
	Timeout time.Duration
	// Jobs is how many packages are tested at once; 0 means 1.
	Jobs int
}

// runTests runs the tests of the analysed packages (in a diff scan, the
// changed ones) and adds what they showed: a finding for each race and
// leak with a frame in the module (not diff-filtered: the tests of the
// changed packages showed it), a TestRun for each package. It returns
// where each finding's report landed, for Confirm.
func runTests(ctx context.Context, cfg Config, res *Result, lines *lineReader, inShard func(string, int) bool) (map[landKey][]findings.Location, error) {
	ares := res.Analysis
	rt, err := runtests.Run(ctx, runtests.Config{
		Dir:      res.Module.Dir,
		Module:   res.Module.Path,
		Packages: ares.Packages,
		Timeout:  cfg.RunTests.Timeout,
		Jobs:     cfg.RunTests.Jobs,
		Env:      cfg.Env,
		ModFile:  cfg.ModFile,
	})
	if err != nil {
		return nil, err
	}
	landing := map[landKey][]findings.Location{}
	res.Report.Tests = []findings.TestRun{}
	for _, p := range rt.Packages {
		tr := findings.TestRun{
			Package:     p.ImportPath,
			Status:      string(p.Status),
			Seconds:     p.Elapsed.Round(time.Millisecond).Seconds(),
			Message:     p.Message,
			LeakProfile: p.LeakProfile,
		}
		if !rt.LeakProfile {
			tr.Message = strings.TrimSpace(tr.Message + "\n" + rt.Note)
		}
		for _, r := range p.Reports {
			f, lands, ok := executionFinding(p.ImportPath, r, ares.Funcs, lines)
			if !ok {
				tr.Outside++ // no stack in the module: not evidence about it
				continue
			}
			if r.Kind == runtests.KindRace {
				tr.Races++
			} else {
				tr.Leaks++
			}
			if inShard(f.Location.File, f.Location.Line) {
				res.Report.Findings = append(res.Report.Findings, f)
				k := keyOf(f)
				landing[k] = append(landing[k], lands...)
			}
		}
		res.Report.Tests = append(res.Report.Tests, tr)
	}
	return landing, nil
}

// landKey names an execution finding before Dedup.
type landKey struct {
	source, file, message string
	line                  int
}

func keyOf(f findings.Finding) landKey {
	return landKey{f.Source, f.Location.File, f.Message, f.Location.Line}
}

// lands returns Confirm's test: a claim is confirmed when it lies in the
// function (the outermost one: a goroutine's literal belongs to its
// function) of one of the places its report landed, each access of a race
// or the block of a leaked goroutine.
func lands(funcs []*analyzer.Func, landing map[landKey][]findings.Location) func(claim, exec findings.Finding) bool {
	return func(claim, exec findings.Finding) bool {
		c := outermost(funcs, claim.Location.File, claim.Location.Line)
		for _, l := range landing[keyOf(exec)] {
			if l.File != claim.Location.File {
				continue
			}
			if c != nil && c == outermost(funcs, l.File, l.Line) {
				return true
			}
			if c == nil && claim.Location.Line <= l.Line && l.Line <= claim.Location.Last() {
				return true
			}
		}
		return false
	}
}

// outermost returns the largest function around a line, nil outside any.
func outermost(funcs []*analyzer.Func, file string, line int) *analyzer.Func {
	var best *analyzer.Func
	for _, f := range funcs {
		if f.File == file && f.Start <= line && line <= f.End && (best == nil || f.End-f.Start > best.End-best.Start) {
			best = f
		}
	}
	return best
}

// maxFrames bounds the module frames of one stack kept as related
// locations.
const maxFrames = 6

// executionFinding turns a race or leak report into a finding at its first
// frame in the module, with the stacks' module frames as related
// locations. lands are where the report landed: the first module frame of
// each access (race) or of the goroutine's stack (leak). ok is false when
// no stack has a frame in the module.
func executionFinding(pkg string, r runtests.Report, funcs []*analyzer.Func, lines *lineReader) (f findings.Finding, lands []findings.Location, ok bool) {
	if r.Kind == runtests.KindRace {
		r.Stacks = raceOrder(r.Stacks)
	}
	first, ok := r.First()
	if !ok {
		return f, nil, false
	}
	analyzerName, source := "runtests/data-race-observed", findings.SourceRaceDetector
	if r.Kind == runtests.KindLeak {
		analyzerName, source = "runtests/goroutine-leak-observed", findings.SourceLeakProfile
	}
	rule, _ := findings.RuleForAnalyzer(analyzerName)
	f = findings.Finding{
		RuleID:   rule.ID,
		Level:    rule.Level,
		Location: findings.Location{File: first.File, Line: first.Line, Snippet: lines.line(first.File, first.Line)},
		Function: shortFunc(first.Func),
		Source:   source,
	}
	if fn := analyzer.Enclosing(funcs, first.File, first.Line); fn != nil {
		f.Function = fn.Name
	}
	var primary, other string
	self := false // the finding's own frame, left out of its related locations
	for i, s := range r.Stacks {
		title := plainTitle(s.Title)
		kept := 0
		for _, fr := range s.Frames {
			if fr.File == "" {
				continue
			}
			loc := findings.Location{File: fr.File, Line: fr.Line, Snippet: lines.line(fr.File, fr.Line),
				Message: fmt.Sprintf("%s: %s", title, shortFunc(fr.Func))}
			if kept == 0 && (r.Kind == runtests.KindLeak && i == 0 || r.Kind == runtests.KindRace && isAccess(s.Title)) {
				lands = append(lands, loc)
				switch {
				case primary == "":
					primary = title
				case other == "":
					other = fmt.Sprintf("%s at %s:%d", title, fr.File, fr.Line)
				}
			}
			kept++
			switch {
			case !self && fr == first:
				self = true
			case kept <= maxFrames:
				f.Related = append(f.Related, loc)
			}
		}
	}
	cmd := "go test -race -count=1 " + pkg
	if r.Kind == runtests.KindRace {
		f.Message = "data race observed: a " + primary + " here"
		if other != "" {
			f.Message += " races with a " + other
		}
		if r.Test != "" {
			f.Message += " (in " + r.Test + ")"
			cmd = fmt.Sprintf("go test -race -count=1 -run '%s' %s", runPattern(r.Test), pkg)
			f.Explanation = fmt.Sprintf("The race detector reported it while %s of %s ran; %s shows it again.", r.Test, pkg, cmd)
		} else {
			f.Explanation = fmt.Sprintf("The race detector reported it while the tests of %s ran, outside any one test; %s shows it again.", pkg, cmd)
		}
	} else {
		f.Message = "goroutine leaked: " + primary + " forever, proved unreachable by the goroutine-leak profile"
		if len(r.Stacks) > 1 {
			if by, ok := r.Stacks[len(r.Stacks)-1].First(); ok && strings.HasPrefix(r.Stacks[len(r.Stacks)-1].Title, "created by ") {
				f.Message += fmt.Sprintf("; started by %s at %s:%d", shortFunc(by.Func), by.File, by.Line)
			}
		}
		f.Explanation = fmt.Sprintf("The goroutine-leak profile (GOEXPERIMENT=goroutineleakprofile) written after the tests of %s ran holds it: no running goroutine can reach what it waits on.", pkg)
	}
	return f, lands, true
}

var (
	addrRE      = regexp.MustCompile(` at 0x[0-9a-f]+`)
	byRE        = regexp.MustCompile(` by (main )?goroutine( \d+)?`)
	goroutineRE = regexp.MustCompile(`^[Gg]oroutine \d+ `)
	stateRE     = regexp.MustCompile(`^goroutine \d+ \[(.*?)(?: \(leaked\))?(?:, \d+ minutes)?\]$`)
	inRE        = regexp.MustCompile(` in goroutine \d+$`)
)

// plainTitle takes the addresses and goroutine numbers out of a stack's
// title, which differ from run to run: "Previous write at 0xc000 by
// goroutine 8" is "previous write", "Goroutine 9 (running) created at" is
// "goroutine created at", "goroutine 21 [chan send (leaked)]" is "blocked in
// chan send", "created by m.Leak in goroutine 20" is "created by m.Leak".
func plainTitle(t string) string {
	if m := stateRE.FindStringSubmatch(t); m != nil {
		return "blocked in " + m[1]
	}
	t = addrRE.ReplaceAllString(t, "")
	t = byRE.ReplaceAllString(t, "")
	t = inRE.ReplaceAllString(t, "")
	t = goroutineRE.ReplaceAllString(t, "goroutine ")
	t = strings.Replace(t, "goroutine (running) ", "goroutine ", 1)
	t = strings.Replace(t, "goroutine (finished) ", "goroutine ", 1)
	// Which access is "previous" is the detector's order, not the code's.
	t = strings.TrimPrefix(t, "Previous ")
	if by, ok := strings.CutPrefix(t, "created by "); ok {
		return "created by " + shortFunc(by)
	}
	return strings.ToLower(t[:1]) + t[1:]
}

// raceOrder puts a race's stacks in an order that does not depend on which
// goroutine the detector caught second: the two accesses, then where the
// goroutines were created, each by its first frame in the module (stacks
// with none last). So the finding lands on the same line run after run.
func raceOrder(stacks []runtests.Stack) []runtests.Stack {
	out := slices.Clone(stacks)
	// Accesses with a module frame, accesses without, creations with, without.
	rank := func(s runtests.Stack) int {
		_, ok := s.First()
		r := 0
		if !isAccess(s.Title) {
			r += 2
		}
		if !ok {
			r++
		}
		return r
	}
	slices.SortStableFunc(out, func(a, b runtests.Stack) int {
		fa, _ := a.First()
		fb, _ := b.First()
		return cmp.Or(
			cmp.Compare(rank(a), rank(b)),
			cmp.Compare(fa.File, fb.File),
			cmp.Compare(fa.Line, fb.Line))
	})
	return out
}

// isAccess reports whether a race stack's title is one of its two
// accesses, not where a goroutine was created.
func isAccess(title string) bool {
	return !strings.HasPrefix(strings.ToLower(title), "goroutine ")
}

// shortFunc drops the import path of a function as the runtime prints it:
// example.com/m/race.(*Counter).Add.func1 is (*Counter).Add.func1.
func shortFunc(fn string) string {
	if i := strings.LastIndex(fn, "/"); i >= 0 {
		fn = fn[i+1:]
	}
	if _, rest, ok := strings.Cut(fn, "."); ok {
		return rest
	}
	return fn
}

// runPattern is go test's -run pattern for exactly one test or subtest.
func runPattern(test string) string {
	parts := strings.Split(test, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}
