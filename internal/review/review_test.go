package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/cache"
	"github.com/secondlook/secondlook/internal/llm"
	"github.com/secondlook/secondlook/internal/llm/llmtest"
)

// src is the file the regions come from. Get returns with the lock held.
var src = strings.Split(`package store

import "sync"

type Store struct {
	mu sync.Mutex
	m  map[string]int
}

func (s *Store) Get(k string) (int, bool) {
	s.mu.Lock()
	v, ok := s.m[k]
	if !ok {
		return 0, false
	}
	s.mu.Unlock()
	return v, true
}

func (s *Store) Put(k string, v int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = v
}`, "\n")

const secret = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"

func regions() []analyzer.Region {
	code := func(a, b int) string { return strings.Join(src[a-1:b], "\n") }
	return []analyzer.Region{
		{ID: "get", File: "store/store.go", Func: "(*Store).Get", Start: 10, End: 18, Code: code(10, 18) + "\n// token: " + secret, Score: 9},
		{ID: "put", File: "store/store.go", Func: "(*Store).Put", Start: 20, End: 24, Code: code(20, 24), Score: 1},
	}
}

var numbered = regexp.MustCompile(`(?m)^\s*(\d+)[+ ]\| (.*)$`)

// lineOf finds the number the prompt shows for the line holding text.
func lineOf(prompt, text string) int {
	for _, m := range numbered.FindAllStringSubmatch(prompt, -1) {
		if strings.Contains(m[2], text) {
			n, _ := strconv.Atoi(m[1])
			return n
		}
	}
	return 0
}

type claim struct {
	Kind        string  `json:"kind"`
	Line        int     `json:"line"`
	EndLine     int     `json:"end_line"`
	Quote       string  `json:"quote"`
	Message     string  `json:"message"`
	Explanation string  `json:"explanation"`
	Confidence  float64 `json:"confidence"`
}

func answer(cs ...claim) string {
	if cs == nil {
		cs = []claim{}
	}
	b, _ := json.Marshal(map[string]any{"findings": cs})
	return string(b)
}

// noisyModel reports the real bug in Get twice, plus claims the check
// against the code must drop: an invented quote, a line outside the
// region, an unknown kind.
func noisyModel(r *llmtest.Request) llmtest.Reply {
	user := r.Last("user")
	if !strings.Contains(user, "Get") {
		return llmtest.Reply{Content: answer()}
	}
	ret := lineOf(user, "return 0, false")
	real := claim{Kind: "deadlock", Line: ret, EndLine: ret, Quote: "return 0, false",
		Message: "Get returns with s.mu still locked.", Explanation: "The early return skips Unlock.", Confidence: 0.9}
	dup := real
	dup.Confidence = 0.7
	return llmtest.Reply{Content: answer(
		real, dup,
		claim{Kind: "data-race", Line: ret, EndLine: ret, Quote: "s.m[k] = v + 1", Message: "invented", Confidence: 0.5},
		claim{Kind: "nil-dereference", Line: 22, EndLine: 22, Quote: "s.mu.Lock()", Message: "outside the region", Confidence: 0.5},
		claim{Kind: "style", Line: ret, EndLine: ret, Quote: "return 0, false", Message: "unknown kind", Confidence: 0.5},
	)}
}

func client(t *testing.T, url string, onRetry func(int, time.Duration), gate ...*Limiter) *llm.Client {
	t.Helper()
	cfg := llm.Config{
		BaseURL: url, APIKey: "sk-test-0123456789", Model: "fake", MaxRetries: 4,
		Timeout: 2 * time.Second, OnRetry: onRetry,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() },
	}
	if len(gate) > 0 {
		cfg.Gate, cfg.OnThrottle = gate[0].Acquire, gate[0].Throttled
	}
	c, err := llm.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func lines(string) []string { return src }

