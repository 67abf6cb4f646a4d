// Command vulndbgen turns reports of the Go vulnerability database into
// the cases of secondlook's vulndb corpus (eval/vulndb/cases.json).
//
// For each report module with a tagged last vulnerable version V and a
// tagged first fixed version F, it downloads both trees with the go command
// (into the module cache: no third-party source is written to the
// repository), keeps the non-test Go files of the report's packages that
// hold its symbols, and keeps the case when that change is small, F and F
// with V's files both build with the Go on this machine, and a bug function
// lies in the change. Every report module that does not become a case is
// written to the skip file with its reason.
//
// Usage:
//
//	go run ./eval/cmd/vulndbgen [-vulndb VERSION] [-o eval/vulndb/cases.json] [-skipped eval/vulndb/skipped.tsv] [-j 2] [-max N] [-max-requires N]
//
// The committed corpus: go run ./eval/cmd/vulndbgen -max 1200 -max-requires 30
//
// Outcomes are cached by report, module and versions under the user cache
// directory, so an interrupted run picks up where it stopped.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/secondlook/secondlook/eval/vulndb"
)

func main() {
	vdb := flag.String("vulndb", vulndb.Version, "the `version` of golang.org/x/vulndb to read reports from")
	out := flag.String("o", "eval/vulndb/cases.json", "write the cases to `FILE`")
	skipped := flag.String("skipped", "eval/vulndb/skipped.tsv", "write the skipped report modules and why to `FILE`")
	jobs := flag.Int("j", 2, "report modules fetched and built at once")
	maxN := flag.Int("max", 0, "stop after `N` candidates (0: all)")
	only := flag.String("only", "", "only the reports whose ID contains `TEXT`, for a look at one")
	maxReq := flag.Int("max-requires", 0, "skip modules that require more than `N` others (0: no limit): their builds take longest")
	noCache := flag.Bool("no-cache", false, "recompute every outcome")
	flag.Parse()
	if err := run(*vdb, *out, *skipped, *jobs, *maxN, *maxReq, *only, *noCache); err != nil {
		fmt.Fprintln(os.Stderr, "vulndbgen:", err)
		os.Exit(1)
	}
}

func run(version, out, skippedFile string, jobs, maxN, maxReq int, only string, noCache bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	g := vulndb.NewGo(nil)
	dirs, err := g.Download(ctx, "golang.org/x/vulndb", version)
	if err != nil {
		return fmt.Errorf("fetching the vulnerability database: %w", err)
	}
	reports, err := vulndb.ReadReports(filepath.Join(dirs[version].Dir, "data", "reports"))
	if err != nil {
		return err
	}
	if only != "" {
		reports = slices.DeleteFunc(reports, func(r *vulndb.Report) bool { return !strings.Contains(r.ID, only) })
	}
	cfg := vulndb.GenConfig{Reports: reports, Exclude: vulndb.HeldOut, Jobs: jobs, Go: g, MaxRequires: maxReq}
	cands, skips := vulndb.Candidates(cfg)
	fmt.Fprintf(os.Stderr, "%d reports, %d report modules with a tagged vulnerable and fixed version\n", len(reports), len(cands))
	cands = vulndb.Interleave(cands)
	if maxN > 0 && len(cands) > maxN {
		cands = cands[:maxN]
	}

	cacheDir := ""
	if !noCache {
		if d, err := os.UserCacheDir(); err == nil {
			cacheDir = filepath.Join(d, "secondlook", "vulndbgen", vulndb.GeneratorVersion)
			os.MkdirAll(cacheDir, 0o755)
		}
	}
	outcomes := make([]vulndb.Outcome, len(cands))
	var todo []vulndb.Candidate
	var todoIdx []int
	for i, c := range cands {
		if o, ok := cached(cacheDir, c); ok {
			outcomes[i] = o
			continue
		}
		todo = append(todo, c)
		todoIdx = append(todoIdx, i)
	}
	fmt.Fprintf(os.Stderr, "%d cached, %d to fetch and build\n", len(cands)-len(todo), len(todo))
	cfg.Progress = func(done, total int, o vulndb.Outcome) {
		what := "case"
		if o.Case == nil {
			what = "skip: " + o.Skip
		}
		fmt.Fprintf(os.Stderr, "[%d/%d] %s %s: %s\n", done, total, o.Report, o.Module, what)
		// What depends on this run's flags or fate is not an outcome.
		if o.Skip != "interrupted" && !strings.HasPrefix(o.Skip, "requires more than") {
			store(cacheDir, todo[indexOf(todo, o)], o)
		}
	}
	for j, o := range vulndb.Generate(ctx, cfg, todo) {
		outcomes[todoIdx[j]] = o
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: the outcomes so far are cached; run again to go on")
	}

	byID := map[string]*vulndb.Report{}
	for _, r := range reports {
		byID[r.ID] = r
	}
	var cases []*vulndb.Meta
	for _, o := range outcomes {
		if o.Case != nil {
			// Cached shapes keep their lines; the kind is read afresh, so
			// that a better classifier needs no new downloads.
			o.Case.Kind, o.Case.Family = vulndb.Classify(byID[o.Report])
			cases = append(cases, o.Case)
		} else {
			skips = append(skips, o)
		}
	}
	if err := writeJSON(out, cases); err != nil {
		return err
	}
	if err := writeSkips(skippedFile, skips); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d cases from %d modules written to %s; %d skipped, reasons in %s\n",
		len(cases), countModules(cases), out, len(skips), skippedFile)
	for _, r := range vulndb.CountReasons(skips) {
		fmt.Fprintf(os.Stderr, "  %5d  %s\n", r.N, r.Reason)
	}
	return nil
}

