// Package findings holds what secondlook reports: the rule catalogue (the
// one source of rule docs), the Finding, Failure and Report types, the
// checks a model's claim must pass (Verify, Confirm), the end of the flow
// (Dedup, suppressions, fingerprints, baselines), the review map, and the
// writers for people and machines: text, JSON, markdown, the one-line
// summaries (Summary, RiskSummary, ModelSummary), a Failure's one text
// (Failure.Text) and a run's cost (Prices). SARIF is findings/sarif.
//
// It is the leaf of the project: it imports nothing of ours, so every stage
// (the static pass, the model review, the benchmark) can produce Findings and
// every writer can consume them. Positions here are plain data — a
// module-relative slash-separated path and 1-based lines and columns — never
// token.Pos.
//
// A Finding is the only thing a writer sees. Writers are pure functions of a
// Report: the same Report gives the same bytes.
package findings

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Level is how serious a finding is, in SARIF's terms.
type Level int

const (
	LevelNone Level = iota
	LevelNote
	LevelWarning
	LevelError
)

// String returns the SARIF spelling of the level.
func (l Level) String() string {
	switch l {
	case LevelNote:
		return "note"
	case LevelWarning:
		return "warning"
	case LevelError:
		return "error"
	}
	return "none"
}

// ParseLevel parses a level as SARIF spells it ("error", "warning", "note",
// "none").
func ParseLevel(s string) (Level, bool) {
	switch strings.ToLower(s) {
	case "error":
		return LevelError, true
	case "warning":
		return LevelWarning, true
	case "note":
		return LevelNote, true
	case "none":
		return LevelNone, true
	}
	return LevelNone, false
}

// MarshalText implements encoding.TextMarshaler.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler, so that reports read
// back (eval compare) keep their levels.
func (l *Level) UnmarshalText(b []byte) error {
	v, ok := ParseLevel(string(b))
	if !ok {
		return fmt.Errorf("unknown level %q", b)
	}
	*l = v
	return nil
}

// Location is a span of lines (and optionally columns) in a file.
type Location struct {
	File      string `json:"file"`                 // module-relative, slash-separated
	Line      int    `json:"line"`                 // 1-based
	Column    int    `json:"column,omitempty"`     // 1-based byte column, 0 if unknown
	EndLine   int    `json:"end_line,omitempty"`   // 0 means Line
	EndColumn int    `json:"end_column,omitempty"` // exclusive, 0 if unknown
	Snippet   string `json:"snippet,omitempty"`    // the source text of Line (trimmed); for display
	Message   string `json:"message,omitempty"`    // why this location matters (related locations)
}

// Last returns the last line of the location.
func (l Location) Last() int { return max(l.Line, l.EndLine) }

// Finding is a verified report of a likely bug.
type Finding struct {
	RuleID      string     `json:"rule"`
	Level       Level      `json:"level"`
	Message     string     `json:"message"`
	Explanation string     `json:"explanation,omitempty"` // the path that triggers the bug and the fix (model findings)
	Location    Location   `json:"location"`
	Function    string     `json:"function,omitempty"`    // enclosing function as Go prints it, e.g. (*Server).Handle
	Related     []Location `json:"related,omitempty"`     // evidence
	Fingerprint string     `json:"fingerprint,omitempty"` // ours: survives lines inserted above (rule, file, function, normalized quote)
	LineHash    string     `json:"line_hash,omitempty"`   // GitHub's primaryLocationLineHash, as codeql-action computes it
	Confidence  float64    `json:"confidence,omitempty"`
	Votes       int        `json:"votes,omitempty"`
	Source      string     `json:"source"`            // the best evidence: "static:<pass>", "model:<name>", SourceRaceDetector or SourceLeakProfile
	Sources     []string   `json:"sources,omitempty"` // every source that reported it, when more than one

	// Confirmed, on a model or static claim, names the execution that
	// showed it (scan --run-tests): the source and its note. See Confirm.
	Confirmed string `json:"confirmed,omitempty"`

	// BaselineState is "new" or "unchanged" when the run was compared with
	// a baseline (see Baseline), "" otherwise; SARIF's baselineState.
	BaselineState string `json:"baseline_state,omitempty"`
}

