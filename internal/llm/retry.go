package llm

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	backoffBase = time.Second      // the first retry waits up to this long
	backoffCap  = 60 * time.Second // no backoff step waits longer
	maxHint     = 5 * time.Minute  // no server hint makes us wait longer
)

// unreachableAfter is how many connection failures in a row, from a server
// that has never answered, make it unreachable rather than busy. Three
// attempts span the first two backoff steps (up to 3s): a server that is
// starting up gets that long; one that is not running, a mistyped host or a
// certificate that does not verify stop the run in seconds instead of being
// asked MaxRetries+1 times for every region.
const unreachableAfter = 3

// failure is one attempt's error and what to do about it.
type failure struct {
	err       error
	status    int           // HTTP status of an error answer; 0 for a connection error, a timeout or a body cut off
	retry     bool          // worth another attempt
	wait      time.Duration // the server's hint, 0 if none
	transport error         // the connection failed before any HTTP answer (refused, DNS, TLS): the cause
}

// backoff returns the wait before retry number attempt+1. When the server
// said how long to wait, that, plus a little jitter (a tenth of it and up to
// 10ms) so that workers told together do not retry together: a rate limit's
// reset time is precise, and waiting longer wastes the quota that comes
// back. Otherwise full jitter over an exponential ceiling (base 1s, factor
// 2, cap 60s).
func backoff(attempt int, hint time.Duration) time.Duration {
	if hint > 0 {
		return hint + rand.N(hint/10+10*time.Millisecond)
	}
	ceiling := backoffCap
	if attempt < 6 { // 1s<<6 is past the cap
		ceiling = min(backoffCap, backoffBase<<attempt)
	}
	return rand.N(ceiling + 1)
}

// hints are the waits a response's headers ask for.
type hints struct {
	retryAfter time.Duration // Retry-After or retry-after-ms
	reset      time.Duration // the larger of x-ratelimit-reset-requests and -tokens
}

// parseHints reads the headers of an error answer. Retry-After is seconds
// or an HTTP date; retry-after-ms (sent by OpenAI and Azure) is
// milliseconds; x-ratelimit-reset-requests and -tokens are OpenAI's
// durations ("1s", "6m0s", "20ms"), which some compatible servers send as
// plain seconds. Unparseable values are ignored.
func parseHints(h http.Header, now time.Time) hints {
	var hs hints
	if h == nil {
		return hs
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil {
			hs.retryAfter = seconds(secs)
		} else if t, err := http.ParseTime(v); err == nil {
			hs.retryAfter = max(t.Sub(now), 0)
		}
	}
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil {
			hs.retryAfter = max(hs.retryAfter, seconds(ms/1000))
		}
	}
	for _, k := range []string{"X-Ratelimit-Reset-Requests", "X-Ratelimit-Reset-Tokens"} {
		v := strings.TrimSpace(h.Get(k))
		if v == "" {
			continue
		}
		if d, err := time.ParseDuration(v); err == nil {
			hs.reset = max(hs.reset, d)
		} else if secs, err := strconv.ParseFloat(v, 64); err == nil {
			hs.reset = max(hs.reset, seconds(secs))
		}
	}
	return hs
}

func seconds(s float64) time.Duration {
	if s <= 0 || s != s {
		return 0
	}
	if s > maxHint.Seconds() {
		return maxHint
	}
	return time.Duration(s * float64(time.Second))
}

// wait returns the largest hint that applies to status, capped. The reset
// headers come with every OpenAI answer, so they count only for a 429,
// where they say when the exhausted limit refills.
func (hs hints) wait(status int) time.Duration {
	w := hs.retryAfter
	if status == http.StatusTooManyRequests {
		w = max(w, hs.reset)
	}
	return min(max(w, 0), maxHint)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
