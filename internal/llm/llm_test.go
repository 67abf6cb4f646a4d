package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secondlook/secondlook/internal/llm"
	"github.com/secondlook/secondlook/internal/llm/llmtest"
)

// key is distinctive so that a test can tell it never leaks.
const key = "sk-test-SECRET-123"

var schema = json.RawMessage(`{"type":"object","properties":{"findings":{"type":"array","items":{"type":"object","properties":{"line":{"type":"integer"}},"required":["line"],"additionalProperties":false}}},"required":["findings"],"additionalProperties":false}`)

const good = `{"findings":[{"line":3}]}`

// validate accepts exactly one JSON object with a findings array, as the
// review stage's parser will.
func validate(s string) error {
	var a struct {
		Findings *[]struct {
			Line int `json:"line"`
		} `json:"findings"`
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("text after the JSON object")
	}
	if a.Findings == nil {
		return errors.New(`missing "findings"`)
	}
	return nil
}

func jsonRequest() llm.Request {
	return llm.Request{
		System:   "You review Go code. Answer in JSON.",
		User:     "func f() {}",
		Schema:   schema,
		Validate: validate,
	}
}

// sleeps records the waits a client asked for, and spends none of them.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// retry is one OnRetry call.
type retry struct {
	status int
	wait   time.Duration
}

type harness struct {
	srv     *llmtest.Server
	client  *llm.Client
	cfg     llm.Config
	sleeps  *sleeps
	mu      sync.Mutex
	retries []retry
}

func (h *harness) onRetry() []retry {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]retry(nil), h.retries...)
}

func start(t *testing.T, handler llmtest.Handler, opts ...func(*llm.Config)) *harness {
	t.Helper()
	h := &harness{srv: llmtest.NewServer(t, handler), sleeps: &sleeps{}}
	h.cfg = llm.Config{
		BaseURL:         h.srv.URL,
		APIKey:          key,
		Model:           "gpt-4o-mini",
		MaxRetries:      4,
		MaxOutputTokens: 256,
		Sleep:           h.sleeps.sleep,
		OnRetry: func(status int, wait time.Duration) {
			h.mu.Lock()
			h.retries = append(h.retries, retry{status, wait})
			h.mu.Unlock()
		},
	}
	for _, o := range opts {
		o(&h.cfg)
	}
	c, err := llm.New(h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.client = c
	return h
}

func answer(content string) llmtest.Handler {
	return func(*llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Content: content, PromptTokens: 10, CompletionTokens: 5}
	}
}

