package findings

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Most false positives of model reviewers are claims that cite nothing a
// person can check. Verify keeps a claim only if its evidence is in the
// code: a known kind, a line the model was shown, and a quote of real code
// at (or within quoteSlack lines of) that line.

const (
	// quoteSlack is how far the quote may lie from the claimed line: models
	// count lines well but not perfectly.
	quoteSlack = 2
	// minQuoteChars is the fewest non-space characters a quote needs to be
	// evidence; "}" or "err" matches almost anywhere.
	minQuoteChars = 4
	// maxMessage is the length above which a message of several sentences
	// keeps only its first; the rest moves to the explanation.
	maxMessage = 200
)

// Verify checks a claim against the code: the kind is known, the claimed
// line lies inside the region, and the quote appears at the claimed line or
// within two lines of it, inside the region. The quote is compared ignoring
// all whitespace, so it may differ in indentation and may span lines. lines
// are the lines of c.File as the region was cut from it (lines[0] is line 1,
// line endings may be present).
//
// It returns the Finding, located where the quote actually matched, or the
// reason to drop the claim (and a zero Finding). Where the quote matches
// more than once near the claimed line, the match nearest to it wins.
//
// The finding's rule and level come from the catalogue, never from the
// model's text; its message is one line, and a long message of several
// sentences keeps only the first (which must stand alone), the rest going
// to the explanation.
func Verify(c Candidate, lines []string) (Finding, DropReason) {
	kind, ok := NormalizeKind(c.Kind)
	if !ok {
		return Finding{}, DropUnknownKind
	}
	rule, _ := RuleByID(kind)

	msg, rest := splitMessage(c.Message)
	if msg == "" {
		return Finding{}, DropNoMessage
	}
	if c.Line < c.RegionStart || c.Line > c.RegionEnd || c.Line < 1 {
		return Finding{}, DropOutsideRegion
	}
	quote := squeeze(c.Quote)
	if weakQuote(quote) {
		return Finding{}, DropNoQuote
	}
	m, ok := locate(quote, lines, c.RegionStart, c.RegionEnd, c.Line)
	if !ok {
		return Finding{}, DropQuoteNotFound
	}

	explanation := strings.TrimSpace(c.Explanation)
	if rest != "" {
		explanation = strings.TrimSpace(rest + " " + explanation)
	}
	source := "model"
	if c.Model != "" {
		source += ":" + c.Model
	}
	return Finding{
		RuleID:      rule.ID,
		Level:       rule.Level,
		Message:     msg,
		Explanation: explanation,
		Location: Location{
			File:      c.File,
			Line:      m.line,
			Column:    m.col,
			EndLine:   m.endLine,
			EndColumn: m.endCol,
			Snippet:   strings.TrimRight(lines[m.line-1], "\r\n"),
		},
		Function:   c.Function,
		Confidence: clamp01(c.Confidence),
		Votes:      1,
		Source:     source,
	}, ""
}

// NormalizeKind maps a kind as a model wrote it to a public kind id, as
// Kinds spells it: case, spaces and underscores are forgiven ("Goroutine
// Leak", "goroutine_leak"), and the ID of a model kind's own rule ("SL1002")
// is accepted. Static rule names are not kinds a model may claim.
func NormalizeKind(s string) (string, bool) {
	k := strings.Map(func(r rune) rune {
		if r == '_' || unicode.IsSpace(r) {
			return '-'
		}
		return unicode.ToLower(r)
	}, strings.TrimSpace(s))
	for strings.Contains(k, "--") {
		k = strings.ReplaceAll(k, "--", "-")
	}
	k = strings.Trim(k, "-")
	if _, ok := byKind[k]; ok {
		return k, true
	}
	if i, ok := byKey[k]; ok && catalogue[i].Analyzer == "" {
		return catalogue[i].Kind, true
	}
	return "", false
}

