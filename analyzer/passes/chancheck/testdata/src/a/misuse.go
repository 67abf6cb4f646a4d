package a

import (
	"context"
	"sync"
	"time"
)

// ---- close-twice ----

// Each goroutine closes the shared channel.
func FetchAll(urls []string, fetch func(string) string) <-chan string {
	results := make(chan string, len(urls))
	for _, u := range urls {
		go func() {
			results <- fetch(u)
			close(results) // want `each goroutine started by the loop at line 14 closes results; the second close panics`
		}()
	}
	return results
}

// The last goroutine closes, by a counter: fine.
func FetchAllCounted(urls []string, fetch func(string) string) <-chan string {
	results := make(chan string, len(urls))
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- fetch(u)
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	return results
}

// Each goroutine closes its own channel: fine.
func PerItem(items []string, work func(string)) []chan struct{} {
	var dones []chan struct{}
	for _, it := range items {
		done := make(chan struct{})
		dones = append(dones, done)
		go func() {
			defer close(done)
			work(it)
		}()
	}
	return dones
}

// Two goroutines each close stop.
func Race(a, b func()) chan struct{} {
	stop := make(chan struct{})
	go func() {
		a()
		close(stop)
	}()
	go func() {
		b()
		close(stop) // want `goroutines started at lines 58 and 62 both close stop; the second close panics`
	}()
	return stop
}

// Each goroutine gets a fresh channel before it starts: fine.
func Sequential(a, b func()) {
	done := make(chan struct{})
	go func() {
		a()
		close(done)
	}()
	<-done
	done = make(chan struct{})
	go func() {
		b()
		close(done)
	}()
	<-done
}

// A deferred close and an explicit one.
func Produce(out chan int, n int) {
	defer close(out)
	for i := range n {
		out <- i
	}
	close(out) // want `out is closed here and again by the deferred close at line 87; the second close panics`
}

// The close in the loop runs on every turn.
func Broadcast(subs []chan string, msg string, done chan struct{}) {
	for _, s := range subs {
		s <- msg
		close(done) // want `close of done inside the loop at line 96 runs again on the next turn; the second close panics`
	}
}

// Closing each subscriber's own channel in a loop: fine.
func CloseAll(subs []chan string) {
	for _, s := range subs {
		close(s)
	}
}

// Closing once, then leaving the loop: fine.
func CloseOnFirst(events <-chan string, done chan struct{}) {
	for ev := range events {
		if ev == "stop" {
			close(done)
			return
		}
	}
}

// A flag guards the close: fine.
func CloseFlag(events <-chan string, done chan struct{}) {
	closed := false
	for ev := range events {
		if ev == "stop" && !closed {
			close(done)
			closed = true
		}
	}
}

// Conditional close on one turn only: fine.
func CloseAtTick(ticks <-chan time.Time, cancel chan struct{}, at int) {
	n := 0
	for range ticks {
		n++
		if n == at {
			close(cancel)
		}
	}
}

// Two closes on one path.
func Shutdown(s *Service) {
	close(s.quit)
	logf("stopping")
	close(s.quit) // want `s.quit may already be closed at line 143 on this path; the second close panics`
}

// The idiom "close unless closed", racy but not a double close on one path.
func ShutdownOnce(s *Service) {
	for range 2 {
		select {
		case <-s.quit:
		default:
			close(s.quit)
		}
	}
}

// Reset between closes replaces the channel: fine.
func Restart(s *Service) {
	close(s.quit)
	s.quit = make(chan struct{})
	close(s.quit)
}

// A method call on s may replace s.quit: we cannot tell.
func RestartByMethod(s *Service) {
	close(s.quit)
	s.reset()
	close(s.quit)
}

type Service struct {
	quit chan struct{}
	once sync.Once
	out  chan string
}

func logf(string)         {}
func (s *Service) reset() { s.quit = make(chan struct{}) }

// sync.Once makes a close safe to call from many goroutines.
func (s *Service) Stop() {
	s.once.Do(func() { close(s.quit) })
}

// ---- send-after-close ----

func Drain(out chan string, items []string) {
	for _, it := range items {
		out <- it
	}
	close(out)
	out <- "done" // want `send on out, which is closed at line 193 on this path; the send panics`
}

