// Package llmtest is a fake OpenAI-compatible chat completions server for
// tests: an httptest server that the real go-openai client (and so
// internal/llm) talks to over loopback.
//
// A test hands [NewServer] a [Handler] that sees each decoded [Request] and
// returns a [Reply]: an answer, an error in OpenAI's format, a raw body, a
// delay, or a connection reset in the middle of the body. The server records
// every request, counts them and tracks how many were in flight at once.
// It answers plain and streamed (server-sent events, "stream": true) chat
// completions on any path ending in /chat/completions; the base URL to give
// a client is [Server.URL], which ends in /v1.
package llmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Message is one chat message of a request.
type Message struct {
	Role    string
	Content string // the text; the text parts of a multi-part content, joined
}

// Request is a chat completion request as the server decoded it.
type Request struct {
	Model               string
	Messages            []Message
	ResponseFormat      string          // "", "text", "json_object" or "json_schema"
	Schema              json.RawMessage // response_format.json_schema.schema, if any
	SchemaName          string          // response_format.json_schema.name, if any
	Temperature         *float64        // nil when the field was absent
	Seed                *int            // nil when the field was absent
	MaxTokens           int
	MaxCompletionTokens int
	Stream              bool
	Raw                 []byte      // the request body as sent
	Header              http.Header // the request headers as sent
	N                   int         // 1-based index of this request on this server
}

// Last returns the content of the last message with the given role, or "".
func (r *Request) Last(role string) string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == role {
			return r.Messages[i].Content
		}
	}
	return ""
}

// Reply is what the server answers to one request.
type Reply struct {
	// Status is the HTTP status; 0 means 200. A status of 400 or more with
	// no Body is answered with an error in OpenAI's format whose message is
	// Content (or the status text when Content is empty).
	Status int
	// Header holds extra response headers, such as Retry-After.
	Header map[string]string
	// Content is the assistant message's content.
	Content string
	// FinishReason is the choice's finish_reason; "" means "stop".
	FinishReason string
	// NoChoices answers with an empty choices array.
	NoChoices bool
	// Body, if not empty, is sent as the whole response body, as is.
	Body string
	// Delay is the latency before the answer; the wait ends early when the
	// client goes away.
	Delay time.Duration
	// ResetConnection sends the headers and half the body, then resets the
	// connection.
	ResetConnection bool
	// PromptTokens and CompletionTokens are reported as the usage.
	PromptTokens, CompletionTokens int
}

// Handler answers one request. It may be called concurrently.
type Handler func(r *Request) Reply

// Server is a running fake server.
type Server struct {
	// URL is the base URL of the OpenAI API: it ends in /v1.
	URL string

	srv   *httptest.Server
	h     Handler
	done  chan struct{}
	close sync.Once

	mu       sync.Mutex
	reqs     []Request
	forget   bool // keep no request bodies (memory benchmarks)
	inFlight InFlight
}

// NewServer starts a server that answers with h; a nil h answers "ok" to
// everything. The server is closed when the test ends.
func NewServer(t testing.TB, h Handler) *Server {
	t.Helper()
	if h == nil {
		h = func(*Request) Reply { return Reply{Content: "ok"} }
	}
	s := &Server{h: h, done: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/v1"
	t.Cleanup(s.Close)
	return s
}

// Close stops the server: from then on its address refuses connections, as
// a model server that went down does. The server is closed when the test
// ends anyway.
func (s *Server) Close() {
	s.close.Do(func() {
		close(s.done) // ends the Delays still running, so Close does not wait for them
		s.srv.Close()
	})
}

// DeadURL returns a base URL (ending in /v1) on which nothing listens: every
// connection to it is refused, as with a model server that is not running.
func DeadURL(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/v1"
}

// Requests returns the chat completion requests received so far, in the
// order they arrived.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
}

// Forget makes the server keep no request bodies from now on, only their
// count: a benchmark that measures its client's memory is not to measure the
// server's log.
func (s *Server) Forget() {
	s.mu.Lock()
	s.forget = true
	s.mu.Unlock()
}

// Count returns the number of chat completion requests received so far.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

// MaxInFlight returns the largest number of chat completion requests that
// were being answered at the same time.
func (s *Server) MaxInFlight() int { return s.inFlight.Max() }

// InFlight counts the requests being answered, and the most there were at
// once. It is safe for concurrent use; the zero value is ready.
type InFlight struct {
	mu      sync.Mutex
	now, at int
}