func TestOnlyVerifiedClaimsSurvive(t *testing.T) {
	srv := llmtest.NewServer(t, noisyModel)
	res := Run(context.Background(), regions(), Config{Client: client(t, srv.URL, nil), Model: "fake", Lines: lines})
	if len(res.Failures) > 0 {
		t.Fatalf("failures: %v", res.Failures)
	}
	fs := findings.Dedup(res.Findings)
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want the one real bug once: %+v", len(fs), fs)
	}
	f := fs[0]
	if f.Location.Line != 14 || f.Source != "model:fake" || !strings.Contains(f.Message, "s.mu still locked") {
		t.Errorf("finding = %+v", f)
	}
	if got := res.Stats.Dropped; got[string(findings.DropQuoteNotFound)] != 1 || got[string(findings.DropOutsideRegion)] != 1 || got[string(findings.DropUnknownKind)] != 1 {
		t.Errorf("dropped = %v", got)
	}
	if res.Stats.Claims != 5 || res.Stats.Requests != 2 {
		t.Errorf("claims %d requests %d, want 5 and 2", res.Stats.Claims, res.Stats.Requests)
	}
}

// TestVotesPerAnswer: a claim repeated inside one answer is one vote.
func TestVotesPerAnswer(t *testing.T) {
	srv := llmtest.NewServer(t, noisyModel) // says the real bug twice
	res := Run(context.Background(), regions(), Config{Client: client(t, srv.URL, nil), Model: "fake", Lines: lines})
	if len(res.Findings) == 0 {
		t.Fatal("no findings: the test proves nothing")
	}
	for _, f := range res.Findings {
		if f.Votes != 1 {
			t.Errorf("%s: %d votes from one answer, want 1", f.Message, f.Votes)
		}
	}
}

func TestSecretsNeverSent(t *testing.T) {
	srv := llmtest.NewServer(t, noisyModel)
	res := Run(context.Background(), regions(), Config{Client: client(t, srv.URL, nil), Model: "fake", Lines: lines})
	for _, r := range srv.Requests() {
		if strings.Contains(string(r.Raw), secret) {
			t.Fatalf("request %d carries the secret", r.N)
		}
	}
	if res.Stats.Redactions != 1 {
		t.Errorf("redactions = %d, want 1", res.Stats.Redactions)
	}
	// --no-redact sends the code as it is.
	srv2 := llmtest.NewServer(t, noisyModel)
	Run(context.Background(), regions(), Config{Client: client(t, srv2.URL, nil), Model: "fake", Lines: lines, NoRedact: true})
	if !strings.Contains(string(srv2.Requests()[0].Raw)+string(srv2.Requests()[1].Raw), secret) {
		t.Error("NoRedact redacted anyway")
	}
}

func TestCacheAnswersTwice(t *testing.T) {
	srv := llmtest.NewServer(t, noisyModel)
	store, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Client: client(t, srv.URL, nil), Model: "fake", Lines: lines, Cache: store}
	first := Run(context.Background(), regions(), cfg)
	n := srv.Count()
	second := Run(context.Background(), regions(), cfg)
	if srv.Count() != n {
		t.Errorf("second run sent %d requests, want 0", srv.Count()-n)
	}
	if second.Stats.CacheHits != 2 || len(second.Findings) != len(first.Findings) {
		t.Errorf("second run: %d cache hits, %d findings (first %d)", second.Stats.CacheHits, len(second.Findings), len(first.Findings))
	}
	// Offline answers from the cache too, and fails what it lacks.
	offline := Run(context.Background(), append(regions(), analyzer.Region{ID: "new", File: "store/store.go", Func: "New", Start: 1, End: 3, Code: "package store"}),
		Config{Model: "fake", Lines: lines, Cache: store, Offline: true})
	if len(offline.Failures) != 1 || !strings.Contains(offline.Failures[0].Message, "--offline") {
		t.Errorf("offline failures = %v", offline.Failures)
	}
}

func TestFailuresAreReportedNotDropped(t *testing.T) {
	// Put's region always fails with 500; Get's is answered.
	srv := llmtest.NewServer(t, func(r *llmtest.Request) llmtest.Reply {
		if strings.Contains(r.Last("user"), "Put") {
			return llmtest.Reply{Status: 500, Body: `{"error":{"message":"boom"}}`}
		}
		return noisyModel(r)
	})
	res := Run(context.Background(), regions(), Config{Client: client(t, srv.URL, nil), Model: "fake", Lines: lines})
	if len(res.Failures) != 1 || res.Failures[0].Stage != "review" || !strings.Contains(res.Failures[0].Message, "(*Store).Put") {
		t.Fatalf("failures = %+v", res.Failures)
	}
	if len(findings.Dedup(res.Findings)) != 1 {
		t.Errorf("the answered region's finding was lost: %+v", res.Findings)
	}
}

