package pipeline

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/secondlook/secondlook/internal/testtree"
)

const claimsSrc = `package store

import "sync"

type Store struct {
	mu sync.Mutex
	m  map[string]int
}

func (s *Store) Get(k string) int {
	s.mu.Lock()
	v, ok := s.m[k]
	if !ok {
		return 0
	}
	s.mu.Unlock()
	return v
}

func (s *Store) Peek(k string) int {
	s.mu.Lock()
	v, ok := s.m[k]
	if !ok {
		//secondlook:ignore deadlock the caller unlocks on a miss
		return -1
	}
	s.mu.Unlock()
	return v
}
`

// TestCheckClaims checks an agent's claims as a model's are checked, and
// ends them as a scan ends its findings: the kept one fingerprinted, the
// one under an ignore comment suppressed, the invented one dropped.
func TestCheckClaims(t *testing.T) {
	dir := testtree.Write(t, map[string]string{"go.mod": "module example.com/store\n\ngo 1.22\n", "store/store.go": claimsSrc})
	claim := func(file string, line int, quote string) Claim {
		return Claim{Kind: "deadlock", File: file, Line: line, Quote: quote, Message: "returns with s.mu held", Confidence: 90}
	}
	got, err := CheckClaims(context.Background(), Config{Dir: dir, MaxTokens: 16_000}, []Claim{
		claim("store/store.go", 14, "return 0"),
		claim(filepath.Join(dir, "store", "store.go"), 25, "return -1"), // absolute: still the module's file
		claim("./store/store.go", 14, "s.m[k] = 0"),
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kept   bool
		reason string
		fn     string
	}{
		{true, "", "(*Store).Get"},
		{false, "suppressed", "(*Store).Peek"},
		{false, "quote-not-found", "(*Store).Get"},
	}
	if len(got.Verdicts) != len(want) {
		t.Fatalf("verdicts = %+v", got.Verdicts)
	}
	for i, v := range got.Verdicts {
		w := want[i]
		if v.Index != i || v.Kept != w.kept || v.Reason != w.reason || v.Function != w.fn || v.File != "store/store.go" || v.Kept != (v.Fingerprint != "") {
			t.Errorf("claim %d: %+v, want kept %v, reason %q, function %s", i, v, w.kept, w.reason, w.fn)
		}
	}
	rep := got.Report
	if got.Kept != 1 || got.Dropped["suppressed"] != 1 || got.Dropped["quote-not-found"] != 1 || rep.Stats.Suppressed != 1 ||
		len(rep.Findings) != 1 || rep.Category != AgentCategory || rep.Findings[0].Source != "model:agent" ||
		rep.Findings[0].Fingerprint != got.Verdicts[0].Fingerprint || rep.Findings[0].Confidence != 0.9 {
		t.Errorf("kept %d, dropped %v, report %+v", got.Kept, got.Dropped, rep)
	}
}