func TestPlainAnswer(t *testing.T) {
	h := start(t, answer("no bugs"))
	resp, err := h.client.Complete(context.Background(), llm.Request{System: "be brief", User: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	want := llm.Response{Content: "no bugs", Usage: llm.Usage{PromptTokens: 10, CompletionTokens: 5}, Mode: "text", Requests: 1, FinishReason: "stop"}
	if *resp != want {
		t.Errorf("response = %+v, want %+v", *resp, want)
	}
	reqs := h.srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.ResponseFormat != "" {
		t.Errorf("response_format %q without a schema, want none", r.ResponseFormat)
	}
	if len(r.Messages) != 2 || r.Messages[0] != (llmtest.Message{Role: "system", Content: "be brief"}) || r.Messages[1] != (llmtest.Message{Role: "user", Content: "hello"}) {
		t.Errorf("messages = %+v", r.Messages)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+key {
		t.Errorf("Authorization = %q, want the bearer key", got)
	}
	if r.Model != "gpt-4o-mini" || r.MaxTokens != 256 || r.MaxCompletionTokens != 0 || r.Stream {
		t.Errorf("model %q, max_tokens %d, max_completion_tokens %d, stream %v", r.Model, r.MaxTokens, r.MaxCompletionTokens, r.Stream)
	}
	// go-openai omits a zero temperature; the server default would be 1.
	if r.Temperature == nil || *r.Temperature != 0 {
		t.Errorf("temperature = %v, want an explicit 0 (body %s)", r.Temperature, r.Raw)
	}
	if r.Seed == nil || *r.Seed != llm.DefaultSeed {
		t.Errorf("seed = %v, want %d", r.Seed, llm.DefaultSeed)
	}
}

func TestSamplingParameters(t *testing.T) {
	for _, tc := range []struct {
		model     string
		reasoning bool
	}{
		{"gpt-4o-mini", false},
		{"llama3.1:8b", false},
		{"qwen2.5-coder:7b", false},
		{"o1", true},
		{"o3-mini", true},
		{"O4-mini", true},
		{"gpt-5-nano", true},
		{"openrouter/openai/gpt-5", true},
		{"openai/o3", true},
	} {
		t.Run(tc.model, func(t *testing.T) {
			h := start(t, answer("ok"), func(c *llm.Config) { c.Model = tc.model })
			if _, err := h.client.Complete(context.Background(), llm.Request{User: "hi"}); err != nil {
				t.Fatal(err)
			}
			r := h.srv.Requests()[0]
			if r.Seed == nil || *r.Seed != llm.DefaultSeed {
				t.Errorf("seed = %v, want %d", r.Seed, llm.DefaultSeed)
			}
			if tc.reasoning {
				if r.MaxCompletionTokens != 256 || r.MaxTokens != 0 || r.Temperature != nil {
					t.Errorf("reasoning model: max_completion_tokens %d, max_tokens %d, temperature %v; want 256, 0, absent", r.MaxCompletionTokens, r.MaxTokens, r.Temperature)
				}
			} else {
				if r.MaxTokens != 256 || r.MaxCompletionTokens != 0 || r.Temperature == nil || *r.Temperature != 0 {
					t.Errorf("max_tokens %d, max_completion_tokens %d, temperature %v; want 256, 0, 0", r.MaxTokens, r.MaxCompletionTokens, r.Temperature)
				}
			}
		})
	}

	seed := 42
	h := start(t, answer("ok"), func(c *llm.Config) { c.Temperature = 0.5; c.Seed = &seed; c.MaxOutputTokens = 0 })
	if _, err := h.client.Complete(context.Background(), llm.Request{User: "hi"}); err != nil {
		t.Fatal(err)
	}
	r := h.srv.Requests()[0]
	if r.Temperature == nil || *r.Temperature != 0.5 || r.Seed == nil || *r.Seed != 42 || r.MaxTokens != 0 {
		t.Errorf("temperature %v, seed %v, max_tokens %d; want 0.5, 42, absent", r.Temperature, r.Seed, r.MaxTokens)
	}
	if strings.Count(string(r.Raw), `"temperature"`) != 1 {
		t.Errorf("temperature sent other than once: %s", r.Raw)
	}
}

func TestNoKey(t *testing.T) {
	h := start(t, answer("ok"), func(c *llm.Config) { c.APIKey = "" })
	if _, err := h.client.Complete(context.Background(), llm.Request{User: "hi"}); err != nil {
		t.Fatal(err)
	}
	if v, ok := h.srv.Requests()[0].Header["Authorization"]; ok {
		t.Errorf("Authorization header %q sent without a key", v)
	}
}

func TestJSONSchemaAccepted(t *testing.T) {
	h := start(t, answer(good))
	resp, err := h.client.Complete(context.Background(), jsonRequest())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Content != good || resp.Mode != "json_schema" || resp.Requests != 1 {
		t.Errorf("response = %+v", *resp)
	}
	r := h.srv.Requests()[0]
	if r.ResponseFormat != "json_schema" || r.SchemaName != "answer" || string(r.Schema) != string(schema) {
		t.Errorf("response_format %q, name %q, schema %s", r.ResponseFormat, r.SchemaName, r.Schema)
	}
	if !strings.Contains(string(r.Raw), `"strict":true`) {
		t.Errorf("json_schema not strict: %s", r.Raw)
	}
}

func formats(reqs []llmtest.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.ResponseFormat)
	}
	return out
}

func TestFormatFallback(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rejected []string
		first    []string // formats of the first Complete's requests
		mode     string
	}{
		{"no json_schema", []string{"json_schema"}, []string{"json_schema", "json_object"}, "json_object"},
		{"no structured output", []string{"json_schema", "json_object"}, []string{"json_schema", "json_object", ""}, "text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, llmtest.RejectFormats(answer(good), tc.rejected...))
			resp, err := h.client.Complete(context.Background(), jsonRequest())
			if err != nil {
				t.Fatal(err)
			}
			if got := formats(h.srv.Requests()); fmt.Sprint(got) != fmt.Sprint(tc.first) {
				t.Errorf("first call sent formats %q, want %q", got, tc.first)
			}
			if resp.Mode != tc.mode || resp.Requests != len(tc.first) || resp.Content != good {
				t.Errorf("response = %+v", *resp)
			}
			if h.client.Mode() != tc.mode {
				t.Errorf("client mode %q, want %q", h.client.Mode(), tc.mode)
			}
			if len(h.sleeps.waits()) != 0 {
				t.Errorf("a fallback waited: %v", h.sleeps.waits())
			}

			// The next call starts where the first ended.
			resp, err = h.client.Complete(context.Background(), jsonRequest())
			if err != nil {
				t.Fatal(err)
			}
			reqs := h.srv.Requests()
			if resp.Requests != 1 || resp.Mode != tc.mode || reqs[len(reqs)-1].ResponseFormat != tc.first[len(tc.first)-1] {
				t.Errorf("second call: %+v, format %q", *resp, reqs[len(reqs)-1].ResponseFormat)
			}
		})
	}
}