// Enter counts a request in; the returned func counts it out.
func (c *InFlight) Enter() (leave func()) {
	c.mu.Lock()
	c.now++
	c.at = max(c.at, c.now)
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		c.now--
		c.mu.Unlock()
	}
}

// Max returns the most requests that were in at once.
func (c *InFlight) Max() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		writeJSON(w, http.StatusNotFound, nil, ErrorBody("Unknown request URL: "+r.Method+" "+r.URL.Path, "invalid_request_error", "unknown_url"))
		return
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	req, err := decode(raw)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, nil, ErrorBody("could not parse the JSON body: "+err.Error(), "invalid_request_error", ""))
		return
	}
	req.Header = r.Header.Clone()

	s.mu.Lock()
	req.N = len(s.reqs) + 1
	if s.forget {
		// Keep the count, not the bodies: the handler has its copy.
		kept := req
		kept.Raw, kept.Messages, kept.Header, kept.Schema = nil, nil, nil, nil
		s.reqs = append(s.reqs, kept)
	} else {
		s.reqs = append(s.reqs, req)
	}
	s.mu.Unlock()
	defer s.inFlight.Enter()()

	reply := s.h(&req)
	if reply.Delay > 0 {
		t := time.NewTimer(reply.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		}
	}
	write(w, &req, reply)
}

