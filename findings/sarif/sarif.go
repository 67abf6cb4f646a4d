// Package sarif writes a findings.Report as SARIF 2.1.0, shaped for GitHub
// code scanning, and holds the subset of the SARIF types that secondlook
// emits and reads back.
//
// The mapping: one run whose tool.driver.rules are exactly the rules the
// results use (sorted by ID, so ruleIndex is stable); one result per
// Finding; the Finding's Related locations become relatedLocations; each
// Failure becomes a toolExecutionNotification of invocations[0], whose
// executionSuccessful is false when there is any; Report.Category (or
// Options.Category) becomes automationDetails.id.
//
// GitHub code scanning quirks this package copes with:
//
//   - Alerts are placed by artifactLocation.uri taken as a path relative to
//     the repository root; do not count on code scanning resolving
//     uriBaseId through originalUriBaseIds. Finding paths are
//     module-relative, so when the module is not at the repository root set
//     Options.PathPrefix. We still write uriBaseId "%SRCROOT%" (and its
//     file:// URI when Options.SrcRoot is set) for other SARIF viewers.
//   - relatedLocations are shown only where the result message links to
//     them as "[text](id)" with the location's id; unlinked related
//     locations are not displayed. So each related location gets an id from
//     1 and the message ends with "Evidence: [file.go:12](1), ...". Where a
//     message holds links, literal "[", "]" and "\" are escaped with a
//     backslash, as SARIF §3.11.6 asks.
//   - Only message.text of a result is shown, as plain text, so we write
//     no message.markdown. The message's first sentence is
//     the finding's own message and stands alone; evidence links follow it.
//   - The category is taken from automationDetails.id up to its last "/".
//     An upload replaces the previous analysis with the same tool and
//     category, so PR scans and full scans need different categories. An id
//     containing "/" without a trailing one would have its tail read as a
//     run id, so we add the trailing "/".
//   - properties["security-severity"] (a number in a string, 0.0 to 10.0)
//     counts only on rules tagged "security"; GitHub maps it to critical
//     (over 9.0), high (7.0 to 8.9), medium (4.0 to 6.9) or low.
//     properties.precision is one of very-high, high, medium, low.
//   - Alerts are tracked across runs by
//     partialFingerprints.primaryLocationLineHash, which we write from
//     Finding.LineHash (computed as codeql-action's fingerprints.ts does,
//     before writing). When it is missing, github/codeql-action/upload-sarif
//     computes it from the checked-out source; a file uploaded through the
//     API without it gets its alerts processed, but they may be duplicated
//     from one analysis to the next. Our own fingerprint, which survives
//     lines inserted above, goes under "secondlook/v1"; it is for
//     --baseline (Fingerprints) and Merge, not for GitHub.
//   - baselineState is not among the properties GitHub reads: it works out
//     new and fixed alerts itself. We write it (from Finding.BaselineState)
//     for the human-review file and other viewers.
//   - The commit and ref of an analysis come from the upload, not from
//     versionControlProvenance; we write it (Options.Revision) for other
//     viewers and for knowing what a merged file covers.
//   - fixes are ignored, so we emit none.
//   - Limits: 25,000 results per run (an upload with more is rejected; only
//     the 5,000 most severe are kept), 1,000 locations per result (100
//     shown), 10 MB of gzipped upload, 20 runs per file, 20 tags per rule
//     (10 kept). Write and Merge trim results, least severe and least
//     confident first, and related locations past the first 1,000, and say
//     so in a toolExecutionNotification; see Limits.
//   - Since June 2025 an upload holding several runs of one tool with the
//     same category fails (they used to be combined). Merge therefore joins
//     the outputs of CI shards into one run per category.
//
// Columns: findings carry 1-based byte columns; SARIF counts columns in
// UTF-16 code units by default. The two agree on ASCII text, which is what
// Go code almost always has before the flagged column, so columns are
// passed through unconverted and columnKind is not set.
//
// Write is a pure function of the Report and Options: the same input gives
// the same bytes. Read parses a log back (for --baseline, through
// Fingerprints, and for merge), and Merge joins the logs of CI shards.
package sarif

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/secondlook/secondlook/findings"
)

