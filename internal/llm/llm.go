package llm

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Client asks one model on one server. It is safe for concurrent use.
type Client struct {
	cfg       Config
	api       *openai.Client
	base      string // BaseURL without credentials, for messages
	timeout   time.Duration
	seed      int
	reasoning bool
	sleep     func(context.Context, time.Duration) error
	mode      atomic.Int32 // the first mode to try: the last that a server accepted
	answered  atomic.Bool  // the server has sent an HTTP answer, of any status
	down      atomic.Pointer[error]
}

// New checks cfg and returns a client. It sends nothing.
func New(cfg Config) (*Client, error) {
	cfg.Model = strings.TrimSpace(cfg.Model)
	if cfg.Model == "" {
		return nil, errors.New("no model configured: set the model name (OPENAI_MODEL)")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("model base URL %q is not an http(s) URL: use a form like http://localhost:11434/v1", redactURL(cfg.BaseURL))
	}
	switch {
	case cfg.Timeout < 0:
		return nil, fmt.Errorf("model request timeout %v is negative", cfg.Timeout)
	case cfg.MaxRetries < 0:
		return nil, fmt.Errorf("model request retries %d is negative", cfg.MaxRetries)
	case cfg.MaxRateLimitWait < 0:
		return nil, fmt.Errorf("rate limit wait %v is negative", cfg.MaxRateLimitWait)
	case cfg.MaxOutputTokens < 0:
		return nil, fmt.Errorf("max output tokens %d is negative", cfg.MaxOutputTokens)
	case cfg.Temperature < 0 || cfg.Temperature > 2:
		return nil, fmt.Errorf("temperature %v is outside 0 to 2", cfg.Temperature)
	}

	c := &Client{
		cfg:       cfg,
		base:      redactURL(cfg.BaseURL),
		timeout:   cmp.Or(cfg.Timeout, DefaultTimeout),
		seed:      DefaultSeed,
		reasoning: isReasoning(cfg.Model),
		sleep:     cfg.Sleep,
	}
	if cfg.Seed != nil {
		c.seed = *cfg.Seed
	}
	if c.sleep == nil {
		c.sleep = sleep
	}

	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	}
	base := hc.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// The review pool keeps several requests to one host in flight;
		// the default of 2 idle connections per host would reopen
		// (and TLS-handshake) most of them.
		t.MaxIdleConnsPerHost = 32
		base = t
	}
	hc.Transport = recorder{base: base}

	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	oc.HTTPClient = &hc
	c.api = openai.NewClientWithConfig(oc)
	return c, nil
}

// String describes c without its API key.
func (c *Client) String() string {
	return fmt.Sprintf("llm.Client{BaseURL: %q, Model: %q, Mode: %s}", c.base, c.cfg.Model, c.Mode())
}

// GoString is String, so that %#v does not print the key either.
func (c *Client) GoString() string { return c.String() }

// Format prints String for every verb: the fields of a Client hold the key.
func (c *Client) Format(f fmt.State, verb rune) { io.WriteString(f, c.String()) }

// Model returns the model the client asks.
func (c *Client) Model() string { return c.cfg.Model }

// Mode returns the structured-output mode the next request with a schema
// will try first: "json_schema" until a server has refused it.
func (c *Client) Mode() string { return mode(c.mode.Load()).String() }

// reasoningModel matches OpenAI's reasoning model families, which take
// max_completion_tokens and reject a temperature, also behind a router's
// "provider/" prefix.
var reasoningModel = regexp.MustCompile(`(?i)^(o1|o3|o4|gpt-5)`)

func isReasoning(model string) bool {
	if i := strings.LastIndex(model, "/"); i >= 0 {
		model = model[i+1:]
	}
	return reasoningModel.MatchString(model)
}

// Request is one question to the model.
type Request struct {
	System, User string
	// Schema is the JSON schema of the answer, sent as a strict
	// response_format json_schema. OpenAI's strict mode wants every
	// property required and additionalProperties false. nil asks for plain
	// text and skips the json_schema and json_object modes. The schema is
	// not sent in the json_object and text modes: the prompt must describe
	// the answer's shape too.
	Schema json.RawMessage
	// SchemaName names the schema in the request; "" means "answer".
	SchemaName string
	// Validate checks the answer's text; nil accepts anything. Its error
	// is quoted to the model in the repair request, so it should say what
	// is wrong ("line 3: unknown kind \"foo\"").
	Validate func(content string) error
}

// Usage counts tokens as the server reported them.
type Usage struct{ PromptTokens, CompletionTokens int }

