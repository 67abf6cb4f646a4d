package findings_test

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secondlook/secondlook/findings"
)

// cache.go, as the file a region was cut from. Get (lines 10-17) is the
// region; Put follows it.
var cacheFile = strings.Split(`package cache

import "sync"

type Cache struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *Cache) Get(k string) int {
	c.mu.Lock()
	if v, ok := c.m[k]; ok {
		return v
	}
	c.mu.Unlock()
	return 0
}

func (c *Cache) Put(k string, v int) {
	c.m[k] = v
}
`, "\n")

// claim is a claim about Get that Verify keeps: the lock is not released on
// the early return.
func claim() findings.Candidate {
	return findings.Candidate{
		RegionID:    "r1",
		Kind:        "resource-leak",
		File:        "cache/cache.go",
		Function:    "(*Cache).Get",
		RegionStart: 10,
		RegionEnd:   17,
		Line:        13,
		EndLine:     13,
		Quote:       "return v",
		Message:     "the early return at line 13 leaves c.mu locked",
		Explanation: "When k is present, Get returns before c.mu.Unlock, so the next call blocks forever. Unlock with defer right after Lock.",
		Confidence:  0.9,
		Model:       "qwen2.5-coder:7b",
	}
}

func TestVerifyKeeps(t *testing.T) {
	f, reason := findings.Verify(claim(), cacheFile)
	if reason != "" {
		t.Fatalf("dropped: %s", reason)
	}
	want := findings.Finding{
		RuleID:      "SL3003",
		Level:       findings.LevelWarning,
		Message:     "the early return at line 13 leaves c.mu locked",
		Explanation: "When k is present, Get returns before c.mu.Unlock, so the next call blocks forever. Unlock with defer right after Lock.",
		Location: findings.Location{
			File: "cache/cache.go", Line: 13, Column: 3, EndLine: 13, EndColumn: 11,
			Snippet: "\t\treturn v",
		},
		Function:   "(*Cache).Get",
		Confidence: 0.9,
		Votes:      1,
		Source:     "model:qwen2.5-coder:7b",
	}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("finding mismatch (-want +got):\n%s", diff)
	}
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(c *findings.Candidate)
		file   []string // default cacheFile
		reason findings.DropReason
		// For kept claims: where the quote matched.
		line, endLine int
	}{
		{name: "exact", edit: func(c *findings.Candidate) {}, line: 13, endLine: 13},

		// Kinds.
		{name: "unknown kind", edit: func(c *findings.Candidate) { c.Kind = "style" }, reason: findings.DropUnknownKind},
		{name: "empty kind", edit: func(c *findings.Candidate) { c.Kind = "" }, reason: findings.DropUnknownKind},
		{name: "static rule name is no kind", edit: func(c *findings.Candidate) { c.Kind = "lock-copied" }, reason: findings.DropUnknownKind},
		{name: "kind in words", edit: func(c *findings.Candidate) { c.Kind = " Resource Leak " }, line: 13, endLine: 13},
		{name: "kind with underscores", edit: func(c *findings.Candidate) { c.Kind = "RESOURCE_LEAK" }, line: 13, endLine: 13},
		{name: "kind as rule ID", edit: func(c *findings.Candidate) { c.Kind = "sl3003" }, line: 13, endLine: 13},

		// Messages.
		{name: "no message", edit: func(c *findings.Candidate) { c.Message = " \n\t" }, reason: findings.DropNoMessage},

		// Lines.
		{name: "line after the region", edit: func(c *findings.Candidate) { c.Line, c.EndLine, c.Quote = 20, 20, "c.m[k] = v" }, reason: findings.DropOutsideRegion},
		{name: "line before the region", edit: func(c *findings.Candidate) { c.Line = 9 }, reason: findings.DropOutsideRegion},
		{name: "no line", edit: func(c *findings.Candidate) { c.Line, c.EndLine = 0, 0 }, reason: findings.DropOutsideRegion},
		{name: "region unset", edit: func(c *findings.Candidate) { c.RegionStart, c.RegionEnd = 0, 0 }, reason: findings.DropOutsideRegion},

		// Weak quotes.
		{name: "no quote", edit: func(c *findings.Candidate) { c.Quote = "" }, reason: findings.DropNoQuote},
		{name: "blank quote", edit: func(c *findings.Candidate) { c.Quote = " \n " }, reason: findings.DropNoQuote},
		{name: "brace", edit: func(c *findings.Candidate) { c.Line, c.Quote = 14, "}" }, reason: findings.DropNoQuote},
		{name: "keyword", edit: func(c *findings.Candidate) { c.Quote = "return" }, reason: findings.DropNoQuote},
		{name: "keywords and punctuation", edit: func(c *findings.Candidate) { c.Quote = "} else if {" }, reason: findings.DropNoQuote},
		{name: "too short", edit: func(c *findings.Candidate) { c.Quote = "c.m" }, reason: findings.DropNoQuote},

		// Quotes.
		{name: "quote not in the file", edit: func(c *findings.Candidate) { c.Quote = "c.mu.RLock()" }, reason: findings.DropQuoteNotFound},
		{name: "whitespace differs", edit: func(c *findings.Candidate) { c.Line, c.Quote = 12, "if v,ok:=c.m[ k ];ok {" }, line: 12, endLine: 12},
		{name: "spaces for tabs", edit: func(c *findings.Candidate) { c.Quote = "        return v  " }, line: 13, endLine: 13},
		{name: "multi-line quote", edit: func(c *findings.Candidate) {
			c.Line, c.EndLine = 12, 14
			c.Quote = "if v, ok := c.m[k]; ok {\n\t\treturn v\n\t}"
		}, line: 12, endLine: 14},
		{name: "multi-line quote, reflowed", edit: func(c *findings.Candidate) {
			c.Line, c.EndLine = 12, 14
			c.Quote = "if v, ok := c.m[k]; ok { return v }"
		}, line: 12, endLine: 14},
		{name: "multi-line quote, claimed line inside it", edit: func(c *findings.Candidate) {
			c.Line, c.EndLine = 15, 15
			c.Quote = "c.mu.Lock()\n\tif v, ok := c.m[k]; ok {\n\t\treturn v\n\t}"
		}, line: 11, endLine: 14},
		{name: "part of a line", edit: func(c *findings.Candidate) { c.Line, c.Quote = 12, "c.m[k]" }, line: 12, endLine: 12},
		{name: "two lines after", edit: func(c *findings.Candidate) { c.Line, c.Quote = 13, "c.mu.Unlock()" }, line: 15, endLine: 15},
		{name: "three lines after", edit: func(c *findings.Candidate) { c.Line, c.Quote = 12, "c.mu.Unlock()" }, reason: findings.DropQuoteNotFound},
		{name: "two lines before", edit: func(c *findings.Candidate) { c.Line, c.Quote = 14, "if v, ok := c.m[k]; ok {" }, line: 12, endLine: 12},
		{name: "three lines before", edit: func(c *findings.Candidate) { c.Line, c.Quote = 15, "if v, ok := c.m[k]; ok {" }, reason: findings.DropQuoteNotFound},
		{name: "line adjusted to the match", edit: func(c *findings.Candidate) { c.Line, c.EndLine = 14, 16 }, line: 13, endLine: 13},
		{name: "near the region but outside it", edit: func(c *findings.Candidate) {
			c.Line, c.Quote = 17, "func (c *Cache) Put(k string, v int) {"
		}, reason: findings.DropQuoteNotFound},
		{name: "inside a wider region", edit: func(c *findings.Candidate) {
			c.RegionEnd = 21
			c.Line, c.Quote = 17, "func (c *Cache) Put(k string, v int) {"
		}, line: 19, endLine: 19},
		{name: "region past the end of a changed file", edit: func(c *findings.Candidate) { c.RegionEnd = 99 }, line: 13, endLine: 13},
		{name: "line ending kept off the snippet", edit: func(c *findings.Candidate) {}, file: crlf(cacheFile), line: 13, endLine: 13},
	}
	seen := map[findings.DropReason]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claim()
			tt.edit(&c)
			file := cacheFile
			if tt.file != nil {
				file = tt.file
			}
			f, reason := findings.Verify(c, file)
			seen[reason] = true
			if reason != tt.reason {
				t.Fatalf("reason = %q, want %q", reason, tt.reason)
			}
			if reason != "" {
				if !cmp.Equal(f, findings.Finding{}) {
					t.Errorf("dropped claim returned a finding: %+v", f)
				}
				return
			}
			loc := f.Location
			if loc.Line != tt.line || loc.EndLine != tt.endLine {
				t.Errorf("lines = %d-%d, want %d-%d", loc.Line, loc.EndLine, tt.line, tt.endLine)
			}
			if want := strings.TrimRight(file[loc.Line-1], "\r\n"); loc.Snippet != want {
				t.Errorf("snippet = %q, want line %d: %q", loc.Snippet, loc.Line, want)
			}
			if f.RuleID != "SL3003" {
				t.Errorf("rule = %s, want SL3003", f.RuleID)
			}
		})
	}
	for _, r := range findings.DropReasons() {
		if !seen[r] {
			t.Errorf("no test drops a claim with %q", r)
		}
	}
}

