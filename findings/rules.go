package findings

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

// PrecisionNote says in a few words how far a finding of the rule can be
// trusted, for a reader deciding whether to act on it (an agent told to
// verify before changing code). Today it words the judged Precision; a
// measured figure, once the catalogue carries one, belongs here too.
func (r Rule) PrecisionNote() string {
	switch r.Precision {
	case PrecisionHigh:
		return "high precision (judged): most findings are real bugs, some are deliberate code"
	case PrecisionMedium:
		return "medium precision (judged): often right, often not"
	case PrecisionLow:
		return "low precision (judged): as often wrong as right"
	}
	return "precision unknown"
}

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
