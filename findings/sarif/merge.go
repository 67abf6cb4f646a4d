package sarif

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/secondlook/secondlook/findings"
)

// InputError is an error about one of the logs given to Merge.
type InputError struct {
	Index int // the log's index in Merge's argument
	Err   error
}

func (e *InputError) Error() string { return fmt.Sprintf("log %d: %v", e.Index, e.Err) }
func (e *InputError) Unwrap() error { return e.Err }

// Merge joins SARIF logs written by secondlook, such as the outputs of CI
// shards, into one log that GitHub accepts as a single upload:
//
//   - The runs of secondlook (driver name ToolName) become one run per
//     category (automationDetails.id), in order of category. Their
//     results are deduplicated by the secondlook fingerprint
//     (FingerprintKey), or where there is none by rule, location and
//     message. They are ordered by file, line, column, rule, message and
//     source, as findings.Report.Sort orders findings, so that the shards
//     of a sorted report merge into what the whole report writes; of
//     duplicates, the first in that order is kept. Rules are
//     united by ID (the first descriptor of an ID wins) and ruleIndex
//     renumbered; the invocation's executionSuccessful is the AND of the
//     runs', its notifications theirs, ordered and without duplicates;
//     originalUriBaseIds are united, leaving out a base the runs disagree
//     on; versionControlProvenance entries are united.
//   - The runs of other tools follow, unchanged, in the order given.
//   - GitHub's limits are applied to the merged runs, as Write applies them.
//
// Runs of one category must come from one version of secondlook: mixing
// them is an error. An error about one log is an *InputError holding its
// index, so that the caller can name the file. Merge does not modify the
// logs, but the result shares memory with them.
func Merge(logs []*Log) (*Log, error) {
	return merge(logs, Limits{})
}

// sourceRun is a run of ours and the log it came from.
type sourceRun struct {
	log int
	Run
}

func merge(logs []*Log, lim Limits) (*Log, error) {
	if len(logs) == 0 {
		return nil, errors.New("no SARIF logs to merge")
	}
	groups := map[string][]sourceRun{}
	var others []Run
	for i, log := range logs {
		switch {
		case log == nil:
			return nil, &InputError{i, errors.New("no log")}
		case log.Version != Version:
			return nil, &InputError{i, fmt.Errorf("SARIF version %q is not supported, only %s", log.Version, Version)}
		case len(log.Runs) == 0:
			return nil, &InputError{i, errors.New("the SARIF log has no runs")}
		}
		for _, run := range log.Runs {
			if run.Raw != nil || run.Tool.Driver.Name != ToolName {
				others = append(others, run)
				continue
			}
			category := ""
			if run.AutomationDetails != nil {
				category = run.AutomationDetails.ID
			}
			groups[category] = append(groups[category], sourceRun{i, run})
		}
	}
	out := &Log{Schema: Schema, Version: Version}
	for _, category := range slices.Sorted(maps.Keys(groups)) {
		run, err := mergeRuns(category, groups[category])
		if err != nil {
			return nil, err
		}
		out.Runs = append(out.Runs, run)
	}
	ours := len(out.Runs)
	out.Runs = append(out.Runs, others...)
	return lim.apply(out, ours), nil
}

