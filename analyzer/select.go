package analyzer

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/secondlook/secondlook/internal/gitdiff"
)

// A Region is a piece of code worth a close read, with what a model needs
// to read it: the code, the declarations it refers to, and why it was picked.
type Region struct {
	ID      string              // stable: a hash of file, function and code
	Package string              // import path
	File    string              // module-relative, slash-separated
	Func    string              // as Go prints it, e.g. "(*Server).Handle"
	Start   int                 // 1-based first line
	End     int                 // 1-based last line
	Code    string              // the source of lines Start..End
	Context string              // declarations the code refers to
	Changed []gitdiff.LineRange // lines the change touched; empty in a full scan and for callers
	Caller  bool                // picked as a caller of a changed function, not changed itself
	Signals []Signal            // why it was picked, by line
	Static  int                 // x/tools findings inside it
	Score   float64             // rank: higher is riskier
	Tokens  int                 // what the code and context cost a model to read
	Note    string              // why Code is not the whole function, if it is not
}

// SelectConfig says which regions [Select] picks and how many it keeps.
type SelectConfig struct {
	// Changes maps module-relative files to the new-side lines a change
	// touched. Nil means a full scan: every function with signals or
	// static findings is a region.
	Changes map[string][]gitdiff.LineRange

	// MaxRegions and MaxTokens, when positive, keep the best regions by
	// score within these budgets.
	MaxRegions int
	MaxTokens  int

	// CountTokens counts the tokens of a text. Nil means the o200k_base
	// encoding that OpenAI's current models use.
	CountTokens func(string) int
}

// Selection is what [Select] picked.
type Selection struct {
	Regions     []Region // kept, best first
	LeftOut     []Region // over budget, best first (Tokens may be 0: not counted)
	TotalTokens int      // tokens of the kept regions
}

// Select turns the functions of res into scored regions and keeps the best
// within the budget.
func Select(res *Result, cfg SelectConfig) *Selection {
	count := cfg.CountTokens
	if count == nil {
		count = CountTokens
	}
	var cands []Region
	if cfg.Changes != nil {
		cands = changedRegions(res.Funcs, cfg.Changes)
	} else {
		for _, f := range res.Funcs {
			if len(f.Signals) > 0 || f.Static > 0 {
				cands = append(cands, newRegion(f, nil, false))
			}
		}
	}
	// In a diff scan the change comes first: callers follow every changed
	// function, whatever their scores. Test code follows the code it
	// tests, in either scan: its bugs matter less to the people who run
	// this, and it would otherwise take a budget's first tokens (a table
	// test full of integer conversions). It stays selected.
	slices.SortStableFunc(cands, func(a, b Region) int {
		return cmp.Or(
			compareBool(a.Caller, b.Caller),
			compareBool(isTestFile(a.File), isTestFile(b.File)),
			cmp.Compare(b.Score, a.Score),
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Start, b.Start),
			cmp.Compare(a.Func, b.Func))
	})

	sel := &Selection{}
	for _, r := range cands {
		if cfg.MaxRegions > 0 && len(sel.Regions) >= cfg.MaxRegions {
			sel.LeftOut = append(sel.LeftOut, r)
			continue
		}
		if cfg.MaxTokens > 0 && cfg.MaxTokens-sel.TotalTokens < minRegionTokens {
			sel.LeftOut = append(sel.LeftOut, r) // no region fits what is left
			continue
		}
		r.Tokens = regionTokens(r, count)
		if cfg.MaxTokens > 0 && sel.TotalTokens+r.Tokens > cfg.MaxTokens {
			sel.LeftOut = append(sel.LeftOut, r) // a smaller one further down may fit
			continue
		}
		sel.TotalTokens += r.Tokens
		sel.Regions = append(sel.Regions, r)
	}
	return sel
}

// isTestFile reports whether a module-relative file is test code, as
// [Func.Test] does.
func isTestFile(file string) bool { return strings.HasSuffix(file, "_test.go") }

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// minRegionTokens is less than any real region costs; a budget with less
// left is spent.
const minRegionTokens = 16

