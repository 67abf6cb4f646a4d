package gitdiff

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

var (
	// ErrNotRepository means a directory is not inside a git work tree.
	ErrNotRepository = errors.New("not a git repository")
	// ErrUnknownRevision means a revision does not name a commit, including
	// HEAD in a repository with no commits yet.
	ErrUnknownRevision = errors.New("unknown revision")
	// ErrNoMergeBase means a revision and HEAD share no history, which in CI
	// usually means a shallow clone.
	ErrNoMergeBase = errors.New("no merge base")
)

// Repo is a git work tree.
type Repo struct {
	// Root is the absolute top-level directory, as git reports it: with
	// symbolic links resolved.
	Root string
}

// Open finds the work tree containing dir.
func Open(ctx context.Context, dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("opening repository: %w", err)
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("opening repository: %w", err)
	}
	out, err := runGit(ctx, abs, "rev-parse", "--show-toplevel")
	if err != nil {
		var gerr *gitError
		// Outside any repository git says "not a git repository"; inside .git
		// or a bare repository, "must be run in a work tree". Neither has
		// files to check.
		if errors.As(err, &gerr) && (strings.Contains(gerr.stderr, "not a git repository") ||
			strings.Contains(gerr.stderr, "must be run in a work tree")) {
			return nil, fmt.Errorf("%s: %w: run inside a git work tree", abs, ErrNotRepository)
		}
		return nil, fmt.Errorf("opening repository: %w", err)
	}
	root := strings.TrimSuffix(string(out), "\n")
	if root == "" {
		// A bare repository prints nothing.
		return nil, fmt.Errorf("%s: %w: run inside a git work tree", abs, ErrNotRepository)
	}
	// On Windows git prints "C:/x/y".
	return &Repo{Root: filepath.FromSlash(root)}, nil
}

// Rel returns path, a file system path, relative to r.Root and
// slash-separated: the form Diff paths take. It resolves symbolic links, so a
// path through /tmp still matches a Root under /private/tmp. A path outside
// the work tree is an error.
func (r *Repo) Rel(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	// The file may be gone (a deletion); resolve its directory instead.
	dir, base := filepath.Split(abs)
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		abs = filepath.Join(real, base)
	}
	root := r.Root
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the repository at %s", path, r.Root)
	}
	return filepath.ToSlash(rel), nil
}

