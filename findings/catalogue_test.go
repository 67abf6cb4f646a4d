package findings_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/findings"
)

// analyzers are the x/tools passes secondlook runs: the vet set and a few
// more. Each must have exactly one rule.
var analyzers = analyzer.StaticAnalyzers()

var wantKinds = []string{
	"deadlock", "goroutine-leak", "data-race", "waitgroup-misuse", "channel-misuse", "context-misuse", "loop-variable-capture",
	"nil-dereference", "out-of-bounds", "panic",
	"unchecked-error", "error-handling", "resource-leak",
	"off-by-one", "integer-overflow", "logic-error",
	"injection", "path-traversal", "insecure-crypto",
}

var (
	idRE    = regexp.MustCompile(`^SL([1-5])([012])(\d\d)$`)
	kebabRE = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
)

var familyDigit = map[findings.Family]string{
	findings.FamilyConcurrency: "1",
	findings.FamilyPanic:       "2",
	findings.FamilyErrors:      "3",
	findings.FamilyLogic:       "4",
	findings.FamilySecurity:    "5",
}

func TestCatalogueWellFormed(t *testing.T) {
	rules := findings.Rules()
	own := 0   // x2yy: secondlook's own checks, whose analyzer is "secondlook/<check>" or "<pass>/<category>"
	split := 0 // x1yy rules for one kind of an x/tools pass's diagnostics: "nilness/condition"
	for _, r := range rules {
		m := idRE.FindStringSubmatch(r.ID)
		switch {
		case m != nil && m[2] == "2":
			own++
		case m != nil && m[2] == "1" && strings.Contains(r.Analyzer, "/"):
			split++
		}
	}
	if len(rules) != len(wantKinds)+len(analyzers)+own+split {
		t.Errorf("catalogue has %d rules, want %d kinds + %d analyzers + %d split + %d of our own", len(rules), len(wantKinds), len(analyzers), split, own)
	}
	if !slices.IsSortedFunc(rules, func(a, b findings.Rule) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("Rules() is not sorted by ID")
	}
	ids := map[string]bool{}
	names := map[string]bool{}
	for _, r := range rules {
		m := idRE.FindStringSubmatch(r.ID)
		if m == nil {
			t.Errorf("%s: malformed ID", r.ID)
			continue
		}
		if ids[r.ID] {
			t.Errorf("%s: duplicate ID", r.ID)
		}
		ids[r.ID] = true
		if names[r.Name] {
			t.Errorf("%s: duplicate name %q", r.ID, r.Name)
		}
		names[r.Name] = true
		if !kebabRE.MatchString(r.Name) {
			t.Errorf("%s: name %q is not kebab-case", r.ID, r.Name)
		}
		if familyDigit[r.Family] != m[1] {
			t.Errorf("%s: family %q does not match the ID's first digit", r.ID, r.Family)
		}
		if fam, ok := findings.KindFamily(r.Kind); !ok || fam != r.Family {
			t.Errorf("%s: kind %q has family %q (known %v), rule has %q", r.ID, r.Kind, fam, ok, r.Family)
		}
		static, own := m[2] == "1", m[2] == "2"
		if !own && static != (r.Analyzer != "") {
			t.Errorf("%s: x1yy IDs are for analyzers and only they; Analyzer = %q", r.ID, r.Analyzer)
		}
		if own {
			// secondlook's own checks: an analyzer of ours, no outside documentation.
			if !strings.Contains(r.Analyzer, "/") || r.URL != "" || r.Name == r.Kind {
				t.Errorf("%s: x2yy rules need an analyzer \"<pass>/<check>\", no URL and a name of their own; have %q, %q, %q", r.ID, r.Analyzer, r.URL, r.Name)
			}
		} else if static {
			if r.Name == r.Kind {
				t.Errorf("%s: a static rule's name must differ from its kind %q", r.ID, r.Kind)
			}
			if !strings.HasPrefix(r.URL, "https://pkg.go.dev/golang.org/x/tools/") {
				t.Errorf("%s: URL %q is not the pass's page", r.ID, r.URL)
			}
		} else {
			if r.Name != r.Kind {
				t.Errorf("%s: a model kind's name %q must equal its kind %q", r.ID, r.Name, r.Kind)
			}
			if r.URL != "" {
				t.Errorf("%s: model kinds have no outside documentation, URL = %q", r.ID, r.URL)
			}
			if def := findings.KindDefinition(r.Kind); def == "" || strings.Contains(def, "\n") || strings.HasSuffix(def, ".") {
				t.Errorf("%s: KindDefinition(%q) = %q, want one line without a final period", r.ID, r.Kind, def)
			}
		}

		if r.Title == "" || strings.HasSuffix(r.Title, ".") || strings.Contains(r.Title, "\n") {
			t.Errorf("%s: title %q must be one line without a final period", r.ID, r.Title)
		}
		if r.Title != "" && strings.ToUpper(r.Title[:1]) != r.Title[:1] && !startsWithIdent(r.Title) {
			t.Errorf("%s: title %q is not in sentence case", r.ID, r.Title)
		}
		if r.Level < findings.LevelNote || r.Level > findings.LevelError {
			t.Errorf("%s: level %v", r.ID, r.Level)
		}
		switch r.Precision {
		case findings.PrecisionHigh, findings.PrecisionMedium, findings.PrecisionLow:
		default:
			t.Errorf("%s: precision %q", r.ID, r.Precision)
		}
		if n := sentences(r.Help); n < 2 || n > 5 {
			t.Errorf("%s: help has %d sentences, want 2 to 5: %q", r.ID, n, r.Help)
		}
		if !strings.HasPrefix(r.Markdown, r.Help+"\n\nBad:\n\n```go\n") || !strings.Contains(r.Markdown, "\n```\n\nGood:\n\n```go\n") {
			t.Errorf("%s: markdown is not the help followed by Bad: and Good: examples:\n%s", r.ID, r.Markdown)
		}
		if strings.Count(r.Markdown, "```") != 4 {
			t.Errorf("%s: markdown has unbalanced code fences", r.ID)
		}
		if len(r.Tags) == 0 || r.Tags[0] != string(r.Family) {
			t.Errorf("%s: tags %q must start with the family", r.ID, r.Tags)
		}
		if distinct := slices.Compact(slices.Sorted(slices.Values(r.Tags))); len(distinct) != len(r.Tags) {
			t.Errorf("%s: tags %q are not distinct; SARIF requires unique tags", r.ID, r.Tags)
		}
		if len(r.Tags) > 10 {
			t.Errorf("%s: GitHub keeps only 10 tags per rule, have %d", r.ID, len(r.Tags))
		}
		security := r.Family == findings.FamilySecurity
		if security != slices.Contains(r.Tags, "security") {
			t.Errorf("%s: tags %q: the security tag belongs on security rules and only there", r.ID, r.Tags)
		}
		if security != (r.SecuritySeverity != "") {
			t.Errorf("%s: security-severity %q: set for security rules and only them", r.ID, r.SecuritySeverity)
		}
		if r.SecuritySeverity != "" && !regexp.MustCompile(`^(10\.0|\d\.\d)$`).MatchString(r.SecuritySeverity) {
			t.Errorf("%s: security-severity %q is not a score from 0.0 to 10.0", r.ID, r.SecuritySeverity)
		}
	}
}

