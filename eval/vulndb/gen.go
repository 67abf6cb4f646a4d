package vulndb

import (
	"cmp"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/sourcegraph/conc/pool"
	"golang.org/x/mod/modfile"
)

// Limits a fix must keep to become a case: small enough that the bug is
// the change, not one of many. Measured on release diffs: most touch
// 75–300 lines in 2–7 files, which is why the change is first restricted
// to the files that hold the report's symbols.
const (
	MaxChangedLines = 80
	MaxFiles        = 3
)

// GenConfig says what [Generate] turns into cases.
type GenConfig struct {
	Reports []*Report

	// Exclude lists module paths (or path prefixes ending in "/") to leave
	// out: modules held out for an independent check.
	Exclude []string

	// Jobs is how many modules are built at once (and four times as many
	// fetched); zero means 2.
	Jobs int

	// MaxRequires, when positive, skips modules whose fixed version
	// requires more modules than this: each build compiles every
	// dependency, and the heaviest take minutes each.
	MaxRequires int

	// Go runs the go command (download, build). Nil means [NewGo] with no
	// extra environment.
	Go *Go

	// Progress, if non-nil, is called after each candidate with what
	// became of it.
	Progress func(done, total int, o Outcome)
}

// Outcome is what became of one report module: a case, or the reason it
// was skipped.
type Outcome struct {
	Report string `json:"report"`
	Module string `json:"module"`
	Case   *Meta  `json:"case,omitempty"`
	Skip   string `json:"skip,omitempty"` // why no case; "" for a case
	Detail string `json:"detail,omitempty"`
}

// Reason is the first word group of Skip, for counting skips by kind.
func (o Outcome) Reason() string { return o.Skip }

// Candidate is a report module with a tagged vulnerable and fixed version.
type Candidate struct {
	Report *Report
	Module *ReportModule
	Vuln   string
	Fixed  string
}

// Candidates lists the report modules that could become cases, and the
// outcome of those that cannot (no tagged pair, excluded, withdrawn).
func Candidates(cfg GenConfig) ([]Candidate, []Outcome) {
	var cands []Candidate
	var skipped []Outcome
	for _, r := range cfg.Reports {
		seen := map[[3]string]int{} // module, vulnerable, fixed: index in cands
		for _, m := range r.Modules {
			o := Outcome{Report: r.ID, Module: m.Module}
			vuln, fixed, why := m.VersionPair()
			switch {
			case r.Withdrawn != nil:
				o.Skip = "withdrawn"
			case m.Module == "std" || m.Module == "cmd" || m.Module == "toolchain":
				o.Skip = "the standard library or toolchain"
			case excluded(m.Module, cfg.Exclude):
				o.Skip = "held out"
			case why != "":
				o.Skip = why
			}
			if o.Skip != "" {
				skipped = append(skipped, o)
				continue
			}
			// A report may list a module twice with the same versions (one
			// entry a package): that is one fix, made into one case whose
			// scope is both entries' packages.
			k := [3]string{m.Module, vuln, fixed}
			if i, dup := seen[k]; dup {
				merged := *cands[i].Module
				merged.Packages = append(slices.Clip(merged.Packages), m.Packages...)
				cands[i].Module = &merged
				continue
			}
			seen[k] = len(cands)
			cands = append(cands, Candidate{Report: r, Module: m, Vuln: vuln, Fixed: fixed})
		}
	}
	return cands, skipped
}

// Interleave orders candidates so that any prefix spreads over the years
// and favours the surest cases: reports that name their packages come
// first, and within each group the years take turns (2020, 2021, …, then
// 2020's second report, …), so that a run stopped early (-max) still has
// reports from every year.
func Interleave(cands []Candidate) []Candidate {
	var out []Candidate
	for _, named := range []bool{true, false} {
		byYear := map[int][]Candidate{}
		var years []int
		for _, c := range cands {
			if (len(c.Module.Packages) > 0) != named {
				continue
			}
			y := c.Report.Year()
			if byYear[y] == nil {
				years = append(years, y)
			}
			byYear[y] = append(byYear[y], c)
		}
		slices.Sort(years)
		for i := 0; ; i++ {
			added := false
			for _, y := range years {
				if i < len(byYear[y]) {
					out = append(out, byYear[y][i])
					added = true
				}
			}
			if !added {
				break
			}
		}
	}
	return out
}

