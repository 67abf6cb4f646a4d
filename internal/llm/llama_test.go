package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secondlook/secondlook/internal/llm"
	"github.com/secondlook/secondlook/internal/llm/llamatest"
)

// The tests named TestLlamaServer… talk to a real llama.cpp server with a
// tiny model the test writes (internal/llm/llamatest). They skip when
// SECONDLOOK_LLAMA_SERVER is unset; CI sets it.

// claimSchema is the shape of secondlook's answers, cut down: a strict
// schema with an array of objects, an enum, an integer and strings.
const claimSchema = `{
  "type": "object",
  "properties": {
    "findings": {
      "type": "array",
      "items": {
        "type": "object",
        "properties": {
          "kind": {"type": "string", "enum": ["deadlock", "leak", "race"]},
          "line": {"type": "integer"},
          "quote": {"type": "string"}
        },
        "required": ["kind", "line", "quote"],
        "additionalProperties": false
      }
    }
  },
  "required": ["findings"],
  "additionalProperties": false
}`

type claimAnswer struct {
	Findings []struct {
		Kind  string `json:"kind"`
		Line  *int   `json:"line"`
		Quote *string
	} `json:"findings"`
}

// validateClaims checks an answer against claimSchema by hand, as strictly.
func validateClaims(s string) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	var a struct {
		Findings *[]json.RawMessage `json:"findings"`
	}
	if err := dec.Decode(&a); err != nil {
		return fmt.Errorf("not the answer object: %v", err)
	}
	if a.Findings == nil {
		return errors.New(`"findings" is missing`)
	}
	for i, raw := range *a.Findings {
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		var c struct {
			Kind  *string `json:"kind"`
			Line  *int    `json:"line"`
			Quote *string `json:"quote"`
		}
		if err := dec.Decode(&c); err != nil {
			return fmt.Errorf("findings[%d]: %v", i, err)
		}
		if c.Kind == nil || c.Line == nil || c.Quote == nil {
			return fmt.Errorf("findings[%d] lacks a field: %s", i, raw)
		}
		if !slices.Contains([]string{"deadlock", "leak", "race"}, *c.Kind) {
			return fmt.Errorf("findings[%d].kind %q is not in the enum", i, *c.Kind)
		}
	}
	return nil
}

// reviewPrompt is a question shaped like secondlook's: instructions, then
// numbered code.
func reviewPrompt(i int) llm.Request {
	var code strings.Builder
	for l := 1; l <= 12+i; l++ {
		fmt.Fprintf(&code, "%4d | \tmu.Lock(); v%d := m[k%d]; mu.Unlock() // step %d\n", l, l, i, l*i)
	}
	return llm.Request{
		System:     "You review Go code for concurrency bugs. Answer with a JSON object {\"findings\": [...]}.",
		User:       fmt.Sprintf("Region %d of store.go:\n%s\nReport each bug with its kind, line and quote.", i, code.String()),
		Schema:     json.RawMessage(claimSchema),
		SchemaName: "review answer",
		Validate:   validateClaims,
	}
}

