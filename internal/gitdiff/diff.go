package gitdiff

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	godiff "github.com/bluekeyes/go-gitdiff/gitdiff"
)

// LineRange is a 1-based inclusive range of lines on the new side of a diff.
type LineRange struct{ Start, End int }

// Status says how a file changed.
type Status int

// The zero Status is invalid, so that a File built by hand without one shows
// up as "Status(0)" rather than passing for a real status.
const (
	Added Status = iota + 1
	Modified
	Deleted
	Renamed
)

func (s Status) String() string {
	switch s {
	case Added:
		return "added"
	case Modified:
		return "modified"
	case Deleted:
		return "deleted"
	case Renamed:
		return "renamed"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// File is one file of a diff.
type File struct {
	// Path is the new path, slash-separated and relative to the repository
	// root; for a deleted file it is the old path. Never empty.
	Path string
	// OldPath is the old path of a renamed or deleted file, else "".
	OldPath string
	Status  Status
	// Binary is set when git treats the file as binary; it has no Ranges.
	Binary bool
	// Ranges are the new-side lines that changed, sorted, with overlapping
	// and adjacent ranges merged.
	Ranges []LineRange
}

// Touches reports whether line lies in a changed range. It is false for a nil
// File, so d.Lookup(path).Touches(line) needs no nil check.
func (f *File) Touches(line int) bool {
	return f.Overlaps(line, line)
}

// Overlaps reports whether any line in [start, end] lies in a changed range.
// It is false for a nil File.
func (f *File) Overlaps(start, end int) bool {
	if f == nil || start > end {
		return false
	}
	// The first range that does not end before start is the only candidate.
	i, _ := slices.BinarySearchFunc(f.Ranges, start, func(r LineRange, line int) int {
		return cmp.Compare(r.End, line)
	})
	return i < len(f.Ranges) && f.Ranges[i].Start <= end
}

// Diff is a parsed change.
type Diff struct {
	Files []File // sorted by Path, one entry per Path
}

// Empty reports whether the diff changes no file. A nil Diff is empty.
func (d *Diff) Empty() bool {
	return d == nil || len(d.Files) == 0
}

// Lookup returns the file at path (repository-relative, slash-separated), or
// nil.
func (d *Diff) Lookup(path string) *File {
	if d == nil {
		return nil
	}
	i, ok := slices.BinarySearchFunc(d.Files, path, func(f File, p string) int {
		return strings.Compare(f.Path, p)
	})
	if !ok {
		return nil
	}
	return &d.Files[i]
}

// Parse reads a unified diff in git's format, as `git diff` or the GitHub
// API's .diff media type gives it. Input with no file header at all is an
// error, since it is more likely the wrong file than an empty change; empty
// input is an empty Diff.
func Parse(r io.Reader) (*Diff, error) {
	files, preamble, err := godiff.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("parsing diff: %w", err)
	}
	if len(files) == 0 && strings.TrimSpace(preamble) != "" {
		return nil, errors.New(`parsing diff: no file headers found (expected "diff --git" lines): pass a unified diff in git's format`)
	}
	d := &Diff{Files: make([]File, 0, len(files))}
	for _, gf := range files {
		f, err := convert(gf)
		if err != nil {
			return nil, fmt.Errorf("parsing diff: %w", err)
		}
		d.Files = append(d.Files, f)
	}
	d.normalize()
	return d, nil
}

// convert turns one go-gitdiff file into a File.
func convert(gf *godiff.File) (File, error) {
	f := File{Path: gf.NewName, Status: Modified, Binary: gf.IsBinary}
	switch {
	case gf.IsDelete:
		f.Path, f.OldPath, f.Status = gf.OldName, gf.OldName, Deleted
	case gf.IsNew:
		f.Status = Added
	case gf.IsRename:
		f.OldPath, f.Status = gf.OldName, Renamed
	case gf.IsCopy:
		// A copy is a new file at Path; its hunks are relative to the source,
		// which the caller never sees, so only the lines that differ count.
		f.Status = Added
	}
	if f.Path == "" {
		return File{}, fmt.Errorf("file %q: no path", gf.String())
	}
	if f.Status == Deleted || f.Binary {
		return f, nil
	}
	for _, frag := range gf.TextFragments {
		// go-gitdiff checks a hunk's line counts against its lines but not
		// its start: "+0,1" would make line 0 changed, and a start near the
		// int64 limit would wrap around in the walk below and mark line 1.
		if (frag.NewLines > 0 && frag.NewPosition < 1) || frag.NewPosition < 0 || frag.NewPosition > math.MaxInt32 {
			return File{}, fmt.Errorf("file %s: hunk %q: bad new-side start line %d", f.Path, frag.Header(), frag.NewPosition)
		}
		f.Ranges = appendFragmentRanges(f.Ranges, frag)
	}
	return f, nil
}

// appendFragmentRanges appends the new-side lines that frag changes. It walks
// the fragment, so it serves both git's -U0 output and diffs with context.
func appendFragmentRanges(ranges []LineRange, frag *godiff.TextFragment) []LineRange {
	// next is the new-side number of the next line that exists on the new
	// side. A hunk with no new lines names the line before it ("+4,0" means
	// "after line 4"), otherwise its first line.
	next := int(frag.NewPosition)
	if frag.NewLines == 0 {
		next++
	}
	// A block is a run of deleted and added lines between context lines. One
	// that only deletes leaves nothing to point at on the new side, so it marks
	// its neighbours: the line before the gap and the line after it.
	deleted, added := false, false
	endBlock := func() {
		if deleted && !added {
			ranges = append(ranges, LineRange{Start: max(next-1, 1), End: max(next, 1)})
		}
		deleted, added = false, false
	}
	for _, l := range frag.Lines {
		switch l.Op {
		case godiff.OpContext:
			endBlock()
			next++
		case godiff.OpDelete:
			deleted = true
		case godiff.OpAdd:
			added = true
			ranges = append(ranges, LineRange{Start: next, End: next})
			next++
		}
	}
	endBlock()
	return ranges
}

// normalize sorts files by path, merges entries for the same path, and sorts
// and merges each file's ranges.
func (d *Diff) normalize() {
	// A path can appear twice: git shows a type change (file to symlink) as a
	// deletion and an addition, and a file removed from the index but still on
	// disk is both deleted and untracked. The surviving entry is the one that
	// is not a deletion, so it sorts first.
	slices.SortStableFunc(d.Files, func(a, b File) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), cmpBool(a.Status == Deleted, b.Status == Deleted))
	})
	out := d.Files[:0]
	for _, f := range d.Files {
		if n := len(out); n > 0 && out[n-1].Path == f.Path {
			last := &out[n-1]
			if f.Status != Deleted {
				last.Binary = last.Binary || f.Binary
				last.Ranges = append(last.Ranges, f.Ranges...)
			}
			continue
		}
		out = append(out, f)
	}
	d.Files = out
	for i := range d.Files {
		f := &d.Files[i]
		if f.Binary {
			f.Ranges = nil
		}
		f.Ranges = mergeRanges(f.Ranges)
	}
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// mergeRanges sorts rs and merges overlapping and adjacent ranges, in place.
func mergeRanges(rs []LineRange) []LineRange {
	if len(rs) == 0 {
		return nil
	}
	slices.SortFunc(rs, func(a, b LineRange) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End))
	})
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.Start <= last.End+1 {
			last.End = max(last.End, r.End)
			continue
		}
		out = append(out, r)
	}
	return out
}
