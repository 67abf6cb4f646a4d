package a

import (
	"errors"
	"sync"
)

// Semaphore: a mutex locked here and unlocked by a goroutine is locked
// twice on purpose.
func Semaphore(work func()) {
	var mu sync.Mutex
	mu.Lock()
	go func() {
		work()
		mu.Unlock()
	}()
	mu.Lock() // waits for the goroutine
}

// RLocker's Lock is a read lock: two in a row are not a double lock here.
func ReadTwice(rw *sync.RWMutex) {
	rl := rw.RLocker()
	rl.Lock()
	rl.Lock()
	rl.Unlock()
	rl.Unlock()
}

// Switch spins on a global lock: continue keeps it held into the next
// iteration, which locks it again.
var spin sync.Mutex

func Spin(items []int) int {
	total := 0
	for _, it := range items {
		spin.Lock() // want `spin.Lock\(\) is still held at the continue on line \d+, and the next iteration locks it again and deadlocks`
		if it < 0 {
			continue
		}
		total += it
		spin.Unlock()
	}
	return total
}

// Outer holds the lock of an embedded struct's mutex through a helper
// method of the embedded type.
type inner struct {
	mu sync.Mutex
	n  int
}

func (i *inner) size() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.n
}

type Outer struct {
	inner
	name string
}

func (o *Outer) Grow() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.n += o.size() // want `call of o.size\(\), which locks o.inner.mu, while o.inner.mu is already held`
}

// Lazy initializes under the lock; readers call init first.
type Lazy struct {
	mu   sync.Mutex
	data []byte
	ok   bool
}

func (l *Lazy) init() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ok {
		return
	}
	l.data = []byte("x")
	l.ok = true
}

func (l *Lazy) Bytes() []byte {
	l.init()
	return l.data
}

func (l *Lazy) Reset() {
	l.mu.Lock()
	l.data = nil
	l.ok = false
	l.mu.Unlock()
}

func (l *Lazy) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.data)
}

// Gate is a lock of the program's own; Stream guards buf with both it and
// bufmu, and reads it under the gate alone.
type gate struct{ ch chan struct{} }

func (g *gate) lock()   { <-g.ch }
func (g *gate) unlock() { g.ch <- struct{}{} }

type Stream struct {
	gate  gate
	bufmu sync.Mutex
	buf   []byte
}

func (s *Stream) Write(p []byte) {
	s.gate.lock()
	defer s.gate.unlock()
	s.bufmu.Lock()
	s.buf = append(s.buf, p...)
	s.bufmu.Unlock()
}

func (s *Stream) Peek() int {
	s.bufmu.Lock()
	defer s.bufmu.Unlock()
	return len(s.buf)
}

func (s *Stream) Read() []byte {
	s.gate.lock()
	defer s.gate.unlock()
	return s.buf
}

// Pool reuses entries: reset writes many fields of an entry no one else holds.
type entry struct {
	mu    sync.Mutex
	key   string
	val   int
	refs  int
	stamp int64
}

func (e *entry) Set(v int) {
	e.mu.Lock()
	e.val = v
	e.stamp++
	e.mu.Unlock()
}

func (e *entry) Get() (int, int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.val, e.stamp
}

func (e *entry) reset() {
	e.key = ""
	e.val = 0
	e.refs = 0
	e.stamp = 0
}

func Release(e *entry) { e.reset() }

// Debug is documented as not for concurrent use.
type Book struct {
	mu    sync.Mutex
	pages map[int]string
}

func (b *Book) Put(i int, s string) {
	b.mu.Lock()
	b.pages[i] = s
	b.mu.Unlock()
}

func (b *Book) Page(i int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pages[i]
}

// Dump must not be called concurrently with Put.
func (b *Book) Dump() int { return len(b.pages) }

// Fresh publishes a value it made: calls on it run before anyone else sees it.
type Shard struct {
	mu    sync.Mutex
	items map[string]int
}

func (s *Shard) Add(k string) {
	s.mu.Lock()
	s.items[k]++
	s.mu.Unlock()
}

func (s *Shard) Count(k string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.items[k]
}

func (s *Shard) fill(keys []string) {
	for _, k := range keys {
		s.items[k] = 0
	}
}

func NewShard(keys []string) *Shard {
	s := &Shard{items: map[string]int{}}
	s.fill(keys)
	return s
}

// tryLock-style acquirers return with the lock held on success.
func (s *Shard) lockIfOpen() bool {
	s.mu.Lock()
	if s.items != nil {
		return true
	}
	s.mu.Unlock()
	return false
}

// OnceInit runs its initializer through sync.Once.
type OnceInit struct {
	once sync.Once
	mu   sync.Mutex
	tab  map[string]int
}

func (o *OnceInit) init() { o.tab = map[string]int{} }

func (o *OnceInit) Put(k string) {
	o.once.Do(o.init)
	o.mu.Lock()
	o.tab[k] = 1
	o.mu.Unlock()
}

func (o *OnceInit) Has(k string) bool {
	o.once.Do(o.init)
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.tab[k] == 1
}

// Deferred closures, early returns after unlock.
func (o *OnceInit) Take(k string) (int, error) {
	o.mu.Lock()
	v, ok := o.tab[k]
	o.mu.Unlock()
	if !ok {
		return 0, errors.New("missing")
	}
	func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		delete(o.tab, k)
	}()
	return v, nil
}
