package analyzer

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Sharding splits the regions of one scan across N CI runners, so that each
// reviews a part and `secondlook merge` joins their reports.
//
// A region belongs to shard 1 + FNV-1a(ID) mod N. The ID is a hash of the
// region's file, function and code, so every runner, on every run, puts a
// region in the same shard without talking to the others: the parts are
// disjoint, and together they are exactly the regions of the unsharded scan.
// A region keeps its shard while its code is unchanged, so a runner's answer
// cache stays useful from one run to the next.

// A ShardSpec names part K of N (1-based) of a scan's regions. The zero value,
// and any N ≤ 1, is the whole.
type ShardSpec struct {
	K, N int
}

// ErrBadShard is wrapped by the errors of [ParseShard].
var ErrBadShard = errors.New("bad shard")

// ParseShard parses "K/N" with 1 ≤ K ≤ N, as `--shard` takes it.
func ParseShard(s string) (ShardSpec, error) {
	ks, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	k, kerr := strconv.Atoi(ks)
	n, nerr := strconv.Atoi(ns)
	switch {
	case !ok || kerr != nil || nerr != nil:
		return ShardSpec{}, fmt.Errorf("%w %q: want K/N, part K of N (1-based), e.g. 2/4", ErrBadShard, s)
	case n < 1 || k < 1 || k > n:
		return ShardSpec{}, fmt.Errorf("%w %q: want 1 ≤ K ≤ N, e.g. 2/4", ErrBadShard, s)
	}
	return ShardSpec{K: k, N: n}, nil
}

// Whole reports whether s names every region.
func (s ShardSpec) Whole() bool { return s.N <= 1 }

func (s ShardSpec) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }

// ShardOf returns the shard, 1 to n, that holds the region with this ID.
func ShardOf(id string, n int) int {
	if n <= 1 {
		return 1
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	return int(h.Sum64()%uint64(n)) + 1
}

// Shard returns the regions of part k of n, in their order. It panics unless
// 1 ≤ k ≤ n: callers check what users give with [ParseShard].
func Shard(regions []Region, k, n int) []Region {
	if k < 1 || k > n {
		panic(fmt.Sprintf("analyzer.Shard: part %d of %d", k, n))
	}
	var out []Region
	for _, r := range regions {
		if ShardOf(r.ID, n) == k {
			out = append(out, r)
		}
	}
	return out
}

// Split returns the part of the selection that shard s reviews, its share
// of the kept regions and of those left out, and reports which static
// findings the shard reports: those in its regions.
//
// The budget was applied before, to the whole scan, so the shards of a
// selection are a partition of it: sharding changes where regions are
// reviewed, never which or at what cost. A static finding belongs to the
// shard of the innermost region around it (kept or left out), or to shard 1
// when no region holds it; so each is reported once, by the process that
// reviews its region, where it merges with what the model says of the same
// bug, and the shards' reports merge into the unsharded one.
func (sel *Selection) Split(s ShardSpec) (part *Selection, reports func(file string, line int) bool) {
	if s.Whole() {
		return sel, func(string, int) bool { return true }
	}
	part = &Selection{
		Regions: Shard(sel.Regions, s.K, s.N),
		LeftOut: Shard(sel.LeftOut, s.K, s.N),
	}
	for _, r := range part.Regions {
		part.TotalTokens += r.Tokens
	}
	byFile := map[string][]*Region{}
	for _, rs := range [][]Region{sel.Regions, sel.LeftOut} {
		for i := range rs {
			byFile[rs[i].File] = append(byFile[rs[i].File], &rs[i])
		}
	}
	reports = func(file string, line int) bool {
		var in *Region
		for _, r := range byFile[file] {
			if r.Start <= line && line <= r.End && (in == nil || r.End-r.Start < in.End-in.Start) {
				in = r
			}
		}
		if in == nil {
			return s.K == 1
		}
		return ShardOf(in.ID, s.N) == s.K
	}
	return part, reports
}
