package a

import (
	"go/build"
	"net/http"
	"path/filepath"
	"strings"
)

// Go source files by extension: a suffix that starts with "." respects the
// boundary.
func goFiles(names []string) []string {
	var out []string
	for _, name := range names {
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			out = append(out, name)
		}
	}
	return out
}

// A prefix that ends in "/" matches whole segments.
func api(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		return
	}
	if strings.HasPrefix(r.URL.Path, "/static"+"/") {
		return
	}
	http.NotFound(w, r)
}

// A suffix match with the dot in front, built from the domain.
func inDomain(host, domain string) bool {
	return host == domain || strings.HasSuffix(host, "."+domain)
}

// Emptiness checks and structural tests with no letters in them.
func origins(origin, host string) bool {
	if origin == "" || origin != "" && host == "" {
		return false
	}
	if strings.Contains(host, ":") || strings.HasPrefix(host, "[") {
		return false
	}
	return !strings.HasSuffix(origin, "/")
}

// Newline normalisation and letter-only replacements.
func normalise(s string) string {
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s)
	s = strings.ReplaceAll(s, "colour", "color")
	return strings.ReplaceAll(s, "\t", "    ")
}

// A translation that keeps the length: a backslash becomes a slash.
func slashes(p string) string {
	return strings.ReplaceAll(p, `\`, "/")
}

// A match whose result decides nothing: it is only stored.
type route struct{ secure bool }

func classify(url string) route {
	return route{secure: strings.HasPrefix(url, "https:")}
}

// Directories matched whole segment by segment, and a Go package's files
// by extension.
func vendored(importPath string) bool {
	pkg, err := build.Import(importPath, ".", build.FindOnly)
	if err != nil {
		return false
	}
	dir := filepath.Dir(pkg.Dir)
	if strings.Contains(dir, "/internal/") || strings.HasPrefix(dir, pkg.Root+`\`) {
		return false
	}
	return strings.HasPrefix(dir, "vendor/") || strings.HasSuffix(pkg.Dir, "/testdata")
}

// Exact comparisons of two values, or with a literal of no letters.
func sameHost(host, want string) bool {
	return host == want || host == "."
}

// A lexer switches over metacharacters without writing escapes.
type token int

func lex(c byte) token {
	switch c {
	case '<':
		return 1
	case '>':
		return 2
	case '&', '|':
		return 3
	}
	return 0
}

// An extension glob.
func isGo(name string) bool {
	ok, _ := filepath.Match("*.go", filepath.Base(name))
	return ok
}

// Exact matches of paths: a package's import path and a file compared
// whole.
func stdlib(pkg *build.Package, path string) bool {
	if path == "unsafe" || path == "C" {
		return true
	}
	return pkg.ImportPath == "golang.org/x/tools"
}

// A lexer reads quoted text and angle brackets; its case bodies print
// messages and collect runes, they write no escapes.
func scan(next func() rune, printf func(string, ...any)) string {
	name := ""
	switch c := next(); c {
	case '<':
		for c = next(); c != '>'; c = next() {
			name += string(c)
		}
		printf("type name <%v>", name)
	case '"', '\'':
		for c = next(); c != '"' && c != '\''; c = next() {
			if c == '\\' {
				name += string('\\')
			}
			name += string(c)
		}
		printf("illegal or missing ' or \"")
	}
	return name
}

// A request path compared whole is a route lookup; a prefix held in a
// variable that ends in a separator respects the boundary.
func favicon(w http.ResponseWriter, r *http.Request, root string) {
	if r.URL.Path == "/favicon.ico" {
		http.NotFound(w, r)
	}
	if prefix := root + string(filepath.Separator); strings.HasPrefix(r.URL.Path, prefix) {
		return
	}
}
