package a

import (
	"regexp"
	"strings"
)

// A route tree that matches paths against patterns with :params.
type Tree struct {
	patterns []string
}

func (t *Tree) match(pattern, path string, params map[string]string) bool { // want `match takes pattern apart by hand \(loops while i < len\(pattern\)\)`
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == ':' {
			name := pattern[i+1:]
			params[name] = path
			return strings.HasPrefix(path, pattern[:i])
		}
	}
	return pattern == path
}

// Splits the request path to choose a handler.
func routeRequest(path string) (service, method string) { // want `routeRequest takes path apart by hand \(slices path\[1:\]\)`
	service, method, _ = strings.Cut(path[1:], "/")
	return service, method
}

// A glob whose Matches walks pattern and name together.
type Glob string

func (g Glob) Matches(name string) bool { // want `Matches takes name apart by hand \(loops while i < len\(p\) && i < len\(name\)\)`
	p := string(g)
	for i := 0; i < len(p) && i < len(name); i++ {
		if p[i] == '*' {
			return true
		}
		if p[i] != name[i] {
			return false
		}
	}
	return len(p) == len(name)
}

// A matcher that hands its text to regexp and strings.
type HostMatcher struct {
	re *regexp.Regexp
}

func (m *HostMatcher) matchHost(host string) bool {
	return m.re.MatchString(host)
}

func matchMethod(got, want string) bool {
	return strings.EqualFold(got, want)
}

// "matcher" names a thing: building one is not matching.
func compileMatcher(pattern string) *HostMatcher {
	if pattern != "" && pattern[0] == '^' {
		return &HostMatcher{re: regexp.MustCompile(pattern)}
	}
	return &HostMatcher{re: regexp.MustCompile(regexp.QuoteMeta(pattern))}
}
