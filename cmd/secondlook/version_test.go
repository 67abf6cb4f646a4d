package main

import (
	"bytes"
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secondlook/secondlook/prompts"
)

func TestBuildVersion(t *testing.T) {
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{
			name: "go install MODULE@VERSION",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: modulePath, Version: "v1.2.3"}},
			want: `secondlook 1.2.3
module    github.com/secondlook/secondlook v1.2.3
revision  (not recorded)
go        go1.26.8 PLATFORM
prompts   PROMPTS
`,
		},
		{
			name: "go build in a checkout",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: modulePath, Version: "(devel)"},
				Settings: []debug.BuildSetting{
					{Key: "vcs", Value: "git"},
					{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
					{Key: "vcs.time", Value: "2026-01-02T03:04:05Z"},
					{Key: "vcs.modified", Value: "true"},
				}},
			want: `secondlook 0.0.0-devel
module    github.com/secondlook/secondlook (devel)
revision  0123456789abcdef0123456789abcdef01234567 2026-01-02T03:04:05Z (modified)
go        go1.26.8 PLATFORM
prompts   PROMPTS
`,
		},
		{
			name: "no build info",
			want: `secondlook 0.0.0-devel
module    github.com/secondlook/secondlook (unknown)
revision  (not recorded)
go        GOVERSION PLATFORM
prompts   PROMPTS
`,
		},
	} {
		var b bytes.Buffer
		buildVersion(tc.bi).writeText(&b)
		want := strings.NewReplacer("PLATFORM", runtime.GOOS+"/"+runtime.GOARCH, "PROMPTS", prompts.Version(),
			"GOVERSION", runtime.Version()).Replace(tc.want)
		if diff := cmp.Diff(want, b.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestVersionCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"secondlook", "version"}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit code %d\n%s", code, stderr.String())
	}
	text := stdout.String()
	for _, want := range []string{"secondlook " + version() + "\n", "\nprompts   " + prompts.Version() + "\n", "\ngo        go1."} {
		if !strings.Contains(text, want) {
			t.Errorf("secondlook version lacks %q:\n%s", want, text)
		}
	}

	stdout.Reset()
	if code := run(t.Context(), []string{"secondlook", "version", "--json"}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit code %d\n%s", code, stderr.String())
	}
	var v map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &v); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	if v["prompts"] != prompts.Version() || v["version"] != version() || v["module"] != modulePath || v["go"] != runtime.Version() {
		t.Errorf("secondlook version --json = %s", stdout.String())
	}

	// The action and the workflows read these two fields with awk.
	first, _, _ := strings.Cut(text, "\n")
	if f := strings.Fields(first); len(f) != 2 || f[1] != version() {
		t.Errorf("first line %q: want \"secondlook VERSION\"", first)
	}
}
