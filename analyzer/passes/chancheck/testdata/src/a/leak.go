package a

import (
	"context"
	"errors"
	"sync"
	"time"
)

type Result struct {
	Body string
	Err  error
}

type Backend interface {
	Get(key string) Result
}

// Fetch leaks its goroutine when ctx is done first: results is unbuffered.
func Fetch(ctx context.Context, b Backend, key string) (Result, error) {
	results := make(chan Result)
	go func() {
		results <- b.Get(key) // want `goroutine blocks forever sending on results: the function can return at line 29 \(via case <-ctx\.Done\(\)\) without receiving from it`
	}()
	select {
	case r := <-results:
		return r, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// FetchBuffered is the fix: the buffer holds the value.
func FetchBuffered(ctx context.Context, b Backend, key string) (Result, error) {
	results := make(chan Result, 1)
	go func() {
		results <- b.Get(key)
	}()
	select {
	case r := <-results:
		return r, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// FetchSelect is fine too: the sender can leave on ctx.Done.
func FetchSelect(ctx context.Context, b Backend, key string) (Result, error) {
	results := make(chan Result)
	go func() {
		select {
		case results <- b.Get(key):
		case <-ctx.Done():
		}
	}()
	select {
	case r := <-results:
		return r, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// FetchTimeout leaves on a timer.
func FetchTimeout(b Backend, key string, d time.Duration) (Result, error) {
	ch := make(chan Result)
	go func() { ch <- b.Get(key) }() // want `goroutine blocks forever sending on ch: the function can return at line 72 \(via case <-time\.After\(d\)\) without receiving from it`
	select {
	case r := <-ch:
		return r, nil
	case <-time.After(d):
		return Result{}, errors.New("timeout")
	}
}

// Validate returns early between the start and the receive.
func Validate(b Backend, key string) (string, error) {
	out := make(chan string)
	go func() {
		out <- b.Get(key).Body // want `goroutine blocks forever sending on out: the function can return at line 83 without receiving from it`
	}()
	if key == "" {
		return "", errors.New("empty key")
	}
	return <-out, nil
}

// ValidateFirst checks before it starts: every path after the start receives.
func ValidateFirst(b Backend, key string) (string, error) {
	if key == "" {
		return "", errors.New("empty key")
	}
	out := make(chan string)
	go func() {
		out <- b.Get(key).Body
	}()
	return <-out, nil
}

// ValidatePanics: a path that panics or fails the process does not return.
func ValidatePanics(b Backend, key string) string {
	out := make(chan string)
	go func() {
		out <- b.Get(key).Body
	}()
	if key == "" {
		panic("empty key")
	}
	return <-out
}

// First returns the first answer; the other replicas block forever.
func First(replicas []Backend, key string) Result {
	ch := make(chan Result)
	for _, r := range replicas {
		go func() {
			ch <- r.Get(key) // want `goroutines started in the loop at line 115 send on ch more than once, but the function receives from it only once \(line 120\); later sends block forever`
		}()
	}
	return <-ch
}

// FirstBuffered sizes the buffer to the senders.
func FirstBuffered(replicas []Backend, key string) Result {
	ch := make(chan Result, len(replicas))
	for _, r := range replicas {
		go func() {
			ch <- r.Get(key)
		}()
	}
	return <-ch
}

// All drains one value per sender in a counted loop.
func All(replicas []Backend, key string) []Result {
	ch := make(chan Result)
	for _, r := range replicas {
		go func() {
			ch <- r.Get(key)
		}()
	}
	var out []Result
	for range replicas {
		out = append(out, <-ch)
	}
	return out
}

// AllOrError leaves the draining loop on the first error.
func AllOrError(replicas []Backend, key string) ([]Result, error) {
	ch := make(chan Result)
	for _, r := range replicas {
		go func() {
			ch <- r.Get(key) // want `goroutines started in the loop at line 152 send on ch, but the loop receiving from it \(line 158\) can leave at line 161 on an error; the remaining senders block forever`
		}()
	}
	var out []Result
	for range replicas {
		res := <-ch
		if res.Err != nil {
			return nil, res.Err
		}
		out = append(out, res)
	}
	return out, nil
}

// AllOrErrorBuffered is the fix.
func AllOrErrorBuffered(replicas []Backend, key string) ([]Result, error) {
	ch := make(chan Result, len(replicas))
	for _, r := range replicas {
		go func() {
			ch <- r.Get(key)
		}()
	}
	var out []Result
	for range replicas {
		res := <-ch
		if res.Err != nil {
			return nil, res.Err
		}
		out = append(out, res)
	}
	return out, nil
}

// Gather closes after the WaitGroup and ranges: fine.
func Gather(replicas []Backend, key string) []Result {
	ch := make(chan Result)
	var wg sync.WaitGroup
	for _, r := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch <- r.Get(key)
		}()
	}
	go func() {
		wg.Wait()
		close(ch)
	}()
	var out []Result
	for res := range ch {
		out = append(out, res)
	}
	return out
}

// GatherUntilError leaves the range on an error.
func GatherUntilError(replicas []Backend, key string) error {
	ch := make(chan Result)
	var wg sync.WaitGroup
	for _, r := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch <- r.Get(key) // want `goroutines started in the loop at line 213 send on ch, but the loop receiving from it \(line 224\) can leave at line 226 before the channel is closed; the remaining senders block forever`
		}()
	}
	go func() {
		wg.Wait()
		close(ch)
	}()
	for res := range ch {
		if res.Err != nil {
			return res.Err
		}
	}
	return nil
}

// Pair sends on two channels, one of which carries the error: receiving
// either is the partner.
func Pair(b Backend, key string) (string, error) {
	resc, errc := make(chan string), make(chan error)
	go func() {
		r := b.Get(key)
		if r.Err != nil {
			errc <- r.Err
			return
		}
		resc <- r.Body
	}()
	select {
	case body := <-resc:
		return body, nil
	case err := <-errc:
		return "", err
	}
}

// Done channels closed by the goroutine tell the function it is over.
func WaitDone(b Backend, key string, d time.Duration) (string, bool) {
	done := make(chan struct{})
	out := make(chan string)
	go func() {
		defer close(done)
		out <- b.Get(key).Body
	}()
	for {
		select {
		case s := <-out:
			return s, true
		case <-done:
			return "", false
		}
	}
}

// Two goroutines, two receives: fine.
func Both(a, b Backend, key string) (Result, Result) {
	ch := make(chan Result)
	go func() { ch <- a.Get(key) }()
	go func() { ch <- b.Get(key) }()
	return <-ch, <-ch
}

// Two goroutines, one receive.
func Either(a, b Backend, key string) Result {
	ch := make(chan Result)
	go func() { ch <- a.Get(key) }()
	go func() { ch <- b.Get(key) }() // want `2 goroutines send on ch, but the function can return at line 283 after receiving 1 value\(s\); the others block forever`
	return <-ch
}

// Generator: the consumer stops after the first match.
func FindFirst(items []string, match func(string) bool) string {
	ch := make(chan string)
	go func() {
		for _, it := range items {
			ch <- it // want `goroutine sends on ch, but the loop receiving from it \(line 295\) can leave at line 297 before the channel is closed; the remaining senders block forever`
		}
		close(ch)
	}()
	for it := range ch {
		if match(it) {
			return it
		}
	}
	return ""
}

// Worker receives until the jobs channel is closed, which never happens.
func Feed(jobs []string, do func(string)) {
	ch := make(chan string)
	go func() {
		for j := range ch { // want `goroutine receives from ch until it is closed, but the function never closes it; the goroutine blocks forever`
			do(j)
		}
	}()
	for _, j := range jobs {
		ch <- j
	}
}

// FeedClosed closes: fine.
func FeedClosed(jobs []string, do func(string)) {
	ch := make(chan string)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for j := range ch {
			do(j)
		}
	}()
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	<-done
}

// FeedEarly can return before it closes.
func FeedEarly(jobs []string, do func(string)) error {
	ch := make(chan string)
	go func() {
		for j := range ch { // want `goroutine receives from ch until it is closed, but the function can return at line 343 without closing it`
			do(j)
		}
	}()
	for _, j := range jobs {
		if j == "" {
			return errors.New("empty job")
		}
		ch <- j
	}
	close(ch)
	return nil
}

// Stop signals a helper by a send it may skip.
func Stop(cond bool, cleanup func()) error {
	stop := make(chan struct{})
	go func() {
		<-stop // want `goroutine blocks forever receiving from stop: the function can return at line 359 without sending on or closing it`
		cleanup()
	}()
	if cond {
		return errors.New("failed")
	}
	close(stop)
	return nil
}

// StopDeferred closes by defer on every path.
func StopDeferred(cond bool, cleanup func()) error {
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		<-stop
		cleanup()
	}()
	if cond {
		return errors.New("failed")
	}
	return nil
}