func llamaClient(t *testing.T, baseURL string, mutate func(*llm.Config)) *llm.Client {
	t.Helper()
	cfg := llm.Config{BaseURL: baseURL, Model: llamatest.ModelName, Timeout: 60 * time.Second, MaxOutputTokens: 512}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := llm.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// TestLlamaServerJSONSchema: strict json_schema is enforced by
// llama-server's grammar, so every answer of the random model parses and
// the model itself ends it (finish_reason stop) in one request.
func TestLlamaServerJSONSchema(t *testing.T) {
	srv := llamatest.Start(t, llamatest.Options{})
	c := llamaClient(t, srv.URL, nil)
	ctx := testContext(t)
	claims := 0
	var spent time.Duration
	const n = 12
	for i := 0; i < n; i++ {
		start := time.Now()
		resp, err := c.Complete(ctx, reviewPrompt(i))
		spent += time.Since(start)
		if err != nil {
			t.Fatalf("prompt %d: %v", i, err)
		}
		if resp.Mode != "json_schema" || resp.FinishReason != "stop" || resp.Requests != 1 {
			t.Errorf("prompt %d: mode %s, finish_reason %s, %d requests; want json_schema, stop, 1", i, resp.Mode, resp.FinishReason, resp.Requests)
		}
		if resp.Usage.PromptTokens < 100 || resp.Usage.CompletionTokens == 0 {
			t.Errorf("prompt %d: usage %+v: the server's counts did not arrive", i, resp.Usage)
		}
		var a claimAnswer
		if err := json.Unmarshal([]byte(resp.Content), &a); err != nil {
			t.Fatalf("prompt %d: %v", i, err)
		}
		claims += len(a.Findings)
		if i < 3 {
			t.Logf("answer %d (%d tokens in, %d out): %.300s", i, resp.Usage.PromptTokens, resp.Usage.CompletionTokens, resp.Content)
		}
	}
	t.Logf("%d answers, %d claims, %v a request", n, claims, spent/n)
}

// TestLlamaServerJSONObject: behind a proxy that refuses json_schema, the
// client falls back to json_object, which llama-server accepts but does not
// enforce on its default (Jinja) chat path: the answer comes back as
// whatever the model wrote. Each question ends with a valid answer or with
// ErrBadAnswer after one repair request, never with another error.
func TestLlamaServerJSONObject(t *testing.T) {
	srv := llamatest.Start(t, llamatest.Options{})
	proxy := llamatest.RefuseFormats(t, srv, "json_schema")
	fallbackOutcomes(t, proxy, "json_object")
}

// TestLlamaServerText: a proxy that refuses json_schema and json_object
// leaves plain text, which the real server answers.
func TestLlamaServerText(t *testing.T) {
	srv := llamatest.Start(t, llamatest.Options{})
	proxy := llamatest.RefuseFormats(t, srv, "json_schema", "json_object")
	fallbackOutcomes(t, proxy, "text")
}

func fallbackOutcomes(t *testing.T, proxy *llamatest.Proxy, wantMode string) {
	t.Helper()
	c := llamaClient(t, proxy.URL, nil)
	ctx := testContext(t)
	outcomes := map[string]int{}
	const n = 6
	for i := 0; i < n; i++ {
		resp, err := c.Complete(ctx, reviewPrompt(i))
		switch {
		case err == nil:
			outcomes["answered"]++
			if err := validateClaims(resp.Content); err != nil {
				t.Errorf("prompt %d: accepted an answer that does not validate: %v", i, err)
			}
		case errors.Is(err, llm.ErrBadAnswer), errors.Is(err, llm.ErrTruncated):
			outcomes["unusable"]++
			// One request, or two with the repair; the first question
			// also spent the refused ones.
			if most := 2 + map[bool]int{true: proxy.Refused()}[i == 0]; resp == nil || resp.Requests < 1 || resp.Requests > most {
				t.Errorf("prompt %d: %+v: want 1 to %d requests", i, resp, most)
			}
		default:
			t.Fatalf("prompt %d: %v", i, err)
		}
		if resp != nil && i < 2 {
			t.Logf("prompt %d: %d requests, err %v", i, resp.Requests, err)
		}
		if resp != nil && resp.Mode != "" && resp.Mode != wantMode {
			t.Errorf("prompt %d: mode %s, want %s", i, resp.Mode, wantMode)
		}
	}
	if c.Mode() != wantMode {
		t.Errorf("client mode %s, want %s", c.Mode(), wantMode)
	}
	formats := proxy.Formats()
	// Only the first question tries the refused modes: the client
	// remembers the one that worked.
	wantRefused := map[string]int{"json_object": 1, "text": 2}[wantMode]
	if proxy.Refused() != wantRefused {
		t.Errorf("%d requests refused, want %d: %v", proxy.Refused(), wantRefused, formats)
	}
	t.Logf("%v; formats sent %v", outcomes, formats)
	for i, a := range proxy.Answers() {
		if i < 3 {
			t.Logf("answer %d: %.400s", i, a)
		}
	}
}

// TestLlamaServerLength: an answer cut by max_tokens is ErrTruncated with
// finish_reason length, without a repair request (it would be cut too).
func TestLlamaServerLength(t *testing.T) {
	srv := llamatest.Start(t, llamatest.Options{})
	c := llamaClient(t, srv.URL, func(cfg *llm.Config) { cfg.MaxOutputTokens = 6 })
	resp, err := c.Complete(testContext(t), reviewPrompt(0))
	if !errors.Is(err, llm.ErrTruncated) {
		t.Fatalf("err %v, want ErrTruncated", err)
	}
	if resp == nil || resp.FinishReason != "length" || resp.Requests != 1 || resp.Usage.CompletionTokens != 6 {
		t.Errorf("response %+v: want finish_reason length, 1 request, 6 completion tokens", resp)
	}
}

// TestLlamaServerContextLength: a prompt longer than the server's context
// is ErrContextLength at once, not retried as a 400 of another kind.
func TestLlamaServerContextLength(t *testing.T) {
	srv := llamatest.Start(t, llamatest.Options{Context: 1024})
	c := llamaClient(t, srv.URL, func(cfg *llm.Config) { cfg.MaxRetries = 3 })
	req := reviewPrompt(0)
	req.User = strings.Repeat("x := y // ", 300)
	resp, err := c.Complete(testContext(t), req)
	if !errors.Is(err, llm.ErrContextLength) {
		t.Fatalf("err %v, want ErrContextLength", err)
	}
	if resp == nil || resp.Requests != 1 {
		t.Errorf("response %+v: want one request", resp)
	}
}
