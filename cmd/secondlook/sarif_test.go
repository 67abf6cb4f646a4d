package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/secondlook/secondlook/internal/pipeline"
	"github.com/secondlook/secondlook/internal/sarifschema"
)

// TestSARIFOutputValid runs the command end to end on a module with
// findings and a package that does not load, and validates what it prints
// against the OASIS schema.
func TestSARIFOutputValid(t *testing.T) {
	var stdout, stderr bytes.Buffer
	dir := filepath.Join("testdata", "sarifmod")
	code := run(context.Background(), []string{"secondlook", "scan", "-q", "--format", "sarif", "-C", dir, "./..."}, nil, &stdout, &stderr)
	if code != exitFailure {
		t.Errorf("exit code %d, want %d (a package does not load)\nstderr: %s", code, exitFailure, stderr.String())
	}
	if err := sarifschema.Validate(stdout.Bytes()); err != nil {
		t.Fatalf("not valid SARIF 2.1.0: %v\n%s", err, stdout.String())
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
			Invocations []struct {
				ExecutionSuccessful bool              `json:"executionSuccessful"`
				Notifications       []json.RawMessage `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Results) < 2 {
		t.Errorf("got %d results, want the nilness and printf findings", len(run.Results))
	}
	if inv := run.Invocations[0]; inv.ExecutionSuccessful || len(inv.Notifications) == 0 {
		t.Errorf("invocation = %+v, want a failed execution with the load error as a notification", inv)
	}
}

// TestLinkBase: markdown links findings to their lines where the
// repository is known.
func TestLinkBase(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	res := &pipeline.Result{Remote: "git@github.com:o/r.git", Revision: "abc123", ModulePrefix: "sub/"}
	if got, want := linkBase(getenv, res), "https://github.com/o/r/blob/abc123/sub/"; got != want {
		t.Errorf("from the remote: %q, want %q", got, want)
	}
	env = map[string]string{"GITHUB_SERVER_URL": "https://github.example.com", "GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": "fff"}
	if got, want := linkBase(getenv, res), "https://github.example.com/o/r/blob/fff/sub/"; got != want {
		t.Errorf("in Actions: %q, want %q", got, want)
	}
	for remote, want := range map[string]string{
		"https://x-token:secret@github.com/o/r.git": "https://github.com/o/r",
		"ssh://git@gitlab.com/g/p.git":              "https://gitlab.com/g/p",
		"/srv/git/r.git":                            "",
	} {
		if got := remoteWebURL(remote); got != want {
			t.Errorf("remoteWebURL(%q) = %q, want %q", remote, got, want)
		}
	}
	if got := linkBase(func(string) string { return "" }, &pipeline.Result{}); got != "" {
		t.Errorf("no repository known: %q, want none", got)
	}
}
