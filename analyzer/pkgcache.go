package analyzer

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/gob"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The per-package result cache.
//
// What [Run] learns of a package — its functions with their code, context
// and calls, the raw diagnostics of every pass, the token counts of the
// functions that will be regions — is a function of:
//
//   - the package's Go files (and, with tests, its test files and external
//     test package), by content;
//   - the export data of every package it depends on, transitively, as the
//     go command compiled it: the type checker sees a dependency through
//     nothing else (facts are not followed into dependencies);
//   - the go toolchain, GOOS and GOARCH, the module's path and go directive;
//   - secondlook itself: its passes, their weights, how functions are cut
//     ([toolID]), and whether the x/tools passes run (Config.NoStatic).
//
// Config.Demote is applied after the cache, so the precision gate may change
// without a miss. The key is the sha256 of all of that. A hit skips parsing,
// type-checking and every pass: only `go list -export` runs, which the go
// command answers from its build cache.
//
// Export data, not the whole compiled archive, is hashed: an edit inside a
// function body that moves no declaration and changes no inlinable body
// leaves its importers' export data as it was, and their entries hit. An
// edit that changes the package's API, a declaration's line or an
// inlinable body changes its export data, and every package above it
// misses (a dependency's position can appear in a diagnostic's related
// locations, so that is right, not merely safe).
//
// Only packages that loaded and analysed cleanly are stored: a package with
// an error, or whose tests do not load, is analysed every time, so what the
// user is fixing is never answered from the past.

// Store keeps the per-package results between runs. *cache.Cache is one;
// a nil Store in Config keeps nothing.
type Store interface {
	Get(key string) ([]byte, bool)
	Put(key string, data []byte) error
}

// recordVersion names the layout of pkgRecord; change it with the layout.
const recordVersion = "secondlook analysis record 1"

// pkgRecord is what the analysis of one package (its import path: the
// variants analysed for it, tests included) hands on, before Config.Demote
// and before other packages share the result: stored as it is, restored by
// apply.
type pkgRecord struct {
	Files  []string  // module-relative files turned into Funcs
	Funcs  []*Func   // without signals: apply adds them from Diags
	Vars   []*Func   // package variables' calls
	Diags  []rawDiag // every diagnostic in the package's own files, in the passes' order
	Tokens []funcTokens
}

// rawDiag is a diagnostic before apply sorts it into a finding, a signal or
// a demoted finding.
type rawDiag struct {
	Diagnostic
	Signal bool    // a risk signal, of this weight
	Weight float64 //
}

// funcTokens are the token counts of the code and context of Funcs[Func],
// counted once when a function has signals or findings (a region to be).
type funcTokens struct {
	Func          int
	Code, Context int
}

func encodeRecord(r *pkgRecord) ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func decodeRecord(data []byte) (*pkgRecord, bool) {
	var r pkgRecord
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&r); err != nil {
		return nil, false
	}
	for _, t := range r.Tokens {
		if t.Func < 0 || t.Func >= len(r.Funcs) {
			return nil, false
		}
	}
	return &r, true
}

// cacheKeys returns the cache key of each of paths that may be stored, from
// the listing: a path whose listing shows any error has none, and with no
// listing, none has.
func (s *state) cacheKeys(l *listing, paths []string) map[string]string {
	tool := toolID()
	if l == nil || tool == "" {
		return nil
	}
	env, tests := l.env, !s.cfg.NoTests
	byPath := l.byPath
	groups := map[string][]*listed{}
	want := map[string]bool{}
	for _, p := range paths {
		want[p] = true
	}
	for _, p := range byPath {
		switch {
		case p.ForTest != "" && want[p.ForTest]:
			groups[p.ForTest] = append(groups[p.ForTest], p)
		case want[p.ImportPath]:
			groups[p.ImportPath] = append(groups[p.ImportPath], p)
		}
	}

	files := map[string]string{}   // absolute name → sha256 of its content
	exports := map[string]string{} // export file → hash of its export data
	keys := map[string]string{}
	for _, path := range paths {
		group := groups[path]
		if len(group) == 0 || s.noTests[path] {
			continue
		}
		slices.SortFunc(group, func(a, b *listed) int { return strings.Compare(a.ImportPath, b.ImportPath) })
		h := sha256.New()
		part := func(ss ...string) {
			for _, x := range ss {
				var n [8]byte
				binary.BigEndian.PutUint64(n[:], uint64(len(x)))
				h.Write(n[:])
				io.WriteString(h, x)
			}
		}
		part(recordVersion, tool, env, s.mod.Path, s.mod.GoVersion, strconv.FormatBool(s.cfg.NoStatic), strconv.FormatBool(tests), path)
		ok := true
		var deps []string
	group:
		for _, p := range group {
			if p.Incomplete || p.Error != nil || len(p.DepsErrors) > 0 {
				ok = false
				break
			}
			part("package", p.ImportPath, p.Name)
			for _, f := range slices.Concat(p.GoFiles, p.CgoFiles) {
				abs := f
				if !filepath.IsAbs(f) {
					abs = filepath.Join(p.Dir, f)
				}
				sum, seen := files[abs]
				if !seen {
					sum = fileSum(abs)
					files[abs] = sum
				}
				if sum == "" {
					ok = false
					break group
				}
				name := filepath.Base(abs)
				if s.ownFile(abs) {
					name = s.rel(abs)
				}
				part("file", name, sum)
			}
			deps = append(deps, p.Deps...)
		}
		if !ok {
			continue
		}
		slices.Sort(deps)
		for _, d := range slices.Compact(deps) {
			dp := byPath[d]
			switch {
			case dp == nil:
				ok = false
			case dp.Export != "":
				sum, seen := exports[dp.Export]
				if !seen {
					sum = exportSum(dp.Export)
					exports[dp.Export] = sum
				}
				ok = sum != ""
				part("dep", d, sum)
			case dp.isVariant():
				// A package recompiled against the test variant ("q
				// [p.test]", ForTest p) is not compiled; it is in the
				// group, so its files are in the key.
				part("dep", d)
			case d == "unsafe":
				part("dep", d)
			default:
				ok = false // not compiled: it does not build
			}
			if !ok {
				break
			}
		}
		if ok {
			keys[path] = hex.EncodeToString(h.Sum(nil))
		}
	}
	return keys
}