func TestAuthStopsTheRun(t *testing.T) {
	srv := llmtest.NewServer(t, func(*llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Status: 401, Body: `{"error":{"message":"bad key","type":"invalid_request_error"}}`}
	})
	var rs []analyzer.Region
	for i := range 20 {
		r := regions()[1]
		r.ID = fmt.Sprint(i)
		rs = append(rs, r)
	}
	res := Run(context.Background(), rs, Config{Client: client(t, srv.URL, nil), Model: "fake", Lines: lines, Concurrency: 2})
	if res.Fatal == nil {
		t.Fatal("a 401 did not stop the run")
	}
	if srv.Count() > 2 {
		t.Errorf("%d requests after a 401, want at most one per worker", srv.Count())
	}
	if len(res.Failures) != len(rs) {
		t.Errorf("%d failures for %d regions: every region must end answered or failed", len(res.Failures), len(rs))
	}
}

// TestUnreachableStopsTheRun: with the server down, a few requests, not
// MaxRetries+1 for each of 400 regions, and every region reported.
func TestUnreachableStopsTheRun(t *testing.T) {
	const n, workers = 400, 8
	res := Run(context.Background(), benchRegions(n), Config{Client: client(t, llmtest.DeadURL(t), nil), Model: "fake", Lines: lines, Concurrency: workers})
	if !errors.Is(res.Fatal, llm.ErrUnreachable) {
		t.Fatalf("Fatal = %v, want ErrUnreachable", res.Fatal)
	}
	if res.Stats.Requests > workers*3 {
		t.Errorf("%d requests to a dead server, want at most %d (three per worker)", res.Stats.Requests, workers*3)
	}
	if len(res.Failures) != n {
		t.Errorf("%d failures for %d regions: every region must end answered or failed", len(res.Failures), n)
	}
	for _, f := range res.Failures {
		if !strings.Contains(f.Message, "cannot reach the model server") {
			t.Errorf("failure %q does not say why", f.Message)
			break
		}
	}
}

func TestPanicBecomesFailure(t *testing.T) {
	res := Run(context.Background(), regions(), Config{Client: panicky{}, Model: "fake", Lines: lines})
	if len(res.Failures) != 2 || !strings.Contains(res.Failures[0].Message, "internal error: boom") {
		t.Errorf("failures = %+v", res.Failures)
	}
}

type panicky struct{}

func (panicky) Complete(context.Context, llm.Request) (*llm.Response, error) { panic("boom") }

// TestThrottle: a server that answers 429 above a rate sees the number in
// flight lowered and every region answered.
func TestThrottle(t *testing.T) {
	var inFlight atomic.Int32
	srv := llmtest.NewServer(t, func(r *llmtest.Request) llmtest.Reply {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		if n > 2 {
			return llmtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "0"}, Body: `{"error":{"message":"slow down","type":"rate_limit"}}`}
		}
		time.Sleep(5 * time.Millisecond)
		return llmtest.Reply{Content: answer()}
	})
	lim := NewLimiter(8)
	var throttled atomic.Int32
	// Retries here come at once (the test's Sleep does not wait), so a
	// region can meet the limiter's probe above the server's bound several
	// times in a row: MaxRetries is high enough that only a limiter that
	// never settles fails the test, and not a run of bad luck on a loaded
	// machine (five 429s in a row did fail a CI run with MaxRetries 4).
	c, err := llm.New(llm.Config{
		BaseURL: srv.URL, APIKey: "sk-test-0123456789", Model: "fake", MaxRetries: 40,
		Timeout: 2 * time.Second,
		OnRetry: func(status int, _ time.Duration) {
			if status == 429 {
				throttled.Add(1)
			}
		},
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() },
		Gate:  lim.Acquire, OnThrottle: lim.Throttled,
	})
	if err != nil {
		t.Fatal(err)
	}
	var rs []analyzer.Region
	for i := range 40 {
		r := regions()[1]
		r.ID = fmt.Sprint(i)
		r.Code += fmt.Sprintf("\n// %d", i)
		rs = append(rs, r)
	}
	res := Run(context.Background(), rs, Config{Client: c, Model: "fake", Lines: lines, Concurrency: 8})
	if len(res.Failures) > 0 {
		t.Fatalf("%d failures: %v", len(res.Failures), res.Failures[0])
	}
	if throttled.Load() == 0 {
		t.Error("the server never throttled: the test proves nothing")
	}
	if lim.Limit() > 8 {
		t.Errorf("limit %d above the maximum", lim.Limit())
	}
}

