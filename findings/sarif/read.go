package sarif

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Read parses a SARIF 2.1.0 log: Write's output, Merge's, or another
// tool's. It checks what Merge and --baseline rely on, not the whole
// schema: that the input is JSON, that its version is 2.1.0, that it has
// runs, and that every run names its tool. Runs of secondlook are read
// into the package's types, and a value of the wrong type is an error;
// runs of other tools keep their JSON in Run.Raw, so that they are written
// back whole, and their fields are filled as far as the types allow.
// Errors do not name the input: the caller knows its name.
func Read(r io.Reader) (*Log, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading SARIF: %w", err)
	}
	// Some Windows tools start the file with a byte order mark, which
	// encoding/json refuses.
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	var top struct {
		Schema  string            `json:"$schema"`
		Version *string           `json:"version"`
		Runs    []json.RawMessage `json:"runs"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		if syn := (*json.SyntaxError)(nil); errors.As(err, &syn) {
			return nil, fmt.Errorf("not valid JSON: %v (at byte %d)", err, syn.Offset)
		}
		return nil, fmt.Errorf("not a SARIF log: %w", err)
	}
	switch {
	case top.Version == nil:
		return nil, errors.New(`not a SARIF log: it has no "version"`)
	case *top.Version != Version:
		return nil, fmt.Errorf("SARIF version %q is not supported, only %s", *top.Version, Version)
	case len(top.Runs) == 0:
		return nil, errors.New("the SARIF log has no runs")
	}
	log := &Log{Schema: top.Schema, Version: Version, Runs: make([]Run, len(top.Runs))}
	for i, raw := range top.Runs {
		run, err := readRun(raw)
		if err != nil {
			return nil, fmt.Errorf("run %d: %w", i, err)
		}
		log.Runs[i] = run
	}
	return log, nil
}

func readRun(raw json.RawMessage) (Run, error) {
	var head struct {
		Tool struct {
			Driver struct {
				Name string `json:"name"`
			} `json:"driver"`
		} `json:"tool"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return Run{}, fmt.Errorf("not a SARIF run: %w", err)
	}
	var run Run
	switch head.Tool.Driver.Name {
	case "":
		return Run{}, errors.New("the run has no tool.driver.name")
	case ToolName:
		if err := json.Unmarshal(raw, &run); err != nil {
			return Run{}, fmt.Errorf("not a run of %s: %w", ToolName, err)
		}
		// As Write writes them, so that a log read and written again
		// stays valid.
		if run.Tool.Driver.Rules == nil {
			run.Tool.Driver.Rules = []ReportingDescriptor{}
		}
		if run.Results == nil {
			run.Results = []Result{}
		}
	default:
		// encoding/json fills what it can and reports the first value of
		// the wrong type; another tool may use a property bag its own way.
		var typeErr *json.UnmarshalTypeError
		if err := json.Unmarshal(raw, &run); err != nil && !errors.As(err, &typeErr) {
			return Run{}, fmt.Errorf("not a SARIF run: %w", err)
		}
		run.Raw = raw
	}
	return run, nil
}

// Fingerprints returns the set of secondlook fingerprints (FingerprintKey)
// of the results of secondlook's runs in the log r holds, for --baseline.
// Results whose baselineState is "absent" were gone when that log was
// written, so they are not counted.
func Fingerprints(r io.Reader) (map[string]bool, error) {
	log, err := Read(r)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, run := range log.Runs {
		if run.Raw != nil || run.Tool.Driver.Name != ToolName {
			continue
		}
		for _, res := range run.Results {
			if fp := res.PartialFingerprints[FingerprintKey]; fp != "" && res.BaselineState != "absent" {
				set[fp] = true
			}
		}
	}
	return set, nil
}
