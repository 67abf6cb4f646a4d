package a

import (
	"sync"
	"sync/atomic"
)

// Conn's read loop, started with go, reads a flag that Close writes: the
// plain functions on both sides of the race are worth a read.
type Conn struct {
	closed  bool
	name    string
	reads   atomic.Int64
	pending map[int]string
}

func Dial(name string) *Conn {
	c := &Conn{name: name, pending: map[int]string{}}
	go c.readLoop()
	return c
}

func (c *Conn) readLoop() {
	for !c.closed { // want "c.closed is accessed here in \\(\\*Conn\\).readLoop, run by go in Dial without a lock, and written outside goroutines in \\(\\*Conn\\).Close \\(line 31\\)"
		c.reads.Add(1) // a sync/atomic field: quiet
		_ = c.name     // never written after construction: quiet
	}
}

func (c *Conn) Close() {
	c.closed = true // want "c.closed is accessed here without a lock, and read in \\(\\*Conn\\).readLoop, run by go in Dial \\(line 24\\)"
}

// Name reads a field no one writes after Dial: quiet.
func (c *Conn) Name() string { return c.name }

// hits is a package variable that a goroutine writes and Report reads.
var hits int

// limit is written in init only, before any goroutine runs: quiet.
var limit int

func init() { limit = 10 }

func Count(n int) {
	go func() {
		for range n {
			if hits < limit { // want "hits is accessed here in a goroutine in Count without a lock, and read outside goroutines in Report \\(line 55\\)"
				hits++
			}
		}
	}()
}

func Report() int { return hits } // want "hits is accessed here without a lock, and written in a goroutine in Count \\(line 49\\)"

// total is shared too, but every access holds totalMu: quiet.
var (
	total   int
	totalMu sync.Mutex
)

func Add(n int) {
	go func() {
		totalMu.Lock()
		total += n
		totalMu.Unlock()
	}()
}

func Total() int {
	totalMu.Lock()
	defer totalMu.Unlock()
	return total
}

// done is written by a goroutine that signals its end; its starter waits: quiet.
var done bool

func Run(wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		done = true
	}()
}

func Done() bool { return done }

// Index locks its map in Get only; the other methods that change it do not,
// so the lock is not taken as its guard, yet the unlocked writes are worth a look.
type Index struct {
	mu    sync.Mutex
	m     map[string]int
	count int
}

func (x *Index) Get(k string) int {
	x.mu.Lock()
	defer x.mu.Unlock()
	_ = x.count
	return x.m[k]
}

func (x *Index) Put(k string, v int) {
	x.m[k] = v // want "map x.m is changed here without a lock; \\(\\*Index\\).Get holds x.mu while it accesses it \\(line 102\\)"
	x.count++  // not a map: quiet
}

func (x *Index) Del(k string) {
	delete(x.m, k) // want "map x.m is changed here without a lock; \\(\\*Index\\).Get holds x.mu while it accesses it \\(line 102\\)"
	x.count--
}

func (x *Index) Reset() {
	clear(x.m) // want "map x.m is changed here without a lock"
	x.count = 0
}

// Peek reads the map without the lock: a read, not a change: quiet.
func (x *Index) Peek(k string) int { return x.m[k] }

// flight is filled by a method started with go that closes done when it
// has written; Wait reads after done: ordered, quiet.
type flight struct {
	done chan struct{}
	val  string
}

func Load(load func() string) *flight {
	f := &flight{done: make(chan struct{})}
	go f.fill(load)
	return f
}

func (f *flight) fill(load func() string) {
	f.val = load()
	close(f.done)
}

func (f *flight) Wait() string {
	<-f.done
	return f.val
}

// Session's state is changed through a callback that update runs under its
// lock: whether the literal's accesses hold a lock is not known here, so
// they are not called unlocked. Quiet.
type Session struct {
	mu    sync.Mutex
	state sessState
}

// sessState is what update hands its callbacks.
type sessState struct{ err error }

func (s *Session) update(f func(st *sessState)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.state)
}

func (s *Session) serve(do func() error) {
	if err := do(); err != nil {
		s.update(func(st *sessState) { st.err = err })
	}
}

func (s *Session) Start(do func() error) {
	go s.serve(do)
}

func (s *Session) Err() (err error) {
	s.update(func(st *sessState) { err = st.err })
	return err
}
