package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

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
