package sarif

import (
	"cmp"
	"compress/gzip"
	"fmt"
	"slices"
	"strings"
)

// GitHub's limits on an upload; see Limits.
const (
	// MaxResults is the most results GitHub accepts in one run; an upload
	// with more is rejected.
	MaxResults = 25000
	// MaxLocations is the most locations GitHub accepts in one result.
	MaxLocations = 1000
	// MaxGzipBytes is the largest gzipped upload GitHub accepts: "10 MB",
	// taken as 10^7 bytes, which is also under 10 MiB. Go's gzip at the
	// default level, used to measure, is close to the zlib the uploaders
	// use; the difference to a MiB is the margin.
	MaxGzipBytes = 10_000_000
)

// Limits caps what a log holds so that GitHub accepts it. A zero field
// means GitHub's limit, a negative one no limit (for files that are not
// uploaded).
//
// When a run has too many results, or the gzipped log is too large, the
// least severe results are left out first (none, note, warning, error),
// among them the least confident (a result without a confidence, such as
// a static pass's, counts as certain), among those the last; the run's
// rules shrink to those still used, and a toolExecutionNotification of
// level "warning" says how many results of which level were left out.
// Related locations past the first Locations are left out of their result,
// whose message says how many more there were.
type Limits struct {
	Results   int // results per run; 0 means MaxResults
	Locations int // related locations per result; 0 means MaxLocations
	GzipBytes int // size of the whole log, gzipped; 0 means MaxGzipBytes
}

// resolve replaces zero fields by GitHub's limits.
func (l Limits) resolve() Limits {
	return Limits{
		Results:   cmp.Or(l.Results, MaxResults),
		Locations: cmp.Or(l.Locations, MaxLocations),
		GzipBytes: cmp.Or(l.GzipBytes, MaxGzipBytes),
	}
}

// apply trims the results of the first n runs of log (ours) to the
// limits and returns the trimmed log; log itself is not modified, and the
// other runs are kept as they are.
func (l Limits) apply(log *Log, n int) *Log {
	l = l.resolve()
	out := *log
	out.Runs = slices.Clone(log.Runs)
	if l.Results >= 0 {
		for i := range out.Runs[:n] {
			run := &out.Runs[i]
			if len(run.Results) <= l.Results {
				continue
			}
			order := dropOrder([]Run{*run})
			drop := map[int]bool{}
			for _, ref := range order[:len(run.Results)-l.Results] {
				drop[ref.result] = true
			}
			*run = without(*run, drop, func(left string, total int) string {
				return fmt.Sprintf("Left out %s of %d results to stay within GitHub's limit of %d results per run, "+
					"the least severe and least confident first.", left, total, l.Results)
			})
		}
	}
	if l.GzipBytes < 0 {
		return &out
	}
	size, err := gzipSize(&out, l.GzipBytes)
	if err != nil || size <= l.GzipBytes {
		// An encoding error is for WriteLog to report.
		return &out
	}
	return shrink(&out, n, l.GzipBytes, size)
}

// shrink leaves out the fewest results of the first n runs of log, in
// drop order across them, that bring the gzipped log to at most limit
// bytes; size is the gzipped size of log, over limit. If leaving out all of
// them is not enough, it leaves out all.
func shrink(log *Log, n, limit, size int) *Log {
	order := dropOrder(log.Runs[:n])
	build := func(d int) *Log {
		drops := make([]map[int]bool, n)
		for _, ref := range order[:d] {
			if drops[ref.run] == nil {
				drops[ref.run] = map[int]bool{}
			}
			drops[ref.run][ref.result] = true
		}
		out := *log
		out.Runs = slices.Clone(log.Runs)
		for i, drop := range drops {
			if drop != nil {
				out.Runs[i] = without(out.Runs[i], drop, func(left string, total int) string {
					return fmt.Sprintf("Left out %s of %d results to keep the gzipped log within GitHub's limit of %d bytes, "+
						"the least severe and least confident first.", left, total, limit)
				})
			}
		}
		return &out
	}
	measure := func(d int) (*Log, int) {
		out := build(d)
		s, err := gzipSize(out, -1)
		if err != nil {
			return out, limit // cannot happen: log encoded before
		}
		return out, s
	}

	// Search the fewest drops d that fit: lo does not fit, hi does. The
	// size falls about linearly with d, so interpolate, but bisect every
	// other step, so that the search takes at most twice log2(len(order))
	// steps whatever the sizes.
	lo, sizeLo := 0, size
	hiLog, sizeHi := measure(len(order))
	hi := len(order)
	if sizeHi > limit {
		return hiLog
	}
	for step := 0; hi-lo > 1; step++ {
		mid := lo + (hi-lo)/2
		if step%2 == 0 && sizeLo > sizeHi {
			frac := float64(sizeLo-limit) / float64(sizeLo-sizeHi)
			mid = min(max(lo+int(float64(hi-lo)*frac+0.999), lo+1), hi-1)
		}
		m, s := measure(mid)
		if s <= limit {
			hi, hiLog, sizeHi = mid, m, s
		} else {
			lo, sizeLo = mid, s
		}
	}
	return hiLog
}

