//go:build go1.24

package a

import (
	"context"
	"time"
)

// consumeModern: from Go 1.23 the timers are collected, still one per iteration.
func consumeModern(events <-chan Event, handle func(Event)) {
	for {
		select {
		case e := <-events:
			handle(e)
		case <-time.After(time.Minute): // want `time.After in a loop creates a timer per iteration`
			return
		}
	}
}

// debounceModern: from Go 1.23 Reset needs no drain: quiet.
func debounceModern(in <-chan string, flush func()) {
	t := time.NewTimer(time.Second)
	defer t.Stop()
	for {
		select {
		case <-in:
			t.Reset(time.Second)
		case <-t.C:
			flush()
		}
	}
}

// watchModern: time.Tick is collectable from Go 1.23: quiet.
func watchModern(ctx context.Context, check func()) {
	tick := time.Tick(time.Second)
	for {
		select {
		case <-tick:
			check()
		case <-ctx.Done():
			return
		}
	}
}

// once: time.After outside a loop: quiet.
func once(ctx context.Context, done <-chan struct{}) error {
	select {
	case <-done:
		return nil
	case <-time.After(5 * time.Second):
		return context.DeadlineExceeded
	}
}