// Response is the model's answer.
type Response struct {
	// Content is the answer's text; when the answer was JSON wrapped in
	// prose, just the JSON object that passed Validate.
	Content string
	// Usage sums the usage of every request this Complete made: retries,
	// format fallbacks and the repair.
	Usage Usage
	// Mode is the structured-output mode the server accepted:
	// "json_schema", "json_object" or "text".
	Mode string
	// Requests counts the HTTP requests made.
	Requests int
	// FinishReason is the last answer's finish_reason ("stop", "length").
	FinishReason string
}

type mode int32

const (
	jsonSchema mode = iota
	jsonObject
	text
)

func (m mode) String() string {
	switch m {
	case jsonSchema:
		return "json_schema"
	case jsonObject:
		return "json_object"
	}
	return "text"
}

// Complete asks the model and returns its answer. See the package doc for
// the fallbacks, repairs and retries it makes.
//
// With an error, the Response is still returned when a request was made
// (else nil), with Requests and Usage filled and Content empty, so a caller
// can account for what a failed question cost.
func (c *Client) Complete(ctx context.Context, req Request) (*Response, error) {
	resp := &Response{}
	err := c.complete(ctx, req, resp)
	if err != nil {
		resp.Content = ""
		if resp.Requests == 0 {
			resp = nil
		}
	}
	return resp, c.sanitize(err)
}

func (c *Client) complete(ctx context.Context, req Request, resp *Response) error {
	if req.User == "" {
		return errors.New("empty model request: no user message")
	}
	var msgs []openai.ChatCompletionMessage
	if req.System != "" {
		msgs = append(msgs, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleSystem, Content: req.System})
	}
	msgs = append(msgs, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: req.User})

	m := text
	if req.Schema != nil {
		m = jsonSchema
	}
	// The mode is read when the request leaves, past the Gate: requests
	// queued behind the first one must not all try the mode it finds
	// refused.
	// A refusal is recorded at once, for the same reason; if no mode works,
	// the client goes back to where it started, as it remembers only a
	// mode that worked (an unrelated 400 must not downgrade it for good).
	from := mode(-1)
	first := func() openai.ChatCompletionRequest {
		if req.Schema != nil {
			m = max(m, mode(c.mode.Load()))
		}
		if from < 0 {
			from = m
		}
		return c.chatRequest(msgs, m, req)
	}
	var out *openai.ChatCompletionResponse
	for {
		var err error
		out, err = c.send(ctx, first, resp)
		if err == nil {
			break
		}
		if m == text || !rejectsFormat(err) {
			if from >= 0 && m != from {
				c.mode.CompareAndSwap(int32(m), int32(from))
			}
			return err
		}
		m++
		c.downgrade(m)
	}
	c.downgrade(m)
	resp.Mode = m.String()

	if len(out.Choices) == 0 {
		// Seen from overloaded proxies and content filters; once more is
		// cheap, twice is a pattern.
		var err error
		if out, err = c.send(ctx, fixed(c.chatRequest(msgs, m, req)), resp); err != nil {
			return err
		}
		if len(out.Choices) == 0 {
			return fmt.Errorf("%w: the model server sent no choices, twice", ErrBadAnswer)
		}
	}
	answer := out.Choices[0].Message.Content
	resp.FinishReason = string(out.Choices[0].FinishReason)
	content, perr := accept(req.Validate, answer)
	if perr == nil && !(resp.FinishReason == string(openai.FinishReasonLength) && strings.TrimSpace(content) == "") {
		resp.Content = content
		return nil
	}
	if resp.FinishReason == string(openai.FinishReasonLength) {
		return truncated(perr)
	}

	// One repair: the model sees its answer and what was wrong with it.
	out, err := c.send(ctx, fixed(c.chatRequest(repairMessages(msgs, answer, perr), m, req)), resp)
	if err != nil {
		return err
	}
	if len(out.Choices) == 0 {
		return fmt.Errorf("%w: the model server sent no choices to the repair request; first answer: %w", ErrBadAnswer, perr)
	}
	resp.FinishReason = string(out.Choices[0].FinishReason)
	content, err = accept(req.Validate, out.Choices[0].Message.Content)
	if err != nil {
		if resp.FinishReason == string(openai.FinishReasonLength) {
			return truncated(err)
		}
		return fmt.Errorf("%w, also after a repair request: %w", ErrBadAnswer, err)
	}
	resp.Content = content
	return nil
}

func truncated(perr error) error {
	if perr == nil {
		return fmt.Errorf("%w (finish_reason length, empty answer): raise --max-output-tokens", ErrTruncated)
	}
	return fmt.Errorf("%w (finish_reason length): raise --max-output-tokens: %w", ErrTruncated, perr)
}

