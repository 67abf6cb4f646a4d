package findings

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Prices are a model's prices, in USD per million tokens.
type Prices struct{ In, Out float64 }

// Set reports whether a price is known.
func (p Prices) Set() bool { return p.In > 0 || p.Out > 0 }

// Cost is the price of in tokens sent and out received.
func (p Prices) Cost(in, out int) float64 {
	return float64(in)*p.In/1e6 + float64(out)*p.Out/1e6
}

// ModelSummary sums up a run's model review in one line for people:
// requests, cache hits, tokens, cost, claims and what became of them.
func ModelSummary(s Stats) string {
	var b strings.Builder
	fmt.Fprintf(&b, "model %s: %d requests, %d cache hits, %s tokens in, %s out",
		s.Model, s.Requests, s.CacheHits, Thousands(s.PromptTokens), Thousands(s.CompletionTokens))
	if s.CostUSD > 0 {
		fmt.Fprintf(&b, ", $%.4f", s.CostUSD)
	}
	fmt.Fprintf(&b, "; %d claims", s.Claims)
	n := 0
	for _, v := range s.Dropped {
		n += v
	}
	if n > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(s.Dropped)) {
			parts = append(parts, fmt.Sprintf("%s %d", k, s.Dropped[k]))
		}
		fmt.Fprintf(&b, ", %d dropped by the check against the code (%s)", n, strings.Join(parts, ", "))
	}
	if s.Refuted > 0 {
		fmt.Fprintf(&b, ", %d refuted", s.Refuted)
	}
	if s.Redactions > 0 {
		fmt.Fprintf(&b, "; %d secrets redacted before sending", s.Redactions)
	}
	return b.String()
}
