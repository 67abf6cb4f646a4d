package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/secondlook/secondlook/findings"
	"github.com/secondlook/secondlook/internal/llm"
	"github.com/secondlook/secondlook/internal/llm/llmtest"
	"github.com/secondlook/secondlook/internal/pipeline"
)

// The eval runs against two fake models kept in test code: a perfect one,
// which knows every case's bugs and reports each whose line the prompt
// shows, and a noisy one, which adds invented lines, quotes, kinds and
// duplicates to the perfect answers.

var (
	fileRE = regexp.MustCompile(`(?m)^File: (\S+)`)
	lineRE = regexp.MustCompile(`(?m)^\s*(\d+)[+ ]\| (.*)$`)
)

type known struct {
	kind, file string
	line       int
	text       string
}

// bugLines returns, for every bug of the cases, one line a model could
// quote: the first line of its first location with some substance.
func bugLines(cases []*Case) []known {
	var out []known
	for _, c := range cases {
		for _, b := range c.Expect {
			l := b.Locations[0]
			lines := strings.Split(string(c.Files[l.File]), "\n")
			for n := l.Start; n <= l.End && n <= len(lines); n++ {
				text := strings.TrimSpace(lines[n-1])
				if len(strings.ReplaceAll(text, " ", "")) >= 6 {
					out = append(out, known{b.Kind, l.File, n, text})
					break
				}
			}
		}
	}
	return out
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

func fakeModel(bugs []known, noisy bool) llmtest.Handler {
	return func(r *llmtest.Request) llmtest.Reply {
		user := r.Last("user")
		m := fileRE.FindStringSubmatch(user)
		if m == nil {
			return llmtest.Reply{Content: `{"findings":[]}`}
		}
		file := m[1]
		claims := []claim{}
		var first, last int
		for _, lm := range lineRE.FindAllStringSubmatch(user, -1) {
			n, _ := strconv.Atoi(lm[1])
			if first == 0 {
				first = n
			}
			last = n
			text := strings.TrimSpace(lm[2])
			for _, b := range bugs {
				if b.file == file && b.line == n && b.text == text {
					c := claim{Kind: b.kind, Line: n, EndLine: n, Quote: text, Message: "A " + b.kind + " here.", Explanation: "It misbehaves.", Confidence: 0.9}
					claims = append(claims, c)
					if noisy {
						dup := c
						dup.Confidence = 0.6
						dup.Message = "The same bug, said again."
						claims = append(claims, dup)
					}
				}
			}
		}
		if noisy && first > 0 {
			claims = append(claims,
				claim{Kind: "data-race", Line: first, EndLine: first, Quote: "counter += shared[idx]", Message: "An invented quote.", Confidence: 0.8},
				claim{Kind: "nil-dereference", Line: last + 40, EndLine: last + 40, Quote: "return nil", Message: "Outside the region.", Confidence: 0.8},
				claim{Kind: "code-smell", Line: first, EndLine: first, Quote: "func", Message: "An unknown kind.", Confidence: 0.8},
			)
		}
		b, _ := json.Marshal(map[string]any{"findings": claims})
		return llmtest.Reply{Content: string(b), PromptTokens: 1000, CompletionTokens: 50}
	}
}

func modelConfig(t *testing.T, h llmtest.Handler) *pipeline.ModelConfig {
	srv := llmtest.NewServer(t, h)
	return &pipeline.ModelConfig{LLM: llm.Config{BaseURL: srv.URL, Model: "fake"}, NoCache: true}
}

func builtinCases(t *testing.T) []*Case {
	t.Helper()
	cases, err := LoadDir(Builtin, "corpus")
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

func TestEvalWithFakeModels(t *testing.T) {
	if testing.Short() {
		t.Skip("scans every corpus case three times")
	}
	cases := builtinCases(t)
	bugs := bugLines(cases)
	ctx := context.Background()

	static, err := Run(ctx, Config{Cases: cases})
	if err != nil {
		t.Fatal(err)
	}
	perfect, err := Run(ctx, Config{Cases: cases, Model: modelConfig(t, fakeModel(bugs, false)), PriceIn: 1, PriceOut: 4})
	if err != nil {
		t.Fatal(err)
	}
	noisy, err := Run(ctx, Config{Cases: cases, Model: modelConfig(t, fakeModel(bugs, true))})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*Report{static, perfect, noisy} {
		for _, c := range r.Results {
			if c.Error != "" || len(c.Failures) > 0 {
				t.Errorf("%s: error %q, failures %v", c.Name, c.Error, c.Failures)
			}
		}
	}
	t.Logf("static:  P %.3f R %.3f oracle %.3f FP/clean %.2f", static.Precision, static.Recall, static.OracleRecall, static.CleanCaseFalsePositives)
	t.Logf("perfect: P %.3f R %.3f oracle %.3f", perfect.Precision, perfect.Recall, perfect.OracleRecall)
	t.Logf("noisy:   P %.3f R %.3f dup %d", noisy.Precision, noisy.Recall, noisy.Duplicates)

	// A perfect model finds every bug that lay inside a region it was shown
	// (and the static pass may find a few more beside it).
	if perfect.Recall < perfect.OracleRecall {
		t.Errorf("perfect model recall %.3f below the oracle recall %.3f", perfect.Recall, perfect.OracleRecall)
	}
	if perfect.OracleRecall == 0 {
		t.Error("no bug lay in any region: the test proves nothing")
	}
	// Verify and Dedup leave the noisy model's precision and recall where
	// the perfect model's are.
	if noisy.Precision != perfect.Precision || noisy.Recall != perfect.Recall {
		t.Errorf("noisy model P %.3f R %.3f, perfect P %.3f R %.3f: the noise got through", noisy.Precision, noisy.Recall, perfect.Precision, perfect.Recall)
	}
	if noisy.Duplicates != perfect.Duplicates {
		t.Errorf("noisy duplicates %d, perfect %d", noisy.Duplicates, perfect.Duplicates)
		for i := range noisy.Results {
			n, p := noisy.Results[i], perfect.Results[i]
			if n.Figures.Duplicates != p.Figures.Duplicates {
				t.Logf("%s: noisy %+v\nperfect %+v", n.Name, n.Findings, p.Findings)
			}
		}
	}
	if perfect.Tokens == 0 || perfect.CostUSD == 0 {
		t.Errorf("tokens %d cost %v: not counted", perfect.Tokens, perfect.CostUSD)
	}
	// The static figures of a model run are the static run's.
	if perfect.Static.TruePositives != static.TruePositives || perfect.Static.FalsePositives != static.FalsePositives {
		t.Errorf("static figures differ inside a model run: %+v vs %+v", perfect.Static, static.Figures)
	}
}

func TestScore(t *testing.T) {
	c := &Case{Expect: []Bug{
		{Kind: "deadlock", Locations: []Location{{File: "a.go", Start: 10, End: 10}, {File: "a.go", Start: 30, End: 34}}},
		{Kind: "nil-dereference", Locations: []Location{{File: "b.go", Start: 5, End: 5}}},
	}}
	rule := func(kind string) string {
		r, ok := findings.RuleByID(kind)
		if !ok {
			t.Fatalf("no rule %s", kind)
		}
		return r.ID
	}
	f := func(kind, file string, line int, conf float64) findings.Finding {
		return findings.Finding{RuleID: rule(kind), Location: findings.Location{File: file, Line: line}, Confidence: conf}
	}
	for _, tc := range []struct {
		name  string
		fs    []findings.Finding
		want  []Match
		tp    int
		fp    int
		dup   int
		slack int
	}{
		{"on the line", []findings.Finding{f("deadlock", "a.go", 10, 1)}, []Match{TruePositive}, 1, 0, 0, 3},
		{"within slack", []findings.Finding{f("deadlock", "a.go", 13, 1)}, []Match{TruePositive}, 1, 0, 0, 3},
		{"past slack", []findings.Finding{f("deadlock", "a.go", 14, 1)}, []Match{FalsePositive}, 0, 1, 0, 3},
		{"inside the alternative range", []findings.Finding{f("deadlock", "a.go", 33, 1)}, []Match{TruePositive}, 1, 0, 0, 3},
		{"a range takes no slack", []findings.Finding{f("deadlock", "a.go", 36, 1)}, []Match{FalsePositive}, 0, 1, 0, 0},
		{"same family, other kind", []findings.Finding{f("goroutine-leak", "a.go", 10, 1)}, []Match{TruePositive}, 1, 0, 0, 3},
		{"other family", []findings.Finding{f("panic", "a.go", 10, 1)}, []Match{FalsePositive}, 0, 1, 0, 3},
		{"other file", []findings.Finding{f("deadlock", "c.go", 10, 1)}, []Match{FalsePositive}, 0, 1, 0, 3},
		{"duplicate, the surer one counts", []findings.Finding{f("deadlock", "a.go", 31, 0.5), f("deadlock", "a.go", 10, 0.9)}, []Match{TruePositive, Duplicate}, 1, 0, 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scored, fig := Score(c, tc.fs, tc.slack)
			var got []Match
			for _, s := range scored {
				got = append(got, s.Match)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || fig.TruePositives != tc.tp || fig.FalsePositives != tc.fp || fig.Duplicates != tc.dup {
				t.Errorf("got %v tp %d fp %d dup %d; want %v %d %d %d", got, fig.TruePositives, fig.FalsePositives, fig.Duplicates, tc.want, tc.tp, tc.fp, tc.dup)
			}
		})
	}
	// A clean case counts its false positives per clean case.
	clean := &Case{}
	_, fig := Score(clean, []findings.Finding{f("deadlock", "a.go", 1, 1)}, 3)
	var total Figures
	total.add(fig)
	total.add(Figures{Cases: 1, CleanCases: 1})
	total.finish()
	if total.CleanCaseFalsePositives != 0.5 || total.CleanCases != 2 {
		t.Errorf("clean figures %+v", total)
	}
}

// TestEvalRunTests: with RunTests, a race the case's own test shows is
// found by the race detector and scored as the case's bug; without, the
// static pass misses it.
func TestEvalRunTests(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a test binary with -race")
	}
	c := &Case{
		Name:   "race-counter",
		Family: findings.FamilyConcurrency,
		Files: map[string][]byte{
			"go.mod": []byte("module example.com/c\n\ngo 1.26\n"),
			"c.go": []byte(`package c

var hits int

// Hit counts twice, once from a new goroutine.
func Hit() {
	done := make(chan bool)
	go func() { hits++; done <- true }()
	hits++
	<-done
}
`),
			"c_test.go": []byte("package c\n\nimport \"testing\"\n\nfunc TestHit(t *testing.T) { Hit() }\n"),
		},
		Expect: []Bug{{Kind: "data-race", Locations: []Location{{File: "c.go", Start: 8, End: 9}}}},
	}
	ctx := context.Background()
	without, err := Run(ctx, Config{Cases: []*Case{c}, Jobs: 1})
	if err != nil {
		t.Fatal(err)
	}
	with, err := Run(ctx, Config{Cases: []*Case{c}, Jobs: 1, RunTests: &pipeline.RunTestsConfig{}})
	if err != nil {
		t.Fatal(err)
	}
	if without.TruePositives != 0 {
		t.Fatalf("the static pass finds the race (%d true positives): the case proves nothing", without.TruePositives)
	}
	r := with.Results[0]
	if with.TruePositives != 1 || len(r.Tests) != 1 || r.Tests[0].Status != "fail" || r.Tests[0].Races != 1 {
		t.Errorf("with --run-tests: %d true positives, tests %+v; want the race found and its package's run listed", with.TruePositives, r.Tests)
	}
	if len(r.Findings) == 0 || r.Findings[0].Finding.Source != findings.SourceRaceDetector {
		t.Errorf("findings %+v; want the race detector's", r.Findings)
	}
}