func indexOf(cands []vulndb.Candidate, o vulndb.Outcome) int {
	return slices.IndexFunc(cands, func(c vulndb.Candidate) bool { return c.Report.ID == o.Report && c.Module.Module == o.Module })
}

func countModules(cases []*vulndb.Meta) int {
	mods := map[string]bool{}
	for _, c := range cases {
		mods[c.Module] = true
	}
	return len(mods)
}

func cacheKey(c vulndb.Candidate) string {
	h := sha256.Sum256([]byte(c.Report.ID + "\x00" + c.Module.Module + "\x00" + c.Vuln + "\x00" + c.Fixed))
	return hex.EncodeToString(h[:16]) + ".json"
}

func cached(dir string, c vulndb.Candidate) (vulndb.Outcome, bool) {
	var o vulndb.Outcome
	if dir == "" {
		return o, false
	}
	data, err := os.ReadFile(filepath.Join(dir, cacheKey(c)))
	if err != nil || json.Unmarshal(data, &o) != nil || o.Report != c.Report.ID {
		return o, false
	}
	return o, true
}

func store(dir string, c vulndb.Candidate, o vulndb.Outcome) {
	if dir == "" {
		return
	}
	data, err := json.Marshal(o)
	if err != nil {
		return
	}
	tmp := filepath.Join(dir, cacheKey(c)+".tmp")
	if os.WriteFile(tmp, data, 0o644) == nil {
		os.Rename(tmp, filepath.Join(dir, cacheKey(c)))
	}
}

func writeJSON(name string, cases []*vulndb.Meta) error {
	data, err := vulndb.MarshalCases(cases)
	if err != nil {
		return err
	}
	return os.WriteFile(name, data, 0o644)
}

// workDir matches the temp directories the generator builds in, so that
// the skip file does not change from run to run.
var workDir = regexp.MustCompile(`[^ :]*secondlook-vulndb-[a-z]+-[0-9]+`)

func writeSkips(name string, skips []vulndb.Outcome) error {
	slices.SortFunc(skips, func(a, b vulndb.Outcome) int {
		return strings.Compare(a.Report+"\x00"+a.Module, b.Report+"\x00"+b.Module)
	})
	var b strings.Builder
	b.WriteString("report\tmodule\treason\tdetail\n")
	for _, s := range skips {
		detail := workDir.ReplaceAllString(strings.ReplaceAll(s.Detail, "\t", " "), "$$WORK")
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", s.Report, s.Module, s.Skip, detail)
	}
	return os.WriteFile(name, []byte(b.String()), 0o644)
}