// goEnv returns what of the go command's environment shapes an analysis
// and is not in the files or export data: the target and the toolchain.
func (s *state) goEnv(ctx context.Context) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "env", "GOOS", "GOARCH", "GOVERSION", "GOEXPERIMENT")
	cmd.Dir = s.dir
	cmd.Env = s.cfg.Env
	out, err := cmd.Output()
	return string(out), err
}

// fileSum returns the hex sha256 of a file's content, "" if it cannot be
// read.
func fileSum(name string) string {
	f, err := os.Open(name)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// exportSum returns the hex sha256 of the export data in a compiled
// package: the __.PKGDEF member of the archive the go command wrote, less
// its "build id" line, which names the whole archive (object code
// included) and so changes with any edit. "" if it cannot be read. A file
// that is not an archive is hashed whole.
func exportSum(name string) string {
	f, err := os.Open(name)
	if err != nil {
		return ""
	}
	defer f.Close()
	r := bufio.NewReader(f)
	h := sha256.New()
	var head [8 + 60]byte
	if _, err := io.ReadFull(r, head[:]); err != nil || string(head[:8]) != "!<arch>\n" || !strings.HasPrefix(string(head[8:]), "__.PKGDEF ") {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return ""
		}
		if _, err := io.Copy(h, f); err != nil {
			return ""
		}
		return hex.EncodeToString(h.Sum(nil))
	}
	size, err := strconv.ParseInt(strings.TrimSpace(string(head[8+48:8+58])), 10, 64)
	if err != nil || size < 0 {
		return ""
	}
	lr := bufio.NewReader(io.LimitReader(r, size))
	for {
		line, err := lr.ReadSlice('\n')
		if bytes.HasPrefix(line, []byte("$$")) {
			h.Write(line)
			break // the export data proper, to the end of the member
		}
		if !bytes.HasPrefix(line, []byte("build id ")) {
			h.Write(line)
		}
		if err == bufio.ErrBufferFull {
			// A header line longer than the buffer: hash the rest as it is.
			break
		}
		if err != nil {
			return hex.EncodeToString(h.Sum(nil))
		}
	}
	if _, err := io.Copy(h, lr); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

var (
	toolOnce sync.Once
	toolHash string
)

// toolID names this build of secondlook: the go command's build ID of the
// running executable (on ELF systems; elsewhere a hash of the executable),
// whose last part is a hash of the executable's content, so any change to the code (a dev build, uncommitted edits, a
// test binary) gives another. The module version would not do: a dev build
// is "(devel)", and vcs.revision stays the same across uncommitted edits
// (and go test stamps none). If the build ID cannot be found, the whole
// executable is hashed; "" if even that fails, and nothing is cached.
func toolID() string {
	toolOnce.Do(func() {
		exe, err := os.Executable()
		if err != nil {
			return
		}
		if id := elfBuildID(exe); id != "" {
			toolHash = "buildid " + id
			return
		}
		f, err := os.Open(exe)
		if err != nil {
			return
		}
		defer f.Close()
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return
		}
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return
		}
		toolHash = "sha256 " + hex.EncodeToString(h.Sum(nil))
	})
	return toolHash
}

