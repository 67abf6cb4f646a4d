package main

import (
	"bytes"
	"errors"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/secondlook/secondlook/findings/sarif"
)

func mergeCommand() *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "join SARIF files of secondlook (CI shards) into one upload",
		ArgsUsage: "A.sarif B.sarif ...",
		Description: `Joins the SARIF outputs of secondlook — from the shards of a CI matrix, say —
into one run per category, deduplicating results by fingerprint, so that one
upload to code scanning holds them all. Runs of other tools are kept as they
are.

EXAMPLE:
   secondlook merge shard-*.sarif -o secondlook.sarif`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "o", Usage: "write the merged SARIF to `FILE` instead of standard output"},
		},
		Action: func(c *cli.Context) error {
			// The usage puts -o after the files; urfave/cli stops parsing
			// flags at the first argument, so take it from there too.
			out := c.String("o")
			var names []string
			args := c.Args().Slice()
			for i := 0; i < len(args); i++ {
				switch a := args[i]; {
				case a == "-o" || a == "--o":
					if i+1 == len(args) {
						return usageErrorf("-o needs a file name")
					}
					out = args[i+1]
					i++
				case strings.HasPrefix(a, "-o=") || strings.HasPrefix(a, "--o="):
					out = a[strings.IndexByte(a, '=')+1:]
				default:
					names = append(names, a)
				}
			}
			if len(names) == 0 {
				return usageErrorf("merge takes the SARIF files to join: secondlook merge A.sarif B.sarif -o OUT.sarif")
			}
			var logs []*sarif.Log
			for _, name := range names {
				f, err := os.Open(name)
				if err != nil {
					return usageErrorf("%v", err)
				}
				log, err := sarif.Read(f)
				f.Close()
				if err != nil {
					return usageErrorf("%s is not valid SARIF: %v", name, err)
				}
				logs = append(logs, log)
			}
			merged, err := sarif.Merge(logs)
			if err != nil {
				var ie *sarif.InputError
				if errors.As(err, &ie) && ie.Index < len(names) {
					return usageErrorf("%s: %v", names[ie.Index], ie.Err)
				}
				return usageErrorf("merging: %v", err)
			}
			var buf bytes.Buffer
			if err := sarif.WriteLog(&buf, merged); err != nil {
				return err
			}
			return writeOutput(c.App.Writer, out, buf.Bytes())
		},
	}
}
