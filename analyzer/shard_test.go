package analyzer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// regionsWithIDs returns n regions with IDs shaped as newRegion makes them.
func regionsWithIDs(n int) []Region {
	rs := make([]Region, n)
	for i := range rs {
		sum := sha256.Sum256([]byte(fmt.Sprint("f.go\x00F", i)))
		rs[i] = Region{ID: hex.EncodeToString(sum[:8]), Func: fmt.Sprint("F", i), Tokens: i + 1}
	}
	return rs
}

func ids(rs []Region) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// TestShardPartition holds that the N shards are disjoint, keep the order,
// and together are exactly the whole, for every N.
func TestShardPartition(t *testing.T) {
	all := regionsWithIDs(1000)
	index := map[string]int{}
	for i, r := range all {
		index[r.ID] = i
	}
	for n := 1; n <= 7; n++ {
		owner := map[string]int{}
		for k := 1; k <= n; k++ {
			part := Shard(all, k, n)
			if n > 1 && (len(part) < len(all)/n/2 || len(part) > len(all)/n*3/2) {
				t.Errorf("shard %d/%d holds %d of %d regions: far from even", k, n, len(part), len(all))
			}
			if !slices.IsSortedFunc(part, func(a, b Region) int { return index[a.ID] - index[b.ID] }) {
				t.Errorf("shard %d/%d changed the order of the regions", k, n)
			}
			for _, r := range part {
				if prev, ok := owner[r.ID]; ok {
					t.Fatalf("region %s is in shards %d/%d and %d/%d", r.ID, prev, n, k, n)
				}
				owner[r.ID] = k
			}
		}
		if len(owner) != len(all) {
			t.Errorf("the %d shards hold %d of %d regions", n, len(owner), len(all))
		}
	}
}

// TestShardStable pins the assignment: runners on different machines and
// runs must agree on it, and a changed hash would scatter every CI runner's
// answer cache.
func TestShardStable(t *testing.T) {
	for _, tc := range []struct {
		id   string
		n    int
		want int
	}{
		// 1 + FNV-1a 64 mod n, computed apart from hash/fnv.
		{"0123456789abcdef", 4, 2},
		{"fedcba9876543210", 4, 2},
		{"5d41402abc4b2a76", 3, 3},
		{"5d41402abc4b2a76", 7, 1},
		{"", 5, 3},
		{"anything", 1, 1},
	} {
		if got := ShardOf(tc.id, tc.n); got != tc.want {
			t.Errorf("ShardOf(%q, %d) = %d, want %d", tc.id, tc.n, got, tc.want)
		}
	}
	// Twice the same input, the same parts.
	all := regionsWithIDs(50)
	if diff := cmp.Diff(ids(Shard(all, 2, 3)), ids(Shard(slices.Clone(all), 2, 3))); diff != "" {
		t.Errorf("Shard is not deterministic:\n%s", diff)
	}
}

// TestSelectionSplit splits a real selection under a binding budget: the
// shards' regions, left-out regions and tokens add up to the selection's,
// and every line of the module is reported by one shard: the shard of its
// region, or shard 1.
func TestSelectionSplit(t *testing.T) {
	res := loadFixture(t, Config{})
	sel := Select(res, SelectConfig{MaxRegions: 2})
	if len(sel.Regions) == 0 || len(sel.LeftOut) == 0 {
		t.Fatalf("fixture selection: %d regions, %d left out; want some of each", len(sel.Regions), len(sel.LeftOut))
	}
	if got, reports := sel.Split(ShardSpec{}); got != sel || !reports("any.go", 1) {
		t.Errorf("the zero ShardSpec changed the selection")
	}
	const n = 3
	var regions, leftOut []string
	tokens := 0
	owners := map[string][]int{} // "file:line" → the shards reporting it
	for k := 1; k <= n; k++ {
		part, reports := sel.Split(ShardSpec{K: k, N: n})
		regions = append(regions, ids(part.Regions)...)
		leftOut = append(leftOut, ids(part.LeftOut)...)
		tokens += part.TotalTokens
		for _, f := range res.Files {
			for line := 1; line <= 60; line++ {
				if reports(f, line) {
					key := fmt.Sprintf("%s:%d", f, line)
					owners[key] = append(owners[key], k)
				}
			}
		}
	}
	slices.Sort(regions)
	slices.Sort(leftOut)
	wantRegions, wantLeftOut := ids(sel.Regions), ids(sel.LeftOut)
	slices.Sort(wantRegions)
	slices.Sort(wantLeftOut)
	if diff := cmp.Diff(wantRegions, regions); diff != "" {
		t.Errorf("the shards' regions are not the selection's (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantLeftOut, leftOut); diff != "" {
		t.Errorf("the shards' left-out regions are not the selection's (-want +got):\n%s", diff)
	}
	if tokens != sel.TotalTokens {
		t.Errorf("the shards' tokens add up to %d, want %d", tokens, sel.TotalTokens)
	}
	for _, f := range res.Files {
		for line := 1; line <= 60; line++ {
			key := fmt.Sprintf("%s:%d", f, line)
			want := 1
			for _, r := range append(slices.Clone(sel.Regions), sel.LeftOut...) {
				if r.File == f && r.Start <= line && line <= r.End {
					want = ShardOf(r.ID, n) // the fixture's regions do not nest
				}
			}
			if got := owners[key]; !slices.Equal(got, []int{want}) {
				t.Errorf("%s is reported by shards %v, want %d", key, got, want)
			}
		}
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ShardSpec
	}{
		{"1/1", ShardSpec{1, 1}},
		{"2/4", ShardSpec{2, 4}},
		{" 3/3 ", ShardSpec{3, 3}},
		{"10/12", ShardSpec{10, 12}},
	} {
		got, err := ParseShard(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"0/3", "4/3", "a/b", "3", "", "1/0", "-1/2", "1/2/3", "1/-2", "1 / 2"} {
		if got, err := ParseShard(in); !errors.Is(err, ErrBadShard) {
			t.Errorf("ParseShard(%q) = %v, %v; want an error wrapping ErrBadShard", in, got, err)
		}
	}
}

func TestShardPanicsOnBadPart(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("Shard(_, 4, 3) did not panic")
		}
	}()
	Shard(regionsWithIDs(3), 4, 3)
}
