// Package gittest runs real git for tests, in a temp repository and apart
// from the user's and the system's git configuration.
package gittest

import (
	"os"
	"os/exec"
	"testing"
)

// Env is the environment of git in tests: no global or system
// configuration (hooks, signing, aliases), and a fixed author.
func Env() []string {
	return append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
}

// Run runs git with args in dir and returns its output; a failure fails
// the test with git's output.
func Run(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = Env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}
