package a

import (
	"errors"
	"log"
	"sync"
)

var errNotFound = errors.New("not found")

type Cache struct {
	mu    sync.Mutex
	items map[string]int
	hits  int
}

// Get forgets the lock on the early return.
func (c *Cache) Get(k string) (int, error) {
	c.mu.Lock() // want `c.mu.Lock\(\) is not released on the path that returns at line \d+; another path unlocks it at line \d+`
	v, ok := c.items[k]
	if !ok {
		return 0, errNotFound
	}
	c.mu.Unlock()
	return v, nil
}

// GetOK unlocks on both paths.
func (c *Cache) GetOK(k string) (int, error) {
	c.mu.Lock()
	v, ok := c.items[k]
	if !ok {
		c.mu.Unlock()
		return 0, errNotFound
	}
	c.hits++
	c.mu.Unlock()
	return v, nil
}

// GetDefer defers.
func (c *Cache) GetDefer(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.items[k]; ok {
		return v
	}
	return -1
}

// GetDeferClosure defers a closure that unlocks.
func (c *Cache) GetDeferClosure(k string) int {
	c.mu.Lock()
	defer func() {
		c.hits++
		c.mu.Unlock()
	}()
	if v, ok := c.items[k]; ok {
		return v
	}
	return -1
}

// unlock is a helper whose body unlocks.
func (c *Cache) unlock() { c.mu.Unlock() }

func (c *Cache) lock() { c.mu.Lock() }

// SetHelper releases through a helper on every path.
func (c *Cache) SetHelper(k string, v int) error {
	c.mu.Lock()
	if v < 0 {
		c.unlock()
		return errors.New("negative")
	}
	c.items[k] = v
	c.unlock()
	return nil
}

// SetHelperLeak forgets the helper on one path.
func (c *Cache) SetHelperLeak(k string, v int) error {
	c.lock() // want `c.lock\(\) is not released on the path that returns at line \d+`
	if v < 0 {
		return errors.New("negative")
	}
	c.items[k] = v
	c.unlock()
	return nil
}

// Fatal paths do not return.
func (c *Cache) MustGet(k string) int {
	c.mu.Lock()
	v, ok := c.items[k]
	if !ok {
		log.Fatalf("no %s", k)
	}
	if v < 0 {
		panic("negative")
	}
	c.mu.Unlock()
	return v
}

// lockAndReturnUnlock hands the unlock to its caller.
func (c *Cache) lockAndReturnUnlock() func() {
	c.mu.Lock()
	return c.mu.Unlock
}

// LockedView hands a closure that unlocks.
func (c *Cache) LockedView(ok bool) (map[string]int, func()) {
	c.mu.Lock()
	if !ok {
		c.mu.Unlock()
		return nil, nil
	}
	return c.items, func() { c.mu.Unlock() }
}

// acquireOpen returns with the lock held unless the cache is closed: the
// unlock on the error path comes first.
func (c *Cache) openForWrite() error {
	c.mu.Lock()
	if c.items == nil {
		c.mu.Unlock()
		return errors.New("closed")
	}
	return nil
}

// flushLocked is called with c.mu held; it drops it around the slow part.
func (c *Cache) flushLocked() error {
	for k := range c.items {
		c.mu.Unlock()
		err := write(k)
		c.mu.Lock()
		if err != nil {
			return err
		}
	}
	return nil
}

// drain drops the lock around each write; the caller holds it.
func (c *Cache) drain() {
	for len(c.items) > 0 {
		c.mu.Unlock()
		write("x")
		c.mu.Lock()
		if c.hits > 3 {
			return
		}
		clear(c.items)
	}
}

func write(string) error { return nil }

type conn struct {
	mu  sync.Mutex
	bad bool
	n   int
}

// Sweep skips a bad connection and forgets to unlock it.
func Sweep(conns []*conn) {
	for _, cn := range conns {
		cn.mu.Lock() // want `cn.mu.Lock\(\) is still held at the continue on line \d+, and the loop moves on without unlocking it; the other path unlocks it at line \d+`
		if cn.bad {
			continue
		}
		cn.n++
		cn.mu.Unlock()
	}
}

// SweepOK unlocks before continue.
func SweepOK(conns []*conn) {
	for _, cn := range conns {
		cn.mu.Lock()
		if cn.bad {
			cn.mu.Unlock()
			continue
		}
		cn.n++
		cn.mu.Unlock()
	}
}

var poll sync.Mutex

// Wait breaks out of the loop and returns without unlocking.
func Wait(ready func() bool) {
	for {
		poll.Lock() // want `poll.Lock\(\) is still held at the break on line \d+, and the function returns at line \d+ without unlocking it`
		if ready() {
			break
		}
		poll.Unlock()
		write("sleep")
	}
}

// WaitOK leaves the loop on purpose and unlocks after it.
func WaitOK(ready func() bool) int {
	for {
		poll.Lock()
		if ready() {
			break
		}
		poll.Unlock()
	}
	n := 1
	poll.Unlock()
	return n
}

// Select returns early from one case.
func (c *Cache) Select(ch chan int, done chan struct{}) int {
	c.mu.Lock() // want `c.mu.Lock\(\) is not released on the path that returns at line \d+`
	select {
	case v := <-ch:
		c.hits += v
	case <-done:
		return -1
	}
	c.mu.Unlock()
	return 0
}

// Switch unlocks in every case.
func (c *Cache) Switch(k string) int {
	c.mu.Lock()
	switch k {
	case "a":
		c.mu.Unlock()
		return 1
	case "b":
		c.hits++
	}
	c.mu.Unlock()
	return 0
}

// Cond locks only sometimes, and unlocks under the same condition.
func (c *Cache) CondLock(shared bool) {
	if shared {
		c.mu.Lock()
	}
	c.hits++
	if shared {
		c.mu.Unlock()
	}
}

// InClosure checks a literal on its own.
func (c *Cache) InClosure() func(string) int {
	return func(k string) int {
		c.mu.Lock() // want `c.mu.Lock\(\) is not released on the path that returns at line \d+`
		if k == "" {
			return 0
		}
		c.mu.Unlock()
		return 1
	}
}

// RW read-locks and forgets on one path.
type Table struct {
	mu   sync.RWMutex
	rows []string
}

func (t *Table) Row(i int) (string, bool) {
	t.mu.RLock() // want `t.mu.RLock\(\) is not released on the path that returns at line \d+`
	if i >= len(t.rows) {
		return "", false
	}
	r := t.rows[i]
	t.mu.RUnlock()
	return r, true
}

// Early return after the unlock is fine.
func (t *Table) Len() int {
	t.mu.RLock()
	n := len(t.rows)
	t.mu.RUnlock()
	if n == 0 {
		return 0
	}
	return n
}

// Embedded mutex.
type Counter struct {
	sync.Mutex
	n int
}

func (c *Counter) Add(d int) error {
	c.Lock() // want `c.Lock\(\) is not released on the path that returns at line \d+`
	if d < 0 {
		return errors.New("negative")
	}
	c.n += d
	c.Unlock()
	return nil
}

func (c *Counter) AddOK(d int) error {
	c.Lock()
	if d < 0 {
		c.Mutex.Unlock()
		return errors.New("negative")
	}
	c.n += d
	c.Unlock()
	return nil
}