const (
	// Version is the SARIF version written.
	Version = "2.1.0"
	// Schema is the $schema URI written, the one GitHub's documentation uses.
	Schema = "https://json.schemastore.org/sarif-2.1.0.json"
	// SrcRootID is the uriBaseId of every artifact location.
	SrcRootID = "%SRCROOT%"
	// FingerprintKey names secondlook's own fingerprint in
	// partialFingerprints; bump its version when the fingerprint changes.
	FingerprintKey = "secondlook/v1"
	// LineHashKey names GitHub's own fingerprint in partialFingerprints.
	LineHashKey = "primaryLocationLineHash"
	// ToolName is the driver name of the runs secondlook writes; Merge
	// joins runs of this tool and passes others through.
	ToolName = "secondlook"
)

// Options configures Write. The zero value writes paths as they are in the
// Report, with no originalUriBaseIds, no versionControlProvenance and the
// Report's own category, within GitHub's limits.
type Options struct {
	// SrcRoot is the absolute path of the source root. When set,
	// originalUriBaseIds maps %SRCROOT% to its file:// URI so that viewers
	// other than GitHub can open the files.
	SrcRoot string
	// Category is the analysis category, written as automationDetails.id;
	// "" uses Report.Category, and if that is empty too none is written.
	// Use different categories for PR and full scans.
	Category string
	// PathPrefix is the slash-separated path of the module root inside the
	// repository ("" when they are the same). It is prepended to every file
	// path, because GitHub places alerts by repository-relative paths.
	PathPrefix string

	// Repository is the URI of the repository the source comes from, e.g.
	// https://github.com/owner/repo or a git remote URL: an scp-like remote
	// (git@github.com:owner/repo.git) becomes an ssh:// URI, and user
	// information, which may hold a token, is removed. It is written in
	// versionControlProvenance, which the schema does not allow without a
	// repository URI: when Repository is "" or not a URI, none is written.
	Repository string
	// Revision is the commit analysed (its full hash). Without it no
	// versionControlProvenance is written.
	Revision string
	// Branch is the branch checked out, "" when detached.
	Branch string

	// Limits caps the output so that GitHub accepts it; the zero value
	// applies GitHub's limits.
	Limits Limits
}

// runProperties returns the property bag of r's run, nil without a review
// map or test runs.
func runProperties(r *findings.Report) *RunProperties {
	if len(r.ReviewMap) == 0 && len(r.Tests) == 0 {
		return nil
	}
	p := &RunProperties{
		TestedPackages:       len(r.Tests),
		ExecutionClaims:      r.Stats.ExecutionClaims,
		ConfirmedByExecution: r.Stats.ConfirmedByExecution,
	}
	if len(r.ReviewMap) > 0 {
		p.ReviewMap, p.Risk, p.CallersPartial = r.ReviewMap, findings.RiskSummary(r), r.Stats.CallersPartial
	}
	return p
}

// Write writes r to w as a SARIF 2.1.0 log with one run.
func Write(w io.Writer, r *findings.Report, opts Options) error {
	return WriteLog(w, Convert(r, opts))
}

// WriteLog writes log to w as Write does: indented JSON, with <, > and &
// left readable. Merge's output is written with it.
func WriteLog(w io.Writer, log *Log) error {
	data, err := encode(log)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

func encode(log *Log) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // messages and snippets quote code: keep <, > and & readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(log); err != nil {
		return nil, fmt.Errorf("encoding SARIF: %w", err)
	}
	return buf.Bytes(), nil
}

