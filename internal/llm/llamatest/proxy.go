package llamatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/secondlook/secondlook/internal/llm/llmtest"
)

// Proxy stands in front of a server, counts what goes through, and can
// refuse some response_format types with the 400 that servers without
// structured output send ([llmtest.UnsupportedFormat]). Refusing makes a
// real server look like one that lacks json_schema (or json_object too), so
// that the fallbacks reach the real server.
type Proxy struct {
	// URL is the proxy's base URL of the OpenAI API, ending in /v1.
	URL string

	mu       sync.Mutex
	formats  []string // the response_format type of each request, "" for none
	refused  int
	bodies   []string // status and body of each answer from the server
	inFlight llmtest.InFlight
}

// ProxyOptions say what a Proxy does besides forwarding.
type ProxyOptions struct {
	// Refuse lists the response_format types to refuse.
	Refuse []string
	// Before, if not nil, is called with the 1-based number of each chat
	// request before it is forwarded (or refused). It may block, to hold
	// a request in flight; r's context ends when the client goes away.
	Before func(r *http.Request, n int)
}

// RefuseFormats starts a proxy to s that refuses the given response_format
// types. It is closed when t ends.
func RefuseFormats(t testing.TB, s *Server, formats ...string) *Proxy {
	t.Helper()
	return NewProxy(t, s, ProxyOptions{Refuse: formats})
}

// NewProxy starts a proxy to s. It is closed when t ends.
func NewProxy(t testing.TB, s *Server, o ProxyOptions) *Proxy {
	t.Helper()
	target, err := url.Parse(s.Root)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	// A client that gives up (a timeout, Ctrl-C) is what the tests are
	// about, not an error to log.
	rp.ErrorLog = log.New(io.Discard, "", 0)
	p := &Proxy{}
	rp.ModifyResponse = func(res *http.Response) error {
		if !strings.HasSuffix(res.Request.URL.Path, "/chat/completions") {
			return nil
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		res.Body = io.NopCloser(bytes.NewReader(body))
		p.mu.Lock()
		p.bodies = append(p.bodies, fmt.Sprintf("%d %s", res.StatusCode, body))
		p.mu.Unlock()
		return err
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		var req struct {
			ResponseFormat *struct {
				Type string `json:"type"`
			} `json:"response_format"`
		}
		json.Unmarshal(body, &req)
		format := ""
		if req.ResponseFormat != nil {
			format = req.ResponseFormat.Type
		}
		if !strings.HasSuffix(r.URL.Path, "/chat/completions") {
			r.Body = io.NopCloser(bytes.NewReader(body))
			rp.ServeHTTP(w, r)
			return
		}
		refuse := slices.Contains(o.Refuse, format)
		p.mu.Lock()
		p.formats = append(p.formats, format)
		n := len(p.formats)
		if refuse {
			p.refused++
		}
		p.mu.Unlock()
		defer p.inFlight.Enter()()
		if o.Before != nil {
			o.Before(r, n)
		}
		if refuse {
			reply := llmtest.UnsupportedFormat(format)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(reply.Status)
			io.WriteString(w, reply.Body)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL + "/v1"
	return p
}

// Formats returns the response_format type of every request so far, in
// order; "" for a request without one.
func (p *Proxy) Formats() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.formats)
}

// Answers returns the status and body of each chat completion answer the
// server sent through the proxy, in order.
func (p *Proxy) Answers() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.bodies)
}

// MaxInFlight returns the most chat requests that were in flight through
// the proxy at once.
func (p *Proxy) MaxInFlight() int { return p.inFlight.Max() }

// Refused returns how many requests the proxy refused.
func (p *Proxy) Refused() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refused
}
