package trust

import (
	"slices"
	"testing"

	"github.com/secondlook/secondlook/analyzer/passes/internal/passtest"
)

var suite = passtest.New(Analyzer, "a")

func TestAnalyzer(t *testing.T) { suite.Run(t) }

// Every category reported has a weight in Signals, and each is reported.
func TestSignalsComplete(t *testing.T) { suite.Signals(t, Signals) }

func TestSplitWords(t *testing.T) {
	for name, want := range map[string][]string{
		"isOriginAllowed":     {"is", "origin", "allowed"},
		"VerifyJWT":           {"verify", "jwt"},
		"CheckHostKey":        {"check", "host", "key"},
		"validate_request":    {"validate", "request"},
		"HTTPServerAuthorize": {"http", "server", "authorize"},
		"parseV2Header":       {"parse", "v2", "header"},
		"x":                   {"x"},
	} {
		if got := splitWords(name); !slices.Equal(got, want) {
			t.Errorf("splitWords(%q) = %q, want %q", name, got, want)
		}
	}
}
