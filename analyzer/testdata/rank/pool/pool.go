// Package pool runs tasks on a fixed set of workers.
package pool

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// ErrStopped is returned by Submit after Stop.
var ErrStopped = errors.New("pool: stopped")

// A Task is a unit of work.
type Task func(ctx context.Context) error

// Pool runs submitted tasks on its workers.
type Pool struct {
	tasks   chan Task
	errs    chan error
	wg      sync.WaitGroup
	stopped atomic.Bool
	once    sync.Once
	mu      sync.RWMutex // held for reading by Submit, for writing by Stop

	done, failed atomic.Int64
}

// New returns a pool with room for backlog queued tasks.
func New(backlog int) *Pool {
	return &Pool{
		tasks: make(chan Task, backlog),
		errs:  make(chan error, 16),
	}
}

// Start starts n workers that run until ctx ends or the pool stops.
func (p *Pool) Start(ctx context.Context, n int) {
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go p.worker(ctx)
	}
}

func (p *Pool) worker(ctx context.Context) {
	defer p.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case t, ok := <-p.tasks:
			if !ok {
				return
			}
			if err := t(ctx); err != nil {
				p.failed.Add(1)
				select {
				case p.errs <- err:
				default: // nobody reads errors fast enough; the count still has it
				}
				continue
			}
			p.done.Add(1)
		}
	}
}

// Submit queues a task, waiting for room until ctx ends.
func (p *Pool) Submit(ctx context.Context, t Task) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.stopped.Load() {
		return ErrStopped
	}
	select {
	case p.tasks <- t:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Errors returns recent task errors; it is closed when the pool stops.
func (p *Pool) Errors() <-chan error { return p.errs }

// Counts reports how many tasks succeeded and failed.
func (p *Pool) Counts() (done, failed int64) {
	return p.done.Load(), p.failed.Load()
}

// Stop stops accepting tasks, lets the workers finish the queue and waits.
func (p *Pool) Stop() {
	p.once.Do(func() {
		p.mu.Lock()
		p.stopped.Store(true)
		close(p.tasks)
		p.mu.Unlock()
		p.wg.Wait()
		close(p.errs)
	})
}

// RunAll runs every task concurrently and returns their errors by index.
func RunAll(ctx context.Context, tasks []Task) []error {
	errs := make([]error, len(tasks))
	var wg sync.WaitGroup
	for i, t := range tasks {
		go func() {
			wg.Add(1)
			defer wg.Done()
			errs[i] = t(ctx)
		}()
	}
	wg.Wait()
	return errs
}

// Map applies f to every item with at most limit calls at once and returns
// the results in order, or the first error.
func Map[T, R any](ctx context.Context, items []T, limit int, f func(context.Context, T) (R, error)) ([]R, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([]R, len(items))
	sem := make(chan struct{}, max(limit, 1))
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for i, it := range items {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			if firstErr != nil {
				return nil, firstErr
			}
			return nil, ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r, err := f(ctx, it)
			if err != nil {
				errOnce.Do(func() {
					firstErr = err
					cancel()
				})
				return
			}
			out[i] = r
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// Sizes asks stat for the size of every name concurrently.
func Sizes(ctx context.Context, names []string, stat func(context.Context, string) (int64, error)) (map[string]int64, error) {
	out := make(map[string]int64, len(names))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for _, n := range names {
		wg.Add(1)
		go func(name string) {
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
			out[name] = size
		}(n)
	}
	wg.Wait()
	return out, firstErr
}

// Merge forwards every value of the inputs to one channel, which is closed
// once all inputs are closed or ctx ends.
func Merge[T any](ctx context.Context, ins ...<-chan T) <-chan T {
	out := make(chan T)
	var wg sync.WaitGroup
	wg.Add(len(ins))
	for _, in := range ins {
		go func(in <-chan T) {
			defer wg.Done()
			for v := range in {
				select {
				case out <- v:
				case <-ctx.Done():
					return
				}
			}
		}(in)
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}