// TestQueuedRequestsLearnTheRefusal: requests queued behind the Gate while
// the first is refused json_schema do not each try it again (the review
// pool queues four regions a place behind its limiter).
func TestQueuedRequestsLearnTheRefusal(t *testing.T) {
	place := make(chan struct{}, 1)
	gate := func(ctx context.Context) (func(bool), error) {
		select {
		case place <- struct{}{}:
			return func(bool) { <-place }, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	h := start(t, llmtest.RejectFormats(answer(good), "json_schema"), func(c *llm.Config) { c.Gate = gate })
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			if _, err := h.client.Complete(context.Background(), jsonRequest()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	refused := 0
	for _, f := range formats(h.srv.Requests()) {
		if f == "json_schema" {
			refused++
		}
	}
	if refused != 1 {
		t.Errorf("json_schema sent %d times, want once: %q", refused, formats(h.srv.Requests()))
	}
}

func TestJSONObjectSaysJSON(t *testing.T) {
	// OpenAI refuses json_object unless a message mentions JSON.
	h := start(t, llmtest.RejectFormats(answer(good), "json_schema"))
	req := jsonRequest()
	req.System = "You review Go code."
	if _, err := h.client.Complete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	r := h.srv.Requests()[1]
	if r.ResponseFormat != "json_object" || !strings.Contains(strings.ToLower(string(r.Raw)), "json object") {
		t.Errorf("json_object request without a mention of JSON: %s", r.Raw)
	}
}

func TestUnrelated400DoesNotDowngrade(t *testing.T) {
	h := start(t, func(*llmtest.Request) llmtest.Reply {
		return llmtest.Error(http.StatusBadRequest, "max_tokens is too large: 99999999")
	})
	_, err := h.client.Complete(context.Background(), jsonRequest())
	var se *llm.StatusError
	if !errors.As(err, &se) || se.Status != http.StatusBadRequest {
		t.Fatalf("err = %v, want a 400 StatusError", err)
	}
	if h.srv.Count() != 1 || h.client.Mode() != "json_schema" {
		t.Errorf("%d requests, mode %q; want 1, json_schema", h.srv.Count(), h.client.Mode())
	}
}

func TestFailedFallbackIsNotRemembered(t *testing.T) {
	// Every format refused: nothing worked, so nothing is remembered.
	h := start(t, func(*llmtest.Request) llmtest.Reply {
		return llmtest.Error(http.StatusBadRequest, "this feature is not supported")
	})
	if _, err := h.client.Complete(context.Background(), jsonRequest()); err == nil {
		t.Fatal("no error")
	}
	if got := formats(h.srv.Requests()); fmt.Sprint(got) != fmt.Sprint([]string{"json_schema", "json_object", ""}) {
		t.Errorf("formats %q", got)
	}
	if h.client.Mode() != "json_schema" {
		t.Errorf("mode %q after nothing worked, want json_schema", h.client.Mode())
	}
}

func TestExtractFromProse(t *testing.T) {
	for _, content := range []string{
		"Here is my review:\n```json\n" + good + "\n```\nLet me know if you need more.",
		"Sure! " + good + " That is all.",
		"<think>Maybe {\"findings\": \"draft\"}?</think>\n" + good,
		"For example {\"x\": 1} is not it; the answer: " + good,
	} {
		h := start(t, answer(content))
		resp, err := h.client.Complete(context.Background(), jsonRequest())
		if err != nil {
			t.Fatalf("%q: %v", content, err)
		}
		if resp.Content != good || resp.Requests != 1 {
			t.Errorf("%q: content %q after %d requests, want %q after 1", content, resp.Content, resp.Requests, good)
		}
	}
}

func TestRepair(t *testing.T) {
	h := start(t, llmtest.Sequence(
		llmtest.Reply{Content: "There is no bug here.", PromptTokens: 100, CompletionTokens: 7},
		llmtest.Reply{Content: `{"findings":[]}`, PromptTokens: 120, CompletionTokens: 4},
	))
	resp, err := h.client.Complete(context.Background(), jsonRequest())
	if err != nil {
		t.Fatal(err)
	}
	want := llm.Response{Content: `{"findings":[]}`, Usage: llm.Usage{PromptTokens: 220, CompletionTokens: 11}, Mode: "json_schema", Requests: 2, FinishReason: "stop"}
	if *resp != want {
		t.Errorf("response = %+v, want %+v", *resp, want)
	}
	r := h.srv.Requests()[1]
	if len(r.Messages) != 4 {
		t.Fatalf("repair request has %d messages, want 4: %+v", len(r.Messages), r.Messages)
	}
	if r.Messages[2] != (llmtest.Message{Role: "assistant", Content: "There is no bug here."}) {
		t.Errorf("third message = %+v, want the first answer", r.Messages[2])
	}
	last := r.Messages[3]
	if last.Role != "user" || !strings.Contains(last.Content, "invalid character 'T'") || !strings.Contains(last.Content, "only the corrected JSON object") {
		t.Errorf("repair message = %+v, want the parse error and a request for JSON only", last)
	}
	if r.ResponseFormat != "json_schema" {
		t.Errorf("repair sent format %q, want the mode that worked", r.ResponseFormat)
	}
}

// TestRepairEmptyAnswer: an empty answer is not sent back as an assistant
// message without content, which llama-server refuses with a 400; the
// complaint joins the question, so the roles still alternate.
func TestRepairEmptyAnswer(t *testing.T) {
	h := start(t, llmtest.Sequence(llmtest.Reply{Content: " \n"}, llmtest.Reply{Content: `{"findings":[]}`}))
	resp, err := h.client.Complete(context.Background(), jsonRequest())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Content != `{"findings":[]}` || resp.Requests != 2 {
		t.Errorf("response %+v, want the repaired answer after 2 requests", resp)
	}
	first, repair := h.srv.Requests()[0], h.srv.Requests()[1]
	if len(repair.Messages) != len(first.Messages) {
		t.Fatalf("repair request has %d messages, want the question's %d: %+v", len(repair.Messages), len(first.Messages), repair.Messages)
	}
	last := repair.Messages[len(repair.Messages)-1]
	if want := first.Messages[len(first.Messages)-1].Content; last.Role != "user" || !strings.HasPrefix(last.Content, want) || !strings.Contains(last.Content, "was empty") {
		t.Errorf("last message %+v: want the question, then that the answer was empty", last)
	}
	if strings.Contains(string(repair.Raw), `"assistant"`) {
		t.Errorf("the repair request sends an assistant message: %s", repair.Raw)
	}
}

func TestRepairFails(t *testing.T) {
	h := start(t, answer("I cannot answer in JSON, sorry."))
	resp, err := h.client.Complete(context.Background(), jsonRequest())
	if !errors.Is(err, llm.ErrBadAnswer) {
		t.Fatalf("err = %v, want ErrBadAnswer", err)
	}
	if !strings.Contains(err.Error(), "invalid character") {
		t.Errorf("error %q does not give the parse error", err)
	}
	if llm.IsFatal(err) {
		t.Error("a bad answer is fatal")
	}
	if h.srv.Count() != 2 || resp == nil || resp.Requests != 2 || resp.Usage.PromptTokens != 20 || resp.Content != "" {
		t.Errorf("%d requests, response %+v; want 2 requests accounted, no content", h.srv.Count(), resp)
	}
}

func TestTruncated(t *testing.T) {
	h := start(t, func(*llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Content: `{"findings":[{"line":3},{"li`, FinishReason: "length"}
	})
	_, err := h.client.Complete(context.Background(), jsonRequest())
	if !errors.Is(err, llm.ErrTruncated) || !strings.Contains(err.Error(), "--max-output-tokens") {
		t.Fatalf("err = %v, want ErrTruncated naming --max-output-tokens", err)
	}
	if h.srv.Count() != 1 {
		t.Errorf("%d requests, want 1: truncation is not repaired", h.srv.Count())
	}

	// A complete answer that merely stopped at the limit is fine.
	h = start(t, func(*llmtest.Request) llmtest.Reply { return llmtest.Reply{Content: good, FinishReason: "length"} })
	resp, err := h.client.Complete(context.Background(), jsonRequest())
	if err != nil || resp.FinishReason != "length" {
		t.Errorf("complete answer at the limit: %v, %+v", err, resp)
	}
}

func TestEmptyChoices(t *testing.T) {
	h := start(t, llmtest.Sequence(llmtest.Reply{NoChoices: true}, llmtest.Reply{Content: good}))
	resp, err := h.client.Complete(context.Background(), jsonRequest())
	if err != nil || resp.Content != good || resp.Requests != 2 {
		t.Errorf("once empty: %v, %+v", err, resp)
	}

	h = start(t, func(*llmtest.Request) llmtest.Reply { return llmtest.Reply{NoChoices: true} })
	_, err = h.client.Complete(context.Background(), jsonRequest())
	if !errors.Is(err, llm.ErrBadAnswer) || h.srv.Count() != 2 {
		t.Errorf("always empty: %v after %d requests, want ErrBadAnswer after 2", err, h.srv.Count())
	}
}

func TestRateLimitHints(t *testing.T) {
	for _, tc := range []struct {
		name     string
		header   map[string]string
		min, max time.Duration
	}{
		{"Retry-After seconds", map[string]string{"Retry-After": "3"}, 3 * time.Second, 3 * time.Second},
		{"Retry-After date", map[string]string{"Retry-After": time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)}, 8 * time.Second, 10 * time.Second},
		{"retry-after-ms", map[string]string{"retry-after-ms": "2500"}, 2500 * time.Millisecond, 2500 * time.Millisecond},
		{"reset requests", map[string]string{"x-ratelimit-reset-requests": "20s"}, 20 * time.Second, 20 * time.Second},
		{"largest hint", map[string]string{"Retry-After": "2", "x-ratelimit-reset-requests": "20s", "x-ratelimit-reset-tokens": "1m30s"}, 90 * time.Second, 90 * time.Second},
		{"capped", map[string]string{"x-ratelimit-reset-tokens": "6m0s"}, 5 * time.Minute, 5 * time.Minute},
		{"short hint", map[string]string{"x-ratelimit-reset-requests": "20ms"}, 20 * time.Millisecond, 20 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, llmtest.Sequence(
				llmtest.Reply{Status: http.StatusTooManyRequests, Header: tc.header, Content: "Rate limit reached"},
				llmtest.Reply{Content: good},
			))
			resp, err := h.client.Complete(context.Background(), jsonRequest())
			if err != nil {
				t.Fatal(err)
			}
			if resp.Requests != 2 {
				t.Errorf("%d requests, want 2", resp.Requests)
			}
			waits := h.sleeps.waits()
			// The hint, plus up to a tenth of it and 10ms of jitter.
			hi := tc.max + tc.max/10 + 10*time.Millisecond
			if len(waits) != 1 || waits[0] < tc.min || waits[0] > hi {
				t.Fatalf("waits %v, want one in [%v, %v]", waits, tc.min, hi)
			}
			if got := h.onRetry(); len(got) != 1 || got[0] != (retry{http.StatusTooManyRequests, waits[0]}) {
				t.Errorf("OnRetry calls %v, want one with 429 and %v", got, waits[0])
			}
		})
	}
}

