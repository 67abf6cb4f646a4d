package pipeline

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/secondlook/secondlook/internal/gittest"
	"github.com/secondlook/secondlook/internal/testtree"
)

// TestUsageErrors holds that every error the user caused comes back as a
// *UsageError naming the Config field at fault, in no face's terms.
func TestUsageErrors(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not on PATH")
	}
	files := map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.22\n",
		// A region for the model, so that the review is asked for.
		"m.go": "package m\n\nimport \"sync\"\n\nvar mu sync.Mutex\n\nfunc F(ok bool) int {\n\tmu.Lock()\n\tif !ok {\n\t\treturn 0\n\t}\n\tmu.Unlock()\n\treturn 1\n}\n",
	}
	mod := testtree.Write(t, files) // outside git
	repo := testtree.Write(t, files)
	gittest.Run(t, repo, "init", "-q", "-b", "main")
	gittest.Run(t, repo, "add", "-A")
	gittest.Run(t, repo, "commit", "-q", "-m", "base")
	env := gittest.Env()

	for _, tc := range []struct {
		name   string
		cfg    Config
		field  string
		target error // wrapped, if not nil
	}{
		{"not a module", Config{Dir: t.TempDir()}, "Dir", nil},
		{"no package", Config{Dir: mod, Patterns: []string{"./nowhere/..."}}, "Patterns", nil},
		{"no modfile", Config{Dir: mod, ModFile: "go_nope.mod"}, "ModFile", nil},
		{"outside git", Config{Dir: mod, DiffBase: "HEAD", Env: env}, "DiffBase", ErrNotRepository},
		{"unknown revision", Config{Dir: repo, DiffBase: "no-such-branch", Env: env}, "DiffBase", nil},
		{"bad diff", Config{Dir: repo, Diff: strings.NewReader("--- a/m.go\n+++ b/m.go\n@@ -1,3 +1,3 @@\n-package m\n"), Env: env}, "Diff", nil},
		{"offline without cache", Config{Dir: mod, Model: &ModelConfig{Offline: true, NoCache: true}, MaxTokens: DefaultMaxTokens}, "Model.Offline", ErrOfflineNoCache},
	} {
		_, err := Run(context.Background(), tc.cfg)
		var ue *UsageError
		if !errors.As(err, &ue) || ue.Field != tc.field {
			t.Errorf("%s: error %v (%T), want a usage error of %s", tc.name, err, err, tc.field)
			continue
		}
		if tc.target != nil && !errors.Is(err, tc.target) {
			t.Errorf("%s: %v does not wrap %v", tc.name, err, tc.target)
		}
		if msg := err.Error(); strings.Contains(msg, "--") || strings.Contains(msg, "-C ") {
			t.Errorf("%s: %q names a flag of the CLI", tc.name, msg)
		}
	}
}
