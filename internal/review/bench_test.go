package review

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/internal/llm"
	"github.com/secondlook/secondlook/internal/llm/llmtest"
)

// The review's speed targets, as benchmarks (go test -bench . -benchtime 1x
// ./internal/review/):
//
//   - BenchmarkLatency: 200 regions against a fake answering in 200 ms, at
//     concurrency 8 and 32. Metric x-ideal is wall time over the ideal
//     N·L/C; the target is ≤ 1.15.
//   - BenchmarkRateLimited: a fake that allows R requests a second and
//     answers 429 beyond, with the reset time in x-ratelimit-reset-requests
//     as OpenAI does. Metric x-rate is the achieved rate over R; the target
//     is ≥ 0.9, with zero failures.
//   - BenchmarkRetryAfter: the same limit answered as many proxies and
//     Azure do, with 429 and "Retry-After: 1" alone (no x-ratelimit
//     headers), 417 regions at concurrency 8, 16 and 32, with the CLI's
//     retries. Metrics: x-rate, the worst run (target ≥ 0.9), its mean over
//     the runs, and lost regions (target 0). A run is ten seconds; the
//     phase of the server's second at the start moves it by a few percent.
//   - BenchmarkUnreachable: 400 regions against a server that is not
//     running (every connection refused), with the CLI's retries and real
//     backoff waits. Metric s is the wall time until every region is
//     reported; the target is ≤ 20 s.

func benchRegions(n int) []analyzer.Region {
	rs := make([]analyzer.Region, n)
	for i := range rs {
		rs[i] = regions()[1]
		rs[i].ID = fmt.Sprint(i)
		rs[i].Code += fmt.Sprintf("\n// %d", i)
	}
	return rs
}

func BenchmarkLatency(b *testing.B) {
	const n, latency = 200, 200 * time.Millisecond
	for _, c := range []int{8, 32} {
		b.Run(fmt.Sprintf("c%d", c), func(b *testing.B) {
			srv := llmtest.NewServer(b, func(*llmtest.Request) llmtest.Reply {
				return llmtest.Reply{Delay: latency, Content: answer()}
			})
			cl, err := llm.New(llm.Config{BaseURL: srv.URL, Model: "fake"})
			if err != nil {
				b.Fatal(err)
			}
			ideal := time.Duration(n) * latency / time.Duration(c)
			var worst float64
			for b.Loop() {
				start := time.Now()
				res := Run(context.Background(), benchRegions(n), Config{Client: cl, Model: "fake", Lines: lines, Concurrency: c})
				if len(res.Failures) > 0 {
					b.Fatalf("%d failures", len(res.Failures))
				}
				worst = max(worst, float64(time.Since(start))/float64(ideal))
			}
			b.ReportMetric(worst, "x-ideal")
			b.ReportMetric(float64(srv.MaxInFlight()), "max-in-flight")
		})
	}
}

// bucket allows rate requests a second, with a burst of one second's worth.
type bucket struct {
	mu     sync.Mutex
	rate   float64
	tokens float64
	last   time.Time
}

// take returns 0 when a request may pass, else how long until one may.
func (k *bucket) take() time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := time.Now()
	k.tokens = min(k.rate, k.tokens+now.Sub(k.last).Seconds()*k.rate)
	k.last = now
	if k.tokens >= 1 {
		k.tokens--
		return 0
	}
	return time.Duration((1 - k.tokens) / k.rate * float64(time.Second))
}

