package a

import (
	"crypto/rand"
	"errors"
	"io"
)

// A key whose read error is thrown away may be all zero.
type session struct {
	key   [32]byte
	nonce []byte
}

func newSession() *session {
	s := &session{nonce: make([]byte, 12)}
	_, _ = io.ReadFull(rand.Reader, s.key[:]) // want `error from io.ReadFull\(\) is discarded with _ \(s.key\[:\] may be left zero or partly filled\)`
	rand.Read(s.nonce)                        // want `error from rand.Read\(\) is dropped \(s.nonce may be left zero or partly filled\)`
	return s
}

func readHeader(r io.Reader) [8]byte {
	var hdr [8]byte
	io.ReadAtLeast(r, hdr[:], 4) // want `error from io.ReadAtLeast\(\) is dropped \(hdr\[:\] may be left zero`
	return hdr
}

func salt() []byte {
	b := make([]byte, 16)
	n, _ := rand.Reader.Read(b) // want `error from rand.Reader.Read\(\) is discarded with _ \(b may be left zero`
	return b[:n]
}

// Quiet: the error is checked, the bytes are skipped into a buffer made for the call, or drained.
func newSessionChecked() (*session, error) {
	s := &session{}
	if _, err := io.ReadFull(rand.Reader, s.key[:]); err != nil {
		return nil, err
	}
	return s, nil
}

func readFrame(r io.Reader, buf []byte) error {
	n, err := io.ReadFull(r, buf)
	if err != nil {
		return errors.Join(err, errors.New("short frame"))
	}
	_ = n
	return nil
}

func skip(r io.Reader, n int) {
	io.ReadFull(r, make([]byte, n)) // want `error from io.ReadFull\(\) is dropped$`
	io.CopyN(io.Discard, r, int64(n))
}
