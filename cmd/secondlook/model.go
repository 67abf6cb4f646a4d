package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/secondlook/secondlook/internal/pipeline"
)

// defaultModel is asked when OPENAI_API_KEY is set and --model is not: a
// small, cheap model that follows a JSON schema.
const defaultModel = "gpt-4.1-mini"

// Flag categories group --help.
const (
	catModel  = "Model review"
	catOutput = "Output"
	catBudget = "Budget"
)

func modelFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Category: catModel, Name: "model", EnvVars: []string{"SECONDLOOK_MODEL"}, Usage: "the `NAME` of the model to ask (default " + defaultModel + " with OPENAI_API_KEY; required with --base-url)"},
		&cli.StringFlag{Category: catModel, Name: "base-url", EnvVars: []string{"OPENAI_BASE_URL"}, Usage: "an OpenAI-compatible endpoint `URL`, e.g. http://localhost:11434/v1 for Ollama (the key, if any, comes from OPENAI_API_KEY)"},
		&cli.DurationFlag{Category: catModel, Name: "timeout", Value: 2 * time.Minute, Usage: "time limit of one request (`DURATION`, e.g. 90s)"},
		&cli.IntFlag{Category: catModel, Name: "retries", Value: pipeline.DefaultRetries, Usage: "`N` retries of a request on 429, 5xx, timeouts and connection errors"},
		&cli.IntFlag{Category: catModel, Name: "max-output-tokens", Value: 2048, Usage: "`N` output tokens one answer may take"},
		&cli.IntFlag{Category: catModel, Name: "concurrency", Value: pipeline.DefaultConcurrency, Usage: "`N` requests in flight (fewer while the server answers 429)"},
		&cli.StringFlag{Category: catModel, Name: "cache-dir", Usage: "`DIR` where answers, and in DIR/analysis the packages' analysis, are cached (default: the user cache directory)"},
		&cli.BoolFlag{Category: catModel, Name: "no-cache", Usage: "neither read nor write cached answers and analysis"},
		&cli.BoolFlag{Category: catModel, Name: "offline", Usage: "answer only from the cache; a region not in it is a failure"},
		&cli.BoolFlag{Category: catModel, Name: "no-redact", Usage: "send the code as it is (by default likely secrets are replaced before sending)"},
		&cli.IntFlag{Category: catModel, Name: "samples", Value: 1, Usage: "ask each region `N` times and vote (costs N times as much)"},
		&cli.IntFlag{Category: catModel, Name: "min-votes", Value: 1, Usage: "keep a claim that `K` of the samples share"},
		&cli.BoolFlag{Category: catModel, Name: "verify", Usage: "ask the model to refute each claim that survives the check against the code; drop refuted claims"},
		&cli.Float64Flag{Category: catBudget, Name: "price-in", Usage: "`USD` per million input tokens, to estimate and report cost"},
		&cli.Float64Flag{Category: catBudget, Name: "price-out", Usage: "`USD` per million output tokens, to estimate and report cost"},
	}
}

// analysisCacheDir returns the directory of the analysis cache the flags ask
// for: DIR/analysis with --cache-dir DIR, beside the answers in the user
// cache directory by default, "" with --no-cache. A default directory that
// cannot be found or written (no HOME in a container) costs only time: the
// scan goes on without the cache, and says so.
func analysisCacheDir(c *cli.Context) (string, error) {
	if c.Bool("no-cache") {
		return "", nil
	}
	if dir := c.String("cache-dir"); dir != "" {
		return filepath.Join(dir, "analysis"), nil
	}
	dir, err := pipeline.DefaultAnalysisCacheDir()
	if err != nil {
		fmt.Fprintf(c.App.ErrWriter, "secondlook: analysing every package, without the analysis cache: %v\n", err)
		return "", nil
	}
	return dir, nil
}

// modelConfig returns the model configuration the flags and environment
// ask for, or nil when no model is configured.
func modelConfig(c *cli.Context) (*pipeline.ModelConfig, error) {
	key := os.Getenv("OPENAI_API_KEY")
	baseURL := strings.TrimSpace(c.String("base-url"))
	model := strings.TrimSpace(c.String("model"))
	offline := c.Bool("offline")
	if key == "" && baseURL == "" && !offline {
		if c.IsSet("model") {
			return nil, usageErrorf("--model %s: no endpoint configured: set OPENAI_API_KEY for OpenAI, or --base-url (OPENAI_BASE_URL) for a local OpenAI-compatible server", model)
		}
		return nil, nil
	}
	if model == "" {
		if baseURL != "" {
			return nil, usageErrorf("--base-url %s needs --model: the name the server knows the model by (e.g. qwen2.5-coder:7b for Ollama)", baseURL)
		}
		model = defaultModel
	}
	if c.Int("samples") < 1 || c.Int("min-votes") < 1 || c.Int("min-votes") > c.Int("samples") {
		return nil, usageErrorf("--samples N and --min-votes K need 1 ≤ K ≤ N")
	}
	if c.Int("concurrency") < 1 || c.Int("retries") < 0 || c.Int("max-output-tokens") < 0 {
		return nil, usageErrorf("--concurrency takes a number ≥ 1; --retries and --max-output-tokens ≥ 0")
	}
	return &pipeline.ModelConfig{
		LLM: pipeline.LLMConfig{
			BaseURL:         baseURL,
			APIKey:          key,
			Model:           model,
			Timeout:         c.Duration("timeout"),
			MaxRetries:      c.Int("retries"),
			MaxOutputTokens: c.Int("max-output-tokens"),
		},
		Concurrency: c.Int("concurrency"),
		CacheDir:    c.String("cache-dir"),
		NoCache:     c.Bool("no-cache"),
		Offline:     offline,
		NoRedact:    c.Bool("no-redact"),
		Samples:     c.Int("samples"),
		MinVotes:    c.Int("min-votes"),
		Verify:      c.Bool("verify"),
	}, nil
}