func DrainOK(out chan string, items []string) {
	for _, it := range items {
		out <- it
	}
	out <- "done"
	close(out)
}

// ---- nil-channel ----

func NeverMade(values []int) int {
	var ch chan int
	go func(c chan int) {
		for _, v := range values {
			c <- v
		}
	}(ch)
	return <-ch // want `receive from ch, which is nil: declared at line 208 and never assigned, so the receive blocks forever`
}

// A nil channel in a select disables its case: fine.
func Merge(a, b <-chan int) []int {
	var out []int
	for a != nil || b != nil {
		select {
		case v, ok := <-a:
			if !ok {
				a = nil
				continue
			}
			out = append(out, v)
		case v, ok := <-b:
			if !ok {
				b = nil
				continue
			}
			out = append(out, v)
		}
	}
	return out
}

// Assigned on some path: fine (we do not follow conditions).
func MaybeMade(buffered bool) chan int {
	var ch chan int
	if buffered {
		ch = make(chan int, 1)
	}
	if buffered {
		ch <- 1
	}
	return ch
}

// A field no code of the package assigns.
type Pool struct {
	work chan func()
	stop chan struct{}
}

func NewPool() *Pool { return &Pool{stop: make(chan struct{})} }

func (p *Pool) Submit(f func()) {
	p.work <- f // want `send on p.work, a field no code of the package assigns: the channel is nil and the send blocks forever`
}

func (p *Pool) Close() {
	close(p.stop)
}

// ---- close-by-receiver ----

// The function gives up on a timeout and closes the channel the goroutine
// will still send on.
func Compute(work func() int, d time.Duration) (int, bool) {
	ch := make(chan int)
	defer close(ch) // want `ch is closed when the function returns at line 281 while the goroutine started at line 274 may still send on it \(via case <-time\.After\(d\)\); its send panics`
	go func() {
		ch <- work()
	}()
	select {
	case v := <-ch:
		return v, true
	case <-time.After(d):
		return 0, false
	}
}

// A receiver that stops early closes the channel under its producers.
func Take(ctx context.Context, n int, produce func() int) []int {
	ch := make(chan int)
	for range 4 {
		go func() {
			for {
				select {
				case ch <- produce():
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	var out []int
	for v := range ch {
		out = append(out, v)
		if len(out) == n {
			close(ch) // want `ch is closed here while the goroutine started at line 289 may still send on it; its send panics`
			break
		}
	}
	return out
}

// Waiting for the senders first: fine.
func CollectAll(n int, produce func() int) []int {
	ch := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch <- produce()
		}()
	}
	wg.Wait()
	close(ch)
	var out []int
	for v := range ch {
		out = append(out, v)
	}
	return out
}

// Receiving the one value first: fine.
func One(work func() int) int {
	ch := make(chan int)
	go func() { ch <- work() }()
	v := <-ch
	close(ch)
	return v
}

// A done channel the goroutine closes: fine.
func Signal(work func() int) {
	ch := make(chan int, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ch <- work()
	}()
	<-done
	close(ch)
}

var crashers = map[int]func(){
	1: func() {
		ch := make(chan struct{})
		close(ch)
		close(ch) // want `ch may already be closed`
	},
}

type Header struct{ Number uint64 }

type Endpoint interface {
	Next(ctx context.Context) (Header, error)
}

// subscribe forwards the headers of one endpoint until ctx ends.
func subscribe(ctx context.Context, ep Endpoint, out chan<- Header) {
	for ctx.Err() == nil {
		h, err := ep.Next(ctx)
		if err != nil {
			continue
		}
		out <- h
	}
}

// Follow closes headers when it returns while subscriptions still send.
func Follow(ctx context.Context, eps []Endpoint, max uint64) error {
	headers := make(chan Header, len(eps))
	defer close(headers) // want `headers is closed when the function returns at line \d+ while the goroutine started at line \d+ may still send on it \(via case <-ctx.Done\(\)\); its send panics`
	for _, ep := range eps {
		go subscribe(ctx, ep, headers)
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case h := <-headers:
			if h.Number > max {
				return nil
			}
		}
	}
}
