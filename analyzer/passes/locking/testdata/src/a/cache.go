package a

import (
	"errors"
	"sync"
)

// Cache is a small LRU-less cache.
type Cache struct {
	mu      sync.RWMutex
	items   map[string]string
	onEvict func(key, value string)
	events  chan string
}

// Get is idiomatic: read lock with deferred unlock.
func (c *Cache) Get(key string) (string, bool) {
	c.mu.RLock() // want "c.mu.RLock\\(\\) released by deferred RUnlock"
	defer c.mu.RUnlock()
	v, ok := c.items[key]
	return v, ok
}

// Set forgets the unlock on its error path.
func (c *Cache) Set(key, value string) error {
	c.mu.Lock() // want "c.mu.Lock\\(\\) not released by defer; function returns at line 28 while it may be held"
	if key == "" {
		return errors.New("empty key")
	}
	c.items[key] = value
	c.mu.Unlock()
	return nil
}

// SetChecked unlocks on every path by hand.
func (c *Cache) SetChecked(key, value string) error {
	c.mu.Lock() // want "c.mu.Lock\\(\\) released by Unlock at line 43 without defer"
	if key == "" {
		c.mu.Unlock()
		return errors.New("empty key")
	}
	c.items[key] = value
	c.mu.Unlock()
	return nil
}

// Len locks straight-line; the return comes after the unlock.
func (c *Cache) Len() int {
	c.mu.RLock() // want "c.mu.RLock\\(\\) released by RUnlock at line 51 without defer"
	n := len(c.items)
	c.mu.RUnlock()
	return n
}

// GetOrCreate upgrades its read lock: deadlock.
func (c *Cache) GetOrCreate(key string) string {
	c.mu.RLock() // want "c.mu.RLock\\(\\) released by deferred RUnlock"
	defer c.mu.RUnlock()
	if v, ok := c.items[key]; ok {
		return v
	}
	c.mu.Lock() // want "c.mu.Lock\\(\\) while c.mu.RLock\\(\\) from line 57 may still be held" "c.mu.Lock\\(\\) released by Unlock at line 64 without defer"
	c.items[key] = key
	c.mu.Unlock()
	return key
}

// GetOrCreateChecked is the double-checked pattern: RUnlock before Lock.
func (c *Cache) GetOrCreateChecked(key string) string {
	c.mu.RLock() // want "c.mu.RLock\\(\\) released by RUnlock at line 72 without defer"
	v, ok := c.items[key]
	c.mu.RUnlock()
	if ok {
		return v
	}
	c.mu.Lock() // want "c.mu.Lock\\(\\) released by deferred Unlock"
	defer c.mu.Unlock()
	if v, ok := c.items[key]; ok {
		return v
	}
	c.items[key] = key
	return key
}

// Delete calls the eviction callback under the lock, and notifies on a channel.
func (c *Cache) Delete(key string) {
	c.mu.Lock() // want "c.mu.Lock\\(\\) released by deferred Unlock"
	defer c.mu.Unlock()
	v := c.items[key]
	delete(c.items, key)
	c.onEvict(key, v) // want "call of function value c.onEvict while c.mu is held \\(locked at line 87\\)"
	c.events <- key   // want "send on c.events while c.mu is held"
}

// DeleteOutside releases the lock before the callback and the send.
func (c *Cache) DeleteOutside(key string) {
	c.mu.Lock() // want "c.mu.Lock\\(\\) released by Unlock at line 100 without defer"
	v := c.items[key]
	delete(c.items, key)
	c.mu.Unlock()
	c.onEvict(key, v)
	select {
	case c.events <- key:
	default:
	}
}

// Purge skips with continue while still holding the lock.
func (c *Cache) Purge(keys []string, locks []*sync.Mutex) {
	for i, k := range keys {
		locks[i].Lock() // want "locks\\[i\\].Lock\\(\\) not released by defer; continue at line 113 while it may be held"
		if k == "" {
			continue
		}
		locks[i].Unlock()
	}
}

// PurgeAll continues an inner loop inside the locked region: fine.
func (c *Cache) PurgeAll(keys []string) {
	c.mu.Lock() // want "c.mu.Lock\\(\\) released by Unlock at line 128 without defer"
	for _, k := range keys {
		if k == "" {
			continue
		}
		delete(c.items, k)
	}
	c.mu.Unlock()
}

// lock leaves the mutex held for the caller.
func (c *Cache) lock() {
	c.mu.Lock() // want "c.mu.Lock\\(\\) is not released in this function"
}

// Embedded mutexes and method expressions are recognised.
type Counter struct {
	sync.Mutex
	n int
}

func (c *Counter) Inc() {
	c.Lock() // want "c.Lock\\(\\) released by deferred Unlock"
	defer func() { c.Unlock() }()
	c.n++
}

func (c *Counter) IncExpr() {
	(*sync.Mutex).Lock(&c.Mutex) // want "c.Mutex.Lock\\(\\) not released by defer; function panics at line 151"
	if c.n < 0 {
		panic("negative")
	}
	c.n++
	(*sync.Mutex).Unlock(&c.Mutex)
}

// Value returns a copy of the counter, mutex included.
func (c Counter) Value() int { // want "receiver c is passed by value, copying its sync.Mutex"
	return c.n
}

func Snapshot(cs []Counter) int {
	total := 0
	for _, c := range cs { // want "range copies each element into c, copying its sync.Mutex"
		total += c.n
	}
	first := cs[0] // want "assignment copies cs\\[0\\] and its sync.Mutex"
	_ = first
	p := &cs[0]
	_ = p
	return total
}

// Generic code must not confuse the pass.
type Guarded[T any] struct {
	mu sync.Mutex
	v  T
}

func (g *Guarded[T]) Swap(v T) T {
	g.mu.Lock() // want "g.mu.Lock\\(\\) released by deferred Unlock"
	defer g.mu.Unlock()
	old := g.v
	g.v = v
	return old
}

func lockStub(mu *sync.Mutex)

// Tally locks through an explicit address; the key is still total's mutex.
func Tally(xs []int) int {
	var total struct {
		mu sync.Mutex
		n  int
	}
	for _, x := range xs {
		(&total.mu).Lock() // want "total.mu.Lock\\(\\) released by Unlock at line 199 without defer"
		total.n += x
		(&total.mu).Unlock()
	}
	return total.n
}
