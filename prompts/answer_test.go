package prompts_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/prompts"
)

func TestAnswerSchema(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(prompts.AnswerSchema(), &schema); err != nil {
		t.Fatalf("AnswerSchema is not JSON: %v", err)
	}
	checkStrict(t, "answer", schema)

	item := dig(t, schema, "properties", "findings", "items")
	// The properties are exactly Claim's fields, in Claim's order: a model
	// writes them in schema order, so the evidence comes before the
	// confidence.
	var names []string
	claimType := reflect.TypeFor[prompts.Claim]()
	for i := range claimType.NumField() {
		names = append(names, strings.Split(claimType.Field(i).Tag.Get("json"), ",")[0])
	}
	if got := propertyOrder(t, prompts.AnswerSchema(), "items"); !slices.Equal(got, names) {
		t.Errorf("claim properties in schema order = %v, want Claim's fields %v", got, names)
	}
	var enum []string
	for _, k := range dig(t, item, "properties", "kind")["enum"].([]any) {
		enum = append(enum, k.(string))
	}
	if diff := cmp.Diff(findings.Kinds(), enum); diff != "" {
		t.Errorf("kind enum differs from findings.Kinds() (-want +got):\n%s", diff)
	}
	if dig(t, item, "properties", "line")["type"] != "integer" || dig(t, item, "properties", "confidence")["type"] != "number" {
		t.Error("line must be an integer and confidence a number")
	}

	// Callers may not change the schema for everyone.
	s := prompts.AnswerSchema()
	s[0] = 'x'
	if prompts.AnswerSchema()[0] != '{' {
		t.Error("AnswerSchema returns shared memory")
	}
}

func TestVerdictSchema(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(prompts.VerdictSchema(), &schema); err != nil {
		t.Fatalf("VerdictSchema is not JSON: %v", err)
	}
	checkStrict(t, "verdict", schema)
	if got := propertyOrder(t, prompts.VerdictSchema(), ""); !slices.Equal(got, []string{"reason", "refuted"}) {
		t.Errorf("verdict properties = %v, want reason before refuted", got)
	}
}

