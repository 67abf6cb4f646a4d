package llm

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzExtractJSON checks that ExtractJSON never panics and that what it
// returns is a valid JSON object taken from its input. The seed corpus is in
// testdata/fuzz/FuzzExtractJSON.
func FuzzExtractJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		obj, ok := ExtractJSON(s)
		if !ok {
			if obj != "" {
				t.Errorf("ExtractJSON returned %q with ok false", obj)
			}
			return
		}
		if !json.Valid([]byte(obj)) {
			t.Errorf("ExtractJSON returned invalid JSON %q", obj)
		}
		if !strings.HasPrefix(obj, "{") || !strings.Contains(s, obj) {
			t.Errorf("ExtractJSON returned %q, not an object of its input", obj)
		}
	})
}