// repairMessages returns the conversation of the repair request: the
// question, the model's answer, and what was wrong with it. An empty answer
// cannot be quoted back: go-openai drops an empty content, and llama-server
// refuses an assistant message without one (400 "Assistant message must
// contain either 'content' or 'tool_calls'"), while two user messages in a
// row break chat templates that want the roles to alternate. So the
// complaint about an empty answer joins the question instead.
func repairMessages(msgs []openai.ChatCompletionMessage, answer string, perr error) []openai.ChatCompletionMessage {
	out := msgs[:len(msgs):len(msgs)]
	if strings.TrimSpace(answer) == "" {
		out = slices.Clone(msgs)
		out[len(out)-1].Content += "\n\n" + emptyAnswerNote
		return out
	}
	return append(out,
		openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: answer},
		openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: repairPrompt(perr)},
	)
}

const emptyAnswerNote = "An earlier answer to this was empty. Reply with only the JSON object: no prose, no code fences."

func repairPrompt(perr error) string {
	msg := perr.Error()
	if len(msg) > 1000 {
		msg = msg[:1000] + "…"
	}
	return "Your answer could not be used: " + msg + "\n\n" +
		"Reply again with only the corrected JSON object: no prose, no code fences."
}

// accept returns the answer, or the JSON object in it, that passes
// validate. The error is validate's for the object if there was one, since
// it says more than a complaint about the prose around it.
func accept(validate func(string) error, answer string) (string, error) {
	if validate == nil {
		return answer, nil
	}
	first := validate(answer)
	if first == nil {
		return answer, nil
	}
	var objErr error
	for _, obj := range jsonObjects(answer, 8) {
		if obj == answer {
			continue
		}
		err := validate(obj)
		if err == nil {
			return obj, nil
		}
		if objErr == nil {
			objErr = err
		}
	}
	if objErr != nil {
		return "", objErr
	}
	return "", first
}

// downgrade records that the server accepted m, so later requests start
// there. Modes only go down: a server that refused json_schema once will
// refuse it again.
func (c *Client) downgrade(m mode) {
	for {
		cur := c.mode.Load()
		if int32(m) <= cur || c.mode.CompareAndSwap(cur, int32(m)) {
			return
		}
	}
}

var schemaName = regexp.MustCompile(`[^A-Za-z0-9_-]`)

func (c *Client) chatRequest(msgs []openai.ChatCompletionMessage, m mode, req Request) openai.ChatCompletionRequest {
	seed := c.seed
	r := openai.ChatCompletionRequest{
		Model:    c.cfg.Model,
		Messages: msgs,
		Seed:     &seed,
	}
	if c.reasoning {
		r.MaxCompletionTokens = c.cfg.MaxOutputTokens
	} else {
		r.MaxTokens = c.cfg.MaxOutputTokens
		r.Temperature = c.cfg.Temperature
	}
	switch m {
	case jsonSchema:
		name := req.SchemaName
		if name == "" {
			name = "answer"
		}
		r.ResponseFormat = &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name:   schemaName.ReplaceAllString(name, "_"),
				Schema: req.Schema,
				Strict: true,
			},
		}
	case jsonObject:
		r.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
		// OpenAI refuses json_object unless a message says "JSON".
		if !mentionsJSON(msgs) {
			r.Messages = append(msgs[:len(msgs):len(msgs)], openai.ChatCompletionMessage{
				Role: openai.ChatMessageRoleSystem, Content: "Answer with a JSON object.",
			})
		}
	}
	return r
}

func mentionsJSON(msgs []openai.ChatCompletionMessage) bool {
	for _, m := range msgs {
		if strings.Contains(strings.ToLower(m.Content), "json") {
			return true
		}
	}
	return false
}

// send makes one chat completion, retrying transient failures.
// fixed is a request that does not change between attempts.
func fixed(creq openai.ChatCompletionRequest) func() openai.ChatCompletionRequest {
	return func() openai.ChatCompletionRequest { return creq }
}

