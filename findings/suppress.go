package findings

import (
	"cmp"
	"fmt"
	"go/scanner"
	"go/token"
	"slices"
	"strings"
	"unicode"
)

// An inline suppression is a line comment
//
//	//secondlook:ignore ID[,ID...] reason
//
// at the end of the flagged line, or on a line of its own just above it
// (several such lines may be stacked). Each ID is a rule ID ("SL1002"), a
// rule name ("lock-copied") or a kind ("goroutine-leak"), in any case; a
// kind covers every rule of that kind, the model's and the static passes'.
// IDs are separated by commas, optionally followed by blanks. The reason is
// the rest of the comment. Like Go's own directives, the comment has no
// space after "//"; comments inside strings and /* */ comments are not
// suppressions.

// ignoreDirective starts a suppression comment.
const ignoreDirective = "//secondlook:ignore"

// suppressRuleID is the rule of a suppression comment that is itself wrong.
const suppressRuleID = "SL4201"

// Suppress applies inline suppressions to fs. kept are the findings no
// suppression names, in their order; suppressed are the others. bad holds
// one finding of rule SL4201 for each suppression comment, next to a
// finding, that gives no reason, names no rule or names a rule the
// catalogue does not know. A suppression without a reason still suppresses:
// the intent is plain, and the note asks for the reason. Comments that are
// next to no finding are not read, so a stale comment is not reported.
//
// lines returns the lines of a module-relative file (lines[0] is line 1;
// line ends may be present), or nil if it cannot be read; lines may be nil,
// and then nothing is suppressed. A finding's own line is Location.Line.
//
// Run it after Dedup, so that an SL4201 note on a flagged line is not merged
// into a logic finding there, and before ComputeFingerprints, so that the
// notes get fingerprints. The caller reports kept and bad together and
// counts suppressed (Stats.Suppressed).
func Suppress(fs []Finding, lines func(file string) []string) (kept, suppressed, bad []Finding) {
	type key struct {
		file string
		line int
	}
	files := map[string]fileDirectives{}
	examined := map[key]bool{}
	for _, f := range fs {
		file := f.Location.File
		ds, ok := files[file]
		if !ok {
			var src []string
			if lines != nil {
				src = lines(file)
			}
			ds = scanDirectives(src)
			files[file] = ds
		}
		hit := false
		for _, d := range ds.applying(f.Location.Line) {
			examined[key{file, d.line}] = true
			if f.RuleID != suppressRuleID && d.names(f.RuleID) {
				hit = true
			}
		}
		if hit {
			suppressed = append(suppressed, f)
		} else {
			kept = append(kept, f)
		}
	}

	keys := make([]key, 0, len(examined))
	for k := range examined {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.file, b.file), cmp.Compare(a.line, b.line))
	})
	rule, _ := RuleByID(suppressRuleID)
	for _, k := range keys {
		d := files[k.file].byLine[k.line]
		msg := d.problem()
		if msg == "" {
			continue
		}
		bad = append(bad, Finding{
			RuleID:  rule.ID,
			Level:   rule.Level,
			Message: msg,
			Location: Location{
				File:    k.file,
				Line:    d.line,
				Column:  d.col,
				Snippet: d.source,
			},
			Source: "static:suppress",
		})
	}
	return kept, suppressed, bad
}

// directive is one //secondlook:ignore comment.
type directive struct {
	line, col  int      // 1-based; col is the byte column of "//"
	standalone bool     // nothing but blanks before it on its line
	ids        []string // as written
	reason     string
	source     string // the whole line, for the snippet
}

type fileDirectives struct {
	byLine map[int]*directive
}

// applying returns the directives that apply to a finding on line: one on
// the line itself, then the stack of standalone ones right above it.
func (fd fileDirectives) applying(line int) []*directive {
	var ds []*directive
	if d := fd.byLine[line]; d != nil {
		ds = append(ds, d)
	}
	for l := line - 1; ; l-- {
		d := fd.byLine[l]
		if d == nil || !d.standalone {
			return ds
		}
		ds = append(ds, d)
	}
}

// names reports whether the directive names the rule ruleID.
func (d *directive) names(ruleID string) bool {
	target, ok := RuleByID(ruleID)
	if !ok || target.ID != ruleID {
		return false
	}
	for _, id := range d.ids {
		r, ok := RuleByID(id)
		if !ok {
			continue
		}
		if r.ID == target.ID || (strings.EqualFold(id, r.Kind) && r.Kind == target.Kind) {
			return true
		}
	}
	return false
}

// problem says what is wrong with the directive, or "" if nothing is.
func (d *directive) problem() string {
	var problems []string
	if len(d.ids) == 0 {
		problems = append(problems, "names no rule")
	}
	var unknown []string
	for _, id := range d.ids {
		if _, ok := RuleByID(id); !ok {
			unknown = append(unknown, fmt.Sprintf("%q", id))
		}
	}
	switch len(unknown) {
	case 0:
	case 1:
		problems = append(problems, "names the unknown rule "+unknown[0])
	default:
		problems = append(problems, "names the unknown rules "+strings.Join(unknown, ", "))
	}
	if d.reason == "" {
		problems = append(problems, "gives no reason")
	}
	if len(problems) == 0 {
		return ""
	}
	return "this suppression " + strings.Join(problems, " and ") +
		`: write //secondlook:ignore, a rule ID, name or kind from "secondlook rules", then why the finding does not apply`
}

// scanDirectives finds the suppression comments of a Go file. It uses
// go/scanner, so that text inside string literals and /* */ comments is
// not taken for a directive; a file that does not scan cleanly still gives
// the comments the scanner found.
func scanDirectives(lines []string) fileDirectives {
	fd := fileDirectives{byLine: map[int]*directive{}}
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, ignoreDirective) }) {
		return fd
	}
	src := []byte(strings.Join(lines, "\n"))
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(src))
	var s scanner.Scanner
	s.Init(file, src, nil, scanner.ScanComments)
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok != token.COMMENT || !strings.HasPrefix(lit, ignoreDirective) {
			continue
		}
		rest := lit[len(ignoreDirective):]
		if rest != "" && rest[0] != ' ' && rest[0] != '\t' && rest[0] != '\r' {
			continue // "//secondlook:ignored", another word
		}
		p := fset.Position(pos)
		line := lines[p.Line-1]
		d := &directive{
			line:       p.Line,
			col:        p.Column,
			standalone: strings.TrimSpace(line[:p.Column-1]) == "",
			source:     strings.TrimRight(line, "\r\n"),
		}
		d.ids, d.reason = parseDirective(rest)
		fd.byLine[p.Line] = d
	}
	return fd
}

// parseDirective splits the text after "//secondlook:ignore" into IDs and
// the reason. IDs are separated by commas; a comma may be followed by
// blanks ("SL1002, SL1005 reason").
func parseDirective(text string) (ids []string, reason string) {
	rest := strings.TrimSpace(text)
	for rest != "" {
		word := rest
		if i := strings.IndexFunc(rest, unicode.IsSpace); i >= 0 {
			word = rest[:i]
		}
		rest = strings.TrimSpace(rest[len(word):])
		for id := range strings.SplitSeq(word, ",") {
			if id != "" {
				ids = append(ids, id)
			}
		}
		if !strings.HasSuffix(word, ",") {
			break
		}
	}
	return ids, rest
}
