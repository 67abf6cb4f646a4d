package findings_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"github.com/secondlook/secondlook/findings"
)

// codeqlVectors are the test vectors of github/codeql-action's
// src/fingerprints.test.ts, unchanged since the file was written.
var codeqlVectors = []struct {
	input string
	want  []string
}{
	{"", []string{"c129715d7a2bc9a3:1"}},
	{" a\nb\n  \t\tc\n d", []string{
		"271789c17abda88f:1",
		"54703d4cd895b18:1",
		"180aee12dab6264:1",
		"a23a3dc5e078b07b:1",
	}},
	{" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End", []string{
		"8b7cf3e952e7aeb2:1",
		"b1ae1287ec4718d9:1",
		"bff680108adb0fcc:1",
		"c6805c5e1288b612:1",
		"b86d3392aea1be30:1",
		"e6ceba753e1a442:1",
	}},
	{" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n", helloHashes},
	{" hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r", helloHashes},
	{" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n", helloHashes},
	{" hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n", helloHashes},
	{strings.Repeat("Lorem ipsum dolor sit amet.\n", 10), []string{
		"a7f2ff13bc495cf2:1",
		"a7f2ff13bc495cf2:2",
		"a7f2ff13bc495cf2:3",
		"a7f2ff13bc495cf2:4",
		"a7f2ff13bc495cf2:5",
		"a7f2ff13bc495cf2:6",
		"a7f2ff1481e87703:1",
		"a9cf91f7bbf1862b:1",
		"55ec222b86bcae53:1",
		"cc97dc7b1d7d8f7b:1",
		"c129715d7a2bc9a3:1",
	}},
}

var helloHashes = []string{
	"e9496ae3ebfced30:1",
	"fb7c023a8b9ccb3f:1",
	"ce8ba1a563dcdaca:1",
	"e20e36e16fcb0cc8:1",
	"b3edc88f2938467e:1",
	"c8e28b0b4002a3a0:1",
	"c129715d7a2bc9a3:1",
}

func TestLineHashesCodeQLVectors(t *testing.T) {
	for _, v := range codeqlVectors {
		got := findings.LineHashes([]byte(v.input))
		if diff := cmp.Diff(v.want, got); diff != "" {
			t.Errorf("LineHashes(%q) mismatch (-want +got):\n%s", v.input, diff)
		}
		if ref := referenceLineHashes(v.input); !slices.Equal(ref, v.want) {
			t.Errorf("the test's reference disagrees with codeql-action on %q:\n%q", v.input, ref)
		}
	}
}

// referenceLineHashes computes the line hashes without a rolling hash:
// normalize the text to one stream of UTF-16 code units, find where each
// line starts, and evaluate the polynomial over the 100 code units from
// there directly.
func referenceLineHashes(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = strings.NewReplacer(" ", "", "\t", "").Replace(text)
	units := utf16.Encode([]rune(text))
	units = append(units, 0xFFFF)
	starts := []int{0}
	for i, u := range units {
		if u == '\n' {
			starts = append(starts, i+1)
		}
	}
	seen := map[string]int{}
	var out []string
	for _, s := range starts {
		var h uint64
		for j := s; j < s+100; j++ {
			var c uint64
			if j < len(units) {
				c = uint64(units[j])
			}
			h = h*37 + c
		}
		hex := strconv.FormatUint(h, 16)
		seen[hex]++
		out = append(out, hex+":"+strconv.Itoa(seen[hex]))
	}
	return out
}

