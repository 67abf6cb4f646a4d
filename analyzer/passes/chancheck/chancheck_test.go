package chancheck_test

import (
	"testing"

	"github.com/secondlook/secondlook/analyzer/passes/chancheck"
	"github.com/secondlook/secondlook/analyzer/passes/internal/passtest"
)

var suite = passtest.New(chancheck.Analyzer, "a")

func TestAnalyzer(t *testing.T) { suite.Run(t) }

// Every category reported is in Categories, each is reported, and each
// finding carries its evidence.
func TestCategoriesComplete(t *testing.T) { suite.Categories(t, chancheck.Categories) }
