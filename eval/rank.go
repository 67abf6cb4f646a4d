package eval

import (
	"context"
	"path"
	"regexp"
	"slices"
	"strings"

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
}

// rankCase scans the packages of a case's bug in dir (the head version)
// as a full scan, statically, and finds its functions among the regions.
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
	rk := &Rank{Regions: len(res.Selection.Regions), Tokens: res.Selection.TotalTokens}
	above := 0
	for i, r := range res.Selection.Regions {
		if files[r.File] && slices.Contains(c.Functions, NormalizeFunc(r.Func)) {
			rk.Selected, rk.Position = true, i+1
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