// TestLineHashesReference compares the port with the reference on texts the
// codeql-action vectors do not cover: Go code, long lines, CRLF, tabs, blank
// and repeated lines, a final line without a newline, a carriage return
// followed by blanks and then a line feed (two line ends), characters
// outside the BMP (surrogate pairs) and a byte-order mark.
func TestLineHashesReference(t *testing.T) {
	goFile := "package p\n\nimport \"sync\"\n\n// Counter counts.\ntype Counter struct {\n\tmu sync.Mutex\n\tn  int\n}\n\nfunc (c *Counter) Inc() {\n\tc.mu.Lock()\n\tc.n++\n\tc.mu.Unlock()\n}\n"
	texts := map[string]string{
		"go":           goFile,
		"go-crlf":      strings.ReplaceAll(goFile, "\n", "\r\n"),
		"go-no-eol":    strings.TrimSuffix(goFile, "\n"),
		"long-line":    strings.Repeat("x", 150) + "\n" + strings.Repeat("y", 250) + "\nz\n",
		"repeats":      strings.Repeat("\tc.mu.Lock()\n\tc.mu.Unlock()\n\n", 30),
		"blank":        "\n\n\n   \n\t\t\n",
		"cr-blank-lf":  "a\r \nb\r\t\r\nc",
		"unicode":      "s := \"héllo, 世界 🙂\"\n\t// 𝔊𝔬\nx := 1\n",
		"bom":          "\uFEFFpackage p\n",
		"only-blanks":  "  \t ",
		"single-char":  "x",
		"lone-cr-eof":  "x\r",
		"tabs-and-eol": "\tif err != nil {\t\n\t\treturn err\t \n\t}\n",
	}
	for name, text := range texts {
		got := findings.LineHashes([]byte(text))
		want := referenceLineHashes(text)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: LineHashes mismatch with the reference (-want +got):\n%s", name, diff)
		}
		if n := len(regexpLineEnds(text)) + 1; len(got) != n {
			t.Errorf("%s: %d hashes, want one per line end plus one: %d", name, len(got), n)
		}
	}
}

// regexpLineEnds splits as fingerprints.test.ts counts lines:
// input.split(/\r\n|\r|\n/) has one element per line end plus one.
func regexpLineEnds(s string) []int {
	var ends []int
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			ends = append(ends, i)
		case '\n':
			ends = append(ends, i)
		}
	}
	return ends
}

func TestLineHashesLongLineOneHash(t *testing.T) {
	// A line longer than the window: its hash covers its first 100
	// characters only, and there is exactly one line.
	if got := findings.LineHashes([]byte(strings.Repeat("x", 150))); len(got) != 1 {
		t.Errorf("got %d hashes for one line", len(got))
	}
	a := findings.LineHashes([]byte(strings.Repeat("x", 100) + "a"))
	b := findings.LineHashes([]byte(strings.Repeat("x", 100) + "b"))
	if a[0] != b[0] {
		t.Errorf("characters past the window changed the hash: %s, %s", a[0], b[0])
	}
}

func TestLineHashesSurviveInsertAbove(t *testing.T) {
	body := "func f() {\n\tgo func() { ch <- 1 }()\n}\n"
	before := findings.LineHashes([]byte("package p\n\n" + body))
	after := findings.LineHashes([]byte("package p\n\nimport \"fmt\"\n\nvar _ = fmt.Sprint\n\n" + body))
	if before[3] != after[7] {
		t.Errorf("inserting lines above changed the hash of the go statement: %s, %s", before[3], after[7])
	}
}

// src is a small file whose line 12 holds a goroutine leak.
const src = `package fetch

import "context"

// fetch returns the first result, or ctx's error.
func fetch(ctx context.Context, url string) (string, error) {
	ch := make(chan string)
	go func() {
		ch <- get(url)
	}()
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
`

func leak(line int) findings.Finding {
	return findings.Finding{
		RuleID:   "SL1002",
		Level:    findings.LevelWarning,
		Message:  "the send on ch blocks forever once ctx is done",
		Location: findings.Location{File: "fetch/fetch.go", Line: line},
		Function: "fetch.func1",
		Source:   "model:fake",
	}
}

// fingerprint writes text as fetch/fetch.go in a temp dir and computes the
// fingerprints of a finding on line through a line reader of that dir.
func fingerprint(t *testing.T, text string, f findings.Finding) findings.Finding {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "fetch"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fetch", "fetch.go"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	fs := []findings.Finding{f}
	findings.ComputeFingerprints(fs, dirLines(dir))
	return fs[0]
}

