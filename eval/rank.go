package eval

import (
	"cmp"
	"context"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/internal/pipeline"
)

// TopShare is the share of a package's region tokens, riskiest first,
// within which a full scan should place the bug's function: a budget of a
// fifth of the package still reads it.
const TopShare = 0.2

// Rank is where a full scan of a case's packages puts the function that
// holds its bug.
type Rank struct {
	Selected bool    `json:"selected"` // the function is a region of the full scan
	Position int     `json:"position"` // 1-based among the packages' regions, riskiest first; 0 if not selected
	Regions  int     `json:"regions"`
	Tokens   int     `json:"tokens"` // of all the packages' regions
	Above    float64 `json:"above"`  // share of those tokens ranked above the function
	Top      bool    `json:"top"`    // Above < TopShare
	// Checks are the signal checks of the function's region, and
	// CheckTokens the tokens of the packages' regions that carry each
	// check: what [Lifts] weighs the checks by.
	Checks      []string       `json:"checks,omitempty"`
	CheckTokens map[string]int `json:"check_tokens,omitempty"`
}

// rankCase scans the packages of a case's bug in dir (the head version)
// as a full scan, statically, and finds its functions among the regions:
// by name when the case names them, else the first region that holds a
// line of a bug.
func rankCase(ctx context.Context, dir string, c *Case, env []string) (*Rank, error) {
	files := map[string]bool{}
	var pkgs []string
	for _, b := range c.Expect {
		for _, l := range b.Locations {
			files[l.File] = true
			if d := path.Dir(l.File); d == "." {
				pkgs = append(pkgs, ".")
			} else {
				pkgs = append(pkgs, "./"+d)
			}
		}
	}
	slices.Sort(pkgs)
	res, err := pipeline.Run(ctx, pipeline.Config{Dir: dir, Patterns: slices.Compact(pkgs), Env: env})
	if err != nil {
		return nil, err
	}
	rk := &Rank{Regions: len(res.Selection.Regions), Tokens: res.Selection.TotalTokens, CheckTokens: map[string]int{}}
	for _, r := range res.Selection.Regions {
		for _, c := range checks(r.Signals) {
			rk.CheckTokens[c] += r.Tokens
		}
	}
	// A case that names its functions is found by name; one that does not
	// (the built-in corpus) by the region that holds a line of its bug.
	holds := func(r analyzer.Region) bool {
		if len(c.Functions) > 0 {
			return files[r.File] && slices.Contains(c.Functions, NormalizeFunc(r.Func))
		}
		return slices.ContainsFunc(c.Expect, func(b Bug) bool { return inRegion(b, []span{{r.File, r.Start, r.End}}) })
	}
	above := 0
	for i, r := range res.Selection.Regions {
		if holds(r) {
			rk.Selected, rk.Position, rk.Checks = true, i+1, checks(r.Signals)
			if rk.Tokens > 0 {
				rk.Above = round(float64(above) / float64(rk.Tokens))
			}
			rk.Top = float64(above) < TopShare*float64(rk.Tokens)
			break
		}
		above += r.Tokens
	}
	return rk, nil
}

// checks returns the distinct checks of signals, sorted.
func checks(signals []analyzer.Signal) []string {
	var cs []string
	for _, s := range signals {
		cs = append(cs, s.Check)
	}
	slices.Sort(cs)
	return slices.Compact(cs)
}

// Lift is how much more often a signal check marks the bug's function than
// its share of a full scan's tokens predicts. A check with a lift above 1
// earns its place in a budget; below 1 it spends tokens on regions that hold
// no bug more often than a random pick would.
type Lift struct {
	Check      string  `json:"check"`
	Bugs       int     `json:"bugs"`        // ranked cases whose bug's region carries the check
	BugShare   float64 `json:"bug_share"`   // Bugs over the ranked cases whose function was selected
	TokenShare float64 `json:"token_share"` // mean share of a case's region tokens that carry it
	Lift       float64 `json:"lift"`        // BugShare / TokenShare
}

// Lifts measures every check that a ranked case's scan reported, the
// strongest first: the evidence for the weights of [analyzer.Score].
func Lifts(results []CaseResult) []Lift {
	bugs := map[string]int{}
	share := map[string]float64{}
	selected := 0
	for _, r := range results {
		rk := r.Rank
		if rk == nil || !rk.Selected || rk.Tokens == 0 {
			continue
		}
		selected++
		for _, c := range rk.Checks {
			bugs[c]++
		}
		for c, t := range rk.CheckTokens {
			share[c] += float64(t) / float64(rk.Tokens)
		}
	}
	var ls []Lift
	for c, s := range share {
		l := Lift{Check: c, Bugs: bugs[c], BugShare: ratio(bugs[c], selected), TokenShare: round(s / float64(selected))}
		if s > 0 {
			l.Lift = round(float64(bugs[c]) / s)
		}
		ls = append(ls, l)
	}
	slices.SortFunc(ls, func(a, b Lift) int {
		return cmp.Or(cmp.Compare(b.Lift, a.Lift), cmp.Compare(b.Bugs, a.Bugs), strings.Compare(a.Check, b.Check))
	})
	return ls
}

var literalName = regexp.MustCompile(`^(func|gowrap)[0-9]+$`)

// NormalizeFunc turns a function as Go prints it ("(*Server).Handle",
// "Server[T].Handle", "Run.func2") into the spelling of Case.Functions and
// of the Go vulnerability database ("Server.Handle", "Run").
func NormalizeFunc(name string) string {
	name = strings.NewReplacer("(", "", ")", "", "*", "").Replace(name)
	for {
		i := strings.IndexByte(name, '[')
		j := strings.IndexByte(name, ']')
		if i < 0 || j < i {
			break
		}
		name = name[:i] + name[j+1:]
	}
	parts := strings.Split(name, ".")
	// Drop the suffixes Go gives function literals (".func1", ".gowrap2").
	for len(parts) > 1 && literalName.MatchString(parts[len(parts)-1]) {
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, ".")
}
