package a

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"strings"
)

// ---- index-arith ----

// Buggy: looks one past the end on the last iteration.
func pairs(tokens []string) []string {
	var out []string
	for i := range tokens {
		out = append(out, tokens[i]+tokens[i+1]) // want `tokens\[i\+1\] computes i \+ 1; no comparison against a length before it`
	}
	return out
}

// Buggy: the header length is not checked before slicing.
func readFrame(buf []byte, off int) []byte {
	n := int(buf[off])          // want `buf\[off\] indexes with parameter off`
	return buf[off+1 : off+1+n] // want `buf\[off\+1 : off\+1\+n\] computes off \+ 1`
}

// Correct: the loop bound keeps i+1 inside.
func diffs(xs []int) []int {
	var out []int
	for i := 0; i+1 < len(xs); i++ {
		out = append(out, xs[i+1]-xs[i])
	}
	return out
}

// Correct: length checked before the fixed-size read.
func readUint32(buf []byte, off int) (uint32, bool) {
	if len(buf) < off+4 {
		return 0, false
	}
	b := buf[off : off+4]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24, true
}

// Correct: i-1 only after i > 0.
func dedupe(sorted []string) []string {
	var out []string
	for i := range sorted {
		if i > 0 && sorted[i-1] == sorted[i] {
			continue
		}
		out = append(out, sorted[i])
	}
	return out
}

type limits struct{ Size, Back int }

// Buggy: the split point is computed one assignment before the index, and
// end may already lie past the text.
func splitAt(text []rune, lim limits) int {
	end := lim.Size
	for r := 0; r < lim.Back; r++ {
		p := end - r
		if text[p] == ' ' { // want `text\[p\] indexes with p, computed as end - r; no comparison against a length before it`
			return p
		}
	}
	return end
}

// Correct: the computed index is compared with the length first.
func nextWord(words []string, lim limits) string {
	j := lim.Size + 1
	if j >= len(words) {
		return ""
	}
	return words[j]
}

// Correct (for this category): the last element is index-last-unchecked's to judge.
func top(stack []int) int {
	last := len(stack) - 1
	return stack[last]
}

// Correct: j changes after it is computed, so the sum says nothing of it.
func clampedNext(s string, lim limits) byte {
	j := lim.Size + 1
	j = min(j, len(s)-1)
	return s[j]
}

// ---- index-last-unchecked ----

type Stack struct{ items []int }

// Buggy: pops from an empty stack.
func (s *Stack) Pop() int {
	v := s.items[len(s.items)-1] // want `s.items\[len\(s.items\)-1\] with no length check of s.items earlier in the function`
	s.items = s.items[:len(s.items)-1]
	return v
}

// Correct: emptiness is checked first.
func (s *Stack) TryPop() (int, bool) {
	if len(s.items) == 0 {
		return 0, false
	}
	v := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return v, true
}

// Buggy: a line without "=" has one part only.
func parseKV(line string) (string, string) {
	kv := strings.Split(line, "=")
	return kv[0], kv[1] // want `kv\[1\] with no length check of kv earlier in the function`
}

// Buggy: an empty name panics.
func isPrivate(name string) bool {
	return name[0] == '_' // want `name\[0\] with no length check of name earlier in the function`
}

// Correct: checks the length, ranges over it, or reads os.Args[0].
func firstWord(line string, args []string) string {
	parts := strings.Split(line, " ")
	first := parts[0]
	if len(args) > 1 {
		first += args[1]
	}
	for _, a := range args {
		first += args[0] + a
	}
	if line != "" && line[0] == '#' {
		return ""
	}
	return first + os.Args[0]
}

// Correct: arrays are checked by the compiler.
func digest(sum [32]byte) byte {
	return sum[0] ^ sum[len(sum)-1]
}

// ---- index-decoded / index-param ----

type pageReq struct {
	Page  int `json:"page"`
	Items []string
}

var pages = [][]string{{"a"}, {"b"}}

// Buggy: the page number comes straight from the request body.
func servePage(body []byte) []string {
	var req pageReq
	if err := json.Unmarshal(body, &req); err != nil {
		return nil
	}
	return pages[req.Page] // want `pages\[req.Page\] indexes with decoded field req.Page; no comparison against a length before it`
}

// Buggy: Atoi result used directly.
func pick(choices []string, arg string) string {
	n, err := strconv.Atoi(arg)
	if err != nil {
		return ""
	}
	return choices[n-1] // want `choices\[n-1\] indexes with strconv.Atoi result n`
}

// Buggy (weakly): a parameter index with no bound check.
func column(row []string, col int) string {
	return row[col] // want `row\[col\] indexes with parameter col`
}

// Correct: the bound is checked on a converted copy of the index (a hint
// saying "no comparison against a length" here would be false).
func apiName(names []string, key int16) string {
	if i := int(key); i < len(names) && i >= 0 {
		return names[key]
	}
	return ""
}

// Correct: bounds checked against len.
func pickChecked(choices []string, arg string) (string, bool) {
	n, err := strconv.Atoi(arg)
	if err != nil || n < 1 || n > len(choices) {
		return "", false
	}
	return choices[n-1], true
}

// Correct: a range loop's own index.
func sum(xs []int, scale int) int {
	t := 0
	for i := range xs {
		t += xs[i] * scale
	}
	return t
}

// Correct: array with a constant bound check.
func weekday(names [7]string, d int) string {
	if d < 0 || d >= 7 {
		return ""
	}
	return names[d]
}

// ---- index-of-unchecked ----

// Buggy: a header line without ':' panics.
func headerName(line string) string {
	i := strings.Index(line, ":")
	return strings.TrimSpace(line[:i]) // want `line\[:i\] uses i from strings.Index without checking for -1`
}

// Buggy: the call sits in the slice bound.
func ext(name []byte) []byte {
	return name[bytes.LastIndexByte(name, '.'):] // want `uses bytes.LastIndexByte result without checking for -1`
}

// Correct: the -1 case is handled.
func headerValue(line string) string {
	if i := strings.IndexByte(line, ':'); i >= 0 {
		return strings.TrimSpace(line[i+1:])
	}
	return ""
}

// Odd code must not panic the pass.
func generic[T any](xs []T, i int) T {
	if i < len(xs) {
		return xs[i]
	}
	var zero T
	return zero
}

func stub(x int) int

var lit = func(b []byte) byte {
	if len(b) == 0 {
		return 0
	}
	return b[len(b)-1]
}

var _ = generic[int]

// Buggy (weakly): a derived parameter index.
func pixel(pix []byte, x, stride int) byte {
	i := x * stride
	return pix[i] // want `pix\[i\] indexes with i from parameter x`
}

// Correct: an array indexed in a loop bounded by a constant.
func rows(b *[64]int32) int32 {
	var t int32
	for i := 0; i < 8; i++ {
		t += b[4*8+i]
	}
	return t
}

// Correct: the rest after a range index is at most the whole slice.
func rest(args []string) [][]string {
	var out [][]string
	for i := range args {
		out = append(out, args[i+1:])
	}
	return out
}

// Correct: -1+1 == 0 keeps the whole name on purpose.
func base(p string) string {
	return p[strings.LastIndex(p, "/")+1:]
}
