// Package gitdiff turns "what changed" into changed files and the lines that
// changed in them.
//
// It takes either a unified diff in git's format ([Parse], for a diff from the
// GitHub API or a file) or a git work tree ([Open], then [Repo.Changes], which
// compares the work tree — staged, unstaged and untracked files — with the
// merge base of a revision and HEAD). Either way it hands on a [Diff]: one
// [File] per changed path, sorted by path, each with the new-side line ranges
// that changed. Paths are slash-separated and relative to the repository root,
// not to a module or the current directory; [Repo.Rel] maps a file system path
// onto that form.
//
// A line "changed" if it was added or replaced. Where lines were only deleted,
// the lines just before and just after the gap count as changed, so that code
// whose meaning changed because its neighbour went away is still looked at.
// Deleted and binary files carry no ranges; a pure rename carries none either.
//
// Errors a user can fix wrap [ErrNotRepository], [ErrUnknownRevision] or
// [ErrNoMergeBase], and their messages say what to do.
package gitdiff