// checkStrict checks what OpenAI's strict mode demands of every object in a
// schema: additionalProperties false and every property required.
func checkStrict(t *testing.T, path string, s map[string]any) {
	t.Helper()
	if s["type"] == "object" {
		props, _ := s["properties"].(map[string]any)
		var keys, required []string
		for k := range props {
			keys = append(keys, k)
		}
		for _, r := range s["required"].([]any) {
			required = append(required, r.(string))
		}
		slices.Sort(keys)
		slices.Sort(required)
		if !slices.Equal(keys, required) {
			t.Errorf("%s: required %v, want every property %v", path, required, keys)
		}
		if s["additionalProperties"] != false {
			t.Errorf("%s: additionalProperties is not false", path)
		}
		for k, p := range props {
			checkStrict(t, path+"."+k, p.(map[string]any))
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		checkStrict(t, path+"[]", items)
	}
}

func dig(t *testing.T, m map[string]any, keys ...string) map[string]any {
	t.Helper()
	for _, k := range keys {
		next, ok := m[k].(map[string]any)
		if !ok {
			t.Fatalf("schema has no object at %q", k)
		}
		m = next
	}
	return m
}

// propertyOrder returns the property names of the object under the key
// after (or the top object), in the order the JSON text writes them.
func propertyOrder(t *testing.T, schema []byte, after string) []string {
	t.Helper()
	text := string(schema)
	if after != "" {
		_, text, _ = strings.Cut(text, `"`+after+`":`)
	}
	_, text, _ = strings.Cut(text, `"properties":`)
	dec := json.NewDecoder(strings.NewReader(text))
	var names []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			continue
		case json.Delim('}'), json.Delim(']'):
			depth--
			if depth == 0 {
				return names
			}
			continue
		}
		if s, ok := tok.(string); ok && depth == 1 {
			names = append(names, s)
			// Skip the property's schema.
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestParseAnswer(t *testing.T) {
	claim := prompts.Claim{
		Kind: "goroutine-leak", Line: 42, EndLine: 43, Quote: "ch <- v", Message: "m", Explanation: "e", Confidence: 0.8,
	}
	obj := func(fields string) string {
		return `{"kind":"goroutine-leak","quote":"ch <- v","message":"m","explanation":"e"` + fields + `}`
	}
	good := obj(`,"line":42,"end_line":43,"confidence":0.8`)
	tests := []struct {
		name    string
		in      string
		want    []prompts.Claim
		wantErr string // a part of the error; "" for none
	}{
		{name: "good", in: `{"findings":[` + good + `]}`, want: []prompts.Claim{claim}},
		{name: "two", in: `{"findings":[` + good + "," + good + `]}`, want: []prompts.Claim{claim, claim}},
		{name: "empty list", in: `{"findings":[]}`, want: []prompts.Claim{}},
		{name: "null list", in: `{"findings":null}`, want: []prompts.Claim{}},
		{name: "white space around", in: " \n{\"findings\": []}\n", want: []prompts.Claim{}},
		{name: "bare array", in: `[` + good + `]`, want: []prompts.Claim{claim}},
		{name: "bare empty array", in: `[]`, want: []prompts.Claim{}},
		{name: "extra fields ignored", in: `{"summary":"x","findings":[` + obj(`,"line":42,"end_line":43,"confidence":0.8,"severity":"high"`) + `]}`, want: []prompts.Claim{claim}},
		{name: "line as string", in: `[` + obj(`,"line":"42","end_line":" 43 ","confidence":0.8`) + `]`, want: []prompts.Claim{claim}},
		{name: "line as whole float", in: `[` + obj(`,"line":42.0,"end_line":43,"confidence":0.8`) + `]`, want: []prompts.Claim{claim}},
		{name: "end line missing", in: `[` + obj(`,"line":43,"confidence":0.8`) + `]`, want: []prompts.Claim{withLines(claim, 43, 43)}},
		{name: "end line null", in: `[` + obj(`,"line":43,"end_line":null,"confidence":0.8`) + `]`, want: []prompts.Claim{withLines(claim, 43, 43)}},
		{name: "confidence as string", in: `[` + obj(`,"line":42,"end_line":43,"confidence":"0.8"`) + `]`, want: []prompts.Claim{claim}},
		{name: "confidence in percent", in: `[` + obj(`,"line":42,"end_line":43,"confidence":80`) + `]`, want: []prompts.Claim{claim}},
		{name: "confidence with percent sign", in: `[` + obj(`,"line":42,"end_line":43,"confidence":"80%"`) + `]`, want: []prompts.Claim{claim}},
		{name: "confidence 1 is certain", in: `[` + obj(`,"line":42,"end_line":43,"confidence":1`) + `]`, want: []prompts.Claim{withConfidence(claim, 1)}},

		{name: "not JSON", in: `findings: none`, wantErr: "not valid JSON"},
		{name: "empty", in: ``, wantErr: "the answer is empty"},
		{name: "truncated", in: `{"findings":[` + good, wantErr: "not valid JSON"},
		{name: "text after", in: `{"findings":[]} Hope this helps!`, wantErr: "text after the JSON object"},
		{name: "string", in: `"no bugs"`, wantErr: `must be a JSON object {"findings": [...]}, got the string "no bugs"`},
		{name: "no findings key", in: `{"bugs":[]}`, wantErr: `"findings" is missing`},
		{name: "findings not a list", in: `{"findings":{}}`, wantErr: "findings must be an array, got an object"},
		{name: "claim not an object", in: `{"findings":[` + good + `,"line 42"]}`, wantErr: `findings[1] must be an object, got the string "line 42"`},
		{name: "missing kind", in: `{"findings":[{"line":42,"end_line":42,"quote":"q","message":"m","explanation":"e","confidence":0.5}]}`, wantErr: "findings[0].kind is missing"},
		{name: "missing line", in: `{"findings":[` + good + "," + good + "," + obj(`,"confidence":0.5`) + `]}`, wantErr: "findings[2].line is missing"},
		{name: "null quote", in: `[{"kind":"panic","line":1,"quote":null,"message":"m","explanation":"e","confidence":0.5}]`, wantErr: "findings[0].quote is missing"},
		{name: "missing confidence", in: `[` + obj(`,"line":42`) + `]`, wantErr: "findings[0].confidence is missing"},
		{name: "kind not a string", in: `[{"kind":3,"line":1,"quote":"q","message":"m","explanation":"e","confidence":0.5}]`, wantErr: "findings[0].kind must be a string, got the number 3"},
		{name: "line not a number", in: `[` + obj(`,"line":"forty-two","confidence":0.5`) + `]`, wantErr: `findings[0].line must be a line number, got the string "forty-two"`},
		{name: "line a fraction", in: `[` + obj(`,"line":42.5,"confidence":0.5`) + `]`, wantErr: "findings[0].line must be a line number, got the number 42.5"},
		{name: "line negative", in: `[` + obj(`,"line":-1,"confidence":0.5`) + `]`, wantErr: "findings[0].line must be a line number"},
		{name: "line a list", in: `[` + obj(`,"line":[42,43],"confidence":0.5`) + `]`, wantErr: "findings[0].line must be a line number, got an array"},
		{name: "confidence a word", in: `[` + obj(`,"line":42,"confidence":"high"`) + `]`, wantErr: `findings[0].confidence must be a number from 0.0 to 1.0, got the string "high"`},
		{name: "confidence too large", in: `[` + obj(`,"line":42,"confidence":150`) + `]`, wantErr: "findings[0].confidence must be a number from 0.0 to 1.0, got the number 150"},
		{name: "confidence a bool", in: `[` + obj(`,"line":42,"confidence":true`) + `]`, wantErr: "got true"},
		{name: "every problem named", in: `[{"line":"x","confidence":0.5}]`, wantErr: "findings[0].kind is missing; findings[0].line must be a line number, got the string \"x\"; findings[0].quote is missing; findings[0].message is missing; findings[0].explanation is missing"},
		{name: "problems capped", in: `[{},{}]`, wantErr: "; and 7 more problems"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := prompts.ParseAnswer(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("claims returned with an error: %v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("claims mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func withLines(c prompts.Claim, line, end int) prompts.Claim {
	c.Line, c.EndLine = line, end
	return c
}

func withConfidence(c prompts.Claim, x float64) prompts.Claim {
	c.Confidence = x
	return c
}

func TestParseVerdict(t *testing.T) {
	tests := []struct {
		in      string
		refuted bool
		reason  string
		wantErr string
	}{
		{in: `{"reason":"n is checked at line 44","refuted":true}`, refuted: true, reason: "n is checked at line 44"},
		{in: `{"refuted":false,"reason":"traced"}`, refuted: false, reason: "traced"},
		{in: `{"refuted":"yes"}`, refuted: true},
		{in: `{"refuted":"False","reason":""}`, refuted: false},
		{in: `{"reason":"r"}`, wantErr: "refuted is missing"},
		{in: `{"reason":"r","refuted":"maybe"}`, wantErr: `refuted must be true or false, got the string "maybe"`},
		{in: `{"reason":7,"refuted":true}`, wantErr: "reason must be a string, got the number 7"},
		{in: `true`, wantErr: "must be a JSON object"},
		{in: `{"refuted":true} ok`, wantErr: "text after the JSON object"},
	}
	for _, tt := range tests {
		refuted, reason, err := prompts.ParseVerdict(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err = %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if refuted != tt.refuted || reason != tt.reason {
			t.Errorf("%s: got (%v, %q), want (%v, %q)", tt.in, refuted, reason, tt.refuted, tt.reason)
		}
	}
}

func TestClaimCandidate(t *testing.T) {
	r := diffRegion()
	c := prompts.Claim{
		Kind: "resource-leak", Line: 45, EndLine: 0, Quote: "q", Message: "m", Explanation: "e", Confidence: 0.7,
	}.Candidate(r, "gpt-x", "v1")
	want := findings.Candidate{
		RegionID: r.ID, Kind: "resource-leak", File: "cart/cart.go", Function: "(*Cart).Add",
		RegionStart: 41, RegionEnd: 57, Line: 45, EndLine: 45,
		Quote: "q", Message: "m", Explanation: "e", Confidence: 0.7, Model: "gpt-x", PromptVersion: "v1",
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("candidate mismatch (-want +got):\n%s", diff)
	}

	for _, tt := range []struct{ quote, want string }{
		{"c.mu.Lock()", "c.mu.Lock()"},
		{"`c.mu.Lock()`", "c.mu.Lock()"},
		{"```go\n\tc.mu.Lock()\n\tif n <= 0 {\n```", "\tc.mu.Lock()\n\tif n <= 0 {"},
		{"43 | \tc.mu.Lock()", "\tc.mu.Lock()"},
		{"44+| \tif n <= 0 {\n45+| \t\treturn fmt.Errorf(\"x\")", "\tif n <= 0 {\n\t\treturn fmt.Errorf(\"x\")"},
		{" 9 |\tx := 1\n\n10 |\ty := 2", "\tx := 1\n\n\ty := 2"},
		// Not every line numbered: the quote is code, left alone.
		{"43 | \tc.mu.Lock()\nc.mu.Unlock()", "43 | \tc.mu.Lock()\nc.mu.Unlock()"},
		// A raw string literal is code: the backquotes inside stay.
		{"s := `a` + `b`", "s := `a` + `b`"},
	} {
		cand := prompts.Claim{Quote: tt.quote}.Candidate(r, "", "")
		if cand.Quote != tt.want {
			t.Errorf("quote %q cleaned to %q, want %q", tt.quote, cand.Quote, tt.want)
		}
	}
}

// TestAnswerVerifies runs a model's answer about a rendered prompt through
// ParseAnswer, Candidate and findings.Verify: a claim that copies a line of
// the prompt, line number and mark included, is evidence in the file.
func TestAnswerVerifies(t *testing.T) {
	r := diffRegion()
	user := prompts.Render(r, opts).User
	var copied string
	for l := range strings.Lines(user) {
		if strings.HasPrefix(l, "45+|") {
			copied = strings.TrimSuffix(l, "\n")
		}
	}
	if copied == "" {
		t.Fatalf("line 45 is not rendered as 45+|:\n%s", user)
	}
	answer, err := json.Marshal(map[string]any{"findings": []map[string]any{{
		"kind": "Resource_Leak", "line": "44", "end_line": 45, "quote": copied,
		"message": "Add returns with c.mu locked when n <= 0", "explanation": "e", "confidence": "90%",
	}}})
	if err != nil {
		t.Fatal(err)
	}
	claims, err := prompts.ParseAnswer(string(answer))
	if err != nil {
		t.Fatal(err)
	}
	file := append(make([]string, r.Start-1), strings.Split(r.Code, "\n")...)
	f, reason := findings.Verify(claims[0].Candidate(r, "m", prompts.Version()), file)
	if reason != "" {
		t.Fatalf("dropped: %s (quote %q)", reason, claims[0].Quote)
	}
	if f.RuleID != "SL3003" || f.Location.Line != 45 || f.Confidence != 0.9 {
		t.Errorf("finding %s at line %d with confidence %v, want SL3003 at 45 with 0.9", f.RuleID, f.Location.Line, f.Confidence)
	}
}