// mergeRuns joins the runs of one category.
func mergeRuns(category string, runs []sourceRun) (Run, error) {
	first := runs[0]
	d := first.Tool.Driver
	out := Run{Tool: Tool{Driver: Driver{
		Name:            d.Name,
		Version:         d.Version,
		SemanticVersion: d.SemanticVersion,
		InformationURI:  d.InformationURI,
	}}}
	if category != "" {
		out.AutomationDetails = &RunAutomationDetails{ID: category}
	}

	rules := map[string]ReportingDescriptor{}
	bases := map[string]ArtifactLocation{}
	conflicts := map[string]bool{}
	var (
		results    []Result
		provenance []VersionControlDetails
		notes      []Notification
		invoked    bool
		successful = true
	)
	for _, src := range runs {
		if v := src.Tool.Driver.Version; v != d.Version {
			return Run{}, &InputError{src.log, fmt.Errorf(
				"it was written by %s %s, log %d by %s, in category %q: merge the outputs of one version",
				ToolName, v, first.log, d.Version, category)}
		}
		for _, rule := range src.Tool.Driver.Rules {
			if _, ok := rules[rule.ID]; !ok {
				rules[rule.ID] = rule
			}
		}
		for i, res := range src.Results {
			if res.RuleID == "" && res.RuleIndex >= 0 && res.RuleIndex < len(src.Tool.Driver.Rules) {
				res.RuleID = src.Tool.Driver.Rules[res.RuleIndex].ID
			}
			if res.RuleID == "" {
				return Run{}, &InputError{src.log, fmt.Errorf("result %d names no rule", i)}
			}
			if _, ok := rules[res.RuleID]; !ok {
				rules[res.RuleID] = ReportingDescriptor{ID: res.RuleID}
			}
			results = append(results, res)
		}
		for id, loc := range src.OriginalURIBaseIDs {
			if prev, ok := bases[id]; ok && prev != loc {
				conflicts[id] = true
			}
			bases[id] = loc
		}
		provenance = append(provenance, src.VersionControlProvenance...)
		for _, inv := range src.Invocations {
			invoked = true
			successful = successful && inv.ExecutionSuccessful
			notes = append(notes, inv.ToolExecutionNotifications...)
		}
	}

	ids := slices.Sorted(maps.Keys(rules))
	index := make(map[string]int, len(ids))
	out.Tool.Driver.Rules = make([]ReportingDescriptor, len(ids))
	for i, id := range ids {
		index[id] = i
		out.Tool.Driver.Rules[i] = rules[id]
	}

	slices.SortStableFunc(results, compareResults)
	seen := map[resultKey]bool{}
	out.Results = make([]Result, 0, len(results))
	for _, res := range results {
		if k := keyOf(res); !seen[k] {
			seen[k] = true
			res.RuleIndex = index[res.RuleID]
			out.Results = append(out.Results, res)
		}
	}

	for id := range conflicts {
		delete(bases, id) // no single directory was the root of every shard
	}
	if len(bases) > 0 {
		out.OriginalURIBaseIDs = bases
	}
	out.VersionControlProvenance = uniqueSorted(provenance, func(a, b VersionControlDetails) int {
		if c := cmp.Or(
			cmp.Compare(a.RepositoryURI, b.RepositoryURI),
			cmp.Compare(a.RevisionID, b.RevisionID),
			cmp.Compare(a.Branch, b.Branch)); c != 0 {
			return c
		}
		return compareJSON(a, b)
	})
	out.Properties = mergeProperties(runs)
	if invoked {
		out.Invocations = []Invocation{{
			ExecutionSuccessful:        successful,
			ToolExecutionNotifications: uniqueSorted(notes, compareNotifications),
		}}
	}
	return out, nil
}

// resultKey identifies a result for deduplication: by fingerprint when it
// has one, else by rule, location and message.
type resultKey struct {
	fingerprint string
	rule, uri   string
	line, col   int
	endLine     int
	endCol      int
	message     string
}

func keyOf(res Result) resultKey {
	if fp := res.PartialFingerprints[FingerprintKey]; fp != "" {
		return resultKey{fingerprint: fp}
	}
	k := resultKey{rule: res.RuleID, message: res.Message.Text}
	if len(res.Locations) > 0 && res.Locations[0].PhysicalLocation != nil {
		pl := res.Locations[0].PhysicalLocation
		k.uri = pl.ArtifactLocation.URI
		if r := pl.Region; r != nil {
			k.line, k.col, k.endLine, k.endCol = r.StartLine, r.StartColumn, r.EndLine, r.EndColumn
		}
	}
	return k
}

// compareResults orders results as findings.Report.Sort orders findings:
// by file, line, column, rule, message and source; then, so that the order
// is total, by the rest.
func compareResults(a, b Result) int {
	pa, pb := primary(a), primary(b)
	if c := cmp.Or(
		cmp.Compare(pa.ArtifactLocation.URI, pb.ArtifactLocation.URI),
		cmp.Compare(region(pa).StartLine, region(pb).StartLine),
		cmp.Compare(region(pa).StartColumn, region(pb).StartColumn),
		cmp.Compare(a.RuleID, b.RuleID),
		cmp.Compare(a.Message.Text, b.Message.Text),
		cmp.Compare(source(a), source(b)),
		cmp.Compare(levelRank(b.Level), levelRank(a.Level))); c != 0 {
		return c
	}
	return compareJSON(a, b) // cmp.Or would encode on every comparison
}