// startsWithIdent reports whether a title starts with a Go identifier such
// as "errors.As" or "t.Fatal", which keeps its own case.
func startsWithIdent(title string) bool {
	word, _, _ := strings.Cut(title, " ")
	return strings.ContainsAny(word, ".()")
}

// sentences counts sentence ends: a period, question or exclamation mark
// followed by a space or the end of the text.
func sentences(text string) int {
	n := 0
	for i := 0; i < len(text); i++ {
		if strings.IndexByte(".?!", text[i]) >= 0 && (i+1 == len(text) || text[i+1] == ' ') {
			n++
		}
	}
	return n
}

func TestKinds(t *testing.T) {
	if got := findings.Kinds(); !slices.Equal(got, wantKinds) {
		t.Errorf("Kinds() = %q\nwant %q", got, wantKinds)
	}
	for _, k := range wantKinds {
		r, ok := findings.RuleByID(k)
		if !ok || r.Kind != k || r.Name != k || r.Analyzer != "" {
			t.Errorf("RuleByID(%q) = %s %q %q, %v; want the kind's own rule", k, r.ID, r.Name, r.Analyzer, ok)
		}
	}
	if _, ok := findings.KindFamily("lock-copied"); ok {
		t.Error("KindFamily accepts a static rule's name")
	}
	if def := findings.KindDefinition("no-such-kind"); def != "" {
		t.Errorf("KindDefinition(unknown) = %q", def)
	}
	if got := findings.KindDefinition("goroutine-leak"); got != "a goroutine blocks forever on a channel, lock or wait whose partner may have returned or given up" {
		t.Errorf("KindDefinition(goroutine-leak) = %q", got)
	}
}

func TestAnalyzersHaveOneRule(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range analyzers {
		seen[a.Name] = true
		r, ok := findings.RuleForAnalyzer(a.Name)
		if !ok {
			t.Errorf("analyzer %q has no rule", a.Name)
			continue
		}
		if r.Analyzer != a.Name {
			t.Errorf("RuleForAnalyzer(%q) returned %s for %q", a.Name, r.ID, r.Analyzer)
		}
		if r.URL != a.URL {
			t.Errorf("%s: URL %q, analyzer %q says %q", r.ID, r.URL, a.Name, a.URL)
		}
		n := 0
		for _, r := range findings.Rules() {
			if r.Analyzer == a.Name {
				n++
			}
		}
		if n != 1 {
			t.Errorf("analyzer %q has %d rules, want 1", a.Name, n)
		}
	}
	for _, r := range findings.Rules() {
		if r.Analyzer != "" && !seen[r.Analyzer] && !strings.Contains(r.Analyzer, "/") {
			t.Errorf("%s names analyzer %q, which is not in the list secondlook runs", r.ID, r.Analyzer)
		}
	}
	if _, ok := findings.RuleForAnalyzer("Nilness"); ok {
		t.Error("RuleForAnalyzer must match the analyzer name exactly")
	}
}

