package main

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"
	"gopkg.in/yaml.v3"
)

// defaults returns the default of every flag, by name.
func defaults(t *testing.T, flags []cli.Flag) map[string]any {
	t.Helper()
	m := map[string]any{}
	for _, f := range flags {
		if d, ok := flagDefault(f); ok {
			m[f.Names()[0]] = d
		}
	}
	return m
}

func TestConfigSetsValues(t *testing.T) {
	flags := scanCommand().Flags
	file := `# a comment
max-tokens: 200000
model: gpt-4.1-mini
fail-on: error
tests: false
timeout: 90s
price-in: 0.4
o: out.sarif
`
	if err := applyConfig("c.yaml", []byte(file), flags); err != nil {
		t.Fatal(err)
	}
	got := defaults(t, flags)
	want := defaults(t, scanCommand().Flags)
	want["max-tokens"] = 200000
	want["model"] = "gpt-4.1-mini"
	want["fail-on"] = "error"
	want["tests"] = false
	want["timeout"] = (90 * time.Second).String()
	want["price-in"] = 0.4
	want["o"] = "out.sarif"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("flag defaults after the config file (-want +got):\n%s", diff)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		file string
		want string // regexp of the error
	}{
		{"max-tokens: 1\nmax-token: 2\n", `^c\.yaml:2: unknown key "max-token" \(did you mean max-tokens\?\)`},
		{"colour: red\n", `^c\.yaml:1: unknown key "colour": the keys are the flags of secondlook scan`},
		{"cpuprofile: x\n", `unknown key "cpuprofile"`}, // hidden: a debugging flag
		{"api-key: sk-x\n", `^c\.yaml:1: api-key: the API key is never read from a file: set OPENAI_API_KEY`},
		{"OPENAI_API_KEY: sk-x\n", `the API key is never read from a file`},
		{"diff: origin/main\n", `^c\.yaml:1: diff is not a setting: .*pass --diff on the command line`},
		{"diff-file: x\n", `diff-file is not a setting`},
		{"shard: 1/2\n", `shard is not a setting`},
		{"C: sub\n", `C is not a setting`},
		{"config: other.yaml\n", `config is not a setting`},
		{"model: a\nmodel: b\n", `^c\.yaml:2: model is set twice \(first on line 1\)`},
		{"max-tokens: lots\n", `^c\.yaml:1: max-tokens: want a whole number, not "lots"`},
		{"tests: maybe\n", `tests: want true or false, not "maybe"`},
		{"timeout: 5\n", `timeout: want a duration such as 90s or 2m, not "5"`},
		{"price-in: cheap\n", `price-in: want a number`},
		{"model:\n", `^c\.yaml:1: model: no value`},
		{"model: [a, b]\n", `model: want a single value`},
		{"- model\n", `^c\.yaml:1: want settings as .key: value. lines`},
		{"model: a: b\n", `^c\.yaml: `},
	} {
		flags := scanCommand().Flags
		before := defaults(t, flags)
		err := applyConfig("c.yaml", []byte(tc.file), flags)
		if err == nil || !regexp.MustCompile(tc.want).MatchString(err.Error()) {
			t.Errorf("config %q: error %v, want one matching %s", tc.file, err, tc.want)
			continue
		}
		if exitCode(err) != exitUsage {
			t.Errorf("config %q: exit code %d, want %d", tc.file, exitCode(err), exitUsage)
		}
		if diff := cmp.Diff(before, defaults(t, flags)); diff != "" {
			t.Errorf("config %q: a bad file changed the flags:\n%s", tc.file, diff)
		}
	}
}

func TestConfigEmpty(t *testing.T) {
	for _, file := range []string{"", "# only a comment\n", "---\n", "~\n"} {
		flags := scanCommand().Flags
		if err := applyConfig("c.yaml", []byte(file), flags); err != nil {
			t.Errorf("config %q: %v", file, err)
		}
		if diff := cmp.Diff(defaults(t, scanCommand().Flags), defaults(t, flags)); diff != "" {
			t.Errorf("config %q changed the flags:\n%s", file, diff)
		}
	}
}

// TestConfigSetsEveryFlag holds that every setting of scan can be written in
// the file: a flag of a new type needs a case in setter.
func TestConfigSetsEveryFlag(t *testing.T) {
	for _, f := range settable(scanCommand().Flags) {
		name := f.Names()[0]
		def, ok := flagDefault(f)
		if !ok {
			t.Errorf("--%s: flagDefault and setter know no %T", name, f)
			continue
		}
		v, _ := yaml.Marshal(map[string]any{name: def})
		if err := applyConfig("c.yaml", v, scanCommand().Flags); err != nil {
			t.Errorf("--%s: %v", name, err)
		}
	}
}

// TestInitRoundTrip holds that what init writes parses, holds every
// setting but the per-run ones, at its default, and changes nothing when
// read back.
func TestInitRoundTrip(t *testing.T) {
	data := initFile()
	var got map[string]any
	if err := yaml.Unmarshal(data, &got); err != nil {
		t.Fatalf("init's file does not parse: %v\n%s", err, data)
	}
	want := map[string]any{}
	for _, f := range scanCommand().Flags {
		name := f.Names()[0]
		if isHidden(f) || notSettings[name] || perRun[name] {
			continue
		}
		def, _ := flagDefault(f)
		switch d := def.(type) {
		case float64:
			if d == float64(int(d)) {
				def = int(d) // YAML writes 0, which reads back as an int
			}
		}
		want[name] = def
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("init's file (-want +got):\n%s", diff)
	}
	flags := scanCommand().Flags
	if err := applyConfig(configName, data, flags); err != nil {
		t.Fatalf("init's file is not a valid config: %v", err)
	}
	if diff := cmp.Diff(defaults(t, scanCommand().Flags), defaults(t, flags)); diff != "" {
		t.Errorf("init's file changes the defaults:\n%s", diff)
	}
	for _, key := range slices.Sorted(maps.Keys(got)) {
		if !regexp.MustCompile(fmt.Sprintf(`(?m)^# .*\n%s: `, regexp.QuoteMeta(key))).Match(data) {
			t.Errorf("init's file has no comment above %s", key)
		}
	}
}

func TestSuggestKey(t *testing.T) {
	flags := settable(scanCommand().Flags)
	for key, want := range map[string]string{
		"max-token":   "max-tokens",
		"failon":      "fail-on",
		"Model":       "model",
		"temperature": "",
		"x":           "",
	} {
		if got := suggestKey(flags, key); got != want {
			t.Errorf("suggestKey(%q) = %q, want %q", key, got, want)
		}
	}
}
