package a

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// ---- map-write-concurrent: buggy ----

// Sizes guards only the error with mu; the map is written by every goroutine with no lock held.
func Sizes(ctx context.Context, names []string, stat func(context.Context, string) (int64, error)) (map[string]int64, error) {
	out := make(map[string]int64, len(names))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for _, n := range names {
		wg.Add(1)
		go func(name string) { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			size, err := stat(ctx, name)
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				return
			}
			out[name] = size // want `goroutine started in the loop at line [0-9]+ writes map out without holding a lock; concurrent map writes crash the program`
		}(n)
	}
	wg.Wait()
	return out, firstErr
}

type Crawler struct {
	mu    sync.Mutex
	seen  map[string]bool
	links map[string][]string
}

// Crawl has a mutex but the workers write both maps outside it.
func (c *Crawler) Crawl(urls <-chan string, workers int, fetch func(string) []string) {
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			for u := range urls {
				c.mu.Lock()
				done := c.seen[u]
				c.mu.Unlock()
				if done {
					continue
				}
				c.seen[u] = true                                       // want `writes map c.seen without holding a lock`
				c.links[u] = append(c.links[u], fetch(u)...)           // want `writes map c.links without holding a lock`
				c.links[u] = append(c.links[u][:0], c.links[u][1:]...) // one report per map and goroutine
			}
		}()
	}
	wg.Wait()
}

// Evict deletes from a shared cache in every goroutine.
func Evict(cache map[string][]byte, keys []string, expired func(string) bool) {
	var g errgroup.Group
	for _, k := range keys {
		g.Go(func() error { // want "g.Go starts" "loop at line [0-9]+ starts"
			if expired(k) {
				delete(cache, k) // want `goroutine started in the loop at line [0-9]+ writes map cache without holding a lock`
			}
			return nil
		})
	}
	g.Wait()
}

// WordCount reads its lock for reading only; readers may not write.
func WordCount(docs [][]string) map[string]int {
	counts := map[string]int{}
	var (
		wg sync.WaitGroup
		mu sync.RWMutex
	)
	for _, d := range docs {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			for _, w := range d {
				mu.RLock()
				counts[w]++ // want `writes map counts without holding a lock`
				mu.RUnlock()
			}
		}()
	}
	wg.Wait()
	return counts
}

// LoadBoth starts two goroutines that fill one map.
func LoadBoth(loadUsers, loadGroups func() []string) map[string]string {
	kinds := make(map[string]string)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // want "go statement starts"
		defer wg.Done()
		for _, u := range loadUsers() {
			kinds[u] = "user" // want `2 goroutines \(started at lines [0-9]+, [0-9]+\) write map kinds without holding a lock`
		}
	}()
	go func() { // want "go statement starts"
		defer wg.Done()
		for _, g := range loadGroups() {
			kinds[g] = "group" // want `2 goroutines \(started at lines [0-9]+, [0-9]+\) write map kinds without holding a lock`
		}
	}()
	wg.Wait()
	return kinds
}

// Prefetch hands back a map that a lone goroutine is still filling.
func Prefetch(keys []string, get func(string) string) map[string]string {
	m := make(map[string]string)
	go func() { // want "go statement starts"
		for _, k := range keys {
			m[k] = get(k) // want `goroutine writes map m without holding a lock, and no WaitGroup.Done, send or close orders the write`
		}
	}()
	time.Sleep(10 * time.Millisecond)
	return m
}

// Tally reads under the lock, then writes after releasing it.
func Tally(events []string) map[string]int {
	n := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, e := range events {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			mu.Lock()
			c := n[e]
			mu.Unlock()
			n[e] = c + 1 // want `writes map n without holding a lock`
		}()
	}
	wg.Wait()
	return n
}

// ---- map-write-concurrent: correct ----

// SizesLocked holds mu at the write.
func SizesLocked(names []string, stat func(string) int64) map[string]int64 {
	out := make(map[string]int64, len(names))
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	for _, n := range names {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			size := stat(n)
			mu.Lock()
			out[n] = size
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// index is a cache with an embedded mutex, locked with a deferred unlock, or unlocked early on one path.
type index struct {
	sync.Mutex
	byName map[string]int
}

func (x *index) Build(names []string, pos func(string) (int, bool)) {
	var wg sync.WaitGroup
	for _, name := range names {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			x.Lock()
			defer x.Unlock()
			if p, ok := pos(name); ok {
				x.byName[name] = p
			}
		}()
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			(&x.Mutex).Lock()
			if _, dup := x.byName[name]; dup {
				x.Unlock()
				return
			}
			delete(x.byName, "")
			x.byName[name] = -1
			x.Mutex.Unlock()
		}()
	}
	wg.Wait()
}

// semaphore is a lock of this package; any Lock/Unlock pair guards.
type semaphore chan struct{}

func (s semaphore) Lock()   { s <- struct{}{} }
func (s semaphore) Unlock() { <-s }

func Resolve(hosts []string, lookup func(string) string) map[string]string {
	addrs := map[string]string{}
	sem := make(semaphore, 1)
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			a := lookup(h)
			for try := 0; try < 3 && a == ""; try++ {
				a = lookup(h)
			}
			sem.Lock()
			addrs[h] = a
			sem.Unlock()
		}()
	}
	wg.Wait()
	return addrs
}

