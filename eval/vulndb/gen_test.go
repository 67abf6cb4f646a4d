package vulndb

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secondlook/secondlook/eval"
)

const decodeVuln = `package wire

import "encoding/binary"

// Decoder reads length-prefixed frames.
type Decoder struct {
	buf []byte
	off int
}

// Next returns the next frame.
func (d *Decoder) Next() []byte {
	n := int(binary.BigEndian.Uint16(d.buf[d.off:]))
	d.off += 2
	frame := d.buf[d.off : d.off+n]
	d.off += n
	return frame
}
`

const decodeFixed = `package wire

import "encoding/binary"

// Decoder reads length-prefixed frames.
type Decoder struct {
	buf []byte
	off int
}

// Next returns the next frame, or nil when the input is too short.
func (d *Decoder) Next() []byte {
	if len(d.buf)-d.off < 2 {
		return nil
	}
	n := int(binary.BigEndian.Uint16(d.buf[d.off:]))
	d.off += 2
	if n > len(d.buf)-d.off {
		return nil
	}
	frame := d.buf[d.off : d.off+n]
	d.off += n
	return frame
}
`

// The fix also touched files that hold none of the report's symbols: they
// stay out of the case.
var parseModule = map[string]version{
	"v1.0.0": {
		"go.mod":           "module example.com/parse\n\ngo 1.21\n",
		"wire/decode.go":   decodeVuln,
		"wire/doc.go":      "// Package wire decodes frames.\npackage wire\n",
		"cmd/tool/main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"tool 1.0.0\") }\n",
	},
	"v1.0.1": {
		"go.mod":           "module example.com/parse\n\ngo 1.21\n",
		"wire/decode.go":   decodeFixed,
		"wire/doc.go":      "// Package wire decodes length-prefixed frames.\npackage wire\n",
		"cmd/tool/main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"tool 1.0.1\") }\n",
	},
}

// The fix adds a helper in the symbol's file and calls it from another:
// reverting the symbol's file alone does not build.
var splitModule = map[string]version{
	"v0.3.0": {
		"go.mod":  "module example.com/split\n\ngo 1.21\n",
		"auth.go": "package split\n\n// Allowed reports whether user may act.\nfunc Allowed(user string) bool {\n\treturn user != \"\"\n}\n",
		"use.go":  "package split\n\nfunc use() bool { return Allowed(\"x\") }\n",
	},
	"v0.3.1": {
		"go.mod":  "module example.com/split\n\ngo 1.21\n",
		"auth.go": "package split\n\n// Allowed reports whether user may act.\nfunc Allowed(user string) bool {\n\treturn user != \"\" && !banned(user)\n}\n\nfunc banned(user string) bool { return user == \"root\" }\n",
		"use.go":  "package split\n\nfunc use() bool { return Allowed(\"x\") && !banned(\"y\") }\n",
	},
}

func bigModule() map[string]version {
	var a, b strings.Builder
	a.WriteString("package big\n\nfunc Sum(xs []int) int {\n\ts := 0\n")
	b.WriteString("package big\n\nfunc Sum(xs []int) int {\n\ts := 0\n")
	for i := 0; i < 60; i++ {
		a.WriteString("\ts += xs[0]\n")
		b.WriteString("\ts += len(xs)\n")
	}
	a.WriteString("\treturn s\n}\n")
	b.WriteString("\treturn s\n}\n")
	return map[string]version{
		"v1.2.0": {"go.mod": "module example.com/big\n\ngo 1.21\n", "big.go": a.String()},
		"v1.2.1": {"go.mod": "module example.com/big\n\ngo 1.21\n", "big.go": b.String()},
	}
}

