// Package realcode measures the static pass on real code that no one here
// wrote: a pinned list of widely used Go modules (modules.txt), each scanned
// whole, and a verdict by hand on every finding at warning or above
// (triage.tsv). It takes those two files and the findings of a scan, and
// hands on what is missing or stale ([Match]), the per-rule tally
// ([Tally]), the markdown table of docs/benchmark.md ([Table]) and the Go
// source of findings/measured.go ([GenGo]).
//
// The tally depends on triage.tsv alone, never on a rescan: findings/
// measured.go can be checked against it without the network, and the check
// that needs the network (cmd triage) makes sure triage.tsv covers exactly
// what the scan reports.
package realcode

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// ReadModulesFile reads a modules.txt (see [ParseModules]).
func ReadModulesFile(path string) ([]Module, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseModules(f)
}

// ReadTriageFile reads a triage.tsv (see [ParseTriage]); with anyOrder, one
// not yet sorted ([ParseTriageAnyOrder]).
func ReadTriageFile(path string, anyOrder bool) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if anyOrder {
		return ParseTriageAnyOrder(f)
	}
	return ParseTriage(f)
}

// Module is one pinned module of modules.txt.
type Module struct {
	Path    string // module path, e.g. github.com/hashicorp/raft
	Version string // a tagged version, e.g. v1.7.2
	Kind    string // what sort of code it is (networking, storage, ...)
}

// String returns path@version, the spelling of the triage file.
func (m Module) String() string { return m.Path + "@" + m.Version }

// ParseModules reads modules.txt: one module@version a line with a
// "# kind" comment; blank lines and lines of comment alone are skipped.
func ParseModules(r io.Reader) ([]Module, error) {
	var mods []Module
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		spec, kind, ok := strings.Cut(line, "#")
		if !ok || strings.TrimSpace(kind) == "" {
			return nil, fmt.Errorf("modules.txt:%d: %q has no \"# kind\" comment: say what sort of code it is (networking, storage, ...)", n, line)
		}
		path, version, ok := strings.Cut(strings.TrimSpace(spec), "@")
		if !ok || path == "" || !strings.HasPrefix(version, "v") || strings.ContainsAny(version, " \t") {
			return nil, fmt.Errorf("modules.txt:%d: %q is not module@version: pin a tagged version, e.g. github.com/hashicorp/raft@v1.7.2", n, strings.TrimSpace(spec))
		}
		m := Module{Path: path, Version: version, Kind: strings.TrimSpace(kind)}
		if seen[m.Path] {
			return nil, fmt.Errorf("modules.txt:%d: %s is listed twice: pin one version", n, m.Path)
		}
		seen[m.Path] = true
		mods = append(mods, m)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(mods) == 0 {
		return nil, fmt.Errorf("modules.txt lists no module")
	}
	return mods, nil
}

// Verdict is a human's judgement of one finding.
type Verdict string

const (
	// True: a real bug a maintainer would fix.
	True Verdict = "true"
	// Harmless: the claim is right but has no consequence (a file left
	// open in a test helper, a short-lived process).
	Harmless Verdict = "harmless"
	// Intended: the claim is right and the code means it (commented,
	// documented).
	Intended Verdict = "intended"
	// False: the claim itself is wrong (the caller holds the lock, the
	// value is not shared yet).
	False Verdict = "false"
)

var verdicts = []Verdict{True, Harmless, Intended, False}

// Key says which finding a verdict is about: a rule at a module-relative
// line of a pinned module.
type Key struct {
	Module string // path@version
	Rule   string // SL1205
	File   string // module-relative, slash-separated
	Line   int
}

// Pos returns file:line.
func (k Key) Pos() string { return k.File + ":" + strconv.Itoa(k.Line) }

func compareKeys(a, b Key) int {
	return cmp.Or(
		strings.Compare(a.Module, b.Module),
		strings.Compare(a.Rule, b.Rule),
		strings.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
	)
}

// Entry is one line of triage.tsv.
type Entry struct {
	Key
	Verdict Verdict
	Why     string // one sentence a reader can check
}

// Header is the first line of triage.tsv.
const Header = "module\trule\tposition\tverdict\twhy"

// ParseTriage reads triage.tsv: the header, then one entry a line, five
// tab-separated columns, sorted by module, rule, file and line, each key
// once. A verdict of "?" (a line pasted from the check and not yet
// decided) is an error that says so.
func ParseTriage(r io.Reader) ([]Entry, error) { return parseTriage(r, true) }

// ParseTriageAnyOrder is ParseTriage for a file not yet sorted (lines
// pasted at the end): it returns the entries sorted.
func ParseTriageAnyOrder(r io.Reader) ([]Entry, error) {
	entries, err := parseTriage(r, false)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(entries, func(a, b Entry) int { return compareKeys(a.Key, b.Key) })
	for i := 1; i < len(entries); i++ {
		if e := entries[i]; e.Key == entries[i-1].Key {
			return nil, fmt.Errorf("triage.tsv: %s %s %s has two verdicts: keep one line per finding", e.Module, e.Rule, e.Pos())
		}
	}
	return entries, nil
}