// Convert returns the SARIF log Write writes, trimmed to opts.Limits.
func Convert(r *findings.Report, opts Options) *Log {
	lim := opts.Limits.resolve()
	rules := r.UsedRules()
	index := make(map[string]int, len(rules))
	descriptors := make([]ReportingDescriptor, len(rules))
	for i, rule := range rules {
		index[rule.ID] = i
		descriptors[i] = descriptor(rule)
	}

	name := r.Tool.Name
	if name == "" {
		name = ToolName
	}
	run := Run{
		Tool: Tool{Driver: Driver{
			Name:            name,
			Version:         r.Tool.Version,
			SemanticVersion: semanticVersion(r.Tool.Version),
			InformationURI:  r.Tool.InformationURI,
			Rules:           descriptors,
		}},
		VersionControlProvenance: provenance(opts),
		Invocations:              []Invocation{invocation(r.Failures, opts)},
		Results:                  make([]Result, 0, len(r.Findings)),
		Properties:               runProperties(r),
	}
	if len(r.Tests) > 0 {
		// A package whose tests failed, hung or did not build is a
		// condition of the run, not a failure of it: the scan is whole.
		for _, t := range r.Tests {
			if t.Unwell() {
				run.Invocations[0].ToolExecutionNotifications = append(run.Invocations[0].ToolExecutionNotifications, Notification{
					Level:      "note",
					Message:    Message{Text: fmt.Sprintf("tests: %s: %s: %s", t.Package, t.Status, strings.TrimSpace(t.Message))},
					Properties: &NotificationProperties{Stage: "tests", Package: t.Package},
				})
			}
		}
	}
	if category := automationID(opts.Category, r.Category); category != "" {
		run.AutomationDetails = &RunAutomationDetails{ID: category}
	}
	if opts.SrcRoot != "" {
		run.OriginalURIBaseIDs = map[string]ArtifactLocation{SrcRootID: {URI: rootURI(opts.SrcRoot)}}
	}
	cut := 0 // results whose related locations were cut
	for _, f := range r.Findings {
		res, n := result(f, index[f.RuleID], opts, lim.Locations)
		run.Results = append(run.Results, res)
		if n > 0 {
			cut++
		}
	}
	if cut > 0 {
		notify(&run, fmt.Sprintf("Kept the first %d related locations of %d %s that had more, "+
			"as GitHub accepts at most %[1]d locations per result.", lim.Locations, cut, plural(cut, "result")))
	}
	return lim.apply(&Log{Schema: Schema, Version: Version, Runs: []Run{run}}, 1)
}

// provenance is the versionControlProvenance of opts, nil without a
// revision or a repository URI (which the schema requires).
func provenance(opts Options) []VersionControlDetails {
	repo := repositoryURI(opts.Repository)
	rev := strings.TrimSpace(opts.Revision)
	if repo == "" || rev == "" {
		return nil
	}
	return []VersionControlDetails{{
		RepositoryURI: repo,
		RevisionID:    rev,
		Branch:        strings.TrimSpace(opts.Branch),
		MappedTo:      &ArtifactLocation{URIBaseID: SrcRootID},
	}}
}

// scpLikeRE matches git's scp-like remote syntax, [user@]host:path, which
// is no URI.
var scpLikeRE = regexp.MustCompile(`^(?:[^@/]+@)?([^:/]+):(.+)$`)

// repositoryURI returns s as an absolute URI without user information, or
// "" if it cannot be one.
func repositoryURI(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "://") {
		m := scpLikeRE.FindStringSubmatch(s)
		if m == nil || len(m[1]) == 1 { // C:\src is a Windows path
			return ""
		}
		s = "ssh://" + m[1] + "/" + strings.TrimPrefix(m[2], "/")
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	u.User = nil // a remote URL may carry a token
	return u.String()
}

func descriptor(rule findings.Rule) ReportingDescriptor {
	d := ReportingDescriptor{
		ID:      rule.ID,
		Name:    pascal(rule.Name),
		HelpURI: rule.URL,
	}
	if rule.Title != "" {
		d.ShortDescription = &MultiformatMessageString{Text: rule.Title}
	}
	if rule.Help != "" {
		d.FullDescription = &MultiformatMessageString{Text: firstSentence(rule.Help)}
		d.Help = &MultiformatMessageString{Text: rule.Help, Markdown: rule.Markdown}
	}
	if rule.Level != findings.LevelNone {
		d.DefaultConfiguration = &ReportingConfiguration{Level: rule.Level.String()}
	}
	if len(rule.Tags) > 0 || rule.PrecisionLevel() != "" || rule.SecuritySeverity != "" {
		d.Properties = &RuleProperties{
			Tags:             rule.Tags,
			Precision:        string(rule.PrecisionLevel()), // measured on real code where it was
			SecuritySeverity: rule.SecuritySeverity,
		}
	}
	return d
}

