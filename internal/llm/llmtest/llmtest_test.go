package llmtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func post(t *testing.T, ctx context.Context, url, body string) (*http.Response, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer k")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, string(b), err
}

func TestDecodesRequests(t *testing.T) {
	s := NewServer(t, func(r *Request) Reply {
		return Reply{Content: r.Last("user") + "!", PromptTokens: 3, CompletionTokens: 1}
	})
	body := `{"model":"m","messages":[{"role":"system","content":"sys"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"b"}]}],
		"response_format":{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"},"strict":true}},
		"temperature":0,"seed":7,"max_completion_tokens":99}`
	res, got, err := post(t, context.Background(), s.URL+"/chat/completions", body)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("%v %v %s", err, res, got)
	}
	var out struct {
		Choices []struct {
			Message      struct{ Role, Content string }
			FinishReason string `json:"finish_reason"`
		}
		Usage struct {
			TotalTokens int `json:"total_tokens"`
		}
	}
	if err := json.Unmarshal([]byte(got), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Choices) != 1 || out.Choices[0].Message.Content != "ab!" || out.Choices[0].Message.Role != "assistant" || out.Choices[0].FinishReason != "stop" || out.Usage.TotalTokens != 4 {
		t.Errorf("answer %s", got)
	}
	r := s.Requests()[0]
	if r.N != 1 || r.Model != "m" || len(r.Messages) != 2 || r.ResponseFormat != "json_schema" || r.SchemaName != "answer" ||
		string(r.Schema) != `{"type":"object"}` || r.Temperature == nil || *r.Temperature != 0 || r.Seed == nil || *r.Seed != 7 ||
		r.MaxCompletionTokens != 99 || r.MaxTokens != 0 || r.Header.Get("Authorization") != "Bearer k" || string(r.Raw) != body {
		t.Errorf("decoded %+v", r)
	}
}

func TestErrorsAndHelpers(t *testing.T) {
	s := NewServer(t, RejectFormats(Sequence(
		Reply{Status: 503, Header: map[string]string{"Retry-After": "2"}},
		Reply{NoChoices: true},
		Reply{Content: "last"},
	), "json_object"))
	u := s.URL + "/chat/completions"
	msg := `"messages":[{"role":"user","content":"hi"}]`

	res, body, _ := post(t, context.Background(), u, `{"model":"m",`+msg+`}`)
	if res.StatusCode != 503 || res.Header.Get("Retry-After") != "2" || !strings.Contains(body, `"message":"Service Unavailable"`) || !strings.Contains(body, `"type":"server_error"`) {
		t.Errorf("503: %d %v %s", res.StatusCode, res.Header, body)
	}
	res, body, _ = post(t, context.Background(), u, `{"model":"m","response_format":{"type":"json_object"},`+msg+`}`)
	if res.StatusCode != 400 || !strings.Contains(body, "'json_object' is not supported") {
		t.Errorf("rejected format: %d %s", res.StatusCode, body)
	}
	if _, body, _ = post(t, context.Background(), u, `{"model":"m",`+msg+`}`); !strings.Contains(body, `"choices":[]`) {
		t.Errorf("no choices: %s", body)
	}
	for range 2 {
		if _, body, _ = post(t, context.Background(), u, `{"model":"m",`+msg+`}`); !strings.Contains(body, `"content":"last"`) {
			t.Errorf("after the sequence: %s", body)
		}
	}
	if res, body, _ = post(t, context.Background(), s.URL+"/models", `{}`); res.StatusCode != 404 || !strings.Contains(body, "unknown_url") {
		t.Errorf("unknown path: %d %s", res.StatusCode, body)
	}
	if res, _, _ = post(t, context.Background(), u, `{"model":`); res.StatusCode != 400 {
		t.Errorf("bad JSON: %d", res.StatusCode)
	}
	// Requests the server could not decode, or not chat completions, are not recorded.
	if s.Count() != 5 {
		t.Errorf("count %d, want 5", s.Count())
	}
}

func TestDelayEndsWithClient(t *testing.T) {
	s := NewServer(t, func(*Request) Reply { return Reply{Content: "late", Delay: time.Hour} })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, err := post(t, ctx, s.URL+"/chat/completions", `{"model":"m","messages":[]}`); err == nil {
		t.Error("no error from an answer an hour late")
	}
	// Cleanup must not wait for the hour either: the test would time out.
}