// Server keeps its channels in fields: their partners are elsewhere.
type Server struct {
	reqs chan string
	quit chan struct{}
}

func (s *Server) Submit(ctx context.Context, req string) error {
	go func() {
		s.reqs <- req
	}()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-s.quit:
		return nil
	}
}

// Handing the channel to a helper: its partner may be there.
func Handoff(b Backend, key string, consume func(<-chan Result)) {
	ch := make(chan Result)
	go func() { ch <- b.Get(key) }()
	consume(ch)
}

// A closure receiving from the channel: we cannot tell when it runs.
func Closure(b Backend, key string) func() Result {
	ch := make(chan Result)
	go func() { ch <- b.Get(key) }()
	return func() Result { return <-ch }
}

// Per-turn channels in a retry loop: each timeout leaves one goroutine behind.
func Retry(b Backend, key string, d time.Duration) Result {
	for {
		ch := make(chan Result)
		go func() {
			ch <- b.Get(key) // want `goroutine blocks forever sending on ch: the function can make a new channel at line 414 \(via case <-time\.After\(d\)\) without receiving from it`
		}()
		select {
		case r := <-ch:
			return r
		case <-time.After(d):
		}
	}
}

// Param passes the channel to the goroutine literal as an argument.
func Param(ctx context.Context, b Backend, key string) (Result, error) {
	ch := make(chan Result)
	go func(out chan<- Result) {
		out <- b.Get(key) // want `goroutine blocks forever sending on ch`
	}(ch)
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

func NewServer() *Server {
	return &Server{reqs: make(chan string), quit: make(chan struct{})}
}

// A named worker of the package, handed the channel.
func produce(b Backend, key string, out chan<- Result) {
	out <- b.Get(key)
}

func FetchNamed(ctx context.Context, b Backend, key string) (Result, error) {
	ch := make(chan Result)
	go produce(b, key, ch) // want `goroutine blocks forever sending on ch: the function can return at line \d+ \(via case <-ctx.Done\(\)\) without receiving from it`
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// A worker that passes the channel on: its partner may be anywhere.
func relay(b Backend, key string, out chan<- Result) {
	forward(out, b.Get(key))
}

func forward(out chan<- Result, r Result) { out <- r }

func FetchRelayed(ctx context.Context, b Backend, key string) (Result, error) {
	ch := make(chan Result)
	go relay(b, key, ch)
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// Health stops its tickers, but the checkers range over their channels,
// which Stop never closes.
type Health struct {
	tickers []*time.Ticker
	check   func()
}

func (h *Health) Start(every time.Duration) {
	t := time.NewTicker(every)
	h.tickers = append(h.tickers, t)
	go func() {
		for range t.C { // want `goroutine ranges over t.C, which is never closed \(Stop does not close a ticker's channel\): the loop has no way out and the goroutine never ends`
			h.check()
		}
	}()
}

func (h *Health) StartStoppable(every time.Duration, quit <-chan struct{}) {
	t := time.NewTicker(every)
	h.tickers = append(h.tickers, t)
	go func() {
		for {
			select {
			case <-t.C:
				h.check()
			case <-quit:
				return
			}
		}
	}()
}

func (h *Health) Stop() {
	for _, t := range h.tickers {
		t.Stop()
	}
}

// A goroutine waits for the senders and closes done: receiving from done
// tells the function they are finished.
func WaitAll(work func() error, n int, d time.Duration) []error {
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- work()
		}()
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
		panic("workers did not finish")
	}
	close(errs)
	var out []error
	for err := range errs {
		out = append(out, err)
	}
	return out
}

// A send in a select with default never blocks: fine.
func TryNotify(ctx context.Context, b Backend, key string) (Result, bool) {
	ch := make(chan Result)
	go func() {
		select {
		case ch <- b.Get(key):
		default:
		}
	}()
	select {
	case r := <-ch:
		return r, true
	case <-ctx.Done():
		return Result{}, false
	}
}
