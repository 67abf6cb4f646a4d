package findings

import (
	"fmt"
	"slices"
	"strings"
)

// The catalogue is fixed: a rule's ID, Name and Kind are public and never
// change meaning once released. IDs are "SL" and four digits. The first digit
// is the family (1 concurrency, 2 panic, 3 errors and resources, 4 logic,
// 5 security); x0yy are the model kinds' own rules and x1yy the rules for the
// golang.org/x/tools analyzers that secondlook runs. A retired rule keeps its
// ID reserved; new rules take the next free number in their block.

// Rules returns the catalogue sorted by ID. The slice and the rules' Tags are
// copies: callers may modify them.
func Rules() []Rule {
	rules := make([]Rule, len(catalogue))
	for i, r := range catalogue {
		rules[i] = r.clone()
	}
	return rules
}

// RuleByID returns the rule whose ID ("SL1002"), Name ("lock-copied") or
// Kind ("goroutine-leak") is key, ignoring case. A kind names the model
// kind's own rule, never a static rule that shares the kind.
func RuleByID(key string) (Rule, bool) {
	i, ok := byKey[strings.ToLower(strings.TrimSpace(key))]
	if !ok {
		return Rule{}, false
	}
	return catalogue[i].clone(), true
}

// RuleForAnalyzer returns the rule for the go/analysis pass with the given
// Name, exactly as x/tools spells it ("copylocks", "nilness").
func RuleForAnalyzer(analyzer string) (Rule, bool) {
	i, ok := byAnalyzer[analyzer]
	if !ok {
		return Rule{}, false
	}
	return catalogue[i].clone(), true
}

// RuleForDiagnostic returns the rule a diagnostic of a go/analysis pass
// reports under: the pass's rule for its category (secondlook's detectors
// name their rule in the category), else the pass's one rule.
func RuleForDiagnostic(analyzer, category, message string) (Rule, bool) {
	if analyzer == "nilness" && (strings.HasPrefix(message, "impossible condition") || strings.HasPrefix(message, "tautological condition")) {
		// nilness reports two bugs: a certain nil dereference, and a nil
		// check decided in advance (most often the wrong err tested).
		category = "condition"
	}
	if r, ok := RuleForAnalyzer(analyzer + "/" + category); ok {
		return r, true
	}
	return RuleForAnalyzer(analyzer)
}

// Kinds returns the public kind ids a model may name, in catalogue order.
func Kinds() []string {
	var kinds []string
	for _, r := range catalogue {
		if r.Analyzer == "" {
			kinds = append(kinds, r.Kind)
		}
	}
	return kinds
}

// KindFamily returns the family of a public kind id. The id must be spelled
// exactly as Kinds returns it.
func KindFamily(kind string) (Family, bool) {
	i, ok := byKind[kind]
	if !ok {
		return "", false
	}
	return catalogue[i].Family, true
}

// KindDefinition returns a one-line definition of a public kind, phrased so
// that a model can check it against the code it is shown, or "" for an
// unknown kind. Prompts list these lines; keep them short and concrete.
func KindDefinition(kind string) string {
	return definitions[kind]
}

func (r Rule) clone() Rule {
	r.Tags = slices.Clone(r.Tags)
	return r
}

// familyByDigit maps the first digit of a rule ID to its family.
var familyByDigit = map[byte]Family{
	'1': FamilyConcurrency,
	'2': FamilyPanic,
	'3': FamilyErrors,
	'4': FamilyLogic,
	'5': FamilySecurity,
}

var (
	catalogue   []Rule            // sorted by ID
	definitions map[string]string // kind -> one-line definition
	byKey       map[string]int    // lower-case ID, Name and Kind -> index
	byAnalyzer  map[string]int    // analyzer Name -> index
	byKind      map[string]int    // kind -> index of the kind's own rule
)

func init() {
	catalogue, definitions = build(slices.Concat(specs, detectorSpecs, executionSpecs, metaSpecs))
	byKey = make(map[string]int)
	byAnalyzer = make(map[string]int)
	byKind = make(map[string]int)
	for i, r := range catalogue {
		if r.Analyzer == "" {
			byKind[r.Kind] = i
		} else {
			byAnalyzer[r.Analyzer] = i
		}
		byKey[strings.ToLower(r.ID)] = i
		byKey[strings.ToLower(r.Name)] = i
	}
}

// spec is how a rule is written down; build derives the rest (family, name
// of model kinds, tags, markdown) so that the entries cannot disagree.
type spec struct {
	id, kind  string
	name      string // static rules only; a model kind's name is its kind
	analyzer  string // static rules only
	url       string // static rules only
	title     string
	level     Level
	precision Precision
	def       string // model kinds only: KindDefinition
	help      string
	bad, good string // Go examples for the markdown help
	severity  string // security rules only: security-severity
	cwe       []string
}

func build(specs []spec) ([]Rule, map[string]string) {
	rules := make([]Rule, 0, len(specs))
	defs := make(map[string]string)
	for _, s := range specs {
		family := familyByDigit[s.id[2]]
		name := s.name
		if s.analyzer == "" {
			name = s.kind
			defs[s.kind] = s.def
		}
		// Family first; GitHub wants tags distinct, and a kind may share
		// its family's name ("panic").
		tags := []string{string(family)}
		add := func(tag string) {
			if !slices.Contains(tags, tag) {
				tags = append(tags, tag)
			}
		}
		add(s.kind)
		if s.analyzer != "" {
			add("static")
		}
		if family == FamilySecurity {
			add("security") // GitHub reads security-severity only with this tag
		}
		for _, cwe := range s.cwe {
			add("external/cwe/" + strings.ToLower(cwe))
		}
		rules = append(rules, Rule{
			ID:               s.id,
			Kind:             s.kind,
			Name:             name,
			Title:            s.title,
			Family:           family,
			Level:            s.level,
			Precision:        s.precision,
			Help:             s.help,
			Markdown:         markdown(s.help, s.bad, s.good),
			Tags:             tags,
			SecuritySeverity: s.severity,
			Analyzer:         s.analyzer,
			URL:              s.url,
		})
	}
	slices.SortFunc(rules, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return rules, defs
}

func markdown(help, bad, good string) string {
	return fmt.Sprintf("%s\n\nBad:\n\n```go\n%s\n```\n\nGood:\n\n```go\n%s\n```\n", help, bad, good)
}

// passURL is the documentation page of an x/tools pass, as its Analyzer.URL
// spells it; dir is the pass's directory, which is not always its Name.
func passURL(dir string) string {
	return "https://pkg.go.dev/golang.org/x/tools/go/analysis/passes/" + dir
}
