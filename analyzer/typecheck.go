package analyzer

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/gcexportdata"
	"golang.org/x/tools/go/packages"
)

// loadListed loads the packages of paths as load does through go/packages
// (the same packages, IDs, files, syntax, types and errors), from the
// listing instead of a go list of its own: the packages, their test
// variants and the packages recompiled against those are parsed and
// type-checked from source; every other dependency is read from the export
// data the listing compiled. It declines (false) what the listing cannot
// serve, and the caller loads those with go/packages: a package with a
// listing error in it or its dependencies, cgo in a package to check, a
// dependency without export data. Those are the broken and the unusual;
// go/packages words their errors.
//
// The packages of plain load without their tests, as the importers of a
// diff scan's packages do.
func (s *state) loadListed(ctx context.Context, tests bool, paths, plain []string) ([]*packages.Package, bool) {
	l := s.exports
	if l == nil || ctx.Err() != nil {
		return nil, false
	}
	ld := &typeLoader{
		l:      l,
		fset:   token.NewFileSet(),
		sizes:  types.SizesFor("gc", goarch(l.env)),
		nodes:  map[string]*tcNode{},
		parsed: map[string]*parsedFile{},
	}
	var roots []*tcNode
	variantOf := map[*tcNode]string{} // a root test variant → its package
	for i, path := range slices.Concat(paths, plain) {
		if l.byPath[path] == nil {
			return nil, false
		}
		ids := []string{path}
		if tests && i < len(paths) {
			tv, xt := path+" ["+path+".test]", path+"_test ["+path+".test]"
			if l.byPath[tv] != nil {
				ids[0] = tv
			}
			if l.byPath[xt] != nil {
				ids = append(ids, xt)
			}
		}
		for i, id := range ids {
			n := ld.node(id)
			n.src = true
			roots = append(roots, n)
			if i == 0 && id != path {
				variantOf[n] = path
			}
		}
	}
	if !ld.plan(roots) {
		return nil, false
	}
	var wg sync.WaitGroup
	for _, n := range roots {
		wg.Go(func() { ld.load(n) })
	}
	wg.Wait()

	pkgs := make([]*packages.Package, 0, len(roots))
	for _, n := range roots {
		pkgs = append(pkgs, n.pkg)
		if path, ok := variantOf[n]; ok && !usable(n.pkg) {
			// go/packages lists the package beside its test variant; it
			// is analysed, without its tests, when they do not
			// type-check (see pickVariants). Checked apart from the
			// graph: another root may import it from export data.
			p := &tcNode{l: l.byPath[path], src: true}
			p.types = types.NewPackage(pkgPath(p.l), p.l.Name)
			ld.check(p)
			pkgs = append(pkgs, p.pkg)
		}
	}
	if ctx.Err() != nil {
		return nil, false
	}
	return pkgs, true
}

// typeLoader loads one batch of packages.
type typeLoader struct {
	l     *listing
	fset  *token.FileSet
	sizes types.Sizes
	nodes map[string]*tcNode // by ImportPath; complete before loading starts

	exportMu sync.Mutex // export data reads fill packages that others share

	parseMu sync.Mutex
	parsed  map[string]*parsedFile // by file name: a package and its test variant share files
}

// tcNode is a package of the batch's import graph.
type tcNode struct {
	l     *listed
	types *types.Package // made before any loading, so that export data fills, not makes, the packages it names
	src   bool           // parsed and type-checked
	read  bool           // read from export data: a dependency the sources import
	once  sync.Once

	pkg      *packages.Package // of a src node
	err      error             // why the export data of a read node could not be read
	illTyped bool
}

type parsedFile struct {
	once sync.Once
	f    *ast.File
	err  error
}

// cpuLimit bounds the parsing and type-checking going on at once.
var cpuLimit = make(chan struct{}, runtime.GOMAXPROCS(0))