const reportsYAML = `
GO-2024-0001: |
    id: GO-2024-0001
    modules:
        - module: example.com/parse
          versions:
            - fixed: 1.0.1
          vulnerable_at: 1.0.0
          packages:
            - package: example.com/parse/wire
              symbols:
                - Decoder.Next
    summary: Panic due to index out of range in example.com/parse
    references:
        - fix: https://example.com/parse/commit/abc
GO-2024-0002: |
    id: GO-2024-0002
    modules:
        - module: example.com/big
          versions:
            - fixed: 1.2.1
          vulnerable_at: 1.2.0
          packages:
            - package: example.com/big
    summary: Integer overflow in example.com/big
GO-2024-0003: |
    id: GO-2024-0003
    modules:
        - module: example.com/split
          versions:
            - fixed: 0.3.1
          vulnerable_at: 0.3.0
          packages:
            - package: example.com/split
              symbols:
                - Allowed
    summary: Authorization bypass in example.com/split
GO-2024-0004: |
    id: GO-2024-0004
    modules:
        - module: github.com/gin-gonic/gin
          versions:
            - fixed: 1.9.1
          vulnerable_at: 1.9.0
    summary: Held out
GO-2024-0005: |
    id: GO-2024-0005
    modules:
        - module: example.com/pseudo
          versions:
            - fixed: 0.1.1-0.20240101000000-abcdefabcdef
          vulnerable_at: 0.1.0
    summary: Fixed at a commit
`

// writeReports writes the reports above as a vulndb data/reports folder.
func writeReports(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var id string
	var body strings.Builder
	flush := func() {
		if id != "" {
			os.WriteFile(filepath.Join(dir, id+".yaml"), []byte(body.String()), 0o644)
		}
		body.Reset()
	}
	for _, line := range strings.Split(reportsYAML, "\n") {
		if strings.HasPrefix(line, "GO-") {
			flush()
			id = strings.TrimSuffix(strings.TrimSuffix(line, " |"), ":")
			continue
		}
		body.WriteString(strings.TrimPrefix(line, "    ") + "\n")
	}
	flush()
	return dir
}

func generate(t *testing.T) ([]*Meta, map[string]string, *Go) {
	t.Helper()
	env := testProxy(t, map[string]map[string]version{
		"example.com/parse": parseModule,
		"example.com/split": splitModule,
		"example.com/big":   bigModule(),
	})
	reports, err := ReadReports(writeReports(t))
	if err != nil {
		t.Fatal(err)
	}
	g := NewGo(env)
	cfg := GenConfig{Reports: reports, Exclude: HeldOut, Go: g}
	cands, skipped := Candidates(cfg)
	skips := map[string]string{}
	for _, o := range skipped {
		skips[o.Report] = o.Skip
	}
	var cases []*Meta
	for _, o := range Generate(context.Background(), cfg, cands) {
		if o.Case != nil {
			cases = append(cases, o.Case)
		} else {
			skips[o.Report] = o.Skip
		}
	}
	return cases, skips, g
}

func TestGenerate(t *testing.T) {
	cases, skips, _ := generate(t)
	wantSkips := map[string]string{
		"GO-2024-0002": "the fix changes more than 80 lines",
		"GO-2024-0003": "does not build",
		"GO-2024-0004": "held out",
		"GO-2024-0005": "the fixed version is not tagged",
	}
	if diff := cmp.Diff(wantSkips, skips); diff != "" {
		t.Errorf("skips (-want +got):\n%s", diff)
	}
	want := []*Meta{{
		ID: "GO-2024-0001", Module: "example.com/parse", Vulnerable: "v1.0.0", Fixed: "v1.0.1", Year: 2024,
		Kind: "out-of-bounds", Family: "panic", Summary: "Panic due to index out of range in example.com/parse",
		FixCommits: []string{"https://example.com/parse/commit/abc"},
		// doc.go and cmd/tool changed too, but hold no symbol of the report.
		Files: []string{"wire/decode.go"},
		// The revert changes the comment and deletes both checks: the bug
		// lies on the changed line and between the lines around each gap.
		ChangedLines: 8,
		BugLines: []Lines{
			{File: "wire/decode.go", Start: 11, End: 11},
			{File: "wire/decode.go", Start: 12, End: 13},
			{File: "wire/decode.go", Start: 14, End: 15},
		},
		Functions: []string{"Decoder.Next"},
		Scope:     "symbols",
	}}
	if diff := cmp.Diff(want, cases); diff != "" {
		t.Errorf("cases (-want +got):\n%s", diff)
	}
}

