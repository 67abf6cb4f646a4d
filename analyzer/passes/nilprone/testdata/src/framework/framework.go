// Package framework stands in for go/analysis: its Pass carries results keyed by analyzer.
package framework

type Pass struct {
	ResultOf map[string]any
}
