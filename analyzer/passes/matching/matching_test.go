package matching

import (
	"testing"

	"github.com/secondlook/secondlook/analyzer/passes/internal/passtest"
)

var suite = passtest.New(Analyzer, "a")

func TestAnalyzer(t *testing.T) { suite.Run(t) }

// Every category reported has a weight in Signals, and each is reported.
func TestSignalsComplete(t *testing.T) { suite.Signals(t, Signals) }
