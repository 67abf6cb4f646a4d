// Package review sends regions to a language model and turns its answers
// into verified findings.
//
// Each region is one task of a bounded pool (sourcegraph/conc): redact the
// code, render the prompt, answer from the cache or the model, parse the
// claims, and check each against the code (findings.Verify). A task that
// fails — a model error, an unparseable answer, a panic — becomes that
// region's Failure; it never cancels its siblings. Results are written by
// region index, so the output never depends on timing. Only an error that
// no other region could escape (the server refused the key) stops the run.
package review

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"sync/atomic"

	"github.com/sourcegraph/conc/pool"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/cache"
	"github.com/secondlook/secondlook/internal/llm"
	"github.com/secondlook/secondlook/internal/redact"
	"github.com/secondlook/secondlook/prompts"
)

// Completer is what review needs of a model client; *llm.Client is one.
type Completer interface {
	Complete(ctx context.Context, req llm.Request) (*llm.Response, error)
}

// Config says how to review. Its zero value is not usable: Client (or an
// offline Cache) and Model are required.
type Config struct {
	Client  Completer
	Model   string // names the model in findings and cache keys
	BaseURL string // part of the cache key: another server may answer differently
	// Params describes the request parameters that change answers
	// (temperature, seed, output limit), for the cache key.
	Params string

	// Concurrency bounds the requests in flight. Zero means
	// DefaultConcurrency.
	Concurrency int

	// Limiter, if not nil, is the gate of Client's requests
	// (llm.Config.Gate), bounding them to Concurrency in flight. Then more
	// regions than that are under way at once, so that while some wait out
	// a 429 others use their places: with one region a place, a run whose
	// every worker was told "Retry-After: 1" sent nothing for a second.
	Limiter *Limiter

	Cache   *cache.Cache // nil: no cache
	Offline bool         // answer only from the cache; a miss is a Failure

	NoRedact bool // send code as it is, secrets included

	// Samples asks each region this many times (default 1); a claim is
	// kept when MinVotes answers (default 1) share it.
	Samples  int
	MinVotes int

	// Verify asks the model to refute each claim that survived the check
	// against the code; refuted claims are dropped.
	Verify bool

	Prompt prompts.Options

	// Lines returns the lines of a module-relative file, for verifying
	// claims against the code.
	Lines func(file string) []string

	// Progress, if non-nil, is called after each region.
	Progress func(Progress)
}

// Progress is how far a review has got.
type Progress struct {
	Done, Total int
	CacheHits   int
	Failures    int
	Tokens      int
}

// Stats counts what a review did.
type Stats struct {
	Regions          int            // regions reviewed (answered or failed)
	Answered         int            // regions the model (or the cache) answered
	Requests         int            // HTTP requests sent
	CacheHits        int            // answers taken from the cache
	PromptTokens     int            //
	CompletionTokens int            //
	Redactions       int            // secrets replaced before sending
	Claims           int            // claims the model made
	Dropped          map[string]int // claims dropped, by reason
	Refuted          int            // claims the skeptic pass refuted
}

// Result is what a review produced.
type Result struct {
	Findings []findings.Finding // verified, in region order
	Failures []findings.Failure
	Stats    Stats
	// Fatal, when set, stopped the run: every later region is a Failure
	// too (the server refused the key, does not know the model, or the
	// quota is spent).
	Fatal error
}

// regionResult is one task's output, written by index.
type regionResult struct {
	findings []findings.Finding
	failure  *findings.Failure
	stats    Stats
}

// DefaultConcurrency is the number of requests in flight when
// Config.Concurrency is zero.
const DefaultConcurrency = 8

// waitersPerPlace is how many regions are under way per place in flight
// when a Limiter bounds the requests.
const waitersPerPlace = 4

