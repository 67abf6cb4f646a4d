package findings

import (
	"fmt"
	"strings"
)

// Family groups rules (and kinds) for deduplication and scoring: two claims
// about the same lines in the same family are the same bug.
type Family string

const (
	FamilyConcurrency Family = "concurrency"
	FamilyPanic       Family = "panic"
	FamilyErrors      Family = "errors"
	FamilyLogic       Family = "logic"
	FamilySecurity    Family = "security"
)

// Precision is how often a rule's findings are real bugs, as measured or
// judged; writers and --fail-on may use it.
type Precision string

const (
	PrecisionHigh   Precision = "high"
	PrecisionMedium Precision = "medium"
	PrecisionLow    Precision = "low"
)

// Rule is one entry of the catalogue. The same entry feeds `secondlook
// rules`, `secondlook explain`, SARIF rules[] and the README's rule table.
type Rule struct {
	ID        string    // stable, e.g. "SL1002"
	Kind      string    // the public kind id a model names, e.g. "goroutine-leak"; static rules carry the nearest kind
	Name      string    // kebab-case name, unique; equals Kind for the model kinds' own rules
	Title     string    // one line, sentence case, no period
	Family    Family    // concurrency, panic, errors, logic, security
	Level     Level     // default level
	Precision Precision // high, medium, low
	Help      string    // plain text: what it is, why it is a bug, how to fix it
	Markdown  string    // Help with a short bad/good Go example, for SARIF help.markdown
	Tags      []string  // family first; "security" for security rules
	// SecuritySeverity is the CVSS-like score GitHub reads from
	// properties["security-severity"] ("" for non-security rules).
	SecuritySeverity string
	// Analyzer names the go/analysis pass that reports this rule, for static
	// rules ("" for model kinds).
	Analyzer string
	// URL is documentation kept outside this project, if any: the pass's
	// page on pkg.go.dev for static rules, "" for model kinds. SARIF writes
	// it as helpUri, which must point at a real page or be left out.
	URL string
}

// LookupRule finds a rule by what a person names it with: its id (SL1002,
// any case), its name, the kind of bug it reports (goroutine-leak), or the
// pass that reports it (nilness).
func LookupRule(key string) (Rule, bool) {
	if r, ok := RuleByID(key); ok {
		return r, true
	}
	return RuleForAnalyzer(key)
}

// Explain is a rule's help as `secondlook explain` prints it (and MCP's
// explain returns for clients that show text): title, kind, family, level,
// precision, the pass, then the Markdown help.
func Explain(r Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s\n\n", r.ID, r.Name, r.Title)
	fmt.Fprintf(&b, "kind: %s    family: %s    level: %s\n", r.Kind, r.Family, r.Level)
	fmt.Fprintf(&b, "precision: %s\n", r.PrecisionNote())
	if r.Analyzer != "" {
		fmt.Fprintf(&b, "reported by: %s\n", r.Analyzer)
	}
	if r.SecuritySeverity != "" {
		fmt.Fprintf(&b, "security severity: %s\n", r.SecuritySeverity)
	}
	fmt.Fprintf(&b, "\n%s\n", r.Markdown)
	return b.String()
}
