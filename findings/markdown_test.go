package findings_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/secondlook/secondlook/findings"
)

// richReport adds to the sample what only markdown shows: a multi-line
// explanation, code holding backquotes, several sources, cost and the
// suppression and baseline counts.
func richReport() *findings.Report {
	r := sampleReport()
	r.Findings[0].Explanation = "ctx is done after the timeout, so fetch returns early.\n\nThe goroutine then blocks on ch forever; make ch buffered (make(chan string, 1))."
	r.Findings[0].Sources = []string{"model:qwen2.5-coder", "static:lostcancel"}
	r.Findings = append(r.Findings, findings.Finding{
		RuleID:   "SL3001",
		Level:    findings.LevelWarning,
		Message:  "the error of tx.Commit is dropped",
		Location: findings.Location{File: "internal/store/tx.go", Line: 20, EndLine: 22, Snippet: "\t\tq := `SELECT *\n\t\t  FROM t`\n\t\tdefer tx.Commit()"},
		Function: "(*Store).Save",
		Source:   "static:unusedresult",
	})
	r.Findings[3].BaselineState = findings.BaselineUnchanged
	r.Stats.CostUSD = 0.0123
	r.Stats.Suppressed = 2
	r.Stats.Baselined = 4
	return r
}

func TestWriteMarkdownGolden(t *testing.T) {
	noModel := emptyReport()
	noModel.Stats.ModelConfigured = false
	for _, tc := range []struct {
		name string
		r    *findings.Report
	}{
		{"empty", emptyReport()},
		{"no-model", noModel},
		{"sample", sampleReport()},
		{"rich", richReport()},
		{"injection", injectionReport()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := findings.WriteMarkdown(&buf, tc.r, findings.MarkdownOptions{}); err != nil {
				t.Fatal(err)
			}
			golden(t, "markdown-"+tc.name+".golden", buf.Bytes())
		})
	}
}

// evil is what a model (or a pull request's file names) might say to take
// over the comment.
const evil = "see <img src=x onerror=alert(1)> @octocat [click](https://evil.example/x) ![i](https://evil.example/i.png) " +
	"<https://evil.example/auto> www.evil.example ``` </details> <!-- &lt;b&gt; #1 GH-2 *bold* _it_ ~~del~~ $x^2$ | a | b | \\"

func injectionReport() *findings.Report {
	return &findings.Report{
		Tool: findings.Tool{Name: "secondlook", Version: "v0.3.0"},
		Findings: []findings.Finding{{
			RuleID:      "SL1002",
			Level:       findings.LevelWarning,
			Message:     evil,
			Explanation: "# heading\n- item\n1. item\n    indented code\n> quote\n---\n===\n\n" + evil + "\n</details>\n<details><summary>x</summary>",
			Location: findings.Location{
				File:    "a/<b>x</b>`.go",
				Line:    3,
				Snippet: "\ts := \"```\" // </details> <script>alert(1)</script>\n\t````\n\t`",
			},
			Function: "f`g",
			Related:  []findings.Location{{File: "a/@octocat.go", Line: 4, Message: evil}},
			Source:   "model:<b>m</b>",
		}},
		Failures: []findings.Failure{
			{Stage: "review", Message: evil},
			{Stage: "review", File: "a.go", Line: 3, Message: "panic: boom\n\ngoroutine 7 [running]:\nmain.f()"},
		},
		Stats: findings.Stats{
			Mode: "diff", ModelConfigured: true,
			IgnoredChanges: []string{"<img src=x onerror=alert(1)>.md", "@octocat.txt"},
		},
	}
}