// splitMessage returns the message on one line, and, when it is long and
// has several sentences, its first sentence and the rest.
func splitMessage(s string) (first, rest string) {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= maxMessage {
		return s, ""
	}
	// A sentence ends at ". ", "! " or "? " before a capital letter, so that
	// "e.g. the" and "s.mu. Lock" in prose about code do not split it.
	for i := 0; i+2 < len(s); i++ {
		if (s[i] == '.' || s[i] == '!' || s[i] == '?') && s[i+1] == ' ' {
			if r, _ := utf8.DecodeRuneInString(s[i+2:]); unicode.IsUpper(r) {
				return s[:i+1], s[i+2:]
			}
		}
	}
	return s, ""
}

func clamp01(x float64) float64 {
	if math.IsNaN(x) || x < 0 {
		return 0
	}
	return min(x, 1)
}

// squeeze removes all whitespace.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// goKeywords are the words a quote needs more than: a quote made of them
// and punctuation alone ("return", "} else {", "default:") matches too many
// lines to be evidence.
var goKeywords = map[string]bool{
	"break": true, "case": true, "chan": true, "const": true, "continue": true,
	"default": true, "defer": true, "else": true, "fallthrough": true, "for": true,
	"func": true, "go": true, "goto": true, "if": true, "import": true,
	"interface": true, "map": true, "package": true, "range": true, "return": true,
	"select": true, "struct": true, "switch": true, "type": true, "var": true,
}

// Quotable reports whether a line of code is strong enough evidence to be
// a claim's quote: Verify drops claims whose quote is not.
func Quotable(code string) bool { return !weakQuote(squeeze(code)) }

// weakQuote reports whether a squeezed quote is too weak to be evidence.
func weakQuote(q string) bool {
	if utf8.RuneCountInString(q) < minQuoteChars {
		return true
	}
	// Whitespace is gone, so "} else if {" reads "}elseif{": a run of
	// letters is weak only if it is keywords joined together.
	content := false
	word := func(w string) {
		if w != "" && !onlyKeywords(w) {
			content = true
		}
	}
	start := -1
	for i, r := range q {
		isWord := r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case isWord && start < 0:
			start = i
		case !isWord && start >= 0:
			word(q[start:i])
			start = -1
		}
	}
	if start >= 0 {
		word(q[start:])
	}
	return !content
}

// onlyKeywords reports whether w is Go keywords joined together: "elseif"
// is, "returnerr" and "returnnil" are not.
func onlyKeywords(w string) bool {
	if w == "" {
		return true
	}
	for k := range goKeywords {
		if strings.HasPrefix(w, k) && onlyKeywords(w[len(k):]) {
			return true
		}
	}
	return false
}

// match is where a quote was found: 1-based lines and byte columns, the end
// column exclusive.
type match struct {
	line, col, endLine, endCol int
}

// locate finds the squeezed quote q in lines lo..hi (1-based, inclusive) and
// returns the match nearest to line, if one lies within quoteSlack of it.
// A match may span lines; its distance from line is zero when line falls
// inside it.
func locate(q string, lines []string, lo, hi, line int) (match, bool) {
	lo = max(lo, 1)
	hi = min(hi, len(lines))
	if q == "" || lo > hi {
		return match{}, false
	}
	// text is the region without whitespace; pos[i] is where byte i of text
	// sits in the source.
	type at struct{ line, col int }
	var text strings.Builder
	var pos []at
	for n := lo; n <= hi; n++ {
		l := lines[n-1]
		for col := 0; col < len(l); {
			r, size := utf8.DecodeRuneInString(l[col:])
			if unicode.IsSpace(r) {
				col += size
				continue
			}
			text.WriteString(l[col : col+size])
			for k := range size {
				pos = append(pos, at{n, col + k})
			}
			col += size
		}
	}
	s := text.String()
	best, bestDist := match{}, -1
	for from := 0; ; {
		i := strings.Index(s[from:], q)
		if i < 0 {
			break
		}
		i += from
		first, last := pos[i], pos[i+len(q)-1]
		dist := 0
		switch {
		case line < first.line:
			dist = first.line - line
		case line > last.line:
			dist = line - last.line
		}
		if dist <= quoteSlack && (bestDist < 0 || dist < bestDist) {
			best = match{first.line, first.col + 1, last.line, last.col + 2}
			bestDist = dist
		}
		from = i + 1
	}
	return best, bestDist >= 0
}
