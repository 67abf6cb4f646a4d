package realcode

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readFixture(t *testing.T) []Entry {
	t.Helper()
	entries, err := ReadTriageFile(filepath.Join("testdata", "triage.tsv"), false)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func TestParseModules(t *testing.T) {
	mods, err := ParseModules(strings.NewReader("# comment\n\nexample.com/a@v1.0.0 # storage\nexample.com/b/v2@v2.1.0   #  parser: TOML\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Module{
		{Path: "example.com/a", Version: "v1.0.0", Kind: "storage"},
		{Path: "example.com/b/v2", Version: "v2.1.0", Kind: "parser: TOML"},
	}
	if diff := cmp.Diff(want, mods); diff != "" {
		t.Errorf("modules (-want +got):\n%s", diff)
	}
	for _, bad := range []struct{ in, err string }{
		{"example.com/a@v1.0.0\n", "no \"# kind\" comment"},
		{"example.com/a # storage\n", "not module@version"},
		{"example.com/a@latest # storage\n", "not module@version"},
		{"example.com/a@v1.0.0 # x\nexample.com/a@v1.1.0 # x\n", "listed twice"},
		{"# nothing\n", "no module"},
	} {
		if _, err := ParseModules(strings.NewReader(bad.in)); err == nil || !strings.Contains(err.Error(), bad.err) {
			t.Errorf("ParseModules(%q) = %v, want an error containing %q", bad.in, err, bad.err)
		}
	}
}

func TestParseTriageErrors(t *testing.T) {
	line := func(cols ...string) string { return strings.Join(cols, "\t") + "\n" }
	ok1 := line("m@v1", "SL1201", "a.go:3", "true", "why")
	ok2 := line("m@v1", "SL1201", "a.go:10", "false", "why")
	for _, tc := range []struct{ name, in, err string }{
		{"empty", "", "empty"},
		{"header", "mod\trule\n", "header"},
		{"columns", Header + "\nm@v1\tSL1201\ta.go:3\ttrue\n", "4 columns"},
		{"module", Header + "\n" + line("m", "SL1201", "a.go:3", "true", "why"), "not module@version"},
		{"position", Header + "\n" + line("m@v1", "SL1201", "a.go", "true", "why"), "not file:line"},
		{"undecided", Header + "\n" + line("m@v1", "SL1201", "a.go:3", "?", "msg"), "no verdict yet"},
		{"verdict", Header + "\n" + line("m@v1", "SL1201", "a.go:3", "maybe", "why"), "verdict \"maybe\""},
		{"why", Header + "\n" + line("m@v1", "SL1201", "a.go:3", "true", " "), "say why"},
		// Lines sort by number, not as text: a.go:10 after a.go:3.
		{"unsorted", Header + "\n" + ok2 + ok1, "not sorted"},
		{"twice", Header + "\n" + ok1 + ok1, "has a verdict already"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseTriage(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseTriage = %v, want an error containing %q", err, tc.err)
			}
		})
	}
	if _, err := ParseTriage(strings.NewReader(Header + "\n" + ok1 + ok2)); err != nil {
		t.Errorf("sorted by line number: %v", err)
	}
	entries, err := ParseTriageAnyOrder(strings.NewReader(Header + "\n" + ok2 + ok1))
	if err != nil || len(entries) != 2 || entries[0].Line != 3 {
		t.Errorf("ParseTriageAnyOrder = %v, %v; want a.go:3 first", entries, err)
	}
	if _, err := ParseTriageAnyOrder(strings.NewReader(Header + "\n" + ok1 + ok2 + ok1)); err == nil || !strings.Contains(err.Error(), "two verdicts") {
		t.Errorf("ParseTriageAnyOrder with a key twice = %v, want an error", err)
	}
}

// A pasted line from the check, once decided, parses back to its key; the
// file written back is the file read.
func TestTriageRoundTrip(t *testing.T) {
	entries := readFixture(t)
	var b bytes.Buffer
	if err := WriteTriage(&b, entries); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "triage.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("WriteTriage (-read +written):\n%s", diff)
	}

	f := Found{Key: Key{Module: "m@v1", Rule: "SL1205", File: "dir/a.go", Line: 42}, Message: "x is read\twithout mu", Function: "(*T).Get"}
	pasted := f.Line()
	if strings.Count(pasted, "\t") != 4 || !strings.Contains(pasted, "\t?\t(*T).Get: x is read without mu") {
		t.Errorf("Line() = %q", pasted)
	}
	if _, err := ParseTriage(strings.NewReader(Header + "\n" + pasted + "\n")); err == nil || !strings.Contains(err.Error(), "no verdict yet") {
		t.Errorf("an undecided pasted line parsed: %v", err)
	}
	decided := strings.Replace(pasted, "\t?\t", "\tfalse\t", 1)
	got, err := ParseTriage(strings.NewReader(Header + "\n" + decided + "\n"))
	if err != nil || len(got) != 1 || got[0].Key != f.Key || got[0].Verdict != False {
		t.Errorf("decided pasted line = %v, %v; want key %v, verdict false", got, err, f.Key)
	}
}

