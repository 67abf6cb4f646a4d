package a

import (
	"context"
	"errors"
	"sync"
	"time"
)

type Job struct{ ID int }

// ctx-unused buggy: the pool takes a ctx but blocks on the jobs channel regardless of it.
func RunPool(ctx context.Context, jobs <-chan Job, n int) { // want `ctx is never used although RunPool blocks \(range over channel at line \d+\)`
	var wg sync.WaitGroup
	for job := range jobs {
		wg.Add(1)
		go func(j Job) {
			defer wg.Done()
			process(j)
		}(job)
	}
	wg.Wait()
}

// ctx-unused correct: ctx is honoured in the select.
func RunPoolCtx(ctx context.Context, jobs <-chan Job) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case j, ok := <-jobs:
			if !ok {
				return nil
			}
			process(j)
		}
	}
}

// ctx-unused correct: a pure function satisfying an interface that takes a ctx does no blocking work.
func Validate(ctx context.Context, j Job) error {
	if j.ID <= 0 {
		return errors.New("bad id")
	}
	return nil
}

func process(Job) {}

// cancel-leak buggy: the early return skips cancel.
func fetchWithRetry(ctx context.Context, try func(context.Context) error) error {
	for i := 0; i < 3; i++ {
		tctx, cancel := context.WithTimeout(ctx, time.Second) // want `context.WithTimeout derives a context` `cancel from context.WithTimeout is not called on the path to the return at line \d+`
		err := try(tctx)
		if err == nil {
			return nil
		}
		cancel()
	}
	return errors.New("gave up")
}

// cancel-leak buggy: discarded.
func withDeadline(ctx context.Context, d time.Time) context.Context {
	ctx, _ = context.WithDeadline(ctx, d) // want `context.WithDeadline derives a context` `cancel func of context.WithDeadline is discarded`
	return ctx
}

// cancel-leak correct: cancel is returned to the caller, and another is deferred inside a closure.
func withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, time.Second) // want `context.WithTimeout derives a context`
}

func derived(parent context.Context) context.Context {
	ctx, cancel := context.WithCancelCause(parent) // want `context.WithCancelCause derives a context`
	go func() {
		defer cancel(nil)
		<-parent.Done()
	}()
	return context.WithValue(ctx, key{}, 1) // want `context.WithValue derives a context`
}

type key struct{}

// cancel-leak correct: a named result hands cancel to the caller through a bare return.
func base(parent context.Context) (ctx context.Context, cancel context.CancelFunc) {
	ctx, cancel = context.WithCancel(parent) // want `context.WithCancel derives a context`
	ctx = context.WithValue(ctx, key{}, 2)   // want `context.WithValue derives a context`
	return
}

// cancel-leak correct: cancel called on every path without defer.
func once(ctx context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second) // want `context.WithTimeout derives a context`
	err := f(ctx)
	cancel()
	if err != nil {
		return err
	}
	return nil
}

// ctx-background correct: defaulting a nil context.
func submit(ctx context.Context, jobs chan<- Job, j Job) error {
	if ctx == nil {
		ctx = context.Background()
	}
	select {
	case jobs <- j:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Generic code and a method value must not confuse the pass.
type Cache[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]V
}

func (c *Cache[K, V]) Get(ctx context.Context, k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func useCache(ctx context.Context, c *Cache[string, int]) int {
	get := c.Get
	v, _ := get(ctx, "a")
	return v
}

// Assembly-like stub without a body.
func stub(ctx context.Context) error
