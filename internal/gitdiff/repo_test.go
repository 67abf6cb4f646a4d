package gitdiff

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMain(m *testing.M) {
	// Hermetic git: no user or system config (a global commit.gpgsign or
	// diff.noprefix would break or skew the tests), fixed identities, and no
	// repository discovery above the temp directory.
	tmp := os.TempDir()
	ceiling := tmp
	if real, err := filepath.EvalSymlinks(tmp); err == nil && real != tmp {
		ceiling += string(filepath.ListSeparator) + real
	}
	for k, v := range map[string]string{
		"GIT_CONFIG_GLOBAL":       os.DevNull,
		"GIT_CONFIG_NOSYSTEM":     "1",
		"GIT_AUTHOR_NAME":         "Test",
		"GIT_AUTHOR_EMAIL":        "test@example.com",
		"GIT_COMMITTER_NAME":      "Test",
		"GIT_COMMITTER_EMAIL":     "test@example.com",
		"GIT_CEILING_DIRECTORIES": ceiling,
	} {
		os.Setenv(k, v)
	}
	for _, k := range []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"} {
		os.Unsetenv(k)
	}
	os.Exit(m.Run())
}

// testRepo is a real git repository in a temporary directory.
type testRepo struct {
	t   *testing.T
	dir string
}

// newRepo makes a repository on branch main whose first commit holds a.go
// (lines "l1" to "l10"), go.mod and a .gitignore that ignores *.log.
func newRepo(t *testing.T) *testRepo {
	t.Helper()
	r := newEmptyRepo(t)
	r.write("a.go", numbered(10))
	r.write("go.mod", "module example.com/m\n\ngo 1.26\n")
	r.write(".gitignore", "*.log\n")
	r.commit("initial")
	return r
}

func newEmptyRepo(t *testing.T) *testRepo {
	t.Helper()
	needGit(t)
	r := &testRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not on PATH")
	}
}

func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (r *testRepo) write(path, content string) {
	r.t.Helper()
	name := filepath.Join(r.dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *testRepo) mkdir(path string) {
	r.t.Helper()
	if err := os.MkdirAll(filepath.Join(r.dir, filepath.FromSlash(path)), 0o755); err != nil {
		r.t.Fatal(err)
	}
}

func (r *testRepo) remove(path string) {
	r.t.Helper()
	if err := os.Remove(filepath.Join(r.dir, filepath.FromSlash(path))); err != nil {
		r.t.Fatal(err)
	}
}

func (r *testRepo) commit(msg string) {
	r.t.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "--no-verify", "-m", msg)
}

// changes opens the repository and returns Changes(rev).
func (r *testRepo) changes(rev string) *Diff {
	r.t.Helper()
	repo, err := Open(context.Background(), r.dir)
	if err != nil {
		r.t.Fatalf("Open: %v", err)
	}
	d, err := repo.Changes(context.Background(), rev)
	if err != nil {
		r.t.Fatalf("Changes(%q): %v", rev, err)
	}
	return d
}

// numbered returns n lines "l1\n" to "ln\n".
func numbered(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "l%d\n", i)
	}
	return b.String()
}

// edit returns numbered(10) with the replacements applied to its lines,
// 1-based; an empty replacement deletes the line, and "\n" inside one adds
// lines.
func edit(repl map[int]string) string {
	var b strings.Builder
	for i := 1; i <= 10; i++ {
		s, ok := repl[i]
		if !ok {
			s = fmt.Sprintf("l%d", i)
		}
		if s != "" {
			b.WriteString(s + "\n")
		}
	}
	return b.String()
}