// result converts f, keeping at most maxRelated related locations (all
// when maxRelated < 0); cut is how many it left out.
func result(f findings.Finding, ruleIndex int, opts Options, maxRelated int) (res Result, cut int) {
	related := f.Related
	if maxRelated >= 0 && len(related) > maxRelated {
		cut = len(related) - maxRelated
		related = related[:maxRelated]
	}
	res = Result{
		RuleID:              f.RuleID,
		RuleIndex:           ruleIndex,
		Level:               f.Level.String(),
		Message:             Message{Text: resultMessage(f.Message, related, cut)},
		PartialFingerprints: partialFingerprints(f),
		BaselineState:       baselineState(f),
	}
	if loc, ok := location(f.Location, opts); ok {
		res.Locations = []Location{loc}
	}
	for i, rel := range related {
		loc, ok := location(rel, opts)
		if !ok {
			// Keep the ids in step with the links in the message.
			loc = Location{}
		}
		loc.ID = i + 1
		if msg := strings.TrimSpace(rel.Message); msg != "" {
			loc.Message = &Message{Text: msg}
		}
		res.RelatedLocations = append(res.RelatedLocations, loc)
	}
	if f.Confidence != 0 || f.Votes != 0 || f.Source != "" || f.Function != "" || f.Confirmed != "" {
		res.Properties = &ResultProperties{
			Confidence: f.Confidence,
			Votes:      f.Votes,
			Source:     f.Source,
			Function:   f.Function,
			Confirmed:  f.Confirmed,
		}
	}
	return res, cut
}