// dirLines reads module files under dir, split as strings.Split does.
func dirLines(dir string) func(string) []string {
	return func(file string) []string {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(file)))
		if err != nil {
			return nil
		}
		return strings.Split(string(data), "\n")
	}
}

func TestFingerprintStability(t *testing.T) {
	base := fingerprint(t, src, leak(9))
	if len(base.Fingerprint) != 16 {
		t.Fatalf("Fingerprint = %q, want 16 hex digits", base.Fingerprint)
	}
	wantHash := findings.LineHashes([]byte(src))[8]
	if base.LineHash != wantHash {
		t.Errorf("LineHash = %q, want %q", base.LineHash, wantHash)
	}

	inserted := strings.Replace(src, "import \"context\"\n", "import (\n\t\"context\"\n\t\"errors\"\n)\n\nvar errNone = errors.New(\"none\")\n", 1)
	reindented := strings.ReplaceAll(src, "\t", "    ")
	reworded := leak(9)
	reworded.Message = "goroutine leak: nobody receives from ch after a timeout"
	reworded.Explanation = "a different explanation"
	reworded.Source = "model:other"

	same := []struct {
		name string
		text string
		f    findings.Finding
	}{
		{"lines inserted above", inserted, leak(9 + 5)},
		{"reindented", reindented, leak(9)},
		{"message changed", src, reworded},
		{"CRLF line ends", strings.ReplaceAll(src, "\n", "\r\n"), leak(9)},
	}
	for _, tc := range same {
		got := fingerprint(t, tc.text, tc.f)
		if got.Fingerprint != base.Fingerprint {
			t.Errorf("%s: Fingerprint %s, want %s", tc.name, got.Fingerprint, base.Fingerprint)
		}
	}
	if got := fingerprint(t, src, leak(9)); got.Fingerprint != base.Fingerprint || got.LineHash != base.LineHash {
		t.Errorf("not deterministic: %+v vs %+v", got, base)
	}

	other := leak(9)
	other.RuleID = "SL1005"
	renamed := leak(9)
	renamed.Function = "fetchAll.func1"
	moved := leak(9)
	moved.Location.File = "fetch/other.go"
	different := []struct {
		name string
		text string
		f    findings.Finding
	}{
		{"code changed", strings.Replace(src, "ch <- get(url)", "ch <- get(url + \"/\")", 1), leak(9)},
		{"another line", src, leak(13)},
		{"another rule", src, other},
		{"another function", src, renamed},
	}
	for _, tc := range different {
		got := fingerprint(t, tc.text, tc.f)
		if got.Fingerprint == base.Fingerprint {
			t.Errorf("%s: Fingerprint unchanged (%s)", tc.name, got.Fingerprint)
		}
	}
	if got := findings.Fingerprint(moved, moved.Function, "ch <- get(url)"); got == base.Fingerprint {
		t.Errorf("another file: Fingerprint unchanged (%s)", got)
	}
}

func TestFingerprintQuoteAndSnippet(t *testing.T) {
	f := leak(9)
	want := findings.Fingerprint(f, "fetch.func1", "\t\tch <- get(url)")
	if got := findings.Fingerprint(f, "fetch.func1", "ch<-get(url)"); got != want {
		t.Errorf("whitespace changed the fingerprint: %s, %s", got, want)
	}
	// The fingerprint from the file equals the one from the quote.
	if got := fingerprint(t, src, f); got.Fingerprint != want {
		t.Errorf("ComputeFingerprints = %s, Fingerprint = %s", got.Fingerprint, want)
	}
	// Without the file, the snippet stands in for the source.
	f.Location.Snippet = "\t\tch <- get(url)"
	fs := []findings.Finding{f}
	findings.ComputeFingerprints(fs, nil)
	if fs[0].Fingerprint != want || fs[0].LineHash != "" {
		t.Errorf("without source: Fingerprint %s (want %s), LineHash %q (want none)", fs[0].Fingerprint, want, fs[0].LineHash)
	}
	// A line past the end of the file falls back to the snippet too.
	f.Location.Line = 1000
	fs = []findings.Finding{f}
	findings.ComputeFingerprints(fs, func(string) []string { return strings.Split(src, "\n") })
	if fs[0].LineHash != "" {
		t.Errorf("LineHash %q for a line past the end", fs[0].LineHash)
	}
	// Parts do not run together: "ab"+"c" differs from "a"+"bc".
	g := findings.Finding{RuleID: "SL1002", Location: findings.Location{File: "ab"}}
	h := findings.Finding{RuleID: "SL1002", Location: findings.Location{File: "a"}}
	if findings.Fingerprint(g, "c", "x") == findings.Fingerprint(h, "bc", "x") {
		t.Error("fingerprint parts run together")
	}
}

