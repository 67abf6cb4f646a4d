package sarif

// The SARIF 2.1.0 objects this package writes and reads: the subset of the
// schema that a findings.Report fills, with the property bags GitHub reads.

import (
	"bytes"
	"encoding/json"

	"github.com/secondlook/secondlook/findings"
)

// Log is a SARIF log file.
type Log struct {
	Schema  string `json:"$schema,omitempty"`
	Version string `json:"version"`
	Runs    []Run  `json:"runs"`
}

// Run is one run of one tool.
type Run struct {
	Tool                     Tool                        `json:"tool"`
	AutomationDetails        *RunAutomationDetails       `json:"automationDetails,omitempty"`
	OriginalURIBaseIDs       map[string]ArtifactLocation `json:"originalUriBaseIds,omitempty"`
	VersionControlProvenance []VersionControlDetails     `json:"versionControlProvenance,omitempty"`
	Invocations              []Invocation                `json:"invocations,omitempty"`
	Results                  []Result                    `json:"results"`
	Properties               *RunProperties              `json:"properties,omitempty"`

	// Raw is the run as Read found it, set for runs of other tools only:
	// our types hold a part of what other tools write, so such a run is
	// marshalled from Raw, whole and unchanged, and its fields are for
	// reading. It is nil for runs of secondlook and runs built in memory.
	Raw json.RawMessage `json:"-"`
}

// MarshalJSON writes r.Raw when it is set, else r's fields.
func (r Run) MarshalJSON() ([]byte, error) {
	if r.Raw != nil {
		return r.Raw, nil
	}
	type fields Run // without this method
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as Write does; an outer encoder escapes if it is asked to
	if err := enc.Encode(fields(r)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// VersionControlDetails says which revision of which repository was
// analysed.
type VersionControlDetails struct {
	RepositoryURI string            `json:"repositoryUri"`
	RevisionID    string            `json:"revisionId,omitempty"`
	Branch        string            `json:"branch,omitempty"`
	MappedTo      *ArtifactLocation `json:"mappedTo,omitempty"` // where the repository root was: %SRCROOT%
}

// Tool describes the analysis tool.
type Tool struct {
	Driver Driver `json:"driver"`
}

// Driver is the tool component that ran the analysis.
type Driver struct {
	Name            string                `json:"name"`
	Version         string                `json:"version,omitempty"`
	SemanticVersion string                `json:"semanticVersion,omitempty"`
	InformationURI  string                `json:"informationUri,omitempty"`
	Rules           []ReportingDescriptor `json:"rules"`
}

// ReportingDescriptor describes a rule.
type ReportingDescriptor struct {
	ID                   string                    `json:"id"`
	Name                 string                    `json:"name,omitempty"`
	ShortDescription     *MultiformatMessageString `json:"shortDescription,omitempty"`
	FullDescription      *MultiformatMessageString `json:"fullDescription,omitempty"`
	Help                 *MultiformatMessageString `json:"help,omitempty"`
	HelpURI              string                    `json:"helpUri,omitempty"`
	DefaultConfiguration *ReportingConfiguration   `json:"defaultConfiguration,omitempty"`
	Properties           *RuleProperties           `json:"properties,omitempty"`
}

// RunProperties is the property bag of a run: the review map of a diff
// scan (findings.MapEntry, the JSON report's review_map, paths
// module-relative as there), riskiest first, and its one-line risk
// summary; and what --run-tests showed, when it ran. Code scanning ignores
// it; it is there for tools and for merge.
type RunProperties struct {
	ReviewMap      []findings.MapEntry `json:"reviewMap,omitempty"`
	Risk           string              `json:"risk,omitempty"`
	CallersPartial string              `json:"callersPartial,omitempty"`

	TestedPackages       int `json:"testedPackages,omitempty"`       // packages whose own tests ran
	ExecutionClaims      int `json:"executionClaims,omitempty"`      // data-race and goroutine-leak claims
	ConfirmedByExecution int `json:"confirmedByExecution,omitempty"` // of those, confirmed by a race or leak report
}

// RuleProperties is the property bag of a rule, with the keys GitHub reads.
type RuleProperties struct {
	Tags             []string `json:"tags,omitempty"`
	Precision        string   `json:"precision,omitempty"`
	SecuritySeverity string   `json:"security-severity,omitempty"`
}

// ReportingConfiguration holds a rule's default level.
type ReportingConfiguration struct {
	Level string `json:"level,omitempty"`
}

// MultiformatMessageString is text with an optional markdown rendering.
type MultiformatMessageString struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

// Message is a user-facing message.
type Message struct {
	Text string `json:"text"`
}

// Result is one finding.
type Result struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             Message           `json:"message"`
	Locations           []Location        `json:"locations,omitempty"`
	RelatedLocations    []Location        `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	BaselineState       string            `json:"baselineState,omitempty"` // new, unchanged, updated or absent
	Properties          *ResultProperties `json:"properties,omitempty"`
}

// ResultProperties is the property bag of a result.
type ResultProperties struct {
	Confidence float64 `json:"confidence,omitempty"`
	Votes      int     `json:"votes,omitempty"`
	Source     string  `json:"source,omitempty"`
	Function   string  `json:"function,omitempty"`
	Confirmed  string  `json:"confirmed,omitempty"` // the execution that showed the claim (--run-tests)
}

// Location is a location in a file. ID is set (from 1) on related
// locations, which result messages link to.
type Location struct {
	ID               int               `json:"id,omitempty"`
	PhysicalLocation *PhysicalLocation `json:"physicalLocation,omitempty"`
	Message          *Message          `json:"message,omitempty"`
}

// PhysicalLocation is a region of an artifact.
type PhysicalLocation struct {
	ArtifactLocation ArtifactLocation `json:"artifactLocation"`
	Region           *Region          `json:"region,omitempty"`
	ContextRegion    *Region          `json:"contextRegion,omitempty"`
}

// ArtifactLocation is a file, by URI relative to a base. A URI of ""
// stands for the base itself (versionControlProvenance's mappedTo).
type ArtifactLocation struct {
	URI       string `json:"uri,omitempty"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

// Region is a span of lines and columns (1-based; EndColumn exclusive).
type Region struct {
	StartLine   int              `json:"startLine,omitempty"`
	StartColumn int              `json:"startColumn,omitempty"`
	EndLine     int              `json:"endLine,omitempty"`
	EndColumn   int              `json:"endColumn,omitempty"`
	Snippet     *ArtifactContent `json:"snippet,omitempty"`
}

// ArtifactContent is a piece of file content.
type ArtifactContent struct {
	Text string `json:"text"`
}

// RunAutomationDetails identifies the analysis a run belongs to.
type RunAutomationDetails struct {
	ID string `json:"id"`
}

// Invocation describes how the tool ran.
type Invocation struct {
	ExecutionSuccessful        bool           `json:"executionSuccessful"`
	ToolExecutionNotifications []Notification `json:"toolExecutionNotifications,omitempty"`
}

// Notification reports a condition met while running: a Failure (level
// "error") or results left out to respect GitHub's limits ("warning").
type Notification struct {
	Level      string                  `json:"level"`
	Message    Message                 `json:"message"`
	Locations  []Location              `json:"locations,omitempty"`
	Properties *NotificationProperties `json:"properties,omitempty"`
}

// NotificationProperties keeps a Failure's stage and package, so that a
// Failure can be read back from SARIF.
type NotificationProperties struct {
	Stage   string `json:"stage,omitempty"`
	Package string `json:"package,omitempty"`
}
