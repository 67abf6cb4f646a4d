package main

import (
	"errors"
	"fmt"

	"github.com/secondlook/secondlook/internal/pipeline"
)

// Exit codes, defined once: the help text and README describe these.
const (
	exitOK       = 0 // nothing at or above --fail-on
	exitFailure  = 1 // the tool failed, or some unit of work was not done
	exitUsage    = 2 // usage or configuration error
	exitFindings = 3 // findings at or above --fail-on
)

const exitCodesHelp = `EXIT CODES:
   0   no finding at or above --fail-on
   1   the tool failed, or part of the work was not done (a package that does not
       load is reported, the rest analysed, and the exit code is 1)
   2   usage or configuration error: a bad flag, not a Go module, an unknown
       revision, --diff outside a git repository
   3   findings at or above --fail-on (default: warning for text output, none
       for json and sarif, whose consumers decide)`

// exitError carries an exit code up to main, as govulncheck's errors do.
type exitError struct {
	code int
	err  error // nil: nothing more to print
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit code %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// ExitCode returns the process exit code.
func (e *exitError) ExitCode() int { return e.code }

func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// exitCode returns the exit code an error maps to: the one place errors
// become exit codes. A command's own errors carry theirs (exitError, from
// usageErrorf and urfave/cli's OnUsageError); the pipeline's usage errors
// are the user's; any other error is the tool's.
func exitCode(err error) int {
	var ec interface{ ExitCode() int }
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ec):
		return ec.ExitCode()
	case errors.As(err, new(*pipeline.UsageError)):
		return exitUsage
	}
	return exitFailure
}

// errorText words an error for the command line: a pipeline usage error
// names the flag at fault and what to do (the pipeline names Config
// fields, which the user never wrote).
func errorText(err error) string {
	var ue *pipeline.UsageError
	if !errors.As(err, &ue) {
		return err.Error()
	}
	switch {
	case ue.Field == "Dir":
		return ue.Error() + "; run in a module root or pass -C DIR"
	case errors.Is(ue, pipeline.ErrNotRepository):
		return "--diff: " + ue.Error() + " (use --diff-file for a diff from elsewhere, or drop --diff for a full scan)"
	case errors.Is(ue, pipeline.ErrOfflineNoCache):
		return "--offline answers from the cache: drop --no-cache"
	case ue.Field == "Diff":
		return "--diff-file: " + ue.Error()
	}
	return ue.Error()
}
