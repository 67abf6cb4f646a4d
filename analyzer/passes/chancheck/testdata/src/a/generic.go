package a

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// Map runs f on every item; generic code must not trip the pass.
func Map[T, U any](ctx context.Context, items []T, f func(T) U) []U {
	ch := make(chan U)
	for _, it := range items {
		go func() {
			ch <- f(it) // want `goroutines started in the loop at line \d+ send on ch more than once, but the function receives from it only once`
		}()
	}
	return []U{<-ch}
}

// An errgroup whose senders watch ctx: fine.
func Search(ctx context.Context, shards []string, find func(context.Context, string) (string, bool)) (string, error) {
	g := new(errgroup.Group)
	found := make(chan string)
	for _, s := range shards {
		g.Go(func() error {
			if r, ok := find(ctx, s); ok {
				select {
				case found <- r:
				case <-ctx.Done():
				}
			}
			return nil
		})
	}
	select {
	case r := <-found:
		return r, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// An errgroup whose senders do not: leaked when ctx ends first.
func SearchLeaky(ctx context.Context, shards []string, find func(context.Context, string) (string, bool)) (string, error) {
	g := new(errgroup.Group)
	found := make(chan string)
	for _, s := range shards {
		g.Go(func() error {
			if r, ok := find(ctx, s); ok {
				found <- r // want `goroutines started in the loop at line \d+ block forever sending on found: the function can return at line \d+ \(via case <-ctx.Done\(\)\) without receiving from it`
			}
			return nil
		})
	}
	select {
	case r := <-found:
		return r, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// A channel field of a generic type: its partners are elsewhere.
type Queue[T any] struct{ items chan T }

func NewQueue[T any]() *Queue[T] { return &Queue[T]{items: make(chan T)} }

func (q *Queue[T]) Push(v T) { q.items <- v }
