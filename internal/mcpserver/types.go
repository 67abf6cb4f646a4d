package mcpserver

import (
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/pipeline"
)

// The types here are the tools' wire format: the SDK infers their JSON
// schemas (a field without omitempty is required), and checks every input
// and output against them. They are our own rather than findings' types,
// whose JSON differs from what reflection infers (Level is an int that
// marshals as a string); the review map is findings.MapEntry itself, plain
// fields whose JSON is what reflection infers, so that every format carries
// the same map, and a region is pipeline.Region, the one JSON shape of a
// region, which scan --dry-run --format json prints too. Claim and Verdict
// have pipeline's fields, so that each converts to the other.

// Scope says what to scan: the same fields in risky_regions, check_claims
// and scan, so that check_claims sees the regions risky_regions showed.
type Scope struct {
	Dir        string `json:"dir" jsonschema:"the Go module's directory (or a directory inside it); an absolute path is best, a relative one is taken from the server's working directory"`
	DiffBase   string `json:"diff_base,omitempty" jsonschema:"scan the working tree's change (staged, unstaged and untracked files) against the merge base of this revision and HEAD; default HEAD, i.e. the uncommitted changes; e.g. origin/main for a whole branch"`
	Full       bool   `json:"full,omitempty" jsonschema:"scan the whole module instead of a change; do not combine with diff_base"`
	MaxRegions int    `json:"max_regions,omitempty" jsonschema:"keep at most this many regions, the riskiest first; 0: no limit"`
	MaxTokens  int    `json:"max_tokens,omitempty" jsonschema:"keep regions up to this many tokens of code and context in all, the riskiest first; 0: the tool's default (16000 for risky_regions and check_claims, 1000000 for scan)"`
}

// RegionsInput is the input of risky_regions.
type RegionsInput struct {
	Scope
}

// RegionsOutput is the output of risky_regions.
type RegionsOutput struct {
	Module         string              `json:"module" jsonschema:"the module path, as go.mod declares it"`
	ModuleDir      string              `json:"module_dir" jsonschema:"the module's absolute directory"`
	GoVersion      string              `json:"go_version,omitempty" jsonschema:"the go directive of go.mod; before 1.22 loop variables are shared by all iterations"`
	Mode           string              `json:"mode" jsonschema:"diff (a change) or full (the whole module)"`
	DiffBase       string              `json:"diff_base,omitempty" jsonschema:"the revision the change was taken against"`
	Regions        []pipeline.Region   `json:"regions" jsonschema:"the regions to hunt, riskiest first"`
	ReviewMap      []findings.MapEntry `json:"review_map,omitempty" jsonschema:"in a diff scan, every changed function riskiest first: why (its strongest signals and findings), its call sites in the module (call, value, or interface: approximate), caller packages, exported, the entry points that reach it; where a human reviewer should look"`
	Risk           string              `json:"risk,omitempty" jsonschema:"in a diff scan, the change's risk in one line: its level and its widest blast radius"`
	LeftOut        int                 `json:"left_out" jsonschema:"regions over the budget, not listed"`
	Tokens         int                 `json:"tokens" jsonschema:"tokens of the listed regions' code and context"`
	StaticFindings []Finding           `json:"static_findings" jsonschema:"what the static passes found in the change: not to claim again; verify each against the code (see its precision) before changing anything"`
	Failures       []Failure           `json:"failures" jsonschema:"units of work that did not complete, e.g. a package that does not load; the results are incomplete"`
	Instructions   string              `json:"instructions" jsonschema:"the bug-hunting instructions of secondlook's prompt: what to look for, the kinds of bug, and the bar a claim must meet"`
	AnswerSchema   map[string]any      `json:"answer_schema" jsonschema:"the JSON schema of an answer about one region; add the region's file to each claim before check_claims"`
	PromptVersion  string              `json:"prompt_version" jsonschema:"the version of secondlook's prompts these instructions come from"`
	Note           string              `json:"note" jsonschema:"what was found and what to do next"`
}

// Finding is a verified report of a likely bug.
type Finding struct {
	Rule        string     `json:"rule" jsonschema:"the rule id, e.g. SL1201; explain gives its help"`
	Name        string     `json:"name,omitempty" jsonschema:"the rule's name"`
	Level       string     `json:"level" jsonschema:"error, warning, note or none"`
	Message     string     `json:"message"`
	Explanation string     `json:"explanation,omitempty"`
	File        string     `json:"file"`
	Line        int        `json:"line"`
	Column      int        `json:"column,omitempty"`
	EndLine     int        `json:"end_line,omitempty"`
	Function    string     `json:"function,omitempty"`
	Snippet     string     `json:"snippet,omitempty"`
	Related     []Location `json:"related,omitempty" jsonschema:"other lines of the evidence"`
	Fingerprint string     `json:"fingerprint,omitempty" jsonschema:"secondlook's fingerprint: survives lines inserted above, re-indentation and a reworded message"`
	Confidence  float64    `json:"confidence,omitempty"`
	Source      string     `json:"source" jsonschema:"static:<pass> or model:<name>"`
	Precision   string     `json:"precision,omitempty" jsonschema:"how often the rule's findings are real bugs: no finding is certain, so verify it before changing code"`
}

// Location is a related line of a finding.
type Location struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Snippet string `json:"snippet,omitempty"`
	Message string `json:"message,omitempty"`
}

