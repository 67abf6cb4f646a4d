package a

import (
	"context"
	"errors"
	"sync"
	"time"
)

// heartbeat starts a ticker that nobody stops; when ctx ends the goroutine returns.
func heartbeat(ctx context.Context, beat func()) {
	t := time.NewTicker(10 * time.Second) // want `ticker t from time.NewTicker is never stopped in this function`
	go func() {
		for {
			select {
			case <-t.C:
				beat()
			case <-ctx.Done():
				return
			}
		}
	}()
}

// heartbeatOK stops its ticker.
func heartbeatOK(ctx context.Context, beat func()) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			beat()
		case <-ctx.Done():
			return
		}
	}
}

func pulse(beat func()) {
	for range time.NewTicker(time.Second).C { // want `ticker from time.NewTicker is used only for its channel and can never be stopped`
		beat()
	}
}

type Scheduler struct {
	mu     sync.Mutex
	ticker *time.Ticker
}

// Start stores the ticker; Stop stops it elsewhere: quiet.
func (s *Scheduler) Start(d time.Duration) *time.Ticker {
	t := time.NewTicker(d)
	s.mu.Lock()
	s.ticker = t
	s.mu.Unlock()
	return t
}

// deadline creates a timer that only fires: a weak signal.
func deadline(d time.Duration) <-chan time.Time {
	t := time.NewTimer(d) // want `timer t from time.NewTimer is never stopped in this function`
	return t.C
}

// waitReady polls with Sleep.
func waitReady(ready func() bool) error {
	for i := 0; i < 50; i++ {
		if ready() {
			return nil
		}
		time.Sleep(100 * time.Millisecond) // want `time.Sleep in a loop polls without cancellation`
	}
	return errors.New("not ready")
}

// backoffOnce sleeps outside a loop: quiet.
func backoffOnce() { time.Sleep(time.Second) }

type Lease struct {
	Expires time.Time
	Renewed time.Time
}

// expired compares with ==: a value carrying a monotonic reading never equals a parsed one.
func (l Lease) expired(now time.Time) bool {
	return l.Expires == now // want `time.Time compared with ==; it also compares location and monotonic reading, use l.Expires.Equal`
}

// renewed is correct: Equal, a zero-value test and pointer comparison stay quiet.
func (l *Lease) renewed(at time.Time, prev *time.Time) bool {
	if l.Renewed == (time.Time{}) || prev == nil {
		return false
	}
	return l.Renewed.Equal(at) && prev != &l.Renewed
}

// Generic code must not confuse the pass.
func latest[T interface{ When() time.Time }](xs []T) (t time.Time) {
	for _, x := range xs {
		if w := x.When(); w.After(t) {
			t = w
		}
	}
	return t
}

func stub(d time.Duration) *time.Timer