func parseTriage(r io.Reader, sorted bool) ([]Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("triage.tsv is empty: its first line is the header %q", Header)
	}
	if sc.Text() != Header {
		return nil, fmt.Errorf("triage.tsv:1: the header is %q, want %q", sc.Text(), Header)
	}
	var entries []Entry
	for n := 2; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		e, err := parseEntry(line)
		if err != nil {
			return nil, fmt.Errorf("triage.tsv:%d: %v", n, err)
		}
		if k := len(entries); sorted && k > 0 {
			switch c := compareKeys(entries[k-1].Key, e.Key); {
			case c == 0:
				return nil, fmt.Errorf("triage.tsv:%d: %s %s %s has a verdict already: keep one line per finding", n, e.Module, e.Rule, e.Pos())
			case c > 0:
				return nil, fmt.Errorf("triage.tsv:%d: not sorted (%s %s %s comes before the line above): run go run ./eval/cmd/triage -fmt", n, e.Module, e.Rule, e.Pos())
			}
		}
		entries = append(entries, e)
	}
	return entries, sc.Err()
}

func parseEntry(line string) (Entry, error) {
	cols := strings.Split(line, "\t")
	if len(cols) != 5 {
		return Entry{}, fmt.Errorf("%d columns, want 5 tab-separated: module@version, rule, file:line, verdict, why", len(cols))
	}
	for i := range cols {
		cols[i] = strings.TrimSpace(cols[i])
	}
	mod, rule, pos, verdict, why := cols[0], cols[1], cols[2], Verdict(cols[3]), cols[4]
	if p, v, ok := strings.Cut(mod, "@"); !ok || p == "" || v == "" {
		return Entry{}, fmt.Errorf("module %q is not module@version", mod)
	}
	if rule == "" {
		return Entry{}, fmt.Errorf("no rule ID")
	}
	file, lineNo, ok := strings.Cut(pos, ":")
	n, err := strconv.Atoi(lineNo)
	if !ok || file == "" || err != nil || n < 1 {
		return Entry{}, fmt.Errorf("position %q is not file:line", pos)
	}
	if verdict == "?" {
		return Entry{}, fmt.Errorf("%s %s %s has no verdict yet: read the code there and write true, harmless, intended or false, with why", mod, rule, pos)
	}
	if !slices.Contains(verdicts, verdict) {
		return Entry{}, fmt.Errorf("verdict %q: want true, harmless, intended or false", verdict)
	}
	if why == "" {
		return Entry{}, fmt.Errorf("%s %s %s: say why (one sentence a reader can check)", mod, rule, pos)
	}
	return Entry{Key: Key{Module: mod, Rule: rule, File: file, Line: n}, Verdict: verdict, Why: why}, nil
}

// WriteTriage writes entries as triage.tsv, header first, sorted.
func WriteTriage(w io.Writer, entries []Entry) error {
	entries = slices.Clone(entries)
	slices.SortStableFunc(entries, func(a, b Entry) int { return compareKeys(a.Key, b.Key) })
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, Header)
	for _, e := range entries {
		fmt.Fprintln(bw, formatLine(e.Key, string(e.Verdict), e.Why))
	}
	return bw.Flush()
}

func formatLine(k Key, verdict, why string) string {
	// A tab or newline in the why would break the columns.
	why = strings.Join(strings.Fields(why), " ")
	return strings.Join([]string{k.Module, k.Rule, k.Pos(), verdict, why}, "\t")
}

// Found is a static finding of a scan of a pinned module.
type Found struct {
	Key
	Level    string // warning or error
	Message  string
	Function string
}

// Line returns the finding as a triage.tsv line with verdict "?" and the
// finding's message in place of why, ready to paste and decide.
func (f Found) Line() string {
	msg := f.Message
	if f.Function != "" {
		msg = f.Function + ": " + msg
	}
	return formatLine(f.Key, "?", msg)
}

// Result is what [Match] found.
type Result struct {
	Missing []Found // findings with no verdict, sorted
	Stale   []Entry // verdicts that match no finding, sorted
	// Shared are findings whose key another finding has too (two reports
	// of one rule on one line): one verdict covers them all.
	Shared []Found
}

// Match pairs findings with verdicts by key. A verdict of a module not in
// mods is stale; so is one of a pinned module that no finding matches.
// found may hold the findings of only some modules (scanned), and then
// the verdicts of the other modules are left alone.
func Match(found []Found, entries []Entry, scanned []Module) Result {
	var res Result
	inScan := map[string]bool{}
	for _, m := range scanned {
		inScan[m.String()] = true
	}
	have := map[Key]bool{}
	for _, e := range entries {
		have[e.Key] = true
	}
	seen := map[Key]bool{}
	found = slices.Clone(found)
	slices.SortStableFunc(found, func(a, b Found) int { return compareKeys(a.Key, b.Key) })
	for _, f := range found {
		if seen[f.Key] {
			res.Shared = append(res.Shared, f)
			continue
		}
		seen[f.Key] = true
		if !have[f.Key] {
			res.Missing = append(res.Missing, f)
		}
	}
	for _, e := range entries {
		if !seen[e.Key] && inScan[e.Module] {
			res.Stale = append(res.Stale, e)
		}
	}
	return res
}

// Pruned returns entries less the stale ones of res: what -prune writes.
func (res Result) Pruned(entries []Entry) []Entry {
	stale := map[Key]bool{}
	for _, e := range res.Stale {
		stale[e.Key] = true
	}
	var keep []Entry
	for _, e := range entries {
		if !stale[e.Key] {
			keep = append(keep, e)
		}
	}
	return keep
}

// Unpinned returns the entries whose module mods does not list.
func Unpinned(entries []Entry, mods []Module) []Entry {
	pinned := map[string]bool{}
	for _, m := range mods {
		pinned[m.String()] = true
	}
	var out []Entry
	for _, e := range entries {
		if !pinned[e.Module] {
			out = append(out, e)
		}
	}
	return out
}