// TestHinted429sAreNotFailures: a 429 that says when to come back is
// waited out as told, however many there are, without spending the
// retries; only the overall bound on such waits ends it.
func TestHinted429sAreNotFailures(t *testing.T) {
	var n atomic.Int32
	h := start(t, func(*llmtest.Request) llmtest.Reply {
		if n.Add(1) <= 8 {
			return llmtest.Reply{Status: http.StatusTooManyRequests, Header: map[string]string{"Retry-After": "1"}, Body: llmtest.ErrorBody("Too Many Requests", "rate_limit", "")}
		}
		return llmtest.Reply{Content: good}
	})
	resp, err := h.client.Complete(context.Background(), jsonRequest())
	if err != nil {
		t.Fatalf("eight 429s with Retry-After lost the request: %v", err)
	}
	if resp.Requests != 9 {
		t.Errorf("%d requests, want 9", resp.Requests)
	}
	for _, w := range h.sleeps.waits() {
		if w < time.Second || w > 1200*time.Millisecond {
			t.Errorf("wait %v, want Retry-After's 1s and a little jitter", w)
		}
	}

	// The bound: a server that never lets us in.
	h = start(t, func(*llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Status: http.StatusTooManyRequests, Header: map[string]string{"Retry-After": "60"}, Body: llmtest.ErrorBody("Too Many Requests", "rate_limit", "")}
	}, func(c *llm.Config) { c.MaxRateLimitWait = 5 * time.Minute })
	_, err = h.client.Complete(context.Background(), jsonRequest())
	if err == nil || !strings.Contains(err.Error(), "rate limit") || !strings.Contains(err.Error(), "5m0s") {
		t.Fatalf("err = %v, want one naming the rate limit and the bound", err)
	}
	var total time.Duration
	for _, w := range h.sleeps.waits() {
		total += w
	}
	if total > 5*time.Minute || len(h.sleeps.waits()) < 4 {
		t.Errorf("waited %v in %d waits, want at most 5m, and more waits than retries", total, len(h.sleeps.waits()))
	}

	// A 429 without a hint still spends the retries.
	h = start(t, func(*llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Status: http.StatusTooManyRequests, Body: llmtest.ErrorBody("Too Many Requests", "rate_limit", "")}
	}, func(c *llm.Config) { c.MaxRetries = 2 })
	if _, err := h.client.Complete(context.Background(), jsonRequest()); err == nil || h.srv.Count() != 3 {
		t.Errorf("unhinted 429s: %v after %d requests, want an error after 3", err, h.srv.Count())
	}
}

