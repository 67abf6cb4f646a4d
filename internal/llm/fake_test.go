package llm_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	openai "github.com/sashabaranov/go-openai"

	"github.com/secondlook/secondlook/internal/llm/llmtest"
)

// The fake server must speak what the real client reads; these tests hold
// it to that where internal/llm does not go (streaming, error bodies).

func rawClient(srv *llmtest.Server) *openai.Client {
	cfg := openai.DefaultConfig("")
	cfg.BaseURL = srv.URL
	return openai.NewClientWithConfig(cfg)
}

func TestFakeServerStreams(t *testing.T) {
	content := `{"findings": [{"line": 12, "quote": "mu.Lock()"}]}`
	srv := llmtest.NewServer(t, func(r *llmtest.Request) llmtest.Reply {
		if !r.Stream {
			t.Error("request not marked as streamed")
		}
		return llmtest.Reply{Content: content, PromptTokens: 30, CompletionTokens: 12}
	})
	stream, err := rawClient(srv).CreateChatCompletionStream(context.Background(), openai.ChatCompletionRequest{
		Model:         "m",
		Messages:      []openai.ChatCompletionMessage{{Role: "user", Content: "hi"}},
		Stream:        true,
		StreamOptions: &openai.StreamOptions{IncludeUsage: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	var b strings.Builder
	var finish openai.FinishReason
	var usage *openai.Usage
	chunks := 0
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		chunks++
		for _, c := range chunk.Choices {
			b.WriteString(c.Delta.Content)
			if c.FinishReason != "" {
				finish = c.FinishReason
			}
		}
		if chunk.Usage != nil {
			usage = chunk.Usage
		}
	}
	if b.String() != content || finish != openai.FinishReasonStop || chunks < 3 {
		t.Errorf("streamed %q in %d chunks, finish %q", b.String(), chunks, finish)
	}
	if usage == nil || usage.PromptTokens != 30 || usage.CompletionTokens != 12 || usage.TotalTokens != 42 {
		t.Errorf("usage %+v", usage)
	}
}

func TestFakeServerStreamReset(t *testing.T) {
	srv := llmtest.NewServer(t, func(*llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Content: strings.Repeat("word ", 100), ResetConnection: true}
	})
	stream, err := rawClient(srv).CreateChatCompletionStream(context.Background(), openai.ChatCompletionRequest{
		Model: "m", Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "hi"}}, Stream: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	for {
		_, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			t.Fatal("stream ended cleanly despite the reset")
		}
		if err != nil {
			break
		}
	}
}

func TestFakeServerErrors(t *testing.T) {
	srv := llmtest.NewServer(t, llmtest.Sequence(
		llmtest.Reply{Status: http.StatusTooManyRequests, Content: "slow down"},
		llmtest.UnsupportedFormat("json_schema"),
		llmtest.Reply{Status: http.StatusBadGateway, Body: "upstream gone"},
	))
	c := rawClient(srv)
	req := openai.ChatCompletionRequest{Model: "m", Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "hi"}}}

	_, err := c.CreateChatCompletion(context.Background(), req)
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 429 || apiErr.Message != "slow down" || apiErr.Type != "rate_limit_error" {
		t.Errorf("429: %#v", err)
	}
	_, err = c.CreateChatCompletion(context.Background(), req)
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 400 || !strings.Contains(apiErr.Message, "'json_schema' is not supported") {
		t.Errorf("unsupported format: %#v", err)
	}
	_, err = c.CreateChatCompletion(context.Background(), req)
	var reqErr *openai.RequestError
	if !errors.As(err, &reqErr) || reqErr.HTTPStatusCode != 502 || string(reqErr.Body) != "upstream gone" {
		t.Errorf("raw body: %#v", err)
	}

	// Streams report errors the same way.
	srv = llmtest.NewServer(t, func(*llmtest.Request) llmtest.Reply {
		return llmtest.Error(http.StatusServiceUnavailable, "overloaded")
	})
	req.Stream = true
	_, err = rawClient(srv).CreateChatCompletionStream(context.Background(), req)
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 503 || apiErr.Message != "overloaded" {
		t.Errorf("stream error: %#v", err)
	}
}
