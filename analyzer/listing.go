package analyzer

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// The go command's view of a scan's packages, asked for twice, the way go
// vet asks for it: once for the package graph, tests included, which
// compiles nothing; once for the export data of the packages that some
// package of the graph imports, which compiles what the build cache lacks.
// Nothing that no one imports is compiled: not the packages under
// analysis unless another imports them, not their test variants, not the
// generated test mains. go/packages, by contrast, asks for the export data
// of every package it lists, and with tests that is twice what go vet
// compiles (829 packages against 455 on golang.org/x/tools).
//
// The analysis cache keys packages by the listing (see cacheKeys), and the
// type checker loads from it (see loadListed).

// listing is what the go command said of some packages and their
// dependencies.
type listing struct {
	env    string             // see goEnv
	byPath map[string]*listed // by ImportPath, test variants as "p [p.test]"
}

// listed is one package of the listing.
type listed struct {
	ImportPath, Name, Dir, ForTest string
	GoFiles, CgoFiles, Imports     []string // no CompiledGoFiles: without -compiled, no cgo runs (a package to check with cgo goes to go/packages)
	Deps                           []string
	ImportMap                      map[string]string // import path in the source → ImportPath, where they differ
	Module                         *packages.Module
	Incomplete                     bool
	Error                          *listError
	DepsErrors                     []*listError

	Export string // the compiled package's file, from the second listing; "" if it did not compile
}

// listError is an error of go list -json.
type listError struct{ Pos, Err string }

// listFields are the fields of the graph listing.
const listFields = "-json=ImportPath,Name,Dir,ForTest,GoFiles,CgoFiles,Imports,ImportMap,Deps,Module,Incomplete,Error,DepsErrors"

// isTestMain reports whether p is a generated test main ("p.test").
func (p *listed) isTestMain() bool {
	return p.Name == "main" && strings.HasSuffix(p.ImportPath, ".test") && p.ForTest == ""
}

// isVariant reports whether p is a test variant: "p [p.test]", "p_test
// [p.test]", or a package recompiled against one ("q [p.test]").
func (p *listed) isVariant() bool { return strings.Contains(p.ImportPath, " [") }

// importID returns the ImportPath of what p's source imports as path.
func (p *listed) importID(path string) string {
	if id, ok := p.ImportMap[path]; ok {
		return id
	}
	return path
}

// listExports lists the packages of queries (patterns or import paths)
// with their tests unless Config.NoTests, and the packages of plain (the
// importers of a diff scan's packages, loaded for their calls) without,
// their dependencies, and the export data of those that are imported. Nil
// when the listing fails: the load then says what is wrong.
func (s *state) listExports(ctx context.Context, queries, plain []string) *listing {
	if len(queries) == 0 {
		return nil
	}
	type result struct {
		pkgs []*listed
		env  string
		err  error
	}
	envc, plainc := make(chan result, 1), make(chan result, 1)
	go func() {
		env, err := s.goEnv(ctx)
		envc <- result{env: env, err: err}
	}()
	go func() {
		if len(plain) == 0 {
			plainc <- result{}
			return
		}
		pkgs, err := s.goList(ctx, []string{"-deps", listFields}, plain)
		plainc <- result{pkgs: pkgs, err: err}
	}()
	args := []string{"-deps", listFields}
	if !s.cfg.NoTests {
		args = append(args, "-test")
	}
	pkgs, err := s.goList(ctx, args, queries)
	e, pl := <-envc, <-plainc
	if err != nil || e.err != nil {
		return nil
	}
	l := &listing{env: e.env, byPath: map[string]*listed{}}
	for _, p := range pkgs {
		l.byPath[p.ImportPath] = p
	}
	if pl.err == nil {
		// The importers' packages are listed alike in both; a test
		// variant is only in the first.
		for _, p := range pl.pkgs {
			if l.byPath[p.ImportPath] == nil {
				l.byPath[p.ImportPath] = p
			}
		}
	}
	l.compile(ctx, s)
	return l
}

// compile asks the go command for the export data of every package of the
// listing that a package other than a test main imports: what the type
// checker reads of a dependency, and what keys the analysis cache. A
// package it could not compile keeps no Export.
func (l *listing) compile(ctx context.Context, s *state) {
	need := map[string]bool{}
	for _, p := range l.byPath {
		if p.isTestMain() {
			continue
		}
		for _, id := range p.Imports {
			if id != "unsafe" && id != "C" && !strings.Contains(id, " [") {
				need[id] = true
			}
		}
	}
	if len(need) == 0 {
		return
	}
	paths := slices.Sorted(func(yield func(string) bool) {
		for id := range need {
			if !yield(id) {
				return
			}
		}
	})
	out, err := s.goList(ctx, []string{"-deps", "-export", "-json=ImportPath,Export"}, paths)
	if err != nil {
		return
	}
	for _, q := range out {
		if p := l.byPath[q.ImportPath]; p != nil {
			p.Export = q.Export
		}
	}
}

// goList runs go list -e with args and the build flags over queries and
// decodes what it prints.
func (s *state) goList(ctx context.Context, args, queries []string) ([]*listed, error) {
	args = slices.Concat([]string{"list", "-e"}, args, s.cfg.buildFlags(), []string{"--"}, queries)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = s.dir
	cmd.Env = s.cfg.Env
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	var pkgs []*listed
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		p := new(listed)
		if err := dec.Decode(p); err == io.EOF {
			return pkgs, nil
		} else if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, p)
	}
}
