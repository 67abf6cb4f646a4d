// Package cache keeps values loaded on demand for a time to live.
package cache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// ErrTimeout is returned when the source does not answer in time.
var ErrTimeout = errors.New("cache: source timed out")

// ErrClosed is returned by a closed cache.
var ErrClosed = errors.New("cache: closed")

const loadTimeout = 10 * time.Second

// Loader fetches the value of a key from the source of truth.
type Loader func(ctx context.Context, key string) ([]byte, error)

type entry struct {
	val     []byte
	expires time.Time
}

type call struct {
	done chan struct{}
	val  []byte
	err  error
}

// Stats counts what the cache did.
type Stats struct {
	Hits, Misses, Evicted int64
	Size                  int
}

// Cache is a TTL cache in front of a Loader. Concurrent misses of one key
// share a single load.
type Cache struct {
	mu      sync.RWMutex
	items   map[string]entry
	maxSize int

	flightMu sync.Mutex
	inflight map[string]*call

	load Loader
	ttl  time.Duration

	hits, misses, evicted atomic.Int64
	closed                atomic.Bool

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// New returns a cache and starts the goroutine that drops expired entries.
func New(load Loader, ttl time.Duration, maxSize int) *Cache {
	c := &Cache{
		items:    make(map[string]entry),
		inflight: make(map[string]*call),
		maxSize:  maxSize,
		load:     load,
		ttl:      ttl,
		stop:     make(chan struct{}),
	}
	c.wg.Add(1)
	go c.janitor(ttl / 2)
	return c
}

func (c *Cache) janitor(every time.Duration) {
	defer c.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case now := <-t.C:
			c.evicted.Add(int64(c.evict(now)))
		}
	}
}

func (c *Cache) evict(now time.Time) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for k, e := range c.items {
		if now.After(e.expires) {
			delete(c.items, k)
			n++
		}
	}
	return n
}

// Get returns the value of key, loading it on a miss. Callers that give up
// through ctx do not cancel a load other callers may still wait for.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	c.mu.RLock()
	e, ok := c.items[key]
	c.mu.RUnlock()
	if ok && time.Now().Before(e.expires) {
		c.hits.Add(1)
		return e.val, nil
	}
	c.misses.Add(1)

	c.flightMu.Lock()
	cl, ok := c.inflight[key]
	if !ok {
		cl = &call{done: make(chan struct{})}
		c.inflight[key] = cl
		go c.fill(key, cl)
	}
	c.flightMu.Unlock()

	select {
	case <-cl.done:
		return cl.val, cl.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *Cache) fill(key string, cl *call) {
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	defer cancel()
	cl.val, cl.err = c.load(ctx, key)
	if cl.err == nil {
		c.Set(key, cl.val)
	}
	c.flightMu.Lock()
	delete(c.inflight, key)
	c.flightMu.Unlock()
	close(cl.done)
}

// GetWithin loads key straight from the source, bypassing the cache, and
// gives up after d.
func (c *Cache) GetWithin(key string, d time.Duration) ([]byte, error) {
	type result struct {
		val []byte
		err error
	}
	ch := make(chan result)
	go func() {
		v, err := c.load(context.Background(), key)
		ch <- result{v, err}
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r.val, r.err
	case <-timer.C:
		return nil, ErrTimeout
	}
}

// Set stores a value, evicting the entry closest to expiry when full.
func (c *Cache) Set(key string, val []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[key]; !ok && c.maxSize > 0 && len(c.items) >= c.maxSize {
		var oldest string
		var at time.Time
		for k, e := range c.items {
			if oldest == "" || e.expires.Before(at) {
				oldest, at = k, e.expires
			}
		}
		delete(c.items, oldest)
		c.evicted.Add(1)
	}
	c.items[key] = entry{val: val, expires: time.Now().Add(c.ttl)}
}

// Refresh reloads keys from the source and replaces them all at once.
func (c *Cache) Refresh(ctx context.Context, keys []string) error {
	fresh := make(map[string][]byte, len(keys))
	for _, k := range keys {
		v, err := c.load(ctx, k)
		if err != nil {
			return fmt.Errorf("refresh %q: %w", k, err)
		}
		fresh[k] = v
	}
	expires := time.Now().Add(c.ttl)
	c.mu.Lock()
	for k, v := range fresh {
		if c.maxSize > 0 && len(c.items) >= c.maxSize {
			if _, ok := c.items[k]; !ok {
				return fmt.Errorf("refresh %q: cache full", k)
			}
		}
		c.items[k] = entry{val: v, expires: expires}
	}
	c.mu.Unlock()
	return nil
}

// Stats reports counters and the current size.
func (c *Cache) Stats() Stats {
	c.mu.RLock()
	n := len(c.items)
	c.mu.RUnlock()
	return Stats{
		Hits:    c.hits.Load(),
		Misses:  c.misses.Load(),
		Evicted: c.evicted.Load(),
		Size:    n,
	}
}

// Close stops the janitor and makes further calls of Get fail. Loads in
// flight finish on their own.
func (c *Cache) Close() {
	c.stopOnce.Do(func() {
		c.closed.Store(true)
		close(c.stop)
	})
	c.wg.Wait()
}