func BenchmarkRateLimited(b *testing.B) {
	const n, rate = 200, 40.0
	k := &bucket{rate: rate, last: time.Now()}
	srv := llmtest.NewServer(b, func(*llmtest.Request) llmtest.Reply {
		if wait := k.take(); wait > 0 {
			return llmtest.Reply{Status: 429,
				Header: map[string]string{"x-ratelimit-reset-requests": fmt.Sprintf("%dms", wait.Milliseconds()+1)},
				Body:   `{"error":{"message":"Rate limit reached for requests","type":"requests","code":"rate_limit_exceeded"}}`}
		}
		return llmtest.Reply{Delay: 50 * time.Millisecond, Content: answer()}
	})
	lim := NewLimiter(32)
	cl, err := llm.New(llm.Config{BaseURL: srv.URL, Model: "fake", MaxRetries: 20, Gate: lim.Acquire, OnThrottle: lim.Throttled})
	if err != nil {
		b.Fatal(err)
	}
	var worst = 1e9
	for b.Loop() {
		// Drain the burst so the run measures the sustained rate.
		k.mu.Lock()
		k.tokens, k.last = 0, time.Now()
		k.mu.Unlock()
		start := time.Now()
		res := Run(context.Background(), benchRegions(n), Config{Client: cl, Model: "fake", Lines: lines, Concurrency: 32, Limiter: lim})
		if len(res.Failures) > 0 {
			b.Fatalf("%d failures: %s", len(res.Failures), res.Failures[0].Message)
		}
		achieved := float64(n) / time.Since(start).Seconds()
		worst = min(worst, achieved/rate)
	}
	b.ReportMetric(worst, "x-rate")
	b.ReportMetric(float64(srv.Count()-n*b.N), "429s")
}

func BenchmarkUnreachable(b *testing.B) {
	const n = 400
	base := llmtest.DeadURL(b)
	var worst time.Duration
	var requests int
	for b.Loop() {
		// A new client each time: one remembers that the server is down.
		cl, err := llm.New(llm.Config{BaseURL: base, Model: "fake", MaxRetries: llm.DefaultMaxRetries})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		res := Run(context.Background(), benchRegions(n), Config{Client: cl, Model: "fake", Lines: lines, Concurrency: 8})
		if len(res.Failures) != n {
			b.Fatalf("%d failures for %d regions", len(res.Failures), n)
		}
		worst = max(worst, time.Since(start))
		requests = res.Stats.Requests
	}
	b.ReportMetric(worst.Seconds(), "s")
	b.ReportMetric(float64(requests), "requests")
}

// window allows limit requests in each calendar second, as many proxies
// count them.
type window struct {
	mu    sync.Mutex
	limit int
	sec   int64
	n     int
}

func (w *window) take() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if s := time.Now().Unix(); s != w.sec {
		w.sec, w.n = s, 0
	}
	w.n++
	return w.n <= w.limit
}

func BenchmarkRetryAfter(b *testing.B) {
	const n, rate = 417, 40.0
	for _, c := range []int{8, 16, 32} {
		b.Run(fmt.Sprintf("c%d", c), func(b *testing.B) {
			k := &window{limit: int(rate)}
			srv := llmtest.NewServer(b, func(*llmtest.Request) llmtest.Reply {
				if !k.take() {
					return llmtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "1"},
						Body: `{"error":{"message":"Too Many Requests","type":"rate_limit"}}`}
				}
				return llmtest.Reply{Delay: 150 * time.Millisecond, Content: answer()}
			})
			worst, sum, runs, lost := 1e9, 0.0, 0, 0
			for b.Loop() {
				lim := NewLimiter(c)
				cl, err := llm.New(llm.Config{BaseURL: srv.URL, Model: "fake", MaxRetries: llm.DefaultMaxRetries, Gate: lim.Acquire, OnThrottle: lim.Throttled})
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				res := Run(context.Background(), benchRegions(n), Config{Client: cl, Model: "fake", Lines: lines, Concurrency: c, Limiter: lim})
				answered := n - len(res.Failures)
				x := float64(answered) / time.Since(start).Seconds() / rate
				worst, sum, runs = min(worst, x), sum+x, runs+1
				lost = max(lost, len(res.Failures))
			}
			b.ReportMetric(worst, "x-rate")
			b.ReportMetric(sum/float64(runs), "x-rate-mean")
			b.ReportMetric(float64(lost), "lost")
		})
	}
}
