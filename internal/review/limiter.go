package review

// The Limiter: requests in flight and their pace.

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter bounds the requests in flight to the maximum (as llm.Config.Gate)
// and, once the server has answered 429, paces their starts below the rate
// the server let through.
//
// A server that counts requests per second and answers "Retry-After: 1"
// beyond cannot be used near its limit by bounding requests in flight alone:
// requests sent as fast as places free up spend the second's allowance in
// its first half, every request of the second half is told to come back in
// a second, and they all come back at once, half a second into the next. At
// 40 req/s allowed, halving the bound on each 429 used the server at 0.65
// of its rate. So on a 429 (at most once per round trip, or per wait the
// server asked for: the 429s right after one answer requests sent before
// it) the limiter measures the rate of successes over the last second or
// so, and spaces request starts at 0.9 of it; each success then raises the
// pace a little (5% a second), to find the limit again if it moves. Before
// any success there is no rate to measure, and the bound in flight is
// halved instead.
type Limiter struct {
	mu       sync.Mutex
	cond     *sync.Cond
	max      int
	limit    int // places, halved by a 429 that comes before any success
	inFlight int

	first time.Time   // the first Acquire
	ok    []time.Time // successes of the last measureSpan, oldest first
	rtt   time.Duration
	quiet time.Time     // no cut before this
	pacer *rate.Limiter // nil until the first 429 with a rate to measure
	bound time.Time     // when the pace last held a request back
}

const (
	// measureSpan is the longest span over which the server's rate is
	// measured: request limits are counted per second or per minute, and a
	// second's worth is known soon.
	measureSpan = 2 * time.Second
	// minSamples is the fewest successes a rate is measured by.
	minSamples = 10
	// preciseHint: a wait shorter than this is a precise reset time
	// (x-ratelimit-reset-requests: 20ms, retry-after-ms), not a whole
	// second of Retry-After.
	preciseHint = 500 * time.Millisecond
	// paceBelow is the share of the measured rate the pace is set to.
	paceBelow = 0.9
	// paceGrowth raises the pace by this much a success (in requests a
	// second): by a tenth a second.
	paceGrowth = 0.1
)

// NewLimiter returns a Limiter of at most n requests in flight.
func NewLimiter(n int) *Limiter {
	l := &Limiter{max: max(n, 1), limit: max(n, 1)}
	l.cond = sync.NewCond(&l.mu)
	return l
}

// Acquire waits for the pace and a place; release reports whether the
// request succeeded. It fits llm.Config.Gate.
func (l *Limiter) Acquire(ctx context.Context) (release func(ok bool), err error) {
	if err := l.pace(ctx); err != nil {
		return nil, err
	}

	stop := context.AfterFunc(ctx, func() {
		l.mu.Lock()
		l.cond.Broadcast()
		l.mu.Unlock()
	})
	defer stop()
	l.mu.Lock()
	for l.inFlight >= l.limit {
		if err := ctx.Err(); err != nil {
			l.mu.Unlock()
			return nil, err
		}
		l.cond.Wait()
	}
	l.inFlight++
	l.mu.Unlock()
	start := time.Now()
	return func(ok bool) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.inFlight--
		l.cond.Broadcast()
		if !ok {
			return
		}
		now := time.Now()
		d := now.Sub(start)
		if l.rtt == 0 {
			l.rtt = d
		} else {
			l.rtt = (7*l.rtt + d) / 8
		}
		l.ok = append(l.ok, now)
		l.limit = min(l.max, l.limit+1)
		if l.pacer != nil && now.Sub(l.bound) < time.Second {
			// Only while the pace holds requests back.
			l.pacer.SetLimitAt(now, l.pacer.Limit()+paceGrowth)
		}
	}, nil
}

// pace waits for the next start the pace allows.
func (l *Limiter) pace(ctx context.Context) error {
	l.mu.Lock()
	if l.first.IsZero() {
		l.first = time.Now()
	}
	p := l.pacer
	l.mu.Unlock()
	if p == nil {
		return nil
	}
	r := p.Reserve()
	d := r.Delay()
	if d <= 0 {
		return nil
	}
	l.mu.Lock()
	l.bound = time.Now()
	l.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		r.Cancel()
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Throttled slows the requests down: the server answered 429 and asked
// for wait (0 if it did not say). It fits llm.Config.OnThrottle.
func (l *Limiter) Throttled(wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if wait < preciseHint {
		// The server says to the millisecond when its limit refills, or
		// nothing: waiting that out costs little, and fewer in flight is
		// enough (a fake allowing 40 req/s with x-ratelimit-reset hints is
		// used at 0.98 of its rate).
		l.limit = max(1, l.limit/2)
		return
	}
	now := time.Now()
	if now.Before(l.quiet) {
		return // the same news
	}

	// The rate the server let through: the successes of the last
	// measureSpan (or since the start), and the requests in flight, which
	// it let in before this 429; over a second at least, as limits are
	// counted per second or longer and a run's first moments are a burst.
	from := maxTime(now.Add(-measureSpan), l.first)
	i := 0
	for i < len(l.ok) && l.ok[i].Before(from) {
		i++
	}
	l.ok = l.ok[i:]
	if len(l.ok) < minSamples {
		// Too few to measure a rate by: fewer in flight, and measure again
		// a round trip later.
		l.limit = max(1, l.limit/2)
		l.quiet = now.Add(l.rtt)
		return
	}
	l.quiet = now.Add(max(l.rtt, time.Second))
	span := max(now.Sub(from), time.Second).Seconds()
	r := rate.Limit(paceBelow * float64(len(l.ok)+l.inFlight) / span)
	if l.pacer == nil {
		l.pacer = rate.NewLimiter(r, 1)
	} else {
		// A second of little demand measures low: never below half the
		// pace at once.
		l.pacer.SetLimitAt(now, max(r, l.pacer.Limit()/2))
	}
}

// Limit returns the current bound on requests in flight.
func (l *Limiter) Limit() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit
}

// Rate returns the pace in requests a second; 0 when not paced.
func (l *Limiter) Rate() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pacer == nil {
		return 0
	}
	return float64(l.pacer.Limit())
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