func decode(raw []byte) (Request, error) {
	var body struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
		ResponseFormat *struct {
			Type       string `json:"type"`
			JSONSchema *struct {
				Name   string          `json:"name"`
				Schema json.RawMessage `json:"schema"`
			} `json:"json_schema"`
		} `json:"response_format"`
		Temperature         *float64 `json:"temperature"`
		Seed                *int     `json:"seed"`
		MaxTokens           int      `json:"max_tokens"`
		MaxCompletionTokens int      `json:"max_completion_tokens"`
		Stream              bool     `json:"stream"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return Request{}, err
	}
	req := Request{
		Model:               body.Model,
		Temperature:         body.Temperature,
		Seed:                body.Seed,
		MaxTokens:           body.MaxTokens,
		MaxCompletionTokens: body.MaxCompletionTokens,
		Stream:              body.Stream,
		Raw:                 raw,
	}
	if f := body.ResponseFormat; f != nil {
		req.ResponseFormat = f.Type
		if f.JSONSchema != nil {
			req.Schema = f.JSONSchema.Schema
			req.SchemaName = f.JSONSchema.Name
		}
	}
	for _, m := range body.Messages {
		text, err := content(m.Content)
		if err != nil {
			return Request{}, fmt.Errorf("message %d: %v", len(req.Messages), err)
		}
		req.Messages = append(req.Messages, Message{Role: m.Role, Content: text})
	}
	return req, nil
}

// content decodes a message content: a string, or an array of parts of
// which the text parts count.
func content(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", err
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type == "text" {
			b.WriteString(p.Text)
		}
	}
	return b.String(), nil
}

// ErrorBody returns an error body in OpenAI's format. An empty code is
// sent as null.
func ErrorBody(message, typ, code string) string {
	var c any
	if code != "" {
		c = code
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message": message,
		"type":    typ,
		"param":   nil,
		"code":    c,
	}})
	return string(b)
}

// Error returns a reply with the given status and an error body in OpenAI's
// format carrying message.
func Error(status int, message string) Reply {
	typ := "invalid_request_error"
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		typ = "authentication_error"
	case status == http.StatusTooManyRequests:
		typ = "rate_limit_error"
	case status >= 500:
		typ = "server_error"
	}
	return Reply{Status: status, Body: ErrorBody(message, typ, "")}
}

// UnsupportedFormat returns the 400 a server answers when it does not
// support a response_format type ("json_schema" or "json_object"), worded
// as servers without structured output word it.
func UnsupportedFormat(format string) Reply {
	return Reply{
		Status: http.StatusBadRequest,
		Body:   ErrorBody(fmt.Sprintf("'response_format' of type '%s' is not supported with this model", format), "invalid_request_error", ""),
	}
}

// RejectFormats wraps h so that requests whose response_format type is one
// of formats get [UnsupportedFormat], as from a server that lacks them;
// other requests go to h.
func RejectFormats(h Handler, formats ...string) Handler {
	return func(r *Request) Reply {
		if slices.Contains(formats, r.ResponseFormat) {
			return UnsupportedFormat(r.ResponseFormat)
		}
		return h(r)
	}
}

// Sequence returns a handler that answers its n-th call with replies[n-1],
// and every call after the last with the last reply. It counts its own
// calls, not the server's requests, so it composes with RejectFormats.
func Sequence(replies ...Reply) Handler {
	var mu sync.Mutex
	calls := 0
	return func(*Request) Reply {
		if len(replies) == 0 {
			return Reply{Content: "ok"}
		}
		mu.Lock()
		defer mu.Unlock()
		calls++
		return replies[min(calls, len(replies))-1]
	}
}

const created = 1700000000 // a fixed time, so bodies are the same on every run

func write(w http.ResponseWriter, req *Request, reply Reply) {
	status := reply.Status
	if status == 0 {
		status = http.StatusOK
	}
	body := reply.Body
	switch {
	case body != "":
	case status >= 400:
		msg := reply.Content
		if msg == "" {
			msg = http.StatusText(status)
		}
		body = Error(status, msg).Body
	case req.Stream:
		writeStream(w, req, reply)
		return
	default:
		body = completion(req, reply)
	}
	if reply.ResetConnection {
		for k, v := range reply.Header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		io.WriteString(w, body[:len(body)/2])
		reset(w)
		return
	}
	writeJSON(w, status, reply.Header, body)
}

func writeJSON(w http.ResponseWriter, status int, header map[string]string, body string) {
	for k, v := range header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// reset flushes what was written and resets the connection: with a zero
// linger time, closing sends a TCP RST, as a crashed proxy would.
func reset(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	rc.Flush()
	conn, _, err := rc.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func usageOf(reply Reply) usage {
	return usage{reply.PromptTokens, reply.CompletionTokens, reply.PromptTokens + reply.CompletionTokens}
}

func finishReason(reply Reply) string {
	if reply.FinishReason == "" {
		return "stop"
	}
	return reply.FinishReason
}

func completion(req *Request, reply Reply) string {
	type message struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	type choice struct {
		Index        int     `json:"index"`
		Message      message `json:"message"`
		FinishReason string  `json:"finish_reason"`
	}
	choices := []choice{}
	if !reply.NoChoices {
		choices = append(choices, choice{Message: message{"assistant", reply.Content}, FinishReason: finishReason(reply)})
	}
	b, _ := json.Marshal(struct {
		ID      string   `json:"id"`
		Object  string   `json:"object"`
		Created int64    `json:"created"`
		Model   string   `json:"model"`
		Choices []choice `json:"choices"`
		Usage   usage    `json:"usage"`
	}{fmt.Sprintf("chatcmpl-test-%d", req.N), "chat.completion", created, req.Model, choices, usageOf(reply)})
	return string(b)
}

// writeStream answers in server-sent events as OpenAI streams: a chunk
// with the role, chunks of content, a chunk with the finish reason, a chunk
// with the usage and no choices, then [DONE].
func writeStream(w http.ResponseWriter, req *Request, reply Reply) {
	for k, v := range reply.Header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)

	type delta struct {
		Role    string `json:"role,omitempty"`
		Content string `json:"content,omitempty"`
	}
	type choice struct {
		Index        int     `json:"index"`
		Delta        delta   `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	}
	event := func(choices []choice, u *usage) {
		if choices == nil {
			choices = []choice{}
		}
		b, _ := json.Marshal(struct {
			ID      string   `json:"id"`
			Object  string   `json:"object"`
			Created int64    `json:"created"`
			Model   string   `json:"model"`
			Choices []choice `json:"choices"`
			Usage   *usage   `json:"usage,omitempty"`
		}{fmt.Sprintf("chatcmpl-test-%d", req.N), "chat.completion.chunk", created, req.Model, choices, u})
		fmt.Fprintf(w, "data: %s\n\n", b)
		rc.Flush()
	}

	pieces := split(reply.Content, 8)
	if !reply.NoChoices {
		event([]choice{{Delta: delta{Role: "assistant"}}}, nil)
		for i, p := range pieces {
			if reply.ResetConnection && i >= len(pieces)/2 {
				reset(w)
				return
			}
			event([]choice{{Delta: delta{Content: p}}}, nil)
		}
		fr := finishReason(reply)
		event([]choice{{FinishReason: &fr}}, nil)
	}
	if reply.ResetConnection {
		reset(w)
		return
	}
	u := usageOf(reply)
	event(nil, &u)
	io.WriteString(w, "data: [DONE]\n\n")
	rc.Flush()
}

// split cuts s into pieces of at most n runes.
func split(s string, n int) []string {
	var out []string
	r := []rune(s)
	for len(r) > 0 {
		k := min(n, len(r))
		out = append(out, string(r[:k]))
		r = r[k:]
	}
	return out
}