func TestServerErrorsRetried(t *testing.T) {
	h := start(t, llmtest.Sequence(
		llmtest.Error(http.StatusInternalServerError, "The server had an error"),
		llmtest.Reply{Status: http.StatusBadGateway, Body: "<html><body>502 Bad Gateway</body></html>", Header: map[string]string{"Content-Type": "text/html"}},
		llmtest.Reply{Status: http.StatusServiceUnavailable, Content: "overloaded"},
		llmtest.Reply{Content: good},
	))
	resp, err := h.client.Complete(context.Background(), jsonRequest())
	if err != nil {
		t.Fatal(err)
	}
	if resp.Requests != 4 || resp.Content != good {
		t.Errorf("response %+v", *resp)
	}
	waits := h.sleeps.waits()
	if len(waits) != 3 {
		t.Fatalf("waits %v, want 3", waits)
	}
	for i, w := range waits {
		// Full jitter under a ceiling of 1s, 2s, 4s.
		if ceiling := time.Second << i; w < 0 || w > ceiling {
			t.Errorf("wait %d = %v, want within [0, %v]", i, w, ceiling)
		}
	}
	var statuses []int
	for _, r := range h.onRetry() {
		statuses = append(statuses, r.status)
	}
	if fmt.Sprint(statuses) != "[500 502 503]" {
		t.Errorf("OnRetry statuses %v", statuses)
	}
}