// partialFingerprints holds GitHub's line hash and our own fingerprint,
// each when the Finding has it.
func partialFingerprints(f findings.Finding) map[string]string {
	m := map[string]string{}
	if f.LineHash != "" {
		m[LineHashKey] = f.LineHash
	}
	if f.Fingerprint != "" {
		m[FingerprintKey] = f.Fingerprint
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// baselineStates are the values SARIF allows for result.baselineState.
var baselineStates = map[string]bool{"new": true, "unchanged": true, "updated": true, "absent": true}

// baselineState is f.BaselineState, which findings.Baseline sets, if the
// schema allows it (new, unchanged, updated or absent), else "".
func baselineState(f findings.Finding) string {
	if !baselineStates[f.BaselineState] {
		return ""
	}
	return f.BaselineState
}

// resultMessage is the finding's message, followed by links to its related
// locations, without which GitHub does not show them, and the count of
// those left out.
func resultMessage(message string, related []findings.Location, cut int) string {
	msg := strings.TrimSpace(message)
	if len(related) == 0 && !strings.Contains(msg, "](") {
		return msg
	}
	msg = escapeLinkText(msg)
	if len(related) == 0 {
		return msg
	}
	if msg != "" && !strings.ContainsAny(msg[len(msg)-1:], ".!?") {
		msg += "."
	}
	var b strings.Builder
	b.WriteString(msg)
	b.WriteString(" Evidence: ")
	for i, rel := range related {
		if i > 0 {
			b.WriteString(", ")
		}
		label := path.Base(rel.File)
		if rel.Line > 0 {
			label += ":" + strconv.Itoa(rel.Line)
		}
		fmt.Fprintf(&b, "[%s](%d)", escapeLinkText(label), i+1)
	}
	if cut > 0 {
		fmt.Fprintf(&b, " and %d more", cut)
	}
	b.WriteString(".")
	return strings.TrimSpace(b.String())
}

// escapeLinkText escapes the characters SARIF reads as embedded-link syntax.
func escapeLinkText(s string) string {
	return strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`).Replace(s)
}

// location converts a findings.Location; ok is false when it names no file.
func location(l findings.Location, opts Options) (Location, bool) {
	if l.File == "" {
		return Location{}, false
	}
	pl := &PhysicalLocation{
		ArtifactLocation: ArtifactLocation{URI: fileURI(opts.PathPrefix, l.File), URIBaseID: SrcRootID},
	}
	if l.Line > 0 {
		reg := &Region{StartLine: l.Line}
		if l.Column > 0 {
			reg.StartColumn = l.Column
		}
		if l.EndLine > l.Line {
			reg.EndLine = l.EndLine
		}
		if l.EndColumn > 0 && (reg.EndLine > 0 || l.EndColumn > l.Column) {
			reg.EndColumn = l.EndColumn
		}
		pl.Region = reg
		// A snippet must be the text of the region it sits in. Ours is the
		// first line, so it belongs to the region only when that is exactly
		// one whole line; otherwise it goes in a context region of that line.
		if snippet := strings.TrimRight(l.Snippet, "\r\n"); snippet != "" {
			if reg.StartColumn == 0 && reg.EndLine == 0 {
				reg.Snippet = &ArtifactContent{Text: snippet}
			} else {
				pl.ContextRegion = &Region{StartLine: l.Line, Snippet: &ArtifactContent{Text: snippet}}
			}
		}
	}
	return Location{PhysicalLocation: pl}, true
}

// fileURI is the relative URI reference of a slash-separated path.
func fileURI(prefix, file string) string {
	p := file
	if prefix = strings.Trim(prefix, "/"); prefix != "" {
		p = path.Join(prefix, file)
	}
	// url.URL escapes what a URI cannot hold and guards a first segment
	// holding ":" with "./", so the path is not read as a scheme.
	return (&url.URL{Path: p}).String()
}

// rootURI is the file:// URI of a directory, ending in "/" as SARIF
// requires of a base URI.
func rootURI(dir string) string {
	p := filepath.ToSlash(dir)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive: file:///C:/src/
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

func automationID(category, fallback string) string {
	id := strings.TrimSpace(category)
	if id == "" {
		id = strings.TrimSpace(fallback)
	}
	if strings.Contains(id, "/") && !strings.HasSuffix(id, "/") {
		id += "/"
	}
	return id
}

// withoutFile is a failure without its place in a file, which a
// notification's location holds.
func withoutFile(fl findings.Failure) findings.Failure {
	fl.File, fl.Line = "", 0
	return fl
}

func invocation(failures []findings.Failure, opts Options) Invocation {
	inv := Invocation{ExecutionSuccessful: len(failures) == 0}
	seen := map[string]bool{}
	for _, fl := range failures {
		n := Notification{
			Level:   "error",
			Message: Message{Text: withoutFile(fl).Text()},
		}
		if loc, ok := location(findings.Location{File: fl.File, Line: fl.Line}, opts); ok {
			n.Locations = []Location{loc}
		}
		if fl.Stage != "" || fl.Package != "" {
			n.Properties = &NotificationProperties{Stage: fl.Stage, Package: fl.Package}
		}
		// The same failure reported twice (a package and its test variant)
		// says nothing new.
		if k := notificationKey(n); !seen[k] {
			seen[k] = true
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
		}
	}
	return inv
}

// semverRE is the SemVer 2.0.0 grammar, with Go's optional "v".
var semverRE = regexp.MustCompile(`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(-(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?` +
	`(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?$`)

// semanticVersion returns v without its "v" if it is a semantic version,
// else "" (a development build's "(devel)" is no version SARIF accepts
// there).
func semanticVersion(v string) string {
	if !semverRE.MatchString(v) {
		return ""
	}
	return strings.TrimPrefix(v, "v")
}

// pascal turns a kebab-case rule name into the PascalCase SARIF recommends
// for reportingDescriptor.name: "goroutine-leak" becomes "GoroutineLeak".
func pascal(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "-") {
		if part == "" {
			continue
		}
		r := []rune(part)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	return b.String()
}

// firstSentence returns text up to and including the first ". " that ends
// a sentence, or all of text. A period inside an identifier such as
// "errors.As" is not followed by a space and does not end a sentence.
func firstSentence(text string) string {
	for i := 0; i+1 < len(text); i++ {
		if text[i] == '.' && text[i+1] == ' ' {
			return text[:i+1]
		}
	}
	return text
}
