package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"gopkg.in/yaml.v3"
)

// The config file: .secondlook.yaml at the module root, or --config FILE.
// Each key is a flag of `secondlook scan` by its own name, and its value
// becomes that flag's default before the command line is parsed. So a flag on
// the command line, or its environment variable, overrides the file, and the
// file overrides the built-in default; and a value from the file never counts
// as "set" (c.IsSet), so `model:` in the file does not make a run without an
// endpoint an error, as --model does.
//
// urfave/cli's altsrc does much the same, but it ignores unknown keys, needs
// every flag wrapped, and pulls in a TOML parser; an unknown key must be an
// error naming it.

// configName is the file scan reads at the module root.
const configName = ".secondlook.yaml"

// notSettings are scan flags that name what one run scans, not how a project
// is scanned: the config file cannot set them.
var notSettings = map[string]bool{
	"C": true, "config": true, "diff": true, "diff-file": true, "shard": true,
}

// perRun are settings the file may hold but `secondlook init` leaves out:
// a workflow passes them, not the project.
var perRun = map[string]bool{
	"o": true, "format": true, "dry-run": true, "baseline": true, "category": true, "q": true, "v": true,
}

// configError is a mistake in the config file: a usage error (exit 2).
func configError(name string, line int, format string, args ...any) error {
	where := name
	if line > 0 {
		where = fmt.Sprintf("%s:%d", name, line)
	}
	return usageErrorf("%s: %s", where, fmt.Sprintf(format, args...))
}

// loadConfig is the app's Before hook. For a scan, it finds the config file
// (before the scan's flags are parsed, so it reads -C and --config itself)
// and makes its values the defaults of the scan's flags.
func loadConfig(c *cli.Context) error {
	args := c.Args()
	if args.First() != "scan" {
		return nil
	}
	cmd := c.App.Command("scan")
	if cmd == nil {
		return nil
	}
	// Parse the command line as scan will, with a copy of its flags: the
	// real ones must not see it twice. A bad command line is left to scan
	// to report.
	set := flag.NewFlagSet("scan", flag.ContinueOnError)
	set.SetOutput(io.Discard)
	for _, f := range scanCommand().Flags {
		_ = f.Apply(set) // a bad environment variable is scan's to report
	}
	help := set.Bool("help", false, "")
	set.BoolVar(help, "h", false, "")
	if err := set.Parse(args.Tail()); err != nil || *help {
		return nil
	}
	name := set.Lookup("config").Value.String()
	explicit := name != ""
	if !explicit {
		root, ok := moduleRoot(set.Lookup("C").Value.String())
		if !ok {
			return nil // not in a module: scan says so
		}
		name = displayPath(filepath.Join(root, configName))
	}
	data, err := os.ReadFile(name)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit:
		return nil
	case err != nil:
		return usageErrorf("--config: %v", err)
	}
	return applyConfig(name, data, cmd.Flags)
}

// moduleRoot returns the directory of the go.mod at or above dir.
func moduleRoot(dir string) (string, bool) {
	if dir == "" {
		dir = "."
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !fi.IsDir() {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// displayPath returns name relative to the working directory when it lies
// below it.
func displayPath(name string) string {
	wd, err := os.Getwd()
	if err != nil {
		return name
	}
	if rel, err := filepath.Rel(wd, name); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return name
}

// applyConfig checks the config file data (named name in errors) against
// the flags and makes its values their defaults. Nothing is changed unless
// the whole file is good.
func applyConfig(name string, data []byte, flags []cli.Flag) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return configError(name, 0, "%v", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil // empty, or comments only
	}
	m := doc.Content[0]
	if m.Kind == yaml.ScalarNode && m.Tag == "!!null" {
		return nil
	}
	if m.Kind != yaml.MappingNode {
		return configError(name, m.Line, "want settings as `key: value` lines, one per flag of secondlook scan")
	}
	byName := map[string]cli.Flag{}
	for _, f := range flags {
		for _, n := range f.Names() {
			byName[n] = f
		}
	}
	var sets []func()
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		key := k.Value
		if prev, ok := seen[key]; ok {
			return configError(name, k.Line, "%s is set twice (first on line %d)", key, prev)
		}
		seen[key] = k.Line
		if isKeyName(key) {
			return configError(name, k.Line, "%s: the API key is never read from a file: set OPENAI_API_KEY in the environment (in CI, from a secret)", key)
		}
		f, ok := byName[key]
		if !ok || isHidden(f) {
			msg := fmt.Sprintf("unknown key %q: the keys are the flags of secondlook scan (secondlook scan --help)", key)
			if s := suggestKey(settable(flags), key); s != "" {
				msg = fmt.Sprintf("unknown key %q (did you mean %s?): the keys are the flags of secondlook scan", key, s)
			}
			return configError(name, k.Line, "%s", msg)
		}
		if notSettings[key] {
			return configError(name, k.Line, "%s is not a setting: it names what one run scans; pass --%s on the command line", key, key)
		}
		set, err := setter(f, v)
		if err != nil {
			return configError(name, v.Line, "%s: %v", key, err)
		}
		sets = append(sets, set)
	}
	for _, set := range sets {
		set()
	}
	return nil
}

// isKeyName reports whether a config key asks for the API key.
func isKeyName(key string) bool {
	k := strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(key))
	return k == "key" || k == "apikey" || k == "openaiapikey" || k == "token" || k == "apitoken"
}