func TestRetriesExhausted(t *testing.T) {
	h := start(t, func(*llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Status: http.StatusServiceUnavailable, Content: "overloaded", Header: map[string]string{"Retry-After": "1"}}
	}, func(c *llm.Config) { c.MaxRetries = 2 })
	resp, err := h.client.Complete(context.Background(), jsonRequest())
	var se *llm.StatusError
	if !errors.As(err, &se) || se.Status != http.StatusServiceUnavailable || se.Message != "overloaded" {
		t.Fatalf("err = %v, want a 503 StatusError", err)
	}
	if !strings.Contains(err.Error(), "after 3 attempts") || !strings.Contains(err.Error(), "503") {
		t.Errorf("error %q does not say the status and the attempts", err)
	}
	if h.srv.Count() != 3 || resp.Requests != 3 || len(h.sleeps.waits()) != 2 {
		t.Errorf("%d requests, %d waits; want 3 and 2", h.srv.Count(), len(h.sleeps.waits()))
	}

	// Zero retries: one attempt.
	h = start(t, func(*llmtest.Request) llmtest.Reply { return llmtest.Reply{Status: http.StatusBadGateway} },
		func(c *llm.Config) { c.MaxRetries = 0 })
	if _, err := h.client.Complete(context.Background(), jsonRequest()); err == nil || h.srv.Count() != 1 {
		t.Errorf("MaxRetries 0: %v after %d requests", err, h.srv.Count())
	}
}

func TestBrokenAnswersRetried(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply llmtest.Reply
	}{
		{"connection reset mid-body", llmtest.Reply{ResetConnection: true, Content: strings.Repeat("x", 4096)}},
		{"garbage body", llmtest.Reply{Body: `{"id":"chatcmpl-1","choi`}},
		{"connection conflict", llmtest.Reply{Status: http.StatusConflict}},
		{"request timeout", llmtest.Reply{Status: http.StatusRequestTimeout}},
		{"gateway timeout", llmtest.Reply{Status: http.StatusGatewayTimeout}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, llmtest.Sequence(tc.reply, llmtest.Reply{Content: good}))
			resp, err := h.client.Complete(context.Background(), jsonRequest())
			if err != nil {
				t.Fatal(err)
			}
			if resp.Requests != 2 || h.srv.Count() != 2 || resp.Content != good {
				t.Errorf("%d requests, response %+v", h.srv.Count(), *resp)
			}
		})
	}
}

func TestAttemptTimeout(t *testing.T) {
	h := start(t, func(*llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Content: good, Delay: time.Minute}
	}, func(c *llm.Config) { c.Timeout = 50 * time.Millisecond; c.MaxRetries = 1 })
	_, err := h.client.Complete(context.Background(), jsonRequest())
	if err == nil || !strings.Contains(err.Error(), "within 50ms") || !strings.Contains(err.Error(), "after 2 attempts") {
		t.Fatalf("err = %v, want a timeout after 2 attempts", err)
	}
	if h.srv.Count() != 2 {
		t.Errorf("%d requests, want 2", h.srv.Count())
	}
	if got := h.onRetry(); len(got) != 1 || got[0].status != 0 {
		t.Errorf("OnRetry calls %v, want one with status 0", got)
	}
}

