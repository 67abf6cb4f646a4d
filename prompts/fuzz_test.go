package prompts_test

import (
	"testing"

	"github.com/secondlook/secondlook/prompts"
)

// FuzzParseAnswer checks that ParseAnswer never panics and that every claim
// it accepts names a real line span: line at least 1, end_line not before
// it. The seed corpus is in testdata/fuzz/FuzzParseAnswer.
func FuzzParseAnswer(f *testing.F) {
	f.Fuzz(func(t *testing.T, content string) {
		claims, err := prompts.ParseAnswer(content)
		if err != nil {
			return
		}
		for i, c := range claims {
			if c.Line < 1 || c.EndLine < c.Line {
				t.Errorf("claim %d: line %d, end_line %d", i, c.Line, c.EndLine)
			}
			if c.Confidence < 0 || c.Confidence > 1 {
				t.Errorf("claim %d: confidence %v outside [0, 1]", i, c.Confidence)
			}
		}
	})
}
