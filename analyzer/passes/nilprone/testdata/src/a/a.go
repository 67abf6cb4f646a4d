package a

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"framework"
	"io"
	"io/fs"
	"net"
	"net/http"
	"sync"
	"time"
)

// ---- nil-map-write ----

type Registry struct {
	mu       sync.Mutex
	handlers map[string]http.Handler // never made anywhere in the package
	counts   map[string]int          // made in NewRegistry
	aliases  map[string]string       // made lazily
}

func NewRegistry() *Registry {
	return &Registry{counts: make(map[string]int)}
}

// Buggy: handlers is never initialized.
func (r *Registry) Handle(path string, h http.Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handlers[path] = h // want `r.handlers\[path\] is written but nothing makes the map r.handlers`
	r.counts[path]++
}

// Correct: lazily made before the write.
func (r *Registry) Alias(from, to string) {
	if r.aliases == nil {
		r.aliases = map[string]string{}
	}
	r.aliases[from] = to
}

// Buggy: the local map is declared but never made.
func wordCount(words []string) map[string]int {
	var counts map[string]int
	for _, w := range words {
		counts[w]++ // want `counts\[w\] is written but nothing makes the map counts`
	}
	return counts
}

// Correct: made before the loop, or filled by json.
func index(words []string, data []byte) (map[string]int, map[string]bool) {
	var pos map[string]int
	pos = make(map[string]int, len(words))
	for i, w := range words {
		pos[w] = i
	}
	var seen map[string]bool
	_ = json.Unmarshal(data, &seen)
	seen["x"] = true
	return pos, seen
}

// ---- type-assert-unchecked ----

type job struct{ id int }

// Buggy: anything else sent on the channel panics the worker.
func worker(in <-chan any, cache map[string]any, v any) int {
	j := (<-in).(*job)        // want `\(<-in\).\(\*job\) panics if \(<-in\) from a channel holds another type`
	n := cache["limit"].(int) // want `cache\["limit"\].\(int\) panics if cache\["limit"\] from a map holds another type`
	return j.id + n + v.(int) // want `v.\(int\) panics if v from parameter v holds another type`
}

// Correct: comma-ok and type switches.
func describe(v any, m map[string]any) string {
	if s, ok := m["name"].(string); ok {
		return s
	}
	switch v.(type) {
	case string:
		return v.(string)
	}
	if _, ok := v.(error); ok {
		return v.(error).Error()
	}
	var p sync.Pool
	return p.Get().(string)
}

// ---- err-value-before-check ----

// Buggy: resp is nil when Get fails.
func fetch(url string) ([]byte, error) {
	resp, err := http.Get(url)
	defer resp.Body.Close() // want `resp.Body is used before err from http.Get\(url\) is checked; resp may be nil`
	if err != nil {
		return nil, err
	}
	return io.ReadAll(resp.Body)
}

// Buggy: conn is a nil interface when Dial fails.
func ping(addr string) error {
	conn, err := net.Dial("tcp", addr)
	conn.SetDeadline(time.Now().Add(time.Second)) // want `conn.SetDeadline is used before err`
	if err != nil {
		return err
	}
	return conn.Close()
}

// Correct: the error is checked first, or the value is nil-checked.
func fetchOK(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if resp != nil {
		defer resp.Body.Close()
	}
	if err != nil {
		return nil, err
	}
	r2, err := http.Get(url + "/2")
	if err != nil {
		return nil, err
	}
	defer r2.Body.Close()
	return io.ReadAll(resp.Body)
}

// ---- typed-nil-error ----

type ValidationError struct{ Field string }

func (e *ValidationError) Error() string { return "invalid " + e.Field }

// Buggy: returns a non-nil error holding a nil *ValidationError.
func validate(name string) error {
	var verr *ValidationError
	if name == "" {
		verr = &ValidationError{Field: "name"}
	}
	return verr // want `verr \(\*a.ValidationError\) returned as error; verr may still be nil, so the interface is non-nil`
}

func check(name string) *ValidationError {
	if name == "" {
		return &ValidationError{Field: "name"}
	}
	return nil
}

// Buggy: check returns nil on success, which becomes a non-nil error.
func validateAll(name string) error {
	return check(name) // want `check\(name\) \(\*a.ValidationError\) returned as error; check can return nil`
}

// Correct: nil-checked, address taken by errors.As, or a fresh value.
func classify(err error, name string) error {
	if v := check(name); v != nil {
		return v
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		_ = pe.Path
		return pe
	}
	return &ValidationError{Field: name}
}

// ---- nil-result-unchecked ----

type Session struct{ user string }

var sessions = map[string]*Session{}

// findSession returns the session for id, or nil if there is none.
func findSession(id string) *Session { return sessions[id] }

// Buggy (weakly): no nil checks.
func userOf(id string) string {
	s := sessions[id]
	verbose := flag.Lookup("v").Value.String() // want `flag.Lookup\("v"\).Value dereferences flag.Lookup result with no nil check`
	owner := findSession(id).user              // want `findSession\(id\).user dereferences a.findSession result`
	return s.user + verbose + owner            // want `s.user dereferences map lookup sessions\[id\] with no nil check`
}

// Correct: checked with ok or nil.
func userOK(id string) string {
	if s, ok := sessions[id]; ok {
		return s.user
	}
	if s := findSession(id); s != nil {
		return s.user
	}
	return ""
}

// Odd code must not panic the pass.
func generic[T any, P interface{ *T }](m map[string]P, v any) P {
	var zero map[string]P
	if len(zero) == 0 {
		return m["x"]
	}
	return v.(P) // want `v.\(P\) panics if v from parameter v`
}

func stub() error

var _ = func(x any) error {
	var e *ValidationError
	return e // want `e \(\*a.ValidationError\) returned as error`
}

// Correct: the pointer is assigned on every path to the interface.
func decodeImage(kind int) (img io.Reader, err error) {
	var br *bufio.Reader
	switch kind {
	case 1:
		br = bufio.NewReader(nil)
		img = br
	default:
		err = &ValidationError{Field: "kind"}
	}
	return img, err
}

// Correct: a framework map whose invariant the framework keeps.
func result(pass *framework.Pass) *Registry {
	return pass.ResultOf["registry"].(*Registry)
}

// Correct: made lazily inside the loop, after a read.
func countDupes(keys []string) map[string]int {
	var dupes map[string]int
	for _, k := range keys {
		if dupes[k] > 0 {
			dupes[k]++
			continue
		}
		if dupes == nil {
			dupes = map[string]int{}
		}
		dupes[k] = 1
	}
	return dupes
}

// Config is filled by other packages; its exported map may be made there.
type Config struct{ Labels map[string]string }

func (c *Config) Label(k, v string) { c.Labels[k] = v }

// Correct: a generic registry made through an instantiated literal.
type Set[T comparable] struct{ items map[T]bool }

var ports = Set[int]{items: map[int]bool{}}

func (s *Set[T]) Add(v T) { s.items[v] = true }

// Buggy: the generic field is never made.
type Bag[T comparable] struct{ counts map[T]int }

func (b *Bag[T]) Add(v T) { b.counts[v]++ } // want `b.counts\[v\] is written but nothing makes the map b.counts`
