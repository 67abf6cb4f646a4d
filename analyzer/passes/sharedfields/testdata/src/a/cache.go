package a

import (
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Cache maps keys to values with a size limit.
type Cache struct {
	mu      sync.Mutex
	items   map[string]string
	order   []string
	limit   int // set by NewCache, then only read
	hits    atomic.Int64
	log     strings.Builder
	statsMu sync.Mutex
	misses  int // guarded by statsMu
}

func NewCache(limit int) *Cache {
	c := &Cache{items: make(map[string]string), limit: limit}
	c.order = nil // constructor: not shared yet
	return c
}

func (c *Cache) Get(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.items[key]
	if !ok {
		c.statsMu.Lock()
		c.misses++
		c.statsMu.Unlock()
	}
	c.hits.Add(1)
	return v, ok
}

func (c *Cache) Set(key, value string) {
	c.mu.Lock()
	if len(c.items) >= c.limit {
		c.evict()
	}
	c.items[key] = value
	c.order = append(c.order, key)
	c.mu.Unlock()
}

// evict is only called with c.mu held, so its accesses are guarded.
func (c *Cache) evict() {
	oldest := c.order[0]
	c.order = c.order[1:]
	delete(c.items, oldest)
}

// Len forgets the lock.
func (c *Cache) Len() int {
	return len(c.items) // want "field c.items is accessed under c.mu in \\(\\*Cache\\).Get \\(line 32\\) but not here"
}

// Keys sorts under the lock, through a callback that runs in place.
func (c *Cache) Keys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := append([]string(nil), c.order...)
	sort.Slice(keys, func(i, j int) bool { return c.items[keys[i]] < c.items[keys[j]] })
	return keys
}

// Misses reads a field guarded by a different mutex, holding that one.
func (c *Cache) Misses() int {
	c.statsMu.Lock()
	defer c.statsMu.Unlock()
	return c.misses
}

// Limit reads a field that is never written after construction.
func (c *Cache) Limit() int { return c.limit }

// Clear releases the lock early, then touches the map again.
func (c *Cache) Clear() {
	c.mu.Lock()
	if len(c.items) == 0 {
		c.mu.Unlock()
		return
	}
	c.items = make(map[string]string)
	c.mu.Unlock()
	c.order = c.order[:0] // want "field c.order is accessed under c.mu in \\(\\*Cache\\).Set \\(line 48\\) but not here"
}

// resetLocked runs with c.mu held by its caller.
func (c *Cache) resetLocked() {
	c.items = map[string]string{}
	c.order = nil
}

// drop removes a key. The caller must hold c.mu.
func (c *Cache) drop(key string) {
	delete(c.items, key)
}

// StartJanitor empties the cache periodically from a goroutine that forgets the lock.
func (c *Cache) StartJanitor(every time.Duration, stop <-chan struct{}) {
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				c.items = make(map[string]string)  // want "field c.items is accessed under c.mu in \\(\\*Cache\\).Get \\(line 32\\) but not here"
				c.log.WriteString("janitor ran\n") // want "field c.log is written in a goroutine in \\(\\*Cache\\).StartJanitor without a lock"
			case <-stop:
				return
			}
		}
	}()
}

// StartJanitorLocked is the fixed janitor.
func (c *Cache) StartJanitorLocked(every time.Duration, stop <-chan struct{}) {
	go func() {
		for {
			select {
			case <-time.After(every):
				c.mu.Lock()
				c.resetLocked()
				c.mu.Unlock()
			case <-stop:
				return
			}
		}
	}()
}

// Warm fills the cache from a goroutine started by a plain function.
func Warm(c *Cache, keys []string) {
	go func() {
		for _, k := range keys {
			c.order = append(c.order, k) // want "field c.order is accessed under c.mu in \\(\\*Cache\\).Set \\(line 48\\) but not here"
		}
	}()
	c.drop("x") // not a method of Cache, and not in a goroutine: ignored
}
