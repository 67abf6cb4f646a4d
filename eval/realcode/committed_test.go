package realcode

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secondlook/secondlook/findings"
)

func committed(t *testing.T) ([]Module, []Entry) {
	t.Helper()
	mods, err := ReadModulesFile("modules.txt")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := ReadTriageFile("triage.tsv", false)
	if err != nil {
		t.Fatal(err)
	}
	return mods, entries
}

// findings/measured.go is what -gen writes from the committed triage.tsv:
// regenerate it (go run ./eval/cmd/triage -gen) after editing the triage.
func TestMeasuredUpToDate(t *testing.T) {
	mods, entries := committed(t)
	want, err := GenGo(Tally(entries), mods)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", "findings", "measured.go"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("findings/measured.go is stale: run go run ./eval/cmd/triage -gen (-want +got):\n%s", diff)
	}
	// And the findings package reads back what the triage says.
	for _, c := range Tally(entries) {
		r, _ := findings.RuleByID(c.Rule)
		m, ok := r.Measured()
		if !ok || m.Findings != c.Findings || m.True != c.True || m.False != c.False {
			t.Errorf("findings.Measured(%s) = %+v, %v; the triage has %+v", c.Rule, m, ok, c)
		}
	}
}

// The committed files hold what the method promises: at least ten pinned
// modules, none of the held-out ones, every verdict on a pinned module and
// under a rule of the catalogue.
func TestCommittedTriage(t *testing.T) {
	mods, entries := committed(t)
	if len(mods) < 10 {
		t.Errorf("modules.txt pins %d modules, want at least 10", len(mods))
	}
	heldOut := []string{
		"hashicorp/memberlist", "prometheus/client_golang", "segmentio/kafka-go", "dgraph-io/badger",
		"redis/go-redis", "nats-io/nats.go", "jackc/pgx", "valyala/fasthttp", "go-sql-driver/mysql",
		"uber-go/zap", "tidwall/gjson", "buger/jsonparser", "gomarkdown/markdown", "go-yaml", "goccy/go-yaml",
		"dhowden/tag", "evanphx/json-patch", "gin-gonic/gin", "go-chi/chi", "go-resty/resty",
		"gorilla/schema", "hashicorp/go-retryablehttp", "holiman/uint256", "hashicorp/go-slug",
		"labstack/echo", "pion/dtls", "pion/stun",
	}
	for _, m := range mods {
		for _, h := range heldOut {
			if strings.Contains(m.Path, h) {
				t.Errorf("modules.txt pins %s, which is held out for another check", m)
			}
		}
	}
	for _, e := range Unpinned(entries, mods) {
		t.Errorf("triage.tsv: %s %s %s: the module is not in modules.txt", e.Module, e.Rule, e.Pos())
	}
	for _, e := range entries {
		r, ok := findings.RuleByID(e.Rule)
		if !ok || r.ID != e.Rule {
			t.Errorf("triage.tsv: %s %s %s: %s is not a rule ID of the catalogue", e.Module, e.Rule, e.Pos(), e.Rule)
		} else if r.Level < findings.LevelWarning {
			t.Errorf("triage.tsv: %s %s %s: %s is a %s rule; only warning and above are triaged", e.Module, e.Rule, e.Pos(), e.Rule, r.Level)
		}
	}
}

// docs/benchmark.md shows the table that the committed triage gives.
func TestBenchmarkDocTable(t *testing.T) {
	_, entries := committed(t)
	var b strings.Builder
	if err := Table(&b, Tally(entries)); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "benchmark.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), b.String()) {
		t.Errorf("docs/benchmark.md, \"Precision on real code\", lacks the table of triage.tsv: paste the output of go run ./eval/cmd/triage -table:\n%s", b.String())
	}
}