// TestCasesRun runs the generated case through eval, statically and with
// the oracle, from the module proxy, both of its shapes.
func TestCasesRun(t *testing.T) {
	metas, _, g := generate(t)
	if len(metas) != 1 {
		t.Fatalf("want 1 case, got %d", len(metas))
	}
	cases := Cases(metas, g)
	var names []string
	for _, c := range cases {
		names = append(names, c.Name)
	}
	if diff := cmp.Diff([]string{"GO-2024-0001-revert", "GO-2024-0001-fix"}, names); diff != "" {
		t.Fatalf("case names (-want +got):\n%s", diff)
	}

	rep, err := eval.Run(context.Background(), eval.Config{Cases: cases, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Error != "" || len(r.Failures) > 0 {
			t.Fatalf("%s: error %q, failures %q", r.Name, r.Error, r.Failures)
		}
	}
	revert, fix := rep.Results[0], rep.Results[1]
	if !revert.Diff || !fix.Diff || revert.Regions == 0 {
		t.Errorf("revert: diff %v, %d regions; fix: diff %v", revert.Diff, revert.Regions, fix.Diff)
	}
	if rep.Figures.Bugs != 1 || rep.Figures.CleanCases != 1 || rep.OracleRecall != 1 {
		t.Errorf("bugs %d, clean cases %d, bugs in a region %v: want 1, 1, 1", rep.Bugs, rep.CleanCases, rep.OracleRecall)
	}
	if revert.Rank == nil || !revert.Rank.Selected || revert.Rank.Position != 1 || !revert.Rank.Top {
		t.Errorf("rank of Decoder.Next in a full scan of wire: %+v, want selected first", revert.Rank)
	}
	if rep.Figures.RegionTokens == 0 {
		t.Error("no region tokens counted")
	}

	orep, err := eval.Run(context.Background(), eval.Config{Cases: Cases(metas, g), Jobs: 2, Oracle: true})
	if err != nil {
		t.Fatal(err)
	}
	if orep.Model != "oracle" || orep.Recall != 1 || orep.Results[1].Figures.FalsePositives != orep.Results[1].Static.FalsePositives {
		t.Errorf("oracle: model %q, recall %v, fix-case false positives %d (static %d): want oracle, 1, only static",
			orep.Model, orep.Recall, orep.Results[1].Figures.FalsePositives, orep.Results[1].Static.FalsePositives)
	}
}

// TestCandidatesMergeRepeatedModule: a report that lists one module twice
// with the same versions (an entry a package) is one fix, so one case,
// whose scope holds both entries' packages; the first entry is left as read.
func TestCandidatesMergeRepeatedModule(t *testing.T) {
	entry := func(pkg string) *ReportModule {
		m := &ReportModule{Module: "example.com/m", VulnerableAt: "1.0.0", Packages: []ReportPackage{{Package: pkg}}}
		m.Versions = append(m.Versions, struct {
			Introduced string `yaml:"introduced"`
			Fixed      string `yaml:"fixed"`
		}{Fixed: "1.0.1"})
		return m
	}
	first, second := entry("example.com/m/a"), entry("example.com/m/b")
	other := entry("example.com/m/c")
	other.Module = "example.com/m/v2"
	r := &Report{ID: "GO-2024-0009", Modules: []*ReportModule{first, second, other}}
	cands, skipped := Candidates(GenConfig{Reports: []*Report{r}})
	if len(skipped) != 0 {
		t.Errorf("skipped %v", skipped)
	}
	var got []string
	for _, c := range cands {
		var pkgs []string
		for _, p := range c.Module.Packages {
			pkgs = append(pkgs, p.Package)
		}
		got = append(got, c.Module.Module+" "+c.Vuln+" "+c.Fixed+" "+strings.Join(pkgs, ","))
	}
	want := []string{
		"example.com/m v1.0.0 v1.0.1 example.com/m/a,example.com/m/b",
		"example.com/m/v2 v1.0.0 v1.0.1 example.com/m/c",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("candidates (-want +got):\n%s", diff)
	}
	if len(first.Packages) != 1 {
		t.Errorf("the report's first entry was changed: %v", first.Packages)
	}
}
