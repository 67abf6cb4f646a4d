package a

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Meter guards count and last with mu.
type Meter struct {
	mu    sync.Mutex
	count int
	last  time.Time
	name  string // set by NewMeter only
	seen  []string
	ops   atomic.Int64
	hits  int64 // used with sync/atomic functions
}

func NewMeter(name string) *Meter {
	m := &Meter{name: name}
	m.count = 0
	return m
}

func (m *Meter) Mark() {
	m.mu.Lock()
	m.count++
	m.last = time.Now()
	m.mu.Unlock()
	m.ops.Add(1)
	atomic.AddInt64(&m.hits, 1)
}

func (m *Meter) Count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.count
}

func (m *Meter) Since() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return time.Since(m.last)
}

// Reset writes count without the lock.
func (m *Meter) Reset() {
	m.count = 0 // want `m.count is written without holding m.mu, which guards it in \(\*Meter\).Mark and \(\*Meter\).Count; \(\*Meter\).Reset can run concurrently with them`
}

// Peek reads count without the lock, racing with Mark's write.
func (m *Meter) Peek() int {
	return m.count // want `m.count is read without holding m.mu, which guards it in \(\*Meter\).Mark; \(\*Meter\).Peek can run concurrently with them`
}

// Name reads a field that only the constructor writes.
func (m *Meter) Name() string { return m.name }

// Hits reads an atomic field.
func (m *Meter) Hits() int64 { return atomic.LoadInt64(&m.hits) + m.ops.Load() }

// resetLocked is called with the lock held.
func (m *Meter) resetLocked() { m.count = 0 }

// clear is only called under the lock.
func (m *Meter) clear() {
	m.count = 0
	m.last = time.Time{}
}

func (m *Meter) Clear() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.clear()
	m.resetLocked()
}

// Sorted reads seen in a literal that runs under the caller's lock.
func (m *Meter) Sorted() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seen = append(m.seen, "x")
	sort.Slice(m.seen, func(i, j int) bool { return m.seen[i] < m.seen[j] })
	return m.seen
}

func (m *Meter) Seen() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.seen)
}

// Start writes last from a goroutine without the lock.
func (m *Meter) Start() {
	go func() {
		m.last = time.Now() // want `m.last is written without holding m.mu, which guards it in \(\*Meter\).Mark and \(\*Meter\).Since; a function literal in \(\*Meter\).Start can run concurrently with them`
	}()
}

// Loop owns state: it is the only writer, and it writes under the lock
// for the readers; its own reads need no lock.
type Loop struct {
	mu    sync.Mutex
	state int
	quit  chan struct{}
}

func (l *Loop) run() {
	for {
		select {
		case <-l.quit:
			return
		default:
		}
		next := l.state + 1
		l.mu.Lock()
		l.state = next
		l.mu.Unlock()
	}
}

func (l *Loop) Start() { go l.run() }

func (l *Loop) State() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state
}

// Embedded guards n with the embedded mutex.
type Embedded struct {
	sync.RWMutex
	n int
}

func (e *Embedded) Inc() {
	e.Lock()
	e.n++
	e.Unlock()
}

func (e *Embedded) Get() int {
	e.RLock()
	defer e.RUnlock()
	return e.n
}

func (e *Embedded) Set(n int) {
	e.n = n // want `e.n is written without holding e.RWMutex, which guards it in \(\*Embedded\).Inc and \(\*Embedded\).Get`
}

// Once guards a field in one method only: not enough to infer a guard.
type Once struct {
	mu sync.Mutex
	v  int
}

func (o *Once) Set(v int) {
	o.mu.Lock()
	o.v = v
	o.mu.Unlock()
}

func (o *Once) Get() int { return o.v }