func excluded(mod string, list []string) bool {
	for _, x := range list {
		if mod == x || strings.HasPrefix(mod, x+"/") || (strings.HasSuffix(x, "/") && strings.HasPrefix(mod, x)) {
			return true
		}
	}
	return false
}

// Generate turns candidates into cases: for each it downloads the
// vulnerable and fixed trees, keeps the non-test Go files of the report's
// packages that hold its symbols (or, without symbols, all of them), and
// keeps the case when that change is small, both versions build, and a bug
// function lies in it. Outcomes come back in candidate order.
//
// It works in two passes. Downloading and diffing is cheap and bound by the
// network; building compiles every dependency and takes most of the time.
// So every candidate is first shaped, then the survivors are built, those
// whose module requires the fewest others first.
func Generate(ctx context.Context, cfg GenConfig, cands []Candidate) []Outcome {
	jobs := cfg.Jobs
	if jobs <= 0 {
		jobs = 2
	}
	g := cfg.Go
	if g == nil {
		g = NewGo(nil)
	}
	out := make([]Outcome, len(cands))
	shapes := make([]*shaped, len(cands))
	var done atomic.Int64
	finish := func(i int) {
		if cfg.Progress != nil {
			cfg.Progress(int(done.Add(1)), len(cands), out[i])
		}
	}
	interrupted := func(c Candidate) Outcome {
		return Outcome{Report: c.Report.ID, Module: c.Module.Module, Skip: "interrupted"}
	}

	// Downloads wait on the network, not the processor.
	p := pool.New().WithMaxGoroutines(4 * jobs)
	for i, c := range cands {
		p.Go(func() {
			if ctx.Err() != nil {
				out[i] = interrupted(c)
			} else {
				out[i], shapes[i] = shapeOne(ctx, g, c)
			}
			if shapes[i] == nil {
				finish(i)
			}
		})
	}
	p.Wait()

	var order []int
	for i, s := range shapes {
		if s != nil {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(shapes[a].requires, shapes[b].requires) })
	p = pool.New().WithMaxGoroutines(jobs)
	for _, i := range order {
		p.Go(func() {
			s := shapes[i]
			switch {
			case ctx.Err() != nil:
				out[i] = interrupted(cands[i])
			case cfg.MaxRequires > 0 && s.requires > cfg.MaxRequires:
				out[i].Skip = fmt.Sprintf("requires more than %d modules (-max-requires)", cfg.MaxRequires)
			default:
				if err := g.BuildPair(ctx, s.meta, s.fixed, s.vdir); err != nil {
					out[i].Skip, out[i].Detail = "does not build", firstLine(err.Error())
				} else {
					out[i].Case = s.meta
				}
			}
			finish(i)
		})
	}
	p.Wait()
	return out
}

// shaped is a candidate whose change is small enough, before it is built.
type shaped struct {
	meta     *Meta
	fixed    Module
	vdir     string
	requires int // modules the fixed version's go.mod requires
}

func shapeOne(ctx context.Context, g *Go, c Candidate) (Outcome, *shaped) {
	o := Outcome{Report: c.Report.ID, Module: c.Module.Module}
	skip := func(reason, detail string) (Outcome, *shaped) {
		o.Skip, o.Detail = reason, firstLine(detail)
		return o, nil
	}
	dirs, err := g.Download(ctx, c.Module.Module, c.Vuln, c.Fixed)
	if err != nil {
		return skip("download failed", err.Error())
	}
	vdir, fixed := dirs[c.Vuln].Dir, dirs[c.Fixed]
	change, why := restrict(c, vdir, fixed.Dir)
	if why != "" {
		return skip(why, "")
	}
	meta, why, err := shape(ctx, c, vdir, fixed.Dir, change)
	if err != nil {
		return skip("diff failed", err.Error())
	}
	if why != "" {
		return skip(why, "")
	}
	return o, &shaped{meta: meta, fixed: fixed, vdir: vdir, requires: requires(fixed.GoMod)}
}

// requires counts the requirements of a go.mod file; an unreadable one
// counts as many.
func requires(gomod string) int {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return math.MaxInt
	}
	f, err := modfile.ParseLax(gomod, data, nil)
	if err != nil {
		return math.MaxInt
	}
	return len(f.Require)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// restrict returns the module-relative non-test Go files that differ
