package a

import "sync"

type Server struct {
	mu    sync.Mutex
	conns map[*Conn]bool
}

type Conn struct {
	mu     sync.Mutex
	srv    *Server
	closed bool
}

// Broadcast holds the server's lock and then each connection's.
func (s *Server) Broadcast() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.mu.Lock() // want `c.mu is locked while s.mu is held, but \(\*Conn\).Close locks c.mu before c.srv.mu \(line \d+\); two goroutines taking them in opposite orders deadlock`
		c.closed = false
		c.mu.Unlock()
	}
}

// Close holds the connection's lock and then the server's.
func (c *Conn) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.srv.mu.Lock()
	delete(c.srv.conns, c)
	c.srv.mu.Unlock()
}

type Pool struct {
	mu    sync.Mutex
	stats Stats
}

type Stats struct {
	mu sync.Mutex
	n  int
}

// Both take the pool's lock first: one order.
func (p *Pool) Get() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.mu.Lock()
	p.stats.n++
	p.stats.mu.Unlock()
}

func (p *Pool) Put() {
	p.mu.Lock()
	p.stats.mu.Lock()
	p.stats.n--
	p.stats.mu.Unlock()
	p.mu.Unlock()
}

// Report takes the stats lock alone, after releasing the pool's.
func (p *Pool) Report() int {
	p.mu.Lock()
	p.mu.Unlock()
	p.stats.mu.Lock()
	defer p.stats.mu.Unlock()
	return p.stats.n
}

type Index struct {
	mu   sync.RWMutex
	docs map[string]string
	meta Meta
}

type Meta struct {
	mu   sync.RWMutex
	size int
}

// Readers only: two read locks in opposite orders do not block each other.
func (ix *Index) Size() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ix.meta.mu.RLock()
	defer ix.meta.mu.RUnlock()
	return ix.meta.size + len(ix.docs)
}

func (m *Meta) Docs(ix *Index) int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.docs)
}

// Two levels of helpers: drop holds the lease's lock and reaches the
// cache's through forget and remove.
type leaseCache struct {
	mu     sync.Mutex
	byName map[string]*lease
}

type lease struct {
	mu    sync.Mutex
	name  string
	refs  int
	cache *leaseCache
}

func (c *leaseCache) Get(name string) *lease {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.byName[name]
	l.mu.Lock() // want `l.mu is locked while c.mu is held, but \(\*lease\).Drop locks l.mu before l.cache.mu`
	l.refs++
	l.mu.Unlock()
	return l
}

func (c *leaseCache) remove(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byName, name)
}

// forget is called with l.mu held.
func (l *lease) forget() {
	l.cache.remove(l.name)
}

func (l *lease) Drop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refs--
	if l.refs == 0 {
		l.forget()
	}
}
