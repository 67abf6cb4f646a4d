package a

// Quiet cases: shapes real code uses on purpose, which the pass once
// reported. Each must report nothing; a buggy twin beside it must.

import (
	"errors"
	"sync"
	"sync/atomic"
)

// Handing the lock to the caller: the function returns with the mutex held
// and a pointer to what holds it, for the caller to unlock.
type shardSet struct {
	shards [4]*lockedShard
}

type lockedShard struct {
	mu    sync.Mutex
	ready bool
	vals  map[string]int
}

// ready returns the shard of k, for the caller to unlock, if it is ready.
func (s *shardSet) ready(k string) *lockedShard {
	sh := s.shards[len(k)%4]
	sh.mu.Lock()
	if sh.ready {
		return sh
	}
	sh.mu.Unlock()
	return nil
}

// mutexOf returns the mutex itself, for the caller to unlock.
func (s *shardSet) mutexOf(i int) (*sync.Mutex, error) {
	sh := s.shards[i]
	sh.mu.Lock()
	if sh.ready {
		return &sh.mu, nil
	}
	sh.mu.Unlock()
	return nil, errors.New("not ready")
}

// A writer transaction keeps the database's writer lock until it ends.
type store struct {
	wmu  sync.Mutex
	open bool
	cur  *txn
}

type txn struct {
	st *store
}

func (s *store) begin() (*txn, error) {
	s.wmu.Lock()
	if !s.open {
		s.wmu.Unlock()
		return nil, errors.New("closed")
	}
	t := &txn{st: s}
	s.cur = t // released by t.end
	return t, nil
}

func (t *txn) end() { t.st.wmu.Unlock() }

// valueOf still forgets the lock when it returns only an error.
func (s *shardSet) valueOf(k string) (int, error) {
	sh := s.shards[len(k)%4]
	sh.mu.Lock() // want `sh.mu.Lock\(\) is not released on the path that returns at line \d+`
	if !sh.ready {
		return 0, errors.New("not ready")
	}
	v := sh.vals[k]
	sh.mu.Unlock()
	return v, nil
}

// A mutex handed over through a go statement: the goroutine unlocks it.
type worker struct {
	mu   sync.Mutex
	busy bool
}

func (w *worker) finish(done chan struct{}) {
	w.busy = false
	w.mu.Unlock()
	close(done)
}

func (w *worker) Run(quick bool) {
	w.mu.Lock()
	if quick {
		done := make(chan struct{})
		go w.finish(done)
		<-done
		return
	}
	w.busy = true
	w.mu.Unlock()
}

// Callers hold the guard: a helper that unlocks what its callers locked
// runs with the lock held, and so do the callers of those callers.
type link struct {
	mu     sync.Mutex
	closed bool
	state  int
	peer   *peer
}

type peer struct {
	c *link
}

func (c *link) Close() {
	c.mu.Lock()
	c.closed = true
	c.state = 0
	c.mu.Unlock()
}

func (c *link) State() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// updateAndUnlock releases c.mu, which its callers took.
func (c *link) updateAndUnlock(s int) {
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.state = s
	c.mu.Unlock()
}

func (c *link) Update(s int) {
	c.mu.Lock()
	c.updateAndUnlock(s)
}

func (p *peer) Notify(s int) {
	p.c.mu.Lock()
	p.c.updateAndUnlock(s)
}

// Construction: writes before the value is shared.
type db struct {
	mu    sync.Mutex
	meta  int
	pages []int
	path  string
}

// Open fills db through a named result before it returns it.
func Open(path string) (d *db, err error) {
	d = &db{path: path}
	d.load()
	return d, nil
}

// OpenValue builds a value on the stack.
func OpenValue(path string) *db {
	var d db
	d.path = path
	d.load()
	return &d
}

func (d *db) load() {
	d.meta = 1
	d.pages = nil
}

func (d *db) Meta() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.meta
}

func (d *db) Grow() {
	d.mu.Lock()
	d.meta++
	d.pages = append(d.pages, d.meta)
	d.mu.Unlock()
}

// InitialState sets the state a resolver starts from, before it is built.
type resolver struct {
	mu    sync.Mutex
	last  *int
	built bool
}

func (r *resolver) InitialState(s int) { r.last = &s }

func (r *resolver) Build() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.built = true
	if r.last != nil {
		r.built = *r.last > 0
	}
}

func (r *resolver) UpdateState(s int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last = &s
}

// Two fields of one struct are two variables: callbacks written under the
// lock, a plain setting read without it.
type options struct {
	timeout int
	onClose func()
	onError func(error)
}

type client struct {
	mu   sync.Mutex
	opts options
}

func (c *client) OnClose(f func()) {
	c.mu.Lock()
	c.opts.onClose = f
	c.mu.Unlock()
}

func (c *client) OnError(f func(error)) {
	c.mu.Lock()
	c.opts.onError = f
	c.mu.Unlock()
}

func (c *client) Timeout() int { return c.opts.timeout }

// Options reads the whole struct, callbacks included: that does race.
func (c *client) Options() options {
	return c.opts // want `c.opts is read without holding c.mu`
}

// Methods of types that synchronize themselves are no writes to guard.
type syncMap[K comparable, V any] struct{ m sync.Map }

func (s *syncMap[K, V]) Store(k K, v V) { s.m.Store(k, v) }

type flag struct{ v int32 }

func (f *flag) Set()        { atomic.StoreInt32(&f.v, 1) }
func (f *flag) IsSet() bool { return atomic.LoadInt32(&f.v) == 1 }

type registry struct {
	mu    sync.Mutex
	names []string
	cache syncMap[string, int]
	dirty flag
}

func (r *registry) Add(n string) {
	r.mu.Lock()
	r.names = append(r.names, n)
	r.cache.Store(n, len(r.names))
	r.dirty.Set()
	r.mu.Unlock()
}

func (r *registry) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dirty.Set()
	r.cache.Store("", 0)
	return r.names
}

func (r *registry) Touch(n string) {
	r.cache.Store(n, 0)
	r.dirty.Set()
}

// A value published by closing a channel: the writer writes under the lock,
// then closes the channel; readers read after receiving from it.
type session struct {
	mu       sync.Mutex
	errMu    sync.Mutex
	err      error
	shutdown bool
	done     chan struct{}
	accept   chan int
}

func (s *session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown {
		return nil
	}
	s.shutdown = true
	s.errMu.Lock()
	if s.err == nil {
		s.err = errors.New("shut down")
	}
	s.errMu.Unlock()
	close(s.done)
	return nil
}

func (s *session) fail(err error) {
	s.errMu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.errMu.Unlock()
	s.Close()
}

func (s *session) Accept() (int, error) {
	select {
	case v := <-s.accept:
		return v, nil
	case <-s.done:
		return 0, s.err
	}
}

func (s *session) Wait() error {
	<-s.done
	return s.err
}

// Peek reads without waiting for the close: a race.
func (s *session) Peek() error {
	return s.err // want `s.err is read without holding s.errMu`
}