// Failure is a unit of work that did not complete.
type Failure struct {
	Stage   string `json:"stage" jsonschema:"load, analyze or review"`
	Package string `json:"package,omitempty"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

// CheckInput is the input of check_claims.
type CheckInput struct {
	Scope
	Claims []Claim `json:"claims" jsonschema:"the claims, each in the answer schema of risky_regions plus the file of its region"`
	Model  string  `json:"model,omitempty" jsonschema:"the model that made the claims, recorded as the findings' source (model:<name>); default agent"`
	SARIF  bool    `json:"sarif,omitempty" jsonschema:"also return the kept findings as a SARIF 2.1.0 log"`
}

// Claim is one bug claimed about a region.
type Claim struct {
	Kind        string  `json:"kind" jsonschema:"one of the kinds the instructions list, e.g. deadlock"`
	File        string  `json:"file" jsonschema:"the region's file, as risky_regions gave it"`
	Line        int     `json:"line" jsonschema:"the first offending line, by the number shown"`
	EndLine     int     `json:"end_line,omitempty" jsonschema:"the last offending line; default line"`
	Quote       string  `json:"quote" jsonschema:"the offending code copied exactly from those lines, without line numbers"`
	Message     string  `json:"message" jsonschema:"one sentence that stands alone: what goes wrong, and when"`
	Explanation string  `json:"explanation,omitempty" jsonschema:"the path that triggers the bug, naming the lines, and the fix"`
	Confidence  float64 `json:"confidence,omitempty" jsonschema:"how sure you are that it misbehaves at run time, from 0.0 to 1.0"`
}

// CheckOutput is the output of check_claims.
type CheckOutput struct {
	Claims     []Verdict `json:"claims" jsonschema:"each claim, in the order given, kept or dropped"`
	Findings   []Finding `json:"findings" jsonschema:"the kept claims, one per bug"`
	Kept       int       `json:"kept"`
	Dropped    int       `json:"dropped"`
	Suppressed int       `json:"suppressed,omitempty" jsonschema:"kept claims hidden by a //secondlook:ignore comment"`
	SARIF      string    `json:"sarif,omitempty" jsonschema:"the findings as a SARIF 2.1.0 log, with sarif=true"`
	Note       string    `json:"note"`
}

// Verdict is what became of one claim.
type Verdict struct {
	Index       int    `json:"index" jsonschema:"the claim's position in the input, from 0"`
	Kind        string `json:"kind"`
	File        string `json:"file"`
	Line        int    `json:"line"`
	Kept        bool   `json:"kept"`
	Reason      string `json:"reason,omitempty" jsonschema:"why it was dropped: unknown-kind, no-message, outside-region (no region of the file holds the line), no-quote (too weak to be evidence), quote-not-found (not within two lines of the claimed line), or suppressed"`
	Function    string `json:"function,omitempty" jsonschema:"the region it was checked against"`
	Fingerprint string `json:"fingerprint,omitempty" jsonschema:"of the finding it became"`
}

// ScanInput is the input of scan.
type ScanInput struct {
	Scope
	SARIF bool `json:"sarif,omitempty" jsonschema:"also return the report as a SARIF 2.1.0 log"`
}

// ScanOutput is the output of scan.
type ScanOutput struct {
	Mode            string    `json:"mode" jsonschema:"diff or full"`
	ModelConfigured bool      `json:"model_configured"`
	Model           string    `json:"model,omitempty"`
	Findings        []Finding `json:"findings"`
	Failures        []Failure `json:"failures"`
	Regions         int       `json:"regions" jsonschema:"regions selected for the model"`
	Tokens          int       `json:"tokens"`
	Summary         string    `json:"summary"`
	SARIF           string    `json:"sarif,omitempty"`
	Note            string    `json:"note,omitempty"`
}

// ExplainInput is the input of explain.
type ExplainInput struct {
	Rule string `json:"rule" jsonschema:"a rule id (SL1002), name (lock-copied), kind (goroutine-leak) or pass (nilness)"`
}

// ExplainOutput is a rule's documentation.
type ExplainOutput struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	Kind             string `json:"kind"`
	Title            string `json:"title"`
	Family           string `json:"family"`
	Level            string `json:"level"`
	Precision        string `json:"precision"`
	Analyzer         string `json:"analyzer,omitempty" jsonschema:"the pass that reports it, for static rules"`
	SecuritySeverity string `json:"security_severity,omitempty"`
	URL              string `json:"url,omitempty"`
	Help             string `json:"help" jsonschema:"Markdown: what it finds, why it is a bug, how to fix it, with an example"`
}

func toFindings(fs []findings.Finding) []Finding {
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		o := Finding{
			Rule:        f.RuleID,
			Level:       f.Level.String(),
			Message:     f.Message,
			Explanation: f.Explanation,
			File:        f.Location.File,
			Line:        f.Location.Line,
			Column:      f.Location.Column,
			EndLine:     f.Location.EndLine,
			Function:    f.Function,
			Snippet:     f.Location.Snippet,
			Fingerprint: f.Fingerprint,
			Confidence:  f.Confidence,
			Source:      f.Source,
		}
		if r, ok := findings.RuleByID(f.RuleID); ok && r.ID == f.RuleID {
			o.Name = r.Name
			o.Precision = r.PrecisionNote()
		}
		for _, l := range f.Related {
			o.Related = append(o.Related, Location{File: l.File, Line: l.Line, Snippet: l.Snippet, Message: l.Message})
		}
		out = append(out, o)
	}
	return out
}

func toFailures(fs []findings.Failure) []Failure {
	out := make([]Failure, 0, len(fs))
	for _, f := range fs {
		out = append(out, Failure(f))
	}
	return out
}
