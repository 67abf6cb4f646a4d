package a

import "sync"

// Server records its state from the goroutines it starts; no field is guarded.
// Start's goroutine ends with wg.Done, which Wait orders before its reads.
type Server struct {
	addr    string
	running bool
	err     error
	wg      sync.WaitGroup
}

func (s *Server) Start(listen func(string) error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.running = true
		if err := listen(s.addr); err != nil {
			s.err = err
		}
	}()
}

// Watch records a failure from a goroutine that nothing waits for.
func (s *Server) Watch(check func() error) {
	go func() {
		for s.running {
			if err := check(); err != nil {
				s.err = err // want "field s.err is written in a goroutine in \\(\\*Server\\).Watch without a lock"
				return
			}
		}
	}()
}

func (s *Server) Wait() error {
	s.wg.Wait()
	return s.err // want "s.err is accessed here without a lock, and written in a goroutine in \\(\\*Server\\).Watch \\(line 30\\)"
}

// Registry embeds its mutex and is generic.
type Registry[K comparable, V any] struct {
	sync.RWMutex
	m map[K]V
}

func (r *Registry[K, V]) Put(k K, v V) {
	r.Lock()
	defer r.Unlock()
	r.m[k] = v
}

func (r *Registry[K, V]) Lookup(k K) (V, bool) {
	r.RLock()
	v, ok := r.m[k]
	r.RUnlock()
	return v, ok
}

func (r *Registry[K, V]) Size() int {
	return len(r.m) // want "field r.m is accessed under r in \\(\\*Registry\\).Put \\(line 51\\) but not here"
}

// Value receivers and method expressions must not confuse the pass.
type Point struct{ X, Y int }

func (p Point) Add(q Point) Point { return Point{p.X + q.X, p.Y + q.Y} }

var addPoint = Point.Add

func asmStub(p *Point)
