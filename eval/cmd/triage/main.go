// Command triage checks secondlook's static pass against the verdicts of
// eval/realcode/triage.tsv on the modules pinned in eval/realcode/modules.txt.
//
//	go run ./eval/cmd/triage [module ...]   check: scan, then list findings with no verdict (exit 1)
//	go run ./eval/cmd/triage -prune         check, and drop the verdicts that match no finding
//	go run ./eval/cmd/triage -table         the per-rule table, as markdown (no scan)
//	go run ./eval/cmd/triage -gen           write findings/measured.go (no scan)
//	go run ./eval/cmd/triage -fmt           sort triage.tsv (no scan)
//
// The check downloads each module with the go command (so it needs the
// module proxy, or a warm module cache), copies it under the user cache
// directory (reused across runs) and scans it in-process. Naming modules
// (their paths) checks only those.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/secondlook/secondlook/eval/realcode"
)

const usage = `usage: go run ./eval/cmd/triage [-work DIR] [-prune] [module ...]
       go run ./eval/cmd/triage -table | -gen | -fmt

Run from secondlook's repository. The default checks that every static
finding at warning or above on the pinned modules has a verdict in
eval/realcode/triage.tsv.
`

func main() {
	os.Exit(run())
}

func run() int {
	var (
		table = flag.Bool("table", false, "write the per-rule table of triage.tsv as markdown to stdout (no scan)")
		gen   = flag.Bool("gen", false, "write findings/measured.go from triage.tsv (no scan)")
		fmtF  = flag.Bool("fmt", false, "rewrite triage.tsv sorted (no scan)")
		prune = flag.Bool("prune", false, "after the check, drop from triage.tsv the verdicts that match no finding")
		work  = flag.String("work", "", "copy the modules under `DIR` (default: secondlook/realcode in the user cache directory)")
	)
	flag.Usage = func() {
		fmt.Fprint(os.Stderr, usage)
		flag.PrintDefaults()
	}
	flag.Parse()
	modes := 0
	for _, b := range []bool{*table, *gen, *fmtF, *prune} {
		if b {
			modes++
		}
	}
	if modes > 1 {
		return fail("use one of -table, -gen, -fmt and -prune")
	}
	if (*table || *gen || *fmtF) && flag.NArg() > 0 {
		return fail("-table, -gen and -fmt read the whole triage file: name no module")
	}

	root, err := repoRoot()
	if err != nil {
		return fail("%v", err)
	}
	modsPath := filepath.Join(root, "eval", "realcode", "modules.txt")
	triagePath := filepath.Join(root, "eval", "realcode", "triage.tsv")
	mods, err := realcode.ReadModulesFile(modsPath)
	if err != nil {
		return fail("%v", err)
	}
	entries, err := realcode.ReadTriageFile(triagePath, *fmtF)
	if err != nil {
		return fail("%v", err)
	}

	switch {
	case *table:
		if err := realcode.Table(os.Stdout, realcode.Tally(entries)); err != nil {
			return fail("%v", err)
		}
		return 0
	case *gen:
		src, err := realcode.GenGo(realcode.Tally(entries), mods)
		if err != nil {
			return fail("%v", err)
		}
		out := filepath.Join(root, "findings", "measured.go")
		if err := os.WriteFile(out, src, 0o644); err != nil {
			return fail("%v", err)
		}
		fmt.Fprintf(os.Stderr, "triage: wrote %s from %d verdicts\n", out, len(entries))
		return 0
	case *fmtF:
		if err := writeTriage(triagePath, entries); err != nil {
			return fail("%v", err)
		}
		return 0
	}

	if bad := realcode.Unpinned(entries, mods); len(bad) > 0 {
		for _, e := range bad {
			fmt.Fprintf(os.Stderr, "triage: %s %s %s: %s is not in modules.txt\n", e.Module, e.Rule, e.Pos(), e.Module)
		}
		return fail("triage.tsv has verdicts on modules that are not pinned: pin the module or drop its lines")
	}
	selected, err := selectModules(mods, flag.Args())
	if err != nil {
		return fail("%v", err)
	}
	workRoot := *work
	if workRoot == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return fail("no user cache directory (%v): name one with -work", err)
		}
		workRoot = filepath.Join(cache, "secondlook", "realcode")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	env := realcode.ScanEnv()
	var found []realcode.Found
	broken := 0
	start := time.Now()
	for i, m := range selected {
		t0 := time.Now()
		fmt.Fprintf(os.Stderr, "triage: [%d/%d] %s: ", i+1, len(selected), m)
		dir, err := realcode.Fetch(ctx, m, workRoot, env)
		if err != nil {
			fmt.Fprintln(os.Stderr)
			return fail("%v", err)
		}
		s, err := realcode.Scan(ctx, m, dir, env)
		if err != nil {
			fmt.Fprintln(os.Stderr)
			return fail("%v", err)
		}
		fmt.Fprintf(os.Stderr, "%d packages, %d findings at warning or above, %d below (%.1fs)\n",
			s.Packages, len(s.Found), s.Below, time.Since(t0).Seconds())
		for _, f := range s.Failures {
			fmt.Fprintf(os.Stderr, "triage:   failed: %s\n", f)
		}
		if len(s.Failures) > 0 {
			broken++
		}
		found = append(found, s.Found...)
	}
	res := realcode.Match(found, entries, selected)

	for _, f := range res.Shared {
		fmt.Fprintf(os.Stderr, "triage: note: %s %s %s is reported more than once; one verdict covers it\n", f.Module, f.Rule, f.Pos())
	}
	if len(res.Stale) > 0 {
		verb := "remove them (go run ./eval/cmd/triage -prune), or find what moved them"
		if *prune {
			verb = "dropping them"
		}
		fmt.Fprintf(os.Stderr, "triage: warning: %d verdicts match no finding (a detector no longer reports them): %s\n", len(res.Stale), verb)
		for _, e := range res.Stale {
			fmt.Fprintf(os.Stderr, "triage:   stale: %s\t%s\t%s\t%s\t%s\n", e.Module, e.Rule, e.Pos(), e.Verdict, e.Why)
		}
		if *prune {
			keep := res.Pruned(entries)
			if err := writeTriage(triagePath, keep); err != nil {
				return fail("%v", err)
			}
			fmt.Fprintf(os.Stderr, "triage: wrote %s: %d verdicts (then run go run ./eval/cmd/triage -gen)\n", triagePath, len(keep))
		}
	}
	if broken > 0 {
		return fail("%d modules did not scan whole (see the failures above): their findings are not all known", broken)
	}
	if len(res.Missing) > 0 {
		fmt.Fprintf(os.Stderr, "triage: %d findings have no verdict. Add these lines to eval/realcode/triage.tsv, read the code at each line (under %s), replace ? with true, harmless, intended or false and the message with why, then run go run ./eval/cmd/triage -fmt and -gen:\n", len(res.Missing), workRoot)
		for _, f := range res.Missing {
			fmt.Println(f.Line())
		}
		return 1
	}
	fmt.Fprintf(os.Stderr, "triage: %d modules, %d findings at warning or above, each with a verdict (%.0fs)\n",
		len(selected), len(found), time.Since(start).Seconds())
	return 0
}

func fail(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "triage: "+format+"\n", args...)
	return 1
}

// repoRoot finds secondlook's repository root from the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			first, _, _ := strings.Cut(string(b), "\n")
			if strings.TrimSpace(first) == "module github.com/secondlook/secondlook" {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("not inside secondlook's repository: run go run ./eval/cmd/triage from its root")
		}
		dir = parent
	}
}

// writeTriage rewrites the triage file whole, through a temp file.
func writeTriage(path string, entries []realcode.Entry) error {
	var b bytes.Buffer
	if err := realcode.WriteTriage(&b, entries); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// selectModules returns the pinned modules named by path (all when none
// is named).
func selectModules(mods []realcode.Module, names []string) ([]realcode.Module, error) {
	if len(names) == 0 {
		return mods, nil
	}
	var out []realcode.Module
	for _, n := range names {
		i := slices.IndexFunc(mods, func(m realcode.Module) bool { return m.Path == n || m.String() == n })
		if i < 0 {
			return nil, fmt.Errorf("%s is not pinned in eval/realcode/modules.txt", n)
		}
		out = append(out, mods[i])
	}
	return out, nil
}
