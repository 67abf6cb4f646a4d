package llm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/secondlook/secondlook/internal/llm"
)

// TestLive asks a real model for a tiny JSON object. It runs only when
// OPENAI_API_KEY is set, against OPENAI_BASE_URL (default OpenAI) and
// OPENAI_MODEL (default gpt-4o-mini).
func TestLive(t *testing.T) {
	key := os.Getenv("OPENAI_API_KEY")
	if key == "" {
		t.Skip("OPENAI_API_KEY is not set")
	}
	model := os.Getenv("OPENAI_MODEL")
	if model == "" {
		model = "gpt-4o-mini"
	}
	c, err := llm.New(llm.Config{
		BaseURL:         os.Getenv("OPENAI_BASE_URL"),
		APIKey:          key,
		Model:           model,
		Timeout:         90 * time.Second,
		MaxRetries:      2,
		MaxOutputTokens: 2000, // reasoning models spend some before answering
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	resp, err := c.Complete(ctx, llm.Request{
		System:     "You answer with a JSON object only.",
		User:       `What is 2 + 3? Answer as JSON: {"sum": <integer>}.`,
		Schema:     json.RawMessage(`{"type":"object","properties":{"sum":{"type":"integer"}},"required":["sum"],"additionalProperties":false}`),
		SchemaName: "sum",
		Validate: func(s string) error {
			var a struct{ Sum *int }
			if err := json.Unmarshal([]byte(s), &a); err != nil {
				return err
			}
			if a.Sum == nil {
				return fmt.Errorf(`no "sum" in %s`, s)
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var a struct{ Sum int }
	if err := json.Unmarshal([]byte(resp.Content), &a); err != nil || a.Sum != 5 {
		t.Errorf("answer %q (%v), want sum 5", resp.Content, err)
	}
	t.Logf("%s: mode %s, %d requests, %+v", model, resp.Mode, resp.Requests, resp.Usage)
}
