package review

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/secondlook/secondlook/internal/cache"
	"github.com/secondlook/secondlook/internal/llm/llmtest"
)

// TestCorruptCacheEntryIsAskedAgain damages one cached answer after a first
// run, in each of the ways a crash, a full disk or a bad CI cache restore
// damages a file, and checks that the next run asks the model again for
// that region only (one request), answers the other from the cache, finds
// what the first run found, and stores the answer whole again.
func TestCorruptCacheEntryIsAskedAgain(t *testing.T) {
	damage := []struct {
		name string
		do   func([]byte) []byte
	}{
		{"empty", func([]byte) []byte { return nil }},
		{"truncated header", func(b []byte) []byte { return b[:10] }},
		{"truncated data", func(b []byte) []byte { return b[:len(b)-5] }},
		{"flipped data byte", func(b []byte) []byte { b = slices.Clone(b); b[len(b)-3] ^= 0x20; return b }},
		{"flipped checksum byte", func(b []byte) []byte { b = slices.Clone(b); b[20] ^= 1; return b }},
		{"longer length", func(b []byte) []byte { b = slices.Clone(b); b[15]++; return b }},
		{"extra bytes", func(b []byte) []byte { return append(slices.Clone(b), `,"x":1}`...) }},
		{"garbage", func(b []byte) []byte { return bytes.Repeat([]byte{0xff}, len(b)) }},
		{"other magic", func(b []byte) []byte { b = slices.Clone(b); copy(b, "slcache0"); return b }},
	}
	for i, d := range damage {
		t.Run(d.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, noisyModel)
			dir := t.TempDir()
			store, err := cache.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{Client: client(t, srv.URL, nil), Model: "fake", Lines: lines, Cache: store}
			first := Run(context.Background(), regions(), cfg)
			if len(first.Failures) > 0 || srv.Count() != 2 {
				t.Fatalf("first run: %d requests, failures %v", srv.Count(), first.Failures)
			}

			entries := entryFiles(t, dir)
			if len(entries) != 2 {
				t.Fatalf("cache holds %d entries after two answers, want 2: %v", len(entries), entries)
			}
			victim := entries[i%len(entries)]
			orig, err := os.ReadFile(victim)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(victim, d.do(orig), 0o644); err != nil {
				t.Fatal(err)
			}

			second := Run(context.Background(), regions(), cfg)
			reqs := srv.Requests()[2:]
			if len(reqs) != 1 {
				t.Fatalf("second run sent %d requests, want 1 for the damaged entry", len(reqs))
			}
			if second.Stats.CacheHits != 1 || len(second.Failures) > 0 {
				t.Errorf("second run: %d cache hits (want 1), failures %v", second.Stats.CacheHits, second.Failures)
			}
			if got, want := findingKeys(second), findingKeys(first); !slices.Equal(got, want) {
				t.Errorf("second run found %v, first %v", got, want)
			}
			// The model answers the same prompt the same way, so the entry
			// written again is the entry the first run wrote.
			again, err := os.ReadFile(victim)
			if err != nil || !bytes.Equal(again, orig) {
				t.Errorf("the damaged entry was not stored whole again (err %v)", err)
			}

			third := Run(context.Background(), regions(), cfg)
			if srv.Count() != 3 || third.Stats.CacheHits != 2 {
				t.Errorf("third run: %d new requests and %d cache hits, want 0 and 2", srv.Count()-3, third.Stats.CacheHits)
			}
		})
	}
}

// entryFiles lists the cache entries under dir, sorted; the temporary files
// of interrupted writes, if any, are not entries.
func entryFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if name := d.Name(); len(name) == 64 && !strings.ContainsAny(name, ".-_") {
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func findingKeys(r *Result) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.RuleID+" "+f.Location.File+":"+strconv.Itoa(f.Location.Line)+" "+f.Message)
	}
	slices.Sort(out)
	return out
}
