package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/secondlook/secondlook/findings"
)

func rulesCommand() *cli.Command {
	return &cli.Command{
		Name:  "rules",
		Usage: "list the rules secondlook reports under",
		Description: `Lists the rule catalogue: each rule's id, the kind of bug it names, its
default level, its precision and its title. PRECISION is measured by hand on
real modules (eval/realcode) where the rule reported there, else the
catalogue's estimate; a rule measured below 80% is demoted: its findings only
rank regions and hint the model (scan --all-rules reports them).
"secondlook explain ID" prints a rule's help.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "family", Usage: "only rules of `FAMILY`: concurrency, panic, errors, logic or security"},
		},
		Action: func(c *cli.Context) error {
			family := c.String("family")
			w := tabwriter.NewWriter(c.App.Writer, 0, 8, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tKIND\tLEVEL\tSOURCE\tPRECISION\tTITLE")
			n := 0
			for _, r := range findings.Rules() {
				if family != "" && string(r.Family) != family {
					continue
				}
				source := "model"
				if r.Analyzer != "" {
					source = "static"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Kind, r.Level, source, r.PrecisionCell(), r.Title)
				n++
			}
			if n == 0 {
				return usageErrorf("no rules in family %q: use concurrency, panic, errors, logic or security", family)
			}
			return w.Flush()
		},
	}
}

func explainCommand() *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "print a rule's help: what it finds, why it is a bug, how to fix it",
		ArgsUsage: "ID",
		Description: `Prints the help of a rule, named by its id (SL1002), its name, the kind
of bug it reports (goroutine-leak), or the pass that reports it (nilness).`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErrorf("explain takes one rule id, name or kind, e.g. secondlook explain goroutine-leak")
			}
			r, ok := findings.LookupRule(c.Args().First())
			if !ok {
				return usageErrorf("no rule %q: secondlook rules lists them", c.Args().First())
			}
			_, err := fmt.Fprint(c.App.Writer, findings.Explain(r))
			return err
		},
	}
}