func TestChanges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(r *testRepo)
		rev   string // default HEAD
		want  []File
	}{
		{
			name:  "nothing changed",
			setup: func(r *testRepo) {},
			want:  nil,
		},
		{
			name:  "edit a line",
			setup: func(r *testRepo) { r.write("a.go", edit(map[int]string{3: "changed"})) },
			want:  []File{{Path: "a.go", Status: Modified, Ranges: []LineRange{{3, 3}}}},
		},
		{
			name:  "insert lines",
			setup: func(r *testRepo) { r.write("a.go", edit(map[int]string{5: "l5\nnew1\nnew2"})) },
			want:  []File{{Path: "a.go", Status: Modified, Ranges: []LineRange{{6, 7}}}},
		},
		{
			name:  "delete lines marks the lines around them",
			setup: func(r *testRepo) { r.write("a.go", edit(map[int]string{5: "", 6: ""})) },
			want:  []File{{Path: "a.go", Status: Modified, Ranges: []LineRange{{4, 5}}}},
		},
		{
			name:  "delete the first line",
			setup: func(r *testRepo) { r.write("a.go", edit(map[int]string{1: ""})) },
			want:  []File{{Path: "a.go", Status: Modified, Ranges: []LineRange{{1, 1}}}},
		},
		{
			name:  "staged only",
			setup: func(r *testRepo) { r.write("a.go", edit(map[int]string{2: "x"})); r.git("add", "a.go") },
			want:  []File{{Path: "a.go", Status: Modified, Ranges: []LineRange{{2, 2}}}},
		},
		{
			name: "staged and unstaged",
			setup: func(r *testRepo) {
				r.write("a.go", edit(map[int]string{2: "x"}))
				r.git("add", "a.go")
				r.write("a.go", edit(map[int]string{2: "x", 9: "y"}))
			},
			want: []File{{Path: "a.go", Status: Modified, Ranges: []LineRange{{2, 2}, {9, 9}}}},
		},
		{
			name: "staged change reverted in the work tree",
			setup: func(r *testRepo) {
				r.write("a.go", edit(map[int]string{2: "x"}))
				r.git("add", "a.go")
				r.write("a.go", numbered(10))
			},
			want: nil,
		},
		{
			name: "go.mod is just a file",
			setup: func(r *testRepo) {
				r.write("go.mod", "module example.com/m\n\ngo 1.26\n\nrequire example.com/x v1.0.0\n")
			},
			want: []File{{Path: "go.mod", Status: Modified, Ranges: []LineRange{{4, 5}}}},
		},
		{
			name:  "rename without edit",
			setup: func(r *testRepo) { r.mkdir("sub"); r.git("mv", "a.go", "sub/b.go") },
			want:  []File{{Path: "sub/b.go", OldPath: "a.go", Status: Renamed}},
		},
		{
			name: "rename with edit",
			setup: func(r *testRepo) {
				r.git("mv", "a.go", "b.go")
				r.write("b.go", edit(map[int]string{4: "changed"}))
			},
			want: []File{{Path: "b.go", OldPath: "a.go", Status: Renamed, Ranges: []LineRange{{4, 4}}}},
		},
		{
			name:  "deleted file",
			setup: func(r *testRepo) { r.remove("a.go") },
			want:  []File{{Path: "a.go", OldPath: "a.go", Status: Deleted}},
		},
		{
			name: "untracked files",
			setup: func(r *testRepo) {
				r.write("new/c.go", "package c\n\nvar x = 1") // no final newline
				r.write("empty.go", "")
				r.write("debug.log", "ignored\n")
				r.write("blob.bin", "a\x00b\n")
			},
			want: []File{
				{Path: "blob.bin", Status: Added, Binary: true},
				{Path: "empty.go", Status: Added},
				{Path: "new/c.go", Status: Added, Ranges: []LineRange{{1, 3}}},
			},
		},
		{
			name: "file removed from the index but kept on disk",
			setup: func(r *testRepo) {
				r.git("rm", "-q", "--cached", "a.go")
				r.write("a.go", edit(map[int]string{1: "x"}))
			},
			want: []File{{Path: "a.go", Status: Added, Ranges: []LineRange{{1, 10}}}},
		},
		{
			name: "binary file",
			setup: func(r *testRepo) {
				r.write("img.bin", "\x00\x01\x02")
				r.commit("binary")
				r.write("img.bin", "\x00\x01\x03")
			},
			want: []File{{Path: "img.bin", Status: Modified, Binary: true}},
		},
		{
			name: "committed on a branch",
			setup: func(r *testRepo) {
				r.git("checkout", "-q", "-b", "feature")
				r.write("c.go", "package c\n\nfunc F() {}\n")
				r.write("a.go", edit(map[int]string{10: "last"}))
				r.commit("feature")
			},
			rev: "main",
			want: []File{
				{Path: "a.go", Status: Modified, Ranges: []LineRange{{10, 10}}},
				{Path: "c.go", Status: Added, Ranges: []LineRange{{1, 3}}},
			},
		},
		{
			name: "only the branch's own changes since the merge base",
			setup: func(r *testRepo) {
				r.git("checkout", "-q", "-b", "feature")
				r.write("a.go", edit(map[int]string{2: "feature"}))
				r.commit("feature")
				r.git("checkout", "-q", "main")
				r.write("main.go", "package main\n")
				r.write("go.mod", "module example.com/main\n\ngo 1.26\n")
				r.commit("main moves on")
				r.git("checkout", "-q", "feature")
				r.write("a.go", edit(map[int]string{2: "feature", 8: "wip"}))
			},
			rev:  "main",
			want: []File{{Path: "a.go", Status: Modified, Ranges: []LineRange{{2, 2}, {8, 8}}}},
		},
		{
			name: "user config does not change the result",
			setup: func(r *testRepo) {
				for _, kv := range [][2]string{
					{"diff.noprefix", "true"},
					{"diff.mnemonicPrefix", "true"},
					{"diff.relative", "true"},
					{"diff.renames", "false"},
					{"diff.interHunkContext", "10"},
					{"diff.context", "5"},
					{"diff.external", "false"},
					{"color.ui", "always"},
					{"color.diff", "always"},
					{"core.quotePath", "true"},
				} {
					r.git("config", kv[0], kv[1])
				}
				r.write("dé jà.go", numbered(2))
				r.commit("unicode")
				r.mkdir("dé")
				r.git("mv", "dé jà.go", "dé/jà vu.go")
				r.write("a.go", edit(map[int]string{2: "x", 7: "y"}))
			},
			want: []File{
				{Path: "a.go", Status: Modified, Ranges: []LineRange{{2, 2}, {7, 7}}},
				{Path: "dé/jà vu.go", OldPath: "dé jà.go", Status: Renamed},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRepo(t)
			tt.setup(r)
			rev := tt.rev
			if rev == "" {
				rev = "HEAD"
			}
			d := r.changes(rev)
			if diff := cmp.Diff(tt.want, d.Files, diffOpts); diff != "" {
				t.Errorf("Changes(%q) files (-want +got):\n%s", rev, diff)
			}
			if got, want := d.Empty(), len(tt.want) == 0; got != want {
				t.Errorf("Empty() = %v, want %v", got, want)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	r.write("sub/dir/x.go", "package x\n")
	repo, err := Open(context.Background(), filepath.Join(r.dir, "sub", "dir"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	wantRoot, err := filepath.EvalSymlinks(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	if repo.Root != wantRoot {
		t.Errorf("Root = %q, want %q", repo.Root, wantRoot)
	}
	// Rel accepts paths spelled through symbolic links (t.TempDir may be one).
	rel, err := repo.Rel(filepath.Join(r.dir, "sub", "dir", "x.go"))
	if err != nil || rel != "sub/dir/x.go" {
		t.Errorf("Rel = %q, %v; want sub/dir/x.go", rel, err)
	}
	if rel, err := repo.Rel(filepath.Dir(r.dir)); err == nil {
		t.Errorf("Rel(outside) = %q, want error", rel)
	}
}

func TestOpenNotRepository(t *testing.T) {
	t.Parallel()
	needGit(t)
	dir := t.TempDir()
	_, err := Open(context.Background(), dir)
	if !errors.Is(err, ErrNotRepository) {
		t.Fatalf("Open(non-repository) error = %v, want ErrNotRepository", err)
	}

	r := newEmptyRepo(t)
	_, err = Open(context.Background(), filepath.Join(r.dir, ".git"))
	if !errors.Is(err, ErrNotRepository) {
		t.Errorf("Open(.git) error = %v, want ErrNotRepository", err)
	}
}

func TestRevisionErrors(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	r.git("checkout", "-q", "--orphan", "unrelated")
	r.commit("unrelated history")
	repo, err := Open(context.Background(), r.dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rev     string
		wantIs  error
		wantMsg string
	}{
		{"foo", ErrUnknownRevision, `unknown revision "foo": check the name, or fetch it (git fetch origin foo)`},
		{"origin/foo", ErrUnknownRevision, `unknown revision "origin/foo": check the name, or fetch it (git fetch origin foo)`},
		{"HEAD~5", ErrUnknownRevision, `unknown revision "HEAD~5": check the revision`},
		{"--output=x", ErrUnknownRevision, `unknown revision "--output=x"`},
		{"main", ErrNoMergeBase, `no merge base between "main" and HEAD`},
	}
	for _, tt := range tests {
		_, err := repo.Changes(context.Background(), tt.rev)
		if !errors.Is(err, tt.wantIs) {
			t.Errorf("Changes(%q) error = %v, want %v", tt.rev, err, tt.wantIs)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantMsg) {
			t.Errorf("Changes(%q) error = %q, want it to contain %q", tt.rev, err, tt.wantMsg)
		}
	}
}

func TestNoCommits(t *testing.T) {
	t.Parallel()
	r := newEmptyRepo(t)
	r.write("a.go", "package a\n")
	repo, err := Open(context.Background(), r.dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	_, err = repo.MergeBase(context.Background(), "HEAD")
	if !errors.Is(err, ErrUnknownRevision) || !strings.Contains(err.Error(), "no commits yet") {
		t.Errorf("MergeBase in an empty repository: error = %v, want ErrUnknownRevision saying there are no commits", err)
	}
}

func TestMergeBase(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	first := strings.TrimSpace(r.git("rev-parse", "HEAD"))
	r.git("checkout", "-q", "-b", "feature")
	r.write("b.go", "package b\n")
	r.commit("feature")
	repo, err := Open(context.Background(), r.dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := repo.MergeBase(context.Background(), "main")
	if err != nil || got != first {
		t.Errorf("MergeBase(main) = %q, %v; want %q", got, err, first)
	}
}

func TestGitNotInstalled(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Open(context.Background(), t.TempDir())
	if !errors.Is(err, exec.ErrNotFound) || !strings.Contains(err.Error(), "install git") {
		t.Errorf("Open without git: error = %v, want exec.ErrNotFound telling to install git", err)
	}
}
