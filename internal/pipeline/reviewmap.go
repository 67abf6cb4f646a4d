package pipeline

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/findings"
)

// defaultDependents bounds the packages that import the changed ones
// loaded for the review map's caller counts: two batches.
const defaultDependents = 64

// maxReasons bounds the signals and the findings an entry names.
const maxReasons = 3

// reviewMap builds the review map of a diff scan: every changed function
// the selection holds (kept or left out by the budget; in a sharded run,
// those of this shard), riskiest first, with why, its blast radius, the
// findings in it and whether a model answered for it. all is the
// selection before sharding, part this shard's.
func reviewMap(all, part *analyzer.Selection, ares *analyzer.Result, rep *findings.Report, shard analyzer.ShardSpec) []findings.MapEntry {
	byName := map[string][]*analyzer.Func{}
	for _, f := range ares.Funcs {
		k := f.File + "\x00" + f.Name
		byName[k] = append(byName[k], f)
	}
	reviewed := map[string]bool{}
	if rep.Stats.ModelConfigured {
		failed := map[string]bool{}
		for _, fl := range rep.Failures {
			if fl.Stage == "review" {
				failed[fmt.Sprintf("%s:%d", fl.File, fl.Line)] = true
			}
		}
		for _, r := range part.Regions {
			if !failed[fmt.Sprintf("%s:%d", r.File, r.Start)] {
				reviewed[r.ID] = true
			}
		}
	}
	reach := analyzer.NewReach(ares)
	out := []findings.MapEntry{}
	for _, r := range slices.Concat(all.Regions, all.LeftOut) {
		if r.Caller || r.Changed == nil {
			continue
		}
		if !shard.Whole() && analyzer.ShardOf(r.ID, shard.N) != shard.K {
			continue
		}
		var fn *analyzer.Func
		for _, f := range byName[r.File+"\x00"+r.Func] {
			if f.Start <= r.Start && r.End <= f.End {
				fn = f
				break
			}
		}
		if fn == nil {
			continue // cannot happen: every region comes from a Func
		}
		rad := reach.Radius(fn)
		e := findings.MapEntry{
			File:           fn.File,
			Function:       fn.Name,
			StartLine:      fn.Start,
			EndLine:        fn.End,
			Score:          r.Score,
			Callers:        []findings.CallSite{},
			CallerPackages: len(rad.Packages),
			Exported:       fn.Exported,
			EntryPoints:    rad.EntryPoints,
			Reviewed:       reviewed[r.ID],
		}
		for _, c := range rad.Callers {
			e.Callers = append(e.Callers, findings.CallSite{File: c.File, Line: c.Line, Function: c.Function, Kind: string(c.Kind), Go: c.Go})
		}
		var in []findings.Finding
		for _, f := range rep.Findings {
			if f.Location.File == fn.File && fn.Start <= f.Location.Line && f.Location.Line <= fn.End {
				in = append(in, f)
			}
		}
		e.Findings = len(in)
		e.Reasons = reasons(fn.Signals, in)
		out = append(out, e)
	}
	findings.SortReviewMap(out)
	return out
}

// reasons says in words why a changed function is worth a look: its
// findings, then its strongest signals (one a check, strongest first).
func reasons(signals []analyzer.Signal, in []findings.Finding) []string {
	out := []string{}
	for i, f := range in {
		if i == maxReasons {
			out = append(out, fmt.Sprintf("and %d more findings", len(in)-maxReasons))
			break
		}
		name := f.RuleID
		if r, ok := findings.RuleByID(f.RuleID); ok && r.Name != "" {
			name += " " + r.Name
		}
		out = append(out, fmt.Sprintf("%s at line %d: %s", name, f.Location.Line, f.Message))
	}
	strongest := map[string]analyzer.Signal{}
	for _, s := range signals {
		if o, ok := strongest[s.Check]; !ok || s.Weight > o.Weight || (s.Weight == o.Weight && s.Line < o.Line) {
			strongest[s.Check] = s
		}
	}
	var sigs []analyzer.Signal
	for _, s := range strongest {
		sigs = append(sigs, s)
	}
	slices.SortFunc(sigs, func(a, b analyzer.Signal) int {
		return cmp.Or(cmp.Compare(b.Weight, a.Weight), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Check, b.Check))
	})
	for _, s := range sigs[:min(len(sigs), maxReasons)] {
		out = append(out, fmt.Sprintf("%s (line %d)", s.Message, s.Line))
	}
	if len(out) == 0 {
		out = append(out, "no risk signals or findings in it")
	}
	return out
}

// callersPartial says why the caller counts of a review map are partial,
// or "" when they are not.
func callersPartial(ares *analyzer.Result) string {
	switch {
	case ares.DependentsErr != "":
		return "the packages importing the changed ones could not be listed (" + ares.DependentsErr + ")"
	case ares.DependentsLeftOut == 1:
		return "1 package importing the changed ones was not loaded (past the bound, or it failed to load)"
	case ares.DependentsLeftOut > 1:
		return fmt.Sprintf("%d packages importing the changed ones were not loaded (past the bound, or they failed to load)", ares.DependentsLeftOut)
	}
	return ""
}
