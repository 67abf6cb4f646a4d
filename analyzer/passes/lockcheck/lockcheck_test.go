package lockcheck_test

import (
	"testing"

	"github.com/secondlook/secondlook/analyzer/passes/internal/passtest"
	"github.com/secondlook/secondlook/analyzer/passes/lockcheck"
)

var suite = passtest.New(lockcheck.Analyzer, "a")

func TestAnalyzer(t *testing.T) { suite.Run(t) }

// Every category reported is in Categories, each is reported, and each
// finding carries its evidence.
func TestCategoriesComplete(t *testing.T) {
	suite.Categories(t, lockcheck.Categories, "cond-wait-not-in-loop")
}