// TestRetryAfterLosesNothing: a 429 that says when to come back is not a
// failure, however often it comes: no region is lost to it, where five in a
// row (MaxRetries 4) used to fail the region.
func TestRetryAfterLosesNothing(t *testing.T) {
	var n atomic.Int32
	srv := llmtest.NewServer(t, func(r *llmtest.Request) llmtest.Reply {
		if n.Add(1)%7 != 0 {
			return llmtest.Reply{Status: 429, Header: map[string]string{"Retry-After": "1"}, Body: `{"error":{"message":"Too Many Requests","type":"rate_limit"}}`}
		}
		return llmtest.Reply{Content: answer()}
	})
	lim := NewLimiter(8)
	c := client(t, srv.URL, nil, lim)
	const regions = 40
	res := Run(context.Background(), benchRegions(regions), Config{Client: c, Model: "fake", Lines: lines, Concurrency: 8, Limiter: lim})
	if len(res.Failures) > 0 {
		t.Fatalf("%d of %d regions lost to 429s with Retry-After: %s", len(res.Failures), regions, res.Failures[0].Message)
	}
	if srv.Count() < 7*regions {
		t.Errorf("%d requests: the server did not throttle as meant, the test proves nothing", srv.Count())
	}
}

func TestVotesAndVerify(t *testing.T) {
	// Two of three samples report the bug; with --min-votes 2 it stays,
	// and the skeptic pass refutes it.
	var sample atomic.Int32
	srv := llmtest.NewServer(t, func(r *llmtest.Request) llmtest.Reply {
		if r.SchemaName == "verdict" || strings.Contains(r.Last("system"), "refute") {
			return llmtest.Reply{Content: `{"reason":"the caller unlocks","refuted":true}`}
		}
		if !strings.Contains(r.Last("user"), "Get") {
			return llmtest.Reply{Content: answer()}
		}
		if sample.Add(1) == 3 {
			return llmtest.Reply{Content: answer()}
		}
		return noisyModel(r)
	})
	c := client(t, srv.URL, nil)
	res := Run(context.Background(), regions()[:1], Config{Client: c, Model: "fake", Lines: lines, Samples: 3, MinVotes: 2})
	if len(res.Findings) != 1 || res.Findings[0].Votes != 2 {
		t.Fatalf("votes: findings = %+v", res.Findings)
	}
	sample.Store(0)
	res = Run(context.Background(), regions()[:1], Config{Client: c, Model: "fake", Lines: lines, Samples: 3, MinVotes: 3})
	if len(res.Findings) != 0 {
		t.Errorf("min-votes 3 kept %+v", res.Findings)
	}
	sample.Store(0)
	res = Run(context.Background(), regions()[:1], Config{Client: c, Model: "fake", Lines: lines, Verify: true})
	if len(res.Findings) != 0 || res.Stats.Refuted != 1 {
		t.Errorf("verify: findings %+v, refuted %d", res.Findings, res.Stats.Refuted)
	}
}

// TestCancelKeepsWhatFinished: Ctrl-C cancels the requests in flight; the
// regions already answered keep their findings and every other region ends
// as a Failure saying it was interrupted.
func TestCancelKeepsWhatFinished(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := llmtest.NewServer(t, func(r *llmtest.Request) llmtest.Reply {
		if strings.Contains(r.Last("user"), "Get") {
			return noisyModel(r)
		}
		cancel() // the user presses Ctrl-C while Put's region is asked
		return llmtest.Reply{Delay: 5 * time.Second, Content: answer()}
	})
	res := Run(ctx, regions(), Config{Client: client(t, srv.URL, nil), Model: "fake", Lines: lines, Concurrency: 1})
	if len(findings.Dedup(res.Findings)) != 1 {
		t.Errorf("the answered region's finding was lost: %+v", res.Findings)
	}
	if len(res.Failures) != 1 || !strings.Contains(res.Failures[0].Message, "canceled") && !strings.Contains(res.Failures[0].Message, "interrupted") {
		t.Errorf("failures = %+v, want Put's region interrupted", res.Failures)
	}
}
