package llm

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// exchange records what one attempt's HTTP request and response looked like.
// go-openai keeps the status but drops the headers of an error answer, and
// turns a body cut off in the middle into a bare decoding error; the
// transport below fills an exchange so the retry logic can tell a
// connection error from a bad request and read Retry-After.
type exchange struct {
	zeroTemperature bool // add "temperature": 0 to the body

	mu      sync.Mutex
	sent    bool
	status  int
	header  http.Header
	bodyErr error
}

type exchangeKey struct{}

func (ex *exchange) result() (sent bool, status int, header http.Header, bodyErr error) {
	ex.mu.Lock()
	defer ex.mu.Unlock()
	return ex.sent, ex.status, ex.header, ex.bodyErr
}

// recorder is the http.RoundTripper that fills the exchange carried by the
// request's context.
type recorder struct {
	base http.RoundTripper
}

func (t recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	ex, _ := req.Context().Value(exchangeKey{}).(*exchange)
	if ex == nil {
		return t.base.RoundTrip(req)
	}
	if ex.zeroTemperature {
		var err error
		if req, err = withZeroTemperature(req); err != nil {
			return nil, err
		}
	}
	ex.mu.Lock()
	ex.sent = true
	ex.mu.Unlock()
	res, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	ex.mu.Lock()
	ex.status, ex.header = res.StatusCode, res.Header
	ex.mu.Unlock()
	res.Body = &recordedBody{ReadCloser: res.Body, ex: ex}
	return res, nil
}

type recordedBody struct {
	io.ReadCloser
	ex *exchange
}

func (b *recordedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		b.ex.mu.Lock()
		b.ex.bodyErr = err
		b.ex.mu.Unlock()
	}
	return n, err
}

// withZeroTemperature returns a copy of req whose JSON body also sets
// "temperature": 0. go-openai's Temperature is a float32 with omitempty, so
// 0 is never sent and servers use their default, 1 for OpenAI
// (sashabaranov/go-openai#9, open since 2021). The body is go-openai's
// json.Marshal of the request, so it starts with '{' and, temperature being
// 0, has no top-level "temperature" key.
func withZeroTemperature(req *http.Request) (*http.Request, error) {
	if req.Body == nil {
		return req, nil
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	if len(body) > 1 && body[0] == '{' {
		sep := ","
		if rest := bytes.TrimSpace(body[1:]); len(rest) > 0 && rest[0] == '}' {
			sep = ""
		}
		body = append([]byte(`{"temperature":0`+sep), body[1:]...)
	}
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return r, nil
}

// attemptContext returns the context of one attempt: it carries ex and ends
// after timeout.
func attemptContext(ctx context.Context, ex *exchange, timeout time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithValue(ctx, exchangeKey{}, ex), timeout)
}