func primary(res Result) PhysicalLocation {
	if len(res.Locations) > 0 && res.Locations[0].PhysicalLocation != nil {
		return *res.Locations[0].PhysicalLocation
	}
	return PhysicalLocation{}
}

func region(pl PhysicalLocation) Region {
	if pl.Region != nil {
		return *pl.Region
	}
	return Region{}
}

func source(res Result) string {
	if res.Properties != nil {
		return res.Properties.Source
	}
	return ""
}

// compareNotifications orders notifications as findings.Report.Sort orders
// failures (stage, package, file, line, message), those of the limits,
// which have no stage, first.
func compareNotifications(a, b Notification) int {
	pa, pb := primaryNote(a), primaryNote(b)
	if c := cmp.Or(
		cmp.Compare(noteProps(a).Stage, noteProps(b).Stage),
		cmp.Compare(noteProps(a).Package, noteProps(b).Package),
		cmp.Compare(pa.ArtifactLocation.URI, pb.ArtifactLocation.URI),
		cmp.Compare(region(pa).StartLine, region(pb).StartLine),
		cmp.Compare(a.Message.Text, b.Message.Text),
		cmp.Compare(a.Level, b.Level)); c != 0 {
		return c
	}
	return compareJSON(a, b)
}

func primaryNote(n Notification) PhysicalLocation {
	if len(n.Locations) > 0 && n.Locations[0].PhysicalLocation != nil {
		return *n.Locations[0].PhysicalLocation
	}
	return PhysicalLocation{}
}

func noteProps(n Notification) NotificationProperties {
	if n.Properties != nil {
		return *n.Properties
	}
	return NotificationProperties{}
}

// uniqueSorted sorts s by compare, which must be total (end with
// compareJSON), and drops the repeats; nil stays nil.
func uniqueSorted[T any](s []T, compare func(a, b T) int) []T {
	if len(s) == 0 {
		return nil
	}
	s = slices.Clone(s)
	slices.SortFunc(s, compare)
	return slices.CompactFunc(s, func(a, b T) bool { return compare(a, b) == 0 })
}

// compareJSON orders two values by their JSON encoding: a last resort that
// makes an order total, and equal values equal.
func compareJSON(a, b any) int {
	return bytes.Compare(mustJSON(a), mustJSON(b))
}

func mustJSON(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		// Only NaN or an infinite confidence does not encode; keep the
		// order total all the same.
		return []byte(fmt.Sprintf("%#v", v))
	}
	return data
}

// notificationKey identifies a notification, for leaving out repeats.
func notificationKey(n Notification) string {
	return string(mustJSON(n))
}

// mergeProperties joins the property bags of shards: each shard maps the
// changed functions of its regions, so the union, sorted, is the unsharded
// run's map; each runs the same tests and confirms the claims of its own
// regions.
func mergeProperties(runs []sourceRun) *RunProperties {
	rep := &findings.Report{}
	seen := map[string]bool{}
	tested := 0
	for _, src := range runs {
		if src.Properties == nil {
			continue
		}
		tested = max(tested, src.Properties.TestedPackages)
		rep.Stats.ExecutionClaims += src.Properties.ExecutionClaims
		rep.Stats.ConfirmedByExecution += src.Properties.ConfirmedByExecution
		for _, e := range src.Properties.ReviewMap {
			k := fmt.Sprintf("%s\x00%s\x00%d", e.File, e.Function, e.StartLine)
			if !seen[k] {
				seen[k] = true
				rep.ReviewMap = append(rep.ReviewMap, e)
			}
		}
		rep.Stats.CallersPartial = cmp.Or(rep.Stats.CallersPartial, src.Properties.CallersPartial)
	}
	findings.SortReviewMap(rep.ReviewMap)
	p := runProperties(rep)
	if tested > 0 {
		if p == nil {
			p = &RunProperties{ExecutionClaims: rep.Stats.ExecutionClaims, ConfirmedByExecution: rep.Stats.ConfirmedByExecution}
		}
		p.TestedPackages = tested
	}
	return p
}
