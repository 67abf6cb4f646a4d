package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/findings/sarif"
	"github.com/secondlook/secondlook/internal/gittest"
	"github.com/secondlook/secondlook/internal/sarifschema"
	"github.com/secondlook/secondlook/internal/testtree"
	"golang.org/x/tools/txtar"
)

// reviewMapModule writes testdata/reviewmap.txtar to a git repository in a
// temp dir: the base files committed, the new ones over them uncommitted.
func reviewMapModule(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not on PATH")
	}
	ar, err := txtar.ParseFile("testdata/reviewmap.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) { testtree.WriteFiles(t, dir, map[string]string{name: string(data)}) }
	git := func(args ...string) { gittest.Run(t, dir, args...) }
	var changed []txtar.File
	for _, f := range ar.Files {
		switch {
		case strings.HasPrefix(f.Name, "new/"):
			changed = append(changed, f)
		case strings.HasPrefix(f.Name, "base/"):
			write(strings.TrimPrefix(f.Name, "base/"), f.Data)
		default:
			write(f.Name, f.Data)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "base")
	for _, f := range changed {
		write(strings.TrimPrefix(f.Name, "new/"), f.Data)
	}
	return dir
}

func TestReviewMap(t *testing.T) {
	dir := reviewMapModule(t)
	res, err := Run(context.Background(), Config{Dir: dir, DiffBase: "HEAD"})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Report.ReviewMap
	var names []string
	for _, e := range m {
		names = append(names, e.Function)
	}
	if want := []string{"(*Store).Put", "(*Store).Name"}; !slices.Equal(names, want) {
		t.Fatalf("review map functions = %q, want %q (riskiest first)", names, want)
	}
	put, name := m[0], m[1]
	if put.Score <= name.Score {
		t.Errorf("Put scores %v, Name %v: the method taking a lock should rank first", put.Score, name.Score)
	}
	if put.File != "store/store.go" || put.StartLine != 17 || put.EndLine != 26 {
		t.Errorf("Put at %s:%d-%d, want store/store.go:17-26", put.File, put.StartLine, put.EndLine)
	}

	type site struct {
		file string
		line int
		kind string
		goes bool
	}
	var sites []site
	for _, c := range put.Callers {
		sites = append(sites, site{c.File, c.Line, c.Kind, c.Go})
	}
	wantSites := []site{
		{"api/api.go", 13, "call", false},     // serve, the HTTP handler
		{"api/api.go", 28, "call", false},     // Preload
		{"api/api.go", 35, "value", false},    // putter's method value
		{"store/store.go", 34, "call", true},  // Restock, in a goroutine
		{"store/store.go", 39, "call", false}, // reset
	}
	if !slices.Equal(sites, wantSites) {
		t.Errorf("Put's call sites:\n got %v\nwant %v", sites, wantSites)
	}
	if put.CallerPackages != 2 || !put.Exported {
		t.Errorf("Put: %d caller packages, exported %v; want 2, true", put.CallerPackages, put.Exported)
	}
	for _, ep := range []string{
		"main",
		"HTTP handler api.(*Server).serve",
		"goroutine in store.(*Store).Restock (store/store.go:34)",
		"exported API api.(*Server).Preload",
		"exported API api.Routes",
		"exported API store.(*Store).Put",
	} {
		if !slices.Contains(put.EntryPoints, ep) {
			t.Errorf("Put's entry points %q lack %q", put.EntryPoints, ep)
		}
	}
	if put.EntryPoints[0] != "main" {
		t.Errorf("Put's entry points %q should start with main", put.EntryPoints)
	}
	if !slices.ContainsFunc(put.Reasons, func(r string) bool { return strings.Contains(r, "s.mu") }) {
		t.Errorf("Put's reasons %q do not name the lock s.mu", put.Reasons)
	}
	if put.Findings != 1 || name.Findings != 0 {
		t.Errorf("findings in Put %d, in Name %d; want 1 (the lock not released), 0", put.Findings, name.Findings)
	}
	if put.Reviewed || name.Reviewed {
		t.Error("no model ran, yet the map says a function was reviewed")
	}

	if len(name.Callers) != 1 || name.Callers[0].Function != "(*Server).Title" || name.CallerPackages != 1 {
		t.Errorf("Name's callers = %+v, want one, in (*Server).Title", name.Callers)
	}
	if want := []string{"exported API api.(*Server).Title", "exported API store.(*Store).Name"}; !slices.Equal(name.EntryPoints, want) {
		t.Errorf("Name's entry points = %q, want %q", name.EntryPoints, want)
	}
	if want := []string{"no risk signals or findings in it"}; !slices.Equal(name.Reasons, want) {
		t.Errorf("Name's reasons = %q, want %q", name.Reasons, want)
	}
	if p := res.Report.Stats.CallersPartial; p != "" {
		t.Errorf("callers partial: %s; every importer should have loaded", p)
	}
	if s := findings.RiskSummary(res.Report); !strings.Contains(s, "Widest blast radius: (*Store).Put, 5 call sites in 2 packages") {
		t.Errorf("risk summary %q does not name Put's blast radius", s)
	}
}

// TestReviewMapFormats holds that every format carries the map of
// TestReviewMap's fixture: markdown leads with the method that takes the
// lock, JSON and SARIF hold the same entries, and the SARIF is valid.
func TestReviewMapFormats(t *testing.T) {
	dir := reviewMapModule(t)
	res, err := Run(context.Background(), Config{Dir: dir, DiffBase: "HEAD"})
	if err != nil {
		t.Fatal(err)
	}
	rep := res.Report
	if len(rep.ReviewMap) != 2 {
		t.Fatalf("review map has %d entries, want 2", len(rep.ReviewMap))
	}

	var md bytes.Buffer
	if err := findings.WriteMarkdown(&md, rep, findings.MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	where := strings.Index(md.String(), "### Where to look")
	put := strings.Index(md.String(), "1. **`(*Store).Put`**")
	name := strings.Index(md.String(), "2. **`(*Store).Name`**")
	table := strings.Index(md.String(), "| errors")
	if where < 0 || put < where || name < put || table < name {
		t.Errorf("markdown does not lead with the review map, Put first, then Name, then the summary table:\n%s", md.String())
	}

	var text bytes.Buffer
	if err := findings.WriteText(&text, rep, findings.TextOptions{Map: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text.String(), "Review map (riskiest first). Risk: high") ||
		!strings.Contains(text.String(), "1. store/store.go:17-26 (*Store).Put: score") {
		t.Errorf("text with the map does not start with it:\n%s", text.String())
	}
	var plain bytes.Buffer
	if err := findings.WriteText(&plain, rep, findings.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "Review map") {
		t.Errorf("text without Map prints the map:\n%s", plain.String())
	}

	var js bytes.Buffer
	if err := findings.WriteJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	var fromJSON struct {
		ReviewMap []map[string]any `json:"review_map"`
	}
	if err := json.Unmarshal(js.Bytes(), &fromJSON); err != nil {
		t.Fatal(err)
	}
	if len(fromJSON.ReviewMap) != 2 {
		t.Fatalf("JSON review_map = %v", fromJSON.ReviewMap)
	}
	var keys []string
	for k := range fromJSON.ReviewMap[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"caller_packages", "callers", "end_line", "entry_points", "exported", "file", "findings", "function", "reasons", "reviewed", "score", "start_line"}
	if !slices.Equal(keys, want) {
		t.Errorf("JSON review_map fields = %q, want %q", keys, want)
	}

	var sf bytes.Buffer
	if err := sarif.Write(&sf, rep, sarif.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := sarifschema.Validate(sf.Bytes()); err != nil {
		t.Errorf("SARIF with the review map does not validate: %v", err)
	}
	var fromSARIF struct {
		Runs []struct {
			Properties struct {
				ReviewMap []map[string]any `json:"reviewMap"`
				Risk      string           `json:"risk"`
			} `json:"properties"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(sf.Bytes(), &fromSARIF); err != nil {
		t.Fatal(err)
	}
	if len(fromSARIF.Runs) != 1 {
		t.Fatalf("SARIF has %d runs", len(fromSARIF.Runs))
	}
	if diff := cmp.Diff(fromJSON.ReviewMap, fromSARIF.Runs[0].Properties.ReviewMap); diff != "" {
		t.Errorf("SARIF's reviewMap differs from JSON's review_map (-json +sarif):\n%s", diff)
	}
	if got := fromSARIF.Runs[0].Properties.Risk; got != findings.RiskSummary(rep) {
		t.Errorf("SARIF risk = %q, want %q", got, findings.RiskSummary(rep))
	}
}
