package findings

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// SameBug reports whether two findings are about the same bug: the same
// file, overlapping lines, and rules of the same family.
func SameBug(a, b Finding) bool {
	if a.Location.File != b.Location.File {
		return false
	}
	if a.Location.Line > b.Location.Last() || b.Location.Line > a.Location.Last() {
		return false
	}
	return familyOf(a.RuleID) == familyOf(b.RuleID)
}

func familyOf(ruleID string) Family {
	if r, ok := RuleByID(ruleID); ok {
		return r.Family
	}
	return Family(ruleID)
}

// Dedup merges findings about the same bug — from overlapping regions,
// from several samples, from a static pass and the model — into one. The
// one kept has the best evidence: a finding by execution, then a static
// finding, over a model's claim, then the higher confidence, then more
// related locations; it records every source, the votes of all and a
// member's confirmation by execution. The result is sorted.
func Dedup(fs []Finding) []Finding {
	sorted := slices.Clone(fs)
	slices.SortStableFunc(sorted, func(a, b Finding) int {
		return cmp.Or(better(a, b), compareFindings(a, b))
	})
	// A group is one bug: its best finding first, then every other claim
	// about it. A claim joins a group when it is about the same bug as any
	// member, so a chain of overlapping claims stays one bug.
	var groups [][]Finding
	for _, f := range sorted {
		i := slices.IndexFunc(groups, func(g []Finding) bool {
			return slices.ContainsFunc(g, func(o Finding) bool { return SameBug(o, f) })
		})
		if i < 0 {
			groups = append(groups, []Finding{f})
			continue
		}
		groups[i] = append(groups[i], f)
	}
	out := make([]Finding, 0, len(groups))
	for _, g := range groups {
		kept := g[0]
		kept.Votes = 0
		var srcs []string
		for _, f := range g {
			kept.Votes += max(f.Votes, 1)
			srcs = addSource(srcs, f)
			if kept.Confirmed == "" && !kept.Executed() {
				kept.Confirmed = f.Confirmed
			}
		}
		kept.Sources = nil
		if len(srcs) > 1 {
			kept.Sources = srcs // Source says it when there is one
		}
		out = append(out, kept)
	}
	slices.SortStableFunc(out, compareFindings)
	return out
}

func addSource(srcs []string, f Finding) []string {
	for _, s := range append([]string{f.Source}, f.Sources...) {
		if s != "" && !slices.Contains(srcs, s) {
			srcs = append(srcs, s)
		}
	}
	slices.Sort(srcs)
	return srcs
}

// Static reports whether a static pass reported the finding, alone or
// beside the model.
func (f Finding) Static() bool {
	isStatic := func(s string) bool { return strings.HasPrefix(s, "static:") }
	return isStatic(f.Source) || slices.ContainsFunc(f.Sources, isStatic)
}

// better orders the evidence of two findings about one bug, best first.
func better(a, b Finding) int {
	// A run that showed the bug first, then a static pass, then a model.
	static := func(f Finding) int {
		switch {
		case f.Executed():
			return 0
		case f.Static():
			return 1
		}
		return 2
	}
	return cmp.Or(
		cmp.Compare(static(a), static(b)),
		cmp.Compare(b.Confidence, a.Confidence),
		cmp.Compare(len(b.Related), len(a.Related)),
		cmp.Compare(b.Level, a.Level))
}

// GroupCopies folds the findings of one rule that name the same copied
// type into one: x/tools' copylocks reports each copy of a value that
// holds a lock, so one type passed by value (a protobuf message in a
// hundred signatures) reads as a hundred bugs. The first place, in file
// and line order, is the finding; the others become its related
// locations, each with its own message, and the message says how many
// there are. rule is the ID of the rule to group (copylocks' rule); the
// copied type is what its message names after the last ": " and before
// " contains ". A copy of a sync type itself (a sync.Mutex copied) is its
// own mistake each time and stays apart. Other findings pass through
// unchanged; the result is sorted.
func GroupCopies(fs []Finding, rule string) []Finding {
	groups := make(map[string][]Finding)
	var out []Finding
	for _, f := range fs {
		typ, ok := copiedType(f)
		if f.RuleID != rule || !f.Static() || !ok {
			out = append(out, f)
			continue
		}
		groups[typ] = append(groups[typ], f)
	}
	types := slices.Sorted(maps.Keys(groups))
	for _, typ := range types {
		g := groups[typ]
		slices.SortStableFunc(g, compareFindings)
		kept := g[0]
		if len(g) > 1 {
			kept.Related = slices.Clone(kept.Related)
			for _, f := range g[1:] {
				loc := f.Location
				loc.Message = f.Message
				kept.Related = append(kept.Related, loc)
			}
			kept.Message = fmt.Sprintf("%s (and %d more copies of %s, listed as related locations)", kept.Message, len(g)-1, typ)
		}
		out = append(out, kept)
	}
	slices.SortStableFunc(out, compareFindings)
	return out
}

// copiedType returns the type a copylocks message names: "call of f
// copies lock value: example.com/pb.Msg contains sync.Mutex" names
// example.com/pb.Msg.
func copiedType(f Finding) (string, bool) {
	i := strings.LastIndex(f.Message, ": ")
	if i < 0 {
		return "", false
	}
	typ := f.Message[i+2:]
	if j := strings.Index(typ, " contains "); j >= 0 {
		typ = typ[:j]
	}
	if strings.HasPrefix(typ, "sync.") || strings.HasPrefix(typ, "sync/atomic.") || strings.HasPrefix(typ, "atomic.") {
		return "", false
	}
	return typ, typ != ""
}
