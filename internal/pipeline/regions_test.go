package pipeline

import (
	"strings"
	"testing"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/internal/gitdiff"
	"github.com/secondlook/secondlook/prompts"
)

// TestNumberedMatchesPrompt holds that regions come with their code as the
// review prompt shows it.
func TestNumberedMatchesPrompt(t *testing.T) {
	code := "func f() {\n\tx := 1   \n\n\tif x > 0 {\n\t\treturn\n\t}\n}"
	for _, r := range []analyzer.Region{
		{File: "a.go", Func: "f", Start: 96, End: 102, Code: code, Changed: []gitdiff.LineRange{{Start: 98, End: 100}}},
		{File: "a.go", Func: "f", Start: 3, End: 9, Code: code},
		{File: "a.go", Func: "f", Start: 3, End: 9, Code: code, Caller: true},
	} {
		got := numbered(r)
		if user := prompts.Render(r, prompts.Options{}).User; !strings.Contains(user, "\n"+got) {
			t.Errorf("numbered code of %d-%d is not in the prompt:\n%s\nprompt:\n%s", r.Start, r.End, got, user)
		}
		if strings.Count(got, "\n") != r.End-r.Start+1 {
			t.Errorf("numbered code of %d-%d has %d lines:\n%s", r.Start, r.End, strings.Count(got, "\n"), got)
		}
	}
	if got := numbered(analyzer.Region{Start: 99, End: 100, Code: "a\nb", Changed: []gitdiff.LineRange{{Start: 100, End: 100}}}); got != " 99 | a\n100+| b\n" {
		t.Errorf("numbered = %q", got)
	}
}
