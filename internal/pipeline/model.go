package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/cache"
	"github.com/secondlook/secondlook/internal/llm"
	"github.com/secondlook/secondlook/internal/review"
	"github.com/secondlook/secondlook/internal/runtests"
	"github.com/secondlook/secondlook/prompts"
)

// The defaults every face offers (the CLI's flags, MCP's tools), defined
// once.
const (
	// DefaultMaxTokens is the region budget of a scan whose regions go to
	// a model: large enough for a whole module, small enough that a run
	// cannot cost without bound.
	DefaultMaxTokens = 1_000_000
	// DefaultConcurrency is the number of model requests in flight.
	DefaultConcurrency = review.DefaultConcurrency
	// DefaultRetries is how often a model request is retried.
	DefaultRetries = llm.DefaultMaxRetries
	// DefaultTestTimeout bounds a package's tests (RunTestsConfig.Timeout).
	DefaultTestTimeout = runtests.DefaultTimeout
)

// LLMConfig configures the model client (internal/llm, which only the
// pipeline imports): endpoint, key, model, timeouts, retries.
type LLMConfig = llm.Config

// Progress is how far the model review has got (ModelConfig.Progress).
type Progress = review.Progress

// ModelConfig configures the model review of the selected regions.
type ModelConfig struct {
	// LLM configures the client: endpoint, key, model, timeouts, retries.
	LLM LLMConfig

	// Client, if non-nil, answers instead of a client built from LLM
	// (tests, and callers that wrap the client).
	Client review.Completer

	Concurrency int    // requests in flight; zero means DefaultConcurrency
	CacheDir    string // "" means the default cache directory
	NoCache     bool   // neither read nor write the answer cache
	Offline     bool   // answer only from the cache
	NoRedact    bool   // send secrets as they are
	Samples     int    // answers per region (votes); zero means 1
	MinVotes    int    // answers a claim needs; zero means 1
	Verify      bool   // the skeptic pass

	// Progress, if non-nil, is called as regions are reviewed.
	Progress func(Progress)
}

// analysisLimits bound the analysis cache: an entry unused for a week goes
// (the go command's build cache keeps five days), and past 1 GiB the least
// recently used go. golang.org/x/tools, 300 packages with their tests, takes
// 16 MB.
var analysisLimits = cache.Limits{MaxAge: 7 * 24 * time.Hour, MaxBytes: 1 << 30}

// DefaultAnalysisCacheDir returns the analysis cache's directory in the
// user cache directory, or an error when it cannot be found or written.
func DefaultAnalysisCacheDir() (string, error) {
	dir, err := cache.DefaultAnalysisDir()
	if err == nil {
		_, err = cache.Open(dir)
	}
	return dir, err
}

// openAnalysisCache opens the analysis cache in dir, trimmed once a day.
func openAnalysisCache(dir string) (*cache.Cache, error) {
	c, err := cache.Open(dir)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	// A cache that cannot be trimmed still works; it only grows.
	c.TrimDaily(analysisLimits)
	return c, nil
}

// reviewRegions runs the model over the selected regions and folds its
// findings, failures and figures into the result.
func reviewRegions(ctx context.Context, cfg Config, res *Result, lines *lineReader) error {
	mc := cfg.Model
	rep := res.Report
	rep.Stats.ModelConfigured = true
	rep.Stats.Model = mc.LLM.Model

	var store *cache.Cache
	if !mc.NoCache {
		dir := mc.CacheDir
		if dir == "" {
			d, err := cache.DefaultDir()
			if err != nil {
				return &UsageError{Field: "Model.CacheDir", Err: fmt.Errorf("finding a cache directory: %w", err)}
			}
			dir = d
		}
		c, err := cache.Open(dir)
		if err != nil {
			return &UsageError{Field: "Model.CacheDir", Err: err}
		}
		store = c
	}
	if mc.Offline && store == nil {
		return &UsageError{Field: "Model.Offline", Err: ErrOfflineNoCache}
	}

	// The limiter bounds the requests in flight to Concurrency and slows
	// them down while the server answers 429.
	var limiter *review.Limiter
	client := mc.Client
	if client == nil && !mc.Offline {
		limiter = review.NewLimiter(cmp.Or(mc.Concurrency, DefaultConcurrency))
		lc := mc.LLM
		lc.Gate, lc.OnThrottle = limiter.Acquire, limiter.Throttled
		c, err := llm.New(lc)
		if err != nil {
			return &UsageError{Field: "Model.LLM", Err: err}
		}
		client = c
	}

	rr := review.Run(ctx, res.Selection.Regions, review.Config{
		Client:      client,
		Model:       mc.LLM.Model,
		BaseURL:     mc.LLM.BaseURL,
		Params:      fmt.Sprintf("t=%g seed=%v out=%d", mc.LLM.Temperature, seedOf(mc.LLM.Seed), mc.LLM.MaxOutputTokens),
		Concurrency: cmp.Or(mc.Concurrency, DefaultConcurrency),
		Limiter:     limiter,
		Cache:       store,
		Offline:     mc.Offline,
		NoRedact:    mc.NoRedact,
		Samples:     mc.Samples,
		MinVotes:    mc.MinVotes,
		Verify:      mc.Verify,
		Prompt:      prompts.Options{ModulePath: res.Module.Path, GoVersion: res.Module.GoVersion},
		Lines:       lines.lines,
		Progress:    mc.Progress,
	})
	st := &rep.Stats
	st.Requests = rr.Stats.Requests
	st.CacheHits = rr.Stats.CacheHits
	st.PromptTokens = rr.Stats.PromptTokens
	st.CompletionTokens = rr.Stats.CompletionTokens
	st.Redactions = rr.Stats.Redactions
	st.Claims = rr.Stats.Claims
	st.Dropped = rr.Stats.Dropped
	st.Refuted = rr.Stats.Refuted
	st.Reviewed = rr.Stats.Answered
	rep.Failures = append(rep.Failures, rr.Failures...)
	rep.Findings = append(rep.Findings, rr.Findings...)
	if rr.Fatal != nil {
		fe := &FatalError{Err: rr.Fatal}
		for _, f := range rr.Failures {
			if fe.Stopped(f) {
				fe.Unreviewed++
			}
		}
		return fe
	}
	return nil
}

func seedOf(p *int) string {
	if p == nil {
		return "default"
	}
	return fmt.Sprint(*p)
}

// FatalError stopped the model review part-way (the server refused the
// key). The result is still returned, with what finished; the regions not
// reviewed are among its Failures. Its message is every face's: why, once,
// rather than once a region.
type FatalError struct {
	Err        error
	Unreviewed int // regions it left unreviewed
}

func (e *FatalError) Error() string {
	msg := "model review stopped: " + e.Err.Error()
	if e.Unreviewed > 0 {
		msg += fmt.Sprintf("; %s not reviewed (listed in the report)", plural(e.Unreviewed, "region"))
	}
	return msg
}

func (e *FatalError) Unwrap() error { return e.Err }

// Stopped reports whether f is a region that e left unreviewed: a face
// that has said why once need not say it again for each.
func (e *FatalError) Stopped(f findings.Failure) bool {
	return f.Stage == "review" && strings.Contains(f.Message, e.Err.Error())
}

// plural returns "1 noun" or "n nouns".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