// TestUnreachable: a server that has never answered and refuses a few
// connections in a row is down, not busy: the error is fatal, says where
// and why, and stops the retries early; and the client does not ask again.
func TestUnreachable(t *testing.T) {
	base := llmtest.DeadURL(t)
	s := &sleeps{}
	c, err := llm.New(llm.Config{BaseURL: base, APIKey: key, Model: "m", MaxRetries: 4, Sleep: s.sleep})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Complete(context.Background(), llm.Request{User: "hi"})
	if !errors.Is(err, llm.ErrUnreachable) || !llm.IsFatal(err) {
		t.Fatalf("err = %v, want a fatal ErrUnreachable", err)
	}
	for _, want := range []string{base, "connection refused", "--base-url"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if resp == nil || resp.Requests != 3 || len(s.waits()) != 2 {
		t.Errorf("response %+v, waits %v; want 3 requests, 2 waits (not MaxRetries+1)", resp, s.waits())
	}
	resp, err = c.Complete(context.Background(), llm.Request{User: "again"})
	if !errors.Is(err, llm.ErrUnreachable) || resp != nil {
		t.Errorf("second call: response %+v, err %v; want no request and ErrUnreachable", resp, err)
	}
}

// TestTransportFaultsRetriedOnceAnswered: once the server has answered, a
// refused connection is a transient fault, retried MaxRetries times.
func TestTransportFaultsRetriedOnceAnswered(t *testing.T) {
	h := start(t, answer(`{"findings":[]}`))
	if _, err := h.client.Complete(context.Background(), jsonRequest()); err != nil {
		t.Fatal(err)
	}
	h.srv.Close()
	resp, err := h.client.Complete(context.Background(), jsonRequest())
	if err == nil || llm.IsFatal(err) || !strings.Contains(err.Error(), "after 5 attempts") {
		t.Fatalf("err = %v, want a non-fatal error after 5 attempts", err)
	}
	if resp == nil || resp.Requests != 5 {
		t.Errorf("response %+v, want 5 requests", resp)
	}
}

func TestCancelDuringWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := start(t, func(*llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Status: http.StatusTooManyRequests, Header: map[string]string{"Retry-After": "60"}}
	}, func(c *llm.Config) {
		c.Sleep = func(ctx context.Context, d time.Duration) error {
			cancel() // the user pressed ^C while we waited
			<-ctx.Done()
			return ctx.Err()
		}
	})
	_, err := h.client.Complete(ctx, jsonRequest())
	if !errors.Is(err, context.Canceled) || h.srv.Count() != 1 {
		t.Errorf("err = %v after %d requests, want context.Canceled after 1", err, h.srv.Count())
	}
}

func TestFatalErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply llmtest.Reply
		is    error
		says  []string
		fatal bool
	}{
		{"401", llmtest.Error(http.StatusUnauthorized, "Incorrect API key provided: "+key+"."), llm.ErrAuth, []string{"(401)", "OPENAI_API_KEY"}, true},
		{"403", llmtest.Error(http.StatusForbidden, "forbidden"), llm.ErrAuth, []string{"(403)", "OPENAI_API_KEY"}, true},
		{"404", llmtest.Error(http.StatusNotFound, "The model `gpt-4o-mini` does not exist"), llm.ErrModel, []string{`"gpt-4o-mini"`, "/v1", "404"}, true},
		{"quota", llmtest.Reply{Status: http.StatusTooManyRequests, Body: llmtest.ErrorBody("You exceeded your current quota", "insufficient_quota", "insufficient_quota")}, llm.ErrQuota, []string{"quota", "billing"}, true},
		{"context", llmtest.Reply{Status: http.StatusBadRequest, Body: llmtest.ErrorBody("This model's maximum context length is 8192 tokens", "invalid_request_error", "context_length_exceeded")}, llm.ErrContextLength, []string{"8192"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, func(*llmtest.Request) llmtest.Reply { return tc.reply })
			_, err := h.client.Complete(context.Background(), jsonRequest())
			if !errors.Is(err, tc.is) {
				t.Fatalf("err = %v, want %v", err, tc.is)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			if llm.IsFatal(err) != tc.fatal {
				t.Errorf("IsFatal = %v, want %v", !tc.fatal, tc.fatal)
			}
			if h.srv.Count() != 1 || len(h.sleeps.waits()) != 0 {
				t.Errorf("%d requests and %d waits, want 1 and none", h.srv.Count(), len(h.sleeps.waits()))
			}
		})
	}
}