// send makes the request, retrying as the failures allow; build gives the
// request of each attempt, called once the Gate lets it go.
func (c *Client) send(ctx context.Context, build func() openai.ChatCompletionRequest, resp *Response) (*openai.ChatCompletionResponse, error) {
	refused := 0            // connection failures in a row, before the server ever answered
	var paced time.Duration // waited out hinted 429s
	maxPaced := cmp.Or(c.cfg.MaxRateLimitWait, DefaultMaxRateLimitWait)
	for attempt := 0; ; attempt++ {
		if err := c.down.Load(); err != nil {
			return nil, *err
		}
		out, f := c.gatedAttempt(ctx, build, resp)
		if f == nil {
			return out, nil
		}
		if f.transport != nil && !c.answered.Load() {
			if refused++; refused >= unreachableAfter {
				err := fmt.Errorf("%w at %s: %v (%d attempts in a row, and it has never answered): check --base-url (OPENAI_BASE_URL) and that the server is running",
					ErrUnreachable, c.base, f.transport, refused)
				c.down.CompareAndSwap(nil, &err)
				return nil, err
			}
		}
		wait := backoff(attempt, f.wait)
		if f.status == http.StatusTooManyRequests && f.wait > 0 {
			// The server paces us and says when to come back: wait as
			// told, bounded in all, without spending a retry.
			if paced+wait > maxPaced {
				return nil, fmt.Errorf("still rate limited after waiting %v (the bound on waiting out 429s is %v): lower --concurrency, or raise the server's limit: %w",
					paced.Round(time.Second), maxPaced, f.err)
			}
			paced += wait
			attempt--
		} else if !f.retry || attempt >= c.cfg.MaxRetries {
			if attempt > 0 {
				return nil, fmt.Errorf("after %d attempts: %w", attempt+1, f.err)
			}
			return nil, f.err
		}
		if c.cfg.OnThrottle != nil && f.status == http.StatusTooManyRequests {
			c.cfg.OnThrottle(f.wait)
		}
		if c.cfg.OnRetry != nil {
			c.cfg.OnRetry(f.status, wait)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("waiting to retry (%v): %w", f.err, err)
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("waiting to retry (%v): %w", f.err, context.Cause(ctx))
		}
	}
}

// gatedAttempt makes one attempt through the Gate, if there is one.
func (c *Client) gatedAttempt(ctx context.Context, build func() openai.ChatCompletionRequest, resp *Response) (*openai.ChatCompletionResponse, *failure) {
	if c.cfg.Gate == nil {
		return c.attempt(ctx, build(), resp)
	}
	release, err := c.cfg.Gate(ctx)
	if err != nil {
		return nil, &failure{err: fmt.Errorf("model request: %w", err)}
	}
	out, f := c.attempt(ctx, build(), resp)
	release(f == nil)
	return out, f
}

// attempt makes one HTTP request and says what went wrong, if anything.
func (c *Client) attempt(ctx context.Context, creq openai.ChatCompletionRequest, resp *Response) (*openai.ChatCompletionResponse, *failure) {
	ex := &exchange{zeroTemperature: !c.reasoning && creq.Temperature == 0}
	actx, cancel := attemptContext(ctx, ex, c.timeout)
	defer cancel()
	out, err := c.api.CreateChatCompletion(actx, creq)
	sent, status, header, bodyErr := ex.result()
	if sent {
		resp.Requests++
	}
	if status != 0 {
		c.answered.Store(true)
	}
	if err == nil {
		resp.Usage.PromptTokens += out.Usage.PromptTokens
		resp.Usage.CompletionTokens += out.Usage.CompletionTokens
		return &out, nil
	}

	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case ctx.Err() != nil:
		return nil, &failure{err: fmt.Errorf("model request: %w", context.Cause(ctx))}
	case errors.As(err, &apiErr) && apiErr.HTTPStatusCode != 0:
		code, _ := apiErr.Code.(string)
		if code == "" {
			code = apiErr.Type
		}
		return nil, c.statusFailure(apiErr.HTTPStatusCode, code, apiErr.Message, parseHints(header, time.Now()))
	case errors.As(err, &reqErr) && reqErr.HTTPStatusCode != 0:
		// Not OpenAI's error format: a proxy's page, or a bare string.
		return nil, c.statusFailure(reqErr.HTTPStatusCode, "", string(reqErr.Body), parseHints(header, time.Now()))
	case !sent:
		return nil, &failure{err: fmt.Errorf("building the model request: %w", err)}
	case errors.Is(actx.Err(), context.DeadlineExceeded):
		return nil, &failure{retry: true, err: fmt.Errorf("no answer from the model server at %s within %v: raise the request timeout, or lower concurrency", c.base, c.timeout)}
	case status == 0:
		cause := err
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			cause = ue.Err // without the method and URL: the message names the base URL
		}
		return nil, &failure{retry: true, transport: cause, err: fmt.Errorf("sending the request to the model server at %s: %w", c.base, err)}
	case bodyErr != nil:
		return nil, &failure{retry: true, err: fmt.Errorf("reading the model server's answer (status %d): %w", status, bodyErr)}
	default:
		// A whole body that is not a chat completion: some proxies answer
		// 200 with an error page while the backend restarts.
		return nil, &failure{retry: true, err: fmt.Errorf("decoding the model server's answer (status %d): %w", status, err)}
	}
}
