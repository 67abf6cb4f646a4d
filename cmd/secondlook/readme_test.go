package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secondlook/secondlook/findings"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the README's rule table from the catalogue")

const (
	rulesBegin = "<!-- rules:begin (generated from the catalogue: go test ./cmd/secondlook -update-readme) -->\n"
	rulesEnd   = "<!-- rules:end -->"
)

// TestReadmeRuleTable keeps the README's rule table equal to the catalogue,
// the one source of `secondlook rules`, `explain` and SARIF rules[].
func TestReadmeRuleTable(t *testing.T) {
	name := filepath.Join("..", "..", "README.md")
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i, j := strings.Index(text, rulesBegin), strings.Index(text, rulesEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the rule table markers %q … %q", rulesBegin, rulesEnd)
	}
	want := findings.RulesTable()
	got := text[i+len(rulesBegin) : j]
	if got == want {
		return
	}
	if *updateReadme {
		text = text[:i+len(rulesBegin)] + want + text[j:]
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's rule table is out of date: go test ./cmd/secondlook -run TestReadmeRuleTable -update-readme")
}
