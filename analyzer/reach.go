package analyzer

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Radius is how far a change to one function reaches: where the module
// calls it and which entry points lead there. It is computed over the
// loaded functions (the changed packages and the packages that import them,
// [Result.Dependents]); test files are left out, since a test is not a way
// for a change to reach production.
type Radius struct {
	Callers     []CallSite // by file and line
	Packages    []string   // the packages the call sites are in, sorted
	EntryPoints []string   // "main", "exported API store.(*Store).Put", "HTTP handler api.(*Server).serve", "goroutine in api.(*Server).Run (api/api.go:40)"
	// Interface counts the call sites that are interface calls: a method
	// of that name and signature, matched without checking that the
	// caller's value can hold this method's type (approximate).
	Interface int
}

// A CallSite is one place that calls (or takes as a value) a function.
type CallSite struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Function string   `json:"function"` // the caller, as Go prints it
	Package  string   `json:"package"`  // the caller's import path
	Kind     CallKind `json:"kind"`
	Go       bool     `json:"go,omitempty"` // inside a go statement
}

// Reach indexes the calls of a result's functions, to compute the blast
// radius of its changed functions.
type Reach struct {
	byKey map[string][]site // callee Key → its call sites
	iface map[string][]site // method name + "\x00" + signature → interface call sites
}

type site struct {
	caller *Func
	call   Call
}

// maxReachVisits bounds the search for entry points from one function.
const maxReachVisits = 5000

// NewReach indexes the calls of res.Funcs, res.Dependents and res.Vars.
func NewReach(res *Result) *Reach {
	r := &Reach{byKey: map[string][]site{}, iface: map[string][]site{}}
	for _, fs := range [][]*Func{res.Funcs, res.Dependents, res.Vars} {
		for _, f := range fs {
			if f.Test {
				continue
			}
			for _, c := range f.Calls {
				if c.Kind == CallInterface {
					k := c.Method + "\x00" + c.Sig
					r.iface[k] = append(r.iface[k], site{f, c})
					continue
				}
				r.byKey[c.Key] = append(r.byKey[c.Key], site{f, c})
			}
		}
	}
	return r
}

// sites returns the call sites of f: its direct calls and values, and the
// interface calls of a method of its name and signature.
func (r *Reach) sites(f *Func) []site {
	if f.Key == "" {
		return nil
	}
	out := r.byKey[f.Key]
	if f.Sig != "" {
		name := f.Key[strings.LastIndexByte(f.Key, '.')+1:]
		out = slices.Concat(out, r.iface[name+"\x00"+f.Sig])
	}
	return out
}

// Radius returns the blast radius of f.
func (r *Reach) Radius(f *Func) Radius {
	var rad Radius
	pkgs := map[string]bool{}
	for _, s := range r.sites(f) {
		rad.Callers = append(rad.Callers, CallSite{
			File: s.caller.File, Line: s.call.Line, Function: s.caller.Name,
			Package: s.caller.Package, Kind: s.call.Kind, Go: s.call.Go,
		})
		pkgs[s.caller.Package] = true
		if s.call.Kind == CallInterface {
			rad.Interface++
		}
	}
	slices.SortFunc(rad.Callers, func(a, b CallSite) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Kind, b.Kind))
	})
	rad.Callers = slices.Compact(rad.Callers)
	for p := range pkgs {
		rad.Packages = append(rad.Packages, p)
	}
	slices.Sort(rad.Packages)
	rad.EntryPoints = r.entryPoints(f)
	return rad
}

// entryPoints walks the callers of f, and their callers, and names the
// ways in it finds: a main, an exported API (an exported function of a
// package that is neither main nor internal), an HTTP handler (by its
// signature, or registered as one), a goroutine started on the way.
func (r *Reach) entryPoints(f *Func) []string {
	seen := map[*Func]bool{f: true}
	queue := []*Func{f}
	eps := map[string]bool{}
	for len(queue) > 0 && len(seen) < maxReachVisits {
		g := queue[0]
		queue = queue[1:]
		name := shortPkg(g.Package) + "." + g.Name
		switch {
		case g.Main:
			eps["main"] = true
		case g.Exported && !g.Command && !isInternal(g.Package):
			eps["exported API "+name] = true
		}
		if g.Handler {
			eps["HTTP handler "+name] = true
		}
		for _, s := range r.sites(g) {
			if s.call.Handler {
				eps["HTTP handler "+name] = true
			}
			if s.call.Go {
				eps[fmt.Sprintf("goroutine in %s.%s (%s:%d)", shortPkg(s.caller.Package), s.caller.Name, s.caller.File, s.call.Line)] = true
			}
			if !seen[s.caller] {
				seen[s.caller] = true
				queue = append(queue, s.caller)
			}
		}
	}
	out := make([]string, 0, len(eps))
	for e := range eps {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(cmp.Compare(entryRank(a), entryRank(b)), cmp.Compare(a, b)) })
	return out
}

// entryRank orders entry points: main, HTTP handlers, goroutines, APIs.
func entryRank(e string) int {
	switch {
	case e == "main":
		return 0
	case strings.HasPrefix(e, "HTTP handler"):
		return 1
	case strings.HasPrefix(e, "goroutine"):
		return 2
	}
	return 3
}

func isInternal(path string) bool {
	return strings.HasPrefix(path, "internal/") || strings.Contains(path, "/internal/") || strings.HasSuffix(path, "/internal")
}