func crlf(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l + "\r\n"
	}
	return out
}

// TestVerifyColumns checks that the columns mark the quoted code, so that
// the text writer's caret and SARIF's region point at it.
func TestVerifyColumns(t *testing.T) {
	c := claim()
	c.Line, c.Quote = 12, "c.m[k]"
	f, reason := findings.Verify(c, cacheFile)
	if reason != "" {
		t.Fatal(reason)
	}
	line := cacheFile[11]
	if got := line[f.Location.Column-1 : f.Location.EndColumn-1]; got != "c.m[k]" {
		t.Errorf("columns %d-%d mark %q, want %q", f.Location.Column, f.Location.EndColumn, got, "c.m[k]")
	}
}

// TestVerifyNearestMatch checks that of several matches near the claimed
// line, the nearest wins.
func TestVerifyNearestMatch(t *testing.T) {
	file := []string{
		"func sum(ch chan int) int {",
		"	total := <-ch",
		"	total += <-ch",
		"	total += <-ch",
		"	total += <-ch",
		"	return total",
		"}",
	}
	c := findings.Candidate{
		Kind: "goroutine-leak", File: "sum.go", RegionStart: 1, RegionEnd: 7,
		Message: "m", Quote: "total += <-ch",
	}
	for _, tt := range []struct{ claimed, want int }{{1, 3}, {2, 3}, {3, 3}, {4, 4}, {5, 5}, {6, 5}, {7, 5}} {
		c.Line = tt.claimed
		f, reason := findings.Verify(c, file)
		if reason != "" {
			t.Errorf("line %d: dropped: %s", tt.claimed, reason)
			continue
		}
		if f.Location.Line != tt.want {
			t.Errorf("line %d: matched at %d, want %d", tt.claimed, f.Location.Line, tt.want)
		}
	}
}

