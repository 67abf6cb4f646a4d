package eval

import (
	"slices"

	"github.com/secondlook/secondlook/findings"
)

// Figures are the scores of a set of cases.
type Figures struct {
	Cases                   int     `json:"cases"`
	Bugs                    int     `json:"bugs"`
	TruePositives           int     `json:"true_positives"`
	FalsePositives          int     `json:"false_positives"`
	FalseNegatives          int     `json:"false_negatives"`
	Duplicates              int     `json:"duplicates"`
	Precision               float64 `json:"precision"`
	Recall                  float64 `json:"recall"`
	F1                      float64 `json:"f1"`
	OracleRecall            float64 `json:"oracle_recall"` // bugs inside a region sent (or that would be) to a model
	CleanCases              int     `json:"clean_cases"`
	CleanCaseFalsePositives float64 `json:"clean_case_false_positives"` // false positives per clean case
	Tokens                  int     `json:"tokens"`
	CostUSD                 float64 `json:"cost_usd"`
	CostPerTruePositive     float64 `json:"cost_per_true_positive"` // USD; 0 without true positives or prices
	Failures                int     `json:"failures"`

	// RegionTokens are the tokens of the regions selected (what a model
	// reads, instructions aside); PerCase divides them by Cases.
	RegionTokens        int     `json:"region_tokens"`
	RegionTokensPerCase float64 `json:"region_tokens_per_case"`

	// The full-scan ranking of cases that name their bug's functions:
	// Ranked such cases, RankSelected whose function is a region at all,
	// RankTop whose function lies within the riskiest TopShare of the
	// region tokens of its packages.
	Ranked         int     `json:"ranked"`
	RankSelected   int     `json:"rank_selected"`
	RankTop        int     `json:"rank_top"`
	FullScanRecall float64 `json:"full_scan_function_recall"` // RankSelected / Ranked
	TopShare       float64 `json:"top_share"`                 // RankTop / Ranked

	inRegion      int // bugs inside a selected region
	cleanFalsePos int
}

func (f *Figures) addRank(r *Rank) {
	f.Ranked++
	if r.Selected {
		f.RankSelected++
	}
	if r.Top {
		f.RankTop++
	}
}

// finish derives the ratios from the counts.
func (f *Figures) finish() {
	f.FalseNegatives = f.Bugs - f.TruePositives
	if n := f.TruePositives + f.FalsePositives; n > 0 {
		f.Precision = ratio(f.TruePositives, n)
	}
	if f.Bugs > 0 {
		f.Recall = ratio(f.TruePositives, f.Bugs)
		f.OracleRecall = ratio(f.inRegion, f.Bugs)
	}
	if f.Precision+f.Recall > 0 {
		f.F1 = round(2 * f.Precision * f.Recall / (f.Precision + f.Recall))
	}
	if f.CleanCases > 0 {
		f.CleanCaseFalsePositives = ratio(f.cleanFalsePos, f.CleanCases)
	}
	if f.Cases > 0 {
		f.RegionTokensPerCase = round(float64(f.RegionTokens) / float64(f.Cases))
	}
	if f.Ranked > 0 {
		f.FullScanRecall = ratio(f.RankSelected, f.Ranked)
		f.TopShare = ratio(f.RankTop, f.Ranked)
	}
	f.CostUSD = round6(f.CostUSD)
	if f.TruePositives > 0 {
		f.CostPerTruePositive = round6(f.CostUSD / float64(f.TruePositives))
	}
}

func (f *Figures) add(o Figures) {
	f.Cases += o.Cases
	f.Bugs += o.Bugs
	f.TruePositives += o.TruePositives
	f.FalsePositives += o.FalsePositives
	f.Duplicates += o.Duplicates
	f.CleanCases += o.CleanCases
	f.Tokens += o.Tokens
	f.CostUSD += o.CostUSD
	f.Failures += o.Failures
	f.RegionTokens += o.RegionTokens
	f.Ranked += o.Ranked
	f.RankSelected += o.RankSelected
	f.RankTop += o.RankTop
	f.inRegion += o.inRegion
	f.cleanFalsePos += o.cleanFalsePos
}

func ratio(a, b int) float64 { return round(float64(a) / float64(b)) }

func round(x float64) float64  { return float64(int(x*10000+0.5)) / 10000 }
func round6(x float64) float64 { return float64(int(x*1e6+0.5)) / 1e6 }

// Match is how one finding scored.
type Match string

const (
	TruePositive  Match = "true-positive"
	Duplicate     Match = "duplicate"
	FalsePositive Match = "false-positive"
)

// Scored is a finding with its verdict.
type Scored struct {
	Finding findings.Finding `json:"finding"`
	Match   Match            `json:"match"`
	Bug     int              `json:"bug,omitempty"` // 1-based index into the case's Expect, for a match
}

// Score matches a case's findings against its known bugs. A finding matches
// a bug when it lies in the same file, on a listed line (± slack) or inside
// a listed range, with a kind of the same family. A bug counts once; more
// findings on it are duplicates; any other finding is a false positive.
// Findings are taken in order of confidence, so a bug is credited to the
// surest claim.
func Score(c *Case, fs []findings.Finding, slack int) ([]Scored, Figures) {
	order := slices.Clone(fs)
	slices.SortStableFunc(order, func(a, b findings.Finding) int {
		switch {
		case a.Confidence > b.Confidence:
			return -1
		case a.Confidence < b.Confidence:
			return 1
		}
		return 0
	})
	fig := Figures{Cases: 1, Bugs: len(c.Expect)}
	if c.Clean() {
		fig.CleanCases = 1
	}
	found := make([]bool, len(c.Expect))
	var out []Scored
	for _, f := range order {
		s := Scored{Finding: f, Match: FalsePositive}
		for i, b := range c.Expect {
			if !matches(f, b, slack) {
				continue
			}
			if !found[i] {
				found[i] = true
				s.Match, s.Bug = TruePositive, i+1
				break
			}
			s.Match, s.Bug = Duplicate, i+1
		}
		switch s.Match {
		case TruePositive:
			fig.TruePositives++
		case Duplicate:
			fig.Duplicates++
		default:
			fig.FalsePositives++
			if c.Clean() {
				fig.cleanFalsePos++
			}
		}
		out = append(out, s)
	}
	return out, fig
}

// matches reports whether a finding is about a known bug.
func matches(f findings.Finding, b Bug, slack int) bool {
	rule, ok := findings.RuleByID(f.RuleID)
	if !ok {
		return false
	}
	fam, _ := findings.KindFamily(b.Kind)
	if rule.Family != fam {
		return false
	}
	for _, l := range b.Locations {
		if l.File != f.Location.File {
			continue
		}
		lo, hi := l.Start, l.End
		if lo == hi {
			lo, hi = lo-slack, hi+slack
		}
		if f.Location.Line <= hi && f.Location.Last() >= lo {
			return true
		}
	}
	return false
}

// inRegion reports whether any location of a bug lies inside one of the
// regions, given as file and line spans.
func inRegion(b Bug, regions []span) bool {
	for _, l := range b.Locations {
		for _, r := range regions {
			if r.file == l.File && l.Start <= r.end && l.End >= r.start {
				return true
			}
		}
	}
	return false
}

type span struct {
	file       string
	start, end int
}
