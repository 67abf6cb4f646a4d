package vulndb

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/secondlook/secondlook/findings"
)

// Meta is one case of the corpus: what is committed of it. The trees
// themselves come from the module proxy when the case runs.
//
// The case is shaped twice. Reverting the fix is a pull request that brings
// the bug back: its base is the fixed version Fixed, its head is Fixed with
// Vulnerable's version of Files, and BugLines are the lines that revert adds
// or changes (for a pure deletion, the two lines around it). The fix itself
// is a clean pull request: base the head above, head Fixed; every finding
// there is a false positive.
type Meta struct {
	ID           string          `json:"id"` // the vulndb report, e.g. GO-2023-1600
	Module       string          `json:"module"`
	Vulnerable   string          `json:"vulnerable"` // the last vulnerable version (vulnerable_at)
	Fixed        string          `json:"fixed"`      // the first fixed version above it
	Year         int             `json:"year"`
	Kind         string          `json:"kind"` // a catalogue kind, from the report's words and CWE
	Family       findings.Family `json:"family"`
	Summary      string          `json:"summary"`
	FixCommits   []string        `json:"fix_commits,omitempty"`
	Files        []string        `json:"files"`         // module-relative: the files the revert changes
	ChangedLines int             `json:"changed_lines"` // lines added and removed by the revert
	BugLines     []Lines         `json:"bug_lines"`     // in the head
	Functions    []string        `json:"functions"`     // vulndb spelling: "Func" or "Type.Method"
	// Scope says how the change was restricted: "symbols" (the files that
	// declare the report's symbols), "packages" (the files of its packages)
	// or "module" (a report that names no package, whose whole release
	// diff is small).
	Scope string `json:"scope"`
}

// Lines is a range of lines of one file, 1-based and inclusive.
type Lines struct {
	File  string `json:"file"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

func (l Lines) String() string {
	if l.Start == l.End {
		return fmt.Sprintf("%s:%d", l.File, l.Start)
	}
	return fmt.Sprintf("%s:%d-%d", l.File, l.Start, l.End)
}

// Packages returns the module-relative directories of the case's files,
// as patterns ("./internal/x", or "." for the root).
func (m *Meta) Packages() []string {
	var out []string
	for _, f := range m.Files {
		d := path.Dir(f)
		if d == "." {
			out = append(out, ".")
		} else {
			out = append(out, "./"+d)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// shape computes the revert's lines and functions for the kept files, or
// says why the candidate is not a case.
func shape(ctx context.Context, c Candidate, vdir, fdir string, files []string) (*Meta, string, error) {
	kind, family := Classify(c.Report)
	m := &Meta{
		ID: c.Report.ID, Module: c.Module.Module, Vulnerable: c.Vuln, Fixed: c.Fixed,
		Year: c.Report.Year(), Kind: kind, Family: family, Summary: strings.TrimSpace(c.Report.Summary),
		FixCommits: c.Report.FixCommits(), Files: files,
	}
	symbols := map[string]bool{}
	for _, p := range c.Module.Packages {
		for _, s := range p.Symbols {
			symbols[s] = true
		}
	}
	switch {
	case len(symbols) > 0:
		m.Scope = "symbols"
	case len(c.Module.Packages) > 0:
		m.Scope = "packages"
	default:
		m.Scope = "module"
	}
	fns := map[string]bool{}
	for _, rel := range files {
		hunks, err := diffHunks(ctx, filepath.Join(fdir, rel), filepath.Join(vdir, rel))
		if err != nil {
			return nil, "", err
		}
		var ranges []Lines
		for _, h := range hunks {
			m.ChangedLines += h.oldLines + h.newLines
			l := Lines{File: rel, Start: h.newStart, End: h.newStart + h.newLines - 1}
			if h.newLines == 0 {
				// The revert only deletes (the fix only added): the bug is
				// where the lines are missing, between these two.
				l.Start, l.End = max(h.newStart, 1), h.newStart+1
			}
			ranges = append(ranges, l)
		}
		m.BugLines = append(m.BugLines, ranges...)
		for _, fn := range funcsIn(filepath.Join(vdir, rel)) {
			if len(symbols) > 0 && !symbols[fn.name] {
				continue
			}
			if slices.ContainsFunc(ranges, func(l Lines) bool { return l.Start <= fn.end && l.End >= fn.start }) {
				fns[fn.name] = true
			}
		}
	}
	if m.ChangedLines == 0 {
		return nil, "no Go change between the versions", nil
	}
	if m.ChangedLines > MaxChangedLines {
		return nil, fmt.Sprintf("the fix changes more than %d lines", MaxChangedLines), nil
	}
	if len(fns) == 0 {
		if len(symbols) > 0 {
			return nil, "the report's symbols lie outside the change", nil
		}
		return nil, "the change lies outside functions", nil
	}
	m.Functions = slices.Sorted(maps.Keys(fns))
	return m, "", nil
}

type hunk struct {
	oldStart, oldLines, newStart, newLines int
}

// diffHunks returns the hunks that turn file a into file b (either may be
// missing), as git diff -U0 gives them.
func diffHunks(ctx context.Context, a, b string) ([]hunk, error) {
	for _, p := range []*string{&a, &b} {
		if _, err := os.Stat(*p); errors.Is(err, os.ErrNotExist) {
			*p = os.DevNull
		}
	}
	cmd := exec.CommandContext(ctx, "git", "diff", "--no-index", "--no-color", "--no-ext-diff", "-U0", "--", a, b)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		return nil, fmt.Errorf("git diff: %v: %s", err, stderr.Bytes())
	}
	var hunks []hunk
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "@@ ") {
			continue
		}
		// @@ -a[,b] +c[,d] @@
		fields := strings.Fields(line)
		if len(fields) < 3 {
			continue
		}
		var h hunk
		h.oldStart, h.oldLines = parseRange(strings.TrimPrefix(fields[1], "-"))
		h.newStart, h.newLines = parseRange(strings.TrimPrefix(fields[2], "+"))
		hunks = append(hunks, h)
	}
	return hunks, sc.Err()
}

func parseRange(s string) (start, n int) {
	a, b, ok := strings.Cut(s, ",")
	start, _ = strconv.Atoi(a)
	n = 1
	if ok {
		n, _ = strconv.Atoi(b)
	}
	return start, n
}
