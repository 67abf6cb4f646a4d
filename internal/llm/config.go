package llm

// Config: the defaults of its zero fields, and its printing and marshalling,
// none of which shows the API key.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Defaults of a Config's zero fields, and of the CLI.
const (
	DefaultBaseURL = "https://api.openai.com/v1"
	DefaultTimeout = 120 * time.Second
	// DefaultMaxRetries is what the CLI should give MaxRetries; the field's
	// zero value means no retries, which suits tests and library callers
	// that retry themselves.
	DefaultMaxRetries = 4
	// DefaultMaxRateLimitWait bounds the time one request spends waiting
	// out 429s that say when to come back, when Config.MaxRateLimitWait
	// is 0.
	DefaultMaxRateLimitWait = 10 * time.Minute
	// DefaultSeed is sent when Config.Seed is nil, so that the same prompt
	// gets the same answer where the server honours seeds.
	DefaultSeed = 7
)

// Config says which server and model to ask, and how.
//
// For Azure OpenAI, use its v1 API, which speaks OpenAI's protocol with the
// key as a bearer token: BaseURL "https://RESOURCE.openai.azure.com/openai/v1",
// APIKey the resource's key, Model the deployment name. The older
// deployment-and-api-version URLs are not supported.
type Config struct {
	// BaseURL is the API root, ending in /v1: "" means DefaultBaseURL;
	// http://localhost:11434/v1 for Ollama, http://localhost:8080/v1 for
	// the llama.cpp server, http://localhost:8000/v1 for vLLM.
	BaseURL string
	// APIKey is sent as a bearer token; "" sends no Authorization header,
	// as local servers want. It never appears in an error, a log line or
	// the formatted Config or Client, and is not marshalled to JSON.
	APIKey string `json:"-"`
	// Model names the model (or Azure deployment). Required.
	Model string
	// Timeout bounds one HTTP request, not the retries; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// MaxRetries is how many times a request is retried after the first
	// attempt fails with a retryable error; 0 means never. The CLI default
	// is DefaultMaxRetries.
	MaxRetries int
	// MaxRateLimitWait bounds the time one request may spend in all
	// waiting out 429 answers that say when to come back (Retry-After,
	// retry-after-ms, x-ratelimit-reset-*). Such a 429 is the server
	// pacing us, not a failure: it does not spend MaxRetries. 0 means
	// DefaultMaxRateLimitWait.
	MaxRateLimitWait time.Duration
	// MaxOutputTokens bounds the answer of one request (max_tokens, or
	// max_completion_tokens for reasoning models); 0 leaves it to the
	// server.
	MaxOutputTokens int
	// Temperature is the sampling temperature, 0 to 2; the zero value asks
	// for the most likely answer. Not sent to reasoning models (o1, o3, o4,
	// gpt-5), which reject it.
	Temperature float32
	// Seed is the sampling seed; nil means DefaultSeed.
	Seed *int
	// HTTPClient sends the requests; nil means a client of our own. A given
	// client is copied, not changed: its Transport is wrapped.
	HTTPClient *http.Client `json:"-"`
	// OnRetry, if not nil, is called before each retry with the HTTP status
	// that failed (0 for a connection error or a timeout) and the wait. A
	// caller may lower its concurrency on 429s. It may be called from many
	// goroutines at once.
	OnRetry func(status int, wait time.Duration) `json:"-"`
	// OnThrottle, if not nil, is called on each 429 that will be retried,
	// with the wait the server asked for (Retry-After and the like; 0 if
	// it said nothing), so that a caller can slow down: a review.Limiter's
	// Throttled. It may be called from many goroutines at once.
	OnThrottle func(hint time.Duration) `json:"-"`
	// Gate, if not nil, is passed through before each HTTP attempt (retries
	// and repairs included) and told afterwards whether the attempt
	// succeeded. A caller bounds the requests in flight with it, so that a
	// request waiting out a 429 gives up its place rather than holding it.
	Gate func(ctx context.Context) (release func(ok bool), err error) `json:"-"`
	// Sleep waits between retries; nil means a timer that gives up when ctx
	// is done. Tests pass a fake to check the waits without spending them.
	Sleep func(ctx context.Context, d time.Duration) error `json:"-"`
}

// String describes c without its API key.
func (c Config) String() string {
	key := `""`
	if c.APIKey != "" {
		key = "[redacted]"
	}
	seed := "nil"
	if c.Seed != nil {
		seed = fmt.Sprint(*c.Seed)
	}
	return fmt.Sprintf("llm.Config{BaseURL: %q, APIKey: %s, Model: %q, Timeout: %v, MaxRetries: %d, MaxOutputTokens: %d, Temperature: %v, Seed: %s}",
		redactURL(c.BaseURL), key, c.Model, c.Timeout, c.MaxRetries, c.MaxOutputTokens, c.Temperature, seed)
}

// GoString is String, so that %#v does not print the key either.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb, so no verb or flag prints the key.
func (c Config) Format(f fmt.State, verb rune) { io.WriteString(f, c.String()) }

// MarshalJSON marshals c without its key, and without a password in the
// base URL.
func (c Config) MarshalJSON() ([]byte, error) {
	type plain Config // without the methods, so no recursion
	p := plain(c)
	p.BaseURL = redactURL(c.BaseURL)
	return json.Marshal(p)
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}
