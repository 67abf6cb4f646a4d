package prompts

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/secondlook/secondlook/analyzer"
	"github.com/secondlook/secondlook/findings"
)

// Claim is one finding as a model wrote it in its answer: the shape that
// AnswerSchema describes.
type Claim struct {
	Kind        string  `json:"kind"`
	Line        int     `json:"line"`
	EndLine     int     `json:"end_line"`
	Quote       string  `json:"quote"`
	Message     string  `json:"message"`
	Explanation string  `json:"explanation"`
	Confidence  float64 `json:"confidence"`
}

// maxProblems caps the problems an error lists: enough for a repair request,
// not a wall of text.
const maxProblems = 5

// ParseAnswer parses a review answer: the JSON object {"findings": [...]}
// that AnswerSchema describes. The caller has already taken the JSON out of
// any prose or code fence around it.
//
// It is strict about shape, so that a claim never reaches Verify with a
// field silently lost, but forgives the slips small local models make: a
// bare array of claims, "findings": null, a missing, null or zero end_line
// or one before line (taken to be line), a line written as a numeric string
// ("42") or a whole float (42.0), a confidence written as a string ("0.8", "80%") or as a percentage
// (80 becomes 0.8). Fields the schema does not know are ignored.
//
// Anything else is an error whose message names each field at fault, in
// words fit for a repair request: "findings[2].line is missing".
func ParseAnswer(content string) ([]Claim, error) {
	v, err := decode(content)
	if err != nil {
		return nil, err
	}
	var items []any
	switch v := v.(type) {
	case map[string]any:
		f, ok := v["findings"]
		if !ok {
			return nil, errors.New(`"findings" is missing: answer {"findings": [...]}`)
		}
		switch f := f.(type) {
		case nil:
		case []any:
			items = f
		default:
			return nil, fmt.Errorf("findings must be an array, got %s", describe(f))
		}
	case []any:
		items = v
	default:
		return nil, fmt.Errorf(`the answer must be a JSON object {"findings": [...]}, got %s`, describe(v))
	}

	claims := make([]Claim, 0, len(items))
	var p problems
	for i, item := range items {
		path := fmt.Sprintf("findings[%d]", i)
		obj, ok := item.(map[string]any)
		if !ok {
			p.add("%s must be an object, got %s", path, describe(item))
			continue
		}
		f := fields{obj: obj, path: path, p: &p}
		c := Claim{
			Kind:        f.str("kind", true),
			Line:        f.line("line", true, 1),
			Quote:       f.str("quote", true),
			Message:     f.str("message", true),
			Explanation: f.str("explanation", true),
			Confidence:  f.confidence("confidence"),
		}
		// An end_line of 0 is taken as missing, and one before line as a slip
		// (Verify moves the claim to where its quote is anyway).
		c.EndLine = max(f.line("end_line", false, 0), c.Line)
		claims = append(claims, c)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return claims, nil
}

// ParseVerdict parses a skeptic's answer, the JSON object {"reason": "...",
// "refuted": bool} that VerdictSchema describes. refuted may also be written
// "true", "false", "yes" or "no"; a missing reason is "".
func ParseVerdict(content string) (refuted bool, reason string, err error) {
	v, err := decode(content)
	if err != nil {
		return false, "", err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return false, "", fmt.Errorf(`the answer must be a JSON object {"reason": "...", "refuted": true or false}, got %s`, describe(v))
	}
	var p problems
	f := fields{obj: obj, p: &p}
	reason = f.str("reason", false)
	switch r := obj["refuted"].(type) {
	case bool:
		refuted = r
	case string:
		switch strings.ToLower(strings.TrimSpace(r)) {
		case "true", "yes":
			refuted = true
		case "false", "no":
		default:
			p.add("refuted must be true or false, got %s", describe(r))
		}
	case nil:
		p.add("refuted is missing")
	default:
		p.add("refuted must be true or false, got %s", describe(r))
	}
	if err := p.err(); err != nil {
		return false, "", err
	}
	return refuted, reason, nil
}

// Candidate turns a claim about region r into a Candidate for
// findings.Verify. It cleans the quote of what models add when they copy
// from the prompt: a code fence or backquotes around it, and the prompt's
// line-number column ("  42+| ") in front of every line.
func (c Claim) Candidate(r analyzer.Region, model, promptVersion string) findings.Candidate {
	end := c.EndLine
	if end < c.Line {
		end = c.Line
	}
	return findings.Candidate{
		RegionID:      r.ID,
		Kind:          c.Kind,
		File:          r.File,
		Function:      r.Func,
		RegionStart:   r.Start,
		RegionEnd:     r.End,
		Line:          c.Line,
		EndLine:       end,
		Quote:         cleanQuote(c.Quote),
		Message:       c.Message,
		Explanation:   c.Explanation,
		Confidence:    c.Confidence,
		Model:         model,
		PromptVersion: promptVersion,
	}
}

// numberColumn matches the line-number column of the code blocks that
// templates/common.tmpl renders.
var numberColumn = regexp.MustCompile(`^[ \t]*[0-9]+[ +]?\|[ ]?`)

func cleanQuote(q string) string {
	// Keep the indentation of the first line: the skeptic reads the quote.
	q = strings.TrimRight(strings.TrimLeft(q, "\r\n"), " \t\r\n")
	if t := strings.TrimSpace(q); strings.HasPrefix(t, "```") {
		q = t
		// A fenced block: drop the fence lines, whatever their length.
		lines := strings.Split(q, "\n")
		lines = lines[1:]
		if n := len(lines); n > 0 && strings.HasPrefix(strings.TrimSpace(lines[n-1]), "```") {
			lines = lines[:n-1]
		}
		q = strings.Join(lines, "\n")
	} else if len(t) >= 2 && t[0] == '`' && t[len(t)-1] == '`' && !strings.Contains(t[1:len(t)-1], "`") {
		q = t[1 : len(t)-1]
	}
	lines := strings.Split(q, "\n")
	numbered := false
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if !numberColumn.MatchString(l) {
			return q
		}
		numbered = true
	}
	if !numbered {
		return q
	}
	for i, l := range lines {
		lines[i] = numberColumn.ReplaceAllString(l, "")
	}
	return strings.Join(lines, "\n")
}

