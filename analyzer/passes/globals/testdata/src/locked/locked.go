package locked

import "sync"

var (
	mu    sync.Mutex
	cache = map[string][]byte{}
)

// Get and Put guard the package map with mu: global-map-unlocked and global-write-concurrent stay
// quiet, though the write still counts as package state written outside initialisation.
type Store struct{}

func (Store) Get(k string) []byte {
	mu.Lock()
	defer mu.Unlock()
	return cache[k]
}

func (Store) Put(k string, v []byte) {
	mu.Lock()
	defer mu.Unlock()
	cache[k] = v // want `package variable cache written outside initialisation`
}

// PutAll writes through a closure called with the lock held: still not concurrent.
func (Store) PutAll(kv map[string][]byte) {
	mu.Lock()
	defer mu.Unlock()
	put := func(k string, v []byte) { cache[k] = v } // want `package variable cache written outside initialisation`
	for k, v := range kv {
		put(k, v)
	}
}