// resultRef names a result of a run.
type resultRef struct{ run, result int }

// dropOrder lists the results of runs in the order they are left out:
// least severe first, then least confident, then the last.
func dropOrder(runs []Run) []resultRef {
	type ranked struct {
		ref        resultRef
		level      int
		confidence float64
	}
	var all []ranked
	for i, run := range runs {
		for j, res := range run.Results {
			conf := 1.0 // a static pass's finding has none: it is certain
			if res.Properties != nil && res.Properties.Confidence > 0 {
				conf = res.Properties.Confidence
			}
			all = append(all, ranked{resultRef{i, j}, levelRank(res.Level), conf})
		}
	}
	slices.SortFunc(all, func(a, b ranked) int {
		return cmp.Or(
			cmp.Compare(a.level, b.level),
			cmp.Compare(a.confidence, b.confidence),
			cmp.Compare(b.ref.run, a.ref.run),
			cmp.Compare(b.ref.result, a.ref.result))
	})
	refs := make([]resultRef, len(all))
	for i, r := range all {
		refs[i] = r.ref
	}
	return refs
}

// levels are SARIF's result levels, least severe first.
var levels = []string{"none", "note", "warning", "error"}

// levelRank orders levels by severity; "" is SARIF's default, "warning".
func levelRank(level string) int {
	if level == "" {
		level = "warning"
	}
	if i := slices.Index(levels, level); i >= 0 {
		return i
	}
	return 0
}

// without returns run without the results in drop, its rules reduced to
// those the others use, and a notification whose text is text(left,
// total), left being how many were left out at each level ("3 notes and
// 1 warning") and total how many results the run had.
func without(run Run, drop map[int]bool, text func(left string, total int) string) Run {
	counts := make([]int, len(levels))
	kept := make([]Result, 0, len(run.Results)-len(drop))
	for i, res := range run.Results {
		if drop[i] {
			counts[levelRank(res.Level)]++
			continue
		}
		kept = append(kept, res)
	}
	var parts []string
	for i := range levels {
		if n := counts[i]; n > 0 {
			if levels[i] == "none" {
				parts = append(parts, fmt.Sprintf("%d %s of level none", n, plural(n, "result")))
			} else {
				parts = append(parts, fmt.Sprintf("%d %s", n, plural(n, levels[i])))
			}
		}
	}
	left := strings.Join(parts, ", ")
	if i := strings.LastIndex(left, ", "); i >= 0 {
		left = left[:i] + " and " + left[i+2:]
	}
	total := len(run.Results)
	run.Results = kept
	pruneRules(&run)
	notify(&run, text(left, total))
	return run
}

// pruneRules keeps the rules the results use, in their order, and renumbers
// the results' ruleIndex.
func pruneRules(run *Run) {
	used := map[string]bool{}
	for _, res := range run.Results {
		used[res.RuleID] = true
	}
	index := map[string]int{}
	rules := []ReportingDescriptor{}
	for _, d := range run.Tool.Driver.Rules {
		if used[d.ID] {
			index[d.ID] = len(rules)
			rules = append(rules, d)
		}
	}
	run.Tool.Driver.Rules = rules
	results := slices.Clone(run.Results)
	for i := range results {
		if j, ok := index[results[i].RuleID]; ok {
			results[i].RuleIndex = j
		}
	}
	run.Results = results
}

// notify adds a warning to the run's first invocation, without changing
// the invocations of the run it was copied from.
func notify(run *Run, text string) {
	invs := slices.Clone(run.Invocations)
	if len(invs) == 0 {
		invs = []Invocation{{ExecutionSuccessful: true}}
	}
	invs[0].ToolExecutionNotifications = append(slices.Clip(invs[0].ToolExecutionNotifications),
		Notification{Level: "warning", Message: Message{Text: text}})
	run.Invocations = invs
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// gzipSize returns the size of log as WriteLog writes it, gzipped. When
// the JSON itself is within within bytes (and within >= 0), gzip cannot
// take it over, so it returns that length without compressing.
func gzipSize(log *Log, within int) (int, error) {
	data, err := encode(log)
	if err != nil {
		return 0, err
	}
	// Deflate's worst case adds 5 bytes per stored block of up to 64 KiB;
	// gzip adds a header and trailer of 18.
	if within >= 0 && len(data)+5*(len(data)/65535+1)+18 <= within {
		return len(data), nil
	}
	var c countingWriter
	zw := gzip.NewWriter(&c)
	if _, err := zw.Write(data); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return c.n, nil
}

type countingWriter struct{ n int }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	return len(p), nil
}
