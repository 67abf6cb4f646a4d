package a

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// sessions is a package-level map that handlers write and read without a lock.
var sessions = map[string]time.Time{}

var hits int

var requests atomic.Int64

// login writes the map from an HTTP handler: concurrent map writes crash the program.
func login(w http.ResponseWriter, r *http.Request) {
	requests.Add(1)
	hits++                                     // want `package variable hits mutated in HTTP handler login`
	sessions[r.FormValue("user")] = time.Now() // want `package variable sessions mutated in HTTP handler login` `package map sessions is read and written after initialisation and the package has no mutex`
	json.NewEncoder(w).Encode(len(sessions))
}

func active(user string) bool {
	_, ok := sessions[user]
	return ok
}

// expire starts a goroutine that deletes from the map.
func expire(every time.Duration) {
	go func() {
		for range time.Tick(every) {
			for u, t := range sessions {
				if time.Since(t) > time.Hour {
					delete(sessions, u) // want `package variable sessions mutated in a goroutine`
				}
			}
		}
	}()
}

// Config is replaced wholesale by a setter: a weaker signal.
type Config struct{ Timeout time.Duration }

var config = Config{Timeout: time.Second}

var verbose bool

func Configure(d time.Duration, v bool) {
	config.Timeout = d // want `package variable config, verbose written outside initialisation`
	verbose = v
	config.Timeout *= 2
}

// codecs is filled in init and only read afterwards: quiet.
var codecs = map[string]func([]byte) string{}

func init() {
	codecs["upper"] = func(b []byte) string { return strings.ToUpper(string(b)) }
	codecs["lower"] = func(b []byte) string { return strings.ToLower(string(b)) }
	http.HandleFunc("/login", login)
	http.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) {
		hits++ // want `package variable hits mutated in an HTTP handler`
	})
}

func decode(name string, b []byte) string { return codecs[name](b) }

// defaults is built by an initialiser that is called right away: quiet.
var defaults = func() []string {
	var out []string
	out = append(out, "a", "b")
	return out
}()

var errs []error

// collect appends to a package slice from a function that starts goroutines.
func collect(jobs []func() error) {
	done := make(chan struct{})
	for _, j := range jobs {
		go func() {
			defer func() { done <- struct{}{} }()
			if err := j(); err != nil {
				errs = append(errs, err) // want `package variable errs mutated in a goroutine`
			}
		}()
	}
	for range jobs {
		<-done
	}
}

// mimeTypes is filled lazily under a sync.Once: quiet.
var (
	mimeTypes    map[string]string
	mimeOnce     sync.Once
	loadPalette  = sync.OnceValue(func() []string { palette = append(palette, "red"); return palette })
	palette      []string
	extByDefault = map[string]string{}
)

func initMime() {
	mimeTypes = map[string]string{".html": "text/html"}
	for k, v := range mimeTypes {
		extByDefault[v] = k
	}
}

func mimeType(ext string) string {
	mimeOnce.Do(initMime)
	return mimeTypes[ext] + extByDefault[ext] + loadPalette()[0]
}

// Generic code must not confuse the pass.
type Registry[T any] struct{ items map[string]T }

var names = Registry[int]{items: map[string]int{}}

func (r *Registry[T]) Add(k string, v T) { r.items[k] = v }

func register(k string) { names.Add(k, len(k)) }