func TestFingerprintMultiLine(t *testing.T) {
	f := leak(8)
	f.Location.EndLine = 10
	got := fingerprint(t, src, f)
	if want := findings.Fingerprint(f, f.Function, "go func() {\nch <- get(url)\n}()"); got.Fingerprint != want {
		t.Errorf("Fingerprint %s, want the hash of lines 8-10 %s", got.Fingerprint, want)
	}
	// A change inside the span changes it.
	changed := fingerprint(t, strings.Replace(src, "ch <- get(url)", "ch <- get(url2)", 1), f)
	if changed.Fingerprint == got.Fingerprint {
		t.Error("a change on the span's second line kept the fingerprint")
	}
}

func TestFingerprintRepeatsDiffer(t *testing.T) {
	text := "package p\n\nfunc f() {\n\tmu.Lock()\n\tmu.Lock()\n\tmu.Lock()\n}\n"
	lines := func(string) []string { return strings.Split(text, "\n") }
	mk := func(line int) findings.Finding {
		return findings.Finding{RuleID: "SL1001", Location: findings.Location{File: "p.go", Line: line}, Function: "f"}
	}
	fs := []findings.Finding{mk(6), mk(4), mk(5)}
	findings.ComputeFingerprints(fs, lines)
	prints := map[string]int{}
	for _, f := range fs {
		prints[f.Fingerprint] = f.Location.Line
	}
	if len(prints) != 3 {
		t.Fatalf("identical code got shared fingerprints: %v", prints)
	}
	// The first in the file keeps the plain fingerprint; the order of the
	// input does not matter.
	if want := findings.Fingerprint(mk(4), "f", "mu.Lock()"); fs[1].Fingerprint != want {
		t.Errorf("first occurrence: %s, want %s", fs[1].Fingerprint, want)
	}
	again := []findings.Finding{mk(4), mk(5), mk(6)}
	findings.ComputeFingerprints(again, lines)
	for _, f := range again {
		if prints[f.Fingerprint] != f.Location.Line {
			t.Errorf("line %d: fingerprint depends on input order", f.Location.Line)
		}
	}
	// Line hashes of identical lines are told apart by their count.
	if fs[1].LineHash == fs[2].LineHash {
		t.Errorf("identical lines share LineHash %s", fs[1].LineHash)
	}
}

func TestComputeFingerprintsTrailingNewline(t *testing.T) {
	// Lines as bufio.Scanner gives them (no final empty element) and as
	// strings.Split gives them hash the same, as the file on disk does.
	want := findings.LineHashes([]byte(src))
	scanned := strings.Split(strings.TrimSuffix(src, "\n"), "\n")
	split := strings.Split(src, "\n")
	n := len(scanned) // the last line, within 100 characters of the end
	for name, ls := range map[string][]string{"scanner": scanned, "split": split} {
		fs := []findings.Finding{leak(n)}
		findings.ComputeFingerprints(fs, func(string) []string { return ls })
		if fs[0].LineHash != want[n-1] {
			t.Errorf("%s: LineHash %s, want %s", name, fs[0].LineHash, want[n-1])
		}
	}
}
