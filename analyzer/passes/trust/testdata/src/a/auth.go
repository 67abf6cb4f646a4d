// A small API server: it checks tokens and origins, reads requests and
// decompresses uploads.
package a

import (
	"bytes"
	"compress/gzip"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"io"
	mrand "math/rand"
	"net/http"
	"strconv"
	"strings"
)

type Server struct {
	secret  []byte
	origins []string
	revoked map[string]bool
}

func (s *Server) VerifyToken(token string) error { // want `VerifyToken decides trust \("verify"\) and answers with an error`
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return errors.New("malformed token")
	}
	mac := hmac.New(sha256.New, s.secret) // want `calls hmac.New \(crypto/hmac\)`
	mac.Write([]byte(token[:i]))
	if !hmac.Equal(mac.Sum(nil), []byte(token[i+1:])) {
		return errors.New("bad signature")
	}
	return nil
}

func (s *Server) isOriginAllowed(origin string) bool { // want `isOriginAllowed decides trust \("allowed"\) and answers with a bool`
	for _, o := range s.origins {
		if strings.HasSuffix(origin, o) {
			return true
		}
	}
	return false
}

func (s *Server) CheckHostKey(host string, key []byte) error { // want `CheckHostKey decides trust \("check host"\)`
	if s.revoked[string(key)] {
		return errors.New("revoked key for " + host)
	}
	return nil
}

func Sanitize(s string) string { // want `Sanitize decides trust \("sanitize"\) and answers with the cleaned value`
	return strings.ReplaceAll(s, "<", "&lt;")
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin") // want `reads r.Header of the request: the client controls it` `reads the Origin header by name`
	if !s.isOriginAllowed(origin) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	if err := s.VerifyToken(r.FormValue("token")); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	data, err := io.ReadAll(zr) // want `ReadAll reads zr \(a gzip decompressor\) to the end with no limit`
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Write(data)
}

func upload(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	buf.ReadFrom(r.Body) // want `reads r.Body of the request` `ReadFrom reads r.Body to the end with no limit`
	w.Write(buf.Bytes())
}

func fetch(c *http.Client, url string) ([]byte, error) {
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body) // want `ReadAll reads resp.Body to the end with no limit`
}

func clientConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12} // want `builds a tls.Config`
}

var maskRand = mrand.New(mrand.NewSource(1))

func newMaskKey() [4]byte {
	var k [4]byte
	io.ReadFull(maskRand, k[:]) // want `newMaskKey comes from maskRand \(a math/rand.Rand\), which is predictable`
	return k
}

func (s *Server) login(user string) string {
	sessionID := strconv.FormatInt(mrand.Int63(), 16) // want `sessionID comes from math/rand.Int63`
	return user + ":" + sessionID
}

// Ctx is a web framework's request context, as fiber and gin have.
type Ctx struct{ headers map[string]string }

func (c *Ctx) Get(key string) string { return c.headers[key] }
func (c *Ctx) Set(key, value string) { c.headers[key] = value }

const HeaderAuthorization = "Authorization"

// A middleware reading credentials through the framework, not net/http.
func basicAuth(c *Ctx, check func(user, pass string) bool) bool {
	auth := c.Get(HeaderAuthorization) // want `reads the Authorization header by name`
	user, pass, ok := strings.Cut(auth, ":")
	return ok && check(user, pass)
}

// A CORS middleware granting an origin.
func allowOrigin(c *Ctx, origin string) {
	c.Set("Access-Control-Allow-Origin", origin) // want `sets the Access-Control-Allow-Origin header by name`
	c.Set("Access-Control-Allow-Credentials", "true")
}

// A response header that grants nothing.
func contentType(c *Ctx) {
	c.Set("Content-Type", "application/json")
	_ = c.Get("Accept")
}

// A login handler that sends the client back where the query says.
func loginDone(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")           // want `reads r.URL of the request`
	http.Redirect(w, r, next, http.StatusFound) // want `redirects the client to next, which is not a constant`
}

// A client with its own redirect policy.
func newClient(token string) *http.Client {
	return &http.Client{
		CheckRedirect: func(req *http.Request, via []*http.Request) error { // want `sets an http.Client's CheckRedirect`
			req.Header.Set("Authorization", "Bearer "+token) // want `sets the Authorization header by name`
			return nil
		},
	}
}

// Redirects to a fixed place.
func toHome(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/", http.StatusFound)
}

// A RoundTripper adds the program's own credentials to a request it sends.
type authTransport struct {
	token string
	next  http.RoundTripper
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("X-Trace") == "" {
		req.Header.Set("X-Trace", "1")
	}
	return t.next.RoundTrip(req)
}
