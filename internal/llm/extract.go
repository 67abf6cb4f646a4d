package llm

import (
	"encoding/json"
	"regexp"
	"strings"
)

// ExtractJSON returns the JSON object a model's answer most likely meant as
// its answer, and whether there was one. Models without structured output
// wrap the object in prose, in ```json fences, or after a <think> section;
// ExtractJSON looks, in this order, in the fenced blocks after the last
// </think>, the text after it, the fenced blocks of the whole answer, and
// the whole answer, and returns the first balanced {...} that is valid JSON.
// Braces and quotes inside JSON strings, escaped or not, do not confuse it.
func ExtractJSON(s string) (string, bool) {
	objs := jsonObjects(s, 1)
	if len(objs) == 0 {
		return "", false
	}
	return objs[0], true
}

var fence = regexp.MustCompile("(?s)```[A-Za-z0-9_-]*[ \t]*\n(.*?)```")

// jsonObjects returns up to limit distinct JSON objects found in s, in the
// order ExtractJSON prefers them.
func jsonObjects(s string, limit int) []string {
	var out []string
	seen := make(map[string]bool)
	add := func(text string) {
		for _, o := range objectsIn(text, limit-len(out)) {
			if !seen[o] {
				seen[o] = true
				out = append(out, o)
			}
		}
	}
	addFenced := func(text string) {
		for _, m := range fence.FindAllStringSubmatch(text, -1) {
			add(m[1])
		}
	}
	if i := strings.LastIndex(s, "</think>"); i >= 0 {
		after := s[i+len("</think>"):]
		addFenced(after)
		add(after)
	}
	addFenced(s)
	add(s)
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// maxStarts bounds the '{' tried as the start of an object, so a long
// answer full of unbalanced braces costs linear time, not quadratic.
const maxStarts = 64

// objectsIn returns up to limit valid JSON objects in text, left to right,
// not nested in one another.
func objectsIn(text string, limit int) []string {
	var out []string
	starts := 0
	for i := 0; i < len(text) && len(out) < limit && starts < maxStarts; i++ {
		if text[i] != '{' {
			continue
		}
		starts++
		end := balanced(text, i)
		if end < 0 {
			continue
		}
		if obj := text[i:end]; json.Valid([]byte(obj)) {
			out = append(out, obj)
			i = end - 1
		}
	}
	return out
}

// balanced returns the end (exclusive) of the brace-balanced span starting
// at text[start] == '{', skipping braces inside JSON strings, or -1.
func balanced(text string, start int) int {
	depth, inString, escaped := 0, false, false
	for j := start; j < len(text); j++ {
		c := text[j]
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return -1
}
