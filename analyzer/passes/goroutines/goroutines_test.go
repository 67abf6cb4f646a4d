package goroutines_test

import (
	"testing"

	"github.com/secondlook/secondlook/analyzer/passes/goroutines"
	"github.com/secondlook/secondlook/analyzer/passes/internal/passtest"
)

var suite = passtest.New(goroutines.Analyzer, "a", "oldloop", "newloop")

func TestAnalyzer(t *testing.T) { suite.Run(t) }

// Every category reported has a weight in Signals, and each is reported.
func TestSignalsComplete(t *testing.T) { suite.Signals(t, goroutines.Signals) }