func (ld *typeLoader) node(id string) *tcNode {
	n := ld.nodes[id]
	if n == nil {
		p := ld.l.byPath[id]
		if p == nil {
			return nil
		}
		n = &tcNode{l: p, types: types.NewPackage(pkgPath(p), p.Name)}
		ld.nodes[id] = n
	}
	return n
}

// pkgPath is the package path of a listed package: its ImportPath less the
// test variant's " [p.test]".
func pkgPath(p *listed) string {
	path, _, _ := strings.Cut(p.ImportPath, " [")
	return path
}

// plan marks what the roots need: the test variants they import are
// checked from source (go list recompiles them against the variant under
// test), every other import is read from export data. It makes a node for
// each package the roots reach, and reports whether the listing serves
// them all.
func (ld *typeLoader) plan(roots []*tcNode) bool {
	queue := append([]*tcNode(nil), roots...)
	seen := map[*tcNode]bool{}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if seen[n] {
			continue
		}
		seen[n] = true
		for _, id := range n.l.Imports {
			if id == "C" {
				continue // cgo: a package to check declines below
			}
			m := ld.node(id)
			if m == nil {
				return false
			}
			if n.src {
				if m.l.isVariant() {
					m.src = true
				} else if !m.src {
					m.read = true
				}
			}
			queue = append(queue, m)
		}
	}
	for n := range seen {
		p := n.l
		if n.src && (p.Incomplete || p.Error != nil || len(p.DepsErrors) > 0 || len(p.CgoFiles) > 0 || len(p.GoFiles) == 0) {
			return false
		}
		if n.read && !n.src && p.Export == "" && p.ImportPath != "unsafe" {
			return false
		}
	}
	// A package marked src after it was reached as read is not read.
	for n := range seen {
		n.read = n.read && !n.src
	}
	return true
}

// load loads n after everything it imports: a package's export data, and
// the type checker, find the packages it names complete.
func (ld *typeLoader) load(n *tcNode) {
	n.once.Do(func() {
		var wg sync.WaitGroup
		for _, id := range n.l.Imports {
			if m := ld.nodes[id]; m != nil {
				wg.Go(func() { ld.load(m) })
			}
		}
		wg.Wait()
		switch {
		case n.src:
			ld.check(n)
		case n.read:
			ld.readExport(n)
		}
	})
}

// readExport reads the export data of n into the packages of its
// dependencies, as go/packages does.
func (ld *typeLoader) readExport(n *tcNode) {
	if n.l.ImportPath == "unsafe" {
		n.types = types.Unsafe
		return
	}
	ld.exportMu.Lock()
	defer ld.exportMu.Unlock()
	n.illTyped = true
	f, err := os.Open(n.l.Export)
	if err != nil {
		n.err = err
		return
	}
	defer f.Close()
	r, err := gcexportdata.NewReader(f)
	if err != nil {
		n.err = fmt.Errorf("reading %s: %v", n.l.Export, err)
		return
	}
	view := map[string]*types.Package{}
	for _, id := range n.l.Deps {
		if m := ld.nodes[id]; m != nil {
			view[m.types.Path()] = m.types
		}
	}
	tp, err := gcexportdata.Read(r, ld.fset, view, n.types.Path())
	if err != nil {
		n.err = fmt.Errorf("reading %s: %v", n.l.Export, err)
		return
	}
	n.types, n.illTyped = tp, false
}

