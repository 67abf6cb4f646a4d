package findings

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Writers are pure functions of a Report: they read nothing but the Report
// and the catalogue, call nothing time-dependent and never reorder or modify
// the Report. Call Report.Sort before writing for a stable order.

// TextOptions configures WriteText.
type TextOptions struct {
	// Color adds ANSI colour escapes. The caller decides (a terminal,
	// NO_COLOR); the writer never looks at the environment.
	Color bool
	// Verbose adds each model finding's explanation under it.
	Verbose bool
	// Map writes the review map of a diff scan before the findings.
	Map bool
}

// WriteText writes the findings and failures of r for a terminal, one block
// per finding:
//
//	internal/fetch/fetch.go:42:14: warning: SL1002 [goroutine-leak] the send blocks forever once ctx is done
//	    go func() { ch <- get(url) }()
//	                ^^^^^^^^^^^^^^
//	    internal/fetch/fetch.go:47:3: returns here without receiving from ch
//
// then one line per failure ("failure: stage: package: message"). The
// summary is not written; see Summary.
//
// The source line is Location.Snippet. For the caret to line up, Snippet must
// be the whole line with its indentation (only the line end removed):
// WriteText strips the indentation itself and moves the caret with it. A
// caret that the snippet cannot hold (a column past its end, or inside the
// indentation) is left out rather than drawn in the wrong place.
func WriteText(w io.Writer, r *Report, opts TextOptions) error {
	p := textPrinter{color: opts.Color, verbose: opts.Verbose}
	rules := r.ruleMap()
	if opts.Map && len(r.ReviewMap) > 0 {
		p.reviewMap(r)
		if len(r.Findings)+len(r.Failures) > 0 {
			p.buf.WriteByte('\n')
		}
	}
	for i, f := range r.Findings {
		if i > 0 {
			p.buf.WriteByte('\n')
		}
		p.finding(f, rules[f.RuleID])
	}
	if len(r.Findings) > 0 && len(r.Failures) > 0 {
		p.buf.WriteByte('\n')
	}
	for _, fl := range r.Failures {
		p.failure(fl)
	}
	for _, t := range r.Tests {
		if t.Unwell() {
			p.buf.WriteString(TermSafe(testLine(t)) + "\n")
		}
	}
	_, err := w.Write(p.buf.Bytes())
	return err
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// indent prefixes everything under a finding's header line. Spaces, not a
// tab, so that tabs inside the source line keep the same stops on the caret
// line.
const indent = "    "

type textPrinter struct {
	buf     bytes.Buffer
	color   bool
	verbose bool
}

// paint writes s in the given ANSI style when colour is on.
func (p *textPrinter) paint(style, s string) {
	if p.color && style != "" && s != "" {
		p.buf.WriteString(style)
		p.buf.WriteString(s)
		p.buf.WriteString(ansiReset)
		return
	}
	p.buf.WriteString(s)
}

func levelStyle(l Level) string {
	switch l {
	case LevelError:
		return ansiBold + ansiRed
	case LevelWarning:
		return ansiBold + ansiYellow
	case LevelNote:
		return ansiBold + ansiCyan
	}
	return ansiBold
}

func (p *textPrinter) finding(f Finding, rule Rule) {
	p.paint(ansiBold, TermSafe(position(f.Location))+":")
	p.buf.WriteByte(' ')
	p.paint(levelStyle(f.Level), f.Level.String()+":")
	p.buf.WriteByte(' ')
	p.buf.WriteString(f.RuleID)
	if rule.Name != "" {
		p.buf.WriteByte(' ')
		p.paint(ansiDim, "["+rule.Name+"]")
	}
	p.buf.WriteByte(' ')
	p.buf.WriteString(indentLines(TermSafe(strings.TrimSpace(f.Message))))
	p.buf.WriteByte(' ')
	p.paint(ansiDim, "("+TermSafe(sourceText(f))+")")
	p.buf.WriteByte('\n')
	if expl := strings.TrimSpace(f.Explanation); p.verbose && expl != "" {
		p.buf.WriteString(indent)
		p.buf.WriteString(indentLines(TermSafe(expl)))
		p.buf.WriteByte('\n')
	}

	if code, caret := snippetLines(f.Location); code != "" {
		p.buf.WriteString(indent)
		p.buf.WriteString(code)
		p.buf.WriteByte('\n')
		if caret != "" {
			p.buf.WriteString(indent)
			// The caret line is whitespace and then carets; colour only the carets.
			marks := strings.TrimLeft(caret, " \t")
			p.buf.WriteString(caret[:len(caret)-len(marks)])
			p.paint(ansiGreen, marks)
			p.buf.WriteByte('\n')
		}
	}
	for _, rel := range f.Related {
		p.buf.WriteString(indent)
		p.buf.WriteString(TermSafe(position(rel)))
		if msg := strings.TrimSpace(rel.Message); msg != "" {
			p.buf.WriteString(": ")
			p.buf.WriteString(indentLines(TermSafe(msg)))
		}
		p.buf.WriteByte('\n')
	}
}

// sourceText says where a finding comes from: "static: nilness", or
// "model gpt-4.1, confidence 0.80", and the other sources that agree.
func sourceText(f Finding) string {
	one := func(src string) string {
		if pass, ok := strings.CutPrefix(src, "static:"); ok {
			return "static: " + pass
		}
		if m, ok := strings.CutPrefix(src, "model:"); ok {
			if f.Confidence > 0 && src == f.Source {
				return fmt.Sprintf("model %s, confidence %.2f", m, f.Confidence)
			}
			return "model " + m
		}
		return src
	}
	parts := []string{one(f.Source)}
	for _, s := range f.Sources {
		if s != f.Source {
			parts = append(parts, one(s))
		}
	}
	return strings.Join(parts, "; ")
}

func (p *textPrinter) failure(fl Failure) {
	p.paint(ansiBold+ansiRed, "failure:")
	p.buf.WriteByte(' ')
	p.buf.WriteString(indentLines(TermSafe(fl.Text())))
	p.buf.WriteByte('\n')
}

// Detail is a failure's place and message, "package: file:line: message",
// leaving out the parts that are not set. It is the one text of a failure:
// the text report writes "stage: " and it ([Failure.Text]), the CLI's
// stderr "stage failed: " and it, SARIF its Text without the file (the
// notification's location holds it).
func (fl Failure) Detail() string {
	var parts []string
	if fl.Package != "" {
		parts = append(parts, fl.Package)
	}
	if fl.File != "" {
		parts = append(parts, position(Location{File: fl.File, Line: fl.Line}))
	}
	if m := strings.TrimSpace(fl.Message); m != "" {
		parts = append(parts, m)
	}
	return strings.Join(parts, ": ")
}

// Text is "stage: package: file:line: message", leaving out the parts that
// are not set; "unknown failure" when none is.
func (fl Failure) Text() string {
	d := fl.Detail()
	switch {
	case fl.Stage == "" && d == "":
		return "unknown failure"
	case fl.Stage == "":
		return d
	case d == "":
		return fl.Stage
	}
	return fl.Stage + ": " + d
}

// position is file:line:col as compilers print it, leaving out what is
// unknown.
func position(l Location) string {
	s := l.File
	if s == "" {
		s = "-"
	}
	if l.Line > 0 {
		s += ":" + strconv.Itoa(l.Line)
		if l.Column > 0 {
			s += ":" + strconv.Itoa(l.Column)
		}
	}
	return s
}

// indentLines keeps a multi-line message inside its block.
func indentLines(s string) string {
	return strings.ReplaceAll(s, "\n", "\n"+indent)
}

// TermSafe neutralises what a terminal would act on rather than show, in
// text that the model, the analysed code or a server wrote: C0 and C1
// controls (ESC starts CSI and OSC 8 hyperlink sequences, CR overwrites the
// line, BEL rings), DEL, bytes that are not UTF-8 (a lone 0x9b is CSI to an
// 8-bit terminal) and the bidirectional overrides that reorder what is shown
// (Trojan Source). Each is written as a Go escape (\x1b, \u202e), so the
// reader sees that it was there. Newlines and tabs are kept: the writer
// indents the one and the caret line needs the other.
func TermSafe(s string) string {
	var b strings.Builder
	done := 0 // s[:done] is in b
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if esc := termEscape(r, size, s[i]); esc != "" {
			b.WriteString(s[done:i])
			b.WriteString(esc)
			done = i + size
		}
		i += size
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// termEscape returns how termSafe writes the rune r of size bytes starting
// with byte first, or "" when it is written as it is.
func termEscape(r rune, size int, first byte) string {
	switch {
	case r == utf8.RuneError && size == 1:
		return fmt.Sprintf(`\x%02x`, first)
	case r == '\n' || r == '\t':
		return ""
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf(`\x%02x`, r)
	case r >= 0x80 && r <= 0x9f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return fmt.Sprintf(`\u%04x`, r)
	}
	return ""
}

// snippetLines returns the source line of l without its indentation, and a
// caret line marking l's columns on it ("" when the columns are unknown or
// do not fit the snippet). Both are safe for a terminal (termSafe); the caret
// line widens with the escapes.
func snippetLines(l Location) (code, caret string) {
	code, caret = rawSnippetLines(l)
	return TermSafe(code), caret
}

func rawSnippetLines(l Location) (code, caret string) {
	line := strings.TrimRight(l.Snippet, " \t\r\n")
	code = strings.TrimLeft(line, " \t")
	if code == "" || l.Column < 1 {
		return code, ""
	}
	lead := len(line) - len(code)
	start := l.Column - 1 - lead // byte offset in code
	if start < 0 || start > len(code) {
		return code, ""
	}
	end := start + 1
	if (l.EndLine == 0 || l.EndLine == l.Line) && l.EndColumn > l.Column {
		end = l.EndColumn - 1 - lead
	}
	end = min(end, len(code))
	var b strings.Builder
	for i := 0; i < start; {
		r, size := utf8.DecodeRuneInString(code[i:])
		switch esc := termEscape(r, size, code[i]); {
		case r == '\t':
			b.WriteByte('\t')
		case esc != "":
			b.WriteString(strings.Repeat(" ", len(esc)))
		default:
			b.WriteByte(' ')
		}
		i += size
	}
	b.WriteString(strings.Repeat("^", max(1, utf8.RuneCountInString(code[start:end]))))
	return code, b.String()
}

// Summary returns a one-paragraph account of a run for people: findings by
// level, failures by stage, what was reviewed and what was left out,
// filtered or ignored. The CLI prints it after the findings.
func Summary(r *Report) string {
	var sentences []string

	var counts []string
	for _, l := range []Level{LevelError, LevelWarning, LevelNote, LevelNone} {
		n := 0
		for _, f := range r.Findings {
			if f.Level == l {
				n++
			}
		}
		if n > 0 {
			name := plural(n, l.String())
			if l == LevelNone {
				name = strconv.Itoa(n) + " without a level"
			}
			counts = append(counts, name)
		}
	}
	switch len(r.Findings) {
	case 0:
		sentences = append(sentences, "No findings.")
	default:
		sentences = append(sentences, fmt.Sprintf("%s (%s).", plural(len(r.Findings), "finding"), strings.Join(counts, ", ")))
	}

	if len(r.Failures) > 0 {
		byStage := map[string]int{}
		for _, fl := range r.Failures {
			byStage[cmp.Or(fl.Stage, "unknown stage")]++
		}
		var stages []string
		for _, s := range slices.Sorted(maps.Keys(byStage)) {
			stages = append(stages, fmt.Sprintf("%d %s", byStage[s], s))
		}
		sentences = append(sentences, fmt.Sprintf("%s (%s): the results are incomplete.",
			plural(len(r.Failures), "failure"), strings.Join(stages, ", ")))
	}

	if t := testsSummary(r); t != "" {
		sentences = append(sentences, t)
	}

	s := r.Stats
	var scope string
	switch {
	case s.Mode == "diff" && s.ChangedFiles > 0 && s.Packages == 0:
		// Deleted files, or files no package holds.
		scope = "Diff scan of " + plural(s.ChangedFiles, "changed file")
	case s.Mode == "diff" && s.ChangedFiles > 0:
		scope = fmt.Sprintf("Diff scan of %s in %s", plural(s.ChangedFiles, "changed file"), plural(s.Packages, "package"))
	case s.Mode == "diff":
		scope = "Diff scan of " + plural(s.Packages, "package")
	case s.Mode == "full":
		scope = "Full scan of " + plural(s.Packages, "package")
	default:
		scope = "Scan of " + plural(s.Packages, "package")
	}
	switch {
	case !s.ModelConfigured:
		scope += ": static checks only"
	case s.Reviewed == s.Regions:
		scope += fmt.Sprintf(": reviewed %s (%s)", plural(s.Regions, "region"), plural(s.Tokens, "token"))
	default:
		scope += fmt.Sprintf(": reviewed %d of %s (%s), %d not (see the failures)", s.Reviewed, plural(s.Regions, "region"), plural(s.Tokens, "token"), s.Regions-s.Reviewed)
	}
	if s.RegionsLeftOut > 0 {
		scope += fmt.Sprintf("; %s left out by the budget (--max-regions, --max-tokens)", plural(s.RegionsLeftOut, "region"))
	}
	sentences = append(sentences, scope+".")

	if s.Suppressed > 0 {
		sentences = append(sentences, fmt.Sprintf("%s suppressed by //secondlook:ignore.", plural(s.Suppressed, "finding")))
	}
	if s.Demoted > 0 {
		sentences = append(sentences, fmt.Sprintf("%s of rules under the precision gate kept as places to look, not reported (--all-rules shows them).", plural(s.Demoted, "static finding")))
	}
	if s.Baselined > 0 {
		sentences = append(sentences, fmt.Sprintf("%s in the baseline not shown.", plural(s.Baselined, "known finding")))
	}
	if s.FilteredFindings > 0 {
		sentences = append(sentences, fmt.Sprintf("%s outside the change not shown (see --diff-filter).", plural(s.FilteredFindings, "finding")))
	}
	if n := len(s.IgnoredChanges); n > 0 {
		const show = 5
		list := strings.Join(s.IgnoredChanges[:min(n, show)], ", ")
		if n > show {
			list += fmt.Sprintf(" and %d more", n-show)
		}
		sentences = append(sentences, "Ignored changes (no Go code to review): "+list+".")
	}
	return strings.Join(sentences, " ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Thousands(n) + " " + noun + "s"
}

// Thousands formats n with commas: 1234567 → "1,234,567".
func Thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return s
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// UsedRules returns the rules the findings of r name, one per ID, sorted by
// ID. Each comes from r.Rules if it is there, else from the catalogue; an ID
// known to neither gets a Rule with only its ID, so that writers can still
// refer to it.
func (r *Report) UsedRules() []Rule {
	seen := map[string]bool{}
	var rules []Rule
	for _, f := range r.Findings {
		if seen[f.RuleID] {
			continue
		}
		seen[f.RuleID] = true
		rules = append(rules, r.lookupRule(f.RuleID))
	}
	slices.SortFunc(rules, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return rules
}

func (r *Report) lookupRule(id string) Rule {
	for _, rule := range r.Rules {
		if rule.ID == id {
			return rule.clone()
		}
	}
	if rule, ok := RuleByID(id); ok && rule.ID == id {
		return rule
	}
	return Rule{ID: id}
}

func (r *Report) ruleMap() map[string]Rule {
	m := map[string]Rule{}
	for _, rule := range r.UsedRules() {
		m[rule.ID] = rule
	}
	return m
}

// jsonReport is the shape WriteJSON writes: the Report with the rules it
// uses. Field order here is output order.
type jsonReport struct {
	Tool     Tool       `json:"tool"`
	Category string     `json:"category,omitempty"`
	Findings []Finding  `json:"findings"`
	Failures []Failure  `json:"failures"`
	Rules    []jsonRule `json:"rules"`
	Stats    Stats      `json:"stats"`
	Tests    []TestRun  `json:"tests,omitempty"` // --run-tests
	// ReviewMap is the review map of a diff scan, riskiest first; absent
	// in a full scan.
	ReviewMap []MapEntry `json:"review_map,omitempty"`
}

type jsonRule struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Title string `json:"title"`
	Level Level  `json:"level"`
}

// WriteJSON writes r as indented JSON for tools, with a "rules" array of
// the rules its findings use. Findings, failures and rules are [] when
// empty, never null.
func WriteJSON(w io.Writer, r *Report) error {
	out := jsonReport{
		Tool:      r.Tool,
		Category:  r.Category,
		Findings:  r.Findings,
		Failures:  r.Failures,
		Rules:     []jsonRule{},
		Stats:     r.Stats,
		Tests:     r.Tests,
		ReviewMap: r.ReviewMap,
	}
	if out.Findings == nil {
		out.Findings = []Finding{}
	}
	if out.Failures == nil {
		out.Failures = []Failure{}
	}
	for _, rule := range r.UsedRules() {
		out.Rules = append(out.Rules, jsonRule{ID: rule.ID, Name: rule.Name, Kind: rule.Kind, Title: rule.Title, Level: rule.Level})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // messages quote code: keep <, > and & readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("encoding report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
