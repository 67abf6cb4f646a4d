package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/secondlook/secondlook/internal/pipeline"
)

// TestErrorsToExitCodes holds the one mapping of errors to exit codes and
// the CLI's wording of the pipeline's usage errors: in flags, not Config
// fields.
func TestErrorsToExitCodes(t *testing.T) {
	usage := func(field string, err error) error {
		return fmt.Errorf("scanning: %w", &pipeline.UsageError{Field: field, Err: err})
	}
	for _, tc := range []struct {
		err  error
		code int
		want string
	}{
		{nil, exitOK, ""},
		{errors.New("the tool broke"), exitFailure, "the tool broke"},
		{usageErrorf("--format: no"), exitUsage, "--format: no"},
		{&exitError{code: exitFindings}, exitFindings, ""},
		{usage("Dir", errors.New("not in a Go module: /x has no go.mod")), exitUsage, "pass -C DIR"},
		{usage("DiffBase", fmt.Errorf("a diff needs a git repository: %w", pipeline.ErrNotRepository)), exitUsage, "use --diff-file"},
		{usage("Model.Offline", pipeline.ErrOfflineNoCache), exitUsage, "drop --no-cache"},
		{usage("Diff", errors.New("reading the diff: bad hunk")), exitUsage, "--diff-file: reading the diff"},
		{usage("Patterns", errors.New("no Go packages matched ./x")), exitUsage, "no Go packages matched ./x"},
	} {
		if got := exitCode(tc.err); got != tc.code {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.code)
		}
		if tc.err != nil && tc.want != "" && !strings.Contains(errorText(tc.err), tc.want) {
			t.Errorf("errorText(%v) = %q, want it to say %q", tc.err, errorText(tc.err), tc.want)
		}
	}
}
