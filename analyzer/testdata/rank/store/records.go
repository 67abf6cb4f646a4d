// Package store keeps records in files and in a SQL database.
package store

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// ErrCorrupt is returned for a record file that does not parse.
var ErrCorrupt = errors.New("store: corrupt record")

// ErrBadKey is returned for keys that are not plain names.
var ErrBadKey = errors.New("store: bad key")

// FileStore keeps one record per file under Dir.
type FileStore struct {
	Dir string

	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// keyLock returns the lock of one key, making it on first use.
func (s *FileStore) keyLock(key string) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locks == nil {
		s.locks = make(map[string]*sync.Mutex)
	}
	l, ok := s.locks[key]
	if !ok {
		l = new(sync.Mutex)
		s.locks[key] = l
	}
	return l
}

func (s *FileStore) path(key string) (string, error) {
	if key == "" || key != filepath.Base(key) || strings.HasPrefix(key, ".") {
		return "", fmt.Errorf("%w: %q", ErrBadKey, key)
	}
	return filepath.Join(s.Dir, key+".rec"), nil
}

// Put writes a record atomically: a reader sees the old or the new one.
func (s *FileStore) Put(key string, payload []byte) (err error) {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	l := s.keyLock(key)
	l.Lock()
	defer l.Unlock()

	tmp, err := os.CreateTemp(s.Dir, ".put-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriter(tmp)
	if _, err = fmt.Fprintf(w, "%d\n", len(payload)); err != nil {
		return err
	}
	if _, err = w.Write(payload); err != nil {
		return err
	}
	if err = w.Flush(); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Get reads a record.
func (s *FileStore) Get(key string) ([]byte, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readRecord(bufio.NewReader(f))
}

// readRecord reads a record: its size in decimal on a line, then the
// payload.
func readRecord(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("%w: no header: %v", ErrCorrupt, err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%w: bad size %q", ErrCorrupt, line)
	}
	size := int32(n)
	buf := make([]byte, size)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("%w: short payload: %v", ErrCorrupt, err)
	}
	return buf, nil
}
