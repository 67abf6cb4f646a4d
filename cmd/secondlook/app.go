package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"
)

const informationURI = "https://github.com/secondlook/secondlook"

// run runs the command line args and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	isHelp := func(a string) bool { return a == "help" || a == "h" } // urfave/cli's help command and its alias
	if len(args) > 1 && !strings.HasPrefix(args[1], "-") && app.Command(args[1]) == nil && !isHelp(args[1]) {
		// urfave/cli treats it as a help topic, and exits 3: the code of
		// findings.
		fmt.Fprintf(stderr, "secondlook: unknown command %q: run \"secondlook help\" for the commands\n", args[1])
		return exitUsage
	}
	if len(args) > 2 && isHelp(args[1]) && !strings.HasPrefix(args[2], "-") && app.Command(args[2]) == nil && !isHelp(args[2]) {
		// urfave/cli answers an unknown topic with an exit error of its
		// own, code 3 again; it is the user's mistake.
		fmt.Fprintf(stderr, "secondlook: unknown help topic %q: run \"secondlook help\" for the list\n", args[2])
		return exitUsage
	}
	err := app.RunContext(ctx, args)
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	var ee *exitError
	switch {
	case errors.As(err, &ee) && ee.err == nil:
		return code // the command already said what it had to
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "secondlook: interrupted")
		return exitFailure
	}
	fmt.Fprintf(stderr, "secondlook: %s\n", errorText(err))
	return code
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:  "secondlook",
		Usage: "an LLM-assisted second look at Go changes",
		Description: `secondlook finds the risky regions of the Go packages a change touches (or of a
whole module), runs the x/tools passes that find real bugs, and — with a model
configured — asks a language model to hunt for bugs in each region, keeping
only the claims the code confirms. Reports are text, JSON or SARIF 2.1.0 for
GitHub code scanning.

` + exitCodesHelp,
		Version:         version(),
		Reader:          stdin,
		Writer:          stdout,
		ErrWriter:       stderr,
		HideHelpCommand: false,
		Suggest:         true,
		// main maps errors to exit codes; the library must not exit.
		ExitErrHandler: func(*cli.Context, error) {},
		// A scan's config file (config.go) sets its flags' defaults, so it
		// is read before the scan's flags are parsed.
		Before: loadConfig,
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return &exitError{code: exitUsage, err: err}
		},
		Commands: []*cli.Command{scanCommand(), evalCommand(), mergeCommand(), rulesCommand(), explainCommand(), mcpCommand(),
			initCommand(), versionCommand()},
	}
	for _, cmd := range app.Commands {
		setUsageError(cmd, "secondlook")
	}
	return app
}

// setUsageError makes a bad flag of cmd (and its subcommands) an error and
// one line of usage, rather than the command's whole help.
func setUsageError(cmd *cli.Command, parent string) {
	name := parent + " " + cmd.Name
	cmd.OnUsageError = func(_ *cli.Context, err error, _ bool) error {
		return &exitError{code: exitUsage, err: fmt.Errorf("%w\nusage: %s [flags] %s (%s --help lists the flags)", err, name, cmd.ArgsUsage, name)}
	}
	for _, sub := range cmd.Subcommands {
		setUsageError(sub, name)
	}
}

func init() {
	// -v is verbose (scan -v), never the version: "secondlook -v scan"
	// printed the version and exited 0 without scanning.
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version"}
}

// version returns the module version the binary was built from.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Version == "" || bi.Main.Version == "(devel)" {
		return "0.0.0-devel"
	}
	return strings.TrimPrefix(bi.Main.Version, "v")
}
