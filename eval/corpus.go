// Package eval is secondlook's benchmark: a corpus of Go modules with known
// bugs (built in, a folder of txtar cases, or eval/vulndb's real fixes), the
// runner that scans each case in a temp module with [pipeline.Run] and
// scores the findings ([Run]: precision, recall, whether the bug was in a
// selected region, tokens, cost), the oracle model that answers with each
// case's known bugs (the pipeline's ceiling), the full-scan rank of a bug's
// function ([Rank]), and the report's writers (text, markdown, JSON, the
// SVG curve, the comparison of two reports: pure functions of a [Report]).
//
// A corpus is a folder of txtar archives, one case each. The archive comment
// holds "key: value" lines: name, source (the upstream issue, PR or CVE the
// case is modeled on), family and description. The files are the module:
// go.mod and its sources. Files under base/ make it a diff-mode case: the
// runner commits the base files first, then the head files, and scans with
// --diff. A section named "expect" lists the known bugs, one a line:
//
//	KIND LOCATION [LOCATION...]
//
// where KIND is a public kind id and a LOCATION is FILE:LINE or
// FILE:START-END (module-relative, in the head version); a finding matches
// the bug at any one of its locations. An empty expect section marks a clean
// case: any finding there is a false positive. Expectations never appear in
// the code the model reads.
package eval

import (
	"bufio"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/txtar"

	"github.com/secondlook/secondlook/findings"
)

// Builtin is the built-in corpus, embedded so that `secondlook eval` works
// anywhere.
//
//go:embed corpus/*.txtar
var Builtin embed.FS

// Case is one corpus case.
type Case struct {
	Name        string
	Source      string // the upstream bug it is modeled on
	Family      findings.Family
	Description string
	Files       map[string][]byte // the head version, module-relative
	Base        map[string][]byte // the base version (diff mode), module-relative; nil otherwise
	Expect      []Bug             // empty: a clean case

	// Root, when set, is a whole module tree (in the module cache, say)
	// that Base and Files are laid over: the base is Root with Base, the
	// head Root with Files, and a nil file in either deletes it. Cases too
	// large to hold in memory or to commit use it.
	Root string

	// Fetch, if non-nil, is called once before the case runs to fill in
	// Root, Files and Base (downloading what it needs); its error fails
	// this case alone.
	Fetch func(ctx context.Context, c *Case) error

	// Env is added to the environment of the scan's go and git commands.
	Env []string

	// Functions name the functions that hold the bug ("Func",
	// "Type.Method"), when known; they score how the full-scan ranking
	// places the bug.
	Functions []string
}

// Diff reports whether the case is scanned as a change against its base.
func (c *Case) Diff() bool { return c.Base != nil }

// Clean reports whether the case has no known bug.
func (c *Case) Clean() bool { return len(c.Expect) == 0 }

// Bug is one known bug of a case.
type Bug struct {
	Kind      string
	Locations []Location // any one matches
}

// Location is a line or a range of lines of a file.
type Location struct {
	File       string
	Start, End int
}

func (l Location) String() string {
	if l.Start == l.End {
		return fmt.Sprintf("%s:%d", l.File, l.Start)
	}
	return fmt.Sprintf("%s:%d-%d", l.File, l.Start, l.End)
}

// LoadDir reads every *.txtar of a directory of fsys, sorted by file name.
func LoadDir(fsys fs.FS, dir string) ([]*Case, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.txtar"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no *.txtar cases in %s", dir)
	}
	slices.Sort(names)
	var cases []*Case
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		c, err := Parse(path.Base(name), data)
		if err != nil {
			return nil, err
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// Parse reads one case from a txtar archive; name is its file name, for
// errors and as the default case name.
func Parse(name string, data []byte) (*Case, error) {
	ar := txtar.Parse(data)
	c := &Case{Name: strings.TrimSuffix(name, ".txtar"), Files: map[string][]byte{}}
	errorf := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...))
	}

	sc := bufio.NewScanner(strings.NewReader(string(ar.Comment)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return nil, errorf("comment line %q is not key: value", line)
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "name":
			c.Name = v
		case "source":
			c.Source = v
		case "family":
			c.Family = findings.Family(v)
		case "description":
			c.Description = v
		default:
			return nil, errorf("unknown key %q (want name, source, family, description)", k)
		}
	}

	haveExpect := false
	for _, f := range ar.Files {
		switch {
		case f.Name == "expect":
			haveExpect = true
			bugs, err := parseExpect(f.Data)
			if err != nil {
				return nil, errorf("expect: %v", err)
			}
			c.Expect = bugs
		case strings.HasPrefix(f.Name, "base/"):
			if c.Base == nil {
				c.Base = map[string][]byte{}
			}
			c.Base[strings.TrimPrefix(f.Name, "base/")] = f.Data
		default:
			if _, dup := c.Files[f.Name]; dup {
				return nil, errorf("file %s appears twice", f.Name)
			}
			c.Files[f.Name] = f.Data
		}
	}
	switch {
	case !haveExpect:
		return nil, errorf("no expect section (an empty one marks a clean case)")
	case c.Files["go.mod"] == nil:
		return nil, errorf("no go.mod")
	case c.Source == "":
		return nil, errorf("no source: name the upstream bug the case is modeled on")
	}
	if _, ok := familyDigit[c.Family]; !ok {
		return nil, errorf("family %q: want concurrency, panic, errors, logic or security", c.Family)
	}
	for _, b := range c.Expect {
		for _, l := range b.Locations {
			data, ok := c.Files[l.File]
			if !ok {
				return nil, errorf("expect names %s, which the case does not have", l.File)
			}
			if n := strings.Count(string(data), "\n") + 1; l.End > n {
				return nil, errorf("expect names %s, past the end of the file (%d lines)", l, n)
			}
		}
	}
	return c, nil
}

var familyDigit = map[findings.Family]bool{
	findings.FamilyConcurrency: true, findings.FamilyPanic: true, findings.FamilyErrors: true,
	findings.FamilyLogic: true, findings.FamilySecurity: true,
}

func parseExpect(data []byte) ([]Bug, error) {
	var bugs []Bug
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		if len(fields) < 2 {
			return nil, fmt.Errorf("line %d: want KIND LOCATION [LOCATION...]", n)
		}
		kind := fields[0]
		if _, ok := findings.KindFamily(kind); !ok {
			return nil, fmt.Errorf("line %d: unknown kind %q", n, kind)
		}
		b := Bug{Kind: kind}
		for _, f := range fields[1:] {
			l, err := parseLocation(f)
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", n, err)
			}
			b.Locations = append(b.Locations, l)
		}
		bugs = append(bugs, b)
	}
	return bugs, nil
}

func parseLocation(s string) (Location, error) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return Location{}, fmt.Errorf("location %q: want FILE:LINE or FILE:START-END", s)
	}
	file, lines := s[:i], s[i+1:]
	a, b, isRange := strings.Cut(lines, "-")
	start, err := strconv.Atoi(a)
	if err != nil || start < 1 {
		return Location{}, fmt.Errorf("location %q: bad line", s)
	}
	end := start
	if isRange {
		if end, err = strconv.Atoi(b); err != nil || end < start {
			return Location{}, fmt.Errorf("location %q: bad range", s)
		}
	}
	return Location{File: file, Start: start, End: end}, nil
}
