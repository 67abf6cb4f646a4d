package llm

import "testing"

func TestExtractJSON(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		ok             bool
	}{
		{"bare", `{"a":1}`, `{"a":1}`, true},
		{"prose", `The answer is {"a":1}. Done.`, `{"a":1}`, true},
		{"nested", `x {"a":{"b":{"c":[1,{"d":2}]}}} y`, `{"a":{"b":{"c":[1,{"d":2}]}}}`, true},
		{"braces in strings", `{"code":"func f() { if x { return } }","n":"}"}`, `{"code":"func f() { if x { return } }","n":"}"}`, true},
		{"escaped quotes", `{"q":"say \"}\" twice \\","r":1} tail`, `{"q":"say \"}\" twice \\","r":1}`, true},
		{"json fence", "Here:\n```json\n{\"a\": [1, 2]}\n```\n", `{"a": [1, 2]}`, true},
		{"plain fence", "```\n{\"a\": 1}\n```", `{"a": 1}`, true},
		{"fence preferred", "Use map[string]int{} here.\n```json\n{\"a\": 1}\n```", `{"a": 1}`, true},
		{"after think", "<think>try {\"a\": 0}</think>\n{\"a\": 2}", `{"a": 2}`, true},
		{"invalid then valid", `{not json} then {"a":3}`, `{"a":3}`, true},
		{"unbalanced then valid", `{{{ oops {"a":4}`, `{"a":4}`, true},
		{"no object", "There are no bugs.", "", false},
		{"array only", `[1,2,3]`, "", false},
		{"unterminated", `{"a": [1, 2`, "", false},
		{"empty", "", "", false},
	} {
		got, ok := ExtractJSON(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: ExtractJSON(%q) = %q, %v; want %q, %v", tc.name, tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestJSONObjectsOrder(t *testing.T) {
	got := jsonObjects("a {\"x\":1} b {\"y\":2} c {\"x\":1}", 8)
	if len(got) != 2 || got[0] != `{"x":1}` || got[1] != `{"y":2}` {
		t.Errorf("jsonObjects = %q", got)
	}
}

func BenchmarkExtractJSONBraces(b *testing.B) {
	// A long answer full of unbalanced braces must stay cheap.
	s := make([]byte, 0, 100_000)
	for len(s) < 100_000 {
		s = append(s, "{ x "...)
	}
	for b.Loop() {
		ExtractJSON(string(s))
	}
}
