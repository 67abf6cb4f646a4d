// Package server is a small fixture for the analyzer's tests.
package server

import (
	"sync"

	"example.com/mod/list"
)

// Limit caps the queue.
const Limit = 10

// Server queues work.
type Server struct {
	mu    sync.Mutex
	queue *list.List[string]
	seen  map[string]bool
}

// Handle queues a job once.
func (s *Server) Handle(job string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen[job] {
		return false
	}
	s.seen[job] = true
	return s.add(job)
}

func (s *Server) add(job string) bool {
	if s.queue.Len() >= Limit {
		return false
	}
	s.queue.Push(job)
	return true
}

// Drain empties the queue.
func (s Server) Drain() int {
	return s.queue.Len()
}

// OnEvent is called for each event.
var OnEvent = func(s *Server, name string) {
	s.Handle(name)
}
