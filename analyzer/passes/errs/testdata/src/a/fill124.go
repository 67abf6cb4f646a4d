//go:build go1.24

package a

import (
	"crypto/rand"
	"io"
)

// Correct from Go 1.24: crypto/rand's Read crashes the program rather than
// return an error, so there is none to check.
func newNonce124() []byte {
	b := make([]byte, 12)
	rand.Read(b)
	return b
}

// Correct from Go 1.24 too: rand.Reader cannot fail either.
func newKey124(k *[32]byte) {
	_, _ = io.ReadFull(rand.Reader, k[:])
}

// Buggy still: another reader can end early.
func readHeader124(r io.Reader, h *[8]byte) {
	_, _ = io.ReadFull(r, h[:]) // want `error from io.ReadFull\(\) is discarded with _ \(h\[:\] may be left zero or partly filled\)`
}