// TestWriteMarkdownInjection checks the injection golden for what must
// never appear, whatever the golden says.
func TestWriteMarkdownInjection(t *testing.T) {
	var buf bytes.Buffer
	if err := findings.WriteMarkdown(&buf, injectionReport(), findings.MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()

	// Take the fenced code blocks out first: inside them text is literal.
	code, prose := splitFences(t, out)
	wantCode := "s := \"```\" // </details> <script>alert(1)</script>\n```" + "`\n`"
	if len(code) != 1 || code[0] != wantCode {
		t.Errorf("code blocks %q, want one holding the snippet %q", code, wantCode)
	}

	// Take the code spans out; they are literal too.
	spans, text := codeSpans(prose)

	for _, bad := range []string{
		"<img", "<script", "<b>", "<!--x", "@octocat", "#1", "GH-2",
		"[click]", "](", "![", "<https:", "<!-- &", "~~del~~", "*bold*", "_it_",
	} {
		if strings.Contains(text, bad) {
			t.Errorf("rendered text holds %q:\n%s", bad, text)
		}
	}
	// Our own markup is the only HTML: the marker comment and one details
	// block.
	for tag, want := range map[string]int{"<details>": 1, "</details>": 1, "<summary>": 1, "<!--": 1} {
		if n := strings.Count(text, tag); n != want {
			t.Errorf("%d × %q outside code, want %d", n, tag, want)
		}
	}
	ours := regexp.MustCompile(`^(<!-- secondlook -->|## secondlook: |### |\*\*SL1002 goroutine\\-leak\*\* \(warning\) — |<details><summary>|</details>|Evidence:|- |These parts|$)`)
	for line := range strings.Lines(text) {
		line = strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(line, "|") {
			continue // the summary table; model text cannot start a line with "|"
		}
		// Model text cannot open a block: no line of it starts with a
		// heading, list, quote, rule or indentation.
		if m := ours.FindString(line); m == "" && line != "" {
			if regexp.MustCompile(`^(\s|>|\d+[.)]|[*+=_~-]|#)`).MatchString(line) {
				t.Errorf("line opens a block: %q", line)
			}
		} else {
			line = line[len(m):]
		}
		// Every bracket, backquote and markdown mark in it is escaped.
		for i := 0; i < len(line); i++ {
			if strings.IndexByte("[]()*_~|`$", line[i]) >= 0 && (i == 0 || line[i-1] != '\\') {
				t.Errorf("unescaped %q at %d: %q", line[i], i, line)
			}
		}
	}
	// URLs appear only inside code spans, where GitHub does not link them.
	if strings.Contains(text, "://") || strings.Contains(text, "www.") {
		t.Errorf("a URL outside a code span:\n%s", text)
	}
	found := false
	for _, s := range spans {
		if strings.Contains(s, "https://evil.example/x") {
			found = true
		}
	}
	if !found {
		t.Errorf("the URL is not kept as code: spans %q", spans)
	}
	// The file name and function are code spans that hold them whole.
	for _, want := range []string{"a/<b>x</b>`.go:3", "f`g", "a/@octocat.go:4"} {
		if !containsSpan(spans, want) {
			t.Errorf("no code span holds %q: %q", want, spans)
		}
	}
}

// codeSpans returns the contents of the code spans in text, and text
// without them (a small approximation of CommonMark's rule: the span closes
// at the first run of backquotes exactly as long as the one that opened it;
// an unclosed run is left in the text).
func codeSpans(text string) (spans []string, rest string) {
	var b strings.Builder
	for i := 0; i < len(text); {
		if text[i] != '`' || (i > 0 && text[i-1] == '\\') {
			b.WriteByte(text[i])
			i++
			continue
		}
		n := 0
		for i+n < len(text) && text[i+n] == '`' {
			n++
		}
		open := strings.Repeat("`", n)
		j := i + n
		for {
			k := strings.Index(text[j:], open)
			if k < 0 {
				b.WriteString(text[i:])
				return spans, b.String()
			}
			k += j
			if k+n < len(text) && text[k+n] == '`' {
				j = k + n
				for j < len(text) && text[j] == '`' {
					j++
				}
				continue
			}
			content := text[i+n : k]
			if len(content) > 2 && content[0] == ' ' && content[len(content)-1] == ' ' {
				content = content[1 : len(content)-1]
			}
			spans = append(spans, content)
			i = k + n
			break
		}
	}
	return spans, b.String()
}

func containsSpan(spans []string, want string) bool {
	for _, s := range spans {
		if s == want {
			return true
		}
	}
	return false
}

// splitFences separates fenced code blocks from the rest: a fence opens
// with three or more backquotes at the start of a line and closes at a line
// of at least as many backquotes and nothing else.
func splitFences(t *testing.T, out string) (code []string, prose string) {
	t.Helper()
	var rest strings.Builder
	lines := strings.Split(out, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		n := len(l) - len(strings.TrimLeft(l, "`"))
		if n < 3 {
			rest.WriteString(l + "\n")
			continue
		}
		var body []string
		closed := false
		for i++; i < len(lines); i++ {
			c := lines[i]
			if m := len(c) - len(strings.TrimLeft(c, "`")); m >= n && strings.Trim(c, "`") == "" {
				closed = true
				break
			}
			body = append(body, c)
		}
		if !closed {
			t.Errorf("unclosed fence %q", l)
		}
		code = append(code, strings.Join(body, "\n"))
	}
	return code, rest.String()
}

func TestMarkdownFenceOutlastsBackquotes(t *testing.T) {
	for _, snippet := range []string{"x", "a ``` b", "````", "`````x`"} {
		r := &findings.Report{Findings: []findings.Finding{{RuleID: "SL1002", Location: findings.Location{File: "a.go", Line: 1, Snippet: snippet}}}}
		var buf bytes.Buffer
		if err := findings.WriteMarkdown(&buf, r, findings.MarkdownOptions{}); err != nil {
			t.Fatal(err)
		}
		code, _ := splitFences(t, buf.String())
		if len(code) != 1 || code[0] != snippet {
			t.Errorf("snippet %q came back as %q", snippet, code)
		}
	}
}

// TestWriteMarkdownLinks: with a link base, each finding's position links
// to its lines, the path escaped so that no file name ends the link.
func TestWriteMarkdownLinks(t *testing.T) {
	r := &findings.Report{Findings: []findings.Finding{
		{RuleID: "SL1002", Level: findings.LevelWarning, Message: "m", Source: "model:m",
			Location: findings.Location{File: "pkg/a b(1).go", Line: 3, EndLine: 5}},
	}, Stats: findings.Stats{Tokens: 1234567, Regions: 1, Reviewed: 1, ModelConfigured: true}}
	var buf bytes.Buffer
	if err := findings.WriteMarkdown(&buf, r, findings.MarkdownOptions{Link: "https://github.com/o/r/blob/abc123/sub/"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"[`pkg/a b(1).go:3-5`](https://github.com/o/r/blob/abc123/sub/pkg/a%20b%281%29.go#L3-L5)",
		"| 1,234,567 |", "1,234,567 tokens",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
}
