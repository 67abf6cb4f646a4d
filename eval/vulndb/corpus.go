// Package vulndb is secondlook's real-world corpus: cases made from the Go
// vulnerability database (golang.org/x/vulndb, a module on the proxy).
//
// A case is a vulnerability whose fix is small. Only its metadata is
// committed (cases.json: report, module, versions, files, bug lines,
// functions, a kind mapped from the report); the trees are downloaded with
// the go command when the case runs, into the module cache, so a second run
// works offline. Each case runs twice: as the pull request that reverts the
// fix (the bug is at BugLines) and as the fix itself (a clean pull request:
// any finding is a false positive). cmd/vulndbgen writes cases.json.
package vulndb

import (
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/secondlook/secondlook/eval"
)

// Version is the golang.org/x/vulndb version the committed cases come
// from.
const Version = "v0.0.0-20261105234957-e22db6528018"

// GeneratorVersion changes when the generator would shape a case
// differently; cached outcomes of another version are not reused.
const GeneratorVersion = "1"

// HeldOut are modules left out of the corpus: an independent check uses
// them, so nothing here may be tuned to them. The second group is the
// pinned real-code set of another check.
var HeldOut = []string{
	"github.com/tidwall/gjson", "github.com/buger/jsonparser", "github.com/gomarkdown/markdown",
	"gopkg.in/yaml.v2", "gopkg.in/yaml.v3", "github.com/go-yaml/yaml", "go.yaml.in/yaml/", "github.com/goccy/go-yaml",
	"github.com/dhowden/tag", "github.com/evanphx/json-patch", "gopkg.in/evanphx/json-patch.v4", "github.com/gin-gonic/gin",
	"github.com/go-chi/chi", "github.com/go-resty/resty", "gopkg.in/resty.v1", "github.com/gorilla/schema",
	"github.com/hashicorp/go-retryablehttp", "github.com/holiman/uint256", "github.com/hashicorp/go-slug",
	"github.com/labstack/echo", "github.com/pion/dtls", "github.com/pion/stun",

	"github.com/hashicorp/memberlist", "github.com/prometheus/client_golang", "github.com/segmentio/kafka-go",
	"github.com/dgraph-io/badger", "github.com/redis/go-redis", "github.com/go-redis/redis", "github.com/nats-io/nats.go",
	"github.com/jackc/pgx", "github.com/valyala/fasthttp", "github.com/go-sql-driver/mysql", "go.uber.org/zap",
}

//go:embed cases.json
var casesJSON []byte

// Load returns the committed cases.
func Load() ([]*Meta, error) {
	return ParseCases(casesJSON)
}

// ParseCases reads cases as MarshalCases writes them.
func ParseCases(data []byte) ([]*Meta, error) {
	var cases []*Meta
	if err := json.Unmarshal(data, &cases); err != nil {
		return nil, fmt.Errorf("vulndb cases: %v", err)
	}
	for _, c := range cases {
		if c.ID == "" || c.Module == "" || c.Vulnerable == "" || c.Fixed == "" || len(c.Files) == 0 || len(c.BugLines) == 0 {
			return nil, fmt.Errorf("vulndb cases: %s %s: incomplete case", c.ID, c.Module)
		}
	}
	return cases, nil
}

// MarshalCases writes cases sorted by report and module, one a line, so
// that a regenerated file diffs well.
func MarshalCases(cases []*Meta) ([]byte, error) {
	cases = slices.Clone(cases)
	slices.SortFunc(cases, func(a, b *Meta) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Module, b.Module))
	})
	var buf bytes.Buffer
	buf.WriteString("[\n")
	for i, c := range cases {
		line, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		buf.Write(line)
		if i < len(cases)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("]\n")
	return buf.Bytes(), nil
}