func TestMatch(t *testing.T) {
	entries := readFixture(t)
	a := Module{Path: "example.com/a", Version: "v1.0.0"}
	found := []Found{
		{Key: Key{Module: "example.com/a@v1.0.0", Rule: "SL1205", File: "x.go", Line: 20}},
		{Key: Key{Module: "example.com/a@v1.0.0", Rule: "SL1201", File: "x.go", Line: 10}},
		{Key: Key{Module: "example.com/a@v1.0.0", Rule: "SL1201", File: "x.go", Line: 10}, Message: "again"},
		{Key: Key{Module: "example.com/a@v1.0.0", Rule: "SL1211", File: "new.go", Line: 5}},
		// Same line, other rule: a finding of its own.
		{Key: Key{Module: "example.com/a@v1.0.0", Rule: "SL1204", File: "x.go", Line: 20}},
	}
	// Only module a was scanned: b's verdicts are neither matched nor stale.
	res := Match(found, entries, []Module{a})
	var missing, stale, shared []string
	for _, f := range res.Missing {
		missing = append(missing, f.Rule+" "+f.Pos())
	}
	for _, e := range res.Stale {
		stale = append(stale, e.Rule+" "+e.Pos())
	}
	for _, f := range res.Shared {
		shared = append(shared, f.Rule+" "+f.Pos())
	}
	if diff := cmp.Diff([]string{"SL1204 x.go:20", "SL1211 new.go:5"}, missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"SL1205 y.go:3", "SL4114 x_test.go:7"}, stale); diff != "" {
		t.Errorf("stale (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"SL1201 x.go:10"}, shared); diff != "" {
		t.Errorf("shared (-want +got):\n%s", diff)
	}

	var kept []string
	for _, e := range res.Pruned(entries) {
		kept = append(kept, e.Module+" "+e.Rule+" "+e.Pos())
	}
	wantKept := []string{
		"example.com/a@v1.0.0 SL1201 x.go:10",
		"example.com/a@v1.0.0 SL1205 x.go:20",
		"example.com/b@v0.2.0 SL1205 z.go:9",
		"example.com/b@v0.2.0 SL3201 z_test.go:1",
	}
	if diff := cmp.Diff(wantKept, kept); diff != "" {
		t.Errorf("pruned (-want +got):\n%s", diff)
	}

	if un := Unpinned(entries, []Module{a}); len(un) != 2 || un[0].Module != "example.com/b@v0.2.0" {
		t.Errorf("Unpinned = %v, want b's two verdicts", un)
	}
}

func TestTable(t *testing.T) {
	var b bytes.Buffer
	if err := Table(&b, Tally(readFixture(t))); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "table.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("Table (-want +got):\n%s", diff)
	}
}

func TestGenGo(t *testing.T) {
	mods := []Module{{Path: "example.com/a", Version: "v1.0.0"}, {Path: "example.com/b", Version: "v0.2.0"}}
	src, err := GenGo(Tally(readFixture(t)), mods)
	if err != nil {
		t.Fatal(err)
	}
	got := string(src)
	if !strings.HasPrefix(got, GenHeader+"\n\npackage findings\n") {
		t.Errorf("GenGo does not start with the header and package clause:\n%s", got)
	}
	for _, want := range []string{
		`"SL1205": {Findings: 3, True: 1, Harmless: 1, Intended: 0, False: 1, Where: "2 pinned modules (eval/realcode/modules.txt)"},`,
		`"SL4114": {Findings: 1, True: 0, Harmless: 0, Intended: 1, False: 0, Where: "2 pinned modules (eval/realcode/modules.txt)"},`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("GenGo lacks %s:\n%s", want, got)
		}
	}
	if strings.Count(got, "Findings:") != 4 {
		t.Errorf("GenGo has %d entries, want one per rule with findings (4):\n%s", strings.Count(got, "Findings:"), got)
	}
	again, _ := GenGo(Tally(readFixture(t)), mods)
	if !bytes.Equal(src, again) {
		t.Error("GenGo is not deterministic")
	}
}