// regionTokens counts what a region costs a model to read: its code, with a
// line number in front of each line, and its context.
func regionTokens(r Region, count func(string) int) int {
	lines := r.End - r.Start + 1
	return count(r.Code) + count(r.Context) + 2*lines
}

// changedRegions picks, in a diff scan, the innermost function around each
// changed line, and the callers of those functions as lower-ranked regions,
// weighed by the risk of the change they call (see calleeShare).
func changedRegions(funcs []*Func, changes map[string][]gitdiff.LineRange) []Region {
	byFile := map[string][]*Func{}
	for _, f := range funcs {
		byFile[f.File] = append(byFile[f.File], f)
	}
	touched := map[*Func][]gitdiff.LineRange{}
	var order []*Func
	for file, ranges := range changes {
		for _, r := range ranges {
			for line := r.Start; line <= r.End; line++ {
				f := Enclosing(byFile[file], file, line)
				if f == nil {
					continue
				}
				if _, ok := touched[f]; !ok {
					order = append(order, f)
				}
				touched[f] = addLine(touched[f], line)
			}
		}
	}
	var out []Region
	changedScore := map[string]float64{} // by key: the score of a changed function
	for _, f := range order {
		r := newRegion(f, touched[f], false)
		out = append(out, r)
		if f.Key != "" {
			changedScore[f.Key] = r.Score
		}
	}
	for _, f := range funcs {
		if _, ok := touched[f]; ok {
			continue
		}
		risk, calls := 0.0, false
		for _, c := range f.Callees {
			if s, ok := changedScore[c]; ok {
				risk, calls = max(risk, s), true
			}
		}
		if calls {
			r := newRegion(f, nil, true)
			r.Score = math.Round((r.Score+calleeShare*risk)*100) / 100
			out = append(out, r)
		}
	}
	return out
}

// calleeShare is the part of its riskiest changed callee's score that a
// caller takes on in a diff scan: a caller of a risky change is more worth
// a read than a caller of a renamed log line, whatever its own signals.
const calleeShare = 0.5

// addLine adds a line to sorted, merged ranges.
func addLine(rs []gitdiff.LineRange, line int) []gitdiff.LineRange {
	if n := len(rs); n > 0 && rs[n-1].End+1 >= line {
		rs[n-1].End = max(rs[n-1].End, line)
		return rs
	}
	rs = append(rs, gitdiff.LineRange{Start: line, End: line})
	slices.SortFunc(rs, func(a, b gitdiff.LineRange) int { return cmp.Compare(a.Start, b.Start) })
	return rs
}

func newRegion(f *Func, changed []gitdiff.LineRange, caller bool) Region {
	sigs := slices.Clone(f.Signals)
	slices.SortStableFunc(sigs, func(a, b Signal) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Check, b.Check))
	})
	r := Region{
		Package: f.Package,
		File:    f.File,
		Func:    f.Name,
		Start:   f.Start,
		End:     f.End,
		Code:    f.Code,
		Context: f.Context,
		Changed: changed,
		Caller:  caller,
		Signals: sigs,
		Static:  f.Static,
	}
	r.Score = Score(sigs, f.Static, f.Test, caller, changed != nil)
	if r.End-r.Start+1 > maxRegionLines {
		cut(&r)
	}
	sum := sha256.Sum256([]byte(r.File + "\x00" + r.Func + "\x00" + r.Code))
	r.ID = hex.EncodeToString(sum[:8])
	return r
}

// Regions of functions longer than maxRegionLines are cut to that many
// lines, starting cutLead lines before the first changed line (or signal),
// so that a generated table or a 5,000-line switch does not cost a whole
// budget; a note in the context tells the model what it does not see.
const (
	maxRegionLines = 400
	cutLead        = 50
)