// decode parses exactly one JSON value, keeping numbers as written.
func decode(content string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(content))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if err == io.EOF {
			return nil, errors.New("the answer is empty: answer with a JSON object")
		}
		return nil, fmt.Errorf("the answer is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("the answer has text after the JSON object: answer with the JSON object only")
	}
	return v, nil
}

// problems collects what is wrong with an answer.
type problems struct{ list []string }

func (p *problems) add(format string, args ...any) {
	p.list = append(p.list, fmt.Sprintf(format, args...))
}

func (p *problems) err() error {
	switch n := len(p.list); {
	case n == 0:
		return nil
	case n > maxProblems:
		return fmt.Errorf("%s; and %d more problems", strings.Join(p.list[:maxProblems], "; "), n-maxProblems)
	}
	return errors.New(strings.Join(p.list, "; "))
}

// fields reads the fields of one JSON object, recording problems under
// path.
type fields struct {
	obj  map[string]any
	path string
	p    *problems
}

func (f fields) name(key string) string {
	if f.path == "" {
		return key
	}
	return f.path + "." + key
}

// get returns the field's value, or nil and false if it is missing or null
// (recording that if it is required).
func (f fields) get(key string, required bool) (any, bool) {
	v, ok := f.obj[key]
	if !ok || v == nil {
		if required {
			f.p.add("%s is missing", f.name(key))
		}
		return nil, false
	}
	return v, true
}

func (f fields) str(key string, required bool) string {
	v, ok := f.get(key, required)
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		f.p.add("%s must be a string, got %s", f.name(key), describe(v))
	}
	return s
}

// line reads a line number, at least least: a whole number, or a string
// holding one.
func (f fields) line(key string, required bool, least int) int {
	v, ok := f.get(key, required)
	if !ok {
		return 0
	}
	var num json.Number
	switch v := v.(type) {
	case json.Number:
		num = v
	case string:
		num = json.Number(strings.TrimSpace(v))
	}
	x, err := num.Float64()
	if num == "" || err != nil || x != math.Trunc(x) || x < float64(least) || x > math.MaxInt32 {
		f.p.add("%s must be a line number, got %s", f.name(key), describe(v))
		return 0
	}
	return int(x)
}

// confidence reads a confidence: a number from 0 to 1, or a percentage
// (above 1, up to 100), written as a number or a string, with or without %.
func (f fields) confidence(key string) float64 {
	v, ok := f.get(key, true)
	if !ok {
		return 0
	}
	var s string
	switch v := v.(type) {
	case json.Number:
		s = string(v)
	case string:
		s = strings.TrimSpace(v)
	}
	percent := strings.HasSuffix(s, "%")
	x, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
	if s == "" || err != nil || math.IsNaN(x) || x < 0 || x > 100 {
		f.p.add("%s must be a number from 0.0 to 1.0, got %s", f.name(key), describe(v))
		return 0
	}
	if percent || x > 1 {
		x /= 100
	}
	return x
}

// describe names a JSON value for an error message: its type, and its text
// if it is short.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return "the number " + string(v)
	case string:
		if len(v) > 40 {
			return "a string"
		}
		return "the string " + strconv.Quote(v)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
