package llm

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

var (
	// ErrAuth: the server refused the API key (401 or 403). No later
	// request can succeed; the caller stops the run.
	ErrAuth = errors.New("the model server refused the API key")
	// ErrModel: the server does not know the model, or the base URL is
	// wrong (404). No later request can succeed.
	ErrModel = errors.New("model not found")
	// ErrQuota: the account has no quota left (OpenAI's 429
	// insufficient_quota). Retrying does not help; the caller stops the run.
	ErrQuota = errors.New("the model account has no quota left")
	// ErrUnreachable: the server has never answered, and refused (or
	// failed DNS, TLS, the connection) a few attempts in a row: it is not
	// running, or the base URL is wrong. The caller stops the run.
	ErrUnreachable = errors.New("cannot reach the model server")
	// ErrBadAnswer: the answer did not pass Request.Validate, even after a
	// repair request, or the server sent no choices.
	ErrBadAnswer = errors.New("the model's answer is not usable")
	// ErrTruncated: the answer hit the output token limit before it could
	// be parsed.
	ErrTruncated = errors.New("the model's answer was cut off at the output token limit")
	// ErrContextLength: the prompt does not fit the model's context window.
	ErrContextLength = errors.New("the prompt is longer than the model's context window")
)

// IsFatal reports whether err means that no later request to the same
// server can succeed either (a refused key, an unknown model, no quota, a
// server that cannot be reached), so
// the caller should stop the run rather than fail one region.
func IsFatal(err error) bool {
	return errors.Is(err, ErrAuth) || errors.Is(err, ErrModel) || errors.Is(err, ErrQuota) || errors.Is(err, ErrUnreachable)
}

// StatusError is an HTTP error answer from the model server.
type StatusError struct {
	Status  int    // the HTTP status code
	Code    string // the error code of OpenAI's error body, if any ("insufficient_quota")
	Message string // the server's message, shortened, with the API key redacted
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("model server answered %d %s", e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// statusFailure turns an HTTP error answer into an attempt failure,
// retryable or not.
func (c *Client) statusFailure(status int, code, msg string, hint hints) *failure {
	se := &StatusError{Status: status, Code: code, Message: c.clean(msg)}
	f := &failure{status: status, err: se}
	lower := strings.ToLower(se.Code + " " + se.Message)
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		f.err = fmt.Errorf("%w (%d): check OPENAI_API_KEY: %w", ErrAuth, status, se)
	case status == http.StatusNotFound:
		f.err = fmt.Errorf("%w: %q at %s: check the model name, and that the base URL ends in /v1: %w", ErrModel, c.cfg.Model, c.base, se)
	case status == http.StatusTooManyRequests && strings.Contains(lower, "insufficient_quota"):
		f.err = fmt.Errorf("%w: check the plan and billing of the account: %w", ErrQuota, se)
	case status == http.StatusRequestEntityTooLarge || (status == http.StatusBadRequest && contextLength(lower)):
		f.err = fmt.Errorf("%w: %w", ErrContextLength, se)
	case retryableStatus(status):
		f.retry = true
		f.wait = hint.wait(status)
	}
	return f
}

func contextLength(msg string) bool {
	for _, s := range []string{"context_length_exceeded", "context length", "maximum context", "context window", "context size"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusRequestTimeout, http.StatusConflict,
		http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// rejectsFormat reports whether err is a server's refusal of a
// response_format. Servers word it in many ways (vLLM, llama.cpp, Ollama,
// proxies), so any 400 or 422 naming the format, a schema, or something
// unsupported counts; an unrelated 400 does not, so it is not retried in
// every mode.
func rejectsFormat(err error) bool {
	var se *StatusError
	if !errors.As(err, &se) || (se.Status != http.StatusBadRequest && se.Status != http.StatusUnprocessableEntity) {
		return false
	}
	if errors.Is(err, ErrContextLength) {
		return false
	}
	msg := strings.ToLower(se.Code + " " + se.Message)
	for _, s := range []string{"response_format", "response format", "json_schema", "json_object", "schema", "not supported", "unsupported", "not implemented"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// minRedact is the shortest API key that is redacted from messages. Local
// servers take any placeholder ("x", "none"); replacing such a string
// everywhere would garble messages and protect no secret.
const minRedact = 8

func (c *Client) redact(s string) string {
	if len(c.cfg.APIKey) >= minRedact {
		s = strings.ReplaceAll(s, c.cfg.APIKey, "[redacted]")
	}
	return s
}

// clean makes a server's message fit one line of an error: the key
// redacted, whitespace collapsed (proxies answer with HTML pages), and cut
// to a few hundred bytes.
func (c *Client) clean(msg string) string {
	msg = strings.Join(strings.Fields(c.redact(msg)), " ")
	const max = 300
	if len(msg) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}

// sanitize makes sure the key is in no error Complete returns, whatever
// go-openai or net/http put in their messages, while errors.Is and
// errors.As still see the wrapped errors.
func (c *Client) sanitize(err error) error {
	if err == nil || len(c.cfg.APIKey) < minRedact || !strings.Contains(err.Error(), c.cfg.APIKey) {
		return err
	}
	return &redacted{msg: c.redact(err.Error()), err: err}
}

type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }
