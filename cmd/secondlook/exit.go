package main

import (
	"errors"
	"fmt"
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

// exitCode returns the exit code an error maps to.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return exitFailure
}