// check parses and type-checks n from source.
func (ld *typeLoader) check(n *tcNode) {
	p := n.l
	pkg := &packages.Package{
		ID:         p.ImportPath,
		Name:       p.Name,
		PkgPath:    n.types.Path(),
		Dir:        p.Dir,
		ForTest:    p.ForTest,
		Module:     p.Module,
		Fset:       ld.fset,
		Types:      n.types,
		TypesSizes: ld.sizes,
		TypesInfo: &types.Info{
			Types:        map[ast.Expr]types.TypeAndValue{},
			Defs:         map[*ast.Ident]types.Object{},
			Uses:         map[*ast.Ident]types.Object{},
			Implicits:    map[ast.Node]types.Object{},
			Instances:    map[*ast.Ident]types.Instance{},
			Scopes:       map[ast.Node]*types.Scope{},
			Selections:   map[*ast.SelectorExpr]*types.Selection{},
			FileVersions: map[*ast.File]string{},
		},
	}
	n.pkg = pkg
	for _, f := range p.GoFiles {
		if !filepath.IsAbs(f) {
			f = filepath.Join(p.Dir, f)
		}
		pkg.GoFiles = append(pkg.GoFiles, f)
	}
	pkg.CompiledGoFiles = pkg.GoFiles

	addError := func(err error) {
		switch err := err.(type) {
		case *os.PathError:
			pkg.Errors = append(pkg.Errors, packages.Error{Pos: err.Path + ":1", Msg: err.Err.Error(), Kind: packages.ParseError})
		case scanner.ErrorList:
			for _, e := range err {
				pkg.Errors = append(pkg.Errors, packages.Error{Pos: e.Pos.String(), Msg: e.Msg, Kind: packages.ParseError})
			}
		case types.Error:
			pkg.TypeErrors = append(pkg.TypeErrors, err)
			pkg.Errors = append(pkg.Errors, packages.Error{Pos: err.Fset.Position(err.Pos).String(), Msg: err.Msg, Kind: packages.TypeError})
		default:
			pkg.Errors = append(pkg.Errors, packages.Error{Pos: "-", Msg: err.Error(), Kind: packages.UnknownError})
		}
	}

	cpuLimit <- struct{}{}
	defer func() { <-cpuLimit }()
	for _, name := range pkg.CompiledGoFiles {
		f, err := ld.parse(name)
		if err != nil {
			addError(err)
		}
		if f != nil {
			pkg.Syntax = append(pkg.Syntax, f)
		}
	}
	conf := &types.Config{
		Importer: importerFunc(func(path string) (*types.Package, error) {
			if path == "unsafe" {
				return types.Unsafe, nil
			}
			m := ld.nodes[p.importID(path)]
			switch {
			case m == nil:
				return nil, fmt.Errorf("no metadata for %s", path)
			case m.err != nil:
				return nil, m.err
			}
			return m.types, nil
		}),
		Error: addError,
		Sizes: ld.sizes,
	}
	if p.Module != nil && p.Module.GoVersion != "" {
		conf.GoVersion = "go" + p.Module.GoVersion
	}
	err := types.NewChecker(conf, ld.fset, n.types, pkg.TypesInfo).Files(pkg.Syntax)
	if err != nil && len(pkg.Errors) == 0 {
		addError(err)
	}
	n.illTyped = len(pkg.Errors) > 0
	for _, id := range p.Imports {
		if m := ld.nodes[id]; m != nil && m.illTyped {
			n.illTyped = true
		}
	}
	pkg.IllTyped = n.illTyped
}

// parse parses a file once for the batch, as go/packages does (it keeps
// the ast.Object resolution that older passes rely on).
func (ld *typeLoader) parse(name string) (*ast.File, error) {
	ld.parseMu.Lock()
	pf := ld.parsed[name]
	if pf == nil {
		pf = &parsedFile{}
		ld.parsed[name] = pf
	}
	ld.parseMu.Unlock()
	pf.once.Do(func() {
		src, err := os.ReadFile(name)
		if err != nil {
			pf.err = err
			return
		}
		pf.f, pf.err = parser.ParseFile(ld.fset, name, src, parser.AllErrors|parser.ParseComments)
	})
	return pf.f, pf.err
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// goarch is GOARCH in the output of goEnv.
func goarch(env string) string {
	if lines := strings.Split(env, "\n"); len(lines) > 1 && lines[1] != "" {
		return lines[1]
	}
	return runtime.GOARCH
}
