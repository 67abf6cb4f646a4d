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

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
