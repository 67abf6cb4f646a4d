package llm

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseHints(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		header map[string]string
		status int
		want   time.Duration
	}{
		{map[string]string{"Retry-After": "7"}, 503, 7 * time.Second},
		{map[string]string{"Retry-After": "0.5"}, 429, 500 * time.Millisecond},
		{map[string]string{"Retry-After": now.Add(30 * time.Second).Format(http.TimeFormat)}, 429, 30 * time.Second},
		{map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, 429, 0},
		{map[string]string{"Retry-After": "soon"}, 429, 0},
		{map[string]string{"Retry-After": "-3"}, 429, 0},
		{map[string]string{"Retry-After": "99999"}, 429, maxHint},
		{map[string]string{"retry-after-ms": "150"}, 429, 150 * time.Millisecond},
		{map[string]string{"x-ratelimit-reset-requests": "1s"}, 429, time.Second},
		{map[string]string{"x-ratelimit-reset-requests": "6m0s"}, 429, maxHint},
		{map[string]string{"x-ratelimit-reset-tokens": "20ms"}, 429, 20 * time.Millisecond},
		{map[string]string{"x-ratelimit-reset-tokens": "7.66s"}, 429, 7660 * time.Millisecond},
		{map[string]string{"x-ratelimit-reset-tokens": "12"}, 429, 12 * time.Second},
		{map[string]string{"x-ratelimit-reset-requests": "2s", "x-ratelimit-reset-tokens": "1m0s", "Retry-After": "5"}, 429, time.Minute},
		// Reset headers come with every answer; they only explain a 429.
		{map[string]string{"x-ratelimit-reset-tokens": "1m0s", "Retry-After": "5"}, 503, 5 * time.Second},
		{nil, 429, 0},
	} {
		h := http.Header{}
		for k, v := range tc.header {
			h.Set(k, v)
		}
		if got := parseHints(h, now).wait(tc.status); got != tc.want {
			t.Errorf("%v on %d: wait %v, want %v", tc.header, tc.status, got, tc.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	for attempt := range 12 {
		ceiling := min(backoffCap, backoffBase<<min(attempt, 10))
		for range 200 {
			if d := backoff(attempt, 0); d < 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %v, want within [0, %v]", attempt, d, ceiling)
			}
		}
	}
	// A server's hint is followed closely: a little jitter, never less.
	for range 200 {
		if d := backoff(0, 30*time.Second); d < 30*time.Second || d > 33*time.Second+10*time.Millisecond {
			t.Fatalf("backoff with a 30s hint = %v, want within [30s, 33.01s]", d)
		}
	}
	// Full jitter spreads: 200 draws under a 60s ceiling are not all equal.
	seen := map[time.Duration]bool{}
	for range 200 {
		seen[backoff(8, 0)] = true
	}
	if len(seen) < 100 {
		t.Errorf("backoff drew only %d distinct waits in 200", len(seen))
	}
}

func TestSleepRespectsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleep(ctx, time.Hour); err != context.Canceled {
		t.Errorf("sleep on a cancelled context = %v", err)
	}
	if err := sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("sleep = %v", err)
	}
}

func TestWithZeroTemperature(t *testing.T) {
	for in, want := range map[string]string{
		`{"model":"m"}`: `{"temperature":0,"model":"m"}`,
		`{}`:            `{"temperature":0}`,
		`{ }`:           `{"temperature":0 }`,
	} {
		req, _ := http.NewRequest(http.MethodPost, "http://x/v1/chat/completions", strings.NewReader(in))
		got, err := withZeroTemperature(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(got.Body)
		again, _ := got.GetBody()
		b2, _ := io.ReadAll(again)
		if string(b) != want || !bytes.Equal(b, b2) || got.ContentLength != int64(len(want)) {
			t.Errorf("%s: body %s (GetBody %s, length %d), want %s", in, b, b2, got.ContentLength, want)
		}
	}
}

func TestIsReasoning(t *testing.T) {
	for model, want := range map[string]bool{
		"o1": true, "o1-mini": true, "o3-mini": true, "o4-mini": true, "gpt-5": true, "GPT-5-mini": true,
		"openai/o3": true, "azure/gpt-5-nano": true,
		"gpt-4o": false, "gpt-4.1-mini": false, "llama3.1:8b": false, "qwen2.5-coder:32b": false, "phi4": false, "olmo2": false,
	} {
		if got := isReasoning(model); got != want {
			t.Errorf("isReasoning(%q) = %v", model, got)
		}
	}
}
