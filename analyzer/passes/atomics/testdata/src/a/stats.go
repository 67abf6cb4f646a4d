package a

import (
	"io"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Stats counts requests from many handler goroutines.
type Stats struct {
	requests int64
	errors   int64
	bytes    atomic.Int64
	config   unsafe.Pointer
	name     string
}

func NewStats(name string) *Stats {
	s := &Stats{name: name, requests: 0}
	s.errors = 0 // constructor: the value has not escaped yet
	return s
}

func (s *Stats) Handle(w io.Writer) {
	atomic.AddInt64(&s.requests, 1) // want "atomic.AddInt64 on &s.requests"
	n, err := w.Write([]byte(s.name))
	if err != nil {
		atomic.AddInt64(&(s.errors), 1) // want "atomic.AddInt64"
	}
	s.bytes.Add(int64(n)) // want "s.bytes.Add on an atomic type"
}

// Report reads one counter atomically and the other plainly: a race.
func (s *Stats) Report() (int64, int64) {
	return atomic.LoadInt64(&s.requests), s.errors // want "atomic.LoadInt64" "s.errors is read without sync/atomic but accessed with atomic.AddInt64 at line 29"
}

// Reset writes plainly while handlers add atomically.
func (s *Stats) Reset() {
	s.requests = 0                  // want "s.requests is written without sync/atomic but accessed with atomic.AddInt64 at line 26"
	atomic.StoreInt64(&s.errors, 0) // want "atomic.StoreInt64"
	s.bytes.Store(0)                // want "s.bytes.Store on an atomic type"
}

// Config swaps a pointer atomically; the name is never accessed atomically.
func (s *Stats) Config() *string {
	p := (*string)(atomic.LoadPointer(&s.config)) // want "atomic.LoadPointer"
	if p == nil {
		return &s.name
	}
	return p
}

// Total counts on many goroutines and reads the count after Wait: correct.
func Total(parts [][]int) int64 {
	var total int64
	var wg sync.WaitGroup
	for _, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, v := range p {
				atomic.AddInt64(&total, int64(v)) // want "atomic.AddInt64"
			}
		}()
	}
	wg.Wait()
	return total
}

// Progress reads the count while the goroutines still run.
func Progress(parts [][]int, report func(int64)) {
	var done int64
	for range parts {
		go func() {
			atomic.AddInt64(&done, 1) // want "atomic.AddInt64"
			report(done)              // want "done is read without sync/atomic but accessed with atomic.AddInt64 at line 77"
		}()
	}
}

// Generic code using atomic.Pointer must not confuse the pass.
type Latest[T any] struct{ p atomic.Pointer[T] }

func (l *Latest[T]) Set(v *T) { l.p.Store(v) } // want "l.p.Store on an atomic type"

func (l *Latest[T]) Get() *T { return l.p.Load() } // want "l.p.Load on an atomic type"

// Sequential uses atomics on its own variable with no goroutine: nothing to race with.
func Sequential(xs []int64) int64 {
	var sum int64
	for _, x := range xs {
		atomic.AddInt64(&sum, x) // want "atomic.AddInt64"
	}
	sum++
	return sum
}
