package findings_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secondlook/secondlook/findings"
)

// suppressSrc is a file with suppression comments of every form. Each
// flagged line holds a marker " L<name>" by which the test finds it.
var suppressSrc = []string{
	"package p",
	"",
	"import \"sync\"",
	"",
	"func f(mu *sync.Mutex, ch chan int) {",
	"\tgo func() { ch <- 1 }() //secondlook:ignore SL1002 ch is buffered by every caller Ltrailing",
	"\t//secondlook:ignore goroutine-leak,SL1005 the caller drains ch",
	"\tgo func() { ch <- 2 }() // Labove",
	"\tgo func() { ch <- 3 }() //secondlook:ignore sl1002",
	"\t//secondlook:ignore SL9999 a typo in the id",
	"\tgo func() { ch <- 4 }() // Lunknown",
	"\ts := \"//secondlook:ignore SL1002 inside a string\"",
	"\tgo func() { ch <- 5 }() // Lstring",
	"\t/* //secondlook:ignore SL1002 in a block comment */",
	"\tgo func() { ch <- 6 }() // Lblock",
	"\t// secondlook:ignore SL1002 a space after the slashes is prose",
	"\tgo func() { ch <- 7 }() // Lspace",
	"\t//secondlook:ignore data-race the copy is taken before any goroutine starts",
	"\tx := *mu // Lkind",
	"\t//secondlook:ignore SL1003 a rule ID does not cover the other rules of its kind",
	"\ty := *mu // Lid",
	"\t//secondlook:ignore SL1002, Lock-Copied stacked, with a blank after the comma",
	"\t//secondlook:ignore SL4003 the second of the stack",
	"\tgo func() { x, y = *mu, *mu; ch <- 8 }() // Lstack",
	"\t//secondlook:ignored SL1002 another word",
	"\tgo func() { ch <- 9 }() // Lignored",
	"\t//secondlook:ignore SL1002",
	"\t_ = s",
	"\tgo func() { ch <- 10 }() // Lgap",
	"\tgo func() { ch <- 11 /* Lnoids */ }() //secondlook:ignore",
	"}",
}

func lineOf(t *testing.T, lines []string, marker string) int {
	t.Helper()
	for i, l := range lines {
		if strings.Contains(l, " "+marker) {
			return i + 1
		}
	}
	t.Fatalf("no line ends with %q", marker)
	return 0
}

func writeModuleFile(t *testing.T, dir, file, text string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(file))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

type suppressCase struct {
	marker string
	rule   string
	want   string // "kept", "suppressed"
	bad    string // a substring of the SL4201 message about this line's directive, if any
}

var suppressCases = []suppressCase{
	{"Ltrailing", "SL1002", "suppressed", ""},
	{"Ltrailing", "SL3001", "kept", ""}, // another rule on the same line
	{"Labove", "SL1002", "suppressed", ""},
	{"Labove", "SL1005", "suppressed", ""},
	{"Labove", "SL1003", "kept", ""},
	{"Lunknown", "SL1002", "kept", `names the unknown rule "SL9999"`},
	{"Lstring", "SL1002", "kept", ""},
	{"Lblock", "SL1002", "kept", ""},
	{"Lspace", "SL1002", "kept", ""},
	{"Lkind", "SL1102", "suppressed", ""}, // lock-copied has kind data-race
	{"Lkind", "SL1003", "suppressed", ""},
	{"Lid", "SL1102", "kept", ""},
	{"Lid", "SL1003", "suppressed", ""},
	{"Lstack", "SL1002", "suppressed", ""},
	{"Lstack", "SL1102", "suppressed", ""},
	{"Lstack", "SL4003", "suppressed", ""},
	{"Lstack", "SL1005", "kept", ""},
	{"Lignored", "SL1002", "kept", ""},
	{"Lgap", "SL1002", "kept", ""}, // the directive two lines up is not stacked
	{"Lnoids", "SL1002", "kept", "names no rule"},
}

func runSuppress(t *testing.T, text string) (lines []string, kept, suppressed, bad []findings.Finding) {
	t.Helper()
	dir := t.TempDir()
	writeModuleFile(t, dir, "p/p.go", text)
	lines = strings.Split(text, "\n")
	var fs []findings.Finding
	for _, c := range suppressCases {
		fs = append(fs, findings.Finding{
			RuleID:   c.rule,
			Message:  c.marker,
			Location: findings.Location{File: "p/p.go", Line: lineOf(t, lines, c.marker)},
			Source:   "test",
		})
	}
	// Line 9 holds a directive without a reason; the finding there is
	// suppressed all the same.
	fs = append(fs, findings.Finding{RuleID: "SL1002", Message: "no reason", Location: findings.Location{File: "p/p.go", Line: 9}})
	kept, suppressed, bad = findings.Suppress(fs, dirLines(dir))
	return lines, kept, suppressed, bad
}