// cut narrows r to a window of maxRegionLines lines around its first
// changed line or signal, keeping the changes and signals inside it.
func cut(r *Region) {
	lines := strings.Split(r.Code, "\n")
	if len(lines) != r.End-r.Start+1 {
		return // Code does not match its lines; leave it whole
	}
	focus := r.Start
	switch {
	case len(r.Changed) > 0:
		focus = r.Changed[0].Start
	case len(r.Signals) > 0:
		focus = r.Signals[0].Line
	}
	from := max(r.Start, focus-cutLead)
	to := min(r.End, from+maxRegionLines-1)
	from = max(r.Start, to-maxRegionLines+1)
	sig := ""
	for _, l := range lines {
		if strings.HasPrefix(l, "func ") {
			sig = strings.TrimSuffix(strings.TrimSpace(l), "{")
			break
		}
	}
	r.Note = fmt.Sprintf("cut to lines %d-%d of %d-%d", from, to, r.Start, r.End)
	note := fmt.Sprintf("// %s is %d lines long (%d-%d); only lines %d-%d are shown.", r.Func, r.End-r.Start+1, r.Start, r.End, from, to)
	if sig != "" {
		note += "\n// Its signature: " + strings.TrimSpace(sig)
	}
	r.Context = strings.TrimLeft(note+"\n"+r.Context, "\n")
	r.Code = strings.Join(lines[from-r.Start:to-r.Start+1], "\n")
	var changed []gitdiff.LineRange
	for _, c := range r.Changed {
		if c.End >= from && c.Start <= to {
			changed = append(changed, gitdiff.LineRange{Start: max(c.Start, from), End: min(c.End, to)})
		}
	}
	if r.Changed != nil && changed == nil {
		changed = []gitdiff.LineRange{}
	}
	r.Changed = changed
	r.Signals = slices.DeleteFunc(r.Signals, func(s Signal) bool { return s.Line < from || s.Line > to })
	r.Start, r.End = from, to
}

// Score ranks a function by how likely it is to hold a bug.
//
// A line counts once, with its strongest signal: passes overlap. Signals
// are grouped by check. A group counts its strongest signal, plus a
// little for repeats (a function with thirty channel receives is not thirty
// times riskier than one with a single receive). Groups whose weight marks a
// risky pattern (3 and up) add up in full; groups that mark the mere use of a
// feature add up to at most useCap together, so code that uses many
// features ranks well below code with one risky pattern. A finding of the
// x/tools passes is near-certain evidence and weighs most. Test code ranks at
// half, and so do callers of changed functions in a diff scan; [Select]
// also orders callers after every changed function, and test code after
// the other code of its kind (changed, caller, or full scan).
func Score(signals []Signal, static int, test, caller, changed bool) float64 {
	type group struct {
		max float64
		n   int
	}
	// Passes overlap: two may see one construct (a deferred Close before
	// the error check is both a resource and a nil risk). A line counts
	// once, with its strongest signal.
	strongest := map[int]Signal{}
	for _, s := range signals {
		if o, ok := strongest[s.Line]; !ok || s.Weight > o.Weight || (s.Weight == o.Weight && s.Check < o.Check) {
			strongest[s.Line] = s
		}
	}
	groups := map[string]*group{}
	for _, s := range strongest {
		g := groups[s.Check]
		if g == nil {
			g = &group{}
			groups[s.Check] = g
		}
		g.max = max(g.max, s.Weight)
		g.n++
	}
	var risky, use float64
	for _, g := range groups {
		c := g.max * (1 + 0.3*math.Log(float64(g.n)))
		if g.max >= riskyWeight {
			risky += c
		} else {
			use += c
		}
	}
	s := risky + min(use, useCap) + staticWeight*float64(min(static, 2))
	if changed {
		s += changedFloor
	}
	if test {
		s *= 0.5
	}
	if caller {
		s *= 0.5
	}
	return math.Round(s*100) / 100
}

const (
	riskyWeight  = 3  // a signal at or above this weight marks a risky pattern
	useCap       = 3  // what feature use can add up to
	staticWeight = 10 // per x/tools finding, up to two
	changedFloor = 2  // added to every changed function in a diff scan
)

// LineRanges formats ranges as "3-5,9".
func LineRanges(rs []gitdiff.LineRange) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(r.Start))
		if r.End != r.Start {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(r.End))
		}
	}
	return b.String()
}