// Failure is a unit of work that did not complete: a package that did not
// load, a pass that failed, a region the model did not answer. Failures are
// reported, never dropped.
type Failure struct {
	Stage   string `json:"stage"` // "load", "analyze", "review", ...
	Package string `json:"package,omitempty"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// Tool describes the producer of a report.
type Tool struct {
	Name           string `json:"name"`
	Version        string `json:"version"`
	InformationURI string `json:"information_uri,omitempty"`
}

// Stats summarizes a run.
type Stats struct {
	Mode             string   `json:"mode"` // "diff" or "full"
	Packages         int      `json:"packages"`
	PackagesCached   int      `json:"-"` // of Packages, restored from the analysis cache: for -v, kept out of reports, which a cache must not change
	Files            int      `json:"files"`
	Regions          int      `json:"regions"`          // regions selected for review
	RegionsLeftOut   int      `json:"regions_left_out"` // cut by --max-regions / --max-tokens
	Tokens           int      `json:"tokens"`           // tokens of the selected regions
	ChangedFiles     int      `json:"changed_files,omitempty"`
	IgnoredChanges   []string `json:"ignored_changes,omitempty"`   // changed files that add no regions (go.mod, non-Go files, ...)
	FilteredFindings int      `json:"filtered_findings,omitempty"` // findings outside the change (diff mode)
	Suppressed       int      `json:"suppressed,omitempty"`        // findings hidden by //secondlook:ignore comments
	Baselined        int      `json:"baselined,omitempty"`         // findings left out because the baseline holds them
	Demoted          int      `json:"demoted,omitempty"`           // static findings of rules under the precision gate, kept as risk signals
	ModelConfigured  bool     `json:"model_configured"`

	// The model review; zero without a model.
	Model            string         `json:"model,omitempty"`
	Requests         int            `json:"requests,omitempty"`      // HTTP requests sent
	CacheHits        int            `json:"cache_hits,omitempty"`    // answers taken from the cache
	PromptTokens     int            `json:"prompt_tokens,omitempty"` // sent, as the server counted them
	CompletionTokens int            `json:"completion_tokens,omitempty"`
	CostUSD          float64        `json:"cost_usd,omitempty"`   // with --price-in/--price-out
	Redactions       int            `json:"redactions,omitempty"` // secrets replaced before sending
	Claims           int            `json:"claims,omitempty"`     // claims the model made
	Dropped          map[string]int `json:"dropped,omitempty"`    // claims that failed the check against the code, by reason
	Refuted          int            `json:"refuted,omitempty"`    // claims the skeptic pass (--verify) refuted
	Reviewed         int            `json:"reviewed,omitempty"`   // selected regions the model (or the cache) answered; the others are Failures

	// Evidence by execution (--run-tests); zero without it.
	ExecutionClaims      int `json:"execution_claims,omitempty"`       // data-race and goroutine-leak claims of the model and the static pass
	ConfirmedByExecution int `json:"confirmed_by_execution,omitempty"` // of those, the ones a race or leak report landed in

	// CallersPartial, when set, says why the review map's caller counts
	// miss some callers (importing packages not loaded).
	CallersPartial string `json:"callers_partial,omitempty"`
}

// Report is the result of a run: what every writer consumes.
type Report struct {
	Tool     Tool      `json:"tool"`
	Category string    `json:"category,omitempty"` // SARIF runAutomationDetails.id
	Findings []Finding `json:"findings"`
	Failures []Failure `json:"failures"`
	Rules    []Rule    `json:"-"` // the rules the findings use, by ID
	// Tests are the packages whose own tests ran (--run-tests), in
	// package order; nil without it.
	Tests []TestRun `json:"tests,omitempty"`
	Stats Stats     `json:"stats"`

	// ReviewMap is, in a diff scan, every changed function riskiest first
	// (SortReviewMap), with its blast radius; nil in a full scan.
	ReviewMap []MapEntry `json:"review_map,omitempty"`
}

// Sort orders findings by file, line, column, rule and message, and failures
// by stage, package and message, so that output never depends on timing.
func (r *Report) Sort() {
	slices.SortStableFunc(r.Findings, compareFindings)
	slices.SortStableFunc(r.Failures, func(a, b Failure) int {
		return cmp.Or(
			cmp.Compare(a.Stage, b.Stage),
			cmp.Compare(a.Package, b.Package),
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Message, b.Message))
	})
}

func compareFindings(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.Location.File, b.Location.File),
		cmp.Compare(a.Location.Line, b.Location.Line),
		cmp.Compare(a.Location.Column, b.Location.Column),
		cmp.Compare(a.RuleID, b.RuleID),
		cmp.Compare(a.Message, b.Message),
		cmp.Compare(a.Source, b.Source))
}

// MaxLevel returns the highest level among the findings.
func (r *Report) MaxLevel() Level {
	m := LevelNone
	for _, f := range r.Findings {
		m = max(m, f.Level)
	}
	return m
}

// Count returns the number of findings at or above level.
func (r *Report) Count(level Level) int {
	n := 0
	for _, f := range r.Findings {
		if f.Level >= level {
			n++
		}
	}
	return n
}
