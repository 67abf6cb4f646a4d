package eval

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpusParses loads the built-in corpus: every case has its metadata,
// a go.mod, and expectations that point into its files.
func TestCorpusParses(t *testing.T) {
	cases, err := LoadDir(Builtin, "corpus")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range cases {
		if names[c.Name] {
			t.Errorf("two cases named %s", c.Name)
		}
		names[c.Name] = true
		if c.Description == "" {
			t.Errorf("%s: no description", c.Name)
		}
		for file, data := range c.Files {
			// The code a model reads must not give the answer away.
			for _, hint := range []string{"BUG", "FIXME", "XXX"} {
				if strings.HasSuffix(file, ".go") && strings.Contains(string(data), hint) {
					t.Errorf("%s: %s contains %q: keep hints out of the code", c.Name, file, hint)
				}
			}
		}
	}
}

// TestCorpusBuilds checks that every case is a module that builds and
// vets, base and head: a case that does not compile measures nothing.
func TestCorpusBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every corpus case")
	}
	cases, err := LoadDir(Builtin, "corpus")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			versions := map[string]map[string][]byte{"head": c.Files}
			if c.Diff() {
				base := map[string][]byte{"go.mod": c.Files["go.mod"]}
				for k, v := range c.Base {
					base[k] = v
				}
				versions["base"] = base
			}
			for version, files := range versions {
				dir := t.TempDir()
				for name, data := range files {
					p := filepath.Join(dir, filepath.FromSlash(name))
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				// go vet type-checks the package and its tests. Its
				// diagnostics are fine (the cases hold bugs); an error of
				// its own ("vet: …", a build failure) is not.
				cmd := exec.Command("go", "vet", "./...")
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOTOOLCHAIN=local")
				out, _ := cmd.CombinedOutput()
				for _, line := range strings.Split(string(out), "\n") {
					if strings.HasPrefix(line, "vet: ") || strings.Contains(line, "build failed") || strings.HasPrefix(line, "go: ") {
						t.Errorf("%s version does not build:\n%s", version, out)
						break
					}
				}
			}
		})
	}
}

// TestCorpusComposition holds the built-in corpus to what the benchmark
// promises: enough cases of each family, clean cases, and diff-mode cases.
func TestCorpusComposition(t *testing.T) {
	cases, err := LoadDir(Builtin, "corpus")
	if err != nil {
		t.Fatal(err)
	}
	byFamily := map[string]int{}
	clean, diff := 0, 0
	for _, c := range cases {
		if c.Clean() {
			clean++
		} else {
			byFamily[string(c.Family)]++
		}
		if c.Diff() {
			diff++
		}
	}
	want := map[string]int{"concurrency": 24, "panic": 8, "errors": 10, "logic": 8, "security": 6}
	for fam, n := range want {
		if byFamily[fam] < n {
			t.Errorf("%d %s cases with bugs, want at least %d", byFamily[fam], fam, n)
		}
	}
	if len(cases) < 80 || clean < 20 || diff < 10 {
		t.Errorf("%d cases, %d clean, %d in diff mode; want at least 80, 20 and 10", len(cases), clean, diff)
	}
	t.Logf("%d cases: %v with bugs, %d clean, %d in diff mode", len(cases), byFamily, clean, diff)
}