func TestSuppress(t *testing.T) {
	for _, eol := range []string{"\n", "\r\n"} {
		t.Run(fmt.Sprintf("%q", eol), func(t *testing.T) {
			lines, kept, suppressed, bad := runSuppress(t, strings.Join(suppressSrc, eol)+eol)
			in := func(fs []findings.Finding, msg, rule string) bool {
				return slices.ContainsFunc(fs, func(f findings.Finding) bool { return f.Message == msg && f.RuleID == rule })
			}
			for _, c := range suppressCases {
				gotKept, gotSuppressed := in(kept, c.marker, c.rule), in(suppressed, c.marker, c.rule)
				if gotKept == gotSuppressed {
					t.Errorf("%s %s: in kept %v, in suppressed %v", c.marker, c.rule, gotKept, gotSuppressed)
					continue
				}
				if got := map[bool]string{true: "kept", false: "suppressed"}[gotKept]; got != c.want {
					t.Errorf("%s %s: %s, want %s", c.marker, c.rule, got, c.want)
				}
			}
			if !in(suppressed, "no reason", "SL1002") {
				t.Error("a suppression without a reason did not suppress")
			}
			if len(kept)+len(suppressed) != len(suppressCases)+1 {
				t.Errorf("%d kept + %d suppressed, want %d in all", len(kept), len(suppressed), len(suppressCases)+1)
			}
			// Input order is kept.
			if !slices.IsSortedFunc(kept, func(a, b findings.Finding) int { return indexOfCase(a) - indexOfCase(b) }) {
				t.Error("kept is not in input order")
			}

			// The bad directives next to findings, in file order, and no
			// others: the one on line 27 has no reason but no finding under it.
			type badLine struct {
				line int
				msg  string
			}
			want := []badLine{
				{9, "this suppression gives no reason: "},
				{10, `this suppression names the unknown rule "SL9999": `},
				{lineOf(t, lines, "Lnoids"), "this suppression names no rule and gives no reason: "},
			}
			var got []badLine
			for _, f := range bad {
				msg, _, _ := strings.Cut(f.Message, ": ")
				got = append(got, badLine{f.Location.Line, msg + ": "})
				if f.RuleID != "SL4201" || f.Level != findings.LevelNote || f.Location.File != "p/p.go" || f.Source != "static:suppress" {
					t.Errorf("bad finding %+v: want rule SL4201, level note, file p/p.go, source static:suppress", f)
				}
				if snip := f.Location.Snippet; snip != strings.TrimRight(lines[f.Location.Line-1], "\r") {
					t.Errorf("line %d: snippet %q is not the whole line", f.Location.Line, snip)
				}
				if col := f.Location.Column; col < 1 || !strings.HasPrefix(lines[f.Location.Line-1][col-1:], "//secondlook:ignore") {
					t.Errorf("line %d: column %d is not the comment's", f.Location.Line, col)
				}
				if !strings.Contains(f.Message, `"secondlook rules"`) {
					t.Errorf("line %d: message %q does not say what to do", f.Location.Line, f.Message)
				}
			}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(badLine{})); diff != "" {
				t.Errorf("bad directives (-want +got):\n%s", diff)
			}
		})
	}
}

func indexOfCase(f findings.Finding) int {
	for i, c := range suppressCases {
		if c.marker == f.Message && c.rule == f.RuleID {
			return i
		}
	}
	return len(suppressCases)
}

func TestSuppressUnreadableAndClean(t *testing.T) {
	fs := []findings.Finding{
		{RuleID: "SL1002", Location: findings.Location{File: "missing.go", Line: 3}},
		{RuleID: "SL1002", Location: findings.Location{File: "clean.go", Line: 1}},
	}
	dir := t.TempDir()
	writeModuleFile(t, dir, "clean.go", "package p // nothing to see\n")
	kept, suppressed, bad := findings.Suppress(fs, dirLines(dir))
	if len(kept) != 2 || len(suppressed) != 0 || len(bad) != 0 {
		t.Errorf("kept %d, suppressed %d, bad %d; want 2, 0, 0", len(kept), len(suppressed), len(bad))
	}
	kept, _, _ = findings.Suppress(fs, nil)
	if len(kept) != 2 {
		t.Errorf("with no line reader, kept %d of 2", len(kept))
	}
}

func TestSuppressRuleNotSuppressible(t *testing.T) {
	// An SL4201 note from an earlier pass stays, whatever names it.
	dir := t.TempDir()
	writeModuleFile(t, dir, "p.go", "package p\n\nvar x = 1 //secondlook:ignore SL4201,logic-error reasons\n")
	fs := []findings.Finding{{RuleID: "SL4201", Location: findings.Location{File: "p.go", Line: 3}}}
	if kept, _, _ := findings.Suppress(fs, dirLines(dir)); len(kept) != 1 {
		t.Error("a suppression hid an SL4201 finding")
	}
}

// TestSuppressRoundTrip runs the whole chain on real files: suppress, then
// fingerprint; the bad directives get fingerprints like any finding.
func TestSuppressRoundTrip(t *testing.T) {
	dir := t.TempDir()
	writeModuleFile(t, dir, "a/a.go", "package a\n\nfunc f(ch chan int) {\n\tgo func() { ch <- 1 }() //secondlook:ignore goroutine-leak\n\tgo func() { ch <- 2 }()\n}\n")
	fs := []findings.Finding{
		{RuleID: "SL1002", Location: findings.Location{File: "a/a.go", Line: 4}, Function: "f"},
		{RuleID: "SL1002", Location: findings.Location{File: "a/a.go", Line: 5}, Function: "f"},
	}
	kept, suppressed, bad := findings.Suppress(fs, dirLines(dir))
	if len(kept) != 1 || kept[0].Location.Line != 5 || len(suppressed) != 1 || len(bad) != 1 || bad[0].Location.Line != 4 {
		t.Fatalf("kept %+v\nsuppressed %+v\nbad %+v", kept, suppressed, bad)
	}
	out := append(kept, bad...)
	findings.ComputeFingerprints(out, dirLines(dir))
	for _, f := range out {
		if f.Fingerprint == "" || f.LineHash == "" {
			t.Errorf("%s line %d: no fingerprint (%q, %q)", f.RuleID, f.Location.Line, f.Fingerprint, f.LineHash)
		}
	}
}
