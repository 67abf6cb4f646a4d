package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"
	"gopkg.in/yaml.v3"
)

func initCommand() *cli.Command {
	return &cli.Command{
		Name:  "init",
		Usage: "write " + configName + " at the module root, with the defaults",
		Description: `Writes ` + configName + ` at the root of the module in the current directory (or
-C DIR): every setting of secondlook scan with its default, and a comment
saying what it does. scan reads the file from the module root; a flag on the
command line overrides it. An existing file is kept unless --force.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "C", Usage: "run in `DIR` (the module root, or a directory inside it)"},
			&cli.BoolFlag{Name: "force", Usage: "overwrite an existing " + configName},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageErrorf("init takes no arguments (use -C DIR for another module)")
			}
			root, ok := moduleRoot(c.String("C"))
			if !ok {
				dir := c.String("C")
				if dir == "" {
					dir = "the current directory"
				}
				return usageErrorf("no go.mod in %s or above: run secondlook init in a Go module", dir)
			}
			name := filepath.Join(root, configName)
			_, err := os.Stat(name)
			switch {
			case err == nil && !c.Bool("force"):
				return usageErrorf("%s exists: edit it, or overwrite it with --force", displayPath(name))
			case err != nil && !errors.Is(err, fs.ErrNotExist):
				return err
			}
			if err := writeOutput(c.App.Writer, name, initFile()); err != nil {
				return err
			}
			fmt.Fprintf(c.App.ErrWriter, "secondlook: wrote %s\n", displayPath(name))
			return nil
		},
	}
}

const initHeader = `# secondlook settings for this module. secondlook scan reads this file at the
# module root, or the file --config names. A key is a flag of secondlook scan by
# its own name; a flag on the command line (or its environment variable)
# overrides the value here, and the value here overrides the built-in default.
#
# Written by secondlook init with the defaults: delete a line to follow the
# defaults of later versions. Also allowed, though they usually differ per run:
# o, format, dry-run, baseline, category, q, v.
#
# The API key is never read from this file: set OPENAI_API_KEY in the
# environment (in CI, from a secret).
`

// initFile returns what `secondlook init` writes.
func initFile() []byte {
	var b bytes.Buffer
	b.WriteString(initHeader)
	section := "-"
	for _, f := range initSettings() {
		if cat := flagCategory(f); cat != section {
			section = cat
			if cat == "" {
				cat = "Scan"
			}
			fmt.Fprintf(&b, "\n# ---- %s ----\n", cat)
		}
		b.WriteString("\n")
		if u, ok := f.(interface{ GetUsage() string }); ok {
			for _, line := range wrap(strings.ReplaceAll(u.GetUsage(), "`", ""), 78) {
				fmt.Fprintf(&b, "# %s\n", line)
			}
		}
		def, _ := flagDefault(f)
		v, err := yaml.Marshal(def)
		if err != nil {
			panic(err) // strings, numbers and booleans always marshal
		}
		fmt.Fprintf(&b, "%s: %s", f.Names()[0], v)
	}
	return b.Bytes()
}

func flagCategory(f cli.Flag) string {
	if c, ok := f.(interface{ GetCategory() string }); ok {
		return c.GetCategory()
	}
	return ""
}

// wrap breaks text into lines of at most width bytes, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