// suggestKey returns the setting a mistyped key most likely meant, or "".
func suggestKey(flags []cli.Flag, key string) string {
	best, bestDist := "", 3 // more than two edits away is no suggestion
	for _, f := range flags {
		for _, n := range f.Names() {
			if d := editDistance(strings.ToLower(key), n); d < bestDist && len(n) > 1 {
				best, bestDist = n, d
			}
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func isHidden(f cli.Flag) bool {
	h, ok := f.(interface{ IsVisible() bool })
	return ok && !h.IsVisible()
}

// settable returns the flags a config file may set.
func settable(flags []cli.Flag) []cli.Flag {
	var out []cli.Flag
	for _, f := range flags {
		if !isHidden(f) && !notSettings[f.Names()[0]] {
			out = append(out, f)
		}
	}
	return out
}

// setter checks a value from the file against its flag's type and returns
// the function that makes it the flag's default.
func setter(f cli.Flag, v *yaml.Node) (func(), error) {
	if v.Kind != yaml.ScalarNode {
		return nil, errors.New("want a single value, not a list or a mapping")
	}
	if v.Tag == "!!null" {
		return nil, errors.New("no value (delete the line to keep the default)")
	}
	switch f := f.(type) {
	case *cli.StringFlag:
		return func() { f.Value = v.Value }, nil
	case *cli.BoolFlag:
		var b bool
		if v.Decode(&b) != nil {
			return nil, fmt.Errorf("want true or false, not %q", v.Value)
		}
		return func() { f.Value = b }, nil
	case *cli.IntFlag:
		var n int
		if v.Decode(&n) != nil {
			return nil, fmt.Errorf("want a whole number, not %q", v.Value)
		}
		return func() { f.Value = n }, nil
	case *cli.Float64Flag:
		var x float64
		if v.Decode(&x) != nil {
			return nil, fmt.Errorf("want a number, not %q", v.Value)
		}
		return func() { f.Value = x }, nil
	case *cli.DurationFlag:
		d, err := time.ParseDuration(v.Value)
		if err != nil {
			return nil, fmt.Errorf("want a duration such as 90s or 2m, not %q", v.Value)
		}
		return func() { f.Value = d }, nil
	}
	// A flag of a kind added later: TestConfigSetsEveryFlag asks for it here.
	return nil, fmt.Errorf("cannot be set in a config file: pass --%s", f.Names()[0])
}

// flagDefault returns the default a setting has without a config file.
func flagDefault(f cli.Flag) (any, bool) {
	switch f := f.(type) {
	case *cli.StringFlag:
		return f.Value, true
	case *cli.BoolFlag:
		return f.Value, true
	case *cli.IntFlag:
		return f.Value, true
	case *cli.Float64Flag:
		return f.Value, true
	case *cli.DurationFlag:
		return f.Value.String(), true
	}
	return nil, false
}

// initSettings returns the scan flags `secondlook init` writes, in order.
func initSettings() []cli.Flag {
	return slices.DeleteFunc(settable(scanCommand().Flags), func(f cli.Flag) bool {
		return perRun[f.Names()[0]]
	})
}
