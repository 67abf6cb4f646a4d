package findings_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/secondlook/secondlook/findings"
)

// termEvil is model text that would colour the terminal, plant an OSC 8
// hyperlink, ring the bell and return the cursor to overwrite the line.
const termEvil = "\x1b[31mred\x1b]8;;http://evil\x07link\x1b]8;;\x07\r"

// terminalReport puts termEvil, C1 controls, a bidi override and a byte
// that is not UTF-8 wherever WriteText prints text it did not write.
func terminalReport() *findings.Report {
	evil := termEvil + " c1\u009b2J bidi\u202egnp.exe raw\x9b1m del\x7f"
	return &findings.Report{
		Findings: []findings.Finding{{
			RuleID:      "SL1001",
			Level:       findings.LevelWarning,
			Message:     "the lock " + evil + " is held",
			Explanation: "explained " + evil,
			Location: findings.Location{
				File: "store/\x1b[2Jstore.go", Line: 3, Column: 8, EndColumn: 12,
				Snippet: "\tx := \x1b[8m\"hid\"; mu.Lock()",
			},
			Related: []findings.Location{{File: "store/store.go", Line: 5, Message: "released " + evil}},
			Source:  "model:fake",
		}},
		Failures: []findings.Failure{{Stage: "review", File: "store/store.go", Line: 3, Message: "answer " + evil}},
	}
}

// ownCodes are the escapes WriteText itself writes when Color is on.
var ownCodes = []string{"\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[36m"}

func TestWriteTextNeutralisesControls(t *testing.T) {
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		if err := findings.WriteText(&buf, terminalReport(), findings.TextOptions{Color: color}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		rest := out
		if color {
			for _, c := range ownCodes {
				rest = strings.ReplaceAll(rest, c, "")
			}
		}
		for _, r := range rest {
			if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || r == '\ufffd' {
				t.Errorf("color %v: raw %U in the text output:\n%q", color, r, out)
				break
			}
		}
		if !strings.Contains(rest, "\n") {
			t.Fatalf("color %v: no output", color)
		}
		// What was there is shown, escaped, not dropped.
		for _, want := range []string{
			`the lock \x1b[31mred\x1b]8;;http://evil\x07link\x1b]8;;\x07\x0d c1\u009b2J bidi\u202egnp.exe raw\x9b1m del\x7f is held`,
			`store/\x1b[2Jstore.go:3:8`,
			`x := \x1b[8m"hid"; mu.Lock()`,
			`released \x1b[31mred`,
			`answer \x1b[31mred`,
		} {
			if !strings.Contains(rest, want) {
				t.Errorf("color %v: output lacks %q:\n%s", color, want, rest)
			}
		}
	}
}

// TestWriteTextCaretAfterEscapes checks that the caret still points at the
// column once a control character before it is written as an escape.
func TestWriteTextCaretAfterEscapes(t *testing.T) {
	r := terminalReport()
	var buf bytes.Buffer
	if err := findings.WriteText(&buf, r, findings.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	for i, l := range lines {
		if !strings.Contains(l, `mu.Lock()`) || i+1 == len(lines) {
			continue
		}
		// Columns 8 to 12 are `[8m"` (after a tab, "x := " and ESC); the
		// escape \x1b takes four columns where ESC took one.
		code, caret := strings.TrimPrefix(l, "    "), strings.TrimPrefix(lines[i+1], "    ")
		at := strings.IndexByte(caret, '^')
		if at < 0 || !strings.HasPrefix(code[at:], `[8m"hid"`) || strings.TrimSpace(caret) != "^^^^" {
			t.Errorf("the caret does not mark the columns:\n%s\n%s", code, caret)
		}
		return
	}
	t.Errorf("no snippet line in:\n%s", buf.String())
}
