package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secondlook/secondlook/internal/llm/llmtest"
)

// hygieneKey is an API key distinctive enough that any occurrence in an
// artifact is a leak. keyTail is its random part: a message cut in the
// middle of the key would still show it.
const (
	hygieneKey = "sk-hygiene-proj-7f3a9c1e5b2d4680aa19"
	keyTail    = "7f3a9c1e5b2d4680aa19"
)

// TestKeyAppearsInNoArtifact runs the real CLI through failing runs — a 500
// then a 401 whose body echoes the key, a timeout, an answer that is not
// JSON — and a good one, in every output format, with verbose logging and a
// cache, and then reads every byte the runs left behind: reports, standard
// output and error, and every file under the cache directory. The key must
// appear nowhere, and must still have reached the server as the bearer
// token of every request.
func TestKeyAppearsInNoArtifact(t *testing.T) {
	dir := gitRepo(t)
	cacheDir := t.TempDir()
	artifacts := t.TempDir()
	env := map[string]string{"OPENAI_API_KEY": hygieneKey, "OPENAI_BASE_URL": ""}

	scenarios := []struct {
		name    string
		handler llmtest.Handler
		flags   []string
		failing bool
	}{
		{
			name: "500-then-401",
			handler: llmtest.Sequence(
				llmtest.Error(500, "upstream failed for key "+hygieneKey),
				llmtest.Reply{Status: 401, Body: llmtest.ErrorBody("Incorrect API key provided: "+hygieneKey+". You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key")},
			),
			flags:   []string{"--retries", "2"},
			failing: true,
		},
		{
			name: "timeout",
			handler: func(*llmtest.Request) llmtest.Reply {
				return llmtest.Reply{Delay: 2 * time.Second, Content: `{"findings":[]}`}
			},
			flags:   []string{"--timeout", "100ms", "--retries", "0"},
			failing: true,
		},
		{
			name: "bad-answer",
			handler: func(*llmtest.Request) llmtest.Reply {
				return llmtest.Reply{Content: "I looked at the code and it seems fine to me."}
			},
			flags:   []string{"--retries", "0"},
			failing: true,
		},
		{name: "good", handler: fakeModel},
	}
	formats := []struct{ format, ext string }{{"text", "txt"}, {"json", "json"}, {"sarif", "sarif"}, {"markdown", "md"}}

	var servers []*llmtest.Server
	for _, sc := range scenarios {
		for _, f := range formats {
			srv := llmtest.NewServer(t, sc.handler)
			servers = append(servers, srv)
			name := sc.name + "." + f.format
			args := append([]string{"scan", "-C", dir, "--diff", "HEAD", "-v", "--base-url", srv.URL, "--model", "fake-model",
				"--cache-dir", cacheDir, "--format", f.format, "-o", filepath.Join(artifacts, name+"."+f.ext)}, sc.flags...)
			r := runCLI(t, env, args...)
			if sc.failing && r.code != exitFailure {
				t.Errorf("%s: exit %d, want %d\nstderr: %s", name, r.code, exitFailure, r.stderr)
			}
			// The 401's message, which echoed the key, reaches the user
			// redacted: the test follows the key where it could leak.
			if sc.name == "500-then-401" && !strings.Contains(r.stderr, "[redacted]") {
				t.Errorf("%s: stderr does not show the redacted message:\n%s", name, r.stderr)
			}
			if srv.Count() == 0 {
				t.Errorf("%s: no request reached the server", name)
			}
			for ext, text := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
				if err := os.WriteFile(filepath.Join(artifacts, name+"."+ext), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}

	// The key went where it belongs.
	for _, srv := range servers {
		for _, req := range srv.Requests() {
			if got := req.Header.Get("Authorization"); got != "Bearer "+hygieneKey {
				t.Errorf("request %d: Authorization %q, want the bearer key", req.N, got)
			}
			if strings.Contains(string(req.Raw), keyTail) {
				t.Errorf("request %d: the key is in the request body", req.N)
			}
		}
	}

	// And nowhere else.
	files := 0
	for _, root := range []string{artifacts, cacheDir} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			files++
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if strings.Contains(string(data), keyTail) || strings.Contains(path, keyTail) {
				t.Errorf("the key appears in %s:\n%s", path, data)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Reports and streams of 16 runs, and the good run's cached answer.
	if want := len(scenarios)*len(formats)*3 + 1; files < want {
		t.Errorf("read %d artifacts, want at least %d: the runs did not write what the test greps", files, want)
	}
	if entries, _ := os.ReadDir(cacheDir); len(entries) == 0 {
		t.Error("the cache directory is empty: the test greps no cache entry")
	}
}
