package eval

import (
	"strings"
	"testing"
)

// FuzzParseCase checks that Parse never panics on a corpus case and that a
// case it accepts has a go.mod and expectations that point into its files.
// The seed corpus is in testdata/fuzz/FuzzParseCase.
func FuzzParseCase(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("case.txtar", data)
		if err != nil {
			return
		}
		if c.Files["go.mod"] == nil {
			t.Errorf("accepted a case without go.mod")
		}
		for _, b := range c.Expect {
			if len(b.Locations) == 0 {
				t.Errorf("bug %s has no location", b.Kind)
			}
			for _, l := range b.Locations {
				data, ok := c.Files[l.File]
				if !ok {
					t.Errorf("expectation names %s, not in the case", l.File)
				}
				if l.Start < 1 || l.End < l.Start || l.End > strings.Count(string(data), "\n")+1 {
					t.Errorf("expectation %s:%d-%d is not inside the file", l.File, l.Start, l.End)
				}
			}
		}
	})
}
