package a

import (
	"context"
	"log"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

type Job struct{ ID int }

type Result struct {
	ID  int
	Err error
}

// Pool runs jobs on a fixed number of workers.
type Pool struct {
	workers int
	jobs    chan Job
	results chan Result
	mu      sync.Mutex
	done    int
}

func (p *Pool) Run(ctx context.Context, jobs []Job) []Result {
	var wg sync.WaitGroup
	for i := 0; i < p.workers; i++ {
		wg.Add(1)
		go p.worker(ctx, &wg) // want "go statement starts p.worker$" "loop at line 30 starts a goroutine running p.worker each iteration"
	}
	go func() { // want "go statement starts"
		for _, j := range jobs {
			p.jobs <- j
		}
		close(p.jobs)
	}()
	go func() { // want "go statement starts"
		wg.Wait()
		close(p.results)
	}()
	var out []Result
	for r := range p.results {
		out = append(out, r)
	}
	return out
}

// worker stops when jobs is closed or ctx is done: no no-exit signal.
func (p *Pool) worker(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case j, ok := <-p.jobs:
			if !ok {
				return
			}
			p.results <- Result{ID: j.ID}
		}
	}
}

// Count races: every goroutine of the loop increments n.
func Count(jobs []Job) int {
	var wg sync.WaitGroup
	n := 0
	for range jobs {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts a goroutine running .* each iteration"
			defer wg.Done()
			n++ // want "goroutine started in a loop writes captured variable n without a lock"
		}()
	}
	wg.Wait()
	return n
}

// CountLocked is the fixed Count: the lock makes the shared write safe.
func CountLocked(jobs []Job) int {
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	n := 0
	for range jobs {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts a goroutine running .* each iteration"
			defer wg.Done()
			mu.Lock()
			n++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return n
}

// Fetch writes err from one goroutine and waits for it: ordered by wg.
func Fetch(fetch func() error) error {
	var err error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // want "go statement starts"
		defer wg.Done()
		err = fetch()
	}()
	wg.Wait()
	return err
}

// FetchPerItem writes distinct slots and declares per-iteration results: no shared write.
func FetchPerItem(urls []string, get func(string) string) []string {
	out := make([]string, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Add(1)
		go func() { // want "go statement starts" "loop at line [0-9]+ starts a goroutine running .* each iteration"
			defer wg.Done()
			body := get(u)
			out[i] = body
		}()
	}
	wg.Wait()
	return out
}

// Status writes status with nothing ordering the write before the read.
func Status(check func() bool) string {
	status := "unknown"
	go func() { // want "go statement starts"
		if check() {
			status = "ok" // want "goroutine writes captured variable status without a lock, and no WaitGroup.Done"
		}
	}()
	time.Sleep(10 * time.Millisecond)
	return status
}

// Refresher can never be stopped.
func Refresher(load func()) {
	go func() { // want "go statement starts" "goroutine runs an endless for loop \\(line 146\\) with no return, break or ctx.Done exit"
		for {
			time.Sleep(time.Minute)
			load()
		}
	}()
}

// RefresherCtx stops on ctx.Done.
func RefresherCtx(ctx context.Context, load func()) {
	go func() { // want "go statement starts"
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				load()
			}
		}
	}()
}

// Pump leaves its loop through a labeled break out of the select.
func Pump(in <-chan int, quit <-chan struct{}, sink func(int)) {
	go func() { // want "go statement starts"
	loop:
		for {
			select {
			case v := <-in:
				sink(v)
			case <-quit:
				break loop
			}
		}
		log.Print("pump stopped")
	}()
}

// Spin's unlabeled break only leaves the select: the loop never ends.
func Spin(in <-chan int, sink func(int)) {
	go func() { // want "go statement starts" "goroutine runs an endless for loop"
		for {
			select {
			case v := <-in:
				if v < 0 {
					break
				}
				sink(v)
			}
		}
	}()
}

type Server struct{ conns chan int }

func (s *Server) Start() {
	go s.acceptLoop() // want "go statement starts" "goroutine runs an endless for loop"
}

func (s *Server) acceptLoop() {
	for {
		c := <-s.conns
		_ = c
	}
}

// Group uses errgroup: a goroutine start, and the group's Wait orders writes.
func Group(ctx context.Context, urls []string, get func(string) (int, error)) (int, error) {
	g, ctx := errgroup.WithContext(ctx)
	var first int
	g.Go(func() error { // want "g.Go starts a function literal"
		n, err := get(urls[0])
		first = n
		return err
	})
	for _, u := range urls[1:] {
		g.Go(func() error { // want "g.Go starts" "loop at line [0-9]+ starts a goroutine running .* each iteration"
			_, err := get(u)
			return err
		})
	}
	return first, g.Wait()
}

// Generic code and method values must not confuse the pass.
type Box[T any] struct{ v T }

func (b *Box[T]) Set(v T) { b.v = v }

func StartGeneric[T any](b *Box[T], v T) {
	set := b.Set
	go set(v)              // want "go statement starts set$"
	go (*Box[T]).Set(b, v) // want "go statement starts \\(\\*Box\\[T\\]\\).Set$"
}

func stub()

func StartStub() {
	go stub() // want "go statement starts"
}
