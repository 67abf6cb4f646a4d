package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/secondlook/secondlook/internal/llm/llmtest"
	"github.com/secondlook/secondlook/internal/testtree"
)

// shardModule is a module with several regions, two of them with a bug the
// fake model reports, one of which the static pass reports too; the static
// pass reports a third.
var shardModule = map[string]string{
	"go.mod": "module example.com/shards\n\ngo 1.22\n",
	"a/a.go": `package a

import "sync"

type T struct{ n int }

var mu sync.Mutex

func Find(m map[string]*T, k string) int {
	t := m[k]
	if t == nil {
		return t.n
	}
	return 0
}

func Count(m map[string]int) {
	mu.Lock()
	m["x"]++
	if m["y"] > 0 {
		return
	}
	mu.Unlock()
}
`,
	"b/b.go": `package b

func Spawn(ch chan int) {
	for i := 0; i < 3; i++ {
		go func() { ch <- i }()
	}
}

func Wait(ch chan int) int {
	select {
	case v := <-ch:
		return v
	}
}
`,
}

var (
	fakeFuncLine   = regexp.MustCompile(`(?m)^\s*\d+[+ ]\| func (\w+)\(`)
	fakeNumbered   = regexp.MustCompile(`(?m)^\s*(\d+)[+ ]\| (.*)$`)
	shardFakeClaim = map[string]string{ // a line's code → the kind claimed
		"return t.n":      "nil-dereference", // the static pass reports it too
		"case v := <-ch:": "goroutine-leak",
	}
)

// shardFakeModel claims the bugs of shardModule in the regions that hold them.
func shardFakeModel(r *llmtest.Request) llmtest.Reply {
	var claims []any
	for _, m := range fakeNumbered.FindAllStringSubmatch(r.Last("user"), -1) {
		code := strings.TrimSpace(m[2])
		if kind, ok := shardFakeClaim[code]; ok {
			line, _ := strconv.Atoi(m[1])
			claims = append(claims, map[string]any{"kind": kind, "line": line, "end_line": line, "quote": code,
				"message": "the fake model saw " + kind, "explanation": "x", "confidence": 0.9})
		}
	}
	b, _ := json.Marshal(map[string]any{"findings": claims})
	return llmtest.Reply{Content: string(b), PromptTokens: 100, CompletionTokens: 10}
}

// TestShardedReviewMerges reviews a module with a model whole and in three
// shards: every region is asked once, by one shard, and the shards' SARIF
// merge into the whole scan's, byte for byte.
func TestShardedReviewMerges(t *testing.T) {
	dir := testtree.Write(t, shardModule)
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	t.Setenv("SECONDLOOK_MODEL", "")
	srv := llmtest.NewServer(t, shardFakeModel)
	asked := func(from int) []string {
		var fns []string
		for _, r := range srv.Requests()[from:] {
			for _, m := range fakeFuncLine.FindAllStringSubmatch(r.Last("user"), 1) {
				fns = append(fns, m[1])
			}
		}
		slices.Sort(fns)
		return fns
	}
	scan := func(out string, extra ...string) {
		t.Helper()
		args := append([]string{"secondlook", "scan", "-q", "-C", dir, "--base-url", srv.URL, "--model", "fake",
			"--no-cache", "--format", "sarif", "-o", out}, extra...)
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), args, nil, &stdout, &stderr); code != exitOK {
			t.Fatalf("%v: exit code %d\n%s", extra, code, stderr.String())
		}
	}
	whole := filepath.Join(dir, "whole.sarif")
	scan(whole)
	wholeAsked := asked(0)
	if len(wholeAsked) < 4 {
		t.Fatalf("the whole scan asked about %v: want more regions than shards", wholeAsked)
	}
	var shardAsked []string
	var shards []string
	for k := 1; k <= 3; k++ {
		from := len(srv.Requests())
		name := filepath.Join(dir, fmt.Sprintf("shard-%d.sarif", k))
		scan(name, "--shard", fmt.Sprintf("%d/3", k))
		shardAsked = append(shardAsked, asked(from)...)
		shards = append(shards, name)
	}
	slices.Sort(shardAsked)
	if !slices.Equal(shardAsked, wholeAsked) {
		t.Errorf("the shards asked about %v, the whole scan about %v: want each region once", shardAsked, wholeAsked)
	}
	results := sarifResults(t, whole)
	if len(results) < 3 {
		t.Errorf("whole scan results = %v, want two static findings and the fake model's two, one of them merged", results)
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), append([]string{"secondlook", "merge"}, shards...), nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("merge: exit code %d\n%s", code, stderr.String())
	}
	want, err := os.ReadFile(whole)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stdout.Bytes(), want) {
		t.Errorf("the merged shards differ from the whole scan:\n%s", lineDiff(string(want), stdout.String()))
	}
}

// lineDiff shows the first lines where two texts differ.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(al), len(bl)); i++ {
		if i >= len(al) || i >= len(bl) || al[i] != bl[i] {
			lo, hi := max(0, i-3), min(i+5, len(al), len(bl))
			return fmt.Sprintf("line %d:\n--- whole\n%s\n--- merged\n%s", i+1,
				strings.Join(al[lo:min(hi, len(al))], "\n"), strings.Join(bl[lo:min(hi, len(bl))], "\n"))
		}
	}
	return ""
}

// sarifResults returns "category file:line" for each result of a SARIF file.
func sarifResults(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			AutomationDetails struct {
				ID string `json:"id"`
			} `json:"automationDetails"`
			Results []struct {
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out []string
	for _, run := range log.Runs {
		for _, r := range run.Results {
			loc := r.Locations[0].PhysicalLocation
			out = append(out, fmt.Sprintf("%s %s:%d", run.AutomationDetails.ID, loc.ArtifactLocation.URI, loc.Region.StartLine))
		}
	}
	slices.Sort(out)
	return out
}