// Collect sends results to the caller, which alone writes the map.
func Collect(ctx context.Context, keys []string, get func(context.Context, string) int) map[string]int {
	type kv struct {
		k string
		v int
	}
	ch := make(chan kv)
	for _, k := range keys {
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			local := map[string]int{k: get(ctx, k)} // a map of its own
			local[k+"!"] = 1
			for lk, lv := range local {
				ch <- kv{lk, lv}
			}
		}()
	}
	out := make(map[string]int)
	for range keys {
		r := <-ch
		out[r.k] = r.v
	}
	return out
}

// PerBatch gives every goroutine a map of its own, made in the loop body.
func PerBatch(batches [][]string, done chan<- map[string]bool) {
	for _, b := range batches {
		set := make(map[string]bool, len(b))
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			for _, s := range b {
				set[s] = true
			}
			done <- set
		}()
	}
}

// Background fills a map in one goroutine and waits for it.
func Background(keys []string, get func(string) int) map[string]int {
	m := map[string]int{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // want "go statement starts"
		defer wg.Done()
		for _, k := range keys {
			m[k] = get(k)
		}
	}()
	wg.Wait()
	return m
}

// Registry uses sync.Map, which is safe for concurrent use.
func Registry(names []string) *sync.Map {
	var m sync.Map
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			m.Store(n, i)
		}()
	}
	wg.Wait()
	return &m
}

// Drain takes the lock with TryLock or Lock inside its own loop.
func Drain(in <-chan string, workers int) map[string]int {
	seen := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			for s := range in {
				if mu.TryLock() {
					seen[s]++
					mu.Unlock()
					continue
				}
				mu.Lock()
				seen[s] += 2
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return seen
}

// ---- shared-write on slice elements and sync.Once ----

// Histogram counts into buckets shared by all goroutines.
func Histogram(samples [][]float64) []int {
	buckets := make([]int, 10)
	var wg sync.WaitGroup
	for _, s := range samples {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			for _, v := range s {
				buckets[int(v*10)%10]++ // want `writes buckets\[int\(v \* 10\) % 10\] of captured buckets without a lock`
			}
		}()
	}
	wg.Wait()
	return buckets
}

// Latest writes a slot chosen by a counter every goroutine shares.
func Latest(items []string, render func(string) string) []string {
	out := make([]string, len(items))
	next := 0
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			out[next] = render(it) // want `writes out\[next\] of captured out without a lock; the index is not the goroutine.s own`
		}()
		next++
	}
	wg.Wait()
	return out
}

// Chunks: each goroutine writes its own index range, by parameter or by a range inside it.
func Chunks(in []int, size int, f func(int) int) []int {
	out := make([]int, len(in))
	var wg sync.WaitGroup
	for lo := 0; lo < len(in); lo += size {
		hi := min(lo+size, len(in))
		wg.Add(1)
		go func(start int) { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			for j := start; j < hi; j++ {
				out[j] = f(in[j])
			}
			out[start] = f(in[start])
		}(lo)
	}
	wg.Wait()
	return out
}

type slot struct{ val, tries int }

// Retry writes a field of its own element.
func Retry(slots []slot, do func(int) int) {
	var wg sync.WaitGroup
	for i := range slots {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			slots[i].val = do(i)
			slots[i].tries++
		}()
	}
	wg.Wait()
}

// FirstError records the first error through a sync.Once: the write is serialized.
func FirstError(ctx context.Context, tasks []func(context.Context) error) error {
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, t := range tasks {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			if err := t(ctx); err != nil {
				errOnce.Do(func() {
					firstErr = err
					cancel()
				})
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// LastError writes the shared error without the once: a race.
func LastError(tasks []func() error) error {
	var wg sync.WaitGroup
	var last error
	var once sync.Once
	for _, t := range tasks {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			err := t()
			once.Do(func() {})
			if err != nil {
				last = err // want `goroutine started in a loop writes captured variable last without a lock`
			}
		}()
	}
	wg.Wait()
	return last
}

// Totals holds the lock for the sum but not for the count.
func Totals(parts [][]int) (sum, count int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, p := range parts {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			s := 0
			for _, v := range p {
				s += v
			}
			mu.Lock()
			sum += s
			mu.Unlock()
			count += len(p) // want `goroutine started in a loop writes captured variable count without a lock`
		}()
	}
	wg.Wait()
	return sum, count
}

// Generic maps are maps too.
func Index[K comparable, V any](items []V, key func(V) K) map[K]V {
	m := make(map[K]V)
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			m[key(it)] = it // want `writes map m without holding a lock`
		}()
	}
	wg.Wait()
	return m
}

type shard struct {
	m map[string]int
}

// Rebuild gives each goroutine its own shard and its own row: their maps and cells are its own.
func Rebuild(shards []shard, grid [][]int, keys [][]string) {
	var wg sync.WaitGroup
	for i := range shards {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts"
			defer wg.Done()
			for _, k := range keys[i] {
				shards[i].m[k]++
			}
			delete(shards[i].m, "")
			grid[i][0] = len(keys[i])
		}()
	}
	wg.Wait()
}

// Nested goroutines are starts of their own; the inner one writes the map, once.
func Nested(keys []string, get func(string) int) map[string]int {
	m := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // want "go statement starts"
		defer wg.Done()
		for _, k := range keys {
			wg.Add(1)
			go func() { // want "go statement starts" "loop at line [0-9]+ starts"
				defer wg.Done()
				v := get(k)
				func() {
					mu.Lock()
					defer mu.Unlock()
					m[k] = v
				}()
			}()
		}
	}()
	wg.Wait()
	return m
}