func TestKeyNeverShown(t *testing.T) {
	leak := "the key " + key + " was in the request"
	for _, tc := range []struct {
		name     string
		handler  llmtest.Handler
		validate func(string) error
	}{
		{"401", func(*llmtest.Request) llmtest.Reply {
			return llmtest.Error(http.StatusUnauthorized, "Incorrect API key provided: "+key)
		}, nil},
		{"404", func(*llmtest.Request) llmtest.Reply { return llmtest.Error(http.StatusNotFound, leak) }, nil},
		{"400", func(*llmtest.Request) llmtest.Reply { return llmtest.Error(http.StatusBadRequest, leak) }, nil},
		{"503 exhausted", func(*llmtest.Request) llmtest.Reply {
			return llmtest.Reply{Status: http.StatusServiceUnavailable, Body: "<html>" + leak + "</html>"}
		}, nil},
		{"garbage body", func(*llmtest.Request) llmtest.Reply { return llmtest.Reply{Body: leak} }, nil},
		{"bad answer", answer(leak), func(s string) error { return fmt.Errorf("cannot parse %q", s) }},
		{"truncated", func(*llmtest.Request) llmtest.Reply {
			return llmtest.Reply{Content: leak, FinishReason: "length"}
		}, func(s string) error { return fmt.Errorf("cannot parse %q", s) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, tc.handler, func(c *llm.Config) { c.MaxRetries = 1 })
			req := llm.Request{User: "hi", Validate: tc.validate}
			_, err := h.client.Complete(context.Background(), req)
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), key) {
				t.Errorf("error shows the key: %v", err)
			}
			if tc.name != "garbage body" && !strings.Contains(err.Error(), "[redacted]") {
				t.Errorf("error %q lost the message around the key", err)
			}
			if got := h.srv.Requests()[0].Header.Get("Authorization"); got != "Bearer "+key {
				t.Errorf("Authorization = %q, want the key sent", got)
			}
		})
	}

	h := start(t, answer("ok"), func(c *llm.Config) { c.BaseURL = strings.Replace(c.BaseURL, "http://", "http://user:"+key+"@", 1) })
	formatted := fmt.Sprintf("%v %+v %#v %s %q %v %+v %#v %s", h.client, h.client, h.client, h.client, h.cfg, h.cfg, h.cfg, h.cfg, []any{h.cfg, &h.cfg})
	if strings.Contains(formatted, key) {
		t.Errorf("formatting shows the key: %s", formatted)
	}
	if !strings.Contains(formatted, "gpt-4o-mini") {
		t.Errorf("formatting lost the model: %s", formatted)
	}
	b, err := json.Marshal(h.cfg)
	if err != nil || strings.Contains(string(b), key) {
		t.Errorf("JSON shows the key: %s %v", b, err)
	}
	if _, err := llm.New(llm.Config{Model: "m", BaseURL: "ftp://user:" + key + "@host/v1"}); err == nil || strings.Contains(err.Error(), key) {
		t.Errorf("bad base URL: %v", err)
	}
}

func TestNewChecksConfig(t *testing.T) {
	for _, cfg := range []llm.Config{
		{},
		{Model: "  "},
		{Model: "m", BaseURL: "localhost:11434"},
		{Model: "m", BaseURL: "http://"},
		{Model: "m", Timeout: -1},
		{Model: "m", MaxRetries: -1},
		{Model: "m", MaxOutputTokens: -1},
		{Model: "m", Temperature: 3},
	} {
		if _, err := llm.New(cfg); err == nil {
			t.Errorf("New(%v) = nil error", cfg)
		}
	}
	c, err := llm.New(llm.Config{Model: "gpt-4o-mini"})
	if err != nil {
		t.Fatal(err)
	}
	if s := c.String(); !strings.Contains(s, llm.DefaultBaseURL) || !strings.Contains(s, "json_schema") {
		t.Errorf("default client %s", s)
	}
}

func TestGivenHTTPClientUnchanged(t *testing.T) {
	hc := &http.Client{}
	h := start(t, answer("ok"), func(c *llm.Config) { c.HTTPClient = hc })
	if _, err := h.client.Complete(context.Background(), llm.Request{User: "hi"}); err != nil {
		t.Fatal(err)
	}
	if hc.Transport != nil {
		t.Errorf("the given client's Transport was changed to %T", hc.Transport)
	}
}

func TestConcurrentCompletes(t *testing.T) {
	const n = 8
	var mu sync.Mutex
	arrived := 0
	all := make(chan struct{})
	h := start(t, func(*llmtest.Request) llmtest.Reply {
		// Hold every request until all are in flight, so the count is
		// exact rather than a matter of timing.
		mu.Lock()
		if arrived++; arrived == n {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
		case <-time.After(10 * time.Second):
		}
		return llmtest.Reply{Content: good, PromptTokens: 1}
	})
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = h.client.Complete(context.Background(), jsonRequest())
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if h.srv.MaxInFlight() != n || h.srv.Count() != n {
		t.Errorf("max in flight %d of %d requests, want %d of %d", h.srv.MaxInFlight(), h.srv.Count(), n, n)
	}
}
