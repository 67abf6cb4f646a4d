package a

import (
	"fmt"
	"sync"
)

// Codec reads requests on one goroutine; its mutex guards only pending and seq.
type Codec struct {
	mu      sync.Mutex
	pending map[int]string
	seq     int
	req     string // owned by the reading goroutine
	conn    *conn
}

type conn struct {
	mu     sync.Mutex
	closed bool
}

// ReadHeader reads req under the lock by chance: the lock is for pending.
func (c *Codec) ReadHeader(next func() string) {
	c.req = next()
	c.mu.Lock()
	c.seq++
	c.pending[c.seq] = c.req
	c.mu.Unlock()
}

func (c *Codec) ReadBody() string { return c.req }

func (c *Codec) Reset() { c.req = "" }

func (c *Codec) Respond(seq int) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.pending[seq]
	delete(c.pending, seq)
	return r
}

// Close reaches a lock through c.conn: that is not an access c.conn.mu guards.
func (c *Codec) Close() {
	c.conn.mu.Lock()
	c.conn.closed = true
	c.conn.mu.Unlock()
}

func (c *Codec) Conn() *conn { return c.conn }

var logMu sync.Mutex

// Log holds an unrelated lock: not evidence that seq is guarded by it, nor unguarded.
func (c *Codec) Log() {
	logMu.Lock()
	fmt.Println(c.seq)
	logMu.Unlock()
}

// Tracker swaps its current connection under the lock, and reads it without.
type Tracker struct {
	mu  sync.Mutex
	cur *conn
}

func (t *Tracker) Swap(c *conn) *conn {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := t.cur
	t.cur = c
	return old
}

func (t *Tracker) Current() *conn {
	return t.cur // want "field t.cur is accessed under t.mu in \\(\\*Tracker\\).Swap \\(line 70\\) but not here"
}

// Closed reads through the pointer: the field itself is only read.
func (t *Tracker) Closed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cur.closed
}

// Table fills its map once, through sync.Once, then guards it with mu.
type Table struct {
	once sync.Once
	mu   sync.Mutex
	rows map[string]int
}

func (t *Table) init() { t.rows = make(map[string]int) }

func (t *Table) Add(k string) {
	t.once.Do(t.init)
	t.mu.Lock()
	t.rows[k]++
	t.mu.Unlock()
}