// elfBuildID returns the Go build ID of an ELF executable, from the note
// the linker writes for it (section .note.go.buildid: name "Go", type 4, the
// ID as its description), as cmd/internal/buildid reads it; "" for another
// format or when there is none.
func elfBuildID(name string) string {
	f, err := elf.Open(name)
	if err != nil {
		return ""
	}
	defer f.Close()
	sec := f.Section(".note.go.buildid")
	if sec == nil {
		return ""
	}
	b, err := sec.Data()
	if err != nil || len(b) < 16 {
		return ""
	}
	bo := f.ByteOrder
	namesz, descsz, typ := bo.Uint32(b), bo.Uint32(b[4:]), bo.Uint32(b[8:])
	if namesz != 4 || typ != 4 || string(b[12:16]) != "Go\x00\x00" || int(descsz) > len(b)-16 || descsz == 0 {
		return ""
	}
	return string(b[16 : 16+descsz])
}

// restore applies the stored records of paths and returns the paths not
// restored, for the load.
func (s *state) restore(paths []string, keys map[string]string) []string {
	var todo []string
	for _, p := range paths {
		key, ok := keys[p]
		var rec *pkgRecord
		if ok {
			if data, hit := s.cfg.Cache.Get(key); hit {
				rec, ok = decodeRecord(data)
			} else {
				ok = false
			}
		}
		if !ok {
			todo = append(todo, p)
			continue
		}
		s.res.Cached++
		s.apply(rec)
	}
	return todo
}

// store keeps rec under the key of path, if it has one. An entry that
// cannot be written costs the next run its time, nothing more.
func (s *state) store(path string, rec *pkgRecord, keys map[string]string) {
	key, ok := keys[path]
	if !ok || s.cfg.Cache == nil {
		return
	}
	data, err := encodeRecord(rec)
	if err != nil {
		return
	}
	s.cfg.Cache.Put(key, data)
}

// countRegionTokens counts the tokens of the functions of rec that have a
// diagnostic or signal in them: the regions a full scan will make of them.
func countRegionTokens(rec *pkgRecord) {
	byFile := map[string][]*Func{}
	for _, f := range rec.Funcs {
		byFile[f.File] = append(byFile[f.File], f)
	}
	index := map[*Func]int{}
	for i, f := range rec.Funcs {
		index[f] = i
	}
	counted := map[*Func]bool{}
	for _, d := range rec.Diags {
		fn := Enclosing(byFile[d.File], d.File, d.Line)
		if fn == nil || counted[fn] {
			continue
		}
		counted[fn] = true
		rec.Tokens = append(rec.Tokens, funcTokens{Func: index[fn], Code: CountTokens(fn.Code), Context: CountTokens(fn.Context)})
	}
}

// tokenMemo keeps the token counts a Result made or restored.
type tokenMemo struct {
	mu     sync.Mutex
	counts map[string]int
	store  Store // Config.Cache: counts of long texts, between runs
}

// minStoredTokenText is the length from which a text's token count is kept
// in the cache: counting a long prompt costs milliseconds, reading an entry
// a fraction of one; a short text is counted faster than it is looked up.
const minStoredTokenText = 512

// CountTokens counts the tokens of s as the package-level [CountTokens]
// does, answering from the counts the analysis already made of functions'
// code and context (restored with them from Config.Cache), and, with a
// cache, from the counts of long texts (rendered prompts) of earlier runs.
// Give it to [SelectConfig.CountTokens]. Safe for concurrent use.
func (r *Result) CountTokens(s string) int {
	m := r.tokens
	if m == nil {
		return CountTokens(s)
	}
	m.mu.Lock()
	n, ok := m.counts[s]
	m.mu.Unlock()
	if ok {
		return n
	}
	var key string
	if m.store != nil && len(s) >= minStoredTokenText {
		h := sha256.New()
		io.WriteString(h, recordVersion+" tokens o200k_base\x00")
		io.WriteString(h, s)
		key = hex.EncodeToString(h.Sum(nil))
		if b, ok := m.store.Get(key); ok && len(b) == 8 {
			n = int(binary.BigEndian.Uint64(b))
			m.mu.Lock()
			m.counts[s] = n
			m.mu.Unlock()
			return n
		}
	}
	n = CountTokens(s)
	if key != "" {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(n))
		m.store.Put(key, b[:])
	}
	m.mu.Lock()
	m.counts[s] = n
	m.mu.Unlock()
	return n
}

func (r *Result) addTokens(rec *pkgRecord) {
	r.tokens.mu.Lock()
	defer r.tokens.mu.Unlock()
	for _, t := range rec.Tokens {
		f := rec.Funcs[t.Func]
		r.tokens.counts[f.Code] = t.Code
		r.tokens.counts[f.Context] = t.Context
	}
}

// errPath returns the import path a PackageError's Package belongs to: a
// test variant's or external test package's is its package's.
func errPath(pkg string) string {
	if i := strings.Index(pkg, " ["); i >= 0 {
		pkg = pkg[:i]
	}
	return strings.TrimSuffix(pkg, "_test")
}