// Cases turns metadata into eval cases, two for each: "<id>-revert", the
// pull request that brings the bug back, and "<id>-fix", the clean one.
// Their trees are fetched with g when they run.
func Cases(metas []*Meta, g *Go) []*eval.Case {
	var out []*eval.Case
	for _, m := range metas {
		f := &fetcher{meta: m, g: g}
		name := m.ID
		if n := countID(metas, m.ID); n > 1 {
			name += "-" + filepath.Base(m.Module)
		}
		var locs []eval.Location
		for _, l := range m.BugLines {
			locs = append(locs, eval.Location{File: l.File, Start: l.Start, End: l.End})
		}
		desc := m.Summary
		revert := &eval.Case{
			Name: name + "-revert", Source: m.Source(), Family: m.Family, Description: desc,
			Expect: []eval.Bug{{Kind: m.Kind, Locations: locs}}, Functions: m.Functions,
			Env: g.CaseEnv(), Fetch: f.revert,
		}
		fix := &eval.Case{
			Name: name + "-fix", Source: m.Source(), Family: m.Family, Description: "the fix of: " + desc,
			Env: g.CaseEnv(), Fetch: f.fix,
		}
		out = append(out, revert, fix)
	}
	return out
}

func countID(metas []*Meta, id string) int {
	n := 0
	for _, m := range metas {
		if m.ID == id {
			n++
		}
	}
	return n
}

// Source names where the case comes from, for reports.
func (m *Meta) Source() string {
	return fmt.Sprintf("https://pkg.go.dev/vuln/%s (%s %s → %s)", m.ID, m.Module, m.Vulnerable, m.Fixed)
}

// fetcher downloads a case's two versions once for both of its shapes.
type fetcher struct {
	meta *Meta
	g    *Go

	once  sync.Once
	fixed string            // the fixed tree
	vuln  map[string][]byte // the vulnerable version of the case's files (nil: absent there), with extra
	extra map[string][]byte // files both versions need that the tree lacks (a go.mod)
	err   error
}

func (f *fetcher) load(ctx context.Context) error {
	f.once.Do(func() {
		m := f.meta
		mods, err := f.g.Download(ctx, m.Module, m.Vulnerable, m.Fixed)
		if err != nil {
			f.err = err
			return
		}
		fixed := mods[m.Fixed]
		f.fixed = fixed.Dir
		f.extra = map[string][]byte{}
		if _, err := os.Stat(filepath.Join(fixed.Dir, "go.mod")); errors.Is(err, os.ErrNotExist) {
			// A module from before modules: the proxy's go.mod makes it one.
			data, err := os.ReadFile(fixed.GoMod)
			if err != nil {
				f.err = err
				return
			}
			f.extra["go.mod"] = data
		}
		f.vuln = maps.Clone(f.extra)
		for _, rel := range m.Files {
			data, err := os.ReadFile(filepath.Join(mods[m.Vulnerable].Dir, filepath.FromSlash(rel)))
			if errors.Is(err, os.ErrNotExist) {
				data = nil
			} else if err != nil {
				f.err = err
				return
			}
			f.vuln[rel] = data
		}
	})
	return f.err
}

func (f *fetcher) revert(ctx context.Context, c *eval.Case) error {
	if err := f.load(ctx); err != nil {
		return err
	}
	c.Root, c.Base, c.Files = f.fixed, f.extra, f.vuln
	return nil
}

func (f *fetcher) fix(ctx context.Context, c *eval.Case) error {
	if err := f.load(ctx); err != nil {
		return err
	}
	c.Root, c.Base, c.Files = f.fixed, f.vuln, f.extra
	return nil
}

// Reason counts skips of one reason.
type Reason struct {
	Reason string
	N      int
}

// CountReasons counts outcomes by reason, most frequent first.
func CountReasons(skips []Outcome) []Reason {
	n := map[string]int{}
	for _, s := range skips {
		n[s.Skip]++
	}
	var out []Reason
	for r, k := range n {
		out = append(out, Reason{r, k})
	}
	slices.SortFunc(out, func(a, b Reason) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Reason, b.Reason)) })
	return out
}
