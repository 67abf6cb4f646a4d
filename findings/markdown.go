package findings

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// WriteMarkdown writes r as GitHub-flavoured markdown for a pull-request
// comment: a heading, the review map of a diff scan ("Where to look": the
// risk line, the top five changed functions, the rest folded), a summary table (findings by level, failures, regions
// reviewed, tokens, cost), the summary paragraph, then each finding — its
// rule, level, place and message, its code excerpt, and its explanation and
// evidence in a collapsed <details> block — and the failures last. The
// first line is the HTML comment "<!-- secondlook -->", by which a bot can
// find its earlier comment to update.
//
// Everything that comes from outside the catalogue — the model's messages
// and explanations, but also file names and source lines, which a pull
// request controls — is written so that it renders as the text it is and
// nothing else: no HTML, images, links, @mentions, #references or markdown
// structure, and no way out of a code fence or the <details> block. See
// mdText and mdCode.
//
// With opts.Link, each finding's position links to its lines.
func WriteMarkdown(w io.Writer, r *Report, opts MarkdownOptions) error {
	var b bytes.Buffer
	b.WriteString("<!-- secondlook -->\n")
	name := cmp.Or(r.Tool.Name, "secondlook")
	if n := len(r.Findings); n == 0 {
		fmt.Fprintf(&b, "## %s: no findings\n\n", mdText(name))
	} else {
		fmt.Fprintf(&b, "## %s: %s\n\n", mdText(name), plural(n, "finding"))
	}
	if len(r.ReviewMap) > 0 {
		// Where a reviewer should look comes first.
		mdReviewMap(&b, r)
	}
	mdSummaryTable(&b, r)
	b.WriteString(mdText(Summary(r)))
	b.WriteString("\n")

	if len(r.Findings) > 0 {
		b.WriteString("\n### Findings\n")
		rules := r.ruleMap()
		for _, f := range r.Findings {
			b.WriteString("\n")
			mdFinding(&b, f, rules[f.RuleID], opts)
		}
	}
	if len(r.Failures) > 0 {
		b.WriteString("\n### Failures\n\nThese parts of the work did not complete, so the results are incomplete:\n\n")
		for _, fl := range r.Failures {
			// A failure may carry a stack; the comment keeps its first
			// line, the text and JSON reports the rest.
			msg, rest, _ := strings.Cut(strings.TrimSpace(fl.Message), "\n")
			fl.Message = msg
			if strings.TrimSpace(rest) != "" {
				fl.Message += " …"
			}
			b.WriteString("- ")
			b.WriteString(mdText(fl.Text()))
			b.WriteString("\n")
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// MarkdownOptions say how WriteMarkdown links findings to the code.
type MarkdownOptions struct {
	// Link, if set, is the URL of the files at the scanned revision, to
	// which a module-relative path and "#L3-L5" are added: e.g.
	// "https://github.com/o/r/blob/SHA/" (with the module's directory in
	// the repository, if any). Empty: positions are plain text.
	Link string
}

// mdLink returns the URL of a location under base, its path escaped so
// that no file name of a pull request can end the link or the URL.
func mdLink(base string, l Location) string {
	var segs []string
	for _, s := range strings.Split(l.File, "/") {
		segs = append(segs, strings.NewReplacer("(", "%28", ")", "%29").Replace(url.PathEscape(s)))
	}
	u := strings.TrimRight(base, "/") + "/" + strings.Join(segs, "/")
	if l.Line > 0 {
		u += "#L" + strconv.Itoa(l.Line)
		if l.Last() > l.Line {
			u += "-L" + strconv.Itoa(l.Last())
		}
	}
	return u
}

// mdSummaryTable writes one row of counts. Columns that would only say
// "nothing of the kind happened" (no model, no cost, nothing suppressed)
// are left out; the level and failure columns always show.
func mdSummaryTable(b *bytes.Buffer, r *Report) {
	count := func(l Level) string {
		n := 0
		for _, f := range r.Findings {
			if f.Level == l {
				n++
			}
		}
		return Thousands(n)
	}
	s := r.Stats
	type column struct{ head, value string }
	cols := []column{
		{"errors", count(LevelError)},
		{"warnings", count(LevelWarning)},
		{"notes", count(LevelNote)},
		{"failures", Thousands(len(r.Failures))},
	}
	if s.ModelConfigured {
		cols = append(cols,
			column{"regions reviewed", Thousands(s.Regions)},
			column{"tokens", Thousands(s.Tokens)})
	}
	if s.CostUSD > 0 {
		cols = append(cols, column{"cost", fmt.Sprintf("$%.4f", s.CostUSD)})
	}
	if s.Suppressed > 0 {
		cols = append(cols, column{"suppressed", Thousands(s.Suppressed)})
	}
	if s.Baselined > 0 {
		cols = append(cols, column{"in the baseline", Thousands(s.Baselined)})
	}
	var head, rule, row strings.Builder
	for _, c := range cols {
		head.WriteString("| " + c.head + " ")
		rule.WriteString("|---:")
		row.WriteString("| " + c.value + " ")
	}
	fmt.Fprintf(b, "%s|\n%s|\n%s|\n\n", head.String(), rule.String(), row.String())
}

// mdFinding writes one finding:
//
//	**SL1002 goroutine-leak** (warning) — `fetch.go:42` in `fetch`
//
//	message
//
//	```go
//	source line
//	```
//
//	<details><summary>Explanation and evidence</summary> ... </details>
func mdFinding(b *bytes.Buffer, f Finding, rule Rule, opts MarkdownOptions) {
	title := f.RuleID
	if rule.Name != "" {
		title += " " + rule.Name
	}
	level := f.Level.String()
	if f.BaselineState == BaselineUnchanged {
		level += ", in the baseline"
	}
	pos := mdCode(mdPosition(f.Location))
	if opts.Link != "" && f.Location.File != "" {
		pos = "[" + pos + "](" + mdLink(opts.Link, f.Location) + ")"
	}
	fmt.Fprintf(b, "**%s** (%s) — %s", mdText(title), level, pos)
	if f.Function != "" {
		b.WriteString(" in " + mdCode(f.Function))
	}
	b.WriteString("\n")
	if msg := mdText(f.Message); msg != "" {
		b.WriteString("\n" + msg + "\n")
	}
	if strings.TrimSpace(f.Location.Snippet) != "" {
		lang := ""
		if strings.HasSuffix(f.Location.File, ".go") {
			lang = "go"
		}
		b.WriteString("\n")
		b.WriteString(mdFence(f.Location.Snippet, lang))
	}

	var parts []string
	if p := mdParagraphs(f.Explanation); p != "" {
		parts = append(parts, p)
	}
	var evidence strings.Builder
	for _, rel := range f.Related {
		evidence.WriteString("- " + mdCode(mdPosition(rel)))
		if msg := mdText(rel.Message); msg != "" {
			evidence.WriteString(" " + msg)
		}
		evidence.WriteString("\n")
	}
	if evidence.Len() > 0 {
		list := strings.TrimSuffix(evidence.String(), "\n")
		if len(parts) > 0 {
			list = "Evidence:\n\n" + list
		}
		parts = append(parts, list)
	}
	if len(parts) == 0 {
		return // who reported it is not worth a block of its own
	}
	summary := "Explanation and evidence"
	switch {
	case evidence.Len() == 0:
		summary = "Explanation"
	case len(parts) == 1:
		summary = "Evidence"
	}
	if by := mdSources(f); by != "" {
		parts = append(parts, by)
	}
	// The blank line after <summary> lets GitHub render the markdown
	// inside; nothing inside can hold a "<", so only our </details> ends it.
	fmt.Fprintf(b, "\n<details><summary>%s</summary>\n\n%s\n\n</details>\n", summary, strings.Join(parts, "\n\n"))
}

// mdSources says who reported a finding, with votes and confidence.
func mdSources(f Finding) string {
	srcs := f.Sources
	if len(srcs) == 0 && f.Source != "" {
		srcs = []string{f.Source}
	}
	var extra []string
	if f.Votes > 1 {
		extra = append(extra, plural(f.Votes, "vote"))
	}
	if f.Confidence > 0 {
		extra = append(extra, "confidence "+strconv.FormatFloat(f.Confidence, 'f', -1, 64))
	}
	if len(srcs) == 0 && len(extra) == 0 {
		return ""
	}
	s := "Reported by " + cmp.Or(strings.Join(srcs, ", "), "an unknown source")
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return mdText(s + ".")
}

// mdPosition is file:line, or file:line-end for a span of lines.
func mdPosition(l Location) string {
	s := cmp.Or(l.File, "-")
	if l.Line > 0 {
		s += ":" + strconv.Itoa(l.Line)
		if l.Last() > l.Line {
			s += "-" + strconv.Itoa(l.Last())
		}
	}
	return s
}

// mdURL matches what GitHub would turn into a link by itself: a scheme
// followed by "://", or "www.", up to a blank or angle bracket. As in GFM's
// autolinks, trailing punctuation is not part of it (see mdText).
var mdURL = regexp.MustCompile(`(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>]*`)

// mdText renders untrusted text as one line of inert inline markdown:
//
//   - & < and > become character references, so no HTML can start (and no
//     </details> can end our block);
//   - every other ASCII character that markdown or GitHub's extensions give
//     a meaning (emphasis, links and images, headings, lists, tables,
//     strikethrough, math) is escaped with a backslash;
//   - a zero-width joiner follows each "@" and "#", and the "-" of "GH-",
//     because GitHub links @mentions and issue references in the rendered
//     text, after backslash escapes are gone;
//   - URLs become code spans, which GitHub does not autolink;
//   - line breaks and tabs become spaces, control and bidirectional
//     formatting characters become U+FFFD, and the ends are trimmed.
func mdText(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	last := 0
	for _, loc := range mdURL.FindAllStringIndex(s, -1) {
		url := strings.TrimRight(s[loc[0]:loc[1]], ".,;:!?'\")]}*_~")
		mdEscape(&b, s[last:loc[0]])
		b.WriteString(mdCode(url))
		last = loc[0] + len(url)
	}
	mdEscape(&b, s[last:])
	return b.String()
}

const zwj = "\u200d"

func mdEscape(b *strings.Builder, s string) {
	for i, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '@':
			b.WriteString("@" + zwj)
		case r == '#':
			b.WriteString(`\#` + zwj)
		case r == '-' && i >= 2 && strings.EqualFold(s[i-2:i], "gh"):
			b.WriteString(`\-` + zwj)
		case r < utf8.RuneSelf && strings.ContainsRune("\\`*_{}[]()+-.!|~=$", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
}

// mdParagraphs renders untrusted text of several paragraphs: each line as
// mdText, blank lines kept as paragraph breaks. Lines are trimmed, so none
// can become an indented code block.
func mdParagraphs(s string) string {
	var paras []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			paras = append(paras, strings.Join(cur, "\n"))
			cur = nil
		}
	}
	for line := range strings.Lines(s) {
		if t := mdText(line); t != "" {
			cur = append(cur, t)
		} else {
			flush()
		}
	}
	flush()
	return strings.Join(paras, "\n\n")
}

// mdCode renders untrusted text as a code span: literal in markdown, no
// HTML, no links, no mentions. The span's backquotes outnumber any run in
// the text, and a space pads text that starts or ends with a backquote.
func mdCode(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			return utf8.RuneError
		}
		return r
	}, s)
	if s == "" {
		return ""
	}
	ticks := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.TrimSpace(s) == "" {
		s = " " + s + " "
	}
	return ticks + s + ticks
}

// mdFence renders source lines as a fenced code block whose fence of
// backquotes is longer than any run in the code (and at least three), so
// no line of the code can close it. The lines lose their common
// indentation; control characters other than tabs become U+FFFD.
func mdFence(code, lang string) string {
	code = strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)) {
			return utf8.RuneError
		}
		return r
	}, strings.ReplaceAll(code, "\r\n", "\n"))
	lines := strings.Split(strings.Trim(code, "\n"), "\n")
	indent, have := "", false
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
		if lines[i] == "" {
			continue
		}
		lead := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if !have {
			indent, have = lead, true
			continue
		}
		n := 0
		for n < len(indent) && n < len(lead) && indent[n] == lead[n] {
			n++
		}
		indent = indent[:n]
	}
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, indent)
	}
	fence := strings.Repeat("`", max(3, longestRun(code, '`')+1))
	return fence + lang + "\n" + strings.Join(lines, "\n") + "\n" + fence + "\n"
}

// longestRun returns the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}