// Run reviews the regions, the riskiest first.
func Run(ctx context.Context, regions []analyzer.Region, cfg Config) *Result {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	cfg.Samples = max(cfg.Samples, 1)
	cfg.MinVotes = min(max(cfg.MinVotes, 1), cfg.Samples)

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	r := &reviewer{cfg: cfg}
	results := make([]regionResult, len(regions))
	var done, hits, failed, tokens atomic.Int64
	workers := cfg.Concurrency
	if cfg.Limiter != nil {
		workers *= waitersPerPlace
	}
	p := pool.New().WithMaxGoroutines(workers)
	for i := range regions {
		p.Go(func() {
			res := &results[i]
			r.region(ctx, cancel, regions[i], res)
			d := done.Add(1)
			hits.Add(int64(res.stats.CacheHits))
			tokens.Add(int64(res.stats.PromptTokens + res.stats.CompletionTokens))
			if res.failure != nil {
				failed.Add(1)
			}
			if cfg.Progress != nil {
				cfg.Progress(Progress{Done: int(d), Total: len(regions), CacheHits: int(hits.Load()),
					Failures: int(failed.Load()), Tokens: int(tokens.Load())})
			}
		})
	}
	p.Wait()

	out := &Result{Stats: Stats{Dropped: map[string]int{}}}
	for _, rr := range results {
		if rr.failure != nil {
			out.Failures = append(out.Failures, *rr.failure)
		} else {
			out.Stats.Answered++
		}
		out.Findings = append(out.Findings, rr.findings...)
		out.Stats.add(rr.stats)
	}
	if err := context.Cause(ctx); err != nil && llm.IsFatal(err) {
		out.Fatal = err
	}
	return out
}

func (s *Stats) add(o Stats) {
	s.Regions += o.Regions
	s.Requests += o.Requests
	s.CacheHits += o.CacheHits
	s.PromptTokens += o.PromptTokens
	s.CompletionTokens += o.CompletionTokens
	s.Redactions += o.Redactions
	s.Claims += o.Claims
	s.Refuted += o.Refuted
	for k, v := range o.Dropped {
		if s.Dropped == nil {
			s.Dropped = map[string]int{}
		}
		s.Dropped[k] += v
	}
}

type reviewer struct {
	cfg Config
}

// region reviews one region into res. A panic becomes its Failure.
func (r *reviewer) region(ctx context.Context, stop context.CancelCauseFunc, reg analyzer.Region, res *regionResult) {
	defer func() {
		if p := recover(); p != nil {
			res.findings = nil
			res.failure = r.failure(reg, fmt.Sprintf("internal error: %v\n%s", p, debug.Stack()))
		}
	}()
	if err := context.Cause(ctx); err != nil {
		res.failure = r.failure(reg, "not reviewed: "+causeText(err))
		return
	}
	res.stats.Regions = 1

	shown := reg
	if !r.cfg.NoRedact {
		var n, m int
		shown.Code, n = redact.Redact(reg.Code)
		shown.Context, m = redact.Redact(reg.Context)
		res.stats.Redactions = n + m
	}
	prompt := prompts.Render(shown, r.cfg.Prompt)

	votes := make([][]findings.Finding, 0, r.cfg.Samples)
	for s := range r.cfg.Samples {
		content, err := r.ask(ctx, prompt, prompts.AnswerSchema(), "findings", s, validateAnswer, &res.stats)
		if err != nil {
			if llm.IsFatal(err) {
				stop(err) // no other region would fare better
			}
			msg := err.Error()
			if cause := context.Cause(ctx); cause != nil && cause != err && errors.Is(err, cause) {
				// Stopped while waiting to retry: say why the run stopped,
				// not what this attempt last saw.
				msg = "not reviewed: " + causeText(cause)
			}
			res.failure = r.failure(reg, msg)
			return
		}
		claims, err := prompts.ParseAnswer(content)
		if err != nil {
			res.failure = r.failure(reg, "unparseable answer: "+err.Error())
			return
		}
		res.stats.Claims += len(claims)
		var kept []findings.Finding
		lines := r.lines(reg.File)
		for _, c := range claims {
			f, why := findings.Verify(c.Candidate(reg, r.cfg.Model, prompts.Version()), lines)
			if why != "" {
				if res.stats.Dropped == nil {
					res.stats.Dropped = map[string]int{}
				}
				res.stats.Dropped[string(why)]++
				continue
			}
			kept = append(kept, f)
		}
		votes = append(votes, kept)
	}
	// Several claims of one answer may be about one bug: one each, before
	// votes are counted and before the skeptic is asked.
	for i := range votes {
		votes[i] = findings.Dedup(votes[i])
		for j := range votes[i] {
			votes[i][j].Votes = 1 // an answer is one vote, however often it says it
		}
	}
	fs := vote(votes, r.cfg.MinVotes)
	if r.cfg.Verify {
		fs = r.refute(ctx, shown, fs, &res.stats)
	}
	res.findings = fs
}

// validateAnswer lets the client repair an answer that does not parse.
func validateAnswer(content string) error {
	_, err := prompts.ParseAnswer(content)
	return err
}

