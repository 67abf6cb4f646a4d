package a

import (
	"context"
	"errors"
	"sync"
	"time"
)

type Request struct{ Key string }

type Response struct {
	Body string
	Err  error
}

// Server fans requests out to a backend.
type Server struct {
	quit     chan struct{}
	stopOnce sync.Once
	events   chan string
	backend  func(Request) Response
}

func NewServer(backend func(Request) Response) *Server {
	return &Server{
		quit:    make(chan struct{}),   // want "unbuffered channel made"
		events:  make(chan string, 16), // want "buffered channel made"
		backend: backend,
	}
}

// Handle leaks its goroutine when ctx is done first: results is unbuffered.
func (s *Server) Handle(ctx context.Context, req Request) (Response, error) {
	results := make(chan Response) // want "unbuffered channel made"
	go func() {
		results <- s.backend(req) // want "send on results" "goroutine sends on unbuffered channel results; the receiver can leave via <-ctx.Done\\(\\) \\(line 42\\), and the goroutine then blocks forever"
	}()
	select { // want "select waits on <-ctx.Done\\(\\)"
	case resp := <-results: // want "receive from results"
		return resp, nil
	case <-ctx.Done(): // want "receive from ctx.Done\\(\\)"
		return Response{}, ctx.Err()
	}
}

// HandleBuffered is the fix: the buffer of one lets the goroutine finish.
func (s *Server) HandleBuffered(ctx context.Context, req Request) (Response, error) {
	results := make(chan Response, 1) // want "buffered channel made"
	go func() {
		results <- s.backend(req) // want "send on results"
	}()
	select { // want "select waits on <-ctx.Done\\(\\)"
	case resp := <-results: // want "receive from results"
		return resp, nil
	case <-ctx.Done(): // want "receive from ctx.Done\\(\\)"
		return Response{}, ctx.Err()
	}
}

// HandleSenderSelects is also fine: the sender can leave on ctx.Done too.
func (s *Server) HandleSenderSelects(ctx context.Context, req Request) (Response, error) {
	results := make(chan Response) // want "unbuffered channel made"
	go func() {
		select { // want "select waits on <-ctx.Done\\(\\)"
		case results <- s.backend(req): // want "send on results"
		case <-ctx.Done(): // want "receive from ctx.Done\\(\\)"
		}
	}()
	select { // want "select waits on <-ctx.Done\\(\\)"
	case resp := <-results: // want "receive from results"
		return resp, nil
	case <-ctx.Done(): // want "receive from ctx.Done\\(\\)"
		return Response{}, ctx.Err()
	}
}

// Fetch returns on a validation error before it receives.
func Fetch(get func() string, valid bool) (string, error) {
	out := make(chan string) // want "unbuffered channel made"
	go func() {
		out <- get() // want "send on out" "the receiver can return at line 85 before receiving"
	}()
	if !valid {
		return "", errors.New("invalid")
	}
	return <-out, nil // want "receive from out"
}

// FetchTimeout waits with a timeout: the goroutine leaks when it fires.
func FetchTimeout(get func() string) string {
	out := make(chan string) // want "unbuffered channel made"
	go func() {
		out <- get() // want "send on out" "the receiver can leave via <-time.After"
	}()
	select {
	case v := <-out: // want "receive from out"
		return v
	case <-time.After(time.Second): // want "receive from time.After"
		return ""
	}
}

// Stop closes a field channel through sync.Once: not foreign-risky.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		close(s.quit) // want "close of s.quit$"
	})
}

// Shutdown closes a channel it did not make, with no Once.
func (s *Server) Shutdown() {
	close(s.events) // want "close of s.events$" "close of s.events, a channel this function did not make"
}

// Loop serves events until quit is closed.
func (s *Server) Loop(handle func(string)) {
	for {
		select {
		case ev := <-s.events: // want "receive from s.events"
			handle(ev)
		case <-s.quit: // want "receive from s.quit"
			return
		}
	}
}

// Forward blocks forever once in stops sending: nothing can end the loop.
func (s *Server) Forward(in <-chan string) {
	go func() {
		for {
			select { // want "select in a goroutine's loop has no default and no ctx.Done, done-channel, timeout or comma-ok case; the goroutine cannot be stopped"
			case ev := <-in: // want "receive from in"
				s.events <- ev // want "send on s.events"
			}
		}
	}()
}

// Merge has a comma-ok receive, so it sees in close.
func (s *Server) Merge(in <-chan string) {
	go func() {
		for {
			select {
			case ev, ok := <-in: // want "receive from in"
				if !ok {
					return
				}
				s.events <- ev // want "send on s.events"
			}
		}
	}()
}

// Publish drops an event rather than block.
func (s *Server) Publish(ev string) bool {
	select {
	case s.events <- ev: // want "send on s.events" "non-blocking send on s.events \\(select with default\\)"
		return true
	default:
		return false
	}
}

// Pair waits on two channels in a loop, with no way out but their values.
func Pair(a, b <-chan int) int {
	sum := 0
	for i := 0; i < 2; i++ {
		select { // want "select in a loop has no default"
		case x := <-a: // want "receive from a"
			sum += x
		case y := <-b: // want "receive from b"
			sum += y
		}
	}
	return sum
}
