package a

import (
	"bytes"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"strings"
)

// A CORS middleware that trusts any origin ending in the domain:
// "https://evilexample.com" passes.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		if strings.HasSuffix(origin, "example.com") { // want `strings.HasSuffix decides on origin; a prefix or suffix match`
			w.Header().Set("Access-Control-Allow-Origin", origin)
		}
		next.ServeHTTP(w, r)
	})
}

// A login handler that follows any redirect starting with "/":
// "//evil.net" starts with it too.
func login(w http.ResponseWriter, r *http.Request) {
	redirect := r.FormValue("next")
	if !strings.HasPrefix(redirect, "/") { // want `strings.HasPrefix decides on redirect`
		redirect = "/"
	}
	http.Redirect(w, r, redirect, http.StatusFound)
}

// Which hosts bypass the proxy: "notcorp.internal" matches ".corp.internal"'s
// suffix check without the dot.
type proxyConfig struct {
	noProxy []string
}

func (c *proxyConfig) bypass(req *http.Request) bool {
	host := strings.ToLower(req.URL.Hostname())
	for _, domain := range c.noProxy {
		if strings.HasSuffix(host, domain) { // want `strings.HasSuffix decides on host`
			return true
		}
	}
	return false
}

// Returned as a bool, through a variable.
func local(u *url.URL) bool {
	ok := strings.EqualFold(u.Hostname(), "localhost") // want `strings.EqualFold decides on u.Hostname\(\); an exact match`
	return ok
}

// A containment check of a path given to the function: "/srv/data2" starts
// with "/srv/data".
func within(dir, name string) bool {
	return strings.HasPrefix(filepath.Clean(name), dir) // want `strings.HasPrefix decides on dir`
}

// A glob over a request's path.
func routeMatches(pattern string, r *http.Request) bool {
	if ok, _ := path.Match(pattern, r.URL.Path); ok { // want `path.Match decides on r.URL.Path; a glob match`
		return true
	}
	return false
}

// A substring test on a referer.
func fromUs(r *http.Request) bool {
	switch {
	case bytes.Contains([]byte(r.Referer()), []byte("corp")):
		return false
	case strings.Contains(r.Referer(), "corp.example"): // want `strings.Contains decides on r.Referer\(\); a substring match`
		return true
	}
	return false
}

// A directory of the program's own, matched without a separator:
// "/srv/cache2" is not within "/srv/cache".
type store struct{ cacheDir string }

func (s *store) cached(name string) bool {
	full := filepath.Join(s.cacheDir, name)
	return strings.HasPrefix(full, s.cacheDir) // want `strings.HasPrefix decides on s.cacheDir`
}

// Reported once per function: the second match stays quiet.
func twoChecks(origin, referer string) bool {
	if strings.HasPrefix(origin, "https://app") { // want `strings.HasPrefix decides on origin`
		return true
	}
	return referer == "https://app.example.com"
}

// An exact comparison of a scheme.
func secure(u *url.URL) bool {
	return u.Scheme == "https" // want `== decides on u.Scheme; an exact match`
}

// An HTML escaper that replaces < > & but not the quotes: an attribute
// value breaks out.
var htmlEscaper = strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;")

// The function that uses a package's escaper is where a reader looks.
func render(w http.ResponseWriter, title string) {
	w.Write([]byte("<h1>" + htmlEscaper.Replace(title) + "</h1>")) // want `htmlEscaper.Replace escapes < > & by hand \(strings.NewReplacer at line 109\).*\(here " ' are not escaped\)`
}

func attr(name, value string) string {
	return name + `="` + strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(value) + `"` // want `strings.NewReplacer escapes < >`
}

// A shell quoter by hand.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" // want `strings.ReplaceAll escapes ' by hand`
}

// A byte-by-byte escaper for a JavaScript string.
func jsEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c { // want `switch on c escapes " ' < by hand.*\(here > & are not escaped\)`
		case '"', '\'':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '<':
			b.WriteString(`\u003c`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Stripping the quotes out of a value is sanitising by hand too.
func stripQuotes(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte(`"`), nil) // want `bytes.ReplaceAll escapes " by hand`
}
