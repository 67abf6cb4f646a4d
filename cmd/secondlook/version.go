package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/secondlook/secondlook/prompts"
)

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version of secondlook, the build and the prompts",
		Description: `Prints the module version, the VCS revision it was built from (recorded by
go build in a checkout; a binary from go install MODULE@VERSION has the module
version instead), the Go version, and the version of the prompts.

The prompt version is part of every answer-cache key: a CI cache of answers
keyed on the model and the prompt version stays valid exactly as long as the
answers in it can be used.

EXAMPLE:
   secondlook version --json | jq -r .prompts`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object"},
		},
		Action: func(c *cli.Context) error {
			bi, _ := debug.ReadBuildInfo()
			v := buildVersion(bi)
			if c.Bool("json") {
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				return enc.Encode(v)
			}
			v.writeText(c.App.Writer)
			return nil
		},
	}
}

// versionInfo is what `secondlook version` prints.
type versionInfo struct {
	Version       string `json:"version"`        // as --version prints it
	Module        string `json:"module"`         // the main module's path
	ModuleVersion string `json:"module_version"` // "(devel)" when built in a checkout
	Revision      string `json:"revision,omitempty"`
	RevisionTime  string `json:"revision_time,omitempty"`
	Modified      bool   `json:"modified,omitempty"` // the checkout had uncommitted changes
	Go            string `json:"go"`
	Platform      string `json:"platform"`
	Prompts       string `json:"prompts"`
}

// buildVersion reads the version from the build info; bi may be nil.
func buildVersion(bi *debug.BuildInfo) versionInfo {
	v := versionInfo{
		Version:  "0.0.0-devel",
		Module:   modulePath,
		Go:       runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH,
		Prompts:  prompts.Version(),
	}
	if bi == nil {
		return v
	}
	if bi.Main.Path != "" {
		v.Module = bi.Main.Path
	}
	v.ModuleVersion = bi.Main.Version
	if mv := bi.Main.Version; mv != "" && mv != "(devel)" {
		v.Version = strings.TrimPrefix(mv, "v") // as version() has it
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.RevisionTime = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// modulePath is the module the command belongs to.
const modulePath = "github.com/secondlook/secondlook"

func (v versionInfo) writeText(w io.Writer) {
	fmt.Fprintf(w, "secondlook %s\n", v.Version)
	mv := v.ModuleVersion
	if mv == "" {
		mv = "(unknown)"
	}
	fmt.Fprintf(w, "module    %s %s\n", v.Module, mv)
	switch {
	case v.Revision == "":
		fmt.Fprintf(w, "revision  (not recorded)\n")
	default:
		rev := v.Revision
		if v.RevisionTime != "" {
			rev += " " + v.RevisionTime
		}
		if v.Modified {
			rev += " (modified)"
		}
		fmt.Fprintf(w, "revision  %s\n", rev)
	}
	fmt.Fprintf(w, "go        %s %s\n", v.Go, v.Platform)
	fmt.Fprintf(w, "prompts   %s\n", v.Prompts)
}