// MergeBase resolves rev and returns the full hash of the merge base of rev
// and HEAD.
func (r *Repo) MergeBase(ctx context.Context, rev string) (string, error) {
	head, ok, err := r.resolve(ctx, "HEAD")
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("%w HEAD: the repository has no commits yet; make a first commit", ErrUnknownRevision)
	}
	target := head
	if rev != "HEAD" {
		// A leading "-" would be read as an option; no revision starts so.
		if rev == "" || strings.HasPrefix(rev, "-") {
			return "", fmt.Errorf("%w %q: name a branch, tag or commit", ErrUnknownRevision, rev)
		}
		target, ok, err = r.resolve(ctx, rev)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", fmt.Errorf("%w %q: %s", ErrUnknownRevision, rev, fetchHint(rev))
		}
	}
	out, err := r.git(ctx, "merge-base", target, head)
	if err != nil {
		var gerr *gitError
		// Exit status 1 with nothing said means there is no common ancestor.
		if errors.As(err, &gerr) && gerr.code == 1 && strings.TrimSpace(gerr.stderr) == "" {
			return "", fmt.Errorf("%w between %q and HEAD: they share no history; if this is a shallow clone, fetch more (git fetch --unshallow)", ErrNoMergeBase, rev)
		}
		return "", fmt.Errorf("finding merge base of %q and HEAD: %w", rev, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// resolve returns the commit rev names, and false if it names none.
func (r *Repo) resolve(ctx context.Context, rev string) (string, bool, error) {
	out, err := r.git(ctx, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	if err != nil {
		var gerr *gitError
		// --quiet: exit status 1 and silence mean "no such commit".
		if errors.As(err, &gerr) && gerr.code == 1 && strings.TrimSpace(gerr.stderr) == "" {
			return "", false, nil
		}
		return "", false, fmt.Errorf("resolving %q: %w", rev, err)
	}
	return strings.TrimSpace(string(out)), true, nil
}

// fetchHint tells the user how to get a revision they do not have.
func fetchHint(rev string) string {
	if strings.ContainsAny(rev, "~^:@{}") {
		return "check the revision"
	}
	// "origin/main" is fetched as "main" from origin.
	name := strings.TrimPrefix(rev, "origin/")
	return fmt.Sprintf("check the name, or fetch it (git fetch origin %s)", name)
}

// Changes compares the work tree — staged, unstaged and untracked files that
// are not ignored — with the merge base of rev and HEAD.
func (r *Repo) Changes(ctx context.Context, rev string) (*Diff, error) {
	base, err := r.MergeBase(ctx, rev)
	if err != nil {
		return nil, err
	}
	// Comparing a commit with the work tree (no --cached) covers staged and
	// unstaged changes at once. Every flag below pins something a user's
	// config could otherwise change: path quoting and prefixes (which the
	// parser relies on), colour, external diff drivers, textconv filters,
	// rename detection, relative paths, and hunks merged across context.
	out, err := r.git(ctx, "-c", "core.quotePath=false", "diff",
		"--no-color", "--no-ext-diff", "--no-textconv", "--no-relative",
		"--src-prefix=a/", "--dst-prefix=b/", "-U0", "--inter-hunk-context=0",
		"--find-renames", base, "--")
	if err != nil {
		return nil, fmt.Errorf("diffing against %s: %w", rev, err)
	}
	d, err := Parse(bytes.NewReader(out))
	if err != nil {
		return nil, fmt.Errorf("reading git diff output: %w", err)
	}
	untracked, err := r.untracked(ctx)
	if err != nil {
		return nil, err
	}
	if len(untracked) > 0 {
		d.Files = append(d.Files, untracked...)
		d.normalize()
	}
	return d, nil
}

// untracked returns the untracked, not ignored files as added files, each
// changed throughout.
func (r *Repo) untracked(ctx context.Context) ([]File, error) {
	out, err := r.git(ctx, "ls-files", "--others", "--exclude-standard", "-z")
	if err != nil {
		return nil, fmt.Errorf("listing untracked files: %w", err)
	}
	var files []File
	for p := range strings.SplitSeq(string(out), "\x00") {
		// A nested repository is listed as "dir/"; its files are not ours.
		if p == "" || strings.HasSuffix(p, "/") {
			continue
		}
		f, ok, err := r.untrackedFile(p)
		if err != nil {
			return nil, err
		}
		if ok {
			files = append(files, f)
		}
	}
	return files, nil
}

// binarySniffLen is how much of a file git reads to decide whether it is
// binary (FIRST_FEW_BYTES in git's xdiff-interface.c); using the same rule
// keeps untracked files consistent with tracked ones.
const binarySniffLen = 8000

// untrackedFile describes the untracked file at p; false means it vanished.
func (r *Repo) untrackedFile(p string) (File, bool, error) {
	f := File{Path: p, Status: Added}
	name := filepath.Join(r.Root, filepath.FromSlash(p))
	info, err := os.Lstat(name)
	if errors.Is(err, os.ErrNotExist) {
		return File{}, false, nil
	}
	if err != nil {
		return File{}, false, fmt.Errorf("reading untracked file: %w", err)
	}
	if !info.Mode().IsRegular() {
		// A symbolic link: git would diff its target string, not code.
		return f, true, nil
	}
	fh, err := os.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		return File{}, false, nil
	}
	if err != nil {
		return File{}, false, fmt.Errorf("reading untracked file: %w", err)
	}
	defer fh.Close()
	lines, binary, err := countLines(fh)
	if err != nil {
		return File{}, false, fmt.Errorf("reading untracked file %s: %w", p, err)
	}
	f.Binary = binary
	if !binary && lines > 0 {
		f.Ranges = []LineRange{{Start: 1, End: lines}}
	}
	return f, true, nil
}

// countLines counts the lines of r, a final line without a newline included,
// and reports whether r looks binary: a NUL in its first binarySniffLen bytes.
func countLines(r io.Reader) (lines int, binary bool, err error) {
	br := bufio.NewReaderSize(r, 64*1024)
	head, err := br.Peek(binarySniffLen)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return 0, false, err
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return 0, true, nil
	}
	buf := make([]byte, 32*1024)
	var last byte
	for {
		n, err := br.Read(buf)
		if n > 0 {
			lines += bytes.Count(buf[:n], []byte{'\n'})
			last = buf[n-1]
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, false, err
		}
	}
	if last != 0 && last != '\n' {
		lines++
	}
	return lines, false, nil
}

// git runs git in the work tree and returns its standard output.
func (r *Repo) git(ctx context.Context, args ...string) ([]byte, error) {
	return runGit(ctx, r.Root, args...)
}

// gitError is a git command that ran and failed.
type gitError struct {
	args   []string
	code   int
	stderr string
}

func (e *gitError) Error() string {
	msg := strings.TrimSpace(e.stderr)
	if msg == "" {
		msg = fmt.Sprintf("exit status %d", e.code)
	}
	return fmt.Sprintf("git %s: %s", strings.Join(e.args, " "), msg)
}

func runGit(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil {
		return stdout.Bytes(), nil
	}
	if errors.Is(err, exec.ErrNotFound) {
		return nil, fmt.Errorf("git not found: install git, or add it to PATH: %w", err)
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("git %s: %w", args[0], ctx.Err())
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return nil, &gitError{args: args, code: exit.ExitCode(), stderr: stderr.String()}
	}
	return nil, fmt.Errorf("running git %s: %w", args[0], err)
}

// gitEnv is the caller's environment with what would change git's output
// pinned. It keeps HOME and the user's config, which may hold safe.directory
// entries that git needs to open the repository at all; the diff flags
// override the config settings that matter.
func gitEnv() []string {
	env := make([]string, 0, len(os.Environ())+1)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "LC_ALL", "GIT_EXTERNAL_DIFF", "GIT_DIFF_OPTS":
			continue
		}
		env = append(env, kv)
	}
	// English messages: Open and MergeBase match on git's stderr.
	return append(env, "LC_ALL=C")
}

// Provenance says where the work tree's code comes from, for SARIF's
// versionControlProvenance: the URL of the remote "origin" ("" if none),
// the commit at HEAD ("" before the first commit) and the branch ("" when
// HEAD is detached). It never fails: what git cannot say is left empty.
func (r *Repo) Provenance(ctx context.Context) (remote, revision, branch string) {
	if out, err := r.git(ctx, "remote", "get-url", "origin"); err == nil {
		remote = strings.TrimSpace(string(out))
	}
	if rev, ok, err := r.resolve(ctx, "HEAD"); err == nil && ok {
		revision = rev
	}
	if out, err := r.git(ctx, "symbolic-ref", "--quiet", "--short", "HEAD"); err == nil {
		branch = strings.TrimSpace(string(out))
	}
	return remote, revision, branch
}
