package timers_test

import (
	"testing"

	"github.com/secondlook/secondlook/analyzer/passes/internal/passtest"
	"github.com/secondlook/secondlook/analyzer/passes/timers"
)

var suite = passtest.New(timers.Analyzer, "a", "tickmain")

func TestAnalyzer(t *testing.T) { suite.Run(t) }

// Every category reported has a weight in Signals, and each is reported.
func TestSignalsComplete(t *testing.T) { suite.Signals(t, timers.Signals) }
