package analyzer

import (
	"golang.org/x/tools/go/analysis"

	"github.com/secondlook/secondlook/analyzer/passes/atomics"
	"github.com/secondlook/secondlook/analyzer/passes/channels"
	"github.com/secondlook/secondlook/analyzer/passes/contexts"
	"github.com/secondlook/secondlook/analyzer/passes/conversions"
	"github.com/secondlook/secondlook/analyzer/passes/errs"
	"github.com/secondlook/secondlook/analyzer/passes/extents"
	"github.com/secondlook/secondlook/analyzer/passes/globals"
	"github.com/secondlook/secondlook/analyzer/passes/goroutines"
	"github.com/secondlook/secondlook/analyzer/passes/indexing"
	"github.com/secondlook/secondlook/analyzer/passes/injection"
	"github.com/secondlook/secondlook/analyzer/passes/input"
	"github.com/secondlook/secondlook/analyzer/passes/locking"
	"github.com/secondlook/secondlook/analyzer/passes/matching"
	"github.com/secondlook/secondlook/analyzer/passes/nilprone"
	"github.com/secondlook/secondlook/analyzer/passes/optional"
	"github.com/secondlook/secondlook/analyzer/passes/parsers"
	"github.com/secondlook/secondlook/analyzer/passes/resources"
	"github.com/secondlook/secondlook/analyzer/passes/secrets"
	"github.com/secondlook/secondlook/analyzer/passes/sharedfields"
	"github.com/secondlook/secondlook/analyzer/passes/timers"
	"github.com/secondlook/secondlook/analyzer/passes/trust"
	"github.com/secondlook/secondlook/analyzer/passes/unsafereflect"
)

// A Signal is a reason to read a function closely: a construct that a
// risk-signal pass found in it. Signals are places to look, not conclusions.
type Signal struct {
	Check   string  `json:"check"`   // "<pass>/<category>", e.g. "locking/lock-no-defer-return"
	Line    int     `json:"line"`    // 1-based line in the region's file
	Message string  `json:"message"` // what was seen
	Weight  float64 `json:"weight"`  // how strongly it predicts a bug, 0–10
}

// signalPass is a risk-signal pass with its category weights.
type signalPass struct {
	analyzer *analysis.Analyzer
	weights  map[string]float64
}

// signalPasses lists secondlook's own risk-signal passes.
var signalPasses = []signalPass{
	{atomics.Analyzer, atomics.Signals},
	{channels.Analyzer, channels.Signals},
	{contexts.Analyzer, contexts.Signals},
	{conversions.Analyzer, conversions.Signals},
	{errs.Analyzer, errs.Signals},
	{extents.Analyzer, extents.Signals},
	{globals.Analyzer, globals.Signals},
	{goroutines.Analyzer, goroutines.Signals},
	{indexing.Analyzer, indexing.Signals},
	{injection.Analyzer, injection.Signals},
	{input.Analyzer, input.Signals},
	{locking.Analyzer, locking.Signals},
	{matching.Analyzer, matching.Signals},
	{nilprone.Analyzer, nilprone.Signals},
	{optional.Analyzer, optional.Signals},
	{parsers.Analyzer, parsers.Signals},
	{resources.Analyzer, resources.Signals},
	{secrets.Analyzer, secrets.Signals},
	{sharedfields.Analyzer, sharedfields.Signals},
	{timers.Analyzer, timers.Signals},
	{trust.Analyzer, trust.Signals},
	{unsafereflect.Analyzer, unsafereflect.Signals},
}

// SignalAnalyzers returns the risk-signal passes.
func SignalAnalyzers() []*analysis.Analyzer {
	as := make([]*analysis.Analyzer, len(signalPasses))
	for i, p := range signalPasses {
		as[i] = p.analyzer
	}
	return as
}

// signalWeight returns the weight of a category of a signal pass, and
// whether the pass declares it.
func signalWeight(a *analysis.Analyzer, category string) (float64, bool) {
	for _, p := range signalPasses {
		if p.analyzer == a {
			w, ok := p.weights[category]
			return w, ok
		}
	}
	return 0, false
}
