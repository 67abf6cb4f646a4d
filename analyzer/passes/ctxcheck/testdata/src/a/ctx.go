package a

import (
	"context"
	"log"
	"time"
)

type Event struct{ Name string }

type Sink interface {
	Send(ctx context.Context, e Event) error
}

// ---- ctx-loop-unwatched ----

// The forwarder blocks on events forever after ctx is cancelled.
func Forward(ctx context.Context, events <-chan Event, sink Sink) {
	go func() {
		for { // want `endless loop in a goroutine blocks \(line 21\) with no way out and never watches ctx.Done\(\): the goroutine outlives the cancellation of ctx`
			e := <-events
			log.Print(e.Name)
		}
	}()
}

// Watching ctx.Done: fine.
func ForwardWatched(ctx context.Context, events <-chan Event, sink Sink) {
	go func() {
		for {
			select {
			case e := <-events:
				log.Print(e.Name)
			case <-ctx.Done():
				return
			}
		}
	}()
}

// Passing ctx on lets the callee fail: fine.
func ForwardPassing(ctx context.Context, events <-chan Event, sink Sink) {
	go func() {
		for {
			e := <-events
			_ = sink.Send(ctx, e)
		}
	}()
}

// A range over a channel ends when it is closed: fine.
func ForwardRange(ctx context.Context, events <-chan Event) {
	go func() {
		for e := range events {
			log.Print(e.Name)
		}
	}()
}

// A quit channel is a way out: fine.
func ForwardQuit(ctx context.Context, events <-chan Event, quit <-chan struct{}) {
	go func() {
		for {
			select {
			case e := <-events:
				log.Print(e.Name)
			case <-quit:
				return
			}
		}
	}()
}

// A ticker loop in a method started by go, with ctx in scope.
type Reporter struct {
	interval time.Duration
	report   func()
}

func (r *Reporter) Start(ctx context.Context) {
	go r.run(ctx)
}

func (r *Reporter) run(ctx context.Context) {
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for range t.C { // want `range over t\.C in a goroutine blocks \(line 87\) with no way out and never watches ctx\.Done\(\): the goroutine outlives the cancellation of ctx`
		r.report()
	}
}

// No context in scope: not ours to say.
func Background(events <-chan Event) {
	go func() {
		for {
			e := <-events
			log.Print(e.Name)
		}
	}()
}

// Not a goroutine: the caller decides.
func Loop(ctx context.Context, events <-chan Event) {
	for {
		e := <-events
		log.Print(e.Name)
	}
}

// ---- ctx-used-after-cancel ----

func Fetch(parent context.Context, sink Sink, e Event) error {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	err := sink.Send(ctx, e)
	cancel()
	if err != nil {
		return sink.Send(ctx, Event{Name: "retry"}) // want `ctx is passed to sink\.Send after cancel\(\) at line 115 cancelled it: the call gets a context that is already done`
	}
	return nil
}

// Checking why the context ended is fine.
func FetchErr(parent context.Context, sink Sink, e Event) error {
	ctx, cancel := context.WithCancel(parent)
	go func() { _ = sink.Send(ctx, e) }()
	cancel()
	<-ctx.Done()
	return context.Cause(ctx)
}

// A new context each turn: fine.
func Retry(parent context.Context, sink Sink, e Event) error {
	var err error
	for range 3 {
		ctx, cancel := context.WithTimeout(parent, time.Second)
		err = sink.Send(ctx, e)
		cancel()
		if err == nil {
			return nil
		}
	}
	return err
}

// The same context used on the next turn after its cancel.
func RetryStale(parent context.Context, sink Sink, e Event) error {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	var err error
	for range 3 {
		err = sink.Send(ctx, e) // want `ctx is passed to sink\.Send after cancel\(\) at line 151 cancelled it: the call gets a context that is already done`
		cancel()
		if err == nil {
			return nil
		}
	}
	return err
}

// Reassigned before its next use: fine.
func Renew(parent context.Context, sink Sink, e Event) error {
	ctx, cancel := context.WithTimeout(parent, time.Second)
	err := sink.Send(ctx, e)
	cancel()
	if err != nil {
		ctx, cancel = context.WithTimeout(parent, time.Second)
		defer cancel()
		return sink.Send(ctx, e)
	}
	return nil
}