// between the two trees and hold the report's symbols (or lie in its
// packages, for a report without symbols), or why there are none.
func restrict(c Candidate, vdir, fdir string) ([]string, string) {
	vfiles, ffiles := goFiles(vdir), goFiles(fdir)
	var changed []string
	for _, rel := range union(vfiles, ffiles) {
		a, aerr := os.ReadFile(filepath.Join(vdir, rel))
		b, berr := os.ReadFile(filepath.Join(fdir, rel))
		if aerr == nil && berr == nil && string(a) == string(b) {
			continue
		}
		changed = append(changed, rel)
	}
	if len(changed) == 0 {
		return nil, "no Go change between the versions"
	}
	if len(c.Module.Packages) == 0 {
		// The report names no package: the whole release diff is the fix,
		// and only a small one is taken as such.
		if len(changed) > MaxFiles {
			return nil, fmt.Sprintf("no packages listed, and the release changes more than %d files", MaxFiles)
		}
		return changed, ""
	}
	pkgDirs, symbols := reportScope(c)
	if len(pkgDirs) == 0 {
		return nil, "no package of the report lies in the module"
	}
	var kept []string
	for _, rel := range changed {
		dir := path.Dir(rel)
		syms, ok := pkgDirs[dir]
		if !ok {
			continue
		}
		if len(syms) == 0 && !symbols {
			kept = append(kept, rel)
			continue
		}
		vdecl := declaredIn(filepath.Join(vdir, rel))
		fdecl := declaredIn(filepath.Join(fdir, rel))
		if slices.ContainsFunc(syms, func(s string) bool { return vdecl[s] || fdecl[s] }) {
			kept = append(kept, rel)
		}
	}
	if len(kept) == 0 {
		if symbols {
			return nil, "the change does not touch a file holding the report's symbols"
		}
		return nil, "the change does not touch the report's packages"
	}
	if len(kept) > MaxFiles {
		return nil, fmt.Sprintf("the fix spans more than %d files", MaxFiles)
	}
	return kept, ""
}

// reportScope maps the module-relative directories of the report's
// packages to their symbols, and says whether the report lists symbols at
// all. A report that names symbols for some packages and not for others
// keeps the others' files only if they hold a symbol, which they cannot:
// the fix is where the symbols are.
func reportScope(c Candidate) (map[string][]string, bool) {
	dirs := map[string][]string{}
	symbols := false
	mod := c.Module.Module
	for _, p := range c.Module.Packages {
		var rel string
		switch {
		case p.Package == mod:
			rel = "."
		case strings.HasPrefix(p.Package, mod+"/"):
			rel = strings.TrimPrefix(p.Package, mod+"/")
		default:
			continue
		}
		dirs[rel] = append(dirs[rel], p.Symbols...)
		if len(p.Symbols) > 0 {
			symbols = true
		}
	}
	return dirs, symbols
}

// goFiles lists the module-relative non-test Go files of a module tree,
// leaving out what the go command ignores (testdata, vendor, _ and .
// directories) and generated files.
func goFiles(root string) []string {
	var files []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	return files
}

func union(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

// declaredIn returns the functions a Go file declares, named as vulndb
// names symbols: "Func", or "Type.Method" whatever the receiver's pointer
// and type parameters. A missing or unparsable file declares nothing.
func declaredIn(file string) map[string]bool {
	out := map[string]bool{}
	for _, fn := range funcsIn(file) {
		out[fn.name] = true
	}
	return out
}

type funcSpan struct {
	name       string
	start, end int
}

func funcsIn(file string) []funcSpan {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
	if err != nil && f == nil {
		return nil
	}
	var out []funcSpan
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		out = append(out, funcSpan{symbolName(fd), fset.Position(fd.Pos()).Line, fset.Position(fd.End()).Line})
	}
	return out
}

// symbolName names a function declaration as vulndb does.
func symbolName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
			continue
		case *ast.ParenExpr:
			t = x.X
			continue
		case *ast.IndexExpr:
			t = x.X
			continue
		case *ast.IndexListExpr:
			t = x.X
			continue
		}
		break
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + fd.Name.Name
	}
	return fd.Name.Name
}
