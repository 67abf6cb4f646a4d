package pipeline

import (
	"errors"
	"fmt"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/internal/gitdiff"
)

// Errors are values, as govulncheck's are (x/vuln internal/scan/errors.go):
// every error the user caused comes out of [Run] and [CheckClaims] as one
// *UsageError naming the Config field at fault, worded without any face's
// terms; each face (the CLI's flags, MCP's tool arguments) words the field
// and the advice for its users, and turns it into its own kind of failure
// (exit code 2, a tool error). Any other error is the tool's.

// UsageError is an error in what the user asked for: a directory outside a
// module, a revision that names no commit, a diff that does not parse.
type UsageError struct {
	// Field is the Config field at fault, as Go names it: "Dir",
	// "Patterns", "ModFile", "DiffBase", "Diff", "Model.CacheDir",
	// "Model.Offline", "Model.LLM".
	Field string
	// Err says what is wrong. It may wrap ErrNotRepository,
	// ErrOfflineNoCache or a stage's sentinel error.
	Err error
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

var (
	// ErrNotRepository is a DiffBase outside a git work tree: a face
	// points to its other ways of naming a change, or to a full scan.
	ErrNotRepository = gitdiff.ErrNotRepository
	// ErrOfflineNoCache is Model.Offline with Model.NoCache: answers come
	// only from a cache that is off.
	ErrOfflineNoCache = errors.New("answering offline takes the answers from the cache, which is off")
)

// stageError wraps an error of the analyzer that the user caused in a
// *UsageError naming its field; dir is the directory the scan ran in.
func stageError(err error, dir string) error {
	switch {
	case errors.Is(err, analyzer.ErrNotModule):
		// analyzer's own message gives the CLI's advice; faces give theirs.
		return &UsageError{Field: "Dir", Err: fmt.Errorf("%w: %s has no go.mod in it or above it", analyzer.ErrNotModule, dir)}
	case errors.Is(err, analyzer.ErrNoPackages):
		return &UsageError{Field: "Patterns", Err: err}
	case errors.Is(err, analyzer.ErrModFile):
		return &UsageError{Field: "ModFile", Err: err}
	}
	return err
}
