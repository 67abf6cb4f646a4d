package gitdiff

import (
	"bytes"
	"testing"
)

// FuzzParse checks that Parse never panics and that a diff it accepts keeps
// the promises of Diff and File: files sorted by path, one per path, no empty
// path, and ranges that are positive, sorted and merged (neither overlapping
// nor adjacent). The seed corpus is in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		for i, file := range d.Files {
			if file.Path == "" {
				t.Errorf("file %d has no path", i)
			}
			if i > 0 && d.Files[i-1].Path >= file.Path {
				t.Errorf("files not sorted or not unique: %q then %q", d.Files[i-1].Path, file.Path)
			}
			if (file.Binary || file.Status == Deleted) && len(file.Ranges) > 0 {
				t.Errorf("%s (%v, binary %v) has ranges %v", file.Path, file.Status, file.Binary, file.Ranges)
			}
			for j, r := range file.Ranges {
				if r.Start < 1 || r.End < r.Start {
					t.Errorf("%s: range %v is not positive", file.Path, r)
				}
				if j > 0 && r.Start <= file.Ranges[j-1].End+1 {
					t.Errorf("%s: ranges %v and %v are not sorted and merged", file.Path, file.Ranges[j-1], r)
				}
				if !file.Touches(r.Start) || !file.Touches(r.End) {
					t.Errorf("%s: Touches misses the ends of %v", file.Path, r)
				}
			}
		}
	})
}