func TestRuleByID(t *testing.T) {
	for _, tc := range []struct{ key, want string }{
		{"SL1002", "SL1002"},
		{"sl1002", "SL1002"},
		{"goroutine-leak", "SL1002"},
		{"Goroutine-Leak", "SL1002"},
		{"lock-copied", "SL1102"},
		{"LOCK-COPIED", "SL1102"},
		{"data-race", "SL1003"}, // the kind's own rule, not copylocks
		{"nil-value-used", "SL2104"},
		{"SL5001", "SL5001"},
	} {
		r, ok := findings.RuleByID(tc.key)
		if !ok || r.ID != tc.want {
			t.Errorf("RuleByID(%q) = %q, %v; want %q", tc.key, r.ID, ok, tc.want)
		}
	}
	for _, key := range []string{"", "SL9999", "nilness", "static:nilness"} {
		if r, ok := findings.RuleByID(key); ok {
			t.Errorf("RuleByID(%q) = %s, want not found", key, r.ID)
		}
	}
}

func TestRulesAreCopies(t *testing.T) {
	rules := findings.Rules()
	rules[0].Tags[0] = "changed"
	rules[0].Title = "changed"
	r, _ := findings.RuleByID(rules[0].ID)
	if r.Tags[0] == "changed" || r.Title == "changed" {
		t.Error("modifying the result of Rules() changed the catalogue")
	}
	r.Tags[0] = "changed"
	if again, _ := findings.RuleByID(r.ID); again.Tags[0] == "changed" {
		t.Error("modifying the result of RuleByID changed the catalogue")
	}
}

func TestSecuritySeverities(t *testing.T) {
	for id, want := range map[string]string{"injection": "8.8", "path-traversal": "7.5", "insecure-crypto": "6.5"} {
		if r, _ := findings.RuleByID(id); r.SecuritySeverity != want {
			t.Errorf("%s: security-severity %q, want %q", id, r.SecuritySeverity, want)
		}
	}
}

// TestPrecisionNote: every rule words its precision for a reader deciding
// whether to act, and none calls itself certain.
func TestPrecisionNote(t *testing.T) {
	for _, r := range findings.Rules() {
		n := r.PrecisionNote()
		if n == "" || strings.Contains(n, "unknown") || strings.Contains(n, "certain") {
			t.Errorf("%s: precision note %q", r.ID, n)
		}
	}
}

// TestDetectorDocs holds that the catalogue is the one source of a
// detector's rule docs: the pass's Doc is a title and one line per category
// ("name: one sentence."), in the order of its Categories, and every rule
// that names a pass of ours has its category there.
func TestDetectorDocs(t *testing.T) {
	cats := analyzer.DetectorCategories()
	docs := map[string]map[string]bool{} // pass -> categories its Doc lists
	for _, a := range analyzer.DetectorAnalyzers() {
		lines := strings.Split(a.Doc, "\n")
		if len(lines) < 3 || lines[0] == "" || lines[1] != "" {
			t.Errorf("%s: Doc is not a title, a blank line and a line per category:\n%s", a.Name, a.Doc)
			continue
		}
		docs[a.Name] = map[string]bool{}
		var listed []string
		for _, line := range lines[2:] {
			name, text, ok := strings.Cut(line, ": ")
			if !ok || !kebabRE.MatchString(name) || sentences(text) != 1 || !strings.HasSuffix(text, ".") {
				t.Errorf("%s: Doc line %q is not \"category: one sentence.\"", a.Name, line)
				continue
			}
			listed = append(listed, name)
			docs[a.Name][name] = true
		}
		if !slices.Equal(listed, cats[a.Name]) {
			t.Errorf("%s: Doc lists %q, Categories are %q", a.Name, listed, cats[a.Name])
		}
	}
	static := map[string]bool{}
	for _, a := range analyzers {
		static[a.Name] = true
	}
	for _, r := range findings.Rules() {
		pass, cat, ok := strings.Cut(r.Analyzer, "/")
		if !ok {
			continue
		}
		switch {
		case docs[pass] != nil:
			if !docs[pass][cat] {
				t.Errorf("%s: rule for %s, which the pass's Doc does not list", r.ID, r.Analyzer)
			}
		case static[pass], pass == "secondlook", pass == "runtests":
			// a split of an x/tools pass's diagnostics, or a check outside the passes
		default:
			t.Errorf("%s: analyzer %q names no pass secondlook runs", r.ID, r.Analyzer)
		}
	}
}
