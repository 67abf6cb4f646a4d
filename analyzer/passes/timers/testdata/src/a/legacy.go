//go:build go1.22

package a

import (
	"context"
	"time"
)

type Event struct{ Name string }

// consume (Go 1.22) allocates a timer on every message, each alive for a whole minute.
func consume(events <-chan Event, handle func(Event)) {
	for {
		select {
		case e := <-events:
			handle(e)
		case <-time.After(time.Minute): // want `time.After in a loop allocates a timer per iteration that lives until it fires \(before Go 1.23\)`
			return
		}
	}
}

// consumeOK reuses one timer, draining it before Reset.
func consumeOK(ctx context.Context, events <-chan Event, handle func(Event)) {
	idle := time.NewTimer(time.Minute)
	defer idle.Stop()
	for {
		select {
		case e := <-events:
			handle(e)
			if !idle.Stop() {
				<-idle.C
			}
			idle.Reset(time.Minute)
		case <-idle.C:
			idle.Reset(time.Minute) // fired and received: no drain needed
		case <-ctx.Done():
			return
		}
	}
}

// debounce resets without draining: a tick from the old deadline can fire at once.
func debounce(in <-chan string, flush func()) {
	t := time.NewTimer(time.Second)
	defer t.Stop()
	for {
		select {
		case <-in:
			t.Reset(time.Second) // want `t.Reset without a preceding drain of t.C`
		case <-t.C:
			flush()
		}
	}
}

type Monitor struct{ stop chan struct{} }

// Watch (Go 1.22) leaks a ticker each time it is called.
func (m *Monitor) Watch(check func()) {
	for {
		select {
		case <-time.Tick(time.Second): // want `time.Tick in Watch leaks its ticker once it returns \(before Go 1.23\)`
			check()
		case <-m.stop:
			return
		}
	}
}
