package eval

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/prompts"
)

// An oracle is a perfect model: an OpenAI-compatible server that answers
// every review request with the case's known bugs that lie in the region
// it is shown, quoting the region's own text. Run through the real client,
// prompts, parser and Verify, it measures the ceiling of the pipeline: the
// recall a model that found every bug it was shown would reach, which only
// region selection, budgets and the check against the code can lower.
type oracle struct {
	srv  *httptest.Server
	bugs []Bug
}

func newOracle(bugs []Bug) *oracle {
	o := &oracle{bugs: bugs}
	o.srv = httptest.NewServer(http.HandlerFunc(o.serve))
	return o
}

func (o *oracle) Close() { o.srv.Close() }

// URL is the base URL to give the client.
func (o *oracle) URL() string { return o.srv.URL + "/v1" }

var (
	headerFile = regexp.MustCompile(`(?m)^File: (.+)$`)
	headerFunc = regexp.MustCompile(`(?m)^Function: .*, lines (\d+)-(\d+)$`)
	codeLine   = regexp.MustCompile(`^\s*(\d+)[+ ]\|(?: (.*))?$`)
)

func (o *oracle) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		http.NotFound(w, r)
		return
	}
	var req struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	user := ""
	for _, m := range req.Messages {
		if m.Role == "user" {
			user = m.Content
		}
	}
	var content string
	if strings.Contains(user, "try to refute the claim") {
		content = `{"reason":"the oracle knows the bug is real","refuted":false}`
	} else {
		content = o.answer(user)
	}
	resp := map[string]any{
		"id": "oracle", "object": "chat.completion", "created": time.Now().Unix(), "model": req.Model,
		"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content}}},
		"usage": map[string]int{"prompt_tokens": len(user) / 4, "completion_tokens": len(content) / 4, "total_tokens": (len(user) + len(content)) / 4},
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

// answer returns the claims for the bugs inside the prompt's region.
func (o *oracle) answer(prompt string) string {
	claims := []prompts.Claim{}
	fm, lm := headerFile.FindStringSubmatch(prompt), headerFunc.FindStringSubmatch(prompt)
	if fm == nil || lm == nil {
		return `{"findings":[]}`
	}
	file := strings.TrimSpace(fm[1])
	start, _ := strconv.Atoi(lm[1])
	end, _ := strconv.Atoi(lm[2])
	text := map[int]string{}
	for _, line := range strings.Split(prompt, "\n") {
		if m := codeLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n >= start && n <= end {
				text[n] = strings.TrimSpace(m[2])
			}
		}
	}
	for _, b := range o.bugs {
		for _, l := range b.Locations {
			if l.File != file || l.End < start || l.Start > end {
				continue
			}
			n, ok := quotable(text, max(l.Start, start), min(l.End, end))
			if !ok {
				continue
			}
			claims = append(claims, prompts.Claim{Kind: b.Kind, Line: n, EndLine: n, Quote: text[n],
				Message: fmt.Sprintf("the known %s of this case", b.Kind), Explanation: "the oracle answers with the ground truth", Confidence: 1})
			break
		}
	}
	out, _ := json.Marshal(map[string]any{"findings": claims})
	return string(out)
}

// quotable returns the first line in lo..hi (or, failing that, within
// three lines of it: a pure deletion's neighbours may be braces) whose text
// is long enough for Verify to accept as a quote.
func quotable(text map[int]string, lo, hi int) (int, bool) {
	ok := func(n int) bool { return findings.Quotable(text[n]) }
	for n := lo; n <= hi; n++ {
		if ok(n) {
			return n, true
		}
	}
	for d := 1; d <= 3; d++ {
		if ok(lo - d) {
			return lo - d, true
		}
		if ok(hi + d) {
			return hi + d, true
		}
	}
	return 0, false
}