func TestVerifyMessage(t *testing.T) {
	long := "the early return leaves c.mu locked, so every later call of Get or Put blocks forever on c.mu.Lock and the cache stops serving requests. " +
		"Move the unlock into a defer right after the Lock call. It runs on every path."
	tests := []struct {
		name, message, explanation string
		wantMessage, wantExplain   string
	}{
		{
			name:        "one line",
			message:     "  the early return\n\tleaves c.mu   locked ",
			wantMessage: "the early return leaves c.mu locked",
		},
		{
			name:        "short sentences stay together",
			message:     "c.mu stays locked. Get blocks.",
			explanation: "why",
			wantMessage: "c.mu stays locked. Get blocks.",
			wantExplain: "why",
		},
		{
			name:        "long: the first sentence stands alone",
			message:     long,
			explanation: "\nWhen k is present...\n",
			wantMessage: "the early return leaves c.mu locked, so every later call of Get or Put blocks forever on c.mu.Lock and the cache stops serving requests.",
			wantExplain: "Move the unlock into a defer right after the Lock call. It runs on every path. When k is present...",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claim()
			c.Message, c.Explanation = tt.message, tt.explanation
			f, reason := findings.Verify(c, cacheFile)
			if reason != "" {
				t.Fatal(reason)
			}
			if f.Message != tt.wantMessage {
				t.Errorf("message = %q, want %q", f.Message, tt.wantMessage)
			}
			if f.Explanation != tt.wantExplain {
				t.Errorf("explanation = %q, want %q", f.Explanation, tt.wantExplain)
			}
		})
	}
}

func TestVerifyConfidenceAndSource(t *testing.T) {
	for _, tt := range []struct{ in, want float64 }{{0.4, 0.4}, {1.7, 1}, {-0.2, 0}, {math.NaN(), 0}} {
		c := claim()
		c.Confidence = tt.in
		f, _ := findings.Verify(c, cacheFile)
		if f.Confidence != tt.want {
			t.Errorf("confidence %v became %v, want %v", tt.in, f.Confidence, tt.want)
		}
	}
	c := claim()
	c.Model = ""
	if f, _ := findings.Verify(c, cacheFile); f.Source != "model" {
		t.Errorf("source without a model name = %q, want %q", f.Source, "model")
	}
}
