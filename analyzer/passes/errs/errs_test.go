package errs_test

import (
	"testing"

	"github.com/secondlook/secondlook/analyzer/passes/errs"
	"github.com/secondlook/secondlook/analyzer/passes/internal/passtest"
)

var suite = passtest.New(errs.Analyzer, "a", "b")

func TestAnalyzer(t *testing.T) { suite.Run(t) }

// Every category reported has a weight in Signals, and each is reported.
func TestSignalsComplete(t *testing.T) { suite.Signals(t, errs.Signals) }
