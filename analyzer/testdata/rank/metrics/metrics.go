// Package metrics counts events and exposes them in a text format.
package metrics

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
)

// Counter is a monotonically increasing count.
type Counter struct {
	v atomic.Int64
}

// Add adds n, which must not be negative.
func (c *Counter) Add(n int64) {
	if n < 0 {
		panic(fmt.Sprintf("metrics: counter decreased by %d", -n))
	}
	c.v.Add(n)
}

// Value returns the count.
func (c *Counter) Value() int64 { return c.v.Load() }

// Registry names counters.
type Registry struct {
	mu       sync.RWMutex
	counters map[string]*Counter
	help     map[string]string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{
		counters: make(map[string]*Counter),
	}
}

// Counter returns the counter of a name, creating it on first use.
func (r *Registry) Counter(name string) *Counter {
	r.mu.RLock()
	c, ok := r.counters[name]
	r.mu.RUnlock()
	if ok {
		return c
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.counters[name]; ok {
		return c
	}
	c = new(Counter)
	r.counters[name] = c
	return c
}

// Describe sets the help text written before a metric.
func (r *Registry) Describe(name, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.help[name] = text
}

// WriteTo writes every metric, sorted by name, one per line.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.RLock()
	names := make([]string, 0, len(r.counters))
	values := make(map[string]string, cap(names))
	for n, c := range r.counters {
		names = append(names, n)
		values[n] = fmt.Sprint(c.Value())
	}
	help := make(map[string]string, len(r.help))
	for n, h := range r.help {
		help[n] = h
	}
	r.mu.RUnlock()

	sort.Strings(names)
	var total int64
	for _, n := range names {
		if h, ok := help[n]; ok {
			k, err := fmt.Fprintf(w, "# %s %s\n", n, h)
			total += int64(k)
			if err != nil {
				return total, err
			}
		}
		k, err := fmt.Fprintf(w, "%s %s\n", n, values[n])
		total += int64(k)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
