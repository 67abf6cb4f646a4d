package a

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
)

// Sizes the code already holds: constants and lengths.
func concat(a, b []byte) []byte {
	out := make([]byte, 0, len(a)+len(b))
	buf := make([]byte, 4096)
	_ = buf
	m := make(map[string]int, 2*len(a))
	_ = m
	idx := make([]int, int(len(b)))
	_ = idx
	return append(append(out, a...), b...)
}

// Readers that hold their data, or are limited where they are passed.
func bounded(w http.ResponseWriter, req *http.Request, s string, data []byte) {
	_, _ = io.ReadAll(strings.NewReader(s))
	_, _ = io.ReadAll(bytes.NewReader(data))
	_, _ = io.ReadAll(io.LimitReader(req.Body, 1<<20))
	_, _ = io.ReadAll(http.MaxBytesReader(w, req.Body, 1<<20))
	var buf bytes.Buffer
	_, _ = io.Copy(w, &buf)
	_ = bufio.NewScanner(strings.NewReader(s))
}

// Loops with a condition.
func count(xs []int) (n int) {
	for i := 0; i < len(xs); i++ {
		n += xs[i]
	}
	for n > 100 {
		n /= 2
	}
	return n
}
