package a

import "sync"

type Registry struct {
	mu    sync.Mutex
	names map[string]int
}

// Len takes the lock itself.
func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.names)
}

// Add calls Len while holding the lock.
func (r *Registry) Add(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Len() > 100 { // want `call of r.Len\(\), which locks r.mu, while r.mu is already held \(locked at line \d+\); sync.Mutex is not reentrant`
		return
	}
	r.names[name] = 1
}

// lenLocked is the variant for callers that hold the lock.
func (r *Registry) lenLocked() int { return len(r.names) }

// AddOK calls the Locked variant.
func (r *Registry) AddOK(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lenLocked() > 100 {
		return
	}
	r.names[name] = 1
}

// AddAfterUnlock calls Len after releasing.
func (r *Registry) AddAfterUnlock(name string) int {
	r.mu.Lock()
	r.names[name] = 1
	r.mu.Unlock()
	return r.Len()
}

// Twice locks twice on one path.
func (r *Registry) Twice(name string) {
	r.mu.Lock()
	if name == "" {
		r.mu.Unlock()
		return
	}
	r.mu.Lock() // want `r.mu.Lock\(\) while r.mu is already held \(locked at line \d+\); sync.Mutex is not reentrant, so this deadlocks`
	r.names[name] = 2
	r.mu.Unlock()
}

// Relock releases in between, in a loop.
func (r *Registry) Relock(names []string) {
	r.mu.Lock()
	for _, n := range names {
		r.names[n] = 0
		r.mu.Unlock()
		work()
		r.mu.Lock()
	}
	r.mu.Unlock()
}

// Correlated locks and unlocks the lock under one condition: no single
// path holds it twice on every path.
func (r *Registry) Correlated(slow bool) {
	r.mu.Lock()
	if slow {
		r.mu.Unlock()
	}
	work()
	if slow {
		r.mu.Lock()
	}
	r.mu.Unlock()
}

// Pair locks two different registries: not the same mutex.
func Pair(a, b *Registry) {
	a.mu.Lock()
	b.mu.Lock()
	b.mu.Unlock()
	a.mu.Unlock()
}

// Chain locks hand over hand: n is reassigned, so n.mu is another lock.
type node struct {
	mu   sync.Mutex
	next *node
	val  int
}

func Chain(n *node) int {
	n.mu.Lock()
	for n.next != nil {
		next := n.next
		next.mu.Lock()
		n.mu.Unlock()
		n = next
	}
	v := n.val
	n.mu.Unlock()
	return v
}

// Shards locks two elements of one slice.
func Shards(s []Registry, i, j int) {
	s[i].mu.Lock()
	s[j].mu.Lock()
	s[j].mu.Unlock()
	s[i].mu.Unlock()
}

func work() {}

// Store has a read lock taken again.
type Store struct {
	mu   sync.RWMutex
	data map[string]string
}

func (s *Store) Get(k string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.data[k]
}

func (s *Store) GetBoth(a, b string) (string, string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.data[a], s.Get(b) // want `call of s.Get\(\), which locks s.mu, while s.mu is already held for reading \(locked at line \d+\); if a writer calls Lock in between`
}

func (s *Store) Upgrade(k, v string) {
	s.mu.RLock()
	if _, ok := s.data[k]; !ok {
		s.mu.Lock() // want `s.mu.Lock\(\) while s.mu is already held for reading \(locked at line \d+\); a read lock cannot be upgraded`
		s.data[k] = v
		s.mu.Unlock()
	}
	s.mu.RUnlock()
}

func (s *Store) UpgradeOK(k, v string) {
	s.mu.RLock()
	_, ok := s.data[k]
	s.mu.RUnlock()
	if !ok {
		s.mu.Lock()
		s.data[k] = v
		s.mu.Unlock()
	}
}

func (s *Store) Nested(k string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.mu.RLock() // want `s.mu.RLock\(\) while s.mu is already held for reading`
	v := s.data[k]
	s.mu.RUnlock()
	return v
}

// InPlace runs a literal that locks, while holding the lock.
func (s *Store) InPlace(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	func() {
		s.mu.Lock() // want `s.mu.Lock\(\) while s.mu is already held`
		defer s.mu.Unlock()
		delete(s.data, k)
	}()
}

// Later hands a literal that locks to a goroutine: not this goroutine's lock.
func (s *Store) Later(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	go func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.data, k)
	}()
}