// ask returns the answer to a prompt: from the cache, or from the model
// (then cached). Sample s > 0 is a separate question with its own key.
func (r *reviewer) ask(ctx context.Context, p prompts.Prompt, schema []byte, schemaName string, sample int, validate func(string) error, st *Stats) (string, error) {
	key := cache.Key(r.cfg.Model, r.cfg.BaseURL, prompts.Version(), r.cfg.Params, p.System, p.User, strconv.Itoa(sample))
	if r.cfg.Cache != nil {
		if b, ok := r.cfg.Cache.Get(key); ok && validate(string(b)) == nil {
			st.CacheHits++
			return string(b), nil
		}
	}
	if r.cfg.Offline {
		return "", errors.New("not in the cache (--offline): run once with a model to fill it")
	}
	if r.cfg.Client == nil {
		return "", errors.New("no model configured")
	}
	req := llm.Request{System: p.System, User: p.User, Schema: schema, SchemaName: schemaName, Validate: validate}
	if sample > 0 {
		// Another sample must be another question, or a deterministic
		// server answers the same: say which sample it is.
		req.User += fmt.Sprintf("\n\n(Independent review %d.)", sample+1)
	}
	resp, err := r.cfg.Client.Complete(ctx, req)
	if resp != nil {
		st.Requests += resp.Requests
		st.PromptTokens += resp.Usage.PromptTokens
		st.CompletionTokens += resp.Usage.CompletionTokens
	}
	if err != nil {
		return "", err
	}
	if r.cfg.Cache != nil {
		// A cache that cannot be written costs a second request later,
		// nothing now.
		_ = r.cfg.Cache.Put(key, []byte(resp.Content))
	}
	return resp.Content, nil
}

// refute runs the skeptic pass over verified findings.
func (r *reviewer) refute(ctx context.Context, reg analyzer.Region, fs []findings.Finding, st *Stats) []findings.Finding {
	var kept []findings.Finding
	for _, f := range fs {
		c := findings.Candidate{
			RegionID: reg.ID, Kind: kindOf(f), File: f.Location.File, Function: f.Function,
			RegionStart: reg.Start, RegionEnd: reg.End,
			Line: f.Location.Line, EndLine: f.Location.EndLine,
			Quote: f.Location.Snippet, Message: f.Message, Explanation: f.Explanation,
			Confidence: f.Confidence, Model: r.cfg.Model, PromptVersion: prompts.Version(),
		}
		p := prompts.RenderVerify(reg, c, r.cfg.Prompt)
		content, err := r.ask(ctx, p, prompts.VerdictSchema(), "verdict", 0, validateVerdict, st)
		if err != nil {
			kept = append(kept, f) // unrefuted: the claim already passed the code check
			continue
		}
		if refuted, _, err := prompts.ParseVerdict(content); err == nil && refuted {
			st.Refuted++
			continue
		}
		kept = append(kept, f)
	}
	return kept
}

func validateVerdict(content string) error {
	_, _, err := prompts.ParseVerdict(content)
	return err
}

func kindOf(f findings.Finding) string {
	if rule, ok := findings.RuleByID(f.RuleID); ok {
		return rule.Kind
	}
	return f.RuleID
}

// vote keeps the findings that at least min of the samples share: same
// rule family and overlapping lines. With one sample it keeps all.
func vote(samples [][]findings.Finding, min int) []findings.Finding {
	if len(samples) == 1 {
		return samples[0]
	}
	var out []findings.Finding
	for i, fs := range samples {
		for _, f := range fs {
			if seenIn(out, f) {
				continue
			}
			n := 1
			for j, other := range samples {
				if j != i && seenIn(other, f) {
					n++
				}
			}
			if n >= min {
				f.Votes = n
				out = append(out, f)
			}
		}
	}
	return out
}

// seenIn reports whether fs has a finding about the same bug as f.
func seenIn(fs []findings.Finding, f findings.Finding) bool {
	for _, o := range fs {
		if findings.SameBug(o, f) {
			return true
		}
	}
	return false
}

func (r *reviewer) lines(file string) []string {
	if r.cfg.Lines == nil {
		return nil
	}
	return r.cfg.Lines(file)
}

func (r *reviewer) failure(reg analyzer.Region, msg string) *findings.Failure {
	return &findings.Failure{
		Stage:   "review",
		Package: reg.Package,
		File:    reg.File,
		Line:    reg.Start,
		Message: fmt.Sprintf("%s: %s", reg.Func, msg),
	}
}

func causeText(err error) string {
	switch {
	case err == nil:
		return "stopped"
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case llm.IsFatal(err):
		return "the run stopped: " + err.Error()
	}
	return err.Error()
}
