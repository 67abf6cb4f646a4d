// Command secondlook gives Go changes a careful second look: static analysis
// picks the risky regions of the packages a change touches, a language model
// reads them, and every claim that survives a check against the code is
// reported as text, JSON or SARIF.
//
// Run "secondlook help" for usage and exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() { os.Exit(runMain()) }

// runMain is main but for the exit, so that the test binary can act as the
// command with the same handling of Ctrl-C: the first SIGINT cancels the
// work in flight, and the report of what finished is still written.
func runMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
}
