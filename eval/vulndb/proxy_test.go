package vulndb

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// version is one version of a module the test proxy serves: module-relative
// file names to contents.
type version map[string]string

// testProxy lays out a GOPROXY=file:// directory serving the given modules
// and versions, and points the go command at it with its own module cache.
// It returns the environment for NewGo.
func testProxy(t *testing.T, mods map[string]map[string]version) []string {
	t.Helper()
	root := t.TempDir()
	for path, versions := range mods {
		esc, err := module.EscapePath(path)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(root, "proxy", esc, "@v")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var list []string
		for v, files := range versions {
			list = append(list, v)
			src := filepath.Join(root, "src", esc+"@"+v)
			for name, data := range files {
				p := filepath.Join(src, filepath.FromSlash(name))
				os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			f, err := os.Create(filepath.Join(dir, v+".zip"))
			if err != nil {
				t.Fatal(err)
			}
			if err := zip.CreateFromDir(f, module.Version{Path: path, Version: v}, src); err != nil {
				t.Fatal(err)
			}
			f.Close()
			gomod := files["go.mod"]
			if gomod == "" {
				gomod = "module " + path + "\n"
			}
			os.WriteFile(filepath.Join(dir, v+".mod"), []byte(gomod), 0o644)
			info, _ := json.Marshal(map[string]string{"Version": v, "Time": "2024-01-01T00:00:00Z"})
			os.WriteFile(filepath.Join(dir, v+".info"), info, 0o644)
		}
		os.WriteFile(filepath.Join(dir, "list"), []byte(strings.Join(list, "\n")+"\n"), 0o644)
	}
	modcache := filepath.Join(root, "modcache")
	env := []string{
		"GOPROXY=file://" + filepath.ToSlash(filepath.Join(root, "proxy")),
		"GOMODCACHE=" + modcache, "GOSUMDB=off", "GONOSUMDB=*", "GOPRIVATE=",
	}
	t.Cleanup(func() {
		// The module cache is read-only; the go command can remove it.
		cmd := exec.Command("go", "clean", "-modcache")
		cmd.Env = append(os.Environ(), env...)
		cmd.Run()
	})
	// Tests that run eval scan with the process environment.
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return env
}
